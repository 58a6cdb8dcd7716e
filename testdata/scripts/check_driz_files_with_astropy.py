"""Check that astropy reads the FITS files driz writes: every image type, long strings,
HIERARCH, HISTORY/COMMENT, binary tables with string, logical, integer, float and vector
columns (ASN and IDCTAB layouts), with `verify('exception')`.

Run from the repository root with the reference environment (DEVELOPERS.md):
    .venv-ref/bin/python testdata/scripts/check_driz_files_with_astropy.py
It runs the driz test that writes the file (keeping a copy) and checks the copy.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from astropy.io import fits


def main():
    with tempfile.TemporaryDirectory() as keep:
        env = dict(os.environ, DRIZ_KEEP_TEST_OUTPUT=keep)
        subprocess.run(
            ["cargo", "test", "-q", "-p", "driz-fits", "--test", "fits_io", "writes_and_rereads"],
            check=True, env=env)
        path = os.path.join(keep, "roundtrip.fits")
        with fits.open(path) as hdul:
            hdul.verify("exception")
            p = hdul[0].header
            assert p["DESCRIP"] == "a very long string value " * 7 + "a very long string value", repr(p["DESCRIP"])
            assert p.comments["DESCRIP"] == "continued over cards"
            assert p["STSCI PIPELINE VERSION"] == "3.11.0"
            assert list(p["HISTORY"]) == ["first history line"]
            assert p["EXPTIME"] == 507.0
            y, x = np.mgrid[0:5, 0:7]
            assert hdul["SCI"].data.dtype == np.dtype(">f4")
            np.testing.assert_array_equal(hdul["SCI"].data, (y * 7 + x) * 0.5 - 3.25)
            assert hdul["ERR"].data.dtype == np.dtype(">i2")
            np.testing.assert_array_equal(hdul["ERR"].data, (y - 2) * 1000 + x)
            assert hdul["DQ"].data.dtype == np.dtype("uint16"), hdul["DQ"].data.dtype
            np.testing.assert_array_equal(hdul["DQ"].data, (y * 7 + x) * 1500)
            np.testing.assert_array_equal(hdul["CTX"].data, (y - 2) * 100000 + x)
            asn = hdul["ASN"].data
            assert [m.strip() for m in asn["MEMNAME"]] == ["J8BT06NYQ", "J8BT06O1Q", "J8BT06010"]
            assert list(asn["MEMPRSNT"]) == [True, False, True]
            idc = hdul["IDC"].data
            assert list(idc["DETCHIP"]) == [1, 2]
            assert list(idc["FILTER1"]) == ["F606W", "CLEAR1L"]
            np.testing.assert_array_equal(idc["CX"], [[1, 2, 3], [4, 5, 6]])
    print("astropy", __import__("astropy").__version__, "reads the driz-written file: OK")


if __name__ == "__main__":
    sys.exit(main())
