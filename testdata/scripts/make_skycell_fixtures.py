#!/usr/bin/env python3
"""Make the reference fixtures for the `driz-skycell` crate (the SKYCELL keyword).

Every expected value comes from the reference code of the reference venv (drizzlepac 3.11.0):

* ``cases.json``  for each exposure, the ``SKYCELL`` value that
  ``drizzlepac.haputils.processing_utils.add_skycell_to_header`` writes into each SCI header
  (null when it writes none) and the sky-cell names it is made of: the keys, in order, of
  ``drizzlepac.haputils.cell_utils.get_sky_cells([file])``, which it calls.
* ``header.json`` card images of one SCI header before and after ``add_skycell_to_header``,
  when SKYCELL is absent (inserted after S_REGION) and when it is present (updated in place).
* ``grid.json``   the rows of ``drizzlepac/pars/allsky_cells.fits`` and its primary keywords
  (the Rust crate embeds them; the test checks the embedded copy against this file).

Exposures:

* synthetic FITS files with plain TAN chips (no distortion), written by this script into
  the scratch directory: generic pointings, RA near 0/360, Dec near +-90 (one containing
  the pole), Dec near declination-band boundaries, footprints spanning two projection cells
  and sky-cell boundaries (with margins of a few pixels), a two-chip exposure with a gap,
  20 random pointings, and one file without WCSNAME;
* the simulated ACS/WFC FLC and WFC3/IR FLT exposures of /work/refruns/data (copied into
  the scratch directory; never modified in place). For these the chip outlines (sky
  positions of the chip edge pixel centres through the full distortion model, every
  ``STEP`` pixels) are stored, since the Rust test has no FITS reader.

Run from the repository root (deterministic: seeded generator):

    .venv-ref/bin/python testdata/scripts/make_skycell_fixtures.py

With ``--rust-table`` it only prints the rows of the grid table as the Rust ``BANDS``
entries of crates/driz-skycell/src/grid.rs.
"""

import json
import os
import shutil
import sys
import warnings

import numpy as np
from astropy.io import fits
from stwcs.wcsutil import HSTWCS

from drizzlepac.haputils import cell_utils, processing_utils

warnings.simplefilter("ignore")

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "..", "skycell")
SCRATCH = "/work/scratch-skycell"
DATA = "/work/refruns/data"
STEP = 16  # pixel step of the stored outlines of real exposures

GRID = cell_utils.GridDefs()


# ----------------------------------------------------------------------------- synthetic files


def tan_cd(scale_arcsec, pa_deg):
    """CD matrix of a north-at-PA, east-left chip."""
    s = scale_arcsec / 3600.0
    c, n = float(np.cos(np.radians(pa_deg))), float(np.sin(np.radians(pa_deg)))
    return [[-s * c, s * n], [s * n, s * c]]


def chip(ra, dec, nx, ny, scale, pa, crpix=None):
    return {
        "crval": [float(ra), float(dec)],
        "crpix": list(crpix) if crpix else [(nx + 1) / 2.0, (ny + 1) / 2.0],
        "cd": tan_cd(scale, pa),
        "naxis": [int(nx), int(ny)],
    }


def write_exposure(path, chips, wcsname=True):
    primary = fits.PrimaryHDU()
    primary.header["EXPTIME"] = 100.0
    primary.header["INSTRUME"] = "SYNTH"
    hdus = [primary]
    for i, c in enumerate(chips, start=1):
        data = np.zeros((c["naxis"][1], c["naxis"][0]), dtype=np.uint8)
        h = fits.ImageHDU(data=data, name="SCI", ver=i).header
        h["EXPNAME"] = os.path.basename(path)[:9]
        h["CTYPE1"] = "RA---TAN"
        h["CTYPE2"] = "DEC--TAN"
        h["CRPIX1"], h["CRPIX2"] = c["crpix"]
        h["CRVAL1"], h["CRVAL2"] = c["crval"]
        h["CD1_1"], h["CD1_2"] = c["cd"][0]
        h["CD2_1"], h["CD2_2"] = c["cd"][1]
        if wcsname:
            h["WCSNAME"] = "SYNTH-TAN"
        h["S_REGION"] = ("POLYGON ICRS 0 0 0 0", "spatial extent of the observation")
        h["ANOTHER"] = (1, "a card after S_REGION")
        hdus.append(fits.ImageHDU(data=data, header=h, name="SCI", ver=i))
    fits.HDUList(hdus).writeto(path, overwrite=True)


