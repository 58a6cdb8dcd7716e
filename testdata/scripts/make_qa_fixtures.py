#!/usr/bin/env python3
"""Reference fixtures for runastrodriz's quality-analysis JSON files
(``drizzlepac.haputils.quality_analysis``, run when PIPELINE_QUALITY_TESTING is on), and
a comparison with driz's port (``driz_align::quality_analysis``) on the same simulated
associations. Run from the repository root with the reference venv:

    .venv-ref/bin/python testdata/scripts/make_qa_fixtures.py [--keep]

Two cases, each on two copies of a dataset in /work/scratch-qa (the originals are never
touched) with the loopback catalog service (catalog_service.py) serving its Gaia catalog:

* ``ir4`` (WFC3/IR, 4 FLTs): runastrodriz's call. drizzlepac ``align.perform_align`` (the
  pipeline's catalogs, MAX_SOURCES_PER_CHIP, update_hdr_wcs=True) then ``run_all(asn,
  files, catalogs=<alignment table>)``. The relative residuals find too few matches
  (tangent-plane scale < 1: the 2-D histogram is off by a pixel, the tolerance is one
  pixel), so only the ``*_gaia_fit_resids.json`` files are written.
* ``acs4s`` (small ACS/WFC, 4 two-chip FLCs): the relative residuals' success path.
  perform_align runs (its absolute fit fails on this small field, the extracted sources are
  what matters), the last file's WCSNAME is set to a FIT name (only the last one is read)
  and ``determine_alignment_residuals`` is called directly with the extracted sources.

driz runs the example ``qa_run`` of driz-align (perform_align + the port, same fixed time
stamp) on the second copy; the documents are compared key by key (layout identical, fit
numbers reported). Written to testdata/qa/:

* ``<case>/*.json``: drizzlepac's documents, time stamps replaced by fixed values;
* ``<case>/inputs.json``: what the Rust test feeds the port to reproduce them without the
  images: per exposure the primary header and per chip the final SCI header and the
  sources drizzlepac extracted; the distortion tables (identical for all exposures, kept
  once, as shortest float32 text); for ``ir4`` the selected fit's fit_info per chip with
  the corrected chip WCS (linear part) and the reference catalog;
* ``comparison.json``: the driz-vs-drizzlepac differences (for the report; not read by the
  tests).
"""

import glob
import json
import logging
import math
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRATCH = "/work/scratch-qa"
OUT = os.path.join(ROOT, "testdata", "qa")
# Simulated associations (already through updatewcs): name -> (directory, instrument, detector).
DATASETS = {
    "ir4": ("/work/refruns/data/ir4", "wfc3", "ir"),
    "acs4s": ("/work/refruns/data/acs4s", "acs", "wfc"),
}

# Fixed values written in place of the run's time stamps (driz's example is given the same
# ones). The commit id of an installed drizzlepac is always "main".
TIMESTAMP = "01/02/2024T03:04:05"
EPOCH_SECONDS = 1704164645.25

warnings.simplefilter("ignore")


def copy_inputs(data, dst):
    """Copy the association and its cal files; the FLCs are the files aligned when present."""
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    flc = sorted(glob.glob(os.path.join(data, "*_flc.fits")))
    files = []
    for f in flc or sorted(glob.glob(os.path.join(data, "*_flt.fits"))):
        shutil.copy(f, dst)
        files.append(os.path.basename(f))
    asn = os.path.basename(glob.glob(os.path.join(data, "*_asn.fits"))[0])
    shutil.copy(os.path.join(data, asn), dst)
    from astropy.io import fits

    for f in files:  # analyze_data reads SCAN_TYP for WFC3
        with fits.open(os.path.join(dst, f), mode="update") as h:
            h[0].header.setdefault("SCAN_TYP", "N")
    return asn, files


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def normalise(doc):
    gi = doc["general information"]
    gi["generation date"], gi["generation time"] = TIMESTAMP.split("T")
    gi["seconds since epoch"] = EPOCH_SECONDS
    return doc


def f64(x):
    return float(x)


def card_images(header):
    return [str(c.image) for c in header.cards]


def lookup_tables(hdul):
    out = []
    for h in hdul:
        if h.name in ("D2IMARR", "WCSDVARR"):
            out.append(
                {
                    "extname": h.name,
                    "extver": int(h.header.get("EXTVER", 1)),
                    "header": card_images(h.header),
                    "naxis": [int(h.header["NAXIS1"]), int(h.header["NAXIS2"])],
                    # Shortest float32 text: Rust reads it back exactly as f32.
                    "data": [float(str(v)) for v in h.data.astype("float32").ravel()],
                }
            )
    return out


