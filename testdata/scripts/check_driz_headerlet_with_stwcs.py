"""Show that stwcs 1.7.7 reads and uses headerlets written by `driz headerlet`.

    .venv-ref/bin/python testdata/scripts/check_driz_headerlet_with_stwcs.py DRIZ_BINARY

On the updated j94f05bgq ACS/WFC exposure (testdata/hst/j94f05bgq_updatewcs_flt.fits.gz),
in a temporary directory:
1. `driz headerlet write` and stwcs `write_headerlet` (same HDRNAME/AUTHOR/DESCRIP) from
   copies of the exposure; the two files' HDU lists and keyword sets are compared, and
   every SIPWCS is evaluated with stwcs `HSTWCS` (all_pix2world on a 41x41 grid, max
   difference in mas between the driz and the stwcs headerlet);
2. stwcs `Headerlet.fromfile` + `hverify` on the driz file;
3. stwcs `apply_headerlet_as_primary` of the driz headerlet onto a copy whose WCS was
   altered: the exposure's pixel->sky must come back (max difference in deg);
4. `driz headerlet attach` of the driz headerlet, then stwcs
   `get_headerlet_kw_names` (HDRNAME, WCSNAME), `HeaderletHDU.headerlet`, and
   `restore_from_headerlet` from that driz-written HDRLET extension;
5. `driz headerlet apply` of a stwcs-written headerlet, compared likewise.
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from astropy.io import fits
from stwcs.wcsutil import HSTWCS, headerlet

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "hst", "j94f05bgq_updatewcs_flt.fits.gz")


def sep_mas(a, b):
    (ra1, dec1), (ra2, dec2) = a, b
    dra = ((ra1 - ra2 + 180) % 360 - 180) * np.cos(np.radians(dec1))
    return np.hypot(dra, dec1 - dec2).max() * 3.6e6


def grid(nx=4096, ny=2048, n=41):
    x, y = np.meshgrid(np.linspace(1, nx, n), np.linspace(1, ny, n))
    return x.ravel(), y.ravel()


def sky(fobj, ext):
    w = HSTWCS(fobj, ext=ext)
    x, y = grid()
    return w.all_pix2world(x, y, 1)


def exposure_sky(path):
    with fits.open(path) as f:
        return [sky(f, ("SCI", v)) for v in (1, 2)]


def alter(path):
    with fits.open(path, mode="update") as f:
        for v in (1, 2):
            h = f[("SCI", v)].header
            h["CRVAL1"] += 0.01
            h["CD1_2"] *= 1.01
            h["A_2_0"] = 1e-5
            h["WCSNAME"] = "IDC_postsm4-MYFIT"


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    print("   $", " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(args)))
    for line in (r.stdout + r.stderr).strip().splitlines():
        print("    ", line)
    if r.returncode:
        sys.exit(f"command failed with status {r.returncode}")


def main():
    driz = os.path.abspath(sys.argv[1])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        for d in ("driz", "stwcs", "apply", "attach", "drizapply"):
            os.makedirs(d)
            with gzip.open(SRC) as g, open(os.path.join(d, "j94f05bgq_flt.fits"), "wb") as o:
                o.write(g.read())
        original = exposure_sky("driz/j94f05bgq_flt.fits")

        print("1. driz headerlet write vs stwcs write_headerlet")
        run(driz, "headerlet", "write", "driz/j94f05bgq_flt.fits", "--hdrname", "j94f05bgq_flt_hlet.fits",
            "--author", "OPUS", "--descrip", "undistorted not aligned")
        headerlet.write_headerlet("stwcs/j94f05bgq_flt.fits", "j94f05bgq_flt_hlet.fits", output="flt", wcskey="PRIMARY",
                                  author="OPUS", descrip="undistorted not aligned", attach=False, clobber=True)
        dh, sh = fits.open("driz/j94f05bgq_flt_hlet.fits"), fits.open("stwcs/j94f05bgq_flt_hlet.fits")
        dl = [(h.name, h.ver, h.data.shape if h.data is not None else None) for h in dh]
        sl = [(h.name, h.ver, h.data.shape if h.data is not None else None) for h in sh]
        print("   HDUs (driz):  ", dl)
        print("   same HDU list as stwcs:", dl == sl)
        failures += dl != sl
        for i, (a, b) in enumerate(zip(dh, sh)):
            ka, kb = list(a.header.keys()), list(b.header.keys())
            if ka != kb:
                print(f"   HDU {i} keyword order differs: driz-only {sorted(set(ka) - set(kb))},"
                      f" stwcs-only {sorted(set(kb) - set(ka))}")
                failures += set(ka) != set(kb)
            diff = [k for k in set(ka) & set(kb) if k not in ("DATE",) and a.header[k] != b.header[k]
                    and not (isinstance(a.header[k], float) and abs(a.header[k] - b.header[k])
                             <= 1e-12 * max(1.0, abs(b.header[k])))]
            if diff:
                print(f"   HDU {i} values differ: " + ", ".join(f"{k}: {a.header[k]!r} vs {b.header[k]!r}"
                                                             for k in sorted(diff)))
            if a.data is not None:
                same = np.array_equal(a.data, b.data)
                failures += not same
                if not same:
                    print(f"   HDU {i} data differ")
        worst = max(sep_mas(sky(dh, ("SIPWCS", v)), sky(sh, ("SIPWCS", v))) for v in (1, 2))
        print(f"   SIPWCS pixel->sky, driz vs stwcs headerlet (HSTWCS, 41x41 grid): max {worst:.3e} mas")
        failures += worst > 1e-6

        print("2. stwcs Headerlet.fromfile + hverify on the driz headerlet")
        hl = headerlet.Headerlet.fromfile("driz/j94f05bgq_flt_hlet.fits")
        hl.hverify()
        print(f"   HDRNAME {hl.hdrname!r} WCSNAME {hl.wcsname!r} DESTIM {hl.destim!r} DISTNAME {hl.distname!r}")
        print(f"   SIPNAME {hl.sipname!r} NPOLFILE {hl.npolfile!r} D2IMFILE {hl.d2imfile!r} AUTHOR {hl.author!r}")

        print("3. stwcs apply_headerlet_as_primary(driz headerlet) on an altered copy")
        alter("apply/j94f05bgq_flt.fits")
        moved = max(sep_mas(a, b) for a, b in zip(exposure_sky("apply/j94f05bgq_flt.fits"), original)) / 3.6e6
        headerlet.apply_headerlet_as_primary("apply/j94f05bgq_flt.fits", "driz/j94f05bgq_flt_hlet.fits")
        back = max(sep_mas(a, b) for a, b in zip(exposure_sky("apply/j94f05bgq_flt.fits"), original)) / 3.6e6
        print(f"   altered by {moved:.3e} deg; after stwcs applied the driz headerlet: max {back:.3e} deg")
        print("   HDRLETs now:", headerlet.get_headerlet_kw_names("apply/j94f05bgq_flt.fits"))
        failures += back > 1e-9

        print("4. driz headerlet attach, then stwcs reads and restores from that HDRLET")
        run(driz, "headerlet", "attach", "driz/j94f05bgq_flt_hlet.fits", "attach/j94f05bgq_flt.fits")
        names = headerlet.get_headerlet_kw_names("attach/j94f05bgq_flt.fits")
        wnames = headerlet.get_headerlet_kw_names("attach/j94f05bgq_flt.fits", kw="WCSNAME")
        print(f"   get_headerlet_kw_names: HDRNAME {names}, WCSNAME {wnames}")
        with fits.open("attach/j94f05bgq_flt.fits") as f:
            ext = [h for h in f if isinstance(h, headerlet.HeaderletHDU)]
            print(f"   {len(ext)} HeaderletHDU; embedded headerlet: {[ (h.name, h.ver) for h in ext[0].headerlet]}")
            ext[0].headerlet.hverify()
        alter("attach/j94f05bgq_flt.fits")
        headerlet.restore_from_headerlet("attach/j94f05bgq_flt.fits", hdrname="j94f05bgq_flt_hlet.fits")
        back = max(sep_mas(a, b) for a, b in zip(exposure_sky("attach/j94f05bgq_flt.fits"), original)) / 3.6e6
        print(f"   stwcs restore_from_headerlet from the driz HDRLET: max {back:.3e} deg")
        failures += back > 1e-9 or names != ["j94f05bgq_flt_hlet.fits"]

        print("5. driz headerlet apply of the stwcs headerlet on an altered copy")
        alter("drizapply/j94f05bgq_flt.fits")
        run(driz, "headerlet", "apply", "stwcs/j94f05bgq_flt_hlet.fits", "drizapply/j94f05bgq_flt.fits")
        back = max(sep_mas(a, b) for a, b in zip(exposure_sky("drizapply/j94f05bgq_flt.fits"), original)) / 3.6e6
        print(f"   max {back:.3e} deg; HDRLETs: {headerlet.get_headerlet_kw_names('drizapply/j94f05bgq_flt.fits')}")
        failures += back > 1e-9
        os.chdir(HERE)
    print("OK" if failures == 0 else f"{failures} FAILURES")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
