//! Keyword values as fitsblender sees them (Python and numpy scalars) and the combining
//! functions, with numpy's type promotion and summation order.

use crate::error::BlendError;
use crate::rules::Aggregate;
use driz_header::Value;

/// A keyword value read from a header, or produced by a combining function.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BlendValue {
    Bool(bool),
    /// `numpy` is true for numpy integers: astropy then always rewrites the card, as a
    /// numpy integer never counts as the same value as a Python int.
    Int {
        value: i64,
        numpy: bool,
    },
    Float(f64),
    Text(String),
}

impl BlendValue {
    /// A header value as astropy returns it; `None` for values fitsblender cannot use.
    pub(crate) fn from_header(keyword: &str, value: &Value) -> Result<Option<BlendValue>, BlendError> {
        Ok(Some(match value {
            Value::Logical(b) => BlendValue::Bool(*b),
            Value::Integer(i) => BlendValue::Int { value: *i, numpy: false },
            Value::Float(f) => BlendValue::Float(*f),
            Value::Text(s) => BlendValue::Text(s.clone()),
            // An empty value field: treated as missing (astropy would hand over its
            // `Undefined` object, which fitsblender cannot tabulate).
            Value::Undefined => return Ok(None),
            Value::Complex(text) => {
                return Err(BlendError::BadValue { keyword: keyword.into(), reason: format!("complex value {text}") });
            }
            Value::Invalid(reason) => {
                return Err(BlendError::BadValue { keyword: keyword.into(), reason: reason.clone() });
            }
        }))
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            BlendValue::Bool(b) => Value::Logical(*b),
            BlendValue::Int { value, .. } => Value::Integer(*value),
            BlendValue::Float(f) => Value::Float(*f),
            BlendValue::Text(s) => Value::Text(s.clone()),
        }
    }

    /// Python equality between header values (`True == 1 == 1.0`, strings only equal
    /// strings), which decides what `multi` treats as one value.
    fn python_eq(&self, other: &BlendValue) -> bool {
        match (self, other) {
            (BlendValue::Text(a), BlendValue::Text(b)) => a == b,
            (BlendValue::Text(_), _) | (_, BlendValue::Text(_)) => false,
            (a, b) => match (a.exact_int(), b.exact_int()) {
                (Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            },
        }
    }

    fn exact_int(&self) -> Option<i64> {
        match *self {
            BlendValue::Bool(b) => Some(i64::from(b)),
            BlendValue::Int { value, .. } => Some(value),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> f64 {
        match self {
            BlendValue::Bool(b) => f64::from(u8::from(*b)),
            BlendValue::Int { value, .. } => *value as f64,
            BlendValue::Float(f) => *f,
            BlendValue::Text(_) => f64::NAN,
        }
    }
}

/// The numpy dtype `np.array` picks for a list of header values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum NumpyKind {
    Bool,
    Int,
    Float,
    /// Unicode strings; numbers are converted to their text.
    Text,
}

pub(crate) fn numpy_kind<'a>(values: impl IntoIterator<Item = &'a BlendValue>) -> NumpyKind {
    values
        .into_iter()
        .map(|v| match v {
            BlendValue::Bool(_) => NumpyKind::Bool,
            BlendValue::Int { .. } => NumpyKind::Int,
            BlendValue::Float(_) => NumpyKind::Float,
            BlendValue::Text(_) => NumpyKind::Text,
        })
        .max()
        .unwrap_or(NumpyKind::Float)
}