def run_drizzlepac(work, asn, files, inst, det, relative_only=None):
    from astropy.io import fits
    from drizzlepac import align
    from drizzlepac.haputils import quality_analysis as qa

    cwd = os.getcwd()
    os.chdir(work)
    try:
        pars = align.get_default_pars(inst, det)
        table = align.perform_align(
            files,
            catalog_list=pars["run_align"]["catalog_list"],
            num_sources=pars["general"]["MAX_SOURCES_PER_CHIP"],
            update_hdr_wcs=True,
            runfile="qa_align.log",
            clobber=False,
            output=False,
            debug=False,
            sat_flags=256 + 2048 + 4096 + 8192,
        )
        t0 = time.time()
        if relative_only is None:
            assert table is not None and all(r["status"] == 0 for r in table.filtered_table)
            qa.run_all(asn, files, catalogs=table)
        else:
            # Only the last file's WCSNAME decides whether the relative residuals are written.
            with fits.open(files[-1], mode="update") as h:
                h["SCI", 1].header["WCSNAME"] = relative_only
            qa.determine_alignment_residuals(
                asn,
                files,
                catalogs=[table.extracted_sources[f] for f in files],
                json_timestamp=TIMESTAMP,
                json_time_since_epoch=EPOCH_SECONDS,
            )
        elapsed = time.time() - t0
        written = sorted(glob.glob("*_cal_qa_*.json"))
        inputs = dump_inputs(files, table)
    finally:
        os.chdir(cwd)
    return written, inputs, elapsed


def dump_inputs(files, table):
    from astropy.io import fits

    exposures = []
    for f in files:
        with fits.open(f) as h:
            chips = []
            cat = table.extracted_sources[f]
            for chip in sorted(cat):
                sci = h["SCI", chip]
                t = cat[chip]
                xcol = "x" if "x" in t.colnames else "xcentroid"
                ycol = "y" if "y" in t.colnames else "ycentroid"
                chips.append(
                    {
                        "extver": chip,
                        "header": card_images(sci.header),
                        "x": [f64(v) for v in t[xcol]],
                        "y": [f64(v) for v in t[ycol]],
                    }
                )
            tables = lookup_tables(h)
            # The distortion tables come from the same reference files: kept once.
            if exposures:
                assert tables == first_tables, f"{f}: other distortion tables"
            else:
                first_tables = tables
            exposures.append({"name": f, "primary": card_images(h[0].header), "chips": chips})
    if not table.selected_fit:
        return {"exposures": exposures, "tables": first_tables}
    selected = []
    catname = table.selected_fit[0].meta["fit_info"]["catalog"]
    for img in table.selected_fit:
        fi = img.meta["fit_info"]
        w = img.wcs
        entry = {
            "name": img.meta["filename"],
            "chip": int(img.meta["chip"]),
            "group_id": int(img.meta["group_id"]),
            "status": fi["status"],
            "wcs": {
                "crpix": [f64(v) for v in w.wcs.crpix],
                "crval": [f64(v) for v in w.wcs.crval],
                "cd": [[f64(v) for v in row] for row in w.wcs.cd],
                "ctype": list(w.wcs.ctype),
            },
        }
        if "fitmask" in fi:
            entry.update(
                {
                    "shift": [f64(v) for v in fi["shift"]],
                    "matrix": [[f64(v) for v in row] for row in fi["matrix"]],
                    "rot": [f64(v) for v in fi["rot"]],
                    "mean_rot": f64(fi["<rot>"]),
                    "scale": [f64(v) for v in fi["scale"]],
                    "mean_scale": f64(fi["<scale>"]),
                    "skew": f64(fi["skew"]),
                    "nmatches": int(fi["nmatches"]),
                    "matched_ref_idx": [int(v) for v in fi["matched_ref_idx"]],
                    "matched_input_idx": [int(v) for v in fi["matched_input_idx"]],
                    "fitmask": [bool(v) for v in fi["fitmask"]],
                    "fit_ra": [f64(v) for v in fi["fit_RA"]],
                    "fit_dec": [f64(v) for v in fi["fit_DEC"]],
                }
            )
        selected.append(entry)
    ref = table.reference_catalogs[catname]
    return {
        "exposures": exposures,
        "tables": first_tables,
        "selected_fit": selected,
        "catalog": catname,
        "reference": {"ra": [f64(v) for v in ref["RA"]], "dec": [f64(v) for v in ref["DEC"]]},
    }


def run_driz(work, asn, files, url, relative_only=None):
    env = dict(os.environ, ASTROMETRIC_CATALOG_URL=url, CARGO_TARGET_DIR=os.environ.get("CARGO_TARGET_DIR", "/work/target-qa"))
    cmd = ["cargo", "run", "-q", "-p", "driz-align", "--example", "qa_run", "--", work, asn, TIMESTAMP, repr(EPOCH_SECONDS)]
    if relative_only is not None:
        cmd += ["--relative-only", relative_only]
    cmd += [os.path.join(work, f) for f in files]
    t0 = time.time()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)
    return sorted(glob.glob(os.path.join(work, "*_cal_qa_*.json"))), time.time() - t0


def structure(doc, path=""):
    """(path, kind) of every node, in document order; lists of numbers are one node."""
    out = []
    if isinstance(doc, dict):
        out.append((path, "object", tuple(doc.keys())))
        for k, v in doc.items():
            out += structure(v, f"{path}/{k}")
    elif isinstance(doc, list) and doc and all(isinstance(v, (int, float)) for v in doc):
        out.append((path, "numbers"))
    elif isinstance(doc, list):
        out.append((path, "list", len(doc)))
        for i, v in enumerate(doc):
            out += structure(v, f"{path}/{i}")
    else:
        out.append((path, type(doc).__name__))
    return out


