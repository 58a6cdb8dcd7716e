#!/usr/bin/env python3
"""Seed the fuzz corpora with real HST headers from testdata/hst/.

    python3 fuzz/seed_corpus.py          # from the repository root (or anywhere)

Writes, for header_parse: fuzz/corpus/header_parse/<file>-<hdu> (every HDU header of every
file, raw bytes up to and including END), <file>-<hdu>-w<k> (the same cut into 20-card
pieces, each with an END card) and `handmade` (HIERARCH, CONTINUE and odd values that the
HST files lack). For wcs_from_header: fuzz/corpus/wcs_from_header/<file>-<hdu>-<n> (the
headers with a TAN CTYPE1, in that target's input layout: 8 parameter bytes, the header
text, a small lookup table; variants 2 and 3 keep only the WCS cards). Needs only the
standard library; the corpora are not committed (they are in .gitignore).
"""

import gzip
import hashlib
import math
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "testdata" / "hst"
CORPUS = ROOT / "fuzz" / "corpus"
BLOCK = 2880
WINDOW = 20  # cards per small seed
END = b"END".ljust(80)

# Hand-made cards for what the HST files lack: HIERARCH, long strings, odd values.
HANDMADE = [
    "HIERARCH ESO DET CHIP NAME = 'CCD-42  ' / chip name",
    "HIERARCH STSCI PIPELINE VERSION = 3.11",
    "HIERARCH A VERY LONG KEYWORD THAT NEARLY FILLS THE WHOLE CARD IMAGE = 'x'",
    "LONGSTR = 'This is a long string value that goes over several cards: the &'",
    "CONTINUE  'continuation uses the CONTINUE convention with an ampersand &'",
    "CONTINUE  'at the end of each piece, and here''s a quote.' / and a comment",
    "CONTINUE  'orphan continuation'",
    "DVALUE  =              1.5D-03 / Fortran exponent",
    "CPLX    =           (1.0, -2.5) / complex",
    "BIGINT  = 123456789012345678901234",
    "UNDEF   =                      / no value",
    "NANVAL  =                  NAN",
    "LOGIC   =                    T",
    "DP1     = 'EXTVER: 1'",
    "DP1     = 'AXIS.1: 1'",
    "COMMENT   a comment card",
    "HISTORY   a history card with a / slash",
    "        blank keyword text",
    "lowcase = 'lower-case keyword'",
    "BAD     = 'unterminated",
]


def card_value(card, keyword):
    if card[:8].strip() == keyword and card[8:10] == "= ":
        text = card[10:].split("/")[0].strip()
        return int(float(text)) if text else 0
    return None


def headers(raw):
    """Yield (index, header bytes up to END) for every HDU of a FITS file."""
    pos, index = 0, 0
    while pos + BLOCK <= len(raw):
        cards, end = {}, None
        p = pos
        while end is None and p + 80 <= len(raw):
            card = raw[p:p + 80].decode("ascii", "replace")
            p += 80
            if card.rstrip() == "END":
                end = p
            for kw in ("BITPIX", "NAXIS", "PCOUNT", "GCOUNT") + tuple(f"NAXIS{i}" for i in range(1, 10)):
                v = card_value(card, kw)
                if v is not None:
                    cards.setdefault(kw, v)
        if end is None:
            return
        yield index, raw[pos:end]
        data_start = pos + math.ceil((end - pos) / BLOCK) * BLOCK
        naxis = cards.get("NAXIS", 0)
        size = 0
        if naxis:
            size = 1
            for i in range(1, naxis + 1):
                size *= cards.get(f"NAXIS{i}", 0)
        size = abs(cards.get("BITPIX", 8)) // 8 * cards.get("GCOUNT", 1) * (cards.get("PCOUNT", 0) + size)
        pos = data_start + math.ceil(size / BLOCK) * BLOCK
        index += 1


WCS_PREFIXES = ("CTYPE", "CRPIX", "CRVAL", "CD1_", "CD2_", "PC1_", "PC2_", "CDELT", "CROTA", "LONPOLE",
                "WCSNAME", "RADESYS", "A_", "B_", "AP_", "BP_", "D2IM", "CPDIS", "CPERR", "DP1", "DP2")


def is_wcs_card(card):
    return card[:8].decode("ascii", "replace").startswith(WCS_PREFIXES)


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    counts = {"header_parse": 0, "wcs_from_header": 0}
    seen = set()
    for path in sorted(DATA.glob("*.fits*")):
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        stem = path.name.split(".")[0]
        for index, header in headers(raw):
            digest = hashlib.sha1(header).digest()
            if digest in seen:
                continue
            seen.add(digest)
            write("header_parse", f"{stem}-{index}", header)
            counts["header_parse"] += 1
            # Small pieces too: libFuzzer mutates short inputs far faster.
            cards = len(header) // 80 - 1
            for start in range(0, cards, WINDOW):
                piece = header[start * 80:min(start + WINDOW, cards) * 80] + END
                write("header_parse", f"{stem}-{index}-w{start // WINDOW}", piece)
                counts["header_parse"] += 1
            if b"CTYPE1  = 'RA---TAN" not in header:
                continue
            # Parameters: key ' ', NAXIS1 4, NAXIS2 "fit", 16 values, table header with
            # CRPIX 0, CRVAL 0, CDELT 16 / -16; and a second seed with a 16x1 table (NAXIS2 137 % 17 = 1).
            values = [0.01 * ((i * 7) % 11 - 5) for i in range(16)]
            table = struct.pack("<16f", *values)
            text = header[:-80]  # the target appends its own END card
            # The WCS cards alone, so that mutations land on what matters.
            wcs_text = b"".join(text[i:i + 80] for i in range(0, len(text), 80) if is_wcs_card(text[i:i + 80]))
            variants = [
                (text, bytes([0, 4, 0, 16, 7, 0, 0, 64])),
                (text, bytes([0, 16, 137, 16, 0, 0, 0, 0])),
                (wcs_text, bytes([0, 4, 0, 16, 7, 0, 0, 64])),
                (wcs_text, bytes([144, 2, 0, 16, 8, 0, 0, 0])),  # key 'O', chip header as table header
            ]
            for n, (body, params) in enumerate(variants):
                rest = body + table
                # The target XORs the size selectors with the FNV-1a hash of the rest.
                mix = fnv1a(rest)
                params = bytes([params[0], params[1] ^ (mix & 0xFF), params[2] ^ ((mix >> 8) & 0xFF)]) + params[3:]
                write("wcs_from_header", f"{stem}-{index}-{n}", params + rest)
                counts["wcs_from_header"] += 1
    write("header_parse", "handmade", b"".join(c.encode().ljust(80) for c in HANDMADE) + END)
    counts["header_parse"] += 1
    for target, n in counts.items():
        print(f"{n} seeds in {CORPUS / target}")


if __name__ == "__main__":
    main()
