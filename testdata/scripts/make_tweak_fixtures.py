#!/usr/bin/env python3
"""Make the reference fixtures for the `driz-tweak` crate (tweakwcs 0.9.3 matching,
fitting and WCS correction, as drizzlepac 3.11 drives it).

Every expected value comes from the reference code in the reference venv:

* ``hist2d.json``   ``tweakwcs.matchutils._estimate_2dhist_shift`` on synthetic catalogs
  (tangent-plane pixel scale 1 and < 1, single non-zero bin, no pair, peak on the edge,
  sparse peaks that fall back to the centre of mass).
* ``xyxymatch.json`` ``stsci.stimage.xyxymatch`` (algorithm "tolerance", as
  ``XYXYMatch`` calls it) including coincident points, one image source matched to several
  reference sources and the output-overflow error; plus complete ``XYXYMatch.__call__``
  runs (2-D histogram + xyxymatch).
* ``linfit.json``   ``tweakwcs.linearfit.iter_linear_fit`` for every fitgeom with clipping;
  the shift is re-expressed for origin 0 exactly as ``WCSGroupCatalog.fit2ref`` does.
* ``acs_align.json`` ``tweakwcs.align_wcs`` on the two chips of two ACS/WFC exposures of
  /work/refruns/data/acs4 (``jsm001a1q``, ``jsm001a2q``: SIP + D2IM + NPOL, HSTWCS as
  drizzlepac builds it) with synthetic source lists generated from known WCS errors and a
  synthetic Gaia-like reference catalog: drizzlepac's ``relative`` method (relative step
  with ``expand_refcat`` then absolute step with one group id) and its ``2dhist`` method.
  Also the wall time of the reference calls (for the report, not a test).

Encoding: float64 values are strings (Python repr, parsed exactly by Rust); float32 table
data are plain JSON numbers (shortest float32 repr); masks are lists of 0/1.

Run from the repository root (deterministic, seeded):

    .venv-ref/bin/python testdata/scripts/make_tweak_fixtures.py
"""

import json
import math
import os
import time
import warnings
import logging

import numpy as np
from astropy.io import fits
from astropy.table import Table
from stsci.stimage import xyxymatch
from stwcs.wcsutil import HSTWCS

import tweakwcs
from tweakwcs import FITSWCSCorrector, align_wcs
from tweakwcs.matchutils import XYXYMatch, _estimate_2dhist_shift
from tweakwcs.linearfit import iter_linear_fit

assert tweakwcs.__version__.startswith("0.9.3"), tweakwcs.__version__

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tweak")
ACS = "/work/refruns/data/acs4"

warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)


