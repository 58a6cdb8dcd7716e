#!/usr/bin/env python3
"""Make the reference fixtures for the `driz-blend` crate (fitsblender header blending).

Every expected value comes from fitsblender 0.4.4 in the reference venv, called the way
drizzlepac 3.11's ``outputimage.getTemplates`` calls it for the final product:
``blendheaders.get_blended_headers(inputs=["<file>[SCI,<chip>]", ...], rules_file=None)``,
one entry per science chip, in drizzle order. For each case the JSON file holds

* ``headers``: a pool of input headers as card images (trailing blanks removed), each the
  header exactly as stored in the file (fitsblender reads PRIMARY, then SCI/ERR/DQ of the
  chip named in the input);
* ``inputs``: per chip, the pool keys of its primary, sci, err and dq headers;
* ``blended``: the four returned headers (primary, sci, err, dq) as card images;
* ``table``: the HDRTAB columns (name, numpy dtype, TFORM, values: floats as repr strings,
  "nan" included) and, for two cases, the HDRTAB extension header as astropy builds it;
* ``cleaned``: sci/err/dq after ``outputimage.cleanTemplates``;
* ``no_distortion``: the cleaned sci header after ``blendheaders.remove_distortion_keywords``.

The RULEFILE keyword holds the path of the rules file, so ``rules_dir`` records the
directory fitsblender was installed in.

Inputs: the simulated ACS/WFC and WFC3/IR sets in /work/refruns/data (read only), real
headers from /work/shared/data/hst (ACS/HRC, WFC3/IR grizli, WFPC2) and modified copies
of them written to a scratch directory (different EXPTIME, DATE-OBS, filters, a missing
keyword, a type change, another INSTRUME) to exercise every blending function and the
table's type guessing. Run from the repository root:

    .venv-ref/bin/python testdata/scripts/make_blend_fixtures.py
"""

import copy
import gzip
import json
import os
import shutil
import warnings

import numpy as np
from astropy.io import fits

import fitsblender
from fitsblender import blendheaders
from drizzlepac import outputimage

warnings.simplefilter("ignore")

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "testdata", "blend")
SCRATCH = "/work/scratch-blend/fixtures"
ACS4 = "/work/refruns/data/acs4"
IR4 = "/work/refruns/data/ir4"
HST = "/work/shared/data/hst"


def lines(hdr):
    text = hdr.tostring(sep="\n", endcard=False, padding=False)
    return [line.rstrip() for line in text.split("\n")] if text else []


def value(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


def parse_spec(spec):
    name, ext = spec[:-1].split("[")
    extname, ver = ext.split(",")
    return name, int(ver)


def raw_headers(spec, pool):
    """Pool keys of the headers fitsblender reads for one input, as stored in the file."""
    name, chip = parse_spec(spec)
    keys = {}
    with fits.open(name) as hdul:
        names = [h.name for h in hdul]
        for role, ext in (("primary", 0), ("sci", ("SCI", chip)), ("err", ("ERR", chip)), ("dq", ("DQ", chip))):
            if role in ("err", "dq") and ext[0] not in names:
                keys[role] = None
                continue
            text = lines(hdul[ext].header)
            key = None
            for k, v in pool.items():
                if v == text:
                    key = k
            if key is None:
                key = f"h{len(pool)}"
                pool[key] = text
            keys[role] = key
    return keys


def make_case(case, specs, description, table_header=False):
    os.makedirs(os.path.join(SCRATCH, "cwd"), exist_ok=True)
    here = os.getcwd()
    os.chdir(os.path.join(SCRATCH, "cwd"))  # no local *.rules file may be picked up
    try:
        blended, table = blendheaders.get_blended_headers(inputs=list(specs), rules_file=None)
    finally:
        os.chdir(here)
    pool = {}
    inputs = []
    for spec in specs:
        keys = raw_headers(spec, pool)
        keys["name"] = os.path.basename(spec)
        inputs.append(keys)
    columns = []
    for col in table.columns:
        data = table.data[col.name]
        columns.append(
            {
                "name": col.name,
                "dtype": data.dtype.str,
                "tform": str(col.format),
                "values": [value(v) for v in data],
            }
        )
    cleaned = [copy.deepcopy(h) for h in blended[1:]]
    outputimage.cleanTemplates(*cleaned)
    nodist = copy.deepcopy(cleaned[0])
    blendheaders.remove_distortion_keywords(nodist)
    out = {
        "case": case,
        "description": description,
        "fitsblender": fitsblender.__version__,
        "rules_dir": os.path.dirname(blendheaders.__file__),
        "inputs": inputs,
        "headers": pool,
        "blended": {k: lines(h) for k, h in zip(["primary", "sci", "err", "dq"], blended)},
        "table": {"rows": len(table.data), "columns": columns, "header": lines(table.header) if table_header else None},
        "cleaned": {k: lines(h) for k, h in zip(["sci", "err", "dq"], cleaned)},
        "no_distortion": lines(nodist),
    }
    path = os.path.join(OUT, f"{case}.json")
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(specs)} inputs, {len(columns)} columns, {os.path.getsize(path)} bytes")


def scratch_copy(src, name):
    dst = os.path.join(SCRATCH, name)
    if src.endswith(".gz"):
        with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
            shutil.copyfileobj(fin, fout)
    else:
        shutil.copy(src, dst)
    os.chmod(dst, 0o644)
    return dst


