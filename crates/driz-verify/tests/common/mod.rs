//! Fixture loading for the reference comparisons (testdata/verify, written by
//! testdata/scripts/make_verify_fixtures.py).
#![allow(dead_code)]

use ndarray::{Array2, ArrayD, IxDyn};
use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../../testdata/verify/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture JSON")
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 byte {c}"),
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

fn raw(v: &Value, dtype: &str) -> (Vec<usize>, Vec<u8>) {
    assert_eq!(v["dtype"].as_str().unwrap(), dtype, "fixture dtype");
    let shape = v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
    (shape, base64_decode(v["b64"].as_str().unwrap()))
}

fn decode<T>(v: &Value, dtype: &str, size: usize, from: impl Fn(&[u8]) -> T) -> ArrayD<T> {
    let (shape, bytes) = raw(v, dtype);
    let data: Vec<T> = bytes.chunks_exact(size).map(from).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).expect("fixture shape")
}

pub fn f32_array(v: &Value) -> ArrayD<f32> {
    decode(v, "<f4", 4, |b| f32::from_le_bytes(b.try_into().unwrap()))
}
pub fn f64_array(v: &Value) -> ArrayD<f64> {
    decode(v, "<f8", 8, |b| f64::from_le_bytes(b.try_into().unwrap()))
}
pub fn i32_array(v: &Value) -> ArrayD<i32> {
    decode(v, "<i4", 4, |b| i32::from_le_bytes(b.try_into().unwrap()))
}
pub fn i16_array(v: &Value) -> ArrayD<i16> {
    decode(v, "<i2", 2, |b| i16::from_le_bytes(b.try_into().unwrap()))
}
pub fn bool_array(v: &Value) -> ArrayD<bool> {
    decode(v, "|u1", 1, |b| b[0] != 0)
}

pub fn f32_2d(v: &Value) -> Array2<f32> {
    f32_array(v).into_dimensionality().unwrap()
}
pub fn f64_2d(v: &Value) -> Array2<f64> {
    f64_array(v).into_dimensionality().unwrap()
}
pub fn bool_2d(v: &Value) -> Array2<bool> {
    bool_array(v).into_dimensionality().unwrap()
}

/// The fixture script's `lcg_array`.
pub fn lcg_array(seed: u64, rows: usize, cols: usize, nan_every: u64) -> Array2<f32> {
    let mut x = seed;
    Array2::from_shape_simple_fn((rows, cols), || {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let k = x >> 40;
        if nan_every != 0 && k.is_multiple_of(nan_every) {
            f32::NAN
        } else {
            ((k % 20000) as f64 / 128.0 - 20.0) as f32
        }
    })
}

/// Largest |a − b| / max(|b|, tiny) over the arrays.
pub fn max_rel_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let scale = b.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-300);
    a.iter().zip(b.iter()).fold(0f64, |m, (x, y)| m.max((x - y).abs() / scale))
}

pub fn same_f32(a: &Array2<f32>, b: &Array2<f32>) -> usize {
    a.iter().zip(b.iter()).filter(|(x, y)| x.to_bits() != y.to_bits() && !(x.is_nan() && y.is_nan())).count()
}
