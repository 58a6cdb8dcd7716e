//! Recovering the reference's float64 value of a parameter that our API carries as f32.

/// The Python float the reference would hold for a parameter typed as decimal text
/// (`binwidth=0.1`, `combine_nsigma="4 3"`), given the f32 our API stores.
///
/// The reference computes with these parameters in float64 (`0.1 * stddev`), so widening
/// the f32 (`0.1f32 as f64 = 0.10000000149…`) would shift results. Rust prints an f32 as
/// the shortest decimal that reads back to it, which is the text the user typed for any
/// value with at most 7 significant digits; parsing that text as f64 gives the reference's
/// double exactly.
pub(crate) fn python_float(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

#[cfg(test)]
mod tests {
    use super::python_float;

    #[test]
    fn recovers_decimal_parameters() {
        assert_eq!(python_float(0.1), 0.1);
        assert_eq!(python_float(3.3), 3.3);
        assert_eq!(python_float(4.0), 4.0);
        assert_eq!(python_float(1e-8), 1e-8);
        assert_eq!(python_float(f32::INFINITY), f64::INFINITY);
        assert!(python_float(f32::NAN).is_nan());
    }
}