def modified_copy(src, name, edits):
    """Copy `src` to scratch as `name`, applying edits {ext: {keyword: value or None}}."""
    dst = os.path.join(SCRATCH, name)
    with fits.open(src) as hdul:
        for ext, changes in edits.items():
            hdr = hdul[ext].header
            for kw, v in changes.items():
                if v is None:
                    del hdr[kw]
                else:
                    hdr[kw] = v
        hdul.writeto(dst, overwrite=True)
    return dst


def main():
    os.makedirs(OUT, exist_ok=True)
    if os.path.exists(SCRATCH):
        shutil.rmtree(SCRATCH)
    os.makedirs(SCRATCH)

    specs = [f"{ACS4}/jsm001a{i}q_flt.fits[SCI,{c}]" for i in range(1, 5) for c in (1, 2)]
    make_case("acs_wfc_sim", specs, "4 simulated ACS/WFC FLTs, 2 chips each, as drizzlepac passes them", True)

    specs = [f"{IR4}/ism001a{i}q_flt.fits[SCI,1]" for i in range(1, 5)]
    make_case("wfc3_ir_sim", specs, "4 simulated WFC3/IR FLTs")

    ir_real = []
    for root in ["ib6o23rtq", "ib6o23rwq", "ib6o23rzq", "ib6o23s2q"]:
        ir_real.append(scratch_copy(f"{HST}/grizli-wfc3ir/{root}_flt.fits.gz", f"{root}_flt.fits"))
    make_case("wfc3_ir_real", [f"{p}[SCI,1]" for p in ir_real], "4 real WFC3/IR F140W FLTs (grizli)", True)

    hrc = scratch_copy(f"{HST}/drizzle-testdata-deb/j8bt06nyq_flt.fits", "j8bt06nyq_flt.fits")
    hrc_a = modified_copy(
        hrc,
        "j8bt06nzq_flt.fits",
        {
            0: {
                "ROOTNAME": "j8bt06nzq",
                "FILENAME": "j8bt06nzq_flt.fits",
                "EXPTIME": 120.0,
                "EXPSTART": 52377.5,
                "EXPEND": 52377.6,
                "DATE-OBS": "2002-04-12",
                "FILTER1": "F435W",
                "PROPOSID": 9019.5,
                "PR_INV_L": None,
                "SUBARRAY": True,
            },
            1: {"PHOTFLAM": 3.1e-19, "GOODMAX": 12345.5, "SNRMAX": 99.0, "NCOMBINE": 2, "ORIENTAT": -10.25},
            2: {"BUNIT": "ELECTRONS"},
        },
    )
    hrc_b = modified_copy(
        hrc,
        "j8bt06o0q_flt.fits",
        {
            0: {
                "ROOTNAME": "j8bt06o0q",
                "FILENAME": "j8bt06o0q_flt.fits",
                "EXPTIME": 30,
                "EXPSTART": 52376.9,
                "CRSPLIT": "2",
                "SUNANGLE": 101,
            },
            1: {"PHOTFLAM": 2.0e-19, "GOODMIN": -5.5, "SNRMEAN": 3, "CCDCHIP": 2},
            3: {"BUNIT": None},
        },
    )
    make_case(
        "acs_hrc_modified",
        [f"{p}[SCI,1]" for p in (hrc, hrc_a, hrc_b)],
        "real ACS/HRC FLT plus two modified copies (EXPTIME/DATE-OBS/filter/type changes, a missing keyword)",
    )
    make_case(
        "mixed_instruments",
        [f"{hrc}[SCI,1]", f"{ir_real[0]}[SCI,1]", f"{hrc_a}[SCI,1]"],
        "ACS/HRC and WFC3/IR together: two rule sets merged",
    )
    for inst, root in (("STIS", "o8bt06nyq"), ("NICMOS", "n8bt06nyq"), ("FOC", "x8bt06nyq")):
        other = modified_copy(hrc, f"{root}_flt.fits", {0: {"INSTRUME": inst, "ROOTNAME": root}})
        other_a = modified_copy(hrc_a, f"{root}a_flt.fits", {0: {"INSTRUME": inst}})
        make_case(
            f"instrume_{inst.lower()}",
            [f"{other}[SCI,1]", f"{other_a}[SCI,1]"],
            f"ACS/HRC headers relabelled INSTRUME={inst} (selects that rules file, or the HST default)",
        )

    # WFPC2: fitsblender converts waivered FITS to a MEF (_c0h) next to the input.
    c0f = scratch_copy(f"{HST}/stwcs/u40x010hm_c0f.fits", "u40x010hm_c0f.fits")
    scratch_copy(f"{HST}/stwcs/u40x010hm_c1f.fits", "u40x010hm_c1f.fits")
    blendheaders.getSingleTemplate(f"{c0f}[SCI,1]")
    c0h = os.path.join(SCRATCH, "u40x010hm_c0h.fits")
    c0h_b = modified_copy(
        c0h, "u40x010im_c0h.fits", {0: {"ROOTNAME": "U40X010IM", "EXPTIME": 40.0, "FILTNAM1": "F814W"}}
    )
    make_case(
        "wfpc2",
        [f"{p}[SCI,{c}]" for p in (c0h, c0h_b) for c in (1, 2, 3, 4)],
        "real WFPC2 u40x010hm (4 chips, converted to MEF by fitsblender) plus a modified copy",
    )
    shutil.rmtree(SCRATCH)


if __name__ == "__main__":
    main()