def f64(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def arr(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return f64(a)
    return [arr(v) for v in a]


def mask(m):
    return [int(bool(v)) for v in np.asarray(m)]


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, sort_keys=True, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


# ----------------------------------------------------------------------------- 2-D histogram


def hist2d_cases():
    rng = np.random.default_rng(20240611)
    cases = []

    def add(name, img, ref, searchrad, pscale):
        off = _estimate_2dhist_shift(np.asarray(img), np.asarray(ref), searchrad=searchrad, pscale=pscale)
        cases.append(
            {"name": name, "img": arr(img), "ref": arr(ref), "searchrad": f64(searchrad),
             "pscale": f64(pscale), "offset": arr(off)}
        )

    ref = rng.uniform(0, 2000, size=(80, 2))
    img = ref + [3.3, -2.2] + rng.normal(0, 0.05, size=ref.shape)
    img = np.vstack([img, rng.uniform(0, 2000, size=(25, 2))])
    add("shift_p1", img, ref, 10.0, 1.0)
    add("shift_p_lt_1", img, ref, 10.0, 0.99994)
    add("shift_p_gt_1", img, ref, 10.0, 1.00013)

    ref = rng.uniform(0, 4000, size=(300, 2))
    img = ref + [-37.6, 12.45] + rng.normal(0, 0.1, size=ref.shape)
    img = np.vstack([img[:250], rng.uniform(0, 4000, size=(60, 2))])
    add("large_radius_p1", img, ref, 250.0, 1.0)
    add("large_radius_acs", img, ref, 250.0, 0.99984)
    add("searchrad_400", img, ref, 400.0, 0.9999)

    add("single_pair", [[100.0, 200.0]], [[97.2, 203.9]], 10.0, 1.0)
    add("no_pair", [[100.0, 200.0], [500.0, 20.0]], [[1000.0, 1000.0]], 10.0, 1.0)

    ref = rng.uniform(0, 2000, size=(40, 2))
    img = ref + [9.7, -0.3] + rng.normal(0, 0.03, size=ref.shape)
    add("peak_on_edge", img, ref, 10.0, 1.0)

    # Few pairs: the 5x5 box holds fewer than 6 non-zero bins -> centre of mass.
    ref = np.array([[10.0, 10.0], [300.0, 40.0], [600.0, 900.0], [1500.0, 100.0]])
    img = ref + [[2.1, 1.2], [2.4, 0.7], [2.2, 1.1], [1.3, 2.6]]
    add("sparse_center_of_mass", img, ref, 6.0, 1.0)

    # Two clusters of offsets: polynomial without a maximum inside the box.
    ref = rng.uniform(0, 3000, size=(120, 2))
    img = np.vstack([ref[:60] + [1.0, 1.0], ref[60:] + [-1.4, -1.6]]) + rng.normal(0, 0.2, size=ref.shape)
    add("two_peaks", img, ref, 5.0, 1.0)

    # Duplicate maxima: the first in row-major order wins.
    ref = np.array([[0.0, 0.0], [100.0, 100.0], [400.0, 50.0], [900.0, 700.0]])
    img = np.vstack([ref[:2] + [1.0, 0.0], ref[2:] + [-2.0, 1.0]])
    add("tied_maxima", img, ref, 4.0, 1.0)
    return cases


# ----------------------------------------------------------------------------- xyxymatch


def xyxymatch_cases():
    rng = np.random.default_rng(77)
    cases = []

    def add(name, img, ref, origin, tolerance, separation):
        img = np.asarray(img, dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        case = {"name": name, "img": arr(img), "ref": arr(ref), "origin": arr(origin),
                "tolerance": f64(tolerance), "separation": f64(separation)}
        try:
            m = xyxymatch(img, ref, origin=tuple(origin), tolerance=tolerance, separation=separation)
            case["ref_idx"] = [int(v) for v in m["ref_idx"]]
            case["input_idx"] = [int(v) for v in m["input_idx"]]
        except RuntimeError as e:
            case["error"] = str(e)
        cases.append(case)

    ref = rng.uniform(0, 1000, size=(60, 2))
    img = ref[5:55] + [4.0, -1.5] + rng.normal(0, 0.3, size=(50, 2))
    add("basic", img, ref, [4.0, -1.5], 2.0, 4.0)
    add("basic_wrong_origin", img, ref, [0.0, 0.0], 2.0, 0.5)

    # Coincident points in both lists (kept: the first in (y, x) order).
    ref2 = np.vstack([ref, ref[10] + [1.0, 1.5], ref[20] + [-0.2, 0.1], ref[30]])
    img2 = np.vstack([img, img[3] + [0.5, -2.0], img[7]])
    add("coincident", img2, ref2, [4.0, -1.5], 2.0, 4.0)
    add("coincident_small_separation", img2, ref2, [4.0, -1.5], 2.0, 0.1)

    # Several reference sources around one image source (large tolerance).
    ref3 = np.array([[100.0, 100.0], [103.0, 101.0], [98.0, 97.5], [500.0, 500.0], [505.0, 502.0]])
    img3 = np.array([[100.5, 99.5], [503.0, 501.0], [800.0, 800.0], [900.0, 10.0], [10.0, 900.0], [700.0, 20.0]])
    add("several_to_one", img3, ref3, [0.0, 0.0], 10.0, 1.0)

    # More pairs than image sources: overflow error.
    ref4 = np.array([[100.0, 100.0], [103.0, 101.0], [98.0, 97.5], [101.0, 104.0]])
    img4 = np.array([[100.5, 99.5], [900.0, 900.0]])
    add("overflow", img4, ref4, [0.0, 0.0], 10.0, 1.0)

    # Equal distances: the later image point in (y, x) order wins.
    ref5 = np.array([[50.0, 50.0]])
    img5 = np.array([[51.0, 50.0], [49.0, 50.0], [50.0, 49.0]])
    add("ties", img5, ref5, [0.0, 0.0], 1.5, 0.5)

    # Dense random lists: pointer logic over many y bands.
    ref6 = rng.uniform(0, 300, size=(400, 2))
    img6 = np.vstack([ref6[::2] + rng.normal(0, 0.7, size=(200, 2)), rng.uniform(0, 300, size=(150, 2))])
    add("dense", img6, ref6, [0.0, 0.0], 2.0, 1.5)

    # Full XYXYMatch calls (2-D histogram then xyxymatch).
    full = []
    for name, sr, sep, tol, pscale in [("relative", 125.0, 4.0, 2.0, 0.99994), ("2dhist", 400.0, 4.0, 2.0, 1.0),
                                       ("default_like", 50.0, 0.1, 10.0, 1.0)]:
        refxy = rng.uniform(0, 4000, size=(350, 2))
        imxy = np.vstack([refxy[:300] + [12.7, -8.2] + rng.normal(0, 0.2, size=(300, 2)),
                          rng.uniform(0, 4000, size=(40, 2))])
        use2dhist = name != "default_like"
        m = XYXYMatch(searchrad=sr, separation=sep, tolerance=tol, use2dhist=use2dhist, xoffset=12.0, yoffset=-8.0)
        rc = Table({"TPx": refxy[:, 0], "TPy": refxy[:, 1]})
        ic = Table({"TPx": imxy[:, 0], "TPy": imxy[:, 1]})
        ri, ii = m(rc, ic, tp_pscale=pscale)
        full.append({"name": name, "img": arr(imxy), "ref": arr(refxy), "searchrad": f64(sr),
                     "separation": f64(sep), "tolerance": f64(tol), "use2dhist": use2dhist,
                     "xoffset": f64(12.0), "yoffset": f64(-8.0), "pscale": f64(pscale),
                     "ref_idx": [int(v) for v in ri], "input_idx": [int(v) for v in ii]})
    return {"xyxymatch": cases, "xyxy_full": full}


# ----------------------------------------------------------------------------- linear fit


def fit_record(fit):
    """The fit as WCSGroupCatalog.fit2ref reports it (shift for origin 0)."""
    shift_ld = fit["shift_ld"] + fit["center_ld"] - np.dot(fit["center_ld"], fit["matrix_ld"].T)
    return {
        "matrix": arr(fit["matrix"]),
        "shift": arr(shift_ld.astype(np.double)),
        "center": arr(fit["center"]),
        "fitmask": mask(fit["fitmask"]),
        "rot": arr(fit["rot"]),
        "mean_rot": f64(fit["<rot>"]),
        "proper_rot": f64(fit["proper_rot"]),
        "proper": bool(fit["proper"]),
        "scale": arr(fit["scale"]),
        "mean_scale": f64(fit["<scale>"]),
        "skew": f64(fit["skew"]),
        "rmse": f64(fit["rmse"]),
        "mae": f64(fit["mae"]),
        "resids": arr(fit["resids"]),
        "eff_nclip": int(fit["eff_nclip"]),
    }


def linfit_cases():
    rng = np.random.default_rng(4242)
    cases = []

    def add(name, xy, uv, fitgeom, nclip, sigma=3.0):
        case = {"name": name, "xy": arr(xy), "uv": arr(uv), "fitgeom": fitgeom, "nclip": nclip, "sigma": f64(sigma)}
        try:
            fit = iter_linear_fit(xy, uv, fitgeom=fitgeom, nclip=nclip, sigma=(sigma, "rmse"))
            case["fit"] = fit_record(fit)
        except Exception as e:  # noqa: BLE001
            case["error"] = type(e).__name__
        cases.append(case)

    def truth(n, matrix, shift, noise, outliers):
        uv = rng.uniform(0, 4096, size=(n, 2)) + [0.0, -1000.0]
        xy = uv @ np.asarray(matrix).T + shift + rng.normal(0, noise, size=(n, 2))
        idx = rng.choice(n, size=outliers, replace=False)
        xy[idx] += rng.normal(0, 6 * noise + 0.5, size=(outliers, 2))
        return xy, uv

    th = np.deg2rad(0.013)
    rot = [[math.cos(th), math.sin(th)], [-math.sin(th), math.cos(th)]]
    s = 1.00003
    for fitgeom in ["shift", "rshift", "rscale", "general"]:
        xy, uv = truth(120, np.asarray(rot) * s, [3.25, -1.75], 0.05, 8)
        add(f"{fitgeom}_clip3", xy, uv, fitgeom, 3)
        add(f"{fitgeom}_clip1", xy, uv, fitgeom, 1)
        add(f"{fitgeom}_noclip", xy, uv, fitgeom, 0)
    # Reflection (improper) and a skewed general transform.
    flip = [[1.0001, 0.0002], [0.0003, -0.9999]]
    xy, uv = truth(60, flip, [10.0, 20.0], 0.02, 3)
    add("rscale_improper", xy, uv, "rscale", 2)
    add("general_improper", xy, uv, "general", 2)
    skew = [[1.001, 0.004], [-0.002, 0.998]]
    xy, uv = truth(60, skew, [-5.0, 7.0], 0.02, 3)
    add("general_skew", xy, uv, "general", 3)
    add("rshift_skewed_data", xy, uv, "rshift", 3, 2.5)
    # Exactly minobj points: no clipping.
    xy, uv = truth(3, rot, [1.0, 2.0], 0.1, 1)
    add("general_minobj", xy, uv, "general", 3)
    add("rscale_three", xy, uv, "rscale", 3)
    # Too few points and colinear points.
    add("general_too_few", xy[:2], uv[:2], "general", 3)
    line_uv = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    add("general_colinear", line_uv + 1.0, line_uv, "general", 0)
    same_uv = np.array([[5.0, 5.0], [5.0, 5.0], [5.0, 5.0]])
    add("rscale_coincident", same_uv + 1.0, same_uv, "rscale", 0)
    return cases


# ----------------------------------------------------------------------------- ACS alignment


def header_cards(hdr):
    s = hdr.tostring()
    return [s[i:i + 80] for i in range(0, len(s), 80) if s[i:i + 80].strip() and not s[i:i + 80].startswith("END ")]


def sky_transform(ra, dec, ra0, dec0, dx_arcsec, dy_arcsec, rot_deg):
    """A small rotation + shift of sky positions in the tangent plane at (ra0, dec0)."""
    d2r = np.pi / 180
    ra_r, dec_r, a0, d0 = ra * d2r, dec * d2r, ra0 * d2r, dec0 * d2r
    cosc = np.sin(d0) * np.sin(dec_r) + np.cos(d0) * np.cos(dec_r) * np.cos(ra_r - a0)
    xi = np.cos(dec_r) * np.sin(ra_r - a0) / cosc
    eta = (np.cos(d0) * np.sin(dec_r) - np.sin(d0) * np.cos(dec_r) * np.cos(ra_r - a0)) / cosc
    c, s = np.cos(rot_deg * d2r), np.sin(rot_deg * d2r)
    xi2 = c * xi - s * eta + dx_arcsec / 3600 * d2r
    eta2 = s * xi + c * eta + dy_arcsec / 3600 * d2r
    rho = np.hypot(xi2, eta2)
    cc = np.arctan(rho)
    dec_out = np.arcsin(np.cos(cc) * np.sin(d0) + np.where(rho > 0, eta2 * np.sin(cc) * np.cos(d0) / np.where(rho > 0, rho, 1), 0))
    ra_out = a0 + np.arctan2(xi2 * np.sin(cc), rho * np.cos(d0) * np.cos(cc) - eta2 * np.sin(d0) * np.sin(cc))
    return ra_out / d2r % 360, dec_out / d2r


def chip_fit_record(corr, refcat_ra, refcat_dec):
    info = corr.meta["fit_info"]
    rec = {"status": info["status"], "tanp_center_pixel_scale": f64(corr.tanp_center_pixel_scale)}
    if "nmatches" in info:
        rec["nmatches"] = int(info["nmatches"])
        rec["matched_ref_idx"] = [int(v) for v in info["matched_ref_idx"]]
        rec["matched_input_idx"] = [int(v) for v in info["matched_input_idx"]]
    if info["status"] == "SUCCESS":
        fm = np.asarray(info["fitmask"])
        rec.update({
            "matrix": arr(info["matrix"]), "shift": arr(info["shift"]), "center": arr(info["center"]),
            "fitmask": mask(fm), "rot": arr(info["rot"]), "mean_rot": f64(info["<rot>"]),
            "proper_rot": f64(info["proper_rot"]), "proper": bool(info["proper"]), "scale": arr(info["scale"]),
            "mean_scale": f64(info["<scale>"]), "skew": f64(info["skew"]), "rmse": f64(info["rmse"]),
            "mae": f64(info["mae"]), "fit_ra": arr(info["fit_RA"]), "fit_dec": arr(info["fit_DEC"]),
            "ref_ra": arr(np.asarray(refcat_ra)[info["matched_ref_idx"]][fm]),
            "ref_dec": arr(np.asarray(refcat_dec)[info["matched_ref_idx"]][fm]),
        })
        w = corr.wcs
        rec["crval"] = arr(w.wcs.crval)
        rec["cd"] = arr(w.wcs.cd)
        gx, gy = np.meshgrid(np.linspace(0, 4095, 6), np.linspace(0, 2047, 5))
        ra, dec = w.all_pix2world(gx.ravel(), gy.ravel(), 0)
        rec["grid_x"] = arr(gx.ravel())
        rec["grid_y"] = arr(gy.ravel())
        rec["grid_ra"] = arr(ra)
        rec["grid_dec"] = arr(dec)
    return rec


def acs_align():
    rng = np.random.default_rng(31415)
    exposures = ["jsm001a1q", "jsm001a2q"]
    chips = []  # (exposure index, chip number, header, HSTWCS)
    tables = None
    for e, root in enumerate(exposures):
        hdul = fits.open(os.path.join(ACS, f"{root}_flc.fits"))
        for chip in (1, 2):
            w = HSTWCS(hdul, ("SCI", chip))
            chips.append((e, chip, hdul["SCI", chip].header.copy(), w))
        if tables is None:
            tables = []
            for ext in hdul:
                if ext.name in ("D2IMARR", "WCSDVARR"):
                    tables.append({"extname": ext.name, "extver": ext.ver, "cards": header_cards(ext.header),
                                   "naxis": [ext.header["NAXIS1"], ext.header["NAXIS2"]],
                                   "data": [json.loads(str(v)) for v in ext.data.astype(np.float32).ravel()]})
        hdul.close()

    # Truth sky: uniform over the union footprint.
    corners = []
    for _, _, _, w in chips:
        corners.append(w.all_pix2world([[0, 0], [4095, 0], [0, 2047], [4095, 2047]], 0))
    corners = np.vstack(corners)
    ra0, dec0 = corners[:, 0].mean(), corners[:, 1].mean()
    ntruth = 2100
    ra_t = rng.uniform(corners[:, 0].min() - 0.001, corners[:, 0].max() + 0.001, ntruth)
    dec_t = rng.uniform(corners[:, 1].min() - 0.001, corners[:, 1].max() + 0.001, ntruth)

    # Each exposure's header WCS is wrong by a small sky rotation + shift.
    errors = [(0.31, -0.22, 0.0031), (-0.27, 0.36, -0.0022)]
    cats = []
    for e, chip, hdr, w in chips:
        dx, dy, rot = errors[e]
        ra_e, dec_e = sky_transform(ra_t, dec_t, ra0, dec0, dx, dy, rot)
        x, y = w.all_world2pix(ra_e, dec_e, 0, tolerance=1e-10, maxiter=100)
        keep = (x > 5) & (x < 4090) & (y > 5) & (y < 2042) & (rng.uniform(size=ntruth) < 0.92)
        x = x[keep] + rng.normal(0, 0.03, keep.sum())
        y = y[keep] + rng.normal(0, 0.03, keep.sum())
        nspur = 25
        x = np.concatenate([x, rng.uniform(0, 4096, nspur)])
        y = np.concatenate([y, rng.uniform(0, 2048, nspur)])
        order = rng.permutation(len(x))
        cats.append((x[order], y[order]))

    # Gaia-like reference: a subset of the truth with 3 mas noise, plus a few non-detections.
    gsel = rng.uniform(size=ntruth) < 0.25
    g_ra = ra_t[gsel] + rng.normal(0, 0.003 / 3600, gsel.sum()) / np.cos(np.deg2rad(dec0))
    g_dec = dec_t[gsel] + rng.normal(0, 0.003 / 3600, gsel.sum())
    g_ra = np.concatenate([g_ra, rng.uniform(corners[:, 0].min(), corners[:, 0].max(), 20)])
    g_dec = np.concatenate([g_dec, rng.uniform(corners[:, 1].min(), corners[:, 1].max(), 20)])

    def correctors():
        out = []
        for k, (e, chip, hdr, w) in enumerate(chips):
            x, y = cats[k]
            cat = Table({"x": x, "y": y})
            out.append(FITSWCSCorrector(w.deepcopy(), meta={"group_id": e, "name": f"{exposures[e]}_sci{chip}",
                                                             "catalog": cat}))
        return out

    gaia = Table({"RA": g_ra, "DEC": g_dec})
    results = {}

    # drizzlepac 'relative': relative step (first image = reference, expand_refcat) ...
    t0 = time.perf_counter()
    imgs = correctors()
    match = XYXYMatch(searchrad=125.0, separation=4.0, tolerance=2.0, use2dhist=True)
    relcat = align_wcs(imgs, None, match=match, minobj=12, expand_refcat=True, fitgeom="rscale", nclip=1)
    t1 = time.perf_counter()
    rel = [chip_fit_record(c, relcat["RA"], relcat["DEC"]) for c in imgs]
    # ... then all images as one group to the reference catalog.
    for c in imgs:
        c.meta["group_id"] = 1234567
    t2 = time.perf_counter()
    align_wcs(imgs, gaia, match=match, minobj=12, fitgeom="rscale", nclip=1)
    t3 = time.perf_counter()
    results["relative"] = {"step1": rel, "step1_refcat_ra": arr(relcat["RA"]), "step1_refcat_dec": arr(relcat["DEC"]),
                           "step2": [chip_fit_record(c, g_ra, g_dec) for c in imgs]}

    # drizzlepac '2dhist' (ACS/WFC: searchrad 400): each image separately to the catalog.
    imgs = correctors()
    t4 = time.perf_counter()
    align_wcs(imgs, gaia, match=XYXYMatch(searchrad=400.0, separation=4.0, tolerance=2.0, use2dhist=True),
              minobj=12, expand_refcat=False, fitgeom="rscale", nclip=1)
    t5 = time.perf_counter()
    results["2dhist"] = [chip_fit_record(c, g_ra, g_dec) for c in imgs]

    timing = {"relative_step1_s": t1 - t0, "relative_step2_s": t3 - t2, "2dhist_s": t5 - t4,
              "sources_per_chip": [len(c[0]) for c in cats], "gaia_sources": len(g_ra)}
    print("reference timing:", timing)

    return {
        "chips": [{"exposure": exposures[e], "chip": chip, "group_id": e, "cards": header_cards(hdr),
                   "naxis": [hdr["NAXIS1"], hdr["NAXIS2"]], "x": arr(cats[k][0]), "y": arr(cats[k][1])}
                  for k, (e, chip, hdr, _) in enumerate(chips)],
        "tables": tables,
        "gaia_ra": arr(g_ra), "gaia_dec": arr(g_dec),
        "results": results,
        "reference_timing": timing,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    dump("hist2d.json", hist2d_cases())
    dump("xyxymatch.json", xyxymatch_cases())
    dump("linfit.json", linfit_cases())
    dump("acs_align.json", acs_align())


if __name__ == "__main__":
    main()
