//! Loosely typed parameter values (what a command line, TOML, JSON or an MDRIZTAB cell
//! provides) and their conversion into each field type with configobj's validation rules.

use crate::choices::Choice;
use crate::pytext::{py_bool, py_bool_str, py_float, py_int};
use driz_header::python_float_repr;
use std::fmt;

/// One parameter value, untyped. `Null` is Python's None.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Null,
}

impl fmt::Display for ParamValue {
    /// The value as Python would print it (`True`, `4096`, `0.1`, `None`, strings bare).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => f.write_str(py_bool_str(*b)),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => f.write_str(&python_float_repr(*x)),
            ParamValue::Str(s) => f.write_str(s),
            ParamValue::Null => f.write_str("None"),
        }
    }
}

/// What a parameter accepts, from its astrodrizzle.cfgspc check function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// `boolean_kw`
    Bool,
    /// `integer_kw`
    Int,
    /// `integer_or_none_kw`
    IntOrNone,
    /// `float_kw`
    Float,
    /// `float_or_none_kw`
    FloatOrNone,
    /// `string_kw`
    Str,
    /// `option_kw` with its allowed spellings.
    Choice(&'static [&'static str]),
}

impl ParamKind {
    /// Human description of the accepted values, for error messages.
    pub fn expected(self) -> String {
        match self {
            ParamKind::Bool => "a boolean (True/False, yes/no, on/off, 1/0)".into(),
            ParamKind::Int => "an integer".into(),
            ParamKind::IntOrNone => "an integer or None/INDEF/''".into(),
            ParamKind::Float => "a number".into(),
            ParamKind::FloatOrNone => "a number or None/INDEF/''".into(),
            ParamKind::Str => "a string".into(),
            ParamKind::Choice(allowed) => format!("one of: {}", allowed.join(", ")),
        }
    }
}

/// configobj's `*_or_none_kw` spellings of None (exact, case-sensitive).
fn is_none_text(s: &str) -> bool {
    matches!(s, "" | "None" | "NONE" | "INDEF")
}

/// A field type of [`crate::AstroDrizzleParams`].
pub(crate) trait ParamType: Sized {
    const KIND: ParamKind;
    fn to_value(&self) -> ParamValue;
    /// `None` when the value is not acceptable; the caller names parameter and expectation.
    fn from_value(v: &ParamValue) -> Option<Self>;
}

impl ParamType for bool {
    const KIND: ParamKind = ParamKind::Bool;
    fn to_value(&self) -> ParamValue {
        ParamValue::Bool(*self)
    }
    fn from_value(v: &ParamValue) -> Option<bool> {
        // configobj compares non-strings with == False / == True, so 0/1 (and 0.0/1.0) pass.
        match v {
            ParamValue::Bool(b) => Some(*b),
            ParamValue::Int(0) => Some(false),
            ParamValue::Int(1) => Some(true),
            ParamValue::Float(x) if *x == 0.0 => Some(false),
            ParamValue::Float(x) if *x == 1.0 => Some(true),
            ParamValue::Str(s) => py_bool(s),
            _ => None,
        }
    }
}

/// An integer from a float only when it is exactly integral: MDRIZTAB tables hold some
/// integer parameters in float columns (`combine_grow` is `1E` in real tables).
fn integral(x: f64) -> Option<i64> {
    (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

impl ParamType for i64 {
    const KIND: ParamKind = ParamKind::Int;
    fn to_value(&self) -> ParamValue {
        ParamValue::Int(*self)
    }
    fn from_value(v: &ParamValue) -> Option<i64> {
        match v {
            ParamValue::Int(i) => Some(*i),
            ParamValue::Float(x) => integral(*x),
            ParamValue::Str(s) => py_int(s).and_then(|i| i64::try_from(i).ok()),
            _ => None,
        }
    }
}

impl ParamType for Option<i64> {
    const KIND: ParamKind = ParamKind::IntOrNone;
    fn to_value(&self) -> ParamValue {
        self.map_or(ParamValue::Null, ParamValue::Int)
    }
    fn from_value(v: &ParamValue) -> Option<Option<i64>> {
        match v {
            ParamValue::Null => Some(None),
            ParamValue::Str(s) if is_none_text(s) => Some(None),
            _ => i64::from_value(v).map(Some),
        }
    }
}

impl ParamType for f64 {
    const KIND: ParamKind = ParamKind::Float;
    fn to_value(&self) -> ParamValue {
        ParamValue::Float(*self)
    }
    fn from_value(v: &ParamValue) -> Option<f64> {
        match v {
            ParamValue::Float(x) => Some(*x),
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Str(s) => py_float(s),
            _ => None,
        }
    }
}

impl ParamType for Option<f64> {
    const KIND: ParamKind = ParamKind::FloatOrNone;
    fn to_value(&self) -> ParamValue {
        self.map_or(ParamValue::Null, ParamValue::Float)
    }
    fn from_value(v: &ParamValue) -> Option<Option<f64>> {
        match v {
            ParamValue::Null => Some(None),
            ParamValue::Str(s) if is_none_text(s) => Some(None),
            _ => f64::from_value(v).map(Some),
        }
    }
}

impl ParamType for String {
    const KIND: ParamKind = ParamKind::Str;
    fn to_value(&self) -> ParamValue {
        ParamValue::Str(self.clone())
    }
    /// Non-strings become their Python `str()`: AstroDrizzle's keyword arguments are merged
    /// without validation, and the string parameters that take numbers (the `*bits`, gain,
    /// rdnoise, exptime) are read back with `int()`/`float()`/`interpret_bit_flags`. None
    /// becomes '', which every such reader treats as None too.
    fn from_value(v: &ParamValue) -> Option<String> {
        Some(match v {
            ParamValue::Null => String::new(),
            other => other.to_string(),
        })
    }
}

impl<T: Choice> ParamType for T {
    const KIND: ParamKind = ParamKind::Choice(T::ALLOWED);
    fn to_value(&self) -> ParamValue {
        ParamValue::Str(self.as_str().to_string())
    }
    fn from_value(v: &ParamValue) -> Option<T> {
        match v {
            ParamValue::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> ParamValue {
        ParamValue::Str(x.into())
    }

    #[test]
    fn none_spellings_are_configobjs() {
        for t in ["", "None", "NONE", "INDEF"] {
            assert_eq!(Option::<f64>::from_value(&s(t)), Some(None));
            assert_eq!(Option::<i64>::from_value(&s(t)), Some(None));
        }
        assert_eq!(Option::<f64>::from_value(&s("none")), None);
        assert_eq!(Option::<f64>::from_value(&s("indef")), None);
        assert_eq!(f64::from_value(&s("None")), None);
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(i64::from_value(&ParamValue::Float(1.0)), Some(1));
        assert_eq!(i64::from_value(&ParamValue::Float(1.5)), None);
        assert_eq!(i64::from_value(&s("1.0")), None);
        assert_eq!(f64::from_value(&ParamValue::Int(3)), Some(3.0));
        assert_eq!(bool::from_value(&ParamValue::Int(2)), None);
        assert_eq!(bool::from_value(&s("no")), Some(false));
        assert_eq!(bool::from_value(&ParamValue::Null), None);
    }

    #[test]
    fn strings_take_python_str_of_anything() {
        assert_eq!(String::from_value(&ParamValue::Int(336)).unwrap(), "336");
        assert_eq!(String::from_value(&ParamValue::Float(1e-5)).unwrap(), "1e-05");
        assert_eq!(String::from_value(&ParamValue::Bool(true)).unwrap(), "True");
        assert_eq!(String::from_value(&ParamValue::Null).unwrap(), "");
    }
}
