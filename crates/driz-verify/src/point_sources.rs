//! drizzlepac's `detect_point_sources` (with its `reduce_diff_region` and `sigma_clipped_bkg`
//! helpers, spec §5.3): background-subtract an overlap crop and keep the pixels where the
//! negated Laplacian of Gaussian is positive (source cores), all in float32 as numpy does.

use ndarray::{Array2, ArrayView2};

use crate::VerifyError;
use crate::gaussian::gaussian_laplace_f32;
use crate::morphology::{count_components, median_filter_5x5};
use crate::sigma_clip::{ClippedStats, sigma_clipped_stats};

/// Clipping width of the background statistics.
const CLIP_SIGMA: f32 = 3.0;

/// The binary source map and the number of 4-connected sources in it.
#[derive(Debug, Clone, PartialEq)]
pub struct PointSources {
    pub map: Array2<bool>,
    pub count: usize,
}

/// Background threshold `mean + nsigma·std` of the sigma-clipped crop and the clipped stats
/// (`None` for an all-zero-maximum crop, which the reference treats as blank: threshold 0).
fn background(img: &ArrayView2<f32>, nsigma: f32) -> Result<(f32, Option<ClippedStats>), VerifyError> {
    let max =
        img.iter().copied().fold(f32::NEG_INFINITY, |m, v| if v.is_nan() || m.is_nan() { f32::NAN } else { m.max(v) });
    if max == 0.0 {
        return Ok((0.0, None));
    }
    if max.is_nan() || max < 0.0 {
        // numpy: int(log10(max / 2) + 0.5) of a NaN raises.
        return Err(VerifyError::NoPositivePixels);
    }
    let maxiters = ((max / 2.0).log10() + 0.5) as i64;
    let stats = sigma_clipped_stats(img.iter().copied(), CLIP_SIGMA, maxiters);
    Ok((stats.mean + nsigma * stats.std, Some(stats)))
}

/// `detect_point_sources(img, nsigma=nsigma, log_sigma=log_sigma, scale=1)`: the map of pixels
/// whose label is non-zero and the number of labels. `img` must be NaN-free (the reference
/// converts NaN to 0 before calling it). Errors where the reference raises: an empty crop, or a
/// crop whose maximum is negative or NaN.
pub fn detect_point_sources_counted(
    img: ArrayView2<f32>,
    nsigma: f64,
    log_sigma: f64,
) -> Result<PointSources, VerifyError> {
    if img.is_empty() {
        return Err(VerifyError::EmptyRegion);
    }
    let (threshold, stats) = background(&img, nsigma as f32)?;
    // Low-signal crops (median below both the spread and 1) are median filtered first.
    let mut work = match stats {
        Some(s) if s.median < s.std && s.median < 1.0 => median_filter_5x5(img),
        _ => img.to_owned(),
    };
    work.mapv_inplace(|v| v - threshold);
    let map = source_cores(work, log_sigma);
    let count = count_components(map.view());
    Ok(PointSources { map, count })
}

/// The tail of `detect_point_sources` once the background is subtracted: the image clipped
/// to [0, max] and the map of pixels whose negated Laplacian of Gaussian is positive (the
/// sources' cores; labelled, these are the reference's `slabels`).
pub fn source_cores(mut img: Array2<f32>, log_sigma: f64) -> Array2<bool> {
    let top = img.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // np.clip(x, 0, max): the lower bound first, then the upper one (which wins if max < 0).
    img.mapv_inplace(|v| {
        let v = if v < 0.0 { 0.0 } else { v };
        if v > top { top } else { v }
    });
    // −LoG with its negative part zeroed is non-zero where LoG < 0 (or NaN).
    gaussian_laplace_f32(img.view(), log_sigma).mapv(|v| v < 0.0 || v.is_nan())
}

/// The binary point-source map of `detect_point_sources` (see [`detect_point_sources_counted`]).
pub fn detect_point_sources(img: ArrayView2<f32>, nsigma: f64, log_sigma: f64) -> Result<Array2<bool>, VerifyError> {
    detect_point_sources_counted(img, nsigma, log_sigma).map(|p| p.map)
}
