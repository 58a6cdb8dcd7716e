//! Text to number/boolean conversions with the rules of the Python calls drizzlepac makes:
//! `int(str)`, `float(str)` and configobj's boolean table. Parameters typed on a command line
//! or in a file must be accepted and rejected exactly where AstroDrizzle would.

/// Python's `int(s)` for base 10: surrounding whitespace, an optional sign, decimal digits
/// with single underscores between them (`1_024`), leading zeros allowed. `None` where Python
/// raises ValueError (or the value does not fit an i128). Non-ASCII digits, which Python
/// also accepts, are rejected.
pub(crate) fn py_int(s: &str) -> Option<i128> {
    let t = s.trim();
    let (negative, digits) = match t.as_bytes().first()? {
        b'+' => (false, &t[1..]),
        b'-' => (true, &t[1..]),
        _ => (false, t),
    };
    let digits = strip_digit_underscores(digits)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// Python's `float(s)`: whitespace, sign, decimal or exponent notation, `inf`/`infinity`/`nan`
/// in any case, underscores between digits.
pub(crate) fn py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let cleaned = strip_digit_underscores(t)?;
    // Rust accepts the same grammar as Python here except for underscores, handled above.
    cleaned.parse::<f64>().ok()
}

/// configobj's `is_boolean` for strings: the lower-cased text must be one of
/// true/on/yes/1 or false/off/no/0 (no surrounding blanks allowed).
pub(crate) fn py_bool(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The text without its underscores, if every underscore sits between two digits.
fn strip_digit_underscores(s: &str) -> Option<String> {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = i + 1 < b.len() && b[i + 1].is_ascii_digit();
            if !(before && after) {
                return None;
            }
        }
    }
    Some(s.replace('_', ""))
}

/// Python's `str(bool)`.
pub(crate) fn py_bool_str(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_follow_python() {
        assert_eq!(py_int(" 42 "), Some(42));
        assert_eq!(py_int("+7"), Some(7));
        assert_eq!(py_int("-0016"), Some(-16));
        assert_eq!(py_int("1_024"), Some(1024));
        for bad in ["", "+", "1__0", "_1", "1_", "4.0", "1e3", "0x10", "- 4", "None"] {
            assert_eq!(py_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn floats_follow_python() {
        assert_eq!(py_float(" 1.5\n"), Some(1.5));
        assert_eq!(py_float("1e3"), Some(1000.0));
        assert_eq!(py_float(".5"), Some(0.5));
        assert_eq!(py_float("5."), Some(5.0));
        assert_eq!(py_float("1_000.5"), Some(1000.5));
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(py_float("NaN").unwrap().is_nan());
        for bad in ["", ".", "e3", "1._5", "None", "INDEF", "0x10", "1 2"] {
            assert_eq!(py_float(bad), None, "{bad}");
        }
    }

    #[test]
    fn booleans_follow_configobj() {
        assert_eq!(py_bool("Yes"), Some(true));
        assert_eq!(py_bool("OFF"), Some(false));
        assert_eq!(py_bool("1"), Some(true));
        assert_eq!(py_bool(" true"), None);
        assert_eq!(py_bool("t"), None);
    }
}
