//! detect_point_sources and compute_similarity against drizzlepac
//! (testdata/verify/detect.json, similarity.json).

mod common;

use common::*;
use driz_verify::{detect_point_sources_counted, similarity_index};

#[test]
fn point_source_maps_are_identical() {
    let fx = fixture("detect.json");
    for (k, case) in fx.as_array().unwrap().iter().enumerate() {
        let img = f32_2d(&case["input"]);
        let ours = detect_point_sources_counted(img.view(), 4.0, 3.0).unwrap();
        assert_eq!(ours.map, bool_2d(&case["map"]), "crop {k}");
        assert_eq!(ours.count as u64, case["count"].as_u64().unwrap(), "crop {k}");
    }
}

#[test]
fn detect_point_sources_errors_where_the_reference_raises() {
    let negative = ndarray::Array2::<f32>::from_elem((10, 10), -1.0);
    assert!(detect_point_sources_counted(negative.view(), 4.0, 3.0).is_err());
    let empty = ndarray::Array2::<f32>::zeros((0, 10));
    assert!(detect_point_sources_counted(empty.view(), 4.0, 3.0).is_err());
}

#[test]
fn similarity_index_matches_drizzlepac() {
    let fx = fixture("similarity.json");
    for (k, case) in fx.as_array().unwrap().iter().enumerate() {
        let (image, reference) = if let Some(lcg) = case.get("lcg") {
            let make = |p: &serde_json::Value| {
                let v: Vec<u64> = p.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
                lcg_array(v[0], v[1] as usize, v[2] as usize, v[3])
            };
            (make(&lcg[0]), make(&lcg[1]))
        } else {
            (f32_2d(&case["image"]), f32_2d(&case["reference"]))
        };
        let ours = similarity_index(image.view(), reference.view());
        let expected = case["value"].as_f64().unwrap();
        // The reference's value is float32; ours is that float32 widened: identical.
        assert_eq!(ours, expected, "pair {k}");
    }
}
