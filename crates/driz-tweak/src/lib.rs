//! Catalog alignment as tweakwcs 0.9.3 does it when drizzlepac 3.11 drives it: the initial
//! offset from a 2-D histogram of pair offsets, stsci.stimage's `xyxymatch` "tolerance"
//! matching, the iterative linear fit (`shift`, `rshift`, `rscale`, `general` with sigma
//! clipping), the correction of a chip's FITS WCS (`FITSWCSCorrector.set_correction`) and
//! `align_wcs`, which ties them together over groups of chips and a reference catalog.
//!
//! Pure computation on [`driz_wcs::HstWcs`]: no I/O. Detector positions are 0-based, as in
//! tweakwcs catalogs. The "tangent plane" of a chip is its own distortion-free pixel grid
//! (the WCS without SIP, D2IM and NPOL), so all lengths are in pixels of the plane's chip.
//!
//! Reference quirks kept on purpose (they change results, and runastrodriz's decisions
//! depend on them): the 2-D histogram offset is biased by about +1 px on both axes when the
//! plane's pixel scale is below 1; one image source can be matched to several reference
//! sources, and more pairs than image sources is an error
//! ([`MatchError::SourceConfusion`]); with `expand_refcat`, unmatched sources of a group
//! whose fit failed are still added to the reference catalog (for every group after the
//! first aligned one).
//!
//! One deliberate departure is available: [`CoincidentSources::Average`] matches a group
//! of several exposures with the mean of each star's detections instead of the lowest
//! one, which removes a bias of about one centroid σ from group fits (docs/compatibility.md).

mod align;
mod correction;
mod error;
mod frames;
mod hist2d;
mod linalg;
mod linfit;
mod xyxymatch;

pub use align::{AlignOptions, ChipCatalog, ChipFit, CoincidentSources, FitStatus, RefCatalog, align_wcs};
pub use correction::set_correction;
pub use error::{AlignError, FitError, MatchError};
pub use frames::{det_to_tanp, det_to_world, tanp_center_pixel_scale, tanp_pixel_scale, tanp_to_world, world_to_tanp};
pub use hist2d::estimate_2dhist_shift;
pub use linfit::{FitGeom, LinearFit, iter_linear_fit};
pub use xyxymatch::{MatchParams, Matches, merge_coincident, xyxy_match, xyxy_match_merged, xyxymatch_tolerance};
