"""The WFC3/IR relative-fit offset (docs/compatibility.md, "Behaviour that is the reference's"):
runs drizzlepac 3.11 perform_align on copies of a simulated dataset, as shipped (MODE asis) or with
the group (absolute) step's xyxymatch separation cut to 0.1 px (MODE nosep), and prints each
exposure's WCSNAME and RMS distance to the true WCS. Needs catalog_service.py serving the dataset
at ASTROMETRIC_CATALOG_URL.

    .venv-ref/bin/python testdata/scripts/ir_group_fit_check.py DATASET_DIR WORK_DIR asis|nosep
"""
import copy, glob, os, shutil, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from astropy.io import fits
from compare_runastrodriz import rms_to_truth
src, work, mode = sys.argv[1:4]
os.environ["jref"] = os.environ["iref"] = os.path.join(src, "ref") + "/"
from drizzlepac import align
from drizzlepac.haputils import align_utils
orig = align_utils.align_wcs
def patched(imglist, refcat=None, *a, **k):
    if refcat is not None and mode == "nosep":
        m = copy.copy(k["match"]); m._separation = 0.1; k["match"] = m
    return orig(imglist, refcat, *a, **k)
align_utils.align_wcs = patched
d = os.path.join(work, mode); shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
files = []
for f in sorted(glob.glob(os.path.join(src, "*_flt.fits"))):
    shutil.copy(f, d); files.append(os.path.basename(f))
os.chdir(d)
for f in files:
    with fits.open(f, mode="update") as h:
        h[0].header.setdefault("SCAN_TYP", "N")
align.perform_align(files, catalog_list=["GAIAeDR3"], num_sources=250, update_hdr_wcs=True)
for f in files:
    root = f.split("_")[0]
    print(mode, root, fits.getval(f, "WCSNAME", ("SCI", 1)), f"{rms_to_truth(f, os.path.join(src, 'truth', root + '_truewcs.fits')):.2f} mas")
