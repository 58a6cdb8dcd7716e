#!/usr/bin/env python3
"""Make the reference fixtures for driz-detect's guiding verification (`canny`,
`probabilistic_hough_line`, `verify_guiding`).

Every expected value comes from the reference venv (drizzlepac 3.11.0
``haputils.analyze.verify_guiding``, scikit-image 0.26 ``feature.canny`` and
``transform.probabilistic_hough_line``, photutils 2.3, astropy 8):

* ``frames.json``  synthetic 256x256 (one 128x128, one 64x64) frames with integer DN values (stored as
  little-endian uint16, base64), and for each guiding case the reference run of
  ``verify_guiding`` on a temporary FITS file holding the frame, recorded by wrapping the
  functions ``analyze`` calls: the sigma-clipped statistics, the raw and CR-cleaned source
  counts, an FNV-1a hash of the image handed to ``canny`` (little-endian float32 bytes), the
  edge map ``canny`` returned (``np.packbits``, base64), and for several ``rng`` seeds the
  shuffled pixel order ``probabilistic_hough_line`` used (``default_rng(seed).shuffle`` of
  ``arange(n_edge_pixels)``, uint16 base64), the lines it returned and the verdict.
  Values whose exact bits matter are stored as bits (JSON number parsing may be off by an ulp).
* ``canny.json``  ``canny`` directly on the raw frames (sigma 2.5 and 1.0, thresholds 0/25
  and 5/40, with and without a mask), packed edge maps.

The skimage Hough transform draws its pixel order from ``np.random.default_rng(rng)``; the
recorded orders let the Rust port replay exactly the same walk. Run from the repo root:

    .venv-ref/bin/python testdata/scripts/make_guiding_fixtures.py
"""

import base64
import json
import os
import tempfile

import numpy as np
from astropy.io import fits

import drizzlepac.haputils.analyze as analyze
from skimage.feature import canny

OUT = os.path.abspath(os.path.join("testdata", "guiding"))
SEEDS = [1, 2, 3, 4, 5]
EXPTIME = 500.0


def b64(a, dtype):
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes()).decode()


def packed(mask):
    return base64.b64encode(np.packbits(np.asarray(mask, bool).ravel()).tobytes()).decode()


def fnv1a(a):
    h = 0xCBF29CE484222325
    for byte in np.ascontiguousarray(a, dtype="<f4").tobytes():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
    print(name, os.path.getsize(path))


# ---------------------------------------------------------------- synthetic frames
def psf(shape, x0, y0, flux, sigma):
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return flux / (2 * np.pi * sigma**2) * np.exp(-((xx - x0) ** 2 + (yy - y0) ** 2) / (2 * sigma**2))


def trail(shape, x0, y0, flux, sigma, length, angle_deg):
    """A star smeared uniformly along a segment of `length` px at `angle_deg`."""
    out = np.zeros(shape)
    steps = int(length * 2)
    ca, sa = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    for t in np.linspace(-length / 2, length / 2, steps):
        out += psf(shape, x0 + t * ca, y0 + t * sa, flux / steps, sigma)
    return out


def noisy(rng, model, sky=100.0, read=5.0):
    img = rng.poisson(np.clip(model + sky, 0, None)).astype(float) + rng.normal(0, read, model.shape)
    return np.clip(np.round(img), 0, 65535).astype(np.uint16)


def cosmic_rays(rng, shape, n):
    out = np.zeros(shape)
    for _ in range(n):
        y, x = rng.integers(5, shape[0] - 5), rng.integers(5, shape[1] - 5)
        out[y, x] += rng.uniform(2000, 8000)
        if rng.random() < 0.5:
            out[y, x + 1] += rng.uniform(500, 3000)
    return out


def frame_good(rng):
    shape = (256, 256)
    model = np.zeros(shape)
    for _ in range(45):
        model += psf(shape, rng.uniform(8, 248), rng.uniform(8, 248), rng.uniform(3e3, 2e5), rng.uniform(1.3, 2.0))
    model += cosmic_rays(rng, shape, 25)
    return noisy(rng, model)