def pcell_pixel_to_world(band_row, index, x0, y0):
    """Sky position of 0-based pixel (x0, y0) of a projection cell."""
    pcell = cell_utils.ProjectionCell(index=index, band=band_row, scale=GRID.scale)
    ra, dec = pcell.wcs.pixel_to_world_values(x0, y0)
    return float(ra), float(dec)


def band(i):
    return GRID.rings[i]


# ----------------------------------------------------------------------------- reference calls


def reference(path):
    """get_sky_cells keys and the SKYCELL values written by add_skycell_to_header."""
    processing_utils.add_skycell_to_header(path)
    with fits.open(path) as hdul:
        values = [h.header.get("SKYCELL") for h in hdul if h.header.get("EXTNAME") == "SCI"]
    assert all(v == values[0] for v in values), values
    # add_skycell_to_header writes the get_sky_cells keys in order, 'skycell-' removed
    names = None if values[0] is None else ["skycell-" + n for n in values[0].split("; ")]
    return names, values[0]


def outlines(path):
    """Chip edge pixel centres (1-based) through the full distortion, every STEP pixels."""
    result = []
    with fits.open(path) as hdul:
        for ext, h in enumerate(hdul):
            if h.header.get("EXTNAME") != "SCI":
                continue
            w = HSTWCS(hdul, ext=ext)
            nx, ny = w.naxis1, w.naxis2
            xs = list(range(1, nx, STEP))
            ys = list(range(1, ny, STEP))
            # counter-clockwise closed walk: bottom, right, top (right to left), left (top to bottom)
            pts = [(x, 1) for x in xs] + [(nx, y) for y in ys]
            pts += [(x, ny) for x in [nx] + xs[::-1][:-1]]
            pts += [(1, y) for y in [ny] + ys[::-1][:-1]]
            sky = w.all_pix2world(np.array(pts, dtype=np.float64), 1)
            result.append([[repr(float(a)), repr(float(d))] for a, d in sky])
    return result


# ----------------------------------------------------------------------------- cases


