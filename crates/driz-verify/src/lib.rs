//! runastrodriz's alignment verification metrics (drizzlepac 3.11.0, spec §5.1–§5.5), pure
//! compute with no I/O.
//!
//! This crate owns:
//! - [`build_focus`] / [`evaluate_focus`]: the focus index of the single-exposure drizzles and
//!   the product (`build_focus_dict`, `evaluate_focus`), with [`focus_sigma`] per detector.
//! - [`overlap_count`] (with [`edge_pixels`]): the overlap-count image of `SkyFootprint.build`,
//!   including Pillow's polygon rasteriser.
//! - [`max_overlap_diff`]: the maximum overlap difference, the main verification, with its
//!   helpers [`detect_point_sources`], [`similarity_index`] and [`sigma_clipped_stats`].
//! - [`decide`]: the per-mode verdict.
//! - The scipy.ndimage filters they rest on, bit-identical to scipy: [`gaussian_laplace`]
//!   (float64) and [`gaussian_laplace_f32`] (float32 storage, as scipy filters float32 FITS
//!   data), [`gaussian_filter_f32`] (used by ACS/SBC source detection in driz-detect),
//!   [`binary_erosion_cross`], [`label`], [`median_filter_5x5`].
//!
//! Images are float32 as read from FITS and are processed in float32 wherever numpy does, with
//! numpy's summation orders, so results match the reference to the last bit where its
//! arithmetic is deterministic. Heavy filters run in parallel over rows; results do not depend
//! on the thread count.

mod decision;
mod focus;
mod gaussian;
mod morphology;
mod numpy_sum;
mod overlap;
mod overlap_diff;
mod point_sources;
mod polygon;
mod real;
mod sigma_clip;
mod similarity;

pub use decision::{Decision, SIMILARITY_LIMIT, decide};
pub use focus::{FocusValues, Z_CDF_ONE, build_focus, evaluate_focus, focus_sigma, normal_round_trip};
pub use gaussian::{gaussian_filter_f32, gaussian_laplace, gaussian_laplace_f32};
pub use morphology::{binary_erosion_cross, label, median_filter_5x5};
pub use overlap::{edge_pixels, overlap_count};
pub use overlap_diff::{OVERLAP_LIMIT, OverlapDiff, OverlapRegion, max_overlap_diff};
pub use point_sources::{PointSources, detect_point_sources, detect_point_sources_counted, source_cores};
pub use sigma_clip::{ClippedStats, sigma_clipped_stats};
pub use similarity::{nan_to_num, similarity_index};

/// Inputs the reference cannot process (it raises on them).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VerifyError {
    #[error("array shape {found:?} differs from {expected:?}")]
    ShapeMismatch { expected: (usize, usize), found: (usize, usize) },
    #[error("no single-exposure images")]
    NoExposures,
    #[error("empty region (no overlap pixels, or an overlap one row or column wide)")]
    EmptyRegion,
    #[error("the region's maximum is negative or NaN (the background statistics are undefined)")]
    NoPositivePixels,
    #[error("the Laplacian-of-Gaussian image contains NaN (infinite input values)")]
    NonFiniteFilter,
}