def frame_trailed(rng):
    shape = (256, 256)
    model = np.zeros(shape)
    for _ in range(40):
        model += trail(shape, rng.uniform(20, 236), rng.uniform(20, 236), rng.uniform(2e4, 4e5), 1.5,
                       rng.uniform(40, 60), 32.0)
    model += cosmic_rays(rng, shape, 15)
    return noisy(rng, model)


def frame_empty(rng):
    shape = (128, 128)
    model = psf(shape, 60.3, 70.8, 5e4, 1.6) + cosmic_rays(rng, shape, 4)
    return noisy(rng, model)


def frame_blank(rng):
    return noisy(rng, np.zeros((64, 64)))


def frame_bleeds(rng):
    shape = (256, 256)
    model = np.zeros(shape)
    for _ in range(20):
        model += psf(shape, rng.uniform(8, 248), rng.uniform(8, 248), rng.uniform(3e3, 5e4), rng.uniform(1.3, 2.0))
    img = noisy(rng, model).astype(float)
    for x, y, half in [(40, 120, 50), (90, 60, 35), (150, 180, 45), (210, 110, 60)]:
        img += psf(shape, x, y, 2e6, 1.6)
        img[y - half : y + half, x - 1 : x + 2] = 65000
    return np.clip(np.round(img), 0, 65535).astype(np.uint16)


def dq_for(rng, shape):
    """DQ with flags verify_guiding ignores (256..4096) and flags that zero pixels."""
    dq = np.zeros(shape, np.uint16)
    flat = dq.ravel()
    for flag in [4, 16, 32, 256, 512, 2048, 4096, 8192, 16 + 4096]:
        idx = rng.choice(flat.size, 300, replace=False)
        flat[idx] |= flag
    dq[100:104, 30:200] |= 8  # a masked row band
    return dq


# ---------------------------------------------------------------- reference capture
class Capture:
    def __init__(self):
        self.seed = None
        self.rec = {}
        self.orig = {n: getattr(analyze, n) for n in
                     ["sigma_clipped_stats", "detect_sources", "classify_sources", "canny",
                      "probabilistic_hough_line"]}
        analyze.sigma_clipped_stats = self.stats
        analyze.detect_sources = self.detect
        analyze.classify_sources = self.classify
        analyze.canny = self.canny
        analyze.probabilistic_hough_line = self.hough

    def stats(self, data, **kw):
        s = self.orig["sigma_clipped_stats"](data, **kw)
        self.rec["stats"] = {"mean": float(s[0]), "median": float(s[1]), "std": float(s[2]),
                             "median_bits": int(np.float32(s[1]).view(np.uint32)),
                             "std_bits": int(np.float32(s[2]).view(np.uint32)),
                             "dtype": str(np.asarray(s[1]).dtype)}
        return s

    def detect(self, img, threshold, **kw):
        segm = self.orig["detect_sources"](img, threshold, **kw)
        self.rec["raw_sources"] = 0 if segm is None else int(segm.nlabels)
        return segm

    def classify(self, cat, fwhm):
        flags = self.orig["classify_sources"](cat, fwhm)
        self.rec["real_sources"] = int(np.count_nonzero(flags))
        return flags

    def canny(self, image, **kw):
        edges = self.orig["canny"](image, **kw)
        self.rec["canny_input_shape"] = list(image.shape)
        self.rec["canny_input_fnv"] = fnv1a(image)
        self.rec["canny_input_sum"] = float(np.sum(image, dtype=np.float64))
        self.rec["edges"] = packed(edges)
        self.rec["edge_count"] = int(edges.sum())
        return edges

    def hough(self, edges, **kw):
        lines = self.orig["probabilistic_hough_line"](edges, rng=self.seed, **kw)
        order = np.arange(int(np.count_nonzero(edges)), dtype=np.intp)
        np.random.default_rng(self.seed).shuffle(order)
        assert order.size < 65536
        self.rec.setdefault("runs", []).append({
            "seed": self.seed,
            "order": b64(order, "<u2"),
            "lines": [[int(a), int(b), int(c), int(d)] for (a, b), (c, d) in lines],
        })
        return lines


