"""Reference AstroDrizzle run (drizzlepac 3.11.0) on a `driz simulate` association.

    .venv-ref/bin/python testdata/scripts/astrodrizzle_reference_run.py SRC_DIR WORK_DIR \
        [--param name=value ...] [--mdriztab] [--kind auto|asn|flt|flc]

SRC_DIR is a pristine simulated association (ASN, FLT/FLC already through `driz updatewcs`,
ref/ with the reference files). It is never modified: WORK_DIR is deleted and re-created as a
fresh copy, and everything runs there.

Environment: jref and iref are set to WORK_DIR/ref/ (what ref/env.sh does).

AstroDrizzle is called on the ASN with updatewcs=False, build=True, clean=False,
preserve=False, in_memory=False, num_cores=1, mdriztab=False, and the output name left to
drizzlepac (taken from the ASN product). `--param name=value` overrides or adds keyword
arguments (values: True/False/None, int, float, else string; e.g. num_cores=None,
combine_type=median). `--mdriztab` sets mdriztab=True (the explicit run-control arguments
above still win over the table, as they do in drizzlepac).

FLT and FLC together: drizzlepac refuses an ASN whose members exist as both
("Multiple valid input files found"). `--kind auto` (default) then leaves the FLC files
out of the work copy (so the ASN resolves to the FLTs and the product is `<asn>_drz.fits`);
`--kind flc` leaves the FLTs out instead (product `_drc.fits`). The left-out files are listed
in run.json ("removed_files"): a driz run to be compared must see the same files.

Writes WORK_DIR/run.json: wall time of the AstroDrizzle call, peak RSS (this process and
waited-for children, from getrusage), all arguments, the product name and layout, MDRIZSKY
per chip read back from the inputs, CR pixel counts per chip (DQ bit crbit in the updated
input, zeros in `<root>_sci<N>_crmask.fits`), noteworthy log lines (warnings, skipped
steps, fallbacks), and the error text if AstroDrizzle raised. Exit status 0 on success,
1 if AstroDrizzle raised (run.json is written in both cases).
"""
import argparse
import glob
import json
import os
import resource
import shutil
import sys
import time
import traceback

DEFAULTS = dict(updatewcs=False, build=True, clean=False, preserve=False, in_memory=False,
                num_cores=1, mdriztab=False)

LOG_PATTERNS = ("warning", "reverting", "skipped", "skipping", "error", "fallback", "not found",
                "rejecting all", "could not", "unable", "deprecat", "all pixels", "no valid",
                "switching", "turned off", "recommend")


def parse_value(s):
    low = s.strip().lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if low in ("none", "null"):
        return None
    for conv in (int, float):
        try:
            return conv(s)
        except ValueError:
            pass
    return s


def read_back(work, asn_members, crbit):
    """MDRIZSKY and CR counts per chip from the updated inputs and the crmask files."""
    import numpy as np
    from astropy.io import fits
    chips = []
    for f in asn_members:
        root = os.path.basename(f).rsplit("_", 1)[0]
        with fits.open(os.path.join(work, f)) as h:
            prim_sky = h[0].header.get("MDRIZSKY")
            for hdu in h:
                if hdu.name != "SCI":
                    continue
                ver = hdu.ver
                dq = h["DQ", ver].data if ("DQ", ver) in h else None
                crm_file = os.path.join(work, f"{root}_sci{ver}_crmask.fits")
                crm_zeros = None
                if os.path.exists(crm_file):
                    crm = fits.getdata(crm_file)
                    crm_zeros = int(np.count_nonzero(crm == 0))
                chips.append(dict(
                    file=f, root=root, extver=ver, ccdchip=hdu.header.get("CCDCHIP"),
                    mdrizsky=hdu.header.get("MDRIZSKY"),
                    primary_mdrizsky=prim_sky,
                    cr_pixels_dq=None if dq is None else int(np.count_nonzero(dq.astype(np.int64) & crbit)),
                    cr_pixels_crmask=crm_zeros,
                    crmask_file=os.path.basename(crm_file) if os.path.exists(crm_file) else None,
                ))
    return chips


def notable_log_lines(work, limit=200):
    out = []
    for log in sorted(glob.glob(os.path.join(work, "*.log"))):
        with open(log, errors="replace") as fh:
            for line in fh:
                low = line.lower()
                if any(p in low for p in LOG_PATTERNS):
                    s = line.rstrip()
                    if s and s not in out:
                        out.append(s)
                    if len(out) >= limit:
                        return out
    return out


