//! drizzlepac 3.11.0 `haputils.analyze.verify_guiding(filename, min_length=33)` on arrays
//! already read from the file (runastrodriz `-v`, runastrodriz-spec §6.3.2): is the exposure
//! dominated by trails at one common, non-vertical angle (stars smeared by lost guiding)?
//!
//! The caller reads, as the reference does: the primary header's `QUALITY` (missing → ""),
//! the `(SCI,1)` data and its `BUNIT`, `EXPTIME` from the primary header when present there,
//! else from HDU 1's header (only needed when `BUNIT` ends with `/S`), and the data of the
//! first extension named `DQ` (none → no pixel masked).
//!
//! Steps: `QUALITY` containing `gsfail`/`tdf-down` (any case) → bad. Else NaN → 0 (±inf →
//! ±float32 max, numpy `nan_to_num`); ×EXPTIME (float32) for count rates; subtract
//! median + std of astropy `sigma_clipped_stats(maxiters=2)` (3σ, float32, with numpy's
//! summation order for big-endian FITS data: 8192-element buffers); clip to [0, max]; zero
//! the pixels whose DQ has a bit *outside* 256|512|1024|2048|4096 (the reference passes those
//! flags as `ignore_flags` to `bitfield_to_boolean_mask`, so pixels flagged only
//! with them are kept — the comment "ignore bad pixels" says the opposite). Segments of
//! pixels > 0 (8-connected, ≥ 17 px) are counted: fewer than 2 → good. Segments the moment
//! classifier calls cosmic rays (fwhm 1.5) are dropped: none left → good. On the image
//! trimmed by 2 px: Canny edges (σ 2.5, thresholds 0/25), Hough segments (threshold 0, gap 0,
//! length ≥ `min_length`). No segment, or fewer than max(4, n_sources/10) → good. Segments
//! within 2° of ±90° (bleed columns, CTE trails) are set aside; the others' angles go into
//! 90 bins of 4° over [−180°, 180°]; bad when the fullest bin holds more than
//! max(n_kept/10, n_vertical).
//!
//! The Hough pixel order is random (unseeded) in the reference; here it is the fixed
//! [`HOUGH_SEED`] shuffle, so the counts of lines can differ from a given reference run by a
//! few while the verdict (decided by a clear majority) agrees.

use ndarray::{Array2, ArrayView2, Zip, s};

use crate::DetectError;
use crate::canny::canny;
use crate::hough::{HOUGH_SEED, HoughLine, probabilistic_hough_line};
use crate::numpy_sum::{median_f32, pairwise_sum_f32};
use crate::segment_properties::{is_real_source, segment_properties};
use crate::segmentation::{Connectivity, detect_sources};

/// DQ flags `verify_guiding` passes as `ignore_flags` (full-well and A-to-D saturation, bad
/// reference pixel, charge trap, cosmic ray).
pub const GUIDING_IGNORED_DQ_FLAGS: u16 = 256 | 512 | 1024 | 2048 | 4096;
/// `analyze.MIN_LINES`: fewest lines that can indicate bad guiding.
pub const GUIDING_MIN_LINES: usize = 4;
/// The `min_length` runastrodriz passes.
pub const GUIDING_MIN_LENGTH: usize = 33;
/// Smallest segment counted as a source (`npixels=17`).
const MIN_SOURCE_PIXELS: usize = 17;
/// FWHM (pixels) given to the cosmic-ray classifier.
const CLASSIFIER_FWHM: f64 = 1.5;
/// Border trimmed before looking for lines.
const TRIM: usize = 2;
const CANNY_SIGMA: f64 = 2.5;
const CANNY_LOW: f32 = 0.0;
const CANNY_HIGH: f32 = 25.0;
/// Lines closer than this to ±90° are treated as column features.
const VERTICAL_TOLERANCE_DEG: f64 = 2.0;
const ANGLE_BINS: usize = 90;
/// `sigma_clipped_stats` arguments of the reference (`maxiters=2`, default σ).
const CLIP_ITERATIONS: usize = 2;
const CLIP_SIGMA: f32 = 3.0;
/// numpy's ufunc buffer size (elements).
const NUMPY_BUFFER: usize = 8192;

/// What `verify_guiding` reads from the exposure.
#[derive(Clone, Copy, Debug)]
pub struct GuidingInput<'a> {
    /// Primary header `QUALITY` (None when absent).
    pub quality: Option<&'a str>,
    /// `(SCI,1)` data.
    pub sci: ArrayView2<'a, f32>,
    /// `BUNIT` of `(SCI,1)` (None when absent: the reference fails with a KeyError).
    pub bunit: Option<&'a str>,
    /// `EXPTIME` of the primary header if present there, else of HDU 1.
    pub exptime: Option<f64>,
    /// Data of the first `DQ` extension.
    pub dq: Option<ArrayView2<'a, u16>>,
}