def run_case(cap, name, frame, quality="", bunit="ELECTRONS", dq=None, exptime_in_primary=True):
    cap.rec = {}
    sci = frame.astype(np.float32)
    if bunit.endswith("/S"):
        sci = sci / np.float32(EXPTIME)
    prim = fits.PrimaryHDU()
    prim.header["QUALITY"] = quality
    if exptime_in_primary:
        prim.header["EXPTIME"] = EXPTIME
    sci_hdu = fits.ImageHDU(sci, name="SCI", ver=1)
    sci_hdu.header["BUNIT"] = bunit
    if not exptime_in_primary:
        sci_hdu.header["EXPTIME"] = EXPTIME
    hdus = [prim, sci_hdu]
    if dq is not None:
        hdus.append(fits.ImageHDU(dq, name="DQ", ver=1))
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{name}_flc.fits")
        fits.HDUList(hdus).writeto(path)
        for seed in SEEDS:
            cap.seed = seed
            verdicts.append(bool(analyze.verify_guiding(path, min_length=33)))
    rec = dict(cap.rec)
    for run, verdict in zip(rec.get("runs", []), verdicts):
        run["bad"] = verdict
    rec["verdicts"] = verdicts
    assert len(set(verdicts)) == 1, (name, verdicts)
    print(name, "verdicts", verdicts, "sources", rec.get("raw_sources"), rec.get("real_sources"),
          "lines", [len(r["lines"]) for r in rec.get("runs", [])])
    return {"name": name, "quality": quality, "bunit": bunit, "exptime": EXPTIME,
            "has_dq": dq is not None, "bad": verdicts[0], "reference": rec}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    frames = {
        "good": frame_good(rng),
        "trailed": frame_trailed(rng),
        "empty": frame_empty(rng),
        "bleeds": frame_bleeds(rng),
        "blank": frame_blank(rng),
    }
    dq_good = dq_for(rng, frames["good"].shape)
    cap = Capture()
    cases = [
        run_case(cap, "good", frames["good"], bunit="ELECTRONS/S", dq=dq_good, exptime_in_primary=False),
        run_case(cap, "trailed", frames["trailed"]),
        run_case(cap, "gsfail", frames["trailed"], quality="GSFAIL  "),
        run_case(cap, "empty", frames["empty"]),
        run_case(cap, "bleeds", frames["bleeds"]),
        run_case(cap, "blank", frames["blank"]),
    ]
    case_frame = {"good": "good", "trailed": "trailed", "gsfail": "trailed", "empty": "empty", "bleeds": "bleeds",
                  "blank": "blank"}
    for c in cases:
        c["frame"] = case_frame[c["name"]]
    theta = np.linspace(-np.pi / 2, np.pi / 2, 180, endpoint=False)
    write("frames.json", {
        "frames": {k: {"shape": list(v.shape), "u16": b64(v, "<u2")} for k, v in frames.items()},
        "dq": {"good": b64(dq_good, "<u2")},
        "cases": cases,
        "hough_theta_f64": b64(theta, "<f8"),
        "hough_cos_f64": b64(np.cos(theta), "<f8"),
        "hough_sin_f64": b64(np.sin(theta), "<f8"),
    })

    # canny directly on raw frames (float32), different parameters and a mask
    mask = np.ones((256, 256), bool)
    mask[40:90, 60:140] = False
    mask[200:, :30] = False
    tests = []
    for frame, sigma, lo, hi, use_mask in [
        ("good", 2.5, 0, 25, False),
        ("trailed", 2.5, 0, 25, False),
        ("trailed", 1.0, 5, 40, True),
        ("bleeds", 2.5, 0, 25, True),
        ("empty", 1.5, 2, 30, False),
    ]:
        img = frames[frame].astype(np.float32)
        m = mask[: img.shape[0], : img.shape[1]] if use_mask else None
        edges = canny(img, sigma=sigma, low_threshold=lo, high_threshold=hi, mask=m)
        tests.append({"frame": frame, "sigma": sigma, "low": lo, "high": hi, "masked": use_mask,
                      "edges": packed(edges), "edge_count": int(edges.sum())})
    write("canny.json", {"mask": packed(mask), "tests": tests})


if __name__ == "__main__":
    main()
