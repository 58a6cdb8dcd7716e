"""Show that stwcs/astropy/drizzlepac read and use a file updated by `driz updatewcs`.

    .venv-ref/bin/python testdata/scripts/check_driz_updatewcs_with_stwcs.py DRIZ_BINARY [../shared/data/hst]

For the j94f05bgq ACS/WFC exposure (shared data) and the synthetic WFC3 fixtures
(testdata/updatewcs), in a temporary directory:
1. `driz updatewcs` on one copy, stwcs `updatewcs(use_db=False)` on another;
2. stwcs `HSTWCS` of every SCI of the driz file, `all_pix2world` vs the stwcs file on a
   41x41 grid (max difference in mas);
3. stwcs `updatewcs` run again on the driz-updated file (it must accept driz's OPUS key,
   lookup extensions and names and reproduce its own result);
4. stwcs `create_headerlet` / `write_headerlet` from the driz-updated file, and
   drizzlepac's `wcs_functions.make_mosaic_wcs` (the output frame AstroDrizzle builds).
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from astropy.io import fits
from stwcs import updatewcs
from stwcs.wcsutil import HSTWCS, headerlet
from drizzlepac import wcs_functions

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "updatewcs")


def sep_mas(ra1, dec1, ra2, dec2):
    dra = ((ra1 - ra2 + 180) % 360 - 180) * np.cos(np.radians(dec1))
    return np.hypot(dra, dec1 - dec2).max() * 3.6e6


def check(driz, name, flt, refs, size):
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "driz"), os.path.join(tmp, "stwcs")
        for d in (a, b):
            os.makedirs(d)
            for f in [flt] + refs:
                if f.endswith(".gz"):
                    with fits.open(f) as h:
                        h.writeto(os.path.join(d, os.path.basename(f)[:-3]))
                else:
                    shutil.copy(f, d)
        base = os.path.basename(flt).replace(".gz", "")
        subprocess.run([driz, "updatewcs", os.path.join(a, base)], check=True, stdout=subprocess.DEVNULL)
        cwd = os.getcwd()
        os.chdir(b)
        updatewcs.updatewcs(base, use_db=False, checkfiles=False)
        os.chdir(a)
        try:
            fd, fs = fits.open(base), fits.open(os.path.join(b, base))
            xs, ys = np.meshgrid(np.linspace(1, size[0], 41), np.linspace(1, size[1], 41))
            for i, h in enumerate(fd):
                if h.header.get("EXTNAME") != "SCI":
                    continue
                wd, ws = HSTWCS(fd, ext=i), HSTWCS(fs, ext=i)
                r1, d1 = wd.all_pix2world(xs.ravel(), ys.ravel(), 1)
                r2, d2 = ws.all_pix2world(xs.ravel(), ys.ravel(), 1)
                print(f"{name} SCI,{h.header['EXTVER']}: stwcs HSTWCS of the driz file vs stwcs file: "
                      f"max {sep_mas(r1, d1, r2, d2):.2e} mas ({xs.size} points); WCSNAME {wd.wcs.name!r}")
            fd.close()
            fs.close()
            # stwcs re-runs on the driz-updated file and lands on its own result.
            updatewcs.updatewcs(base, use_db=False, checkfiles=False)
            with fits.open(base) as fd, fits.open(os.path.join(b, base)) as fs:
                worst = max(sep_mas(*HSTWCS(fd, ext=i).all_pix2world(xs.ravel(), ys.ravel(), 1),
                                    *HSTWCS(fs, ext=i).all_pix2world(xs.ravel(), ys.ravel(), 1))
                            for i, h in enumerate(fd) if h.header.get("EXTNAME") == "SCI")
                print(f"{name}: stwcs updatewcs re-run on the driz file: max {worst:.2e} mas from stwcs's own result")
            # A headerlet made by stwcs from the driz file, and the drizzle output frame.
            hlet = headerlet.create_headerlet(base, hdrname="driz_check", author="driz check")
            print(f"{name}: stwcs create_headerlet OK: DISTNAME {hlet[0].header['DISTNAME']!r}, "
                  f"{len(hlet) - 1} extensions")
            try:
                out = wcs_functions.make_mosaic_wcs([base])
                print(f"{name}: drizzlepac make_mosaic_wcs OK: output {out.pixel_shape}, "
                      f"scale {out.pscale:.5f} arcsec")
            except KeyError as e:  # the synthetic WFC3 headers lack EXPNAME etc.
                print(f"{name}: drizzlepac make_mosaic_wcs not run (synthetic header lacks {e})")
        finally:
            os.chdir(cwd)


def main():
    driz = os.path.abspath(sys.argv[1])
    check(driz, "wfc3ir", os.path.join(FIX, "wfc3ir_flt.fits"), [os.path.join(FIX, "wfc3ir_idc.fits")], (1014, 1014))
    check(driz, "wfc3uvis", os.path.join(FIX, "wfc3uvis_flt.fits"), [os.path.join(FIX, "wfc3uvis_idc.fits")],
          (4096, 2051))
    if len(sys.argv) > 2:
        s = os.path.join(sys.argv[2], "stwcs")
        check(driz, "j94f05bgq", os.path.join(s, "j94f05bgq_flt.fits.gz"),
              [os.path.join(s, n) for n in ("postsm4_idc.fits", "qbu16424j_npl.fits", "new_wfc_d2i.fits")],
              (4096, 2048))


if __name__ == "__main__":
    main()
