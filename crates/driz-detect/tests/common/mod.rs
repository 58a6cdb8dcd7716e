//! Fixture helpers: JSON from testdata/detect, float32 arrays stored as base64 bytes.
#![allow(dead_code)]

use driz_detect::{ChipImage, DetectionParams};
use ndarray::Array2;
use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    fixture_in("detect", name)
}

/// A JSON fixture from `testdata/<dir>`.
pub fn fixture_in(dir: &str, name: &str) -> Value {
    let path = format!("{}/../../testdata/{dir}/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64"),
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c) << (18 - 6 * i);
        }
        let n = chunk.len() - 1;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    out
}

pub fn f32_vec(v: &Value) -> Vec<f32> {
    base64_decode(v.as_str().unwrap()).chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

pub fn shape(v: &Value) -> (usize, usize) {
    (v[0].as_u64().unwrap() as usize, v[1].as_u64().unwrap() as usize)
}

pub fn f32_array(v: &Value, shape: (usize, usize)) -> Array2<f32> {
    Array2::from_shape_vec(shape, f32_vec(v)).unwrap()
}

pub fn f64_vec(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

pub fn f64_array(v: &Value, shape: (usize, usize)) -> Array2<f64> {
    Array2::from_shape_vec(shape, f64_vec(v)).unwrap()
}

/// Relative difference (NaN == NaN counts as equal).
pub fn rel_diff(a: f64, b: f64) -> f64 {
    if (a.is_nan() && b.is_nan()) || a == b { 0.0 } else { (a - b).abs() / a.abs().max(b.abs()).max(1e-300) }
}

/// Maximum relative difference and number of non-identical float32 values.
pub fn compare_f32(got: &[f32], want: &[f32]) -> (f64, usize) {
    assert_eq!(got.len(), want.len());
    let mut max = 0.0f64;
    let mut differ = 0;
    for (&g, &w) in got.iter().zip(want) {
        let d = rel_diff(g as f64, w as f64);
        if d > 0.0 {
            differ += 1;
        }
        max = max.max(d);
    }
    (max, differ)
}

/// The chips of an exposure and its detector's parameters, from arrays and the metadata
/// (`pixel_scale_arcsec`, `instrument`, `detector`) the fixture scripts write.
pub fn chip_images<'a>(
    meta: &Value,
    sci: &'a [Array2<f32>],
    err: &'a [Array2<f32>],
    dq: &'a [Array2<u16>],
) -> (Vec<ChipImage<'a>>, DetectionParams) {
    let pscale = meta["pixel_scale_arcsec"].as_f64().unwrap();
    let chips = (0..sci.len())
        .map(|i| ChipImage {
            sci: sci[i].view(),
            err: Some(err[i].view()),
            dq: Some(dq[i].view()),
            pixel_scale_arcsec: pscale,
        })
        .collect();
    let params =
        DetectionParams::for_detector(meta["instrument"].as_str().unwrap(), meta["detector"].as_str().unwrap())
            .unwrap();
    (chips, params)
}
