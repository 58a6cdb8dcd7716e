//! `stsci.imagestats.ImageStats` (1.8.4): iterative sigma clipping with the C `computeMean`,
//! the clipped numpy median, and the histogram mode/midpoint (spec Part 2 §3.1).
//!
//! Float types follow the reference exactly: `computeMean` works on float32 data with a
//! float64 sum and returns float32 mean/σ/min/max; the clip limits are computed in float64
//! by Python and handed back to C as float32; the median is numpy's float32 median; mode and
//! midpoint are Python float64 (see `imagestats_histogram`).

use crate::imagestats_histogram::Histogram;
use crate::python_float::python_float;

/// The parameters of `ImageStats` (`lower`, `upper`, `nclip`, `lsig`, `usig`, `binwidth`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatsConfig {
    /// Lowest value used; `None` = the data minimum (NaN if the data contain NaN).
    pub lower: Option<f32>,
    /// Highest value used; `None` = the data maximum (NaN if the data contain NaN).
    pub upper: Option<f32>,
    /// Number of clipping iterations after the first pass.
    pub nclip: u32,
    pub lsig: f32,
    pub usig: f32,
    /// Histogram bin width in units of the clipped σ (mode and midpt).
    pub binwidth: f32,
}

impl Default for StatsConfig {
    /// The `ImageStats` defaults.
    fn default() -> Self {
        StatsConfig { lower: None, upper: None, nclip: 0, lsig: 3.0, usig: 3.0, binwidth: 0.1 }
    }
}

/// Which statistics to compute beyond npix, mean, stddev, min and max. The median needs a
/// selection over a copy of the clipped data, the mode and midpoint a histogram pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields {
    pub median: bool,
    pub mode: bool,
    pub midpt: bool,
}

impl Fields {
    /// Only npix, mean, stddev, min and max.
    pub const BASIC: Fields = Fields { median: false, mode: false, midpt: false };
    pub const ALL: Fields = Fields { median: true, mode: true, midpt: true };
}

/// The statistics of the last clipping pass. Fields that were not requested are NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub npix: usize,
    pub mean: f32,
    pub stddev: f32,
    /// `computeMean`'s minimum: the clip floor itself when the first array element lies
    /// below it (a C initialisation quirk), otherwise the smallest clipped value.
    pub min: f32,
    /// `computeMean`'s maximum (the clip ceiling when the first element lies above it).
    pub max: f32,
    /// `mode_f64` rounded to f32.
    pub mode: f32,
    /// `midpt_f64` rounded to f32.
    pub midpt: f32,
    /// numpy's float32 median of the last clipped set (of all values when `nclip == 0`).
    pub median: f32,
    /// The mode as the reference returns it (a Python float).
    pub mode_f64: f64,
    /// The midpoint as the reference returns it: float64, or, when the histogram has a
    /// single bin, that bin's pixel count (an upstream quirk).
    pub midpt_f64: f64,
    /// Number of histogram bins (0 when neither mode nor midpt was requested).
    pub nbins: usize,
}

/// One `computeMean` pass over the values inside [clip_min, clip_max].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClippedMoments {
    pub npix: usize,
    pub mean: f32,
    pub stddev: f32,
    pub min: f32,
    pub max: f32,
}

/// `ImageStats(values, fields, lower, upper, nclip, lsig, usig, binwidth)`; `None` where the
/// reference raises (`ValueError`: empty input, limits outside the data, no pixel left in a
/// clipping pass, a NaN bin count).
pub fn image_stats(values: &[f32], cfg: &StatsConfig, fields: Fields) -> Option<Stats> {
    let first = *values.first()?;
    let (data_min, data_max) = numpy_min_max(values, first);
    let lower = match cfg.lower {
        None => data_min,
        Some(lower) => {
            if lower > data_max || cfg.upper.is_some_and(|upper| lower > upper) {
                return None;
            }
            lower
        }
    };
    let upper = match cfg.upper {
        None => data_max,
        Some(upper) if upper < data_min => return None,
        Some(upper) => upper,
    };

    let lsig = python_float(cfg.lsig);
    let usig = python_float(cfg.usig);
    let (mut clip_min, mut clip_max) = (lower, upper);
    let mut moments = compute_mean(values, clip_min, clip_max);
    for _ in 0..cfg.nclip {
        if moments.npix == 0 {
            return None;
        }
        // Python computes the new limits in float64 and passes them to C as float; the max/min
        // of rounded values equals the rounded max/min because rounding is monotonic.
        let mean = f64::from(moments.mean);
        let stddev = f64::from(moments.stddev);
        let next_min = python_max(lower, (mean - lsig * stddev) as f32);
        let next_max = python_min(upper, (mean + usig * stddev) as f32);
        if next_min == clip_min && next_max == clip_max {
            // Converged: every further pass would compute these same moments again.
            break;
        }
        (clip_min, clip_max) = (next_min, next_max);
        moments = compute_mean(values, clip_min, clip_max);
    }
    if moments.npix == 0 {
        return None;
    }

    let median = if fields.median {
        let all = cfg.nclip == 0;
        numpy_median(values.iter().copied().filter(|&x| all || (x <= clip_max && x >= clip_min)))
    } else {
        f32::NAN
    };

    let (mut mode_f64, mut midpt_f64, mut nbins) = (f64::NAN, f64::NAN, 0);
    if fields.mode || fields.midpt {
        let histogram = Histogram::build(values, &moments, python_float(cfg.binwidth))?;
        nbins = histogram.nbins();
        if fields.mode {
            mode_f64 = histogram.mode();
        }
        if fields.midpt {
            midpt_f64 = histogram.midpt()?;
        }
    }

    Some(Stats {
        npix: moments.npix,
        mean: moments.mean,
        stddev: moments.stddev,
        min: moments.min,
        max: moments.max,
        mode: mode_f64 as f32,
        midpt: midpt_f64 as f32,
        median,
        mode_f64,
        midpt_f64,
        nbins,
    })
}

