//! Sky cells and the SKYCELL value against drizzlepac 3.11.0 (`get_sky_cells` and
//! `add_skycell_to_header`), fixtures from testdata/scripts/make_skycell_fixtures.py.

use driz_skycell::{SkyCellName, chip_outline, sky_cells, skycell_keyword_value};
use driz_wcs::{Celestial, HstWcs};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/skycell").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn num(v: &Value) -> f64 {
    v.as_str().expect("numbers are stored as Python repr strings").parse().expect("a float")
}

fn pair(v: &Value) -> [f64; 2] {
    [num(&v[0]), num(&v[1])]
}

/// The chip outlines of a case: built from the synthetic TAN chips, or stored for real files.
fn outlines(case: &Value) -> Vec<Vec<(f64, f64)>> {
    if let Some(stored) = case.get("outlines") {
        return stored
            .as_array()
            .expect("outline list")
            .iter()
            .map(|o| o.as_array().expect("points").iter().map(|p| (num(&p[0]), num(&p[1]))).collect())
            .collect();
    }
    case["chips"]
        .as_array()
        .expect("chip list")
        .iter()
        .map(|c| {
            let cd = [pair(&c["cd"][0]), pair(&c["cd"][1])];
            let celestial = Celestial::new(pair(&c["crpix"]), pair(&c["crval"]), cd, ["RA---TAN", "DEC--TAN"])
                .expect("valid synthetic WCS");
            let naxis = [c["naxis"][0].as_u64().unwrap() as usize, c["naxis"][1].as_u64().unwrap() as usize];
            chip_outline(&HstWcs::undistorted(celestial), naxis[0], naxis[1])
        })
        .collect()
}

#[test]
fn sky_cells_and_keyword_match_drizzlepac() {
    let cases = fixture("cases.json");
    let cases = cases["cases"].as_array().expect("case list");
    assert!(cases.len() > 50, "fixture has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        if !case["wcsname"].as_bool().unwrap() {
            // drizzlepac drops files without WCSNAME: no sky cells, no keyword.
            assert!(case["sky_cells"].is_null() && case["keyword"].is_null(), "{name}");
            continue;
        }
        let expected: Vec<String> = case["sky_cells"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let cells = sky_cells(&outlines(case)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<String> = cells.iter().map(SkyCellName::full_name).collect();
        let keyword = skycell_keyword_value(&cells);
        if got != expected || keyword.as_deref() != case["keyword"].as_str() {
            failures.push(format!("{name}: got {got:?} / {keyword:?}, drizzlepac {expected:?} / {}", case["keyword"]));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
