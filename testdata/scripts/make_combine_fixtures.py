#!/usr/bin/env python3
"""Make the reference fixtures for the `driz-combine` crate (imagestats, static mask, sky
statistic, median combine, driz_cr).

Every expected value comes from calling the real reference code of the reference venv
(drizzlepac 3.11.0, stsci.imagestats 1.8.4, stsci.image 2.3.11, stsci.skypac, numpy, scipy):

* ``imagestats.json``  ``stsci.imagestats.ImageStats`` on float32 arrays (clipping, limits,
  every field, degenerate arrays, arrays that make imagestats raise).
* ``static_mask.json`` ``drizzlepac.staticMask.staticMask.addMember`` on mocked image objects
  (two chips sharing one signature, plus a flat chip whose histogram has a single bin).
* ``sky.json``         ``stsci.skypac.skystatistics.SkyStats.calc_sky`` with AstroDrizzle's
  sky defaults (and a few limit/clip variants), for every skystat.
* ``combine.json``     ``drizzlepac.minmed.min_med`` (as createMedian calls it) and
  ``stsci.image.numcombine.num_combine`` for median / imedian / mean / imean / iaverage.
* ``drizcr.json``      ``drizzlepac.drizCR._driz_cr`` on mocked in-memory image objects, and
  ``drizzlepac.quickDeriv.qderiv`` on small arrays.

Encoding: float32 arrays are stored as lists of their IEEE-754 bit patterns (``*_bits``), so
inputs and outputs are exact (NaN included); float64 values are strings (the Python
repr as a string, read back exactly with a correctly rounded parser) with ``"nan"``, ``"inf"``,
``"-inf"`` for non-finite values; masks are
strings of '0'/'1'. Shapes are ``[rows, cols]``.

Run from the repository root (deterministic: seeded generators, sorted keys):

    .venv-ref/bin/python testdata/scripts/make_combine_fixtures.py
"""

import json
import math
import os
import sys
import warnings

import numpy as np

from stsci.imagestats import ImageStats
from stsci.image import numcombine
from stsci.skypac.skystatistics import SkyStats
import drizzlepac
from drizzlepac import staticMask, drizCR, quickDeriv
from drizzlepac.minmed import min_med

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "combine")

warnings.simplefilter("ignore")


# ----------------------------------------------------------------------------- encoding


def f64(x):
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def bits32(a):
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32))
    return a.view(np.uint32).ravel().tolist()


def mask_str(m):
    return "".join("1" if v else "0" for v in np.asarray(m).ravel())


