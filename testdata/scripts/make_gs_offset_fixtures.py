#!/usr/bin/env python3
"""Make the reference fixture for the guide-star-offset a priori WCS of `driz-align`
(`crates/driz-align/src/gs_offset.rs`, runastrodriz-spec §7.3).

What it runs (all reference code from the reference venv, stwcs 1.7.7):

1. ``target/release/driz simulate --instrument acs-wfc --exposures 1 --seed 7 --small``
   (deterministic for a seed) makes a small ACS/WFC exposure and its reference files;
2. ``stwcs.updatewcs.updatewcs(flc, use_db=False)`` gives it the pipeline-default WCS;
3. ``stwcs.updatewcs.astrometry_utils.AstrometryDB().updateObs(flc)`` against a loopback
   HTTP server: ``availability`` 200, ``observation/read/<id>`` 404 (a new observation:
   no database solution), and ``GSCConvert/GSCconvert.aspx`` answering, per scenario,
   * ``success``  a recorded-style XML with non-zero deltas (catalog GSC240),
   * ``zero``     ``Success`` with zero deltaRA/deltaDEC (no shift, catalog kept),
   * ``rejected`` a ``msg`` that does not start with ``Success``,
   * ``down``     nothing listening (``GSSS_WEBSERVICES_URL`` on a closed port).
   ``find_gsc_offset`` is also called on the fresh file to record the combined WCS
   (``build_reference_wcs``) and the pixel offset it computes.

The fixture ``testdata/gs_offset/gs_offset.json`` holds, per scenario, each chip's primary
WCS (CRVAL, CRPIX, CD, WCSNAME, WCSTYPE, HDRNAME), its alternate WCS names, every HDRLET
extension (EXTVER, HDRNAME, WCSNAME and the keywords of the embedded headerlet), the
headerlet files written and their keywords; plus the input WCS after updatewcs (so the
Rust test can first check that it starts from the same file). Floats are stored as
Python ``repr`` strings.

Run from the repository root after ``cargo build --release -p driz-cli``:

    .venv-ref/bin/python testdata/scripts/make_gs_offset_fixtures.py
"""

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIZ = os.path.join(REPO, "target", "release", "driz")
OUT = os.path.join(REPO, "testdata", "gs_offset")
SEED = 7
ROOT = "jsm001a1q"

GSC_SUCCESS = """<?xml version="1.0" encoding="utf-8"?>
<gsReference>
  <msg>Success GSC2-GAIA transformation</msg>
  <ipppssoot>JSM001A1Q</ipppssoot>
  <deltaRA>0.00009107</deltaRA>
  <deltaDEC>-0.00005216</deltaDEC>
  <deltaROLL>0.00123456</deltaROLL>
  <deltaSCALE>0.99998765</deltaSCALE>
  <dGSinputRA>150.13012</dGSinputRA>
  <dGSinputDEC>2.19035</dGSinputDEC>
  <dGSoutputRA>150.13021107</dGSoutputRA>
  <dGSoutputDEC>2.19029784</dGSoutputDEC>
  <outputCatalog>GSC240</outputCatalog>
</gsReference>
"""

GSC_ZERO = """<?xml version="1.0" encoding="utf-8"?>
<gsReference>
  <msg>Success no offset</msg>
  <deltaRA>0.0</deltaRA>
  <deltaDEC>0.0</deltaDEC>
  <deltaROLL>0.0</deltaROLL>
  <deltaSCALE>1.0</deltaSCALE>
  <dGSinputRA>150.13012</dGSinputRA>
  <dGSinputDEC>2.19035</dGSinputDEC>
  <dGSoutputRA>150.13012</dGSoutputRA>
  <dGSoutputDEC>2.19035</dGSoutputDEC>
  <outputCatalog>GAIAeDR3</outputCatalog>
</gsReference>
"""

GSC_REJECTED = """<?xml version="1.0" encoding="utf-8"?>
<gsReference>
  <msg>Failure: no guide star information for JSM001A1Q</msg>
</gsReference>
"""

SCENARIOS = {"success": GSC_SUCCESS, "zero": GSC_ZERO, "rejected": GSC_REJECTED, "down": None}


def r(x):
    return repr(float(x))


