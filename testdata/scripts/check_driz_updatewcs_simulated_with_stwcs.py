"""`driz updatewcs` vs stwcs 1.7.7 `updatewcs(use_db=False)` on simulated exposures.

    .venv-ref/bin/python testdata/scripts/check_driz_updatewcs_simulated_with_stwcs.py DRIZ_BINARY

In a temporary directory: `driz simulate --instrument wfc3-ir|acs-wfc|wfc3-uvis --exposures 2 --small
--seed 1`; the reference-file prefix (`iref`/`jref`) is read from DIR/ref/env.sh (it points
at DIR/ref/). Every `*_flt.fits` is copied twice; `driz updatewcs` updates one copy, stwcs
`updatewcs(use_db=False)` the other. For every SCI extension:
* stwcs `HSTWCS.all_pix2world` (SIP + D2IM + NPOL) of both files on a 41x41 grid spanning
  the chip, corners included: max separation in mas (requirement <= 0.05 mas);
* the CRVAL/CRPIX/CD/SIP (`A_*`, `B_*`, orders) keywords: max relative difference
  `|driz - stwcs| / max(|stwcs|, 1e-300)` (requirement <= 1e-10), and keywords present in
  only one of the files.
Exit status 1 when a requirement is not met.

Findings (2026-11-25, stwcs 1.7.7). stwcs MakeWCS builds CD as `p2s(crpix + 1 px) -
p2s(crpix)` (two sky positions one pixel apart), so a 1-ulp difference in a p2s RA near
150 deg (ulp 2**-45 deg) becomes 2.8e-14 / 7e-6 = 4e-9 of a CD element. With driz-wcs's
rotation-matrix TAN, CD differed by up to 4.6e-9 (pix->sky 1.5e-4 mas); driz-updatewcs now
uses a wcslib-order TAN p2s (`model.rs`, `wcslib_tan_p2s`) and acs-wfc is bit-identical
(0 mas, 0 relative). wfc3-ir (a 256x256 subarray, LTV = -379) still had CD1_1 one ulp of
RA off (7.8e-10 relative, 1.3e-5 mas). Cause (2026-11-26): not the LTV path but wcslib's
degree conversions, `atan2(y,x)*R2D` with the unparenthesised macro `R2D = 180.0/PI`, i.e.
`(t*180)/PI`, where driz multiplied by the constant `180/PI`; fixed in `model.rs`. Also fixed:
with a THETA column (WFC3) stwcs's `theta += THETA*pi/180` and the `THETA - THETA_ref`
rotation matrix are float32 under numpy 2 (NEP 50). Now wfc3-ir, acs-wfc and wfc3-uvis
are all bit-identical in CD/CRVAL (0 mas; worst keyword 1.1e-15, a SIP coefficient).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from astropy.io import fits
from stwcs import updatewcs
from stwcs.wcsutil import HSTWCS

warnings.simplefilter("ignore")
MAS_LIMIT, REL_LIMIT = 0.05, 1e-10
KW = re.compile(r"^(CRVAL[12]|CRPIX[12]|CD[12]_[12]|[AB]_\d_\d|[AB]_ORDER|CTYPE[12])$")


def sep_mas(ra1, dec1, ra2, dec2):
    dra = ((ra1 - ra2 + 180) % 360 - 180) * np.cos(np.radians(dec2))
    return float(np.hypot(dra, dec1 - dec2).max() * 3.6e6)


def check_instrument(driz, instrument, tmp):
    sim = os.path.join(tmp, instrument)
    subprocess.run([driz, "simulate", "--instrument", instrument, "--exposures", "2", "--small",
                    "--seed", "1", "--out", sim], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    ref = os.path.join(sim, "ref")
    env = dict(os.environ)
    with open(os.path.join(ref, "env.sh")) as f:
        for prefix in re.findall(r"^export (\w+)=", f.read(), re.M):
            env[prefix] = os.environ[prefix] = ref + "/"
    worst_mas, worst_rel, ok = 0.0, 0.0, True
    for flt in sorted(glob.glob(os.path.join(sim, "*_flt.fits"))):
        base = os.path.basename(flt)
        a, b = os.path.join(tmp, instrument + "_driz"), os.path.join(tmp, instrument + "_stwcs")
        for d in (a, b):
            os.makedirs(d, exist_ok=True)
            shutil.copy(flt, d)
        subprocess.run([driz, "updatewcs", os.path.join(a, base)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        cwd = os.getcwd()
        os.chdir(b)
        try:
            updatewcs.updatewcs(base, use_db=False, checkfiles=False)
        finally:
            os.chdir(cwd)
        with fits.open(os.path.join(a, base)) as fd, fits.open(os.path.join(b, base)) as fs:
            for i, h in enumerate(fs):
                if h.header.get("EXTNAME") != "SCI":
                    continue
                hd, hs = fd[i].header, h.header
                nx, ny = hs["NAXIS1"], hs["NAXIS2"]
                xs, ys = np.meshgrid(np.linspace(1, nx, 41), np.linspace(1, ny, 41))
                wd, ws = HSTWCS(fd, ext=i), HSTWCS(fs, ext=i)
                mas = sep_mas(*wd.all_pix2world(xs.ravel(), ys.ravel(), 1),
                              *ws.all_pix2world(xs.ravel(), ys.ravel(), 1))
                rel, rel_kw, only = 0.0, "", []
                for k in sorted(set(k for k in list(hd) + list(hs) if KW.match(k))):
                    if k not in hd or k not in hs:
                        only.append(f"{k}({'driz' if k in hd else 'stwcs'} only)")
                        continue
                    vd, vs = hd[k], hs[k]
                    if isinstance(vs, str) or isinstance(vd, str):
                        if vd.strip() != vs.strip():
                            only.append(f"{k}: {vd!r} vs {vs!r}")
                        continue
                    r = abs(vd - vs) / max(abs(vs), 1e-300) if vd != vs else 0.0
                    if r > rel:
                        # absolute difference in units of one ulp of CRVAL1 (stwcs builds CD
                        # by differencing two wcslib p2s results one pixel apart)
                        ulps = abs(vd - vs) / np.spacing(abs(hs["CRVAL1"]))
                        rel, rel_kw = r, f"{k}: {vd!r} vs {vs!r}, |diff| = {ulps:.3f} ulp(CRVAL1)"
                good = mas <= MAS_LIMIT and rel <= REL_LIMIT and not only
                ok &= good
                worst_mas, worst_rel = max(worst_mas, mas), max(worst_rel, rel)
                print(f"{instrument} {base}[SCI,{hs['EXTVER']}] ({nx}x{ny}): pix->sky max {mas:.3e} mas; "
                      f"keywords max rel {rel:.2e} ({rel_kw or '-'}); WCSNAME driz {hd.get('WCSNAME')!r} "
                      f"stwcs {hs.get('WCSNAME')!r}{'; ' + ', '.join(only) if only else ''}"
                      f"{'' if good else '  <-- FAILS'}")
    print(f"{instrument}: worst pix->sky {worst_mas:.3e} mas (limit {MAS_LIMIT}), worst keyword "
          f"rel {worst_rel:.2e} (limit {REL_LIMIT:g})")
    return ok


def main():
    driz = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        ok = all([check_instrument(driz, inst, tmp) for inst in ("wfc3-ir", "acs-wfc", "wfc3-uvis")])
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
