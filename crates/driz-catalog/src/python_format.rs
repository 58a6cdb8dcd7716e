//! Python's text formatting of floats, as used to build the catalog service URL.
//!
//! drizzlepac formats RA, DEC and the search radius with `'{}'.format(x)`, i.e. Python's
//! `repr` of the shortest round-tripping digits, and the epoch with `'{:.3f}'`. Rust's `{}`
//! differs for small and large magnitudes (`0.00001` vs `1e-05`), hence these helpers.

/// `str(x)` / `repr(x)` of a Python float (also numpy `float64`, which prints the same).
///
/// Shortest digits that round-trip, ties to even (Python's David Gay algorithm); positional notation when the decimal exponent `e` of the leading
/// digit satisfies `-4 <= e < 16`, otherwise `d.ddde±XX` with at least two exponent digits.
pub fn py_str(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".to_string() } else { "-inf".to_string() };
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's shortest form gives the number of digits Python uses; when two decimals of
    // that length are equally close, Rust's shortest form rounds the tie up, while Python
    // (David Gay's algorithm) takes the correctly rounded, ties-to-even one, which is what
    // Rust's fixed-precision formatting produces.
    let shortest = format!("{:e}", x.abs());
    let n_digits = shortest.split_once('e').map_or(shortest.len(), |(m, _)| m.chars().filter(|c| *c != '.').count());
    let sci = format!("{:.*e}", n_digits - 1, x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // Position of the decimal point relative to the first digit, as in CPython's
    // format_float_short (`decpt`).
    let decpt = exponent + 1;
    let n = digits.len() as i32;
    if decpt > -4 && decpt <= 16 {
        let body = if decpt <= 0 {
            format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
        } else if decpt >= n {
            format!("{}{}.0", digits, "0".repeat((decpt - n) as usize))
        } else {
            format!("{}.{}", &digits[..decpt as usize], &digits[decpt as usize..])
        };
        format!("{sign}{body}")
    } else {
        let head = &digits[..1];
        let tail = &digits[1..];
        let exp = decpt - 1;
        let exp_sign = if exp < 0 { '-' } else { '+' };
        let dot_tail = if tail.is_empty() { String::new() } else { format!(".{tail}") };
        format!("{sign}{head}{dot_tail}e{exp_sign}{:02}", exp.abs())
    }
}

/// Python's `'{:.Nf}'.format(x)`: correctly rounded fixed notation (Rust rounds the same
/// way), with Python's spelling of the non-finite values.
pub fn py_fixed(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".to_string() } else { "-inf".to_string() };
    }
    format!("{x:.decimals$}")
}

/// Python's `float(text)` for the plain decimal spellings the services use: surrounding
/// whitespace allowed, `nan`/`inf`/`infinity` in any case, underscores only between digits.
pub(crate) fn py_float(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let cleaned: String = if t.contains('_') {
        let bytes = t.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'_' {
                let before = i > 0 && bytes[i - 1].is_ascii_digit();
                let after = i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit();
                if !(before && after) {
                    return None;
                }
            }
        }
        t.replace('_', "")
    } else {
        t.to_string()
    };
    cleaned.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_accepts_python_spellings_only() {
        assert_eq!(py_float(" 1.5\n"), Some(1.5));
        assert_eq!(py_float("1_000.5"), Some(1000.5));
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(py_float("NaN").is_some_and(f64::is_nan));
        assert_eq!(py_float("_1"), None);
        assert_eq!(py_float("1__0"), None);
        assert_eq!(py_float(""), None);
        assert_eq!(py_float("abc"), None);
    }
}