/// Why the verdict was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuidingReason {
    /// `QUALITY` reports a guide-star failure or the take-data flag down: bad.
    HeaderQuality,
    /// Fewer than 2 segments of ≥ 17 pixels: good.
    TooFewSources,
    /// Every segment looked like a cosmic ray: good.
    OnlyCosmicRays,
    /// No line segment long enough: good.
    NoLines,
    /// Fewer lines than max(4, n_sources/10): good.
    TooFewLines,
    /// One angle bin holds more than the limit: bad.
    LinesSimilar,
    /// No angle bin exceeds the limit: good.
    LinesDiverse,
}

/// Line statistics of `lines_in_image` (those the reference logs).
#[derive(Clone, Debug, PartialEq)]
pub struct LineStatistics {
    /// All Hough segments found.
    pub num_lines: usize,
    /// Segments within 2° of ±90°.
    pub num_vertical: usize,
    /// Count of the fullest 4° bin of the other segments' angles (0 when not reached).
    pub peak_count: usize,
    /// max(n_non_vertical/10, n_vertical), the count the peak must exceed.
    pub limit: f64,
    /// max(min_lines, n_sources/10), the fewest lines considered.
    pub required_lines: f64,
}

/// The verdict and the numbers behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct GuidingVerdict {
    /// True when the exposure is judged affected by guiding problems.
    pub bad_guiding: bool,
    pub reason: GuidingReason,
    /// Sigma-clipped median and std of the (scaled) SCI data.
    pub background: Option<(f32, f32)>,
    /// Segments of ≥ 17 pixels before the cosmic-ray cut.
    pub raw_sources: Option<usize>,
    /// Segments kept by the cosmic-ray cut (`num_sources` of the reference).
    pub sources: Option<usize>,
    pub lines: Option<LineStatistics>,
}

/// The background-subtracted, clipped, DQ-masked image the sources and lines are searched in.
#[derive(Clone, Debug)]
pub struct GuidingImage {
    pub image: Array2<f32>,
    pub background_median: f32,
    pub background_std: f32,
}

/// `verify_guiding` up to the image handed to `detect_sources` (before trimming).
pub fn guiding_image(
    sci: ArrayView2<f32>,
    bunit: Option<&str>,
    exptime: Option<f64>,
    dq: Option<ArrayView2<u16>>,
) -> Result<GuidingImage, DetectError> {
    let bunit = bunit.ok_or_else(|| DetectError::InvalidInput("verify_guiding: (SCI,1) has no BUNIT".into()))?;
    if let Some(dq) = dq
        && dq.dim() != sci.dim()
    {
        return Err(DetectError::InvalidInput("verify_guiding: DQ and SCI shapes differ".into()));
    }
    let scale = if bunit.ends_with("/S") {
        let exptime = exptime.ok_or_else(|| DetectError::InvalidInput("verify_guiding: no EXPTIME".into()))?;
        Some(exptime as f32)
    } else {
        None
    };
    let mut data = sci.mapv(|v| {
        let v = driz_verify::nan_to_num(v);
        match scale {
            Some(s) => v * s,
            None => v,
        }
    });
    let (median, std) = clipped_median_std_of_fits_data(data.iter().copied().collect());
    let limit = median + std;
    data.mapv_inplace(|v| v - limit);
    let max =
        data.iter().copied().fold(f32::NEG_INFINITY, |m, v| if v.is_nan() || m.is_nan() { f32::NAN } else { m.max(v) });
    // np.clip(data, 0, max) = minimum(maximum(data, 0), max)
    data.mapv_inplace(|v| {
        let lower = if v.is_nan() { v } else { v.max(0.0) };
        if lower.is_nan() { lower } else { lower.min(max) }
    });
    if let Some(dq) = dq {
        Zip::from(&mut data).and(dq).for_each(|v, &flags| {
            if flags & !GUIDING_IGNORED_DQ_FLAGS != 0 {
                *v *= 0.0;
            }
        });
    }
    Ok(GuidingImage { image: data, background_median: median, background_std: std })
}

/// numpy's `sum` of a float32 run stored big-endian, as astropy hands FITS data over: the
/// byte-swapping cast makes numpy reduce through its 8192-element buffer, each buffer
/// pairwise-summed and added to the running float32 total (a different rounding from one
/// pairwise sum over the whole run).
fn big_endian_sum(values: &[f32]) -> f32 {
    values.chunks(NUMPY_BUFFER).fold(0.0f32, |total, chunk| total + pairwise_sum_f32(chunk))
}

