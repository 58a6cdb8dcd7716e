//! Shared helpers: fixture paths and comparing our values with drizzlepac's JSON values.

#![allow(dead_code)]

use driz_header::python_float_repr;
use driz_params::ParamValue;
use serde_json::Value as Json;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/params").join(name)
}

pub fn load(name: &str) -> Json {
    let text = std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Whether our value equals drizzlepac's, converting types the way the parameter's reader
/// would: Python values stored in a string parameter compare as their `str()` (None as ''),
/// and integral floats equal integers (MDRIZTAB's `1E` `combine_grow`).
pub fn same(ours: &ParamValue, reference: &Json) -> bool {
    match (ours, reference) {
        (ParamValue::Null, Json::Null) => true,
        (ParamValue::Bool(a), Json::Bool(b)) => a == b,
        (ParamValue::Int(a), Json::Number(n)) => n.as_i64() == Some(*a) || n.as_f64() == Some(*a as f64),
        (ParamValue::Float(a), Json::Number(n)) => n.as_f64() == Some(*a),
        (ParamValue::Str(a), Json::String(b)) => a == b,
        (ParamValue::Str(a), Json::Number(n)) => match n.as_i64() {
            Some(i) => *a == i.to_string(),
            None => *a == python_float_repr(n.as_f64().unwrap()),
        },
        (ParamValue::Str(a), Json::Bool(b)) => a == if *b { "True" } else { "False" },
        (ParamValue::Str(a), Json::Null) => a.is_empty(),
        _ => false,
    }
}
