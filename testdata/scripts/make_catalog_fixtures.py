"""Recorded answers and reference values for crates/driz-catalog.

Run with the reference environment:
    /work/main/.venv-ref/bin/python testdata/scripts/make_catalog_fixtures.py

Writes testdata/catalog/:
* service answers in the catalog service's CSV layout (summary line, header row, CRLF):
  gaiaedr3_answer.csv, gsc242_answer.csv, twomass_answer.csv, error_answer.csv,
  empty_answer.csv. CONSTRUCTED: no recorded answer of the live service is available here;
  the column sets are those drizzlepac 3.11.0 expects per catalog (SUPPORTED_CATALOGS), the
  values are synthetic stars around a simulated ACS field (seeded RNG).
* observation_two_solutions.xml: astrometry-database XML with two <solution> elements and a
  <bestSolutionID>, CONSTRUCTED in the shape stwcs 1.7.7 parses (solution children,
  bestSolutionID anywhere in the tree).
* headerlet_opus.fits: the real WFC3/IR headerlet shared/data/hst/stwcs/ia1d23dmq_flt_hlet.fits
  (copied); headerlet_fit.fits: the same with WCSNAME/HDRNAME changed to an a posteriori
  name (CONSTRUCTED).
* gscconvert_success.xml / gscconvert_failure.xml: guide-star service answers; the numbers
  are the live-service values for j94f05bgq recorded in stwcs's test_astrometrydb.py
  (test_success_offsets); the XML wrapping is CONSTRUCTED.
* gaiaedr3_ref_cat.ecsv / gaiaedr3_refcatalog.cat: the catalog drizzlepac parsed from
  gaiaedr3_answer.csv, as it writes it (ECSV, and align.py's commented-header table).
* reference.json: Python str()/'{:.3f}' of many floats, astropy decimalyear of many dates,
  and drizzlepac's/stwcs's own parse of each answer above (obtained by running their code
  with requests.get replaced by a function serving these files), with the URLs they asked for.
"""

import json
import os
import random
import shutil
import struct
import sys
from pathlib import Path

import numpy as np
import requests
from astropy.io import fits
from astropy.time import Time
from astropy.wcs import WCS

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "testdata" / "catalog"
HST = Path("/work/shared/data/hst")
BASE = "http://catalog.invalid/webservices"
DB_BASE = "http://astrometrydb.invalid/portal/astrometryDB/"
GSSS_BASE = "http://gsss.invalid/webservices"


def bits(x):
    return struct.pack(">d", x).hex()


# ---------------------------------------------------------------- Python float formatting
def float_cases():
    rng = random.Random(12345)
    values = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-4, 1e-5, 9.999e-5, 0.00012345, 1e15, 1e16, 9999999999999998.0,
              1.5e16, 123456789012345678.0, 1e22, 1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
              150.1077916187, -72.181833, 0.0407, 2019.123456, 1 / 3, 2 / 3, 100.0, 1e100, 123.456e-10,
              float("inf"), float("-inf"), float("nan")]
    for _ in range(3000):
        e = rng.uniform(-30, 30)
        values.append(rng.choice([1, -1]) * 10 ** e)
    for _ in range(1000):
        values.append(struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0])
    for _ in range(500):
        values.append(round(rng.uniform(-360, 360), rng.randint(0, 12)))
    # Exact halfway cases between two shortest decimals (Python rounds these to even).
    for _ in range(500):
        values.append(rng.choice([1, -1]) * (rng.randint(2 ** 47, 2 ** 51) + rng.choice([0.25, 0.75, 0.125, 0.375])))
        values.append(rng.choice([1, -1]) * (rng.randint(2 ** 47, 2 ** 51) + rng.choice([0.25, 0.75])) * 2.0 ** rng.randint(-60, 60))
    cases = []
    for v in values:
        s = str(v)
        assert s == str(np.float64(v)), (v, s, str(np.float64(v)))
        assert s == "{}".format(np.float64(v))
        cases.append({"bits": bits(v), "str": s, "fixed3": "{:.3f}".format(v)})
    return cases


