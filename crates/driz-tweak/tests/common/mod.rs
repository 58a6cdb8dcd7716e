//! Reading the JSON fixtures of testdata/tweak (float64 values are Python reprs in strings).
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tweak").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn f(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            s => s.parse().unwrap_or_else(|_| panic!("not a float: {s}")),
        },
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("not a float: {other}"),
    }
}

pub fn vec1(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

pub fn pair(v: &Value) -> [f64; 2] {
    let a = vec1(v);
    [a[0], a[1]]
}

pub fn points(v: &Value) -> Vec<[f64; 2]> {
    v.as_array().unwrap().iter().map(pair).collect()
}

pub fn matrix(v: &Value) -> [[f64; 2]; 2] {
    let rows = v.as_array().unwrap();
    [pair(&rows[0]), pair(&rows[1])]
}

pub fn indices(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()
}

pub fn bools(v: &Value) -> Vec<bool> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() != 0).collect()
}

/// Largest absolute difference, failing on length mismatch.
pub fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got:e}, want {want:e} (diff {:e} > {tol:e})", (got - want).abs());
}