/// `np.nanstd` (ddof 0) of NaN-free big-endian float32 data: the mean and the variance each
/// divided by the count in float64 and rounded back to float32.
fn big_endian_std(values: &[f32]) -> f32 {
    let n = values.len() as f64;
    let mean = (big_endian_sum(values) as f64 / n) as f32;
    let squares: Vec<f32> = values.iter().map(|&v| (v - mean) * (v - mean)).collect();
    ((big_endian_sum(&squares) as f64 / n) as f32).sqrt()
}

/// Median and std of astropy `sigma_clipped_stats(data, maxiters=2)` (3σ around the median,
/// population std, float32) on the finite values of FITS (big-endian) float32 data.
fn clipped_median_std_of_fits_data(mut kept: Vec<f32>) -> (f32, f32) {
    kept.retain(|v| v.is_finite());
    let mut scratch = Vec::with_capacity(kept.len());
    let mut median = |values: &[f32]| {
        scratch.clear();
        scratch.extend_from_slice(values);
        median_f32(&mut scratch)
    };
    for _ in 0..CLIP_ITERATIONS {
        if kept.is_empty() {
            break;
        }
        let before = kept.len();
        let centre = median(&kept);
        let spread = big_endian_std(&kept);
        let (lower, upper) = (centre - spread * CLIP_SIGMA, centre + spread * CLIP_SIGMA);
        kept.retain(|&v| v >= lower && v <= upper);
        if kept.len() == before {
            break;
        }
    }
    if kept.is_empty() {
        return (f32::NAN, f32::NAN);
    }
    (median(&kept), big_endian_std(&kept))
}

/// Segments of ≥ 17 pixels in `image` and how many of them the classifier keeps;
/// `None` for the second count when fewer than 2 segments exist (the reference stops there).
pub fn count_guiding_sources(image: ArrayView2<f32>) -> (usize, Option<usize>) {
    let zeros = Array2::<f32>::zeros(image.dim());
    let Some(segm) = detect_sources(image, zeros.view(), MIN_SOURCE_PIXELS, Connectivity::Eight) else {
        return (0, None);
    };
    let raw = segm.segments.len();
    if raw < 2 {
        return (raw, None);
    }
    let real = segm
        .segments
        .iter()
        .filter(|seg| {
            let props = segment_properties(image, segm.labels.view(), seg.label, seg.bbox);
            is_real_source(&props, CLASSIFIER_FWHM)
        })
        .count();
    (raw, Some(real))
}

/// numpy `histogram` bin of `value` for the uniform edges `linspace(-180, 180, 91)` (last bin
/// closed); None outside the range.
fn angle_bin(value: f64) -> Option<usize> {
    let (first, last) = (-180.0f64, 180.0f64);
    if !(value >= first && value <= last) {
        return None;
    }
    let edge = |i: usize| i as f64 * ((last - first) / ANGLE_BINS as f64) + first;
    let mut index = (((value - first) / (last - first)) * ANGLE_BINS as f64) as usize;
    if index == ANGLE_BINS {
        index -= 1;
    }
    if value < edge(index) {
        index -= 1;
    } else if index != ANGLE_BINS - 1 && value >= edge(index + 1) {
        index += 1;
    }
    Some(index)
}

/// The angle statistics of `lines_in_image` for already-found segments; returns the verdict
/// (true = bad guiding), the reason and the numbers.
pub fn judge_lines(lines: &[HoughLine], num_sources: usize, min_lines: usize) -> (bool, GuidingReason, LineStatistics) {
    let required_lines = (min_lines as f64).max(num_sources as f64 / 10.0);
    let mut stats =
        LineStatistics { num_lines: lines.len(), num_vertical: 0, peak_count: 0, limit: 0.0, required_lines };
    if lines.is_empty() {
        return (false, GuidingReason::NoLines, stats);
    }
    if (lines.len() as f64) < required_lines {
        return (false, GuidingReason::TooFewLines, stats);
    }
    let mut histogram = [0usize; ANGLE_BINS];
    let mut kept = 0usize;
    for line in lines {
        let rise = (line.end.1 - line.start.1) as f64;
        let run = (line.end.0 - line.start.0) as f64;
        let degrees = rise.atan2(run) * (180.0 / std::f64::consts::PI);
        // numpy isclose(|a|, 90, atol=2): |a − 90| ≤ atol + rtol·90
        if (degrees.abs() - 90.0).abs() <= VERTICAL_TOLERANCE_DEG + 1e-5 * 90.0 {
            stats.num_vertical += 1;
            continue;
        }
        kept += 1;
        if let Some(bin) = angle_bin(degrees) {
            histogram[bin] += 1;
        }
    }
    stats.peak_count = histogram.iter().copied().max().unwrap_or(0);
    stats.limit = (kept as f64 / 10.0).max(stats.num_vertical as f64);
    let bad = stats.peak_count as f64 > stats.limit;
    (bad, if bad { GuidingReason::LinesSimilar } else { GuidingReason::LinesDiverse }, stats)
}