# ---------------------------------------------------------------- decimal year
def date_cases():
    rng = random.Random(777)
    texts = ["2019-02-13", "2000-01-01", "2000-12-31", "2016-12-31T23:59:60.5", "2016-12-31T23:59:59.6",
             "2016-12-31T12:00:00", "2015-06-30T23:59:60", "2019-12-31T23:59:59.5", "2019-12-31T23:59:59.4",
             "2020-02-29", "2002-03-07T01:02:03.456789", "1995-12-31T23:59:60.999", "2024-04-05T12:34:00",
             "2009-05-14 10:00", "1990-04-24"]
    for _ in range(400):
        y = rng.randint(1990, 2030)
        d = rng.randint(0, 364)
        t = Time(f"{y}-01-01") + d
        date = t.isot[:10]
        if rng.random() < 0.5:
            texts.append(date)
        else:
            texts.append(f"{date}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.uniform(0, 59.999):06.3f}")
    cases = []
    for text in texts:
        value = Time(text, scale="utc").decimalyear
        cases.append({"date": text, "bits": bits(float(value)), "value": float(value),
                      "epoch3": "{:.3f}".format(value)})
    return cases


# ---------------------------------------------------------------- service answers
def star_rows(rng, n, ra0, dec0):
    rows = []
    for i in range(n):
        ra = ra0 + rng.uniform(-0.03, 0.03)
        dec = dec0 + rng.uniform(-0.03, 0.03)
        mag = round(rng.uniform(14.0, 21.0), 4)
        rows.append((i, ra, dec, mag))
    return rows


def crlf(lines):
    return "\r\n".join(lines) + "\r\n"


def make_answers():
    rng = random.Random(2024)
    ra0, dec0 = 150.1183, 2.2058
    answers = {}

    gaia = ["ra,ra_error,dec,dec_error,pmra,pmra_error,pmdec,pmdec_error,mag,objID,epoch"]
    rows = star_rows(rng, 40, ra0, dec0)
    for i, ra, dec, mag in rows:
        gaia.append("{:.10f},{:.4f},{:.10f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{},{}".format(
            ra, rng.uniform(0.05, 1.5), dec, rng.uniform(0.05, 1.5), rng.gauss(0, 5), rng.uniform(0.05, 2),
            rng.gauss(0, 5), rng.uniform(0.05, 2), mag, 3837000000000000000 + 7919 * i, "2019.123"))
    answers["gaiaedr3"] = ("GAIAeDR3", crlf([f"Number of objects found: {len(rows)}"] + gaia))

    gsc = ["ra,raErr,dec,decErr,rapm,rapmErr,decpm,decpmErr,mag,objID,epoch"]
    rows = star_rows(rng, 25, ra0, dec0)
    for i, ra, dec, mag in rows:
        gsc.append("{:.8f},{:.3f},{:.8f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},N{:09d},{}".format(
            ra, rng.uniform(0.01, 0.3), dec, rng.uniform(0.01, 0.3), rng.gauss(0, 5), 1.0, rng.gauss(0, 5), 1.0,
            mag, 20000000 + 31 * i, "2016.0"))
    answers["gsc242"] = ("GSC242", crlf([f"Number of objects found: {len(rows)}"] + gsc))

    # Small (<= 16 rows, numpy sorts these with insertion sort) with exact magnitude ties.
    tm = ["ra,dec,mag,objid,jdate"]
    rows = star_rows(rng, 12, ra0, dec0)
    tie_mags = [15.123, 15.123, 16.5, 14.2, 16.5, 13.0, 15.123, 17.25, 12.5, 16.0, 13.75, 14.9]
    for (i, ra, dec, _), mag in zip(rows, tie_mags):
        tm.append("{:.6f},{:.6f},{:.3f},{},{}".format(ra, dec, mag, 1200000 + i, 2451234.5 + 0.25 * i))
    answers["twomass"] = ("2MASS", crlf([f"Number of objects found: {len(rows)}"] + tm))

    answers["empty"] = ("GAIAeDR3", crlf(["Number of objects found: 0", gaia[0]]))
    answers["error"] = ("GAIAeDR3", crlf(["Error: Cannot find table 0"]))
    for key, (_, text) in answers.items():
        (OUT / f"{key}_answer.csv").write_bytes(text.encode())
    return answers


class FakeResponse:
    def __init__(self, content, status=200):
        self.content = content
        self.status_code = status
        self.ok = status < 400
        self.reason = "OK" if status == 200 else "Error"
        self.text = content.decode(errors="replace")


