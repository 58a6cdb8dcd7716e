#!/usr/bin/env python3
"""Make the reference fixtures for the `driz-detect` crate.

Every expected value comes from the reference code of the reference venv (drizzlepac 3.11.0,
photutils 2.3.0, astropy, scipy):

* ``background.json``  photutils ``Background2D`` (SExtractor/Median background,
  StdBackgroundRMS, filter_size 3, exclude_percentile) on float32 arrays whose size is not a
  multiple of the box, with NaN blocks (box exclusion and IDW refill, including isolated
  interior boxes whose 10th neighbours are equidistant).
* ``convolve.json``    astropy ``convolve`` (with and without NaNs), scipy.ndimage
  ``convolve`` with a DAOStarFinder kernel, photutils ``detect_sources`` labels (4 and 8
  connectivity), astropy ``Gaussian2DKernel`` via drizzlepac ``build_gaussian_kernel``.
* ``daofind.json``     photutils ``DAOStarFinder.find_stars`` tables and ``find_peaks``.
* ``dqmask.json``      drizzlepac ``HAPImage.build_dqmask``.
* ``classify.json``    photutils ``SourceCatalog`` + drizzlepac ``classify_sources`` and
  ``crclean_image`` on a chip with stars and cosmic rays.
* ``fwhm.json``        drizzlepac ``find_fwhm`` on PSF cut-outs that drizzlepac's own
  ``build_auto_kernel`` examined while preparing jsm001a1q_flc (recorded by wrapping
  ``find_fwhm`` during an ``AlignmentTable`` run), plus synthetic PSFs.
* ``e2e_acs.json``, ``e2e_ir.json``  the whole chain: sub-images of the simulated
  /work/refruns data (copied, cut to 160×160 per chip, ERR set to 1) run through
  ``align_utils.AlignmentTable(...)`` + ``find_alignment_sources`` as ``perform_align`` does.

Encoding: float32 arrays are base64 of their little-endian bytes (``*_f32``), float64 values
are JSON numbers (repr round-trips), masks/labels are lists. Run from the repository root:

    .venv-ref/bin/python testdata/scripts/make_detect_fixtures.py
"""

import base64
import json
import os
import shutil
import tempfile
import warnings

import numpy as np

OUT = os.path.abspath(os.path.join("testdata", "detect"))
ACS = "/work/refruns/data/acs4/jsm001a1q_flc.fits"
IR = "/work/refruns/data/ir4/ism001a1q_flt.fits"