def write(name, payload):
    payload["versions"] = {
        "drizzlepac": drizzlepac.__version__,
        "numpy": np.__version__,
    }
    path = os.path.join(OUT, name)
    with open(path, "w") as fh:
        json.dump(payload, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


# ----------------------------------------------------------------------------- imagestats

ALL_FIELDS = "npix,min,max,mean,stddev,mode,midpt,median"


def stats_case(name, data, fields=ALL_FIELDS, **kw):
    data = np.asarray(data, dtype=np.float32)
    case = {
        "name": name,
        "data_bits": bits32(data),
        "fields": fields,
        "lower": f64(kw.get("lower")),
        "upper": f64(kw.get("upper")),
        "nclip": kw.get("nclip", 0),
        "lsig": f64(kw.get("lsig", 3.0)),
        "usig": f64(kw.get("usig", 3.0)),
        "binwidth": f64(kw.get("binwidth", 0.1)),
    }
    try:
        s = ImageStats(data, fields=fields, **kw)
    except ValueError as e:
        case["error"] = str(e).splitlines()[0]
        return case
    exp = {k: f64(getattr(s, k)) for k in ("npix", "mean", "stddev", "min", "max")}
    types = {}
    for k in ("mode", "midpt", "median"):
        v = getattr(s, k)
        exp[k] = f64(v)
        types[k] = type(v).__name__
    exp["nbins"] = None if s._hist is None else int(len(s.histogram))
    case["expected"] = exp
    case["types"] = types
    return case


def make_imagestats():
    rng = np.random.default_rng(20240601)
    g = rng.normal(100.0, 5.0, 1500)
    g[rng.choice(1500, 25, replace=False)] = rng.uniform(150, 900, 25)
    g[rng.choice(1500, 5, replace=False)] = rng.uniform(-300, 20, 5)
    g = g.astype(np.float32)
    first_high = g.copy()
    first_high[0] = 5000.0
    first_low = g.copy()
    first_low[0] = -4000.0
    expo = rng.exponential(20.0, 1200).astype(np.float32) + 3.0
    counts = rng.poisson(40.0, 3000).astype(np.float32)
    wht = np.where(rng.uniform(size=2000) < 0.2, 0.0, rng.normal(1000.0, 30.0, 2000)).astype(np.float32)
    two_values = np.concatenate([np.zeros(500), np.ones(300)]).astype(np.float32)
    rng.shuffle(two_values)
    concentrated = np.concatenate([np.zeros(600), rng.uniform(0, 10, 400)]).astype(np.float32)
    with_nan = g[:400].copy()
    with_nan[[0, 17, 230]] = np.nan
    big = (rng.normal(2.0e6, 300.0, 1000)).astype(np.float32)

    cases = [
        stats_case("gauss_nclip0", g),
        stats_case("gauss_nclip3", g, nclip=3),
        stats_case("gauss_nclip5_sig4", g, nclip=5, lsig=4.0, usig=4.0),
        stats_case("gauss_nclip3_limits", g, nclip=3, lower=90.0, upper=120.0),
        stats_case("gauss_lower_only", g, nclip=1, lower=95.5),
        stats_case("gauss_upper_only", g, nclip=2, upper=104.25),
        stats_case("gauss_asym_sig", g, nclip=4, lsig=2.0, usig=5.0, binwidth=0.05),
        stats_case("gauss_binwidth_0.3", g, nclip=3, binwidth=0.3),
        stats_case("first_pixel_clipped_high", first_high, nclip=3),
        stats_case("first_pixel_clipped_low", first_low, nclip=3),
        stats_case("first_pixel_clipped_low_limit", first_low, nclip=0, lower=50.0),
        stats_case("exponential_nclip3", expo, nclip=3),
        stats_case("exponential_nclip0_bw0.05", expo, nclip=0, binwidth=0.05),
        stats_case("poisson_counts_nclip3", counts, nclip=3),
        stats_case("poisson_counts_nclip5_sky", counts, nclip=5, lsig=4.0, usig=4.0),
        stats_case("weights_mean_lower_1e-8", wht, fields="mean", nclip=0, lower=1e-8),
        stats_case("two_values", two_values, nclip=0),
        stats_case("two_values_nbins2", two_values, nclip=0, binwidth=1.5),
        stats_case("two_values_nbins1", two_values, nclip=0, binwidth=3.0),
        stats_case("concentrated_midpt_lo0", concentrated, nclip=0, binwidth=0.5),
        stats_case("constant", np.full(300, 7.5), nclip=0),
        stats_case("constant_nclip3", np.full(300, 7.5), nclip=3),
        stats_case("tiny_1", [3.0], nclip=0),
        stats_case("tiny_1_nclip2", [3.0], nclip=2),
        stats_case("tiny_2", [1.0, 2.0], nclip=0),
        stats_case("tiny_3", [1.0, 2.0, 3.0], nclip=1),
        stats_case("tiny_3_dup", [5.0, 5.0, 6.0], nclip=0),
        stats_case("tiny_4_even_median", [4.0, 1.0, 3.0, 2.0], nclip=0),
        stats_case("large_offset", big, nclip=3),
        stats_case("nan_no_limits", with_nan, nclip=0),
        stats_case("nan_with_limits", with_nan, nclip=3, lower=float(np.nanmin(with_nan)),
                   upper=float(np.nanmax(with_nan))),
        stats_case("nan_median_nclip0_limits", with_nan, fields="median", nclip=0, lower=0.0, upper=1000.0),
        stats_case("error_lower_above_max", g, nclip=0, lower=1.0e6),
        stats_case("error_upper_below_min", g, nclip=0, upper=-1.0e6),
        stats_case("error_lower_above_upper", g, nclip=0, lower=110.0, upper=90.0),
        stats_case("mean_only", g, fields="mean", nclip=3),
        stats_case("mode_only", g, fields="mode", nclip=3),
        stats_case("midpt_only", counts, fields="midpt", nclip=2),
    ]
    write("imagestats.json", {"cases": cases})


# ----------------------------------------------------------------------------- static mask


class _MockChip:
    def __init__(self, signature):
        self.signature = signature
        self.outputNames = {}


class _MockImage:
    """Just what staticMask.addMember reads from an imageObject."""

    def __init__(self, chips):
        self._chips = chips  # {extver: (signature, data)}
        self._numchips = len(chips)
        self.group = sorted(chips)
        self.scienceExt = "SCI"

    def getData(self, chipid):
        return self._chips[int(chipid.split(",")[1])][1].copy()

    def __getitem__(self, chipid):
        return _MockChip(self._chips[int(chipid.split(",")[1])][0])


def make_static_mask():
    rng = np.random.default_rng(7)
    ny, nx = 48, 40
    sig_a = ("wfc", (ny, nx), 1)
    sig_b = ("wfc", (ny, nx), 2)
    images = []
    for k in range(2):
        d = rng.normal(150.0 + 10 * k, 12.0, (ny, nx))
        d.ravel()[rng.choice(ny * nx, 40, replace=False)] -= rng.uniform(30, 400, 40)
        d.ravel()[rng.choice(ny * nx, 12, replace=False)] = rng.uniform(-800, 60, 12)
        d.ravel()[rng.choice(ny * nx, 10, replace=False)] = rng.uniform(2000, 20000, 10)
        d[3, 5] = np.nan
        images.append(d.astype(np.float32))
    flat = np.full((ny, nx), 42.0, dtype=np.float32)
    config = {"STEP 1: STATIC MASK": {"static_sig": 4.0}}
    sm = staticMask.staticMask(config)
    chips = []
    for d in images:
        img = _MockImage({1: (sig_a, d)})
        sm.addMember(img)
        s = ImageStats(d, nclip=3, fields="mode", lower=np.nanmin(d), upper=np.nanmax(d))
        chips.append({
            "sci_bits": bits32(d),
            "mode": f64(s.mode),
            "sigma": f64(s.stddev),
            "nbins": int(len(s.histogram)),
            "threshold": f64(s.mode - 4.0 * s.stddev),
        })
    img = _MockImage({2: (sig_b, flat)})
    sm.addMember(img)
    s = ImageStats(flat, nclip=3, fields="mode", lower=np.nanmin(flat), upper=np.nanmax(flat))
    flat_case = {"sci_bits": bits32(flat), "mode": f64(s.mode), "sigma": f64(s.stddev),
                 "nbins": int(len(s.histogram))}
    write("static_mask.json", {
        "shape": [ny, nx],
        "static_sig": f64(4.0),
        "chips": chips,
        "mask_after_both": mask_str(sm.masklist[sig_a]),
        "flat": flat_case,
        "flat_mask": mask_str(sm.masklist[sig_b]),
    })


# ----------------------------------------------------------------------------- sky


def make_sky():
    rng = np.random.default_rng(11)
    sky = rng.normal(230.0, 15.0, 3000)
    sky[rng.choice(3000, 150, replace=False)] += rng.exponential(400.0, 150)  # sources / CRs
    sky = sky.astype(np.float32)
    ir = (rng.normal(1.1, 0.05, 2500) + rng.exponential(0.02, 2500)).astype(np.float32)
    few = np.array([3.0, 4.0, 100.0], dtype=np.float32)
    defaults = dict(lower=None, upper=None, nclip=5, lsig=4.0, usig=4.0, binwidth=0.1)
    cases = []
    for label, data in (("hrc_like", sky), ("ir_like", ir), ("few", few)):
        for stat in ("median", "mode", "mean", "midpt"):
            for variant, kw in (("defaults", defaults),
                                ("limits", dict(defaults, lower=-50.0 if label != "ir_like" else 0.5,
                                                upper=600.0 if label != "ir_like" else 1.6)),
                                ("nclip0", dict(defaults, nclip=0))):
                st = SkyStats(skystat=stat, **kw)
                try:
                    val, npix = st.calc_sky(data)
                    exp = {"sky": f64(val), "npix": int(npix), "type": type(val).__name__}
                except ValueError as e:
                    exp = {"error": str(e).splitlines()[0]}
                cases.append({
                    "name": f"{label}_{stat}_{variant}",
                    "data_bits": bits32(data),
                    "stat": stat,
                    "lower": f64(kw["lower"]),
                    "upper": f64(kw["upper"]),
                    "nclip": kw["nclip"],
                    "lsigma": f64(kw["lsig"]),
                    "usigma": f64(kw["usig"]),
                    "binwidth": f64(kw["binwidth"]),
                    "expected": exp,
                })
    # the data arrays repeat; store each once
    arrays = {}
    for c in cases:
        key = c["name"].split("_")[0] + "_" + c["name"].split("_")[1]
        arrays.setdefault(key, c["data_bits"])
        c["data"] = key
        del c["data_bits"]
    write("sky.json", {"arrays": arrays, "cases": cases})


# ----------------------------------------------------------------------------- combine


def wht_threshold(w, maskpt=0.3):
    try:
        m = ImageStats(w, lower=1e-8, fields="mean", nclip=0).mean
    except ValueError:
        m = 0.0
    return m * maskpt


def make_stack(rng, n, ny, nx, level=1.0, noise=0.02):
    sci = np.empty((n, ny, nx), dtype=np.float32)
    wht = np.empty((n, ny, nx), dtype=np.float32)
    for i in range(n):
        sci[i] = (level + 0.01 * i + rng.normal(0.0, noise, (ny, nx))).astype(np.float32)
        wht[i] = rng.normal(400.0 + 50 * i, 20.0, (ny, nx)).astype(np.float32)
    return sci, wht


def decorate(rng, sci, wht, n_cr=6, n_low=3, n_lowwht=8):
    n, ny, nx = sci.shape
    for _ in range(n_cr):
        i, y, x = rng.integers(n), rng.integers(ny), rng.integers(nx)
        sci[i, y, x] += rng.uniform(5.0, 200.0)
    for _ in range(n_low):
        i, y, x = rng.integers(n), rng.integers(ny), rng.integers(nx)
        sci[i, y, x] -= rng.uniform(0.3, 6.0)
    for _ in range(n_lowwht):
        i, y, x = rng.integers(n), rng.integers(ny), rng.integers(nx)
        wht[i, y, x] = rng.uniform(0.0, 50.0)


def minmed_case(name, sci, wht, rn, et, bg, masks, grow, ns1=4.0, ns2=3.0, fillval=False):
    sci = np.asarray(sci, dtype=np.float32)
    wht = np.asarray(wht, dtype=np.float32)
    res = min_med(sci.copy(), wht.copy(), list(rn), list(et), list(bg),
                  weight_masks=None if masks is None else masks.copy(),
                  combine_grow=grow, combine_nsigma1=ns1, combine_nsigma2=ns2, fillval=fillval)
    return {
        "name": name,
        "kind": "iminmed" if fillval else "minmed",
        "shape": list(sci.shape[1:]),
        "sci_bits": [bits32(s) for s in sci],
        "wht_bits": [bits32(w) for w in wht],
        "masks": None if masks is None else [mask_str(m) for m in masks],
        "readnoise": [f64(v) for v in rn],
        "exptime": [f64(v) for v in et],
        "background": [f64(v) for v in bg],
        "grow": grow,
        "nsigma1": f64(ns1),
        "nsigma2": f64(ns2),
        "nlow": 0,
        "nhigh": 0,
        "expected_dtype": str(res.dtype),
        "expected_bits": bits32(res),
    }


def numcombine_case(name, sci, masks, kind, nlow, nhigh):
    sci = np.asarray(sci, dtype=np.float32)
    res = numcombine.num_combine(sci.copy(), masks=None if masks is None else masks.copy(),
                                 combination_type=kind, nlow=nlow, nhigh=nhigh, upper=None, lower=None)
    return {
        "name": name,
        "kind": kind,
        "shape": list(sci.shape[1:]),
        "sci_bits": [bits32(s) for s in sci],
        "wht_bits": None,
        "masks": None if masks is None else [mask_str(m) for m in masks],
        "readnoise": None,
        "exptime": None,
        "background": None,
        "grow": 0,
        "nsigma1": f64(4.0),
        "nsigma2": f64(3.0),
        "nlow": nlow,
        "nhigh": nhigh,
        "expected_dtype": str(res.dtype),
        "expected_bits": bits32(res),
    }


def createmedian_masks(wht):
    thr = np.asarray([wht_threshold(w) for w in wht])
    return np.less(wht, thr[:, None, None]).astype(np.uint8), thr


def make_combine():
    rng = np.random.default_rng(12345)
    cases = []
    thresholds = []

    # spec section 12.3, exactly as appendix A.4
    img = np.full((3, 5, 5), 1.0, dtype=np.float32)
    img[1] += 0.02
    img[2] -= 0.01
    img[1, 2, 2] = 30.0
    img[0, 1, 3] = 8.0
    img[2, 4, 4] = -5.0
    wht = np.full((3, 5, 5), 100.0, dtype=np.float32)
    wht[2, 0, 0] = 0.0
    masks = (wht < 0.3 * 100.0).astype(np.uint8)
    for grow in (1, 0):
        cases.append(minmed_case(f"spec_12_3_grow{grow}", img, wht, [5.0] * 3, [100.0] * 3, [50.0] * 3,
                                 masks, grow, ns1=4, ns2=3))

    ny, nx = 14, 11
    for n in (2, 3, 4, 5):
        sci, wht = make_stack(rng, n, ny, nx)
        decorate(rng, sci, wht)
        wht[:, 6, 4] = 3.0  # all masked
        wht[1:, 9, 2] = 1.0  # all but image 0 masked (n-1 masked)
        wht[0, 2, 7] = 0.0
        wht[:, 0, 0] = 0.0  # all masked in the first column / first row
        masks, thr = createmedian_masks(wht)
        thresholds.append({"wht_bits": [bits32(w) for w in wht], "threshold": [f64(t) for t in thr]})
        rn = [4.0 + 0.5 * i for i in range(n)]
        et = [500.0 + 100.0 * i for i in range(n)]
        bg = [60.0 + 10.0 * i for i in range(n)]
        for grow in (0, 1, 2):
            cases.append(minmed_case(f"minmed_n{n}_grow{grow}", sci, wht, rn, et, bg, masks, grow))
        if n >= 3:
            cases.append(minmed_case(f"minmed_n{n}_nomasks", sci, wht, rn, et, bg, None, 1))

    # low-signal stack where the minimum is often significant, with a sharp low feature
    sci, wht = make_stack(rng, 4, 16, 13, level=0.05, noise=0.05)
    sci[2, 5:8, 3:6] -= 2.5
    sci[0, 10, 10] -= 4.0
    wht[3, 12, 1] = 0.0
    masks, _ = createmedian_masks(wht)
    rn = [5.0, 5.0, 5.0, 5.0]
    et = [400.0] * 4
    bg = [30.0, 35.0, 40.0, 45.0]
    for grow in (1, 2, 3):
        cases.append(minmed_case(f"minmed_lowsignal_grow{grow}", sci, wht, rn, et, bg, masks, grow))
    cases.append(minmed_case("minmed_lowsignal_nsigma_3.3_2.1", sci, wht, rn, et, bg, masks, 1, 3.3, 2.1))

    # iminmed: all-masked pixels in column 0 (fill with the first non-zero value) next to others
    sci, wht = make_stack(rng, 3, 10, 9, level=0.5, noise=0.3)
    wht[:, 2, 0] = 2.0
    wht[:, 5, 0] = 2.0
    sci[0, 5, 0] = 0.0
    sci[1, 5, 0] = 40.0
    wht[:, 7, 4] = 2.0
    masks, _ = createmedian_masks(wht)
    for fill in (False, True):
        cases.append(minmed_case(f"fill_{fill}_grow1", sci, wht, [3.0] * 3, [100.0] * 3, [5.0] * 3, masks, 1,
                                 fillval=fill))
    sci2 = sci[:2].copy()
    wht2 = wht[:2].copy()
    masks2, _ = createmedian_masks(wht2)
    cases.append(minmed_case("fill_True_n2_grow1", sci2, wht2, [3.0] * 2, [100.0] * 2, [5.0] * 2, masks2, 1,
                             fillval=True))

    # crafted grow stack (n=4): pixels whose minimum is low by 3.5 sigma (below the nsigma2
    # threshold only) around pixels low by 8 sigma (below nsigma1), so grow decides them; and a
    # fully masked pixel in column 0 whose imedian fill value (50) flags its neighbours only
    # for iminmed, next to a fully masked pixel elsewhere that is never filled.
    sci, wht = make_stack(rng, 4, 12, 12, level=2.0, noise=0.001)
    wht[:, 8, 0] = 2.0
    sci[:, 8, 0] = [0.0, 50.0, 3.0, 4.0]
    wht[:, 2, 9] = 2.0
    sci[:, 2, 9] = [0.0, 50.0, 3.0, 4.0]
    masks, _ = createmedian_masks(wht)
    et, rn, bg = [500.0] * 4, [5.0] * 4, [60.0] * 4

    def set_low(y, x, image, k):
        others = np.delete(sci[:, y, x].astype(np.float64), image)
        median = np.sort(others)[0]  # the value is the lowest: drop highest, middle of 3
        w = wht[:, y, x].astype(np.float64)
        total_w = w.sum()
        var = median * total_w + (w * np.asarray(bg) / np.asarray(et)).sum() + sum(r * r for r in rn)
        sci[image, y, x] = np.float32(median - k * math.sqrt(var) / total_w)

    set_low(5, 6, 1, 8.0)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                set_low(5 + dy, 6 + dx, 2, 3.5)
    for y, x in ((3, 6), (7, 6), (5, 4), (5, 8), (3, 4)):
        set_low(y, x, 3, 3.5)
    for y, x in ((7, 0), (9, 0), (7, 1), (8, 1), (9, 1), (1, 8), (1, 9), (3, 10), (2, 8)):
        set_low(y, x, 0, 3.5)
    for grow in (0, 1, 2):
        cases.append(minmed_case(f"crafted_grow{grow}", sci, wht, rn, et, bg, masks, grow))
    cases.append(minmed_case("crafted_iminmed_grow1", sci, wht, rn, et, bg, masks, 1, fillval=True))

    # NaN / inf in masked data (numpy promotion quirks: nanmin, sci_sum of n-1 masked)
    sci, wht = make_stack(rng, 4, 8, 7)
    wht[1:, 3, 3] = 0.0
    sci[2, 3, 3] = np.nan
    wht[2, 5, 1] = 0.0
    sci[2, 5, 1] = np.inf
    masks, _ = createmedian_masks(wht)
    cases.append(minmed_case("nan_in_masked", sci, wht, [5.0] * 4, [300.0] * 4, [20.0] * 4, masks, 1))

    # numcombine as createMedian calls it for the non-minmed types
    sci, wht = make_stack(rng, 5, 12, 9, level=3.0, noise=0.5)
    decorate(rng, sci, wht, n_cr=10, n_low=4, n_lowwht=14)
    wht[:, 4, 0] = 1.0  # all masked in column 0 (imedian/iaverage fill)
    wht[:, 7, 5] = 1.0  # all masked elsewhere (0 for every type)
    wht[1:, 9, 3] = 1.0
    wht[2:, 2, 6] = 1.0
    masks, _ = createmedian_masks(wht)
    for kind in ("median", "imedian", "mean", "imean", "iaverage"):
        for nlow, nhigh in ((0, 0), (1, 1), (0, 2), (2, 0), (1, 3)):
            cases.append(numcombine_case(f"numcombine_{kind}_{nlow}_{nhigh}", sci, masks, kind, nlow, nhigh))
    for kind in ("median", "mean"):
        cases.append(numcombine_case(f"numcombine_{kind}_nomasks", sci, None, kind, 1, 1))
    # even number of images for the median of two middle values
    cases.append(numcombine_case("numcombine_median_n4", sci[:4], masks[:4], "median", 0, 0))
    write("combine.json", {"cases": cases, "weight_thresholds": thresholds})


# ----------------------------------------------------------------------------- driz_cr


class _CrChip:
    def __init__(self, cf, gain, rn, sky, cte_dir):
        self.group_member = True
        self.outputNames = {"blotImage": "blot", "crmaskImage": "crmask"}
        self._conversionFactor = cf
        self._effGain = gain
        self._rdnoise = rn
        self.subtractedSky = sky
        self.cte_dir = cte_dir
        self.dq_extn = "DQ,1"


class _CrHdu:
    def __init__(self, data):
        self.data = data


class _CrImage:
    """Just what drizCR._driz_cr reads from an in-memory imageObject (one chip)."""

    def __init__(self, sci, blot, chip):
        self._numchips = 1
        self.scienceExt = "SCI"
        self.inmemory = True
        self._sci = sci
        self._chip = chip
        self.virtualOutputs = {"blot": [_CrHdu(blot.copy())]}
        self.outputNames = {"crcorImage": "crcor"}
        self._filename = "mock_flt.fits"
        self.saved = {}

    def __getitem__(self, exten):
        return self._chip

    def getData(self, exten):
        return self._sci.copy()

    def buildMask(self, chip, bits):
        return np.ones(self._sci.shape, dtype=bool)

    def saveVirtualOutputs(self, outdict):
        self.saved.update(outdict)


def cr_scene(rng, ny, nx, sky, star_peak, noise_scale, cf):
    """A smooth blot model (in data units, sky included) and an input = model + noise + CRs."""
    yy, xx = np.mgrid[0:ny, 0:nx]
    model = np.full((ny, nx), sky)
    for _ in range(4):
        y0, x0 = rng.uniform(0, ny), rng.uniform(0, nx)
        model += star_peak * rng.uniform(0.2, 1.0) * np.exp(-((yy - y0) ** 2 + (xx - x0) ** 2) / (2 * 1.3 ** 2))
    blot = model.astype(np.float32)
    electrons = model * cf
    sci = (electrons + rng.normal(0.0, 1.0, (ny, nx)) * np.sqrt(np.abs(electrons) + 25.0) * noise_scale) / cf
    crs = [(0, 0), (0, 13), (ny - 1, 7), (ny - 1, nx - 1), (5, 0), (17, nx - 1), (20, 15), (21, 15), (30, 4),
           (9, 22), (9, 23), (1, 1), (ny - 2, 10), (12, 12)]
    for y, x in crs:
        if y < ny and x < nx:
            sci[y, x] += rng.uniform(20.0, 80.0) * math.sqrt(sky * cf + 25.0) / cf
    return sci.astype(np.float32), blot


def run_driz_cr(sci, blot, cf, gain, rn, sky, cte_dir, grow, ctegrow, snr="3.5 3.0", scale="1.2 0.7"):
    chip = _CrChip(cf, gain, rn, sky, cte_dir)
    img = _CrImage(sci, blot, chip)
    params = {
        "driz_cr_grow": grow,
        "driz_cr_ctegrow": ctegrow,
        "crbit": 4096,
        "driz_cr_snr": snr,
        "driz_cr_scale": scale,
        "driz_cr_corr": False,
        "inmemory": True,
    }
    drizCR._driz_cr(img, {}, params)
    return img.saved["crmask"][0].data


def make_drizcr():
    rng = np.random.default_rng(99)
    ny, nx = 40, 30
    scenes = {}
    # electrons (ACS/WFC3-UVIS like): cf = 1, sky ~ 100 e-
    scenes["electrons"] = cr_scene(rng, ny, nx, 100.0, 3000.0, 1.0, 1.0) + (1.0,)
    # count rate (WFC3/IR like): cf = EXPTIME = 200, sky 1.2 e-/s
    scenes["rate"] = cr_scene(rng, ny, nx, 1.2, 40.0, 1.0, 200.0) + (200.0,)
    # DN with gain 2 (WFPC2 like): cf = gain = 2
    scenes["dn"] = cr_scene(rng, ny, nx, 50.0, 1500.0, 1.0, 2.0) + (2.0,)
    # conversion factors and skies that float32 cannot represent (numpy rounds them)
    scenes["rate_odd"] = cr_scene(rng, ny, nx, 0.98765, 30.0, 1.0, 347.123) + (347.123,)
    scenes["dn_wfpc2"] = cr_scene(rng, ny, nx, 12.3, 900.0, 1.0, 7.12) + (7.12,)

    runs = []

    def add(scene, gain, rn, sky, cte_dir, grow, ctegrow, snr="3.5 3.0", scale="1.2 0.7"):
        sci, blot, cf = scenes[scene]
        m = run_driz_cr(sci, blot, cf, gain, rn, sky, cte_dir, grow, ctegrow, snr, scale)
        runs.append({
            "scene": scene, "conversion": f64(cf), "gain": f64(gain), "readnoise": f64(rn), "subtracted_sky": f64(sky),
            "cte_dir": cte_dir, "grow": grow, "ctegrow": ctegrow, "snr": snr, "scale": scale,
            "crmask": mask_str(m), "n_cr": int((m == 0).sum()), "dtype": str(m.dtype),
        })

    for grow in (0, 1, 2, 3, 4):
        add("electrons", 1.0, 5.0, 100.0, 1, grow, 0)
    for ctegrow in (1, 2, 3):
        for cte_dir in (1, -1):
            add("electrons", 1.0, 5.0, 100.0, cte_dir, 1, ctegrow)
    add("electrons", 1.0, 5.0, 100.0, 1, 2, 2)
    add("electrons", 1.0, 5.0, 100.0, -1, 3, 1)
    add("electrons", 1.0, 5.0, 100.0, 0, 1, 1)  # cte_dir 0 with ctegrow > 0
    add("electrons", 1.0, 5.0, 100.0, 0, 1, 0)
    add("electrons", 1.0, 4.2, 0.0, 1, 1, 0, "4.0 2.5", "0.5 0.4")
    add("rate", 1.0, 20.0, 1.2, 0, 1, 0)
    add("rate", 1.0, 20.0, 1.2, 0, 2, 0)
    add("rate", 1.0, 15.5, 1.17, 1, 1, 1)
    add("dn", 2.0, 7.84, 50.0, -1, 1, 0)
    add("dn", 2.0, 7.84, 50.0, -1, 2, 2)
    add("rate_odd", 1.0, 12.3, 0.98765, 1, 1, 0)
    add("rate_odd", 1.0, 12.3, 0.98765, -1, 2, 1)
    add("dn_wfpc2", 7.12, 5.24, 12.3, -1, 1, 0)
    add("dn_wfpc2", 7.12, 5.24, 12.3, 1, 3, 2, "3.1 2.7", "1.3 0.65")

    deriv = []
    for shape in ((9, 7), (1, 1), (1, 5), (6, 1), (2, 2), (2, 3), (3, 2), (4, 4)):
        a = rng.normal(10.0, 30.0, shape)
        deriv.append({"shape": list(shape), "a": [f64(v) for v in a.ravel()],
                      "expected_bits": bits32(quickDeriv.qderiv(a))})
    a = rng.normal(0.0, 1.0, (6, 5))
    a[2, 2] = np.nan
    a[0, 4] = np.inf
    a[5, 0] = -np.inf
    a[4, 3] = 1.0e300
    deriv.append({"shape": [6, 5], "a": [f64(v) for v in a.ravel()],
                  "expected_bits": bits32(quickDeriv.qderiv(a))})

    write("drizcr.json", {
        "shape": [ny, nx],
        "scenes": {k: {"sci_bits": bits32(v[0]), "blot_bits": bits32(v[1]), "conversion": f64(v[2])}
                   for k, v in scenes.items()},
        "runs": runs,
        "qderiv": deriv,
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    make_imagestats()
    make_static_mask()
    make_sky()
    make_combine()
    make_drizcr()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"total: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