/// `np.minimum.reduce` / `np.maximum.reduce`: NaN as soon as any element is NaN.
fn numpy_min_max(values: &[f32], first: f32) -> (f32, f32) {
    let (mut lo, mut hi) = (first, first);
    for &x in values {
        if x.is_nan() {
            return (f32::NAN, f32::NAN);
        }
        if x < lo {
            lo = x;
        }
        if x > hi {
            hi = x;
        }
    }
    (lo, hi)
}

/// Python's `max(a, b)`: `b` only if `b > a` (so a NaN `b` keeps `a`).
fn python_max(a: f32, b: f32) -> f32 {
    if b > a { b } else { a }
}

/// Python's `min(a, b)`: `b` only if `b < a`.
fn python_min(a: f32, b: f32) -> f32 {
    if b < a { b } else { a }
}

/// The C `computeMean_` of stsci.imagestats 1.8.4, including its quirks: the running
/// min/max start from the first array element clamped to the clip range (so a clipped first
/// element leaves the clip limit as min or max), the σ pass selects by that [min, max]
/// range, and (x − mean)² is formed in float32 before the float64 sum.
pub(crate) fn compute_mean(values: &[f32], clip_min: f32, clip_max: f32) -> ClippedMoments {
    let first = values[0];
    let mut min = if clip_min > first { clip_min } else { first };
    let mut max = if clip_max < first { clip_max } else { first };
    let mut npix = 0usize;
    let mut sum = 0.0f64;
    for &x in values {
        if x >= clip_min && x <= clip_max {
            if x <= min {
                min = x;
            }
            if x >= max {
                max = x;
            }
            npix += 1;
            sum += f64::from(x);
        }
    }
    let mean = (sum / npix as f64) as f32;
    let mut sum_sq_diff = 0.0f64;
    for &x in values {
        if x >= min && x <= max {
            let d = x - mean;
            sum_sq_diff += f64::from(d * d);
        }
    }
    // C int arithmetic: npix - 1 is 0 for a single pixel, giving 0/0 = NaN as upstream.
    let stddev = (sum_sq_diff / (npix as f64 - 1.0)).sqrt() as f32;
    ClippedMoments { npix, mean, stddev, min, max }
}

/// `np.median` of float32 values: NaN if any value is NaN; the mean of the two middle
/// values is formed in float32.
fn numpy_median(values: impl Iterator<Item = f32>) -> f32 {
    let mut selected: Vec<f32> = values.collect();
    if selected.is_empty() || selected.iter().any(|x| x.is_nan()) {
        return f32::NAN;
    }
    let n = selected.len();
    let k = n / 2;
    let by_value = |a: &f32, b: &f32| a.partial_cmp(b).expect("NaN filtered above");
    let (below, &mut upper_middle, _) = selected.select_nth_unstable_by(k, by_value);
    if n % 2 == 1 {
        return upper_middle;
    }
    let lower_middle = below.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (lower_middle + upper_middle) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_first_element_sets_min_to_clip_floor() {
        let m = compute_mean(&[-10.0, 1.0, 2.0, 3.0], 0.5, 5.0);
        assert_eq!((m.npix, m.min, m.max), (3, 0.5, 3.0));
    }

    #[test]
    fn median_even_and_odd() {
        assert_eq!(numpy_median([4.0, 1.0, 3.0, 2.0].into_iter()), 2.5);
        assert_eq!(numpy_median([4.0, 1.0, 3.0].into_iter()), 3.0);
        assert!(numpy_median([1.0, f32::NAN].into_iter()).is_nan());
    }

    #[test]
    fn empty_input_is_none() {
        assert!(image_stats(&[], &StatsConfig::default(), Fields::ALL).is_none());
    }
}
