"""Run the reference drizzlepac 3.11.0 / stwcs 1.7.7 on a `driz simulate` association.

    cargo run --release --bin driz -- simulate --instrument wfc3-ir --exposures 4 --seed 1 --out /tmp/simir
    .venv-ref/bin/python testdata/scripts/check_simulate_with_drizzlepac.py /tmp/simir

Each step runs on a fresh copy of the directory: stwcs updatewcs(use_db=False) on every
FLT, astrodrizzle on the ASN (mdriztab=True, as the pipeline), runastrodriz on the ASN with
the a priori / a posteriori astrometry off. Prints times and products; exits 1 on failure.
Not run in CI (needs the reference environment).
"""
import glob
import os
import shutil
import sys
import tempfile
import time
import traceback


def fresh_copy(src):
    dst = tempfile.mkdtemp(prefix="drizsim_")
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


def main(src):
    src = os.path.abspath(src)
    asn = os.path.basename(glob.glob(os.path.join(src, "*_asn.fits"))[0])
    ok = True
    for step in ("updatewcs", "astrodrizzle", "runastrodriz"):
        work = fresh_copy(src)
        os.environ["jref"] = os.path.join(work, "ref") + "/"
        os.environ["iref"] = os.path.join(work, "ref") + "/"
        os.environ["ASTROMETRY_COMPUTE_APOSTERIORI"] = "off"
        os.environ["ASTROMETRY_APPLY_APRIORI"] = "off"
        cwd = os.getcwd()
        os.chdir(work)
        t0 = time.time()
        try:
            if step == "updatewcs":
                from stwcs import updatewcs
                for f in sorted(glob.glob("*_fl[tc].fits")):
                    updatewcs.updatewcs(f, use_db=False)
            elif step == "astrodrizzle":
                from drizzlepac import astrodrizzle
                # With both FLT and FLC present drizzlepac refuses the ASN ("Multiple valid
                # input files found"), as for archive data: drizzle the FLTs (as runastrodriz does).
                inp = asn if not glob.glob("*_flc.fits") else "*_flt.fits"
                out = None if inp == asn else asn.replace("_asn.fits", "")
                astrodrizzle.AstroDrizzle(inp, output=out, mdriztab=True, preserve=False, in_memory=True,
                                          clean=True, num_cores=1)
            else:
                from drizzlepac import runastrodriz
                runastrodriz.process(asn, force=True)
            status = "OK"
        except BaseException:
            status = "FAILED"
            ok = False
            traceback.print_exc()
        dt = time.time() - t0
        os.chdir(cwd)
        products = sorted(os.path.basename(p) for p in glob.glob(os.path.join(work, "*_dr[zc]*.fits")))
        print(f"== {step}: {status} in {dt:.1f} s; products: {products}; dir {work}", flush=True)
        if step == "updatewcs" and status == "OK":
            from astropy.io import fits
            f = sorted(glob.glob(os.path.join(work, "*_flt.fits")))[0]
            with fits.open(f) as h:
                print("   ", os.path.basename(f), [(x.name, x.ver) for x in h],
                      "WCSNAME", h["SCI", 1].header.get("WCSNAME"), "CRVAL", h["SCI", 1].header["CRVAL1"],
                      h["SCI", 1].header["CRVAL2"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/simir"))
