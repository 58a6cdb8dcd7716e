//! The embedded grid against the rows of drizzlepac's pars/allsky_cells.fits
//! (testdata/skycell/grid.json, written by testdata/scripts/make_skycell_fixtures.py).

use driz_skycell::grid::{
    BANDS, PIXEL_SCALE, PROJECTION_CELL_PIXELS, SKY_CELL_OVERLAP, SKY_CELL_PIXELS, SKY_CELL_STEP, SKY_CELLS_PER_SIDE,
};
use serde_json::Value;
use std::path::PathBuf;

fn grid() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/skycell/grid.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("grid fixture")).expect("JSON")
}

fn num(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn bands_are_the_reference_table() {
    let g = grid();
    let rings = g["rings"].as_array().unwrap();
    assert_eq!(rings.len(), BANDS.len());
    for (row, band) in rings.iter().zip(BANDS.iter()) {
        assert_eq!(row["projcell"].as_u64().unwrap() as u32, band.projcell);
        assert_eq!(row["nband"].as_u64().unwrap() as u32, band.nband);
        assert_eq!(num(&row["dec"]).to_bits(), band.dec.to_bits());
        assert_eq!(num(&row["dec_min"]).to_bits(), band.dec_min.to_bits());
        assert_eq!(num(&row["dec_max"]).to_bits(), band.dec_max.to_bits());
        assert_eq!(row["xcell"].as_u64().unwrap() as u32, PROJECTION_CELL_PIXELS);
        assert_eq!(row["ycell"].as_u64().unwrap() as u32, PROJECTION_CELL_PIXELS);
    }
}

#[test]
fn cell_constants_are_the_reference_keywords() {
    let g = grid();
    assert_eq!(num(&g["pc_scale"]), PIXEL_SCALE);
    assert_eq!(g["sc_nxy"].as_u64().unwrap() as u32, SKY_CELLS_PER_SIDE);
    assert_eq!(g["sc_olap"].as_u64().unwrap() as u32, SKY_CELL_OVERLAP);
    // drizzlepac: int(XCELL / SC_NXY + 0.5) and that plus twice the overlap.
    let step = (f64::from(PROJECTION_CELL_PIXELS) / f64::from(SKY_CELLS_PER_SIDE) + 0.5) as u32;
    assert_eq!(step, SKY_CELL_STEP);
    assert_eq!(step + 2 * SKY_CELL_OVERLAP, SKY_CELL_PIXELS);
}
