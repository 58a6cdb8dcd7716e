#!/usr/bin/env python
"""Realistic check of crates/driz-verify against drizzlepac on a real AstroDrizzle run.

    .venv-ref/bin/python testdata/scripts/driz_verify_realistic_check.py WORK_DIR NPY_DIR

WORK_DIR is the output of testdata/scripts/astrodrizzle_reference_run.py (clean=False, so the
`_single_sci` files are there). This computes what runastrodriz.run_driz computes for the
verification -- `build_focus_dict` with the detector's sigma, `SkyFootprint.build` on the single
files and `max_overlap_diff(total_mask, singles, product, scale=1)` -- times them and scipy's
`gaussian_laplace` on the product, and dumps to NPY_DIR what the Rust side needs:
single_<k>.npy (float32), product.npy (SCI, float32), total_mask.npy (int16), edges_<k>.npy
(the singles' edge pixels mapped to product pixels, float64, SkyFootprint order) and
reference.json (results, exposure times, timings). Then run

    cargo run --release -p driz-verify --example realistic_check -- NPY_DIR
"""
import glob
import json
import os
import sys
import time

import numpy as np
from astropy.io import fits
from scipy import ndimage

from drizzlepac import runastrodriz
from drizzlepac.haputils import astrometric_utils as amu
from drizzlepac.haputils import cell_utils
from stwcs.wcsutil import HSTWCS


def main(work, out):
    os.makedirs(out, exist_ok=True)
    run = json.load(open(os.path.join(work, "run.json")))
    members = run["members"]
    os.chdir(work)
    suffix = "_flt" if members[0].endswith("_flt.fits") else "_flc"
    singles = [m.replace(suffix, "_single_sci") for m in members]
    products = sorted(glob.glob("*_drz.fits") + glob.glob("*_drc.fits"))
    product = products[0]
    instr_det = f"{fits.getval(singles[0], 'instrume')}/{fits.getval(singles[0], 'detector')}"
    sigma = runastrodriz.focus_pars[instr_det]["sigma"]
    timings = {}

    t = time.perf_counter()
    focus = amu.build_focus_dict(singles, product, sigma=sigma)
    timings["build_focus_dict"] = time.perf_counter() - t

    t = time.perf_counter()
    footprint = cell_utils.SkyFootprint(HSTWCS(product, ext=("SCI", 1)))
    footprint.build(singles)
    timings["sky_footprint"] = time.perf_counter() - t

    t = time.perf_counter()
    diffs = amu.max_overlap_diff(footprint.total_mask, singles, product, scale=1)
    timings["max_overlap_diff"] = time.perf_counter() - t

    prod_sci = fits.getdata(product, ext=("SCI", 1))
    img = np.nan_to_num(prod_sci.astype(np.float32), nan=0)
    t = time.perf_counter()
    ndimage.gaussian_laplace(img, sigma)
    timings["scipy_gaussian_laplace_product"] = time.perf_counter() - t

    meta_wcs = footprint.meta_wcs
    for k, s in enumerate(singles):
        np.save(os.path.join(out, f"single_{k}.npy"), fits.getdata(s).astype("<f4"))
        wcs = HSTWCS(fits.open(s), ext=0)
        ex = [0] * wcs.naxis2 + [wcs.naxis1 - 1] * wcs.naxis2 + list(range(wcs.naxis1)) * 2
        ey = list(range(wcs.naxis2)) * 2 + [0] * wcs.naxis1 + [wcs.naxis2 - 1] * wcs.naxis1
        sky = wcs.pixel_to_world_values(ex, ey)
        mx, my = meta_wcs.world_to_pixel_values(sky[0], sky[1])
        np.save(os.path.join(out, f"edges_{k}.npy"), np.stack([mx, my], axis=1).astype("<f8"))
    np.save(os.path.join(out, "product.npy"), prod_sci.astype("<f4"))
    np.save(os.path.join(out, "total_mask.npy"), footprint.total_mask.astype("<i2"))

    result = {
        "product": product, "singles": singles, "sigma": sigma,
        "exptimes": [float(fits.getval(s, "exptime")) for s in singles],
        "focus": {"exp": focus["exp"], "exp_pos_last": [int(v) for v in focus["exp_pos"]], "prod": focus["prod"][0],
                  "prod_pos": [int(v) for v in focus["prod_pos"]],
                  "stats": {k: float(v) for k, v in focus["stats"].items()},
                  "evaluate_focus": bool(amu.evaluate_focus(focus))},
        "distances": [float(diffs[s]["distance"]) for s in singles],
        "num_sources": [int(diffs[s]["num_sources"]) for s in singles],
        "product_num_sources": [int(diffs[s]["product_num_sources"]) for s in singles],
        "slices": [[[int(diffs[s]["yslice"].start), int(diffs[s]["yslice"].stop)],
                    [int(diffs[s]["xslice"].start), int(diffs[s]["xslice"].stop)]] if diffs[s]["yslice"] else None
                   for s in singles],
        "max_distance": float(amu.evaluate_overlap_diffs(diffs)[1]),
        "timings": timings,
    }
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
