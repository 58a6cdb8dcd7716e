//! Blending compared with fitsblender 0.4.4 (testdata/blend, made by
//! testdata/scripts/make_blend_fixtures.py): every card image of the four blended
//! headers, of drizzlepac's cleaned templates and of the header without distortion
//! keywords, and every HDRTAB column (name, TFORM, values) and the table header.

use driz_blend::{ChipHeaders, ColumnData, blend_headers, clean_templates, remove_distortion_keywords};
use driz_header::Header;
use serde_json::Value as Json;
use std::path::PathBuf;

fn fixture(name: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/blend").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn header_from_lines(lines: &Json) -> Header {
    let lines: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    Header::from_card_images(lines).unwrap()
}

fn inputs(case: &Json) -> Vec<ChipHeaders> {
    let pool = &case["headers"];
    let get = |key: &Json| key.as_str().map(|k| header_from_lines(&pool[k]));
    case["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|chip| ChipHeaders {
            primary: get(&chip["primary"]).unwrap(),
            sci: get(&chip["sci"]).unwrap(),
            err: get(&chip["err"]),
            dq: get(&chip["dq"]),
        })
        .collect()
}

/// Card-by-card differences between a header and the expected card images.
fn compare_header(what: &str, got: &Header, expected: &Json, problems: &mut Vec<String>) {
    let got: Vec<String> = got.card_images().iter().map(|l| l.trim_end().to_string()).collect();
    let want: Vec<&str> = expected.as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    for i in 0..got.len().max(want.len()) {
        let g = got.get(i).map(String::as_str).unwrap_or("<none>");
        let w = want.get(i).copied().unwrap_or("<none>");
        if g != w {
            problems.push(format!("{what} card {i}:\n   got {g:?}\n  want {w:?}"));
            if problems.len() > 20 {
                return;
            }
        }
    }
}

fn same_float(a: f64, text: &str) -> bool {
    let b: f64 = text.parse().unwrap();
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn compare_table(got: &driz_blend::HeaderTable, expected: &Json, problems: &mut Vec<String>) {
    let columns = expected["columns"].as_array().unwrap();
    if got.rows as u64 != expected["rows"].as_u64().unwrap() {
        problems.push(format!("table rows {} != {}", got.rows, expected["rows"]));
    }
    if got.columns.len() != columns.len() {
        problems.push(format!("table has {} columns, want {}", got.columns.len(), columns.len()));
    }
    for (g, w) in got.columns.iter().zip(columns) {
        let name = w["name"].as_str().unwrap();
        if g.name != name || g.data.tform() != w["tform"].as_str().unwrap() {
            problems.push(format!("column {} {} != {} {}", g.name, g.data.tform(), name, w["tform"]));
            continue;
        }
        let want = w["values"].as_array().unwrap();
        let ok = match &g.data {
            ColumnData::Text { values, .. } => values.iter().zip(want).all(|(a, b)| a == b.as_str().unwrap()),
            ColumnData::Logical(values) => values.iter().zip(want).all(|(a, b)| *a == b.as_bool().unwrap()),
            ColumnData::Integer(values) => values.iter().zip(want).all(|(a, b)| *a == b.as_i64().unwrap()),
            ColumnData::Float(values) => values.iter().zip(want).all(|(a, b)| same_float(*a, b.as_str().unwrap())),
        };
        if !ok || g.data.len() != want.len() {
            problems.push(format!("column {name}: got {:?}, want {want:?}", g.data));
        }
    }
    if !expected["header"].is_null() {
        compare_header("HDRTAB header", &got.extension_header(), &expected["header"], problems);
    }
}

fn check_case(name: &str) {
    let case = fixture(name);
    let rules_dir = case["rules_dir"].as_str().unwrap();
    let blended = blend_headers(&inputs(&case), rules_dir).unwrap();
    let mut problems = Vec::new();
    let expected = &case["blended"];
    compare_header("primary", &blended.primary, &expected["primary"], &mut problems);
    compare_header("sci", &blended.sci, &expected["sci"], &mut problems);
    compare_header("err", &blended.err, &expected["err"], &mut problems);
    compare_header("dq", &blended.dq, &expected["dq"], &mut problems);
    compare_table(blended.table.as_ref().expect("a table"), &case["table"], &mut problems);

    let (mut sci, mut err, mut dq) = (blended.sci.clone(), blended.err.clone(), blended.dq.clone());
    clean_templates(&mut sci, &mut err, &mut dq);
    compare_header("cleaned sci", &sci, &case["cleaned"]["sci"], &mut problems);
    compare_header("cleaned err", &err, &case["cleaned"]["err"], &mut problems);
    compare_header("cleaned dq", &dq, &case["cleaned"]["dq"], &mut problems);
    remove_distortion_keywords(&mut sci);
    compare_header("no distortion", &sci, &case["no_distortion"], &mut problems);

    assert!(problems.is_empty(), "{name}: {} differences\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn acs_wfc_simulated_two_chips() {
    check_case("acs_wfc_sim");
}

#[test]
fn wfc3_ir_simulated() {
    check_case("wfc3_ir_sim");
}

#[test]
fn wfc3_ir_real_headers() {
    check_case("wfc3_ir_real");
}

#[test]
fn acs_hrc_with_modified_copies() {
    check_case("acs_hrc_modified");
}

#[test]
fn mixed_instruments_merge_rules() {
    check_case("mixed_instruments");
}

#[test]
fn stis_rules() {
    check_case("instrume_stis");
}

#[test]
fn nicmos_rules() {
    check_case("instrume_nicmos");
}

#[test]
fn unknown_instrument_uses_hst_rules() {
    check_case("instrume_foc");
}

#[test]
fn wfpc2_four_chips() {
    check_case("wfpc2");
}
