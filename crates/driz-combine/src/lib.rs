//! Pixel statistics and image combination for the AstroDrizzle step chain (drizzlepac 3.11.0
//! semantics, spec Part 2 §3, §4.3, §6, §8), pure compute with no I/O.
//!
//! This crate owns:
//! - [`image_stats`]: `stsci.imagestats.ImageStats` (clipped mean/σ, histogram mode and
//!   midpoint, clipped median) with the reference's float32/float64 mix and its C quirks.
//! - [`static_mask_stats`] / [`apply_static_mask`]: the static mask of `staticMask.py`.
//! - [`sky_statistic`]: the sky statistic of skypac's `SkyStats` on the good pixels.
//! - [`combine`]: the median step's per-pixel combination: `stsci.image` numcombine
//!   (median, imedian, mean, imean, iaverage) and drizzlepac's `minmed`, on a row section,
//!   parallel over rows; [`plan_sections`] reproduces createMedian's row sections.
//! - [`cr_mask`] / [`quick_derivative`]: driz_cr's cosmic-ray mask for one chip.
//!
//! Results are bit-identical to the reference wherever its arithmetic is deterministic, and
//! independent of the rayon thread count. Input arrays are read in row-major (C) order,
//! which is the order numpy iterates; order matters where the reference sums sequentially.

mod combine;
mod driz_cr;
mod imagestats;
mod imagestats_histogram;
mod median_inputs;
mod minmed;
mod numcombine;
mod python_float;
mod qderiv;
mod rows;
mod sections;
mod sky;
mod static_mask;
mod symm_window;

pub use combine::{CombineParams, CombineType, StackImage, combine, combine_unmasked};
pub use driz_cr::{CrChip, CrParams, cr_mask};
pub use imagestats::{Fields, Stats, StatsConfig, image_stats};
pub use median_inputs::{low_weight_mask, weight_mask_threshold};
pub use qderiv::quick_derivative;
pub use sections::{RowSection, SectionPlan, plan_sections, section_rows_for_buffer};
pub use sky::{SkyStat, SkyStatConfig, sky_statistic, sky_statistic_f64};
pub use static_mask::{StaticMaskStats, apply_static_mask, static_mask_stats, static_mask_threshold};

use thiserror::Error;

/// A name that is not one of the accepted spellings of a parameter value.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("unknown {what} '{name}' (expected one of: {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
    pub expected: &'static str,
}
