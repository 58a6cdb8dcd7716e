//! The SKYCELL keyword of runastrodriz (drizzlepac 3.11.0 `processing_utils.
//! add_skycell_to_header`): which sky cells of the MVM all-sky grid
//! (`pars/allsky_cells.fits`) an exposure overlaps, the keyword value made of their names,
//! and the header edit that stores it after `S_REGION`.
//!
//! This crate owns the grid (declination bands, projection-cell and sky-cell geometry), the
//! selection rules of `cell_utils.get_sky_cells` for one exposure, and the keyword text. It
//! does no I/O: the caller reads the chips' WCS and writes the header.
//!
//! drizzlepac rasterises the footprint at 0.04"/pixel and tests its edge pixels; this
//! crate tests the chips' outlines geometrically. The two agree except when an outline
//! passes within a few 0.04" pixels of a sky-cell or declination-band limit.

mod footprint;
pub mod grid;
mod keyword;
mod select;

pub use footprint::{OUTLINE_STEP, chip_outline};
pub use keyword::{SKYCELL_COMMENT, set_skycell_keyword, skycell_keyword_value};

use driz_wcs::{HstWcs, WcsError};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum SkyCellError {
    #[error("the exposure footprint has no points")]
    EmptyFootprint,
    #[error("footprint point RA {ra}, Dec {dec} is not a sky position")]
    BadPosition { ra: f64, dec: f64 },
    #[error("the exposure footprint spans more than a hemisphere")]
    TooLarge,
    #[error("header has no S_REGION keyword to put SKYCELL after")]
    NoSRegion,
    #[error(transparent)]
    Wcs(#[from] WcsError),
}

/// A sky cell: projection cell `pNNNN` and 1-based position `xNN`, `yNN` in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkyCellName {
    pub projection_cell: u32,
    pub x: u32,
    pub y: u32,
}

impl SkyCellName {
    /// drizzlepac's full name, e.g. `skycell-p1234x05y06`.
    pub fn full_name(&self) -> String {
        format!("skycell-{self}")
    }
}

impl fmt::Display for SkyCellName {
    /// The short form used in the keyword, e.g. `p1234x05y06`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{:04}x{:02}y{:02}", self.projection_cell, self.x, self.y)
    }
}

/// The sky cells overlapped by an exposure given as the closed outlines of its chips
/// ((RA, Dec) degrees, e.g. from [`chip_outline`]), in drizzlepac's order: projection
/// cells by band then index, sky cells by X then Y. Empty when none (drizzlepac then
/// logs an error and writes no keyword).
pub fn sky_cells(outlines: &[Vec<(f64, f64)>]) -> Result<Vec<SkyCellName>, SkyCellError> {
    select::select(&footprint::Footprint::new(outlines)?)
}

/// [`sky_cells`] of the SCI chips of one exposure: each chip's full WCS and
/// `[NAXIS1, NAXIS2]`.
pub fn exposure_sky_cells(chips: &[(&HstWcs, [usize; 2])]) -> Result<Vec<SkyCellName>, SkyCellError> {
    let outlines: Vec<Vec<(f64, f64)>> = chips.iter().map(|(w, [nx, ny])| chip_outline(w, *nx, *ny)).collect();
    sky_cells(&outlines)
}
