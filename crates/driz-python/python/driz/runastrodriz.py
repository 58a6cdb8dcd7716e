"""``driz.runastrodriz.process``: drizzlepac's ``runastrodriz.process`` in Rust."""

import os

from . import _driz

__all__ = ["process"]


def process(
    inFile,
    force=False,
    newpath=None,
    num_cores=None,
    inmemory=True,
    headerlets=True,
    align_to_gaia=True,
    force_alignment=False,
    do_verify_guiding=False,
    debug=False,
    make_manifest=False,
):
    """Run the HST pipeline on ``inFile`` (an association ``<root>_asn.fits``, a RAW or a
    calibrated exposure), as ``drizzlepac.runastrodriz.process`` does with the same
    arguments and defaults; the command line ``runastrodriz`` gives the same results.

    Environment variables are read as the pipeline reads them (e.g.
    ``ASTROMETRY_STEP_CONTROL``, ``ASTROMETRY_APPLY_APRIORI``, and
    ``DRIZ_ASTROMETRIC_CATALOG_FILE`` for an offline reference catalog).

    drizzlepac returns None; this returns a dict describing the run:

    - ``products``: paths of the final drizzled products,
    - ``verifications``: one dict per verification (``mode``, ``verified``, ``quality``,
      ``max_overlap_difference``, ``similarity``),
    - ``aposteriori_applied``: whether the a posteriori alignment was kept,
    - ``trailer``: path of the ``<root>.tra`` trailer,
    - ``skipped``: True when DRIZCORR was not PERFORM (nothing drizzled).

    Raises :class:`driz.NoViableDataError` when no input exposure has valid data (the
    command line's exit status 65) and :class:`driz.DrizError` for any other failure,
    with the message the command line prints after ``runastrodriz: error:``; the
    exception's ``exit_code`` is the command line's exit status.
    """
    return _driz.runastrodriz_process(
        os.fspath(inFile),
        bool(force),
        None if newpath is None else os.fspath(newpath),
        None if num_cores is None else int(num_cores),
        bool(inmemory),
        bool(headerlets),
        bool(align_to_gaia),
        bool(force_alignment),
        bool(do_verify_guiding),
        bool(debug),
        bool(make_manifest),
    )