/// numpy's pairwise summation (what `np.add.reduce` does over a contiguous float64 array):
/// blocks of up to 128 summed with 8 interleaved accumulators, larger ranges split in two.
pub(crate) fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[i..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// Apply a combining function to the values found (never empty).
pub(crate) fn aggregate(keyword: &str, func: Aggregate, values: &[BlendValue]) -> Result<BlendValue, BlendError> {
    let numeric_error = |reason: &str| BlendError::Aggregate {
        keyword: keyword.to_string(),
        function: func.name(),
        reason: reason.to_string(),
    };
    Ok(match func {
        Aggregate::First => values[0].clone(),
        Aggregate::Last => values[values.len() - 1].clone(),
        Aggregate::FloatOne => BlendValue::Float(1.0),
        Aggregate::IntOne => BlendValue::Int { value: 1, numpy: false },
        Aggregate::Zero => BlendValue::Int { value: 0, numpy: false },
        Aggregate::Multi | Aggregate::MultiQuestion => {
            if values.iter().all(|v| v.python_eq(&values[0])) {
                values[0].clone()
            } else {
                BlendValue::Text(if func == Aggregate::Multi { "MULTIPLE" } else { "?" }.to_string())
            }
        }
        Aggregate::Mean | Aggregate::Sum | Aggregate::Max | Aggregate::Min | Aggregate::StdDev => {
            let kind = numpy_kind(values);
            if kind == NumpyKind::Text {
                return Err(numeric_error("string values"));
            }
            numeric(func, kind, values)
        }
    })
}

fn numeric(func: Aggregate, kind: NumpyKind, values: &[BlendValue]) -> BlendValue {
    let floats: Vec<f64> = values.iter().map(BlendValue::as_f64).collect();
    let n = floats.len() as f64;
    let ints = || values.iter().map(|v| v.exact_int().unwrap_or(0));
    match (func, kind) {
        (Aggregate::Mean, _) => BlendValue::Float(pairwise_sum(&floats) / n),
        (Aggregate::StdDev, _) => {
            let mean = pairwise_sum(&floats) / n;
            let squares: Vec<f64> = floats.iter().map(|x| (x - mean) * (x - mean)).collect();
            BlendValue::Float((pairwise_sum(&squares) / n).sqrt())
        }
        (Aggregate::Sum, NumpyKind::Float) => BlendValue::Float(pairwise_sum(&floats)),
        // Summing booleans counts them, as an int64.
        (Aggregate::Sum, _) => BlendValue::Int { value: ints().fold(0i64, i64::wrapping_add), numpy: true },
        (Aggregate::Max | Aggregate::Min, NumpyKind::Float) => {
            let pick = if func == Aggregate::Max { f64::max } else { f64::min };
            BlendValue::Float(floats.iter().copied().reduce(pick).unwrap_or(f64::NAN))
        }
        (Aggregate::Max | Aggregate::Min, NumpyKind::Int) => {
            let v = if func == Aggregate::Max { ints().max() } else { ints().min() };
            BlendValue::Int { value: v.unwrap_or(0), numpy: true }
        }
        (Aggregate::Max, _) => BlendValue::Bool(ints().max() == Some(1)),
        (Aggregate::Min, _) => BlendValue::Bool(ints().min() == Some(1)),
        _ => unreachable!("only numeric functions reach here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> BlendValue {
        BlendValue::Float(x)
    }

    #[test]
    fn multi_uses_python_equality() {
        let one = BlendValue::Int { value: 1, numpy: false };
        let got = aggregate("K", Aggregate::Multi, &[one.clone(), f(1.0), BlendValue::Bool(true)]).unwrap();
        assert_eq!(got, one);
        let got = aggregate("K", Aggregate::MultiQuestion, &[one, BlendValue::Text("1".into())]).unwrap();
        assert_eq!(got, BlendValue::Text("?".into()));
    }

    #[test]
    fn sums_follow_numpy_types() {
        let t = BlendValue::Bool(true);
        assert_eq!(
            aggregate("K", Aggregate::Sum, &[t.clone(), t.clone()]).unwrap(),
            BlendValue::Int { value: 2, numpy: true }
        );
        assert_eq!(aggregate("K", Aggregate::Max, &[t, BlendValue::Bool(false)]).unwrap(), BlendValue::Bool(true));
        assert!(aggregate("K", Aggregate::Mean, &[BlendValue::Text("a".into())]).is_err());
    }
}