/// `detect_lines` + `lines_in_image(image, num_sources, mask=None, min_length, min_lines)`
/// with the Hough pixel order shuffled from `seed`.
pub fn lines_in_image(
    image: ArrayView2<f32>,
    num_sources: usize,
    min_length: usize,
    min_lines: usize,
    seed: u64,
) -> Result<(bool, GuidingReason, LineStatistics), DetectError> {
    let edges = canny(image, CANNY_SIGMA, CANNY_LOW, CANNY_HIGH, None)?;
    let lines = probabilistic_hough_line(edges.view(), 0, min_length, 0, None, seed)?;
    Ok(judge_lines(&lines, num_sources, min_lines))
}

/// `verify_guiding(filename, min_length)` on the arrays read from the file, with the Hough
/// pixel order of [`HOUGH_SEED`].
pub fn verify_guiding(input: &GuidingInput, min_length: usize) -> Result<GuidingVerdict, DetectError> {
    verify_guiding_seeded(input, min_length, HOUGH_SEED)
}

/// [`verify_guiding`] with another Hough shuffle seed.
pub fn verify_guiding_seeded(
    input: &GuidingInput,
    min_length: usize,
    seed: u64,
) -> Result<GuidingVerdict, DetectError> {
    let quality = input.quality.unwrap_or("").to_lowercase();
    if quality.contains("gsfail") || quality.contains("tdf-down") {
        return Ok(GuidingVerdict {
            bad_guiding: true,
            reason: GuidingReason::HeaderQuality,
            background: None,
            raw_sources: None,
            sources: None,
            lines: None,
        });
    }
    let prepared = guiding_image(input.sci, input.bunit, input.exptime, input.dq)?;
    let background = Some((prepared.background_median, prepared.background_std));
    let (raw, real) = count_guiding_sources(prepared.image.view());
    let mut verdict = GuidingVerdict {
        bad_guiding: false,
        reason: GuidingReason::TooFewSources,
        background,
        raw_sources: Some(raw),
        sources: real,
        lines: None,
    };
    let Some(num_sources) = real else { return Ok(verdict) };
    if num_sources == 0 {
        verdict.reason = GuidingReason::OnlyCosmicRays;
        return Ok(verdict);
    }
    let (h, w) = prepared.image.dim();
    if h <= 2 * TRIM || w <= 2 * TRIM {
        return Err(DetectError::InvalidInput("verify_guiding: image too small to trim".into()));
    }
    let trimmed = prepared.image.slice(s![TRIM..h - TRIM, TRIM..w - TRIM]);
    let (bad, reason, stats) = lines_in_image(trimmed, num_sources, min_length, GUIDING_MIN_LINES, seed)?;
    verdict.bad_guiding = bad;
    verdict.reason = reason;
    verdict.lines = Some(stats);
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angle_bins_follow_numpy_edges() {
        assert_eq!(angle_bin(-180.0), Some(0));
        assert_eq!(angle_bin(-176.0), Some(1));
        assert_eq!(angle_bin(-176.0000001), Some(0));
        assert_eq!(angle_bin(0.0), Some(45));
        assert_eq!(angle_bin(179.9), Some(89));
        assert_eq!(angle_bin(180.0), Some(89));
        assert_eq!(angle_bin(180.1), None);
    }

    #[test]
    fn vertical_lines_do_not_count_as_similar() {
        let vertical = HoughLine { start: (10, 0), end: (10, 40) };
        let (bad, reason, stats) = judge_lines(&[vertical; 6], 3, 4);
        assert!(!bad);
        assert_eq!(reason, GuidingReason::LinesDiverse);
        assert_eq!((stats.num_vertical, stats.peak_count), (6, 0));
        let slanted = HoughLine { start: (0, 0), end: (40, 25) };
        let (bad, reason, _) = judge_lines(&[slanted; 5], 3, 4);
        assert!(bad && reason == GuidingReason::LinesSimilar);
        let (bad, reason, _) = judge_lines(&[slanted; 3], 3, 4);
        assert!(!bad && reason == GuidingReason::TooFewLines);
    }

    #[test]
    fn quality_flags_are_case_insensitive() {
        let sci = Array2::<f32>::zeros((8, 8));
        for q in ["GSFAIL", "x tdf-down y", "GsFail"] {
            let input = GuidingInput { quality: Some(q), sci: sci.view(), bunit: None, exptime: None, dq: None };
            let v = verify_guiding(&input, 33).unwrap();
            assert!(v.bad_guiding && v.reason == GuidingReason::HeaderQuality);
        }
        let input = GuidingInput { quality: Some(""), sci: sci.view(), bunit: None, exptime: None, dq: None };
        assert!(verify_guiding(&input, 33).is_err());
    }
}
