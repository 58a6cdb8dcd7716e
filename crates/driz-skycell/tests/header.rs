//! The SKYCELL card as astropy writes it through drizzlepac's `add_skycell_to_header`:
//! inserted after S_REGION, or updated in place (testdata/skycell/header.json).

use driz_header::Header;
use driz_skycell::{SkyCellError, set_skycell_keyword};
use serde_json::Value;
use std::path::PathBuf;

fn fixture() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/skycell/header.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("header fixture")).expect("JSON")
}

fn header(images: &Value) -> Header {
    let images: Vec<&str> = images.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    Header::from_card_images(images).expect("valid cards")
}

fn images(h: &Header) -> Vec<String> {
    h.card_images().iter().map(|s| s.trim_end().to_string()).collect()
}

fn expected(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().trim_end().to_string()).collect()
}

#[test]
fn inserts_after_s_region_like_astropy() {
    let f = fixture();
    let value = f["value"].as_str().unwrap();
    let mut h = header(&f["insert"]["before"]);
    set_skycell_keyword(&mut h, value).unwrap();
    assert_eq!(images(&h), expected(&f["insert"]["after"]));
}

#[test]
fn updates_an_existing_card_in_place_like_astropy() {
    let f = fixture();
    let value = f["value"].as_str().unwrap();
    let mut h = header(&f["update"]["before"]);
    set_skycell_keyword(&mut h, value).unwrap();
    assert_eq!(images(&h), expected(&f["update"]["after"]));
}

#[test]
fn without_s_region_nothing_is_written() {
    let f = fixture();
    let mut h = header(&f["insert"]["before"]);
    h.remove("S_REGION");
    let before = h.clone();
    assert_eq!(set_skycell_keyword(&mut h, "p0001x01y01"), Err(SkyCellError::NoSRegion));
    assert_eq!(h, before);
}
