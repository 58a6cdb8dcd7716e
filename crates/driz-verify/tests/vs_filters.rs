//! scipy.ndimage filters against the reference (testdata/verify/filters.json).

mod common;

use common::*;
use driz_verify::{binary_erosion_cross, gaussian_laplace, gaussian_laplace_f32, label, median_filter_5x5};
use ndarray::Array2;

#[test]
fn gaussian_laplace_f64_matches_scipy() {
    let fx = fixture("filters.json");
    let img = f64_2d(&fx["image64"]);
    for case in fx["log_f64"].as_array().unwrap() {
        let sigma = case["sigma"].as_f64().unwrap();
        let ours = gaussian_laplace(img.view(), sigma);
        let reference = f64_2d(&case["output"]);
        let rel = max_rel_diff(&ours, &reference);
        assert!(rel <= 1e-12, "sigma {sigma}: relative difference {rel:e}");
    }
}

#[test]
fn gaussian_laplace_f32_is_bit_identical_to_scipy() {
    let fx = fixture("filters.json");
    let img = f32_2d(&fx["image32"]);
    for case in fx["log_f32"].as_array().unwrap() {
        let sigma = case["sigma"].as_f64().unwrap();
        let ours = gaussian_laplace_f32(img.view(), sigma);
        assert_eq!(same_f32(&ours, &f32_2d(&case["output"])), 0, "sigma {sigma}");
    }
}

#[test]
fn gaussian_laplace_reflects_short_lines_like_scipy() {
    let fx = fixture("filters.json");
    for case in fx["log_tiny"].as_array().unwrap() {
        let sigma = case["sigma"].as_f64().unwrap();
        if case["input"]["dtype"] == "<f8" {
            let ours = gaussian_laplace(f64_2d(&case["input"]).view(), sigma);
            let rel = max_rel_diff(&ours, &f64_2d(&case["output"]));
            assert!(rel <= 1e-12, "shape {:?}: {rel:e}", ours.dim());
        } else {
            let ours = gaussian_laplace_f32(f32_2d(&case["input"]).view(), sigma);
            assert_eq!(same_f32(&ours, &f32_2d(&case["output"])), 0, "shape {:?}", ours.dim());
        }
    }
}

#[test]
fn label_matches_scipy() {
    let fx = fixture("filters.json");
    let mask = bool_2d(&fx["label"]["input"]);
    let (labels, count) = label(mask.view());
    let reference: Array2<i32> = i32_array(&fx["label"]["labels"]).into_dimensionality().unwrap();
    assert_eq!(count as u64, fx["label"]["count"].as_u64().unwrap());
    assert_eq!(labels, reference);
}

#[test]
fn binary_erosion_matches_scipy() {
    let fx = fixture("filters.json");
    for case in fx["erosion"].as_array().unwrap() {
        let iterations = case["iterations"].as_u64().unwrap() as usize;
        let mask = if case.get("image").is_some() {
            // compute_zero_mask: every non-zero value (NaN and negatives included) is covered.
            f32_2d(&case["image"]).mapv(|v| v != 0.0)
        } else {
            bool_2d(&case["input"])
        };
        let ours = binary_erosion_cross(mask.view(), iterations);
        assert_eq!(ours, bool_2d(&case["output"]), "iterations {iterations}");
    }
}

#[test]
fn median_filter_matches_scipy() {
    let fx = fixture("filters.json");
    for case in fx["median"].as_array().unwrap() {
        let ours = median_filter_5x5(f32_2d(&case["input"]).view());
        // Values compare equal (a median of ±0 ties may carry either sign).
        assert_eq!(ours, f32_2d(&case["output"]));
    }
}

#[test]
fn results_do_not_depend_on_layout_or_thread_count() {
    let fx = fixture("filters.json");
    let img = f32_2d(&fx["image32"]);
    let reference = gaussian_laplace_f32(img.view(), 1.5);
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let serial = single.install(|| gaussian_laplace_f32(img.view(), 1.5));
    assert_eq!(same_f32(&serial, &reference), 0);
    // A transposed (column-major) view gives the transpose of the filtered transpose.
    let transposed = img.t().to_owned();
    let via_view = gaussian_laplace_f32(transposed.t(), 1.5);
    assert_eq!(same_f32(&via_view, &reference), 0);
    let median_serial = single.install(|| median_filter_5x5(img.view()));
    assert_eq!(median_serial, median_filter_5x5(img.view()));
}
