#!/usr/bin/env python3
"""Reference side of the full-frame comparison for the `driz-detect` crate.

For each input exposure (copied first into a scratch directory, never modified in place) this
runs drizzlepac 3.11.0's own alignment source finding, exactly the call chain
``align.perform_align`` uses:

    apars = align.get_default_pars(inst, det); apars["MAX_SOURCES_PER_CHIP"] = 250
    table = align_utils.AlignmentTable(files, **apars)
    table.find_alignment_sources(output=False)

and writes, per exposure, into ``<outdir>/<rootname>/``:

* ``sci<N>.f32``, ``err<N>.f32``, ``dq<N>.u16``: the raw little-endian arrays of every chip
  as stored in the file (row-major), plus ``meta.json`` (shapes, pixel scale, detector);
* ``ref_cat<N>.json``: the reference catalog of chip N (xcentroid, ycentroid, flux, peak, mag);
* ``ref_meta.json``: kernel FWHM (px and arcsec), kernel shape/values.

Then, if the Rust side has written ``rust_cat<N>.json`` (``cargo test -p driz-detect --release
--test full_frame -- --ignored`` with ``DRIZ_DETECT_DUMP=<outdir>/<rootname>``), prints the
comparison (fraction of reference sources matched within 0.05 px, median/max offsets, counts).

Usage:
    .venv-ref/bin/python testdata/scripts/compare_detect.py dump  OUTDIR FILE [FILE...]
    .venv-ref/bin/python testdata/scripts/compare_detect.py compare OUTDIR/ROOT
"""

import json
import os
import shutil
import sys
import time
import warnings

import numpy as np


def dump(outdir, files):
    from astropy.io import fits
    from drizzlepac import align
    from drizzlepac.haputils import align_utils

    os.makedirs(outdir, exist_ok=True)
    work = os.path.join(outdir, "work")
    os.makedirs(work, exist_ok=True)
    local = []
    for f in files:
        dst = os.path.join(work, os.path.basename(f))
        shutil.copy(f, dst)
        # The simulated WFC3 files lack SCAN_TYP, which analyze_data reads unconditionally;
        # give the scratch copy the value of a non-scan exposure.
        with fits.open(dst, mode="update") as hdul:
            if hdul[0].header.get("INSTRUME") == "WFC3" and "SCAN_TYP" not in hdul[0].header:
                hdul[0].header["SCAN_TYP"] = "N"
        local.append(dst)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        names = [os.path.basename(f) for f in local]
        hdr0 = fits.getheader(names[0])
        inst = hdr0["INSTRUME"]
        det = hdr0["DETECTOR"]
        apars = align.get_default_pars(inst, det)
        apars["MAX_SOURCES_PER_CHIP"] = 250
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.time()
            table = align_utils.AlignmentTable(names, **apars)
            kernels = {img.imgname: (img.kernel, img.kernel_fwhm, img.fwhmpsf, img.pscale) for img in table.haplist}
            table.find_alignment_sources(output=False)
            elapsed = time.time() - t0
        for name in names:
            root = name.split("_")[0]
            rdir = os.path.join(outdir, root)
            os.makedirs(rdir, exist_ok=True)
            kernel, kfwhm, fwhm_arcsec, pscale = kernels[name]
            with fits.open(os.path.join(cwd, [f for f in files if os.path.basename(f) == name][0])) as hdul:
                nsci = sum(1 for h in hdul if h.name == "SCI")
                shapes = []
                for chip in range(1, nsci + 1):
                    sci = np.ascontiguousarray(hdul["SCI", chip].data, dtype="<f4")
                    err = np.ascontiguousarray(hdul["ERR", chip].data, dtype="<f4")
                    dq = np.ascontiguousarray(hdul["DQ", chip].data, dtype="<u2")
                    sci.tofile(os.path.join(rdir, f"sci{chip}.f32"))
                    err.tofile(os.path.join(rdir, f"err{chip}.f32"))
                    dq.tofile(os.path.join(rdir, f"dq{chip}.u16"))
                    shapes.append(list(sci.shape))
            meta = {
                "instrument": inst,
                "detector": det,
                "pixel_scale_arcsec": float(pscale),
                "shapes": shapes,
                "ref_kernel_fwhm_px": float(kfwhm),
                "ref_fwhm_arcsec": float(fwhm_arcsec),
                "ref_kernel_shape": list(kernel.shape),
                "ref_kernel": [float(v) for v in np.asarray(kernel, dtype=float).ravel()],
                "ref_seconds_all_images": elapsed,
                "n_images": len(names),
            }
            with open(os.path.join(rdir, "meta.json"), "w") as fh:
                json.dump(meta, fh, indent=1)
            cats = table.extracted_sources[name]
            for chip in range(1, nsci + 1):
                tbl = cats.get(chip)
                out = {"x": [], "y": [], "flux": [], "peak": [], "mag": []}
                if tbl is not None:
                    out = {
                        "x": [float(v) for v in tbl["xcentroid"]],
                        "y": [float(v) for v in tbl["ycentroid"]],
                        "flux": [float(v) for v in tbl["flux"]],
                        "peak": [float(v) for v in tbl["peak"]],
                        "mag": [float(v) for v in tbl["mag"]],
                    }
                with open(os.path.join(rdir, f"ref_cat{chip}.json"), "w") as fh:
                    json.dump(out, fh)
            print(f"{root}: kernel fwhm {kfwhm:.6f} px, {[len(cats[c]) if cats.get(c) is not None else 0 for c in range(1, nsci + 1)]} sources; {elapsed:.1f} s for all {len(names)} images")
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)


