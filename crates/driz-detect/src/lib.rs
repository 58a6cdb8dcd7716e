//! Source detection for a posteriori alignment, as drizzlepac 3.11.0's `AlignmentTable`
//! prepares each exposure and `HAPImage.find_alignment_sources` extracts its sources
//! (runastrodriz-spec §6.4–§6.5), pure compute with no I/O.
//!
//! This crate owns the photutils 2.3 / astropy / scipy subset that chain uses:
//! - [`background_2d`]: `Background2D` (SExtractor or median background, `StdBackgroundRMS`,
//!   3σ clipping, exclude percentile, 3×3 mesh median filter, cubic-spline zoom).
//! - [`astropy_convolve`] / [`ndimage_convolve`]: astropy `convolve` and scipy's.
//! - [`detect_sources`]: photutils segmentation (labels in raster order).
//! - [`dao_find`] / [`find_peaks`]: photutils `DAOStarFinder` and `find_peaks`.
//! - [`bad_pixel_mask`]: `build_dqmask`; [`segment_properties`] / [`is_real_source`]: the
//!   `SourceCatalog` moments and the CR classifier; [`build_auto_kernel`] / [`find_fwhm`]:
//!   the PSF-derived detection kernel (photutils' iterative PSF photometry, fitted with a
//!   port of scipy's bounded TRF least squares); [`extract_sources`]: segmentation +
//!   "starfind"; [`sbc_sources`]: the ACS/SBC variant (smoothed-background cut, LoG cores,
//!   masked DAOStarFinder).
//! - [`windowed_centroid`]: driz's own centring ([`Centering::Windowed`], chosen through
//!   [`DetectionParams::centering`]): an iterative Gaussian-windowed centroid free of the
//!   pixel-phase errors DAOStarFinder's marginal fits have on undersampled PSFs.
//! - internal ports whose tie-breaking matters: scipy's cKDTree (which equidistant mesh
//!   boxes refill an excluded background box), numpy's pairwise float32 sums.
//! - [`detect_image`]: the whole chain for all chips of one exposure.
//! - [`verify_guiding`]: drizzlepac's `analyze.verify_guiding` (runastrodriz `-v`,
//!   runastrodriz-spec §6.3.2) with its scikit-image 0.26 building blocks [`canny`] and
//!   [`probabilistic_hough_line`] (deterministic seeded pixel order instead of skimage's
//!   unseeded one).
//!
//! Arrays are the SCI/ERR/DQ data as stored in the file (electrons for ACS/WFC3-UVIS FLC/FLT,
//! e⁻/s for WFC3/IR). Float32 arithmetic and numpy's summation order are reproduced where the
//! reference works in float32. Results do not depend on the rayon thread count.

mod auto_kernel;
mod background;
mod canny;
mod convolve;
mod daofind;
mod dq_mask;
mod erf;
mod extract;
mod guiding;
mod hough;
mod image;
mod kdtree;
mod numpy_sum;
mod params;
mod psf_fwhm;
mod sbc;
mod segment_properties;
mod segmentation;
mod sigma_clip;
mod spline_zoom;
mod trf;
mod windowed;

pub use auto_kernel::{DetectionKernel, build_auto_kernel, gaussian_kernel};
pub use background::{Background2d, BackgroundEstimator, background_2d};
pub use canny::canny;
pub use convolve::{astropy_convolve, ndimage_convolve};
pub use daofind::{DaoKernel, DaoStar, dao_find, dao_find_masked, find_peaks, find_peaks_box};
pub use dq_mask::{bad_pixel_mask, pseudo_weight};
pub use extract::{KernelArray, extract_sources};
pub use guiding::{
    GUIDING_IGNORED_DQ_FLAGS, GUIDING_MIN_LENGTH, GUIDING_MIN_LINES, GuidingImage, GuidingInput, GuidingReason,
    GuidingVerdict, LineStatistics, count_guiding_sources, guiding_image, judge_lines, lines_in_image, verify_guiding,
    verify_guiding_seeded,
};
pub use hough::{
    HOUGH_SEED, HoughLine, default_hough_angles, probabilistic_hough_line, probabilistic_hough_line_ordered,
    seeded_permutation,
};
pub use image::{ChipBackground, chip_background, crclean_chip};
pub use numpy_sum::pairwise_sum_f64;
pub use params::DetectionParams;
pub use psf_fwhm::{PsfFit, find_fwhm, iterative_psf_photometry, mmm_background};
pub use sbc::sbc_sources;
pub use segment_properties::{SegmentProperties, is_real_source, segment_properties};
pub use segmentation::{BoundingBox, Connectivity, Segment, SegmentationImage, detect_sources, label_components};
pub use windowed::{Centering, WINDOW_SIGMA_PER_FWHM, window_sigma, windowed_centroid};

use ndarray::ArrayView2;

/// Errors of the detection chain.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// Background2D failed for every exclude percentile (the reference then crashes).
    #[error("background estimation failed: {0}")]
    Background(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

/// One SCI extension with its ERR and DQ arrays and the pixel scale of the image
/// (`sqrt(CD1_1² + CD2_1²)·3600` of the first chip).
#[derive(Clone, Copy, Debug)]
pub struct ChipImage<'a> {
    pub sci: ArrayView2<'a, f32>,
    pub err: Option<ArrayView2<'a, f32>>,
    pub dq: Option<ArrayView2<'a, u16>>,
    pub pixel_scale_arcsec: f64,
}

/// A detected source in 0-based chip pixel coordinates; `flux`, `peak`, `mag` are the
/// DAOStarFinder values (sum of the kernel-sized box, peak pixel, −2.5·log10 flux), or the
/// segment values for saturated sources.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Source {
    pub x: f64,
    pub y: f64,
    pub flux: f64,
    pub peak: f64,
    pub mag: f64,
}

/// Sources of all chips of one exposure (chip order as given), brightest segments first.
#[derive(Clone, Debug)]
pub struct ImageSources {
    pub chips: Vec<Vec<Source>>,
    /// Kernel FWHM in arcseconds: the default for the following images of the set.
    pub fwhm_arcsec: f64,
    pub kernel_fwhm_px: f64,
    /// False when no PSF was measured and the Gaussian fallback kernel was used.
    pub kernel_from_psf: bool,
}

/// All chips of one exposure, as `AlignmentTable` + `find_alignment_sources` do.
/// `default_fwhm_arcsec`: the FWHM measured on the first image of the set (None for the
/// first image), per runastrodriz-spec §6.4.
pub fn detect_image(
    chips: &[ChipImage],
    params: &DetectionParams,
    default_fwhm_arcsec: Option<f64>,
) -> Result<ImageSources, DetectError> {
    image::detect_image(chips, params, default_fwhm_arcsec)
}
