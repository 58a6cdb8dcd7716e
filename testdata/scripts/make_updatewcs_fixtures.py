"""Fixtures for `driz updatewcs` (crate driz-updatewcs), made with the reference stwcs.

Run from the repository root with the reference environment:

    .venv-ref/bin/python testdata/scripts/make_updatewcs_fixtures.py [../shared/data/hst]

It writes into testdata/updatewcs/:

* Synthetic WFC3 inputs (no WFC3 IDCTAB exists in the shared data, so these are
  *constructed*, with the IDCTAB table layout of wcs-alignment.md section 1.4):
  `wfc3ir_flt.fits` + `wfc3ir_idc.fits` (IR, one chip, F140W) and
  `wfc3uvis_flt.fits` + `wfc3uvis_idc.fits` (UVIS, two chips, F606W; the table also
  has rows for other filters and a reverse-direction row, to exercise row selection).
* `wfc3irsub_flt.fits`: a 256x256 subarray (LTV = -379) of the IR exposure whose OPUS
  CRPIX is off the model reference pixel (MakeWCS's subarray path).
* Synthetic ACS inputs with the ACS IDCTAB layout (FILTER1/FILTER2 columns, no THETA):
  `acshrc_flt.fits` + `acshrc_idc.fits` (HRC, 1024x1024, F606W/CLEAR2S; the F606W row and
  the OPUS WCS are those of the real exposure j8bt06nyq, see `make_acs_inputs`),
  `acssbc_flt.fits` + `acssbc_idc.fits` (SBC, 1024x1024, F125LP/N/A) and
  `acssbc_clear_flt.fits` (the same SBC exposure with CLEAR filters, which stwcs maps to
  the F115LP/N/A row).
  Images are 16x16 (only the headers matter); the recorded grids cover the full detector.
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


def idctab(path, instrume, detector, rows, norder=4, filter_columns=("FILTER",), theta=True, primary=None):
    """A synthetic IDCTAB. WFC3 tables have one FILTER column and THETA; ACS tables have
    FILTER1/FILTER2 after DIRECTION and no THETA column (stwcs then uses 0)."""
    cols = [
        fits.Column("DETCHIP", "I", array=[r["chip"] for r in rows]),
        fits.Column("DIRECTION", "8A", array=[r.get("direction", "FORWARD") for r in rows]),
    ]
    for name in filter_columns:
        cols.append(fits.Column(name, "8A", array=[r[name.lower()] for r in rows]))
    cols += [
        fits.Column("XSIZE", "J", array=[r["size"][0] for r in rows]),
        fits.Column("YSIZE", "J", array=[r["size"][1] for r in rows]),
    ]
    for k in ["XREF", "YREF", "V2REF", "V3REF"] + (["THETA"] if theta else []) + ["SCALE"]:
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
    for k, v in (primary or {}).items():
        prim.header[k] = v
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
    # A 256x256 IR subarray (LTV = -379) of the same exposure, its OPUS reference pixel 2 px
    # right of and 4 px below the model's XREF/YREF, so MakeWCS re-centres the polynomial.
    exposure(os.path.join(OUT, "wfc3irsub_flt.fits"),
             {"INSTRUME": "WFC3", "DETECTOR": "IR", "FILTER": "F140W", "ROOTNAME": "ib6o23ruq",
              "DATE-OBS": "2010-10-05", "PA_V3": 280.123456, "REFFRAME": "ICRS", "SUBARRAY": True,
              "IDCTAB": "wfc3ir_idc.fits"},
             [dict(linear_wcs((130.0, 124.0), (53.1234567, -27.7654321), 0.1283 / 3600, 235.0),
                   VAFACTOR=1.000012345, LTV1=-379.0, LTV2=-379.0, BINAXIS1=1, BINAXIS2=1)])
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


def acs_row(chip, filter1, filter2, lin, higher, **geometry):
    """An ACS IDCTAB row: linear terms (cx11, cx10, cy11, cy10) plus {(i, j): (cx, cy)}."""
    cx = [[0.0] * 5 for _ in range(5)]
    cy = [[0.0] * 5 for _ in range(5)]
    cx[1][1], cx[1][0], cy[1][1], cy[1][0] = lin
    for (i, j), (x, y) in higher.items():
        cx[i][j], cy[i][j] = x, y
    return dict(chip=chip, filter1=filter1, filter2=filter2, cx=cx, cy=cy, **geometry)


def random_higher(scale, seed):
    """Plausible 2nd..4th-order terms for a detector with `scale` arcsec pixels."""
    rng = np.random.default_rng(seed)
    return {(i, j): tuple(float(v) for v in rng.normal(0, scale * 1e-5 / 10 ** (3.5 * (i - 2)), 2))
            for i in range(2, 5) for j in range(i + 1)}


# ACS/HRC F606W/CLEAR2S: the real exposure j8bt06nyq (drizzle-testdata-deb/input1.fits, IDCTAB
# n721640fj, which is not available). Its header carries the row's linear terms (OCX10..OCY11),
# IDCSCALE, IDC[XY]REF, IDCV[23]REF, IDCTHETA = 0 (ACS tables have no THETA column) and the
# SIP made from the row; the higher-order CX/CY below are M.[A;B] of that SIP, M = [[OCX11,
# OCX10], [OCY11, OCY10]], rounded to 5 digits (which gives back the same float32 values).
HRC_F606W_LINEAR = (0.028281, -3.5e-05, 0.002914, 0.024843)
HRC_F606W_HIGHER = {
    (2, 0): (-2.0451e-08, 2.8382e-07), (2, 1): (2.5515e-07, -4.0044e-08), (2, 2): (-9.3860e-08, 4.0037e-08),
    (3, 0): (-5.5787e-13, 1.8227e-11), (3, 1): (1.1620e-11, -1.4485e-11), (3, 2): (-8.3751e-13, 7.4192e-12),
    (3, 3): (2.7156e-12, 1.1430e-11), (4, 0): (1.0421e-15, -3.1649e-14), (4, 1): (-5.1895e-15, -1.3935e-14),
    (4, 2): (-3.8096e-14, 2.0757e-14), (4, 3): (-6.2859e-14, -3.8939e-14), (4, 4): (9.1465e-15, 7.5721e-15),
}


def make_acs_inputs():
    hrc = dict(size=(1024, 1024), xref=512.0, yref=512.0, scale=0.025)
    hrc_rows = [
        # Other filter combinations (synthetic variations of the F606W row) come first, and an
        # INVERSE row with the same filters precedes the forward one, to exercise row selection.
        acs_row(1, "F555W", "CLEAR2S", (0.028279, -3.6e-05, 0.002913, 0.024841), random_higher(0.025, 11),
                v2ref=207.11, v3ref=471.45, **hrc),
        acs_row(1, "F606W", "CLEAR2S", (39.47, 5.5e-02, -4.63, 44.93), random_higher(40.0, 12),
                direction="INVERSE", v2ref=207.08, v3ref=471.474, **hrc),
        acs_row(1, "F606W", "CLEAR2S", HRC_F606W_LINEAR, HRC_F606W_HIGHER, v2ref=207.08, v3ref=471.474, **hrc),
        acs_row(1, "CLEAR1S", "F814W", (0.028285, -3.4e-05, 0.002916, 0.024846), random_higher(0.025, 13),
                v2ref=207.05, v3ref=471.49, **hrc),
    ]
    # TDD keywords in an HRC table: stwcs applies the time-dependent distortion to ACS/WFC only,
    # so these (and TDDCORR = 'PERFORM' in the exposure) must be ignored.
    idctab(os.path.join(OUT, "acshrc_idc.fits"), "ACS", "HRC", hrc_rows, filter_columns=("FILTER1", "FILTER2"),
           theta=False, primary={"TDDORDER": 1, "TDD_A0": 0.095, "TDD_A1": 0.036, "TDD_B0": -0.029,
                                 "TDD_B1": -0.012, "TDD_DATE": 2004.5})
    # Primary keywords and OPUS WCS of j8bt06nyq_flt.fits (before updatewcs): no REFFRAME, no
    # CCDCHIP, no NPOLFILE/D2IMFILE in the original; N/A lookup files as in later reprocessing.
    exposure(os.path.join(OUT, "acshrc_flt.fits"),
             {"INSTRUME": "ACS", "DETECTOR": "HRC", "FILTER1": "F606W", "FILTER2": "CLEAR2S",
              "ROOTNAME": "j8bt06nyq", "DATE-OBS": "2002-04-13", "TIME-OBS": "20:40:22",
              "EXPSTART": 52377.86137319, "PA_V3": 15.79167, "TDDCORR": "PERFORM",
              "IDCTAB": "acshrc_idc.fits", "NPOLFILE": "N/A", "D2IMFILE": "N/A"},
             [{"WCSAXES": 2, "CRPIX1": 512.0, "CRPIX2": 512.0, "CRVAL1": 6.027148333333, "CRVAL2": -72.08351111111,
               "CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN", "CD1_1": -7.3605e-06, "CD1_2": 1.8456e-06,
               "CD2_1": 2.86858e-06, "CD2_2": 6.64946e-06, "LTV1": 0.0, "LTV2": 0.0,
               "VAFACTOR": 1.000048396735, "BINAXIS1": 1, "BINAXIS2": 1}])

    # ACS/SBC (synthetic; no SBC IDCTAB is available): MAMA pixels of about 0.034" x 0.030" with
    # a filter-dependent linear part, FILTER2 = 'N/A' in the table as in the SBC exposures.
    sbc = dict(size=(1024, 1024), xref=512.0, yref=512.0, scale=0.025)
    sbc_rows = []
    for k, (filt, v2, v3) in enumerate((("F122M", 205.52, 471.81), ("F125LP", 205.48, 471.86),
                                        ("F115LP", 205.45, 471.88), ("F140LP", 205.41, 471.90))):
        lin = (0.03381 + 2e-5 * k, 4.5e-04 - 1e-5 * k, 0.00318 + 1e-5 * k, 0.03006 - 2e-5 * k)
        if filt == "F125LP":
            sbc_rows.append(acs_row(1, filt, "N/A", (29.6, -0.44, -3.12, 33.3), random_higher(30.0, 20 + k),
                                    direction="INVERSE", v2ref=v2, v3ref=v3, **sbc))
        sbc_rows.append(acs_row(1, filt, "N/A", lin, random_higher(0.032, 30 + k), v2ref=v2, v3ref=v3, **sbc))
    idctab(os.path.join(OUT, "acssbc_idc.fits"), "ACS", "SBC", sbc_rows, filter_columns=("FILTER1", "FILTER2"),
           theta=False)
    sbc_primary = {"INSTRUME": "ACS", "DETECTOR": "SBC", "FILTER1": "F125LP", "FILTER2": "N/A",
                   "ROOTNAME": "j9sb02abq", "DATE-OBS": "2006-08-15", "TIME-OBS": "03:12:45",
                   "EXPSTART": 53962.13385417, "PA_V3": 214.37, "REFFRAME": "ICRS",
                   "IDCTAB": "acssbc_idc.fits", "NPOLFILE": "N/A", "D2IMFILE": "N/A"}
    sbc_sci = dict(linear_wcs((512.0, 512.0), (83.8186621, -5.3896701), 0.032 / 3600, 301.7),
                   VAFACTOR=1.000021376543, LTV1=0.0, LTV2=0.0)
    exposure(os.path.join(OUT, "acssbc_flt.fits"), sbc_primary, [sbc_sci])
    # The same exposure with CLEAR filters: stwcs then looks up F115LP / N/A for SBC.
    exposure(os.path.join(OUT, "acssbc_clear_flt.fits"),
             dict(sbc_primary, FILTER1="CLEAR1S", FILTER2="CLEAR2S", ROOTNAME="j9sb02acq"), [sbc_sci])


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
    run_stwcs([os.path.join(OUT, "wfc3irsub_flt.fits"), os.path.join(OUT, "wfc3ir_idc.fits")], "wfc3irsub",
              (256, 256))
    make_acs_inputs()
    run_stwcs([os.path.join(OUT, "acshrc_flt.fits"), os.path.join(OUT, "acshrc_idc.fits")], "acshrc", (1024, 1024))
    run_stwcs([os.path.join(OUT, "acssbc_flt.fits"), os.path.join(OUT, "acssbc_idc.fits")], "acssbc", (1024, 1024))
    run_stwcs([os.path.join(OUT, "acssbc_clear_flt.fits"), os.path.join(OUT, "acssbc_idc.fits")], "acssbc_clear",
              (1024, 1024))
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