def f32(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def write(name, obj):
    with open(os.path.join(OUT, name), "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
    print(name, os.path.getsize(os.path.join(OUT, name)))


def stars_image(rng, shape, n, sky=100.0, noise=5.0, fwhm=2.5, amp=(50, 2000)):
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    img = sky + rng.normal(0, noise, shape)
    sig = fwhm / 2.3548
    for _ in range(n):
        x0, y0 = rng.uniform(3, shape[1] - 3), rng.uniform(3, shape[0] - 3)
        img += rng.uniform(*amp) * np.exp(-((xx - x0) ** 2 + (yy - y0) ** 2) / (2 * sig**2))
    return img.astype(np.float32)


def background_cases():
    from photutils.background import (Background2D, MedianBackground, SExtractorBackground,
                                      StdBackgroundRMS)
    rng = np.random.default_rng(11)
    cases = []
    specs = [((50, 59), 13, "SExtractor", 10.0, None), ((50, 59), 13, "Median", 10.0, None),
             ((70, 83), 27, "SExtractor", 10.0, "block"), ((48, 66), 13, "Median", 25.0, "block"),
             ((60, 60), 27, "SExtractor", 50.0, "nan"), ((45, 47), 13, "SExtractor", 10.0, "gradient"),
             ((66, 80), 13, "Median", 10.0, "holes")]
    for shape, box, est, pct, extra in specs:
        data = stars_image(rng, shape, 12)
        if extra == "block":
            data[0:30, 0:30] = np.nan
        elif extra == "nan":
            data[rng.random(shape) < 0.05] = np.nan
        elif extra == "holes":  # isolated excluded boxes: equidistant IDW neighbours
            data[27:38, 28:39] = np.nan
            data[14:24, 54:64] = np.nan
            data[40:50, 60:75] = np.nan
        elif extra == "gradient":
            data += np.linspace(0, 40, shape[1], dtype=np.float32)[None, :]
        estimator = SExtractorBackground() if est == "SExtractor" else MedianBackground()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = Background2D(data, box, filter_size=3, bkg_estimator=estimator,
                             bkgrms_estimator=StdBackgroundRMS(), exclude_percentile=pct)
            cases.append({"shape": list(shape), "box": box, "estimator": est, "percentile": pct,
                          "data_f32": f32(data), "background_f32": f32(b.background),
                          "rms_f32": f32(b.background_rms)})
    # a case where every box is excluded -> Background2D raises
    data = np.full((30, 30), np.nan, dtype=np.float32)
    data[0, 0] = 1.0
    try:
        Background2D(data, 13, filter_size=3, exclude_percentile=10)
        raises = False
    except ValueError:
        raises = True
    cases.append({"shape": [30, 30], "box": 13, "estimator": "SExtractor", "percentile": 10.0,
                  "data_f32": f32(data), "raises": raises})
    write("background.json", cases)


def convolve_cases():
    from astropy.convolution import convolve
    from photutils.segmentation import detect_sources
    from photutils.detection.core import _StarFinderKernel
    from scipy.ndimage import convolve as ndi_convolve
    from drizzlepac.haputils.astrometric_utils import build_gaussian_kernel
    rng = np.random.default_rng(5)
    out = {"astropy": [], "ndimage": [], "segmentation": [], "gaussian": []}
    for nan in (False, True):
        data = stars_image(rng, (40, 53), 8, sky=0.0)
        if nan:
            data[rng.random(data.shape) < 0.03] = np.nan
            data[10:16, 20:26] = np.nan
        kernel = rng.uniform(0.1, 1.0, (5, 5))
        res = convolve(data, kernel)
        out["astropy"].append({"shape": list(data.shape), "data_f32": f32(data), "kernel": kernel.ravel().tolist(),
                               "kshape": [5, 5], "result_f32": f32(res)})
    data = stars_image(rng, (45, 38), 6, sky=10.0)
    k = _StarFinderKernel(2.7)
    out["ndimage"].append({"shape": list(data.shape), "data_f32": f32(data), "fwhm": 2.7,
                           "kshape": list(k.data.shape), "kernel": k.data.ravel().tolist(),
                           "relerr": float(k.relerr), "result_f32": f32(ndi_convolve(data, k.data, mode="constant", cval=0.0))})
    for conn in (4, 8):
        data = stars_image(rng, (60, 70), 25, sky=0.0, noise=3.0)
        thr = (np.full(data.shape, 6.0) + rng.uniform(0, 2, data.shape)).astype(np.float32)
        segm = detect_sources(data, thr, npixels=7, connectivity=conn)
        out["segmentation"].append({"shape": list(data.shape), "data_f32": f32(data), "threshold_f32": f32(thr),
                                    "connectivity": conn, "npixels": 7,
                                    "labels": segm.data.ravel().tolist(), "areas": segm.areas.tolist()})
    for fwhm in (2.6076, 1.3, 3.9):
        out["gaussian"].append({"fwhm": fwhm, "size": 7, "kernel": build_gaussian_kernel(fwhm, 7).ravel().tolist()})
    write("convolve.json", out)


def dao_cases():
    from photutils.detection import DAOStarFinder, find_peaks
    rng = np.random.default_rng(7)
    cases = []
    for fwhm, thr in ((2.5, 20.0), (1.4, 8.0), (3.3, 15.0)):
        data = stars_image(rng, (64, 72), 14, sky=0.0, noise=2.0, fwhm=fwhm)
        tbl = DAOStarFinder(threshold=thr, fwhm=fwhm).find_stars(data)
        cols = {c: [float(v) for v in tbl[c]] for c in ("xcentroid", "ycentroid", "sharpness", "roundness1",
                                                         "roundness2", "peak", "flux", "mag")}
        cases.append({"shape": list(data.shape), "data_f32": f32(data), "fwhm": fwhm, "threshold": thr,
                      "table": cols})
    data = stars_image(rng, (50, 61), 10, sky=0.0)
    thr = (np.full(data.shape, 30.0) + rng.uniform(0, 5, data.shape)).astype(np.float32)
    pk = find_peaks(data, thr, box_size=11)
    peaks = {"shape": list(data.shape), "data_f32": f32(data), "threshold_f32": f32(thr), "box": 11,
             "x": [int(v) for v in pk["x_peak"]], "y": [int(v) for v in pk["y_peak"]]}
    write("daofind.json", {"dao": cases, "peaks": peaks})


def dqmask_cases():
    from drizzlepac.haputils.align_utils import HAPImage
    rng = np.random.default_rng(3)
    dq = np.zeros((40, 50), dtype=np.uint16)
    dq[rng.random(dq.shape) < 0.02] = 16
    dq[rng.random(dq.shape) < 0.01] = 4
    dq[5:17, 10:22] |= 256
    dq[25:28, 30:45] |= 2048
    dq[0:12, 0:4] |= 256
    dq[33, 5] |= 256
    dq[20:22, 40:42] = 256 | 32

    class Fake:
        pass

    class Hdu:
        def __init__(self, data):
            self.data = data

    fake = Fake()
    fake.imghdu = {("DQ", 1): Hdu(dq)}
    mask = HAPImage.build_dqmask(fake, chip=1)
    write("dqmask.json", {"shape": list(dq.shape), "dq": dq.ravel().tolist(), "bad": mask.ravel().astype(int).tolist()})


def classify_cases():
    from astropy.convolution import convolve
    from photutils.segmentation import SourceCatalog, detect_sources
    from drizzlepac.haputils import astrometric_utils as am
    rng = np.random.default_rng(9)
    data = stars_image(rng, (80, 90), 15, sky=20.0, noise=3.0, fwhm=2.6)
    for _ in range(12):  # cosmic rays: sharp single/double pixel hits and short streaks
        y, x = rng.integers(2, 78), rng.integers(2, 88)
        data[y, x] += rng.uniform(300, 3000)
        if rng.random() < 0.5:
            data[y, x + 1] += rng.uniform(300, 3000)
            data[y, min(x + 2, 89)] += rng.uniform(300, 3000)
    kernel = am.build_gaussian_kernel(2.6, 7)
    bkg = np.full(data.shape, 20.0, dtype=np.float32)
    thr = np.full(data.shape, 35.0, dtype=np.float32)
    segm = detect_sources(convolve(data, kernel), thr, npixels=7, connectivity=4)
    cat = SourceCatalog(data, segm)
    flags = am.classify_sources(cat, 2.6).tolist()
    props = {"xcentroid": [float(v) for v in cat.xcentroid], "ycentroid": [float(v) for v in cat.ycentroid],
             "semiminor_sigma": [float(v) for v in cat.semiminor_sigma.value],
             "elongation": [float(v) for v in cat.elongation.value],
             "segment_flux": [float(v) for v in cat.segment_flux], "max_value": [float(v) for v in cat.max_value],
             "area": [float(v) for v in cat.area.value],
             "moments_central": [[float(v) for v in m.ravel()] for m in cat.moments_central]}
    cleaned = am.crclean_image(data.copy(), thr, kernel, 2.6, background=bkg)
    write("classify.json", {"shape": list(data.shape), "data_f32": f32(data), "kernel": kernel.ravel().tolist(),
                            "threshold": 35.0, "background": 20.0, "fwhm": 2.6, "labels": segm.data.ravel().tolist(),
                            "real": flags, "props": props, "cleaned_f32": f32(cleaned)})


def fwhm_cases():
    """find_fwhm on the PSF cut-outs drizzlepac examined for jsm001a1q, and synthetic ones."""
    from astropy.io import fits
    from drizzlepac import align
    from drizzlepac.haputils import align_utils
    from drizzlepac.haputils import astrometric_utils as am
    records = []
    original = am.find_fwhm

    def recording(psf, default_fwhm, **kw):
        result = original(psf, default_fwhm, **kw)
        records.append({"psf_f32": f32(psf), "shape": list(psf.shape), "default_fwhm": float(default_fwhm),
                        "fwhm": None if result is None else float(result)})
        return result

    work = tempfile.mkdtemp(prefix="detect_fwhm_")
    cwd = os.getcwd()
    try:
        shutil.copy(ACS, work)
        os.chdir(work)
        am.find_fwhm = recording
        apars = align.get_default_pars("ACS", "WFC")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # only the background + kernel preparation of the first image is needed
            table = align_utils.AlignmentTable([os.path.basename(ACS)], **apars)
            table.close()
    finally:
        am.find_fwhm = original
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    rng = np.random.default_rng(21)
    yy, xx = np.mgrid[0:15, 0:15]
    for sig in (0.7, 1.1, 1.6):
        img = np.exp(-((xx - 7.2) ** 2 + (yy - 6.9) ** 2) / (2 * sig**2)) + rng.normal(0, 0.002, (15, 15))
        img = np.clip(img, 0, None).astype(np.float32)
        img /= img.sum()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = am.find_fwhm(img, 2.6)
        records.append({"psf_f32": f32(img), "shape": [15, 15], "default_fwhm": 2.6,
                        "fwhm": None if res is None else float(res)})
    write("fwhm.json", records)


def e2e_case(src, name, centres, size=160):
    """Cut every chip of a copy of `src` to size×size around `centres`, run the reference."""
    from astropy.io import fits
    from drizzlepac import align
    from drizzlepac.haputils import align_utils
    work = tempfile.mkdtemp(prefix="detect_e2e_")
    cwd = os.getcwd()
    try:
        dst = os.path.join(work, os.path.basename(src))
        shutil.copy(src, dst)
        chips = []
        with fits.open(dst, mode="update") as hdul:
            hdr0 = hdul[0].header
            if hdr0.get("INSTRUME") == "WFC3" and "SCAN_TYP" not in hdr0:
                hdr0["SCAN_TYP"] = "N"
            nsci = sum(1 for h in hdul if h.name == "SCI")
            for chip in range(1, nsci + 1):
                cy, cx = centres[chip - 1]
                sl = (slice(cy - size // 2, cy + size // 2), slice(cx - size // 2, cx + size // 2))
                sci = np.array(hdul["SCI", chip].data[sl], dtype=np.float32)
                dq = np.array(hdul["DQ", chip].data[sl])
                hdul["SCI", chip].data = sci
                hdul["ERR", chip].data = np.ones_like(sci)
                hdul["DQ", chip].data = dq
                chips.append((sci, dq))
            inst, det = hdr0["INSTRUME"], hdr0["DETECTOR"]
        os.chdir(work)
        apars = align.get_default_pars(inst, det)
        apars["MAX_SOURCES_PER_CHIP"] = 250
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = align_utils.AlignmentTable([os.path.basename(dst)], **apars)
            img = table.haplist[0]
            kfwhm, pscale, kshape = float(img.kernel_fwhm), float(img.pscale), list(img.kernel.shape)
            table.find_alignment_sources(output=False)
        cats = table.extracted_sources[os.path.basename(dst)]
        out = {"instrument": inst, "detector": det, "pixel_scale_arcsec": pscale, "kernel_fwhm_px": kfwhm,
               "kernel_shape": kshape, "chips": []}
        for chip, (sci, dq) in enumerate(chips, start=1):
            tbl = cats.get(chip)
            nz = np.nonzero(dq.ravel())[0]
            out["chips"].append({
                "shape": list(sci.shape), "sci_f32": f32(sci),
                "dq_index": nz.tolist(), "dq_value": [int(v) for v in dq.ravel()[nz]],
                "x": [] if tbl is None else [float(v) for v in tbl["xcentroid"]],
                "y": [] if tbl is None else [float(v) for v in tbl["ycentroid"]],
                "flux": [] if tbl is None else [float(v) for v in tbl["flux"]],
                "peak": [] if tbl is None else [float(v) for v in tbl["peak"]],
                "mag": [] if tbl is None else [float(v) for v in tbl["mag"]],
            })
        write(name, out)
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)


def make_sbc_flt(path, size=160):
    """A synthetic ACS/SBC FLT (real SBC files are not in ../shared): photon counts on a
    nearly empty background, stars with a sharp core and a wide halo as SBC PSFs have."""
    from astropy.io import fits
    rng = np.random.default_rng(2026)
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    rate = np.full((size, size), 0.02)
    for _ in range(18):
        x0, y0 = rng.uniform(8, size - 8, 2)
        total = rng.uniform(150, 4000)
        r2 = (xx - x0) ** 2 + (yy - y0) ** 2
        core = np.exp(-r2 / (2 * 1.1 ** 2)) / (2 * np.pi * 1.1 ** 2)
        halo = np.exp(-r2 / (2 * 4.0 ** 2)) / (2 * np.pi * 4.0 ** 2)
        rate += total * (0.75 * core + 0.25 * halo)
    counts = rng.poisson(rate).astype(np.float32)
    # The simulated ACS/WFC primary header has every keyword drizzlepac's input filter
    # reads; only the detector, filters and aperture change.
    primary = fits.PrimaryHDU(header=fits.getheader(ACS, 0))
    h = primary.header
    h["DETECTOR"], h["FILTER1"], h["FILTER2"], h["APERTURE"] = "SBC", "F125LP", "N/A", "SBC"
    h["ROOTNAME"], h["EXPTIME"], h["SUBARRAY"], h["NEXTEND"] = "jsbc01abq", 1000.0, False, 3
    s = 0.034 / 3600.0
    hdus = [primary]
    for name, data in (("SCI", counts), ("ERR", np.sqrt(np.maximum(counts, 1)).astype(np.float32)),
                       ("DQ", np.zeros((size, size), np.int16))):
        ext = fits.ImageHDU(data, name=name)
        ext.header["EXTVER"] = 1
        if name == "SCI":
            e = ext.header
            e["CTYPE1"], e["CTYPE2"] = "RA---TAN", "DEC--TAN"
            e["CRPIX1"], e["CRPIX2"], e["CRVAL1"], e["CRVAL2"] = size / 2, size / 2, 201.365, -43.019
            e["CD1_1"], e["CD1_2"], e["CD2_1"], e["CD2_2"] = -s * 0.6, s * 0.8, s * 0.8, s * 0.6
            e["PHOTMODE"], e["PHOTFLAM"], e["PHOTPLAM"] = "ACS SBC F125LP", 2.7e-17, 1438.0
            e["BUNIT"] = "COUNTS"
        hdus.append(ext)
    fits.HDUList(hdus).writeto(path, overwrite=True)


def sbc_case():
    work = tempfile.mkdtemp(prefix="detect_sbc_")
    try:
        src = os.path.join(work, "jsbc01abq_flt.fits")
        make_sbc_flt(src)
        e2e_case(src, "e2e_sbc.json", [(80, 80)], size=160)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    background_cases()
    convolve_cases()
    dao_cases()
    dqmask_cases()
    classify_cases()
    fwhm_cases()
    e2e_case(ACS, "e2e_acs.json", [(1680, 3080), (840, 2320)])
    e2e_case(IR, "e2e_ir.json", [(280, 640)])
    sbc_case()