def drizzlepac_parse(answers):
    import drizzlepac.haputils.astrometric_utils as au

    au.SERVICELOCATION = BASE
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [150.1183, 2.2058]
    wcs.wcs.crpix = [2048.0, 2048.0]
    wcs.wcs.cd = [[-1.3888e-5, 0.0], [0.0, 1.3888e-5]]
    wcs.pixel_shape = (4096, 4096)
    epoch = Time("2019-02-13").decimalyear

    results = {}
    for key, (catalog, text) in answers.items():
        if key == "error":
            continue
        seen = []

        def fake_get(url, headers=None, **kw):
            seen.append({"url": url, "headers": headers})
            return FakeResponse(text.encode())

        au.requests.get = fake_get
        # drizzlepac writes its reference catalog as ECSV (and align.py as a commented-header
        # table): keep those for the offline reader's tests.
        output = str(OUT / f"{key}_ref_cat.ecsv") if key == "gaiaedr3" else None
        table = au.create_astrometric_catalog(["dummy_flt.fits"], catalog=catalog, output=output, existing_wcs=wcs,
                                              user_epoch=epoch)
        if key == "gaiaedr3":
            table.write(str(OUT / f"{key}_refcatalog.cat"), format="ascii.fast_commented_header", overwrite=True)
        results[key] = {
            "catalog": catalog,
            "requests": seen,
            "rows": [[float(r["RA"]), float(r["DEC"]), float(r["mag"]), str(r["objID"])] for r in table],
        }

    # 'Error' first line: drizzlepac asks again without EPOCH.
    seen = []

    def error_then_good(url, headers=None, **kw):
        seen.append({"url": url, "headers": headers})
        body = answers["error"][1] if "EPOCH" in url else answers["gaiaedr3"][1]
        return FakeResponse(body.encode())

    au.requests.get = error_then_good
    table = au.create_astrometric_catalog(["dummy_flt.fits"], catalog="GAIAeDR3", output=None, existing_wcs=wcs,
                                          user_epoch=epoch)
    results["error_then_gaia"] = {
        "catalog": "GAIAeDR3",
        "requests": seen,
        "rows": [[float(r["RA"]), float(r["DEC"]), float(r["mag"]), str(r["objID"])] for r in table],
    }
    return results, {"ra": float(wcs.wcs.crval[0]), "dec": float(wcs.wcs.crval[1]),
                     "radius": float(au.compute_radius(wcs)), "epoch": float(epoch)}


# ---------------------------------------------------------------- astrometry database
OBS_XML = """<?xml version="1.0" encoding="utf-8"?>
<observation>
  <observationID>ia1d23dmq</observationID>
  <solutions>
    <solution>
      <solutionID>1</solutionID>
      <wcsName>IDC_w3m18525i</wcsName>
      <wcsType>undistorted a priori solution based on Pipeline Calibration</wcsType>
      <catalog></catalog>
      <rms_ra>0</rms_ra>
      <rms_dec>0</rms_dec>
    </solution>
    <solution>
      <solutionID>2</solutionID>
      <wcsName>IDC_w3m18525i-FIT_REL_GAIAeDR3</wcsName>
      <wcsType>a posteriori solution relatively aligned to GAIAeDR3</wcsType>
      <catalog>GAIAeDR3</catalog>
      <rms_ra>0.0123</rms_ra>
      <rms_dec>0.0145</rms_dec>
    </solution>
  </solutions>
  <bestSolutionID>2</bestSolutionID>
</observation>
"""

GSC_SUCCESS = """<?xml version="1.0" encoding="utf-8"?>
<gsReference>
  <msg>Success GSC2-GAIA transformation</msg>
  <ipppssoot>J94F05BGQ</ipppssoot>
  <deltaRA>0.00163279</deltaRA>
  <deltaDEC>-0.00024635</deltaDEC>
  <deltaROLL>0.05507061</deltaROLL>
  <deltaSCALE>0.99852027</deltaSCALE>
  <dGSinputRA>4.870375</dGSinputRA>
  <dGSinputDEC>-72.181833</dGSinputDEC>
  <dGSoutputRA>4.87200779</dGSoutputRA>
  <dGSoutputDEC>-72.18207935</dGSoutputDEC>
  <outputCatalog>GSC240</outputCatalog>
</gsReference>
"""

GSC_FAILURE = """<?xml version="1.0" encoding="utf-8"?>
<gsReference>
  <msg>Failure: no guide star information for J8DI67A2Q</msg>
</gsReference>
"""


