"""Fixtures for `driz updatewcs` (crate driz-updatewcs), made with the reference stwcs.

Run from the repository root with the reference environment:

    .venv-ref/bin/python testdata/scripts/make_updatewcs_fixtures.py [../shared/data/hst]

It writes into testdata/updatewcs/:

* Synthetic WFC3 inputs (no WFC3 IDCTAB exists in the shared data, so these are
  *constructed*, with the IDCTAB table layout of wcs-alignment.md section 1.4):
  `wfc3ir_flt.fits` + `wfc3ir_idc.fits` (IR, one chip, F140W) and
  `wfc3uvis_flt.fits` + `wfc3uvis_idc.fits` (UVIS, two chips, F606W; the table also
  has rows for other filters and a reverse-direction row, to exercise row selection).
  Images are 16x16 (only the headers matter).
* `<name>_stwcs.json`: what stwcs 1.7.7 `updatewcs(use_db=False)` makes of each input:
  per SCI extension CRPIX/CRVAL/CD, the SIP coefficients, WCSNAME, OCX/IDC keywords and
  `all_pix2world(x, y, 1)` on an 11x11 grid over the full detector (corners included).
* `j94f05bgq_stwcs.json` (only when the shared data directory is given): the same for the
  ACS/WFC exposure j94f05bgq with postsm4_idc / qbu16424j_npl / new_wfc_d2i.
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np
from astropy.io import fits
from astropy import wcs as pywcs
import stwcs
from stwcs import updatewcs

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "updatewcs")


def idctab(path, instrume, detector, rows, norder=4):
    names = ["DETCHIP", "DIRECTION", "FILTER", "XSIZE", "YSIZE", "XREF", "YREF", "V2REF", "V3REF",
             "THETA", "SCALE"]
    cols = [
        fits.Column("DETCHIP", "I", array=[r["chip"] for r in rows]),
        fits.Column("DIRECTION", "8A", array=[r.get("direction", "FORWARD") for r in rows]),
        fits.Column("FILTER", "8A", array=[r["filter"] for r in rows]),
        fits.Column("XSIZE", "J", array=[r["size"][0] for r in rows]),
        fits.Column("YSIZE", "J", array=[r["size"][1] for r in rows]),
    ]
    for k in ["XREF", "YREF", "V2REF", "V3REF", "THETA", "SCALE"]:
        cols.append(fits.Column(k, "E", array=[r[k.lower()] for r in rows]))
    for p in ("CX", "CY"):
        for i in range(1, norder + 1):
            for j in range(i + 1):
                cols.append(fits.Column(f"{p}{i}{j}", "E", array=[r[p.lower()][i][j] for r in rows]))
    prim = fits.PrimaryHDU()
    prim.header["INSTRUME"] = instrume
    prim.header["DETECTOR"] = detector
    prim.header["NORDER"] = norder
    prim.header["FILENAME"] = os.path.basename(path)
    prim.header["DESCRIP"] = "synthetic IDCTAB for driz tests (not a real reference file)"
    fits.HDUList([prim, fits.BinTableHDU.from_columns(cols)]).writeto(path, overwrite=True)


def coeffs(scale, rot, skew, seed):
    """A plausible 4th-order IDC polynomial: linear part = scale * rotation (+skew)."""
    rng = np.random.default_rng(seed)
    cx = [[0.0] * 5 for _ in range(5)]
    cy = [[0.0] * 5 for _ in range(5)]
    c, s = np.cos(np.radians(rot)), np.sin(np.radians(rot))
    # X = cx10*dy + cx11*dx ; Y = cy10*dy + cy11*dx
    cx[1][1], cx[1][0] = scale * c, scale * s + skew
    cy[1][1], cy[1][0] = -scale * s, scale * c
    for i in range(2, 5):
        for j in range(i + 1):
            cx[i][j] = float(rng.normal(0, 1e-6 / 10 ** (3 * (i - 2))))
            cy[i][j] = float(rng.normal(0, 1e-6 / 10 ** (3 * (i - 2))))
    return cx, cy


def exposure(path, primary, scis):
    prim = fits.PrimaryHDU()
    for k, v in primary.items():
        prim.header[k] = v
    # stwcs fails on a primary header without HISTORY or ASN_MTYP whose last card is not a
    # string; real FLT files have HISTORY.
    prim.header.add_history("synthetic exposure for driz tests (not real data)")
    hdus = [prim]
    for ver, sci in enumerate(scis, start=1):
        for name in ("SCI", "ERR", "DQ"):
            h = fits.Header()
            h["EXTNAME"] = name
            h["EXTVER"] = ver
            for k, v in sci.items():
                h[k] = v
            dtype = np.int16 if name == "DQ" else np.float32
            hdus.append(fits.ImageHDU(data=np.zeros((16, 16), dtype), header=h))
    hl = fits.HDUList(hdus)
    hl[0].header["NEXTEND"] = len(hl) - 1
    hl.writeto(path, overwrite=True)


def linear_wcs(crpix, crval, scale_deg, pa):
    c, s = np.cos(np.radians(pa)), np.sin(np.radians(pa))
    return {"WCSAXES": 2, "CRPIX1": crpix[0], "CRPIX2": crpix[1], "CRVAL1": crval[0], "CRVAL2": crval[1],
            "CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN",
            "CD1_1": -scale_deg * c, "CD1_2": scale_deg * s, "CD2_1": scale_deg * s, "CD2_2": scale_deg * c}


def make_inputs():
    ir_rows = [
        dict(chip=1, filter="F160W", size=(1014, 1014), xref=507.0, yref=507.0, v2ref=-1.45, v3ref=-0.61,
             theta=45.0, scale=0.1283, **dict(zip(("cx", "cy"), coeffs(0.1355, -0.6, 0.002, 1)))),
        dict(chip=1, filter="F140W", size=(1014, 1014), xref=507.0, yref=507.0, v2ref=-1.019, v3ref=-0.508,
             theta=45.04, scale=0.1283, **dict(zip(("cx", "cy"), coeffs(0.1356, -0.5, 0.0021, 2)))),
    ]
    idctab(os.path.join(OUT, "wfc3ir_idc.fits"), "WFC3", "IR", ir_rows)
    exposure(os.path.join(OUT, "wfc3ir_flt.fits"),
             {"INSTRUME": "WFC3", "DETECTOR": "IR", "FILTER": "F140W", "ROOTNAME": "ib6o23rtq",
              "DATE-OBS": "2010-10-05", "PA_V3": 280.123456, "REFFRAME": "ICRS",
              "IDCTAB": "wfc3ir_idc.fits"},
             [dict(linear_wcs((507.0, 507.0), (53.1234567, -27.7654321), 0.1283 / 3600, 235.0),
                   VAFACTOR=1.000012345, LTV1=0.0, LTV2=0.0, BINAXIS1=1, BINAXIS2=1)])
    uv_rows = []
    for chip, v2, v3, seed in ((1, -27.52, -33.05, 3), (2, -30.21, 34.83, 4)):
        for filt in ("F814W", "F606W"):
            for direction in ("INVERSE", "FORWARD"):
                cx, cy = coeffs(0.0395 if direction == "FORWARD" else 25.0, -0.9, 0.0003, seed + (filt == "F814W"))
                uv_rows.append(dict(chip=chip, filter=filt, direction=direction, size=(4096, 2051),
                                    xref=2048.0, yref=1026.0, v2ref=v2, v3ref=v3, theta=44.98 + chip * 0.01,
                                    scale=0.0395, cx=cx, cy=cy))
    idctab(os.path.join(OUT, "wfc3uvis_idc.fits"), "WFC3", "UVIS", uv_rows)
    base = {"VAFACTOR": 0.999987654, "LTV1": 0.0, "LTV2": 0.0, "BINAXIS1": 1, "BINAXIS2": 1}
    exposure(os.path.join(OUT, "wfc3uvis_flt.fits"),
             {"INSTRUME": "WFC3", "DETECTOR": "UVIS", "FILTER": "F606W", "ROOTNAME": "iabc01xyq",
              "DATE-OBS": "2012-06-30", "PA_V3": 12.5, "REFFRAME": "GSC1", "IDCTAB": "wfc3uvis_idc.fits"},
             [dict(linear_wcs((2048.0, 1026.0), (150.1, 2.2), 0.0395 / 3600, 102.0), CCDCHIP=2, **base),
              dict(linear_wcs((2048.0, 1026.0), (150.1002, 2.1812), 0.0395 / 3600, 102.0), CCDCHIP=1, **base)])


def record(path, name, detector_size):
    out = {"file": os.path.basename(path), "stwcs": stwcs.__version__, "chips": []}
    with fits.open(path) as f:
        out["primary"] = {k: f[0].header.get(k) for k in ("DISTNAME", "SIPNAME", "NEXTEND")}
        for i, hdu in enumerate(f):
            if hdu.header.get("EXTNAME") != "SCI":
                continue
            h = hdu.header
            w = pywcs.WCS(h, f)
            nx, ny = detector_size
            xs = np.linspace(1, nx, 11)
            ys = np.linspace(1, ny, 11)
            gx, gy = np.meshgrid(xs, ys)
            ra, dec = w.all_pix2world(gx.ravel(), gy.ravel(), 1)
            kw = {k: h[k] for k in h if k.startswith(("A_", "B_", "OCX", "OCY", "IDC", "CD", "CRVAL", "CRPIX",
                                                        "TDD", "CPERR", "D2IMERR"))
                  and not isinstance(h[k], str) and h[k] is not None and not k.endswith("O")}
            out["chips"].append({"extver": h["EXTVER"], "wcsname": h.get("WCSNAME"), "keywords": kw,
                                 "pixels": np.c_[gx.ravel(), gy.ravel()].tolist(),
                                 "sky": np.c_[ra, dec].tolist()})
    with open(os.path.join(OUT, f"{name}_stwcs.json"), "w") as fh:
        json.dump(out, fh, indent=1)


def run_stwcs(inputs, name, size):
    with tempfile.TemporaryDirectory() as tmp:
        for f in inputs:
            shutil.copy(f, tmp)
        flt = os.path.join(tmp, os.path.basename(inputs[0]))
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            updatewcs.updatewcs(os.path.basename(flt), use_db=False, checkfiles=False)
        finally:
            os.chdir(cwd)
        record(flt, name, size)


def main():
    os.makedirs(OUT, exist_ok=True)
    make_inputs()
    run_stwcs([os.path.join(OUT, "wfc3ir_flt.fits"), os.path.join(OUT, "wfc3ir_idc.fits")], "wfc3ir", (1014, 1014))
    run_stwcs([os.path.join(OUT, "wfc3uvis_flt.fits"), os.path.join(OUT, "wfc3uvis_idc.fits")], "wfc3uvis",
              (4096, 2051))
    if len(sys.argv) > 1:
        s = os.path.join(sys.argv[1], "stwcs")
        with tempfile.TemporaryDirectory() as tmp:
            with fits.open(os.path.join(s, "j94f05bgq_flt.fits.gz")) as f:
                f.writeto(os.path.join(tmp, "j94f05bgq_flt.fits"))
            inputs = [os.path.join(tmp, "j94f05bgq_flt.fits")] + [
                os.path.join(s, n) for n in ("postsm4_idc.fits", "qbu16424j_npl.fits", "new_wfc_d2i.fits")]
            run_stwcs(inputs, "j94f05bgq", (4096, 2048))


if __name__ == "__main__":
    main()