class Handler(http.server.BaseHTTPRequestHandler):
    gsc_answer = ""

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.endswith("/availability"):
            self._send(200, "text/xml", "<available/>")
        elif path.startswith("/astrometryDB/observation/read/"):
            self._send(404, "text/plain", "not found")
        elif path == "/GSCConvert/GSCconvert.aspx":
            self._send(200, "text/xml", Handler.gsc_answer)
        else:
            self._send(404, "text/plain", "not found")

    def _send(self, status, ctype, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def chip_wcs(hdr):
    return {
        "crval": [r(hdr["CRVAL1"]), r(hdr["CRVAL2"])],
        "crpix": [r(hdr["CRPIX1"]), r(hdr["CRPIX2"])],
        "cd": [[r(hdr["CD1_1"]), r(hdr["CD1_2"])], [r(hdr["CD2_1"]), r(hdr["CD2_2"])]],
    }


def headerlet_keys(h0):
    out = {}
    for k in ["DESTIM", "HDRNAME", "WCSNAME", "AUTHOR", "DESCRIP", "NMATCH", "CATALOG",
              "D_RA", "D_DEC", "D_ROLL", "D_SCALE"]:
        if k in h0:
            v = h0[k]
            if isinstance(v, float):
                v = r(v)
            elif v is not None and not isinstance(v, (int, str, bool)):
                v = str(v)
            out[k] = v
    return out


def describe(path):
    from astropy.io import fits
    from stwcs.wcsutil import altwcs
    res = {"chips": [], "hdrlets": []}
    with fits.open(path) as f:
        res["nextend"] = f[0].header.get("NEXTEND")
        res["nhdus"] = len(f)
        res["extnames"] = [hdu.header.get("EXTNAME", "PRIMARY") for hdu in f]
        for i, hdu in enumerate(f):
            name = hdu.header.get("EXTNAME", "")
            if name == "SCI":
                h = hdu.header
                c = chip_wcs(h)
                c["extver"] = h["EXTVER"]
                for k in ["WCSNAME", "WCSTYPE", "HDRNAME"]:
                    c[k.lower()] = h.get(k)
                c["orientat"] = r(h["ORIENTAT"])
                keys = [k for k in altwcs.wcskeys(h) if k != " "]
                c["alternates"] = {k: h.get("WCSNAME" + k) for k in keys}
                res["chips"].append(c)
            elif isinstance(hdu, fits.hdu.base.NonstandardExtHDU):
                hl = {"index": i, "extver": hdu.header.get("EXTVER"), "hdrname": hdu.header.get("HDRNAME"),
                      "wcsname": hdu.header.get("WCSNAME")}
                inner = hdu.headerlet
                hl["primary"] = headerlet_keys(inner[0].header)
                hl["sipwcs"] = [chip_wcs(x.header) for x in inner if x.header.get("EXTNAME") == "SIPWCS"]
                res["hdrlets"].append(hl)
    return res


def hlet_files(d):
    from astropy.io import fits
    out = {}
    for n in sorted(os.listdir(d)):
        if n.endswith("_hlet.fits"):
            with fits.open(os.path.join(d, n)) as f:
                out[n] = {"primary": headerlet_keys(f[0].header),
                          "sipwcs": [chip_wcs(x.header) for x in f if x.header.get("EXTNAME") == "SIPWCS"]}
    return out


def main():
    if not os.path.exists(DRIZ):
        sys.exit(f"{DRIZ} missing: cargo build --release -p driz-cli")
    tmp = tempfile.mkdtemp(prefix="gs_offset_")
    sim = os.path.join(tmp, "sim")
    subprocess.run([DRIZ, "simulate", "--instrument", "acs-wfc", "--exposures", "1", "--seed", str(SEED),
                    "--small", "--out", sim], check=True, capture_output=True)
    os.environ["jref"] = os.path.join(sim, "ref") + "/"

    from astropy.io import fits
    from stwcs.updatewcs import updatewcs
    from stwcs.updatewcs import astrometry_utils as au

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["ASTROMETRY_SERVICE_URL"] = base + "/astrometryDB/"
    os.environ.pop("RAISE_PIPELINE_ERRORS", None)
    os.environ.pop("ASTROMETRY_STEP_CONTROL", None)

    fixture = {"seed": SEED, "rootname": ROOT, "instrument": "acs-wfc", "small": True, "gsc_xml": {},
               "scenarios": {}}
    cwd = os.getcwd()
    for scenario, xml in SCENARIOS.items():
        d = os.path.join(tmp, scenario)
        os.makedirs(d)
        name = f"{ROOT}_flc.fits"
        path = os.path.join(d, name)
        shutil.copy(os.path.join(sim, name), path)
        updatewcs(path, use_db=False)
        if "input" not in fixture:
            fixture["input"] = describe(path)
        if xml is None:
            os.environ["GSSS_WEBSERVICES_URL"] = closed_port_url()
        else:
            os.environ["GSSS_WEBSERVICES_URL"] = base
            Handler.gsc_answer = xml
            fixture["gsc_xml"][scenario] = xml
        offsets = au.find_gsc_offset(path)
        ew = offsets["expwcs"]
        entry = {
            "offsets": {k: (r(v) if isinstance(v, float) else v) for k, v in offsets.items()
                        if k not in ("expwcs",)},
            "expwcs": {"crval": [r(v) for v in ew.wcs.crval], "crpix": [r(v) for v in ew.wcs.crpix],
                       "cd": [[r(v) for v in row] for row in ew.wcs.cd], "naxis": list(ew.pixel_shape),
                       "radesys": ew.wcs.radesys},
        }
        entry["offsets"]["delta_x"] = r(offsets["delta_x"])
        entry["offsets"]["delta_y"] = r(offsets["delta_y"])
        os.chdir(d)
        try:
            db = au.AstrometryDB()
            db.updateObs(path)
        finally:
            os.chdir(cwd)
        entry["output"] = describe(path)
        entry["hlet_files"] = hlet_files(d)
        fixture["scenarios"][scenario] = entry
    server.shutdown()
    shutil.rmtree(tmp)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "gs_offset.json"), "w") as f:
        json.dump(fixture, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.join(OUT, 'gs_offset.json')}")


if __name__ == "__main__":
    main()
