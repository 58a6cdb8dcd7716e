#!/usr/bin/env python3
"""Make the astropy reference fixtures for driz's WCS layer.

What it computes
----------------
For every FITS file under the shared HST data directory (``*.fits`` and
``*.fits.gz``, found recursively) and every *image* HDU in it whose header
carries distortion keywords -- CTYPE1 ending in ``-SIP``, or ``CPDIS1``/
``CPDIS2``, or ``D2IMDIS1``/``D2IMDIS2``, or ``A_ORDER`` -- the script builds

    wcs = astropy.wcs.WCS(hdu.header, hdulist)

(the HDUList is passed so that the D2IMARR / WCSDVARR lookup tables load) and
evaluates, on a set of 1-based pixel positions (x, y):

    ra, dec = wcs.all_pix2world(x, y, 1)   # D2IM + SIP + NPOL + linear + TAN
    xf, yf  = wcs.pix2foc(x, y, 1)         # focal plane: D2IM, then SIP + NPOL

``xf, yf`` are in the same 1-based pixel frame as ``x, y`` (astropy adds the
distortion offsets to the D2IM-corrected pixel position; they are *not*
relative to CRPIX), so with no distortion ``xf == x`` and ``yf == y``.
astropy ignores LTV/LTM: pixel coordinates are the HDU's own array indices.

HDUs astropy.wcs cannot build are skipped and the reason is printed.
HDRLET extensions are not image HDUs; the FITS files embedded in them are only
read when ``--embedded-headerlets`` is given (off by default; see below).

Pixel extent (W, H) of a chip
    NAXIS1 x NAXIS2 if both are >= 64; otherwise the full-frame detector the
    WCS was written for: W = round(2*CRPIX1), H = round(2*CRPIX2) (Python
    round), each clamped to >= 64.  (Stub files with 10x10 or 0x1 data and
    header-only ERR/DQ extensions fall in the second case.)

Sample points (1-based pixel coordinates), in this order
    1. a regular 33 x 33 grid, x = linspace(1, W, 33), y = linspace(1, H, 33),
       row by row (x varies fastest); all four corners are included exactly;
    2. ``--n-random`` (default 200) uniform random sub-pixel points from
       ``numpy.random.default_rng(seed)``: first ``x = rng.uniform(0.5, W+0.5, N)``,
       then ``y = rng.uniform(0.5, H+0.5, N)``, where
       ``seed = zlib.crc32(f"{file}:{hdu_index}".encode())`` and ``file`` is the
       manifest "file" string below.

Outputs (paths relative to the repository root)
    testdata/wcs/<stem>.<extname-lowercase>-<extver>.csv
        <stem> is the file name without ``.fits``/``.fits.gz``.  When two source
        files share a stem (astropy/j94f05bgq_flt.fits and
        stwcs/j94f05bgq_flt.fits.gz do) the stem becomes
        ``<parent-dir>-<stem>`` for each of them.  An HDU without an EXTNAME
        keyword is named ``hdu<index>``; a missing EXTVER counts as 1.
        Each CSV starts with ``#`` comment lines (source file, HDU as
        ``EXTNAME,EXTVER`` and 0-based index, W and H, astropy version,
        distortions present, warnings astropy raised, and "# note:" lines for
        oddities: "-SIP" without coefficients, a distortion the header declares
        but astropy did not build, a lookup table smaller than the chip
        (astropy uses its edge values beyond it), non-zero LTV), then the header line
        ``x,y,ra,dec,xf,yf``, then one line per point, every value ``%.17g``.
    testdata/wcs/manifest.json
        a list of objects: {"file", "repo_file", "hdu_index", "extname",
        "extver", "csv", "width", "height", "extent_from", "distortions",
        "seed", "n_grid", "n_random", "warnings"} and, where the source file is
        also copied into testdata/hst/, "repo_copy".
        * "file": path of the source relative to the shared hst directory
          given on the command line, when "repo_file" is false;
          when "repo_file" is true the file was made by this script and lives
          in the repository, and "file" is relative to the repository root
          (``testdata/hst/j94f05bgq_updatewcs_flt.fits.gz``).
        * "extname": the EXTNAME keyword ("" if absent; the CSV then says hdu<i>).
        * "extent_from": "naxis" or "crpix" (which rule gave W, H).
        * "distortions": subset of ["SIP", "D2IM", "NPOL"] that astropy actually
          built (wcs.sip, wcs.det2im1/2, wcs.cpdis1/2 not None).
        * "hdrlet" (only with --embedded-headerlets): "EXTNAME,EXTVER" of the
          HDRLET extension; hdu_index is then the HDU index inside the embedded
          headerlet file, and the CSV is <stem>.hdrlet-<ver>.<ext>-<ver>.csv.
    testdata/hst/j94f05bgq_updatewcs_flt.fits.gz
        stwcs/j94f05bgq_flt.fits.gz (ACS/WFC, all-zero SCI 2x4096x2048) after
        ``stwcs.updatewcs.updatewcs(file, use_db=False)`` with its reference
        files postsm4_idc.fits (IDCTAB), qbu16424j_npl.fits (NPOLFILE) and
        new_wfc_d2i.fits (D2IMFILE) copied next to it (the header names them
        without a ``jref$`` prefix, so they are found in the working
        directory; the script runs updatewcs with cwd = a scratch directory in
        /tmp).  Saved with ``gzip -9 -n``.  updatewcs stamps dates into the
        headers, so a re-run changes the bytes: the file is therefore only made
        when it does not exist yet, or with ``--redo-updatewcs``.  Its CSVs are
        always recomputed from the saved file, and the script prints the
        worked-example check (SCI,1 at 1-based pixel (1000.5, 1500.25) must
        give RA 5.596288060878188, Dec -72.06569661440759).

Reference environment (what the committed fixtures were made with)
    astropy 8.0.2, stwcs 1.7.7, drizzlepac 3.11.0, numpy 2.4.6, Python 3.11.
    The astropy version actually used is written into every CSV and printed.

How to run (from the repository root)
    python3 -m venv .venv-ref
    .venv-ref/bin/pip install drizzlepac==3.11.0 drizzle==3.0.0 photutils==2.3.0
    .venv-ref/bin/python testdata/scripts/make_wcs_fixtures.py /work/shared/data/hst

The script rewrites testdata/wcs/ (old *.csv there are removed first).
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
import zlib

import numpy as np
import astropy
from astropy.io import fits
from astropy.wcs import WCS

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_WCS = os.path.join(REPO, "testdata", "wcs")
OUT_HST = os.path.join(REPO, "testdata", "hst")

UPDATEWCS_SRC = "stwcs/j94f05bgq_flt.fits.gz"
UPDATEWCS_REFS = ["stwcs/postsm4_idc.fits", "stwcs/qbu16424j_npl.fits",
                  "stwcs/new_wfc_d2i.fits"]
UPDATEWCS_OUT = "testdata/hst/j94f05bgq_updatewcs_flt.fits.gz"
MAX_UPDATEWCS_BYTES = 1_000_000

# Source files that are also copied byte-for-byte into testdata/hst/.
REPO_COPIES = [
    "stwcs/simple.fits",
    "astropy/dist_lookup.fits.gz",
    "drizzle-gh/test_drizzlepac_flt.fits",
    "astropy/ie6d07ujq_wcs.fits",
    "spherical_geometry/2chipA.fits.gz",
    "drizzlepac/sample_flc_header.fits",
]

WORKED_EXAMPLE = {"extname": "SCI", "extver": 1, "x": 1000.5, "y": 1500.25,
                  "ra": 5.596288060878188, "dec": -72.06569661440759}

GRID_N = 33
MIN_EXTENT = 64


def log(msg):
    print(msg, flush=True)


def stem_of(name):
    for suf in (".fits.gz", ".fits"):
        if name.endswith(suf):
            return name[: -len(suf)]
    return name


def is_fits_name(name):
    return name.endswith(".fits") or name.endswith(".fits.gz")


def has_distortion_keywords(hdr):
    ctype1 = str(hdr.get("CTYPE1", ""))
    if ctype1.strip().upper().endswith("-SIP"):
        return True
    return any(k in hdr for k in ("CPDIS1", "CPDIS2", "D2IMDIS1", "D2IMDIS2",
                                  "A_ORDER"))


def extent(hdr):
    """(W, H, rule) per the fixture rule described in the module docstring."""
    n1, n2 = hdr.get("NAXIS1"), hdr.get("NAXIS2")
    if int(hdr.get("NAXIS", 0) or 0) >= 2 and n1 is not None and n2 is not None \
            and n1 >= MIN_EXTENT and n2 >= MIN_EXTENT:
        return int(n1), int(n2), "naxis"
    w = max(MIN_EXTENT, int(round(2.0 * float(hdr.get("CRPIX1", 0.0)))))
    h = max(MIN_EXTENT, int(round(2.0 * float(hdr.get("CRPIX2", 0.0)))))
    return w, h, "crpix"


def sample_points(w, h, seed, n_random):
    gx = np.linspace(1.0, float(w), GRID_N)
    gy = np.linspace(1.0, float(h), GRID_N)
    xx, yy = np.meshgrid(gx, gy)  # row by row, x fastest
    rng = np.random.default_rng(seed)
    rx = rng.uniform(0.5, w + 0.5, n_random)
    ry = rng.uniform(0.5, h + 0.5, n_random)
    x = np.concatenate([xx.ravel(), rx])
    y = np.concatenate([yy.ravel(), ry])
    return x, y


def distortions_of(wcs):
    d = []
    if wcs.sip is not None:
        d.append("SIP")
    if wcs.det2im1 is not None or wcs.det2im2 is not None:
        d.append("D2IM")
    if wcs.cpdis1 is not None or wcs.cpdis2 is not None:
        d.append("NPOL")
    return d


def header_declares(hdr):
    """Distortions the header asks for (to flag ones astropy did not build)."""
    d = []
    if "A_ORDER" in hdr or "B_ORDER" in hdr:
        d.append("SIP")
    if "D2IMDIS1" in hdr or "D2IMDIS2" in hdr:
        d.append("D2IM")
    if "CPDIS1" in hdr or "CPDIS2" in hdr:
        d.append("NPOL")
    return d


def fmt_warning(w):
    msg = " ".join(str(w.message).split())
    return f"{w.category.__name__}: {msg}"


class Job:
    """One HDU to turn into a fixture."""

    def __init__(self, file_key, repo_file, hdulist, hdu_index, csv_base,
                 hdrlet=None, repo_copy=None):
        self.file_key = file_key
        self.repo_file = repo_file
        self.hdulist = hdulist
        self.hdu_index = hdu_index
        self.csv_base = csv_base
        self.hdrlet = hdrlet
        self.repo_copy = repo_copy


def hdu_label(hdu, index):
    extname = hdu.header.get("EXTNAME")
    extname = str(extname).strip() if extname is not None else ""
    extver = hdu.header.get("EXTVER", 1)
    try:
        extver = int(extver)
    except (TypeError, ValueError):
        extver = 1
    label = f"{extname.lower()}-{extver}" if extname else f"hdu{index}-{extver}"
    return extname, extver, label


def run_job(job, n_random, manifest, skipped):
    hdu = job.hdulist[job.hdu_index]
    hdr = hdu.header
    extname, extver, label = hdu_label(hdu, job.hdu_index)
    where = f"{job.file_key}[{job.hdu_index}] {extname or 'hdu' + str(job.hdu_index)},{extver}"
    if job.hdrlet:
        where = f"{job.file_key} {job.hdrlet} -> [{job.hdu_index}] {extname},{extver}"
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            wcs = WCS(hdr, job.hdulist)
        except Exception as exc:  # noqa: BLE001 -- report and skip
            msg = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            log(f"SKIP {where}: astropy.wcs cannot build it: {msg}")
            skipped.append({"where": where, "reason": msg})
            return
        w, h, rule = extent(hdr)
        seed_key = f"{job.file_key}:{job.hdu_index}"
        if job.hdrlet:
            seed_key = f"{job.file_key}:{job.hdrlet}:{job.hdu_index}"
        seed = zlib.crc32(seed_key.encode())
        x, y = sample_points(w, h, seed, n_random)
        ra, dec = wcs.all_pix2world(x, y, 1)
        xf, yf = wcs.pix2foc(x, y, 1)
    warns = []
    for wi in wlist:
        s = fmt_warning(wi)
        if s not in warns:
            warns.append(s)
    dist = distortions_of(wcs)
    declared = header_declares(hdr)
    notes = []
    for d in declared:
        if d not in dist:
            notes.append(f"header declares {d} but astropy did not build it")
    if str(hdr.get("CTYPE1", "")).strip().upper().endswith("-SIP") and wcs.sip is None:
        notes.append("CTYPE1 ends in -SIP but there are no SIP coefficients "
                     "(astropy evaluates it as plain TAN)")
    for name in ("det2im1", "det2im2", "cpdis1", "cpdis2"):
        tab = getattr(wcs, name)
        if tab is None:
            continue
        shape = tab.data.shape  # numpy order: (NAXIS2, NAXIS1)
        for ax, (n, cd, lim) in enumerate(zip(shape[::-1], tab.cdelt, (w, h)), 1):
            if ax == 2 and shape[0] == 1:
                continue  # 1-D table stored as 1 x N: only axis 1 is sampled
            if n * cd < lim:
                notes.append(f"{name} lookup table {shape[1]}x{shape[0]} (CDELT {cd:g}) "
                             f"covers ~{n * cd:g} px on axis {ax} < {lim}: astropy "
                             f"uses the edge values beyond it")
    for k in ("LTV1", "LTV2"):
        v = hdr.get(k)
        if v not in (None, 0, 0.0):
            notes.append(f"{k}={v} (ignored by astropy)")
    nonfinite = int(np.count_nonzero(~np.isfinite(np.stack([ra, dec, xf, yf]))))
    if nonfinite:
        notes.append(f"{nonfinite} non-finite output values")

    csv_name = f"{job.csv_base}.{label}.csv"
    n_grid = GRID_N * GRID_N
    lines = [
        f"# astropy.wcs reference fixture for driz (testdata/scripts/make_wcs_fixtures.py)",
        f"# source: {job.file_key}" + (" (repository file)" if job.repo_file else
                                       " (relative to the shared hst data directory)"),
    ]
    if job.hdrlet:
        lines.append(f"# embedded headerlet: {job.hdrlet}")
    lines += [
        f"# hdu: {extname or 'hdu' + str(job.hdu_index)},{extver} (0-based HDU index {job.hdu_index})",
        f"# extent: W={w} H={h} (from {rule}; header NAXIS1={hdr.get('NAXIS1')} NAXIS2={hdr.get('NAXIS2')} CRPIX1={hdr.get('CRPIX1')} CRPIX2={hdr.get('CRPIX2')})",
        f"# astropy: {astropy.__version__} numpy: {np.__version__}",
        f"# distortions: {','.join(dist) if dist else 'none'}",
        f"# ctype: {hdr.get('CTYPE1')},{hdr.get('CTYPE2')} wcsname: {hdr.get('WCSNAME', '')}",
        f"# points: {n_grid} grid (33x33 over [1,W]x[1,H], x fastest) then {n_random} random (seed {seed} = crc32('{seed_key}'))",
        "# ra,dec = wcs.all_pix2world(x, y, 1); xf,yf = wcs.pix2foc(x, y, 1) (1-based pixel frame)",
    ]
    for s in warns:
        lines.append(f"# astropy warning: {s}")
    for s in notes:
        lines.append(f"# note: {s}")
    lines.append("x,y,ra,dec,xf,yf")
    table = np.column_stack([x, y, ra, dec, xf, yf])
    with open(os.path.join(OUT_WCS, csv_name), "w", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
        np.savetxt(fh, table, fmt="%.17g", delimiter=",")

    entry = {
        "file": job.file_key,
        "repo_file": job.repo_file,
        "hdu_index": job.hdu_index,
        "extname": extname,
        "extver": extver,
        "csv": csv_name,
        "width": w,
        "height": h,
        "extent_from": rule,
        "distortions": dist,
        "seed": seed,
        "n_grid": n_grid,
        "n_random": n_random,
        "warnings": warns + notes,
    }
    if job.hdrlet:
        entry["hdrlet"] = job.hdrlet
    if job.repo_copy:
        entry["repo_copy"] = job.repo_copy
    manifest.append(entry)
    extra = f" | {'; '.join(warns + notes)}" if (warns or notes) else ""
    log(f"OK   {where}: {w}x{h} ({rule}) {'+'.join(dist) or 'no distortion'} -> {csv_name}{extra}")


def jobs_for_file(path, file_key, csv_stem, repo_file, embedded, repo_copy):
    """Open a FITS file; return (hdulist, [Job]) for its distortion HDUs."""
    jobs = []
    hl = fits.open(path)
    tables = {(h.name, h.ver) for h in hl if h.name in ("D2IMARR", "WCSDVARR")}
    used = set()
    for h in hl:
        for j in (1, 2):
            if f"D2IM{j}.EXTVER" in h.header:
                used.add(("D2IMARR", int(h.header[f"D2IM{j}.EXTVER"])))
            if f"DP{j}.EXTVER" in h.header:
                used.add(("WCSDVARR", int(h.header[f"DP{j}.EXTVER"])))
    for t in sorted(tables - used):
        log(f"note {file_key}: lookup extension {t[0]},{t[1]} is not referenced by any header")
    for i, hdu in enumerate(hl):
        if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)):
            if has_distortion_keywords(hdu.header):
                jobs.append(Job(file_key, repo_file, hl, i, csv_stem,
                                repo_copy=repo_copy))
        elif str(hdu.header.get("XTENSION", "")).strip() == "HDRLET":
            _, hver, _ = hdu_label(hdu, i)
            if not embedded:
                continue
            if hdu.header.get("COMPRESS", False):
                log(f"SKIP {file_key}[{i}] HDRLET,{hver}: compressed headerlet payload not handled")
                continue
            inner = fits.HDUList.fromstring(bytes(np.asarray(hdu.data).tobytes()))
            for j, ih in enumerate(inner):
                if isinstance(ih, (fits.PrimaryHDU, fits.ImageHDU)) and \
                        has_distortion_keywords(ih.header):
                    jobs.append(Job(file_key, repo_file, inner, j,
                                    f"{csv_stem}.hdrlet-{hver}",
                                    hdrlet=f"HDRLET,{hver}", repo_copy=repo_copy))
    return hl, jobs


def make_updatewcs_file(hst_dir, redo):
    out = os.path.join(REPO, UPDATEWCS_OUT)
    if os.path.exists(out) and not redo:
        log(f"updatewcs: {UPDATEWCS_OUT} exists, reusing it (--redo-updatewcs to remake)")
        return out
    from stwcs import __version__ as stwcs_version
    from stwcs import updatewcs
    scratch = tempfile.mkdtemp(prefix="driz_updatewcs_", dir="/tmp")
    fname = "j94f05bgq_flt.fits"
    with gzip.open(os.path.join(hst_dir, UPDATEWCS_SRC), "rb") as src, \
            open(os.path.join(scratch, fname), "wb") as dst:
        shutil.copyfileobj(src, dst)
    for ref in UPDATEWCS_REFS:
        shutil.copyfile(os.path.join(hst_dir, ref),
                        os.path.join(scratch, os.path.basename(ref)))
    hdr0 = fits.getheader(os.path.join(scratch, fname), 0)
    log(f"updatewcs: stwcs {stwcs_version}; primary header IDCTAB={hdr0.get('IDCTAB')!r} "
        f"NPOLFILE={hdr0.get('NPOLFILE')!r} D2IMFILE={hdr0.get('D2IMFILE')!r} in {scratch}")
    cwd = os.getcwd()
    os.chdir(scratch)  # the reference files are named relative to the cwd
    try:
        updatewcs.updatewcs(fname, use_db=False)
    finally:
        os.chdir(cwd)
    gz = subprocess.run(["gzip", "-9", "-n", "-c", os.path.join(scratch, fname)],
                        check=True, stdout=subprocess.PIPE).stdout
    log(f"updatewcs: gzip -9 -n size = {len(gz)} bytes")
    if len(gz) > MAX_UPDATEWCS_BYTES:
        log(f"updatewcs: larger than {MAX_UPDATEWCS_BYTES} bytes: NOT saved")
        shutil.rmtree(scratch)
        return None
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as fh:
        fh.write(gz)
    shutil.rmtree(scratch)
    return out


def check_worked_example(path):
    with fits.open(path) as hl:
        wcs = WCS(hl[(WORKED_EXAMPLE["extname"], WORKED_EXAMPLE["extver"])].header, hl)
        ra, dec = wcs.all_pix2world(WORKED_EXAMPLE["x"], WORKED_EXAMPLE["y"], 1)
    ra, dec = float(ra), float(dec)
    dra = (ra - WORKED_EXAMPLE["ra"]) * 3600e3 * np.cos(np.radians(dec))
    ddec = (dec - WORKED_EXAMPLE["dec"]) * 3600e3
    ok = abs(dra) < 1e-3 and abs(ddec) < 1e-3  # within 1 micro-arcsec
    log(f"worked example SCI,1 pixel ({WORKED_EXAMPLE['x']}, {WORKED_EXAMPLE['y']}) 1-based: "
        f"RA {ra!r} Dec {dec!r}; expected RA {WORKED_EXAMPLE['ra']!r} Dec {WORKED_EXAMPLE['dec']!r}; "
        f"diff {dra:.3g} / {ddec:.3g} mas -> {'OK' if ok else 'MISMATCH'}"
        f"{' (bit-identical)' if (ra == WORKED_EXAMPLE['ra'] and dec == WORKED_EXAMPLE['dec']) else ''}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("hst_dir", help="shared HST data directory (e.g. /work/shared/data/hst)")
    ap.add_argument("--n-random", type=int, default=200,
                    help="random sub-pixel points per HDU (default 200)")
    ap.add_argument("--redo-updatewcs", action="store_true",
                    help=f"remake {UPDATEWCS_OUT} even if it exists")
    ap.add_argument("--embedded-headerlets", action="store_true",
                    help="also make fixtures for the SIPWCS HDUs of headerlets "
                         "embedded in HDRLET extensions")
    args = ap.parse_args()
    hst_dir = os.path.abspath(args.hst_dir)

    log(f"astropy {astropy.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    os.makedirs(OUT_WCS, exist_ok=True)
    for f in os.listdir(OUT_WCS):
        if f.endswith(".csv"):
            os.remove(os.path.join(OUT_WCS, f))

    # (path, manifest "file", repo_file)
    sources = []
    for dirpath, dirnames, filenames in os.walk(hst_dir):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, hst_dir)
            if not is_fits_name(name):
                log(f"not FITS, ignored: {rel}")
                continue
            sources.append((p, rel, False))
    uw = make_updatewcs_file(hst_dir, args.redo_updatewcs)
    if uw is not None:
        sources.append((uw, UPDATEWCS_OUT, True))

    stems = {}
    for p, key, _ in sources:
        stems.setdefault(stem_of(os.path.basename(p)), []).append(key)

    manifest, skipped = [], []
    for p, key, repo_file in sources:
        stem = stem_of(os.path.basename(p))
        if len(stems[stem]) > 1:
            stem = f"{os.path.basename(os.path.dirname(key))}-{stem}"
        repo_copy = None
        if not repo_file and key in REPO_COPIES:
            repo_copy = f"testdata/hst/{os.path.basename(key)}"
        try:
            hl, jobs = jobs_for_file(p, key, stem, repo_file,
                                     args.embedded_headerlets, repo_copy)
        except Exception as exc:  # noqa: BLE001
            log(f"SKIP {key}: cannot open as FITS: {type(exc).__name__}: {exc}")
            skipped.append({"where": key, "reason": f"cannot open: {exc}"})
            continue
        if not jobs:
            log(f"no distortion keywords: {key}")
        for job in jobs:
            run_job(job, args.n_random, manifest, skipped)
        hl.close()

    with open(os.path.join(OUT_WCS, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")

    total = sum(os.path.getsize(os.path.join(OUT_WCS, e["csv"])) for e in manifest)
    log(f"\n{len(manifest)} CSV fixtures, {total} bytes; {len(skipped)} HDUs skipped")
    for s in skipped:
        log(f"  skipped {s['where']}: {s['reason']}")
    if uw is not None:
        ok = check_worked_example(uw)
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
