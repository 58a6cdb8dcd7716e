"""driz: HST's runastrodriz pipeline (drizzlepac 3.11) reimplemented in Rust, from Python.

- ``driz.runastrodriz.process(inFile, ...)``: the whole pipeline, drizzlepac's arguments.
- ``driz.astrodrizzle(input, **params)``: AstroDrizzle with drizzlepac's parameter names.
- ``driz.updatewcs(files)``: the pipeline-default WCS (stwcs ``updatewcs``, no database).
- ``driz.drizzle.Drizzle`` and ``driz.drizzle.blot_image``: the kernels on numpy arrays,
  with the interface of ``drizzle.resample`` 3.0.

Log lines go to the ``driz`` logger and step progress to ``driz.progress``
(``logging.basicConfig(level=logging.INFO)`` shows them). Errors raise
:class:`DrizError` with the message the command line prints.
"""

import glob
import os

from . import _driz, drizzle, runastrodriz
from ._driz import DrizError, NoViableDataError, __version__

__all__ = [
    "DrizError",
    "NoViableDataError",
    "__version__",
    "astrodrizzle",
    "drizzle",
    "runastrodriz",
    "updatewcs",
]


def _param_text(value):
    """A parameter value as drizzlepac would read it from its configuration (``str()``)."""
    if value is None or isinstance(value, (bool, int, str)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "item"):  # numpy scalars
        return _param_text(value.item())
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"unsupported parameter value {value!r} ({type(value).__name__})")


def astrodrizzle(input, workdir=None, **params):
    """Run AstroDrizzle on ``input`` (an association ``*_asn.fits``, an ``@list``, a comma
    separated list or a wildcard) with drizzlepac's parameter names, e.g.
    ``driz.astrodrizzle("j8bt06010_asn.fits", final_scale=0.05, build=True)``.

    As ``driz astrodrizzle`` (and the pipeline), the MDRIZTAB named in the input headers
    is applied when that file exists unless you pass ``mdriztab=False`` (drizzlepac's
    ``AstroDrizzle`` defaults to ``mdriztab=False``). Products are written to ``workdir``
    (default: the current directory) and names in ``input`` are relative to it.

    Returns a dict: ``product`` (path or None), ``written``, ``images``, ``skipped``
    (steps), ``dropped`` ((file, reason)), ``sky`` ((file, chip, MDRIZSKY)) and
    ``cosmic_rays`` ((file, chip, pixels flagged)).
    """
    settings = [(name, _param_text(value)) for name, value in params.items()]
    workdir = os.getcwd() if workdir is None else os.fspath(workdir)
    return _driz.astrodrizzle(os.fspath(input), settings, workdir)


def updatewcs(files, force=False):
    """Write the pipeline-default WCS (IDCTAB, D2IMFILE, NPOLFILE; stwcs ``updatewcs``
    without the astrometry database) into FLT/FLC files, in place and atomically.

    ``files``: a path, a wildcard or an iterable of paths. Every file is processed; if
    any failed, :class:`DrizError` is raised afterwards with one line per failure.
    Returns one dict per file: ``path``, ``wcsname``, ``sipname``, ``distname``,
    ``corrections`` and ``chips`` (``extver``, ``chip``, ``idc_row``, ``crpix``, ``crval``,
    ``cd``).
    """
    if isinstance(files, (str, os.PathLike)):
        name = os.fspath(files)
        matches = sorted(glob.glob(name)) if glob.has_magic(name) else [name]
        if not matches:
            raise DrizError(f"{name}: no file matches")
        files = matches
    return _driz.updatewcs([os.fspath(f) for f in files], bool(force))
