//! The histogram behind imagestats' `mode` and `midpt` (Python `ImageStats._computeStats`,
//! `histogram1d`, C `populate1DHist_` of stsci.imagestats 1.8.4).
//!
//! Bin count and bin width are chosen in float64 from the clipped σ, but the histogram is
//! filled in float32 from *all* values (not only the clipped ones), and the mode formula
//! uses the nominal width `binwidth·σ` rather than the actual bin width: both upstream
//! behaviour, reproduced here.

use crate::imagestats::ClippedMoments;

pub(crate) struct Histogram {
    counts: Vec<u32>,
    /// `computeMean`'s min, as the Python float the reference uses.
    min: f64,
    /// binwidth·σ, the width the mode and midpt formulas use.
    hwidth: f64,
}

/// The reference gives up (raises) rather than allocate a histogram this large.
const MAX_BINS: f64 = 1.0e9;

impl Histogram {
    /// `None` where the reference raises (`int()` of a NaN bin count) or could not allocate.
    pub(crate) fn build(values: &[f32], moments: &ClippedMoments, binwidth: f64) -> Option<Histogram> {
        let hwidth = binwidth * f64::from(moments.stddev);
        let min = f64::from(moments.min);
        let drange = f64::from(moments.max) - min;
        // Python compares its floats with this np.float32 in float32.
        let min_float = 10.0f32 * f32::EPSILON;
        let (nbins, bin_width) = if (hwidth as f32) < min_float || (drange.abs() as f32) < min_float || hwidth > drange
        {
            (1usize, drange)
        } else {
            let ratio = drange / hwidth;
            if !ratio.is_finite() || ratio >= MAX_BINS {
                return None;
            }
            let nbins = ratio as usize + 1;
            (nbins, drange / (nbins - 1) as f64)
        };
        let counts = fill(values, nbins, bin_width as f32, moments.min);
        Some(Histogram { counts, min, hwidth })
    }

    pub(crate) fn nbins(&self) -> usize {
        self.counts.len()
    }

    /// Parabolic interpolation of the peak bin, in float64, with the upstream special cases.
    pub(crate) fn mode(&self) -> f64 {
        let (c, min, h) = (&self.counts, self.min, self.hwidth);
        let n = c.len();
        if n == 1 {
            return min + 0.5 * h;
        }
        if n == 2 {
            return match c[0].cmp(&c[1]) {
                std::cmp::Ordering::Greater => min + 0.5 * h,
                std::cmp::Ordering::Less => min + 1.5 * h,
                std::cmp::Ordering::Equal => min + h,
            };
        }
        let peak_count = c.iter().copied().max().unwrap_or(0);
        let p = c.iter().position(|&v| v == peak_count).unwrap_or(0);
        if p == 0 {
            return min + 0.5 * h;
        }
        if p == n - 1 {
            return min + (n as f64 - 0.5) * h;
        }
        let dh1 = c[p] - c[p - 1];
        let dh2 = c[p] - c[p + 1];
        // numpy uint32 addition: wraps like the reference.
        let denom = dh1.wrapping_add(dh2);
        if denom == 0 {
            return min + (p as f64 + 0.5) * h;
        }
        let peak = (p + 1) as f64 + 0.5 * (f64::from(dh1) - f64::from(dh2)) / f64::from(denom);
        min + (peak - 0.5) * h
    }

    /// IRAF-style midpoint from the normalised float32 cumulative histogram. The correction
    /// term is float32 (numpy scalar promotion), added to a float64 bin edge. With a single
    /// bin the reference returns that bin's pixel count. `None` if no bin reaches half
    /// (an empty histogram; the reference raises IndexError).
    pub(crate) fn midpt(&self) -> Option<f64> {
        let c = &self.counts;
        if c.len() <= 1 {
            return Some(f64::from(c[0]));
        }
        let mut running = 0u64;
        let cumulative: Vec<f32> = c
            .iter()
            .map(|&v| {
                running += u64::from(v);
                running as f32
            })
            .collect();
        let total = *cumulative.last()?;
        let normalised: Vec<f32> = cumulative.iter().map(|&v| v / total).collect();
        let lo = normalised.iter().position(|&v| v >= 0.5)?;
        let edge = self.min + lo as f64 * self.hwidth;
        let below = if lo == 0 { 0.0 } else { normalised[lo - 1] };
        let hdiff = if lo == 0 { normalised[0] } else { normalised[lo] - below };
        let hwidth32 = self.hwidth as f32;
        Some(if hdiff == 0.0 {
            edge
        } else if lo == 0 {
            edge + f64::from(0.5f32 / hdiff * hwidth32)
        } else {
            edge + f64::from((0.5f32 - below) / hdiff * hwidth32)
        })
    }
}

/// `populate1DHist_`: values in [min, min + nbins·width) (float32 edge), bin index
/// truncated from float32 arithmetic; an index of `nbins` (rounding at the top edge) lands
/// in the C code's spare slot and is dropped.
fn fill(values: &[f32], nbins: usize, width: f32, min: f32) -> Vec<u32> {
    let mut counts = vec![0u32; nbins];
    let inverse_width = 1.0f32 / width;
    let top = min + width * nbins as f32;
    for &v in values {
        if v >= min && v < top {
            let index = (inverse_width * (v - min)) as usize;
            if let Some(slot) = counts.get_mut(index) {
                *slot += 1;
            }
        }
    }
    counts
}
