//! Bad footprints are errors, not panics.

use driz_skycell::{SkyCellError, sky_cells, skycell_keyword_value};

#[test]
fn empty_footprint_is_an_error() {
    assert_eq!(sky_cells(&[]), Err(SkyCellError::EmptyFootprint));
    assert_eq!(sky_cells(&[Vec::new()]), Err(SkyCellError::EmptyFootprint));
}

#[test]
fn non_sky_positions_are_errors() {
    let bad = [vec![(10.0, 1.0), (f64::NAN, 1.0), (10.1, 1.1)]];
    assert!(matches!(sky_cells(&bad), Err(SkyCellError::BadPosition { .. })));
    let bad = [vec![(10.0, 91.0), (10.1, 1.0), (10.1, 1.1)]];
    assert!(matches!(sky_cells(&bad), Err(SkyCellError::BadPosition { .. })));
}

#[test]
fn no_cells_means_no_keyword() {
    assert_eq!(skycell_keyword_value(&[]), None);
}