def compare(rdir):
    meta = json.load(open(os.path.join(rdir, "meta.json")))
    rust_meta_path = os.path.join(rdir, "rust_meta.json")
    if os.path.exists(rust_meta_path):
        rmeta = json.load(open(rust_meta_path))
        print(f"kernel FWHM px: ref {meta['ref_kernel_fwhm_px']:.6f} rust {rmeta['kernel_fwhm_px']:.6f}"
              f"  (diff {rmeta['kernel_fwhm_px'] - meta['ref_kernel_fwhm_px']:+.2e});"
              f" rust time {rmeta['seconds']:.2f} s")
    tot_ref = tot_match = tot_rust = 0
    all_d = []
    for chip in range(1, len(meta["shapes"]) + 1):
        ref = json.load(open(os.path.join(rdir, f"ref_cat{chip}.json")))
        rus = json.load(open(os.path.join(rdir, f"rust_cat{chip}.json")))
        rx, ry = np.array(ref["x"]), np.array(ref["y"])
        ux, uy = np.array(rus["x"]), np.array(rus["y"])
        d = []
        same_order = 0
        for i in range(len(rx)):
            if len(ux) == 0:
                break
            dist = np.hypot(ux - rx[i], uy - ry[i])
            j = int(np.argmin(dist))
            d.append(dist[j])
            if j == i:
                same_order += 1
        d = np.array(d)
        matched = int((d <= 0.05).sum()) if len(d) else 0
        tot_ref += len(rx)
        tot_rust += len(ux)
        tot_match += matched
        all_d.extend(d[d <= 0.05].tolist() if len(d) else [])
        print(f"chip {chip}: ref {len(rx)} rust {len(ux)} matched(<=0.05px) {matched}"
              f" ({100.0 * matched / max(1, len(rx)):.1f}%), same row order {same_order},"
              f" median dist {np.median(d) if len(d) else float('nan'):.2e}, max dist of matched"
              f" {max(d[d <= 0.05]) if matched else float('nan'):.2e}")
    print(f"total: ref {tot_ref} rust {tot_rust} matched {tot_match} ({100.0 * tot_match / max(1, tot_ref):.2f}%)"
          f" median {np.median(all_d) if all_d else float('nan'):.2e} max {max(all_d) if all_d else float('nan'):.2e}")


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3:])
    else:
        compare(sys.argv[2])
