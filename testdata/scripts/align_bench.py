"""Time the a posteriori stage: drizzlepac 3.11 `perform_align` against `driz align` on
copies of the same FLC files, with the loopback catalog service (catalog_service.py)
running at ASTROMETRIC_CATALOG_URL. One run each; prints wall times, the ratio, and both
solutions' RMS to the truth.

    .venv-ref/bin/python testdata/scripts/align_bench.py DATASET_DIR WORK_DIR DRIZ_BINARY
"""
import glob
import os
import shutil
import subprocess
import sys
import time

from astropy.io import fits

from compare_runastrodriz import rms_to_truth


def copy(src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    files = []
    for f in sorted(glob.glob(os.path.join(src, "*_flc.fits"))) or sorted(glob.glob(os.path.join(src, "*_flt.fits"))):
        shutil.copy(f, dst)
        files.append(os.path.join(dst, os.path.basename(f)))
    return files


def main():
    src, work, driz = sys.argv[1:4]
    os.environ["jref"] = os.environ["iref"] = os.path.join(src, "ref") + "/"
    from drizzlepac import align
    ref_files = copy(src, os.path.join(work, "drizzlepac"))
    for f in ref_files:  # analyze_data reads SCAN_TYP for WFC3
        with fits.open(f, mode="update") as h:
            h[0].header.setdefault("SCAN_TYP", "N")
    cwd = os.getcwd()
    os.chdir(os.path.join(work, "drizzlepac"))
    t0 = time.time()
    align.perform_align([os.path.basename(f) for f in ref_files], catalog_list=["GAIAeDR3", "GSC242", "2MASS"],
                        num_sources=250, update_hdr_wcs=True)
    t_ref = time.time() - t0
    os.chdir(cwd)
    driz_files = copy(src, os.path.join(work, "driz"))
    t0 = time.time()
    subprocess.run([driz, "align", *driz_files], check=True, cwd=os.path.join(work, "driz"))
    t_driz = time.time() - t0
    for a, b in zip(driz_files, ref_files):
        root = os.path.basename(a).split("_")[0]
        truth = os.path.join(src, "truth", root + "_truewcs.fits")
        print(f"{root}: driz {fits.getval(a, 'WCSNAME', ('SCI', 1))} {rms_to_truth(a, truth):.2f} mas | "
              f"drizzlepac {fits.getval(b, 'WCSNAME', ('SCI', 1))} {rms_to_truth(b, truth):.2f} mas")
    print(f"perform_align: drizzlepac {t_ref:.1f} s, driz align {t_driz:.1f} s, ratio {t_ref / t_driz:.1f}x")


main()
