//! Typed keyword values and their text form in a card.

use std::fmt;

/// The value of a FITS keyword.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Logical(bool),
    Integer(i64),
    Float(f64),
    /// A character string, without quotes and with `''` unescaped. Trailing blanks are
    /// insignificant in FITS and removed.
    Text(String),
    /// A complex value `(re, im)`; kept as written because nothing in HST files uses one.
    Complex(String),
    /// The value field is present but empty.
    Undefined,
    /// A card whose value could not be read, with the reason. Kept so that one garbled
    /// card does not make a whole header unreadable; using it is an error.
    Invalid(String),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Logical(_) => "logical",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::Text(_) => "string",
            Value::Complex(_) => "complex",
            Value::Undefined => "undefined",
            Value::Invalid(_) => "unparsable",
        }
    }

    /// A number as f64: integers and floats are numbers, anything else is not.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Integer(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// An integer; floats with an exact integer value are accepted too, as astropy does
    /// for keywords such as `EXTVER = 1.0`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Integer(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Logical(b) => Some(b),
            _ => None,
        }
    }

    /// Text of the value field as it goes into a card (before padding).
    pub(crate) fn field_text(&self) -> String {
        match self {
            Value::Logical(true) => "T".into(),
            Value::Logical(false) => "F".into(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => format_fits_float(*f),
            Value::Text(s) => quote(s),
            Value::Complex(s) => s.clone(),
            Value::Undefined => String::new(),
            Value::Invalid(reason) => format!("({reason})"),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            other => f.write_str(&other.field_text()),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Logical(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Integer(v.into())
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Integer(v as i64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

/// Quote a string the way astropy does: `''` escapes, padded to at least 8 characters
/// inside the quotes (the FITS standard's minimum for fixed-format strings).
pub(crate) fn quote(s: &str) -> String {
    let escaped = s.replace('\'', "''");
    format!("'{escaped:<8}'")
}

/// Python's `repr(float)`: the shortest digits that round-trip, fixed notation when the
/// decimal exponent is in [-4, 16), scientific otherwise.
pub fn python_float_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Python's repr.
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

/// A float as astropy writes it into a card: Python's repr, upper-case exponent of at
/// least two digits, `.0` added to integral values, at most 20 characters.
pub fn format_fits_float(v: f64) -> String {
    if !v.is_finite() {
        // astropy refuses these; CFITSIO and IRAF write them so, and our parser reads them.
        return if v.is_nan() {
            "NAN".into()
        } else if v > 0.0 {
            "INF".into()
        } else {
            "-INF".into()
        };
    }
    let repr = python_float_repr(v).replace('e', "E");
    let mut text = if !repr.contains('.') && !repr.contains('E') {
        format!("{repr}.0")
    } else if let Some((significand, exponent)) = repr.split_once('E') {
        let (sign, digits) = match exponent.as_bytes().first() {
            Some(b'+') | Some(b'-') => (&exponent[..1], &exponent[1..]),
            _ => ("", exponent),
        };
        let n: u32 = digits.parse().unwrap_or(0);
        format!("{significand}E{sign}{n:02}")
    } else {
        repr
    };
    if text.len() > 20 {
        text = match text.find('E') {
            None => text[..20].to_string(),
            Some(idx) => {
                let tail = text[idx..].to_string();
                format!("{}{}", &text[..20 - tail.len()], tail)
            }
        };
    }
    text
}

/// Parse the text of a value field (everything between `= ` and the comment).
pub(crate) fn parse_value(field: &str) -> Result<Value, String> {
    let t = field.trim();
    if t.is_empty() {
        return Ok(Value::Undefined);
    }
    match t {
        "T" => return Ok(Value::Logical(true)),
        "F" => return Ok(Value::Logical(false)),
        _ => {}
    }
    if t.starts_with('(') {
        return if t.ends_with(')') {
            Ok(Value::Complex(t.to_string()))
        } else {
            Err(format!("unterminated complex value {t:?}"))
        };
    }
    match t.to_ascii_lowercase().as_str() {
        "nan" | "+nan" | "-nan" => return Ok(Value::Float(f64::NAN)),
        "inf" | "+inf" | "infinity" => return Ok(Value::Float(f64::INFINITY)),
        "-inf" | "-infinity" => return Ok(Value::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let looks_float = t.contains(['.', 'E', 'e', 'D', 'd']);
    if !looks_float {
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Value::Integer(i));
        }
        // Integers beyond i64 still carry a numeric meaning.
        if t.bytes().all(|b| b.is_ascii_digit() || b == b'+' || b == b'-')
            && let Ok(f) = t.parse::<f64>()
        {
            return Ok(Value::Float(f));
        }
        return Err(format!("unparsable value {t:?}"));
    }
    let normalised = t.replace(['D', 'd'], "E");
    let valid = normalised.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'E' | b'e'));
    if !valid {
        return Err(format!("unparsable value {t:?}"));
    }
    normalised.parse::<f64>().map(Value::Float).map_err(|_| format!("unparsable number {t:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_repr_matches_known_outputs() {
        // Values checked against CPython 3.11 repr().
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123456789012345.0, "123456789012345.0"),
            (1e16, "1e+16"),
            (1.2345e16, "1.2345e+16"),
            (-2.5, "-2.5"),
            (1.29055156992758e-05, "1.29055156992758e-05"),
            (5.63056810618, "5.63056810618"),
            (-72.05457184278998, "-72.05457184278998"),
            (2048.0, "2048.0"),
            (1e22, "1e+22"),
            (1e-300, "1e-300"),
        ];
        for (v, want) in cases {
            assert_eq!(python_float_repr(v), want, "repr of {v:e}");
        }
    }

    #[test]
    fn fits_float_text_matches_astropy() {
        // astropy.io.fits.card._format_float
        assert_eq!(format_fits_float(1e-5), "1E-05");
        assert_eq!(format_fits_float(2048.0), "2048.0");
        assert_eq!(format_fits_float(1.29055156992758e-05), "1.29055156992758E-05");
        assert_eq!(format_fits_float(-1.7687653826004e-14), "-1.7687653826004E-14");
        assert_eq!(format_fits_float(1e100), "1E+100");
        // 17 significant digits plus exponent exceed 20 characters: mantissa is cut.
        assert_eq!(format_fits_float(-1.2345678901234567e-10), "-1.2345678901234E-10");
    }

    #[test]
    fn parses_value_kinds() {
        assert_eq!(parse_value(" T"), Ok(Value::Logical(true)));
        assert_eq!(parse_value("  42 "), Ok(Value::Integer(42)));
        assert_eq!(parse_value("1.5D-3"), Ok(Value::Float(1.5e-3)));
        assert_eq!(parse_value("-7E2"), Ok(Value::Float(-700.0)));
        assert_eq!(parse_value(""), Ok(Value::Undefined));
        assert!(parse_value("abc").is_err());
        assert!(parse_value("1.2.3").is_err());
    }
}