def compare(ref_doc, driz_doc):
    """Differences of the fit results; the layout must agree (asserted)."""
    ref_fit_key = [k for k in ref_doc["data"] if k.endswith("fit_results")][0]
    ref_res_key = [k for k in ref_doc["data"] if k.endswith("residuals")][0]
    assert list(ref_doc.keys()) == list(driz_doc.keys())
    # The headers are the files' own: only the software-version keywords may differ (driz's
    # alignment also writes them at another place in the header).
    assert sorted(ref_doc["header"]) == sorted(driz_doc["header"]), "header keywords differ"
    header_diffs = {k: [v, driz_doc["header"][k]] for k, v in ref_doc["header"].items() if driz_doc["header"][k] != v}
    assert set(header_diffs) <= {"UPWCSVER", "PYWCSVER"}, header_diffs
    assert ref_doc["general information"] == driz_doc["general information"], (
        ref_doc["general information"],
        driz_doc["general information"],
    )
    for key in ref_doc["data"]:
        a, b = ref_doc["data"][key], driz_doc["data"][key]
        assert list(a.keys()) == list(b.keys()), (key, list(a.keys()), list(b.keys()))
        for k in ("original format", "description", "descriptions", "units"):
            assert a[k] == b[k], (key, k, a[k], b[k])
        assert list(a["data"].keys()) == list(b["data"].keys()), (key, list(a["data"]), list(b["data"]))
    fr, fd = ref_doc["data"][ref_fit_key]["data"], driz_doc["data"][ref_fit_key]["data"]
    diffs = {}
    for k, v in fr.items():
        w = fd[k]
        if isinstance(v, (int, float)) and v is not None and w is not None:
            diffs[k] = {"drizzlepac": v, "driz": w, "diff": w - v}
        elif isinstance(v, list):
            diffs[k] = {"drizzlepac": v, "driz": w, "diff": [b - a for a, b in zip(v, w)]}
        else:
            assert v == w, (k, v, w)
    tr = ref_doc["data"][ref_res_key]["data"]
    td = driz_doc["data"][ref_res_key]["data"]
    for col in tr:
        assert {k: v for k, v in tr[col].items() if k != "data"} == {k: v for k, v in td[col].items() if k != "data"}
    diffs["rows"] = {"drizzlepac": len(next(iter(tr.values()))["data"]), "driz": len(next(iter(td.values()))["data"])}
    return diffs


def run_case(name, relative_only=None):
    """Both implementations on copies of dataset `name`; fixtures and differences."""
    data, inst, det = DATASETS[name]
    os.environ["iref"] = os.environ["jref"] = os.path.join(data, "ref") + "/"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    os.environ["ASTROMETRIC_CATALOG_URL"] = url
    service = subprocess.Popen([sys.executable, os.path.join(ROOT, "testdata", "scripts", "catalog_service.py"), data, str(port)])
    try:
        for _ in range(50):  # until the service listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ref_dir = os.path.join(SCRATCH, name, "drizzlepac")
        driz_dir = os.path.join(SCRATCH, name, "driz")
        asn, files = copy_inputs(data, ref_dir)
        copy_inputs(data, driz_dir)
        written, inputs, t_ref = run_drizzlepac(ref_dir, asn, files, inst, det, relative_only)
        driz_written, t_driz = run_driz(driz_dir, asn, files, url, relative_only)
    finally:
        service.terminate()
        service.wait()

    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, "*.json")):
        os.remove(old)
    report = {"files": {}, "drizzlepac_qa_s": t_ref, "driz_align_and_qa_s": t_driz}
    ref_names = [os.path.basename(w) for w in written]
    driz_names = [os.path.basename(w) for w in driz_written]
    report["drizzlepac_files"], report["driz_files"] = ref_names, driz_names
    for fname in ref_names:
        with open(os.path.join(ref_dir, fname)) as fh:
            doc = normalise(json.load(fh))
        with open(os.path.join(out, fname), "w") as fh:
            json.dump(doc, fh, indent=4)
        if fname in driz_names:
            with open(os.path.join(driz_dir, fname)) as fh:
                report["files"][fname] = compare(doc, json.load(fh))
    with open(os.path.join(out, "inputs.json"), "w") as fh:
        json.dump(inputs, fh)
    return report


def main():
    keep = "--keep" in sys.argv
    logging.disable(logging.CRITICAL)
    report = {
        # runastrodriz's call after a successful a posteriori alignment.
        "ir4": run_case("ir4"),
        # The relative residuals' success path on a two-chip detector.
        "acs4s": run_case("acs4s", relative_only="IDC_simacs-FIT_REL_GAIAeDR3"),
    }
    with open(os.path.join(OUT, "comparison.json"), "w") as fh:
        json.dump(report, fh, indent=1)
    print(json.dumps(report, indent=1))
    if not keep:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
