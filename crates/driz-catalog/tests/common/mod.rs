//! Shared helpers: the fixture directory and the reference values made by
//! testdata/scripts/make_catalog_fixtures.py.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/catalog")
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture_bytes(name)).unwrap()
}

pub fn reference() -> Value {
    serde_json::from_str(&fixture_text("reference.json")).unwrap()
}

pub fn f64_from_bits_hex(hex: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(hex, 16).unwrap())
}

/// drizzlepac's rows `[RA, DEC, mag, objID]` of one recorded answer.
pub fn reference_rows(reference: &Value, key: &str) -> Vec<(f64, f64, f64, String)> {
    reference["catalogs"][key]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r[0].as_f64().unwrap(), r[1].as_f64().unwrap(), r[2].as_f64().unwrap(), r[3].as_str().unwrap().to_string())
        })
        .collect()
}

/// The path and query of a reference URL, as the test server records them.
pub fn target_of(url: &str, base: &str) -> String {
    let rest = url.strip_prefix(base).unwrap_or_else(|| panic!("{url} does not start with {base}"));
    if rest.starts_with('/') { rest.to_string() } else { format!("/{rest}") }
}