def make_db_files():
    (OUT / "observation_two_solutions.xml").write_text(OBS_XML)
    shutil.copyfile(HST / "stwcs" / "ia1d23dmq_flt_hlet.fits", OUT / "headerlet_opus.fits")
    with fits.open(HST / "stwcs" / "ia1d23dmq_flt_hlet.fits") as h:
        h[0].header["WCSNAME"] = "IDC_w3m18525i-FIT_REL_GAIAeDR3"
        h[0].header["HDRNAME"] = "ia1d23dmq_flt_FIT_REL_GAIAeDR3"
        h[0].header["AUTHOR"] = "driz-catalog fixture"
        h[1].header["WCSNAME"] = "IDC_w3m18525i-FIT_REL_GAIAeDR3"
        h.writeto(OUT / "headerlet_fit.fits", overwrite=True)
    (OUT / "gscconvert_success.xml").write_text(GSC_SUCCESS)
    (OUT / "gscconvert_failure.xml").write_text(GSC_FAILURE)


def stwcs_parse():
    from stwcs.updatewcs import astrometry_utils as su

    hlets = {"IDC_w3m18525i": (OUT / "headerlet_opus.fits").read_bytes(),
             "IDC_w3m18525i-FIT_REL_GAIAeDR3": (OUT / "headerlet_fit.fits").read_bytes()}
    seen = []

    def fake_get(url, headers=None, **kw):
        seen.append({"url": url, "headers": headers})
        if url.endswith("availability"):
            return FakeResponse(b"<ok/>")
        if "?wcsname=" in url:
            return FakeResponse(hlets[url.split("?wcsname=")[1]])
        return FakeResponse(OBS_XML.encode())

    su.requests.get = fake_get
    for var in ("ASTROMETRY_STEP_CONTROL", "RAISE_PIPELINE_ERRORS", "ASTROMETRY_SERVICE_URL"):
        os.environ.pop(var, None)
    db = su.AstrometryDB(url=DB_BASE)
    headerlets, best = db.getObservation("ia1d23dmq")
    # getObservation keeps only the parsed dicts internally; re-parse the same way for the list.
    from io import BytesIO
    from lxml import etree
    root = etree.parse(BytesIO(OBS_XML.encode()))
    solutions = []
    for solution in root.iter("solution"):
        sinfo = {}
        for field in solution.iter():
            if field.tag != "solution":
                sinfo[field.tag] = field.text
        solutions.append([[k, v if v is not None else ""] for k, v in sinfo.items()])
    hdrnames = {k: h[0].header["HDRNAME"] for k, h in headerlets.items()}
    db_result = {"requests": seen, "best_wcs_name": best, "solutions": solutions, "hdrnames": hdrnames}

    # Guide-star offsets for the real j94f05bgq header (TAN-SIP IDC_qbu1641sj).
    gsc = {}
    for name, xml in (("success", GSC_SUCCESS), ("failure", GSC_FAILURE)):
        seen = []

        def fake_gsc(url, headers=None, **kw):
            seen.append({"url": url})
            return FakeResponse(xml.encode())

        su.requests.get = fake_gsc
        os.environ["GSSS_WEBSERVICES_URL"] = GSSS_BASE
        res = su.find_gsc_offset(str(HST / "astropy" / "j94f05bgq_flt.fits"))
        res.pop("expwcs")
        gsc[name] = {"requests": seen, **{k: (float(v) if isinstance(v, (float, np.floating)) else v)
                                          for k, v in res.items()}}
    os.environ.pop("GSSS_WEBSERVICES_URL")
    return db_result, gsc


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    answers = make_answers()
    catalogs, query = drizzlepac_parse(answers)
    make_db_files()
    db_result, gsc = stwcs_parse()
    reference = {
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "drizzlepac": __import__("drizzlepac").__version__, "stwcs": __import__("stwcs").__version__},
        "catalog_base_url": BASE,
        "db_base_url": DB_BASE,
        "gsss_base_url": GSSS_BASE,
        "query": query,
        "floats": float_cases(),
        "dates": date_cases(),
        "catalogs": catalogs,
        "astrometry_db": db_result,
        "gsc": gsc,
    }
    (OUT / "reference.json").write_text(json.dumps(reference, separators=(",", ":")) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
