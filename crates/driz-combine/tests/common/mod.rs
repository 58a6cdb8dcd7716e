//! Fixture decoding shared by the reference tests (see
//! `testdata/scripts/make_combine_fixtures.py` for the encoding).

#![allow(dead_code)]

use ndarray::Array2;
use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../../testdata/combine/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A float64 scalar: a string holding Python's repr (parsed exactly here; serde_json's
/// default float parser may be off by an ulp), "nan"/"inf"/"-inf", or a JSON integer.
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_i64().map(|i| i as f64).or_else(|| n.as_f64()).unwrap(),
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            text => text.parse().unwrap_or_else(|_| panic!("bad number {text}")),
        },
        other => panic!("not a number: {other}"),
    }
}

pub fn opt_num(v: &Value) -> Option<f64> {
    if v.is_null() { None } else { Some(num(v)) }
}

pub fn f32_bits(v: &Value) -> Vec<f32> {
    v.as_array().unwrap().iter().map(|b| f32::from_bits(b.as_u64().unwrap() as u32)).collect()
}

pub fn mask(v: &Value) -> Vec<bool> {
    v.as_str().unwrap().bytes().map(|b| b == b'1').collect()
}

pub fn shape(v: &Value) -> (usize, usize) {
    let s = v.as_array().unwrap();
    (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize)
}

pub fn array<T>(shape: (usize, usize), data: Vec<T>) -> Array2<T> {
    Array2::from_shape_vec(shape, data).unwrap()
}

/// Equal as the reference prints them: both NaN, or the same value (±0 equal).
pub fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}
