"""Compare a driz runastrodriz run with drizzlepac's on the same simulated association.

    .venv-ref/bin/python testdata/scripts/compare_runastrodriz.py DRIZ_DIR REF_DIR TRUTH_DIR [--json OUT]

For every FLC/FLT: the primary WCSNAME, NMATCHES, RMS_RA/RMS_DEC, and the RMS (mas) of
its WCS against the true WCS (truth/<root>_truewcs.fits, full distortion model, 9×9 grid
per chip). For the final products: WCSNAME, the frame, and the SCI difference. Wall time
and peak memory from the `time.log` (/usr/bin/time -v) in each directory.
"""
import glob
import json
import os
import re
import sys

import numpy as np
from astropy.io import fits
from stwcs.wcsutil import HSTWCS


def rms_to_truth(path, truth):
    tot, n = 0.0, 0
    with fits.open(path) as f, fits.open(truth) as t:
        for ext in (1, 2):
            if ("SCI", ext) not in f:
                continue
            w, wt = HSTWCS(f, ext=("SCI", ext)), HSTWCS(t, ext=("SCI", ext))
            ny, nx = f["SCI", ext].data.shape
            gx, gy = np.meshgrid(np.linspace(1, nx, 9), np.linspace(1, ny, 9))
            r1, d1 = w.all_pix2world(gx.ravel(), gy.ravel(), 1)
            r2, d2 = wt.all_pix2world(gx.ravel(), gy.ravel(), 1)
            dra = (r1 - r2) * np.cos(np.radians(d2))
            tot += np.sum((dra**2 + (d1 - d2) ** 2)) * 3.6e6**2
            n += dra.size
    return float(np.sqrt(tot / n))


def timing(directory):
    try:
        text = open(os.path.join(directory, "time.log")).read()
    except OSError:
        return {}
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    out = {}
    if wall:
        parts = [float(p) for p in wall.group(1).split(":")]
        out["wall_s"] = sum(p * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
    if rss:
        out["peak_rss_mb"] = int(rss.group(1)) / 1024
    return out


def main():
    driz, ref, truth = sys.argv[1:4]
    report = {"exposures": {}, "products": {}, "timing": {"driz": timing(driz), "drizzlepac": timing(ref)}}
    for path in sorted(glob.glob(os.path.join(ref, "*_fl[tc].fits"))):
        name = os.path.basename(path)
        root = name.split("_")[0]
        row = {}
        for label, d in (("driz", driz), ("drizzlepac", ref)):
            p = os.path.join(d, name)
            h = fits.getheader(p, ("SCI", 1))
            row[label] = {
                "wcsname": h.get("WCSNAME"),
                "nmatches": h.get("NMATCHES"),
                "rms_ra": h.get("RMS_RA"),
                "rms_dec": h.get("RMS_DEC"),
                "rms_to_truth_mas": rms_to_truth(p, os.path.join(truth, "truth", root + "_truewcs.fits")),
            }
        report["exposures"][name] = row
        print(f"{name}: driz {row['driz']['wcsname']} {row['driz']['rms_to_truth_mas']:.2f} mas | "
              f"drizzlepac {row['drizzlepac']['wcsname']} {row['drizzlepac']['rms_to_truth_mas']:.2f} mas")
    for kind in ("drz", "drc"):
        a = glob.glob(os.path.join(driz, f"*_{kind}.fits"))
        b = glob.glob(os.path.join(ref, f"*_{kind}.fits"))
        if not (a and b):
            continue
        with fits.open(a[0]) as fa, fits.open(b[0]) as fb:
            sa, sb = fa["SCI"].data, fb["SCI"].data
            entry = {"driz_wcsname": fa["SCI"].header.get("WCSNAME"), "drizzlepac_wcsname": fb["SCI"].header.get("WCSNAME"),
                     "driz_shape": list(sa.shape), "drizzlepac_shape": list(sb.shape)}
            if sa.shape == sb.shape:
                good = np.isfinite(sa) & np.isfinite(sb) & (fb["WHT"].data > 0)
                d = np.abs(sa[good] - sb[good])
                noise = 1.4826 * np.median(np.abs(sb[good] - np.median(sb[good])))
                entry.update(median_abs_diff=float(np.median(d)), noise=float(noise),
                             identical_fraction=float(np.mean(d == 0)), p99_abs_diff=float(np.percentile(d, 99)))
            report["products"][kind] = entry
            print(kind, json.dumps(entry))
    print("timing", json.dumps(report["timing"]))
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
