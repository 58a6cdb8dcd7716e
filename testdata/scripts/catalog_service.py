"""A loopback stand-in for the astrometric catalog service and the astrometry database,
for comparing driz and drizzlepac's runastrodriz on simulated data without network.

    python catalog_service.py DATASET_DIR PORT

* GET /vo/CatalogSearch.aspx?...&EPOCH=e  -> DATASET_DIR/gaia_catalog.csv with positions
  propagated from 2016.0 to EPOCH (the real service applies proper motions); CAT other
  than GAIA* answers an empty table.
* GET /astrometryDB/availability -> 200; /astrometryDB/observation/read/<id> -> 404
  (a new observation: no a priori solutions).
"""
import math
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def propagated(text, epoch):
    lines = text.split("\r\n")
    # The GAIA column names drizzlepac requires (the simulator writes GSC-style errors).
    rename = {"raErr": "ra_error", "decErr": "dec_error", "pmraErr": "pmra_error", "pmdecErr": "pmdec_error"}
    cols = [rename.get(c, c) for c in lines[1].split(",")]
    out = [lines[0], ",".join(cols)]
    ira, idec, ipmra, ipmdec = (cols.index(c) for c in ("ra", "dec", "pmra", "pmdec"))
    for line in lines[2:]:
        if not line:
            continue
        f = line.split(",")
        dt = epoch - 2016.0
        dec0 = float(f[idec])
        f[idec] = "%.10f" % (dec0 + float(f[ipmdec]) * dt / 3.6e6)
        f[ira] = "%.10f" % (float(f[ira]) + float(f[ipmra]) * dt / 3.6e6 / math.cos(math.radians(dec0)))
        out.append(",".join(f))
    return "\r\n".join(out) + "\r\n"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path.endswith("CatalogSearch.aspx"):
            if q.get("CAT", [""])[0].upper().startswith("GAIA"):
                body = propagated(open(sys.argv[1] + "/gaia_catalog.csv", newline="").read(), float(q.get("EPOCH", ["2016.0"])[0]))
            else:
                body = "0 sources\r\nra,dec,mag,objID,epoch\r\n"
            self.reply(200, "text/csv", body.encode())
        elif url.path.endswith("/availability"):
            self.reply(200, "text/xml", b"<available/>")
        else:
            self.reply(404, "text/plain", b"not found")

    def reply(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