def synthetic_cases(rng):
    cases = []

    def add(name, chips, wcsname=True):
        cases.append({"name": name, "chips": chips, "wcsname": wcsname})

    ir = dict(nx=1000, ny=1000, scale=0.1)
    add("generic", [chip(150.1, 2.2, pa=0.0, **ir)])
    add("generic_rotated", [chip(210.73, -33.4, pa=37.0, **ir)])
    add("ra_wrap_359.99", [chip(359.99, 10.0, pa=20.0, **ir)])
    add("ra_wrap_0.01", [chip(0.01, -20.0, pa=-50.0, **ir)])
    add("ra_0_equator", [chip(0.0, 0.0, pa=0.0, **ir)])
    # rint(358.2 * 89 / 360) = 89 -> index 0: the cell at 356 deg is never a candidate
    add("ra_358.2_band24", [chip(358.2, 6.0, pa=0.0, **ir)])
    add("ra_178_band23", [chip(178.0, 2.0, pa=10.0, **ir)])
    add("north_pole_inside", [chip(33.0, 89.995, pa=15.0, **ir)])
    add("north_near_pole", [chip(250.0, 89.9, pa=0.0, **ir)])
    add("south_near_pole", [chip(120.0, -89.97, pa=70.0, **ir)])
    add("south_pole_inside", [chip(300.0, -89.999, pa=0.0, **ir)])
    add("dec_87.5_two_bands", [chip(100.0, 87.5, pa=0.0, **ir)])
    add("dec_86.5_band_edge", [chip(45.0, 86.47, pa=0.0, **ir)])
    add("dec_0_two_bands", [chip(30.0, 0.0, pa=0.0, **ir)])
    add("dec_0.5_band_edge", [chip(30.0, 0.5, pa=0.0, **ir)])
    add("dec_-0.5_band_edge", [chip(30.0, -0.5, pa=45.0, **ir)])
    add("dec_48.5_band_edge", [chip(77.0, 48.5, pa=0.0, **ir)])
    # half way between projection cells 1322 (RA 0) and 1323 (RA 4) of band 23
    add("two_pcells_ra_2", [chip(2.0, 2.0, pa=0.0, **ir)])
    add("two_pcells_ra_150", [chip(150.0, 2.2, pa=12.0, **ir)])
    add("two_pcells_dec60", [chip(3.6, 60.0, pa=0.0, **ir)])

    # Sky-cell boundaries inside a projection cell. Sky cell x (1-based) spans 0-based
    # projection-cell pixels (x-1)*21442 .. (x-1)*21442 + 21954 (256-pixel overlap each side).
    b = band(23)
    half = 1250  # half width of a 1000 px, 0.1"/px chip in 0.04"/px pixels
    end5 = 4 * 21442 + 21954
    for label, x0, y0 in [
        ("skycell_corner4", end5, end5),
        ("skycell_margin_50", end5 + half - 50, 200000),
        ("skycell_margin_8", end5 + half - 8, 200000),
        ("skycell_outside_8", end5 + half + 8, 200000),
        ("skycell_low_margin_8", 5 * 21442 - half + 8, 150000),
        ("skycell_low_outside_8", 5 * 21442 - half - 8, 150000),
        ("pcell_edge_low", 600, 225000),
        ("pcell_edge_high", 450287 - 600, 225000),
    ]:
        ra, dec = pcell_pixel_to_world(b, 10, x0, y0)
        add(label, [chip(ra, dec, pa=0.0, **ir)])

    # Two chips sharing a tangent point with a 50-pixel gap (ACS/WFC-like layout).
    def two_chip(ra, dec, pa):
        return [
            chip(ra, dec, 2000, 1000, 0.05, pa, crpix=(1000.5, 1026.0)),
            chip(ra, dec, 2000, 1000, 0.05, pa, crpix=(1000.5, -24.0)),
        ]

    add("two_chips", two_chip(150.1, 2.2, 30.0))
    add("two_chips_wrap", two_chip(359.995, -45.0, 0.0))
    add("no_wcsname", [chip(150.1, 2.2, pa=0.0, **ir)], wcsname=False)

    for i in range(20):
        ra = float(rng.uniform(0.0, 360.0))
        dec = float(np.degrees(np.arcsin(rng.uniform(-1.0, 1.0))))
        pa = float(rng.uniform(-180.0, 180.0))
        add(f"random_{i:02d}", [chip(ra, dec, pa=pa, **ir)])
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(SCRATCH, exist_ok=True)
    rng = np.random.default_rng(20240518)
    here = os.getcwd()
    os.chdir(SCRATCH)
    try:
        results = []
        for k, case in enumerate(synthetic_cases(rng)):
            fname = f"syn{k:03d}a1q_flt.fits"
            write_exposure(fname, case["chips"], wcsname=case["wcsname"])
            names, value = reference(fname)
            print(case["name"], names, value)
            results.append(
                {
                    "name": case["name"],
                    "chips": [
                        {
                            "crval": [repr(v) for v in c["crval"]],
                            "crpix": [repr(v) for v in c["crpix"]],
                            "cd": [[repr(v) for v in row] for row in c["cd"]],
                            "naxis": c["naxis"],
                        }
                        for c in case["chips"]
                    ]
                    if case["wcsname"]
                    else [],
                    "wcsname": case["wcsname"],
                    "sky_cells": names,
                    "keyword": value,
                }
            )
            os.remove(fname)

        for sub, pattern in [("acs4", "jsm001a{}q_flc.fits"), ("ir4", "ism001a{}q_flt.fits")]:
            for i in (1, 2, 3, 4):
                src = os.path.join(DATA, sub, pattern.format(i))
                fname = os.path.basename(src)
                shutil.copy(src, fname)
                # runastrodriz writes S_REGION first; add_skycell_to_header inserts after it
                processing_utils.compute_sregion(fname)
                names, value = reference(fname)
                print(fname, names, value)
                results.append(
                    {
                        "name": f"{sub}_{fname}",
                        "outlines": outlines(fname),
                        "wcsname": True,
                        "sky_cells": names,
                        "keyword": value,
                    }
                )
                os.remove(fname)

        # Header edits: insertion after S_REGION, then update in place.
        chips = [chip(150.1, 2.2, 1000, 1000, 0.1, 0.0)]
        write_exposure("hdr001a1q_flt.fits", chips)
        with fits.open("hdr001a1q_flt.fits") as hdul:
            before = [str(c) for c in hdul[1].header.cards]
        processing_utils.add_skycell_to_header("hdr001a1q_flt.fits")
        with fits.open("hdr001a1q_flt.fits") as hdul:
            after_insert = [str(c) for c in hdul[1].header.cards]
            value = hdul[1].header["SKYCELL"]
        with fits.open("hdr001a1q_flt.fits", mode="update") as hdul:
            hdul[1].header["SKYCELL"] = ("p0000x01y01", "old comment")
            hdul[1].header["ANOTHER"] = 2
            stale = [str(c) for c in hdul[1].header.cards]
        processing_utils.add_skycell_to_header("hdr001a1q_flt.fits")
        with fits.open("hdr001a1q_flt.fits") as hdul:
            after_update = [str(c) for c in hdul[1].header.cards]
        os.remove("hdr001a1q_flt.fits")
    finally:
        os.chdir(here)

    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generator": "make_skycell_fixtures.py", "cases": results}, f, indent=1, sort_keys=True)
    with open(os.path.join(OUT, "header.json"), "w") as f:
        json.dump(
            {
                "value": value,
                "insert": {"before": before, "after": after_insert},
                "update": {"before": stale, "after": after_update},
            },
            f,
            indent=1,
            sort_keys=True,
        )
    rows = []
    for r in GRID.rings:
        rows.append(
            {
                "zone": int(r["ZONE"]),
                "projcell": int(r["PROJCELL"]),
                "nband": int(r["NBAND"]),
                "dec": repr(float(r["DEC"])),
                "dec_min": repr(float(r["DEC_MIN"])),
                "dec_max": repr(float(r["DEC_MAX"])),
                "xcell": int(r["XCELL"]),
                "ycell": int(r["YCELL"]),
            }
        )
    with open(os.path.join(OUT, "grid.json"), "w") as f:
        json.dump(
            {
                "pc_scale": repr(float(GRID.scale)),
                "pc_size": repr(float(GRID.cell_size)),
                "sc_nxy": int(GRID.sc_nxy),
                "sc_olap": int(GRID.sc_overlap),
                "rings": rows,
            },
            f,
            indent=1,
        )


def print_rust_table():
    for r in GRID.rings:
        print(
            f"    Band {{ projcell: {int(r['PROJCELL'])}, nband: {int(r['NBAND'])}, dec: {float(r['DEC'])!r}, "
            f"dec_min: {float(r['DEC_MIN'])!r}, dec_max: {float(r['DEC_MAX'])!r} }},"
        )


if __name__ == "__main__":
    if "--rust-table" in sys.argv[1:]:
        print_rust_table()
    else:
        main()
