#!/usr/bin/env python3
"""Time astropy's full-chip pixel -> sky mapping, the baseline for driz's pixmap.

Loads SCI,1 of testdata/hst/j94f05bgq_updatewcs_flt.fits.gz (ACS/WFC chip,
4096x2048, TAN-SIP order 4 + NPOL + D2IM; made by make_wcs_fixtures.py),
builds the 1-based pixel grid of the whole chip (8,388,608 pixels) once, and
times ``wcs.all_pix2world(x, y, 1)`` over it: best of 3 runs, grid
construction excluded.  Prints seconds and Mpix/s.

astropy.wcs evaluates in C on a single thread, so BLAS settings
(OPENBLAS_CORETYPE etc.) do not matter here.

Run from the repository root:
    .venv-ref/bin/python testdata/scripts/astropy_pixmap_bench.py [--repeat 3]
"""

import argparse
import os
import platform
import time

import numpy as np
import astropy
from astropy.io import fits
from astropy.wcs import WCS

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FILE = os.path.join(REPO, "testdata", "hst", "j94f05bgq_updatewcs_flt.fits.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--file", default=FILE)
    args = ap.parse_args()

    with fits.open(args.file) as hl:
        hdr = hl["SCI", 1].header
        wcs = WCS(hdr, hl)
        nx, ny = int(hdr["NAXIS1"]), int(hdr["NAXIS2"])
    dist = [n for n, on in (("SIP", wcs.sip is not None),
                            ("D2IM", wcs.det2im1 is not None or wcs.det2im2 is not None),
                            ("NPOL", wcs.cpdis1 is not None or wcs.cpdis2 is not None)) if on]

    # 1-based pixel centres of the whole chip, x fastest.
    y, x = np.mgrid[1:ny + 1, 1:nx + 1].astype(np.float64)
    x = x.ravel()
    y = y.ravel()
    npix = x.size

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ra, dec = wcs.all_pix2world(x, y, 1)
        times.append(time.perf_counter() - t0)
    best = min(times)

    print(f"astropy {astropy.__version__}, numpy {np.__version__}, "
          f"python {platform.python_version()}, {platform.machine()}")
    print(f"file: {os.path.relpath(args.file, REPO)} SCI,1 {nx}x{ny} = {npix} pixels, "
          f"distortions {'+'.join(dist)}")
    print("runs (s): " + ", ".join(f"{t:.3f}" for t in times))
    print(f"best of {args.repeat}: {best:.3f} s  ->  {npix / best / 1e6:.2f} Mpix/s")
    print(f"check: pixel (1,1) -> RA {ra[0]!r} Dec {dec[0]!r}")


if __name__ == "__main__":
    main()
