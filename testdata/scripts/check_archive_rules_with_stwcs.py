"""Expected keys/names of stwcs 1.7.7 `altwcs.archive_wcs` and `_auto_increment_wcsname`
for the scenarios of the driz-updatewcs unit tests (`altwcs.rs`, `archive_rules_*`).

    .venv-ref/bin/python testdata/scripts/check_archive_rules_with_stwcs.py

Every scenario starts from the same small SCI header (a TAN-SIP primary WCS named
`IDC_test`), applies a sequence of `archive_wcs` calls / header edits, and prints what each
call returned (`(key, name)`, or `(None, None)` for an abort) and the alternate keys/names
left in the header. The Rust tests hold these outputs as constants.

Note the stwcs 1.7.7 quirks this shows: a conflict is *always* a quiet abort, because the
code tests `if AM.QUIET_ABORT:` (always true) instead of `mode & AM.QUIET_ABORT`; and a
given key that already exists with the given (already used) name and no OVERWRITE_KEY
raises `UnboundLocalError` (`key_match` in the message is unbound).
"""
import warnings

from astropy.io import fits
from stwcs.wcsutil import altwcs
from stwcs.wcsutil.altwcs import ArchiveMode as AM

warnings.simplefilter("ignore")

CARDS = [
    ("CRPIX1", 2048.0), ("CRPIX2", 1024.0),
    ("CRVAL1", 5.63056810618), ("CRVAL2", -72.05457184279),
    ("CTYPE1", "RA---TAN-SIP"), ("CTYPE2", "DEC--TAN-SIP"),
    ("CD1_1", 1.290562563339972E-05), ("CD1_2", 5.953091234198029E-06),
    ("CD2_1", 5.0220581265601E-06), ("CD2_2", -1.26447741482017E-05),
    ("WCSNAME", "IDC_test"),
]


def fresh():
    h = fits.Header()
    for k, v in CARDS:
        h[k] = v
    return fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(header=h, name="SCI")])


def state(hl):
    names = altwcs.wcsnames(hl[1].header, include_primary=False)
    return " ".join(f"{k}={v}" for k, v in sorted(names.items()))


def run(title, steps):
    hl = fresh()
    print(f"== {title}")
    for step in steps:
        if step[0] == "set":
            _, k, v = step
            if v is None:
                del hl[1].header[k]
            else:
                hl[1].header[k] = v
            print(f"  set {k}={v!r}")
            continue
        _, key, name, mode = step
        try:
            r = altwcs.archive_wcs(hl, 1, wcskey=key, wcsname=name, mode=mode)
        except Exception as e:  # noqa: BLE001
            r = f"{type(e).__name__}"
        print(f"  archive(key={key!r}, name={name!r}, mode={int(mode)}) -> {r}   [{state(hl)}]")


A = ("archive",)
run("default name, twice", [A + (None, None, AM.NO_CONFLICT), A + (None, None, AM.NO_CONFLICT),
                            A + (None, None, AM.AUTO_RENAME)])
run("explicit name: identical reuses key; changed -> abort / rename / overwrite", [
    A + (None, "IDC_test", AM.NO_CONFLICT),
    A + (None, "idc_test", AM.NO_CONFLICT),
    ("set", "CRVAL1", 5.7),
    A + (None, "IDC_test", AM.NO_CONFLICT),
    A + (None, "IDC_test", AM.QUIET_ABORT),
    A + (None, "IDC_test", AM.AUTO_RENAME),
    A + (None, "IDC_test", AM.AUTO_RENAME),
    A + (None, "IDC_test", AM.OVERWRITE_KEY),
    ("set", "CRVAL1", 5.8),
    A + (None, "IDC_test-2", AM.AUTO_RENAME),
])
run("blank and missing primary WCSNAME", [
    ("set", "WCSNAME", " "),
    A + (None, None, AM.NO_CONFLICT),
    A + (None, None, AM.NO_CONFLICT),
    ("set", "WCSNAME", None),
    A + (None, None, AM.NO_CONFLICT),
])
run("key O", [
    A + ("O", "OPUS", AM.NO_CONFLICT),
    ("set", "CRVAL1", 5.7),
    A + ("O", "OPUS", AM.OVERWRITE_KEY),
    A + (None, None, AM.NO_CONFLICT),
    A + (None, "OPUS", AM.AUTO_RENAME),
])
run("explicit key", [
    A + ("C", "FIT_1", AM.NO_CONFLICT),
    A + ("D", "FIT_1", AM.NO_CONFLICT),
    A + ("D", "FIT_1", AM.AUTO_RENAME),
    A + ("C", "OTHER", AM.NO_CONFLICT),
    A + ("C", "OTHER", AM.OVERWRITE_KEY),
    A + ("C", None, AM.NO_CONFLICT),
])

print("== _auto_increment_wcsname")
CASES = [
    ("IDC", ["IDC_A"]), ("IDC", ["IDC_A", "IDC"]), ("IDC", ["IDC_A", "IDC", "IDC-1"]),
    ("IDC-1", ["IDC_A", "IDC", "IDC-1"]), ("IDC-2", ["IDC_A", "IDC", "IDC-1"]),
    ("IDC_A", ["IDC_A", "IDC", "IDC-1"]), ("FIT_3", ["FIT_3", "FIT_1"]),
    ("FIT_3", ["FIT_3", "FIT-7", "FIT_9"]), ("fit", ["FIT", "FIT 4"]),
    ("A B", ["A B"]), ("X-Y_2", ["X-Y_2"]), ("NAME", ["NAME", "NAME-2_1", "NAME_x"]),
    ("N-5", ["N-5", "N_9"]), ("IDC_w3m18525i-FIT_REL_GAIADR3", ["IDC_w3m18525i-FIT_REL_GAIADR3"]),
]
for name, alts in CASES:
    print(f"  {name!r} {alts} -> {altwcs._auto_increment_wcsname(name, alts)!r}")
