//! `py_str`, `py_fixed` and `decimal_year` against Python/astropy values
//! (testdata/catalog/reference.json).

mod common;

use common::{f64_from_bits_hex, reference};
use driz_catalog::{decimal_year, py_fixed, py_str};

#[test]
fn py_str_matches_python_str_on_every_recorded_float() {
    let reference = reference();
    let cases = reference["floats"].as_array().unwrap();
    assert!(cases.len() > 4000);
    let mut mismatches = Vec::new();
    for case in cases {
        let x = f64_from_bits_hex(case["bits"].as_str().unwrap());
        let expected = case["str"].as_str().unwrap();
        if py_str(x) != expected {
            mismatches.push(format!("{:?}: ours {} python {expected}", x, py_str(x)));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches, e.g. {:?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(5)]
    );
}

#[test]
fn py_fixed_matches_python_three_decimals() {
    let reference = reference();
    for case in reference["floats"].as_array().unwrap() {
        let x = f64_from_bits_hex(case["bits"].as_str().unwrap());
        assert_eq!(py_fixed(x, 3), case["fixed3"].as_str().unwrap(), "{x:?}");
    }
}

#[test]
fn decimal_year_matches_astropy_bit_for_bit() {
    let reference = reference();
    let cases = reference["dates"].as_array().unwrap();
    assert!(cases.len() > 400);
    let mut max_diff = 0.0f64;
    for case in cases {
        let date = case["date"].as_str().unwrap();
        let expected = f64_from_bits_hex(case["bits"].as_str().unwrap());
        let ours = decimal_year(date, None).unwrap_or_else(|e| panic!("{date}: {e}"));
        max_diff = max_diff.max((ours - expected).abs());
        assert_eq!(ours.to_bits(), expected.to_bits(), "{date}: ours {ours:?} astropy {expected:?}");
        assert_eq!(py_fixed(ours, 3), case["epoch3"].as_str().unwrap(), "{date}");
    }
    assert_eq!(max_diff, 0.0);
}

#[test]
fn time_obs_is_joined_to_date_obs() {
    let reference = reference();
    let case = reference["dates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["date"].as_str().unwrap() == "2002-03-07T01:02:03.456789")
        .unwrap();
    let expected = f64_from_bits_hex(case["bits"].as_str().unwrap());
    assert_eq!(decimal_year("2002-03-07", Some("01:02:03.456789")).unwrap(), expected);
}
