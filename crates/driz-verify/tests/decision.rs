//! runastrodriz's decision table (spec §5.5; runastrodriz.verify_alignment).

use driz_verify::{Decision, decide};

#[test]
fn overlap_alone_decides_with_enough_matches() {
    assert_eq!(decide(true, false, 50, 0.5, None, false), Decision { verified: true, quality: 0 });
    assert_eq!(decide(false, true, 50, 0.5, None, false), Decision { verified: false, quality: 3 });
    // Outside a posteriori: n_match −1, frac 1.0.
    assert_eq!(decide(true, false, -1, 1.0, None, false), Decision { verified: true, quality: 0 });
}

#[test]
fn borderline_matches_need_the_focus_check() {
    assert!(!decide(true, false, 9, 0.5, None, false).verified);
    assert!(decide(true, true, 9, 0.5, None, false).verified);
    assert!(!decide(true, false, 0, 0.5, None, false).verified);
    assert!(!decide(true, false, 100, 0.05, None, false).verified);
    assert!(decide(true, false, 10, 0.1, None, false).verified);
}

#[test]
fn similarity_only_lowers_the_quality() {
    assert_eq!(decide(true, true, 50, 0.5, Some(1.5), false), Decision { verified: true, quality: 3 });
    assert_eq!(decide(false, true, 50, 0.5, Some(1.5), false), Decision { verified: false, quality: 6 });
    assert_eq!(decide(true, true, 50, 0.5, Some(1.0), false), Decision { verified: true, quality: 0 });
    assert_eq!(decide(true, true, 50, 0.5, Some(f64::NAN), false), Decision { verified: true, quality: 0 });
}

#[test]
fn single_member_is_verified() {
    assert_eq!(decide(false, false, 3, 0.01, None, true), Decision { verified: true, quality: 0 });
    assert_eq!(decide(false, false, -1, 1.0, Some(2.0), true), Decision { verified: true, quality: 3 });
}
