//! ACS/SBC source detection (runastrodriz-spec §6.5.2, drizzlepac's
//! `SBCHAPImage.find_alignment_sources`). SBC images are photon counts with a nearly
//! integer, mostly empty background and blocky PSFs, so instead of segmentation the
//! reference keeps the pixels well above a smoothed background, finds point-like
//! cores with a wide Laplacian of Gaussian, and runs DAOStarFinder with a negligible
//! threshold only on those cores.

use driz_verify::{gaussian_filter_f32, sigma_clipped_stats, source_cores};
use ndarray::ArrayView2;

use crate::Source;
use crate::daofind::dao_find_masked;

/// Smoothing of the background estimate.
const SMOOTH_SIGMA: f64 = 3.0;
/// Background limit: median + this many standard deviations of the smoothed image.
const BACKGROUND_NSIGMA: f32 = 3.0;
/// Wide enough to merge the pixelated PSF halo into its core.
const LOG_SIGMA: f64 = 5.0;
/// DAOStarFinder needs a positive threshold for finite statistics; the cores already
/// select the sources.
const DAO_THRESHOLD: f64 = 1.0e-10;

/// Sources of one SBC chip, in DAOStarFinder's (raster) order, with the detection
/// kernel's FWHM in pixels.
pub fn sbc_sources(sci: ArrayView2<f32>, kernel_fwhm_px: f64) -> Vec<Source> {
    let smoothed = gaussian_filter_f32(sci, SMOOTH_SIGMA);
    // astropy sigma_clipped_stats(maxiters=1) with its default 3σ clip.
    let stats = sigma_clipped_stats(smoothed.iter().copied(), 3.0, 1);
    let limit = stats.median + BACKGROUND_NSIGMA * stats.std;
    let mut above = sci.to_owned();
    above.zip_mut_with(&smoothed, |v, &s| {
        if s <= limit {
            *v = 0.0;
        }
    });
    // drizzlepac's `detect_point_sources(above, background=0, log_sigma=5)`.
    let outside_cores = source_cores(above, LOG_SIGMA).mapv(|c| !c);
    dao_find_masked(sci, DAO_THRESHOLD, kernel_fwhm_px, Some(outside_cores.view()))
        .into_iter()
        .map(|s| Source { x: s.xcentroid, y: s.ycentroid, flux: s.flux as f64, peak: s.peak as f64, mag: s.mag as f64 })
        .collect()
}