def product_layout(path):
    from astropy.io import fits
    with fits.open(path) as h:
        exts = [[x.name, x.ver, None if x.data is None else list(x.data.shape)] for x in h]
        p = h[0].header
        keys = {k: p.get(k) for k in ("EXPTIME", "TEXPTIME", "NDRIZIM", "NEXTEND", "EXPSTART", "EXPEND")}
        s = h["SCI"].header
        keys.update({k: s.get(k) for k in ("NAXIS1", "NAXIS2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CD1_1",
                                           "CD1_2", "CD2_1", "CD2_2", "ORIENTAT", "BUNIT")})
    return exts, keys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("work")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--mdriztab", action="store_true")
    ap.add_argument("--kind", choices=("auto", "asn", "flt", "flc"), default="auto",
                    help="which inputs when both FLT and FLC exist (auto = flt)")
    a = ap.parse_args(argv)

    src = os.path.abspath(a.src)
    work = os.path.abspath(a.work)
    if os.path.commonpath([src, work]) in (src, work):
        sys.exit("WORK_DIR must not be SRC_DIR or contain/lie inside it")
    asns = sorted(os.path.basename(p) for p in glob.glob(os.path.join(src, "*_asn.fits")))
    if len(asns) != 1:
        sys.exit(f"expected one *_asn.fits in {src}, found {asns}")
    asn = asns[0]
    flt = sorted(os.path.basename(p) for p in glob.glob(os.path.join(src, "*_flt.fits")))
    flc = sorted(os.path.basename(p) for p in glob.glob(os.path.join(src, "*_flc.fits")))
    kind = a.kind
    removed = []
    if kind == "auto":
        kind = "flt" if (flt and flc) else "asn"
    if kind in ("flt", "flc") and flt and flc:
        removed = list(flc if kind == "flt" else flt)
    # fresh copy, without the files of the other kind (not copied rather than deleted: less disk)
    shutil.rmtree(work, ignore_errors=True)
    t_copy = time.time()
    skip = set(removed)
    shutil.copytree(src, work, ignore=lambda d, names: [n for n in names if d == src and n in skip])
    t_copy = time.time() - t_copy
    members = flt if (kind == "flt" or (kind == "asn" and flt and not flc)) else flc
    if kind == "asn" and flt and flc:
        members = flt  # drizzlepac will refuse; recorded as the error

    params = dict(DEFAULTS)
    if a.mdriztab:
        params["mdriztab"] = True
    for p in a.param:
        if "=" not in p:
            sys.exit(f"--param expects name=value, got {p!r}")
        k, v = p.split("=", 1)
        params[k.strip()] = parse_value(v)

    os.environ["jref"] = os.path.join(work, "ref") + "/"
    os.environ["iref"] = os.path.join(work, "ref") + "/"
    os.environ.setdefault("ASTROMETRY_COMPUTE_APOSTERIORI", "off")
    os.environ.setdefault("ASTROMETRY_APPLY_APRIORI", "off")

    import drizzlepac
    from drizzlepac import astrodrizzle
    import stwcs

    cwd = os.getcwd()
    os.chdir(work)
    err = None
    t0 = time.time()
    try:
        astrodrizzle.AstroDrizzle(asn, **params)
    except BaseException as e:  # noqa: BLE001 - record anything, including SystemExit
        err = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        traceback.print_exc()
    wall = time.time() - t0
    os.chdir(cwd)
    ru_self = resource.getrusage(resource.RUSAGE_SELF)
    ru_children = resource.getrusage(resource.RUSAGE_CHILDREN)

    products = sorted(os.path.basename(p) for p in glob.glob(os.path.join(work, "*_dr[zcw].fits")))
    crbit = params.get("crbit", 4096) or 4096
    run = dict(
        src=src, work=work, asn=asn, input_kind=kind, removed_files=removed, members=members,
        params=params, mdriztab=params.get("mdriztab"), env=dict(jref=os.environ["jref"], iref=os.environ["iref"]),
        versions=dict(drizzlepac=drizzlepac.__version__, stwcs=stwcs.__version__, python=sys.version.split()[0]),
        copy_seconds=round(t_copy, 3), wall_seconds=round(wall, 3),
        cpu_seconds_self=round(ru_self.ru_utime + ru_self.ru_stime, 3),
        cpu_seconds_children=round(ru_children.ru_utime + ru_children.ru_stime, 3),
        peak_rss_mb_self=round(ru_self.ru_maxrss / 1024.0, 1),
        peak_rss_mb_largest_child=round(ru_children.ru_maxrss / 1024.0, 1),
        ok=err is None, error=err, products=products,
    )
    if products:
        try:
            exts, keys = product_layout(os.path.join(work, products[0]))
            run["product"] = products[0]
            run["product_extensions"] = exts
            run["product_keywords"] = keys
        except Exception as e:  # noqa: BLE001
            run["product_error"] = repr(e)
    run["intermediates"] = sorted(os.path.basename(p) for p in
                                  glob.glob(os.path.join(work, "*_single_*.fits")) +
                                  glob.glob(os.path.join(work, "*_med.fits")) +
                                  glob.glob(os.path.join(work, "*_blt.fits")) +
                                  glob.glob(os.path.join(work, "*_crmask.fits")) +
                                  glob.glob(os.path.join(work, "*_staticMask.fits")))
    try:
        run["chips"] = read_back(work, members, crbit)
    except Exception as e:  # noqa: BLE001
        run["chips_error"] = repr(e)
    run["log_notes"] = notable_log_lines(work)
    with open(os.path.join(work, "run.json"), "w") as fh:
        json.dump(run, fh, indent=1, default=str)

    print(f"== AstroDrizzle {'OK' if err is None else 'FAILED'} in {wall:.1f} s "
          f"(peak RSS {run['peak_rss_mb_self']} MB); product {products}; {work}/run.json")
    for c in run.get("chips", []):
        print(f"   {c['file']}[SCI,{c['extver']}] MDRIZSKY={c['mdrizsky']} CR(DQ&{crbit})={c['cr_pixels_dq']}"
              f" CR(crmask==0)={c['cr_pixels_crmask']}")
    if err:
        print("   error:", err.strip().splitlines()[-1])
    return 0 if err is None else 1


if __name__ == "__main__":
    sys.exit(main())
