//! drizzlepac's `minmed.min_med` (3.11.0), per pixel and with its grow box (spec §6.3).
//!
//! Float types follow numpy's promotion in `min_med`: the median (from numcombine) and the
//! minimum are float32, the weight sum is a float32 sum, their products with it are
//! float32; the background and read-noise sums, σ and the thresholds are float64 (the
//! read-noise term is float32 when no masks are passed).

use crate::numcombine::{PixelStack, Reduction, combine_pixel};
use crate::rows::RowMajor;

pub(crate) struct MinmedStack<'s, 'a> {
    pub sci: &'s [RowMajor<'a, f32>],
    pub wht: &'s [RowMajor<'a, f32>],
    /// `None`: called without masks (`median_newmasks=False`).
    pub bad: Option<&'s [RowMajor<'a, bool>]>,
    /// background_i / exptime_i.
    pub sky_rate: Vec<f64>,
    pub readnoise_sq: Vec<f64>,
    pub nsigma1: f64,
    pub nsigma2: f64,
    pub grow: usize,
    /// iminmed: numcombine's imedian/imean fill.
    pub fill: bool,
    pub rows: usize,
    pub cols: usize,
}

/// What the second pass needs from a pixel: both candidate values (0 for a fully masked
/// pixel, which min_med zeroes at the end) and the two "minimum is significantly low" tests.
#[derive(Debug, Clone, Copy, Default)]
struct PixelCandidates {
    minimum: f32,
    median: f32,
    low_nsigma1: bool,
    low_nsigma2: bool,
}

/// Compute output rows `first_row..` filling `band` (whole rows). The band's grow window
/// needs `grow` rows beyond it on each side, which are recomputed here (clipped at the
/// section edges, where min_med's convolution is zero-filled).
pub(crate) fn minmed_band(stack: &MinmedStack, first_row: usize, band: &mut [f32]) {
    let cols = stack.cols;
    let band_rows = band.len() / cols;
    let grow = stack.grow;
    let halo_first = first_row.saturating_sub(grow);
    let halo_end = (first_row + band_rows + grow).min(stack.rows);

    let mut scratch = PixelScratch::new(stack.sci.len());
    let mut candidates = vec![PixelCandidates::default(); (halo_end - halo_first) * cols];
    for (r, row) in (halo_first..halo_end).zip(candidates.chunks_mut(cols)) {
        for (c, pixel) in row.iter_mut().enumerate() {
            *pixel = pixel_candidates(stack, r, c, &mut scratch);
        }
    }

    if grow == 0 {
        for (out, pixel) in band.iter_mut().zip(&candidates) {
            *out = if pixel.low_nsigma1 { pixel.minimum } else { pixel.median };
        }
        return;
    }

    // "Any low pixel within ±grow columns", per halo row, from a running count.
    let mut near_low = vec![false; candidates.len()];
    let mut prefix = vec![0u32; cols + 1];
    for (row, near_row) in candidates.chunks(cols).zip(near_low.chunks_mut(cols)) {
        for (c, pixel) in row.iter().enumerate() {
            prefix[c + 1] = prefix[c] + u32::from(pixel.low_nsigma1);
        }
        for (c, near) in near_row.iter_mut().enumerate() {
            *near = prefix[(c + grow + 1).min(cols)] > prefix[c.saturating_sub(grow)];
        }
    }

    for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
        let window_first = r.saturating_sub(grow) - halo_first;
        let window_end = (r + grow + 1).min(halo_end) - halo_first;
        let own = &candidates[(r - halo_first) * cols..][..cols];
        for (c, (out, pixel)) in out_row.iter_mut().zip(own).enumerate() {
            let grown = (window_first..window_end).any(|w| near_low[w * cols + c]);
            let low = if grown { pixel.low_nsigma2 } else { pixel.low_nsigma1 };
            *out = if low { pixel.minimum } else { pixel.median };
        }
    }
}

/// Per-band scratch so that no pixel allocates.
struct PixelScratch {
    values: Vec<f32>,
    bad: Vec<bool>,
    sorted: Vec<f64>,
}

impl PixelScratch {
    fn new(n: usize) -> Self {
        PixelScratch { values: vec![0.0; n], bad: vec![false; n], sorted: vec![0.0; n] }
    }
}

fn pixel_candidates(stack: &MinmedStack, r: usize, c: usize, scratch: &mut PixelScratch) -> PixelCandidates {
    let n = stack.sci.len();
    for (value, image) in scratch.values.iter_mut().zip(stack.sci) {
        *value = image.row(r)[c];
    }
    let mut n_bad = 0;
    if let Some(bad) = stack.bad {
        for (flag, image) in scratch.bad.iter_mut().zip(bad) {
            *flag = image.row(r)[c];
            n_bad += usize::from(*flag);
        }
    }
    let masked = stack.bad.is_some();
    let values = &scratch.values;

    // Sums over the stack axis run in stack order from the first element, as numpy reduces
    // axis 0.
    let mut weight_sum = 0.0f32;
    let mut background = 0.0f64;
    for (i, image) in stack.wht.iter().enumerate() {
        let w = image.row(r)[c];
        let b = f64::from(w) * stack.sky_rate[i];
        if i == 0 {
            (weight_sum, background) = (w, b);
        } else {
            weight_sum += w;
            background += b;
        }
    }
    let readnoise = if masked {
        let mut sum = 0.0f64;
        for (i, &is_bad) in scratch.bad.iter().enumerate() {
            let term = if is_bad { 0.0 } else { stack.readnoise_sq[i] };
            sum = if i == 0 { term } else { sum + term };
        }
        sum
    } else {
        // `sum(r**2) * np.ones_like(float32 image)`: rounded to float32.
        let total: f64 = stack.readnoise_sq.iter().sum();
        f64::from(total as f32)
    };

    let pixel = PixelStack {
        values,
        bad: masked.then_some(scratch.bad.as_slice()),
        fill: stack.fill && masked && (c == 0 || n == 1),
    };
    let mut median = if n == 2 {
        combine_pixel(&pixel, Reduction::Average, 0, 0, &mut scratch.sorted) as f32
    } else {
        combine_pixel(&pixel, Reduction::Median, 0, 1, &mut scratch.sorted) as f32
    };
    if masked && n > 2 && n_bad == n - 1 {
        // min_med replaces these pixels with sum(images * ~masks): masked NaN/inf values
        // turn the sum into NaN (0·inf), unlike the median of the single good value.
        median = masked_sum(values, &scratch.bad);
    }

    let all_bad = masked && n_bad == n;
    let minimum = if all_bad {
        0.0
    } else if masked {
        nanmin_unmasked(values, &scratch.bad)
    } else {
        amin(values)
    };

    let minimum_weighted = f64::from(minimum * weight_sum);
    let median_weighted = f64::from(median * weight_sum);
    // np.fmax(x, 0) maps NaN to 0, as f64::max does.
    let sigma = (median_weighted + background + readnoise).max(0.0).sqrt();
    let low_nsigma1 = minimum_weighted < median_weighted - sigma * stack.nsigma1;
    let low_nsigma2 = minimum_weighted < median_weighted - sigma * stack.nsigma2;
    if all_bad {
        // Zero in the output, but its low-minimum test still feeds the neighbours' grow box.
        return PixelCandidates { minimum: 0.0, median: 0.0, low_nsigma1, low_nsigma2 };
    }
    PixelCandidates { minimum, median, low_nsigma1, low_nsigma2 }
}

/// `np.sum(images * np.logical_not(masks), axis=0)` for one pixel, in float32.
fn masked_sum(values: &[f32], bad: &[bool]) -> f32 {
    let mut sum = 0.0f32;
    for (i, (&v, &is_bad)) in values.iter().zip(bad).enumerate() {
        let term = v * if is_bad { 0.0 } else { 1.0 };
        sum = if i == 0 { term } else { sum + term };
    }
    sum
}

/// `np.nanmin` over the stack with masked values set to NaN (`np.fmin.reduce`): NaN data
/// are ignored too; at least one value is unmasked here.
fn nanmin_unmasked(values: &[f32], bad: &[bool]) -> f32 {
    let mut min = f32::NAN;
    for (&v, &is_bad) in values.iter().zip(bad) {
        let v = if is_bad { f32::NAN } else { v };
        if min.is_nan() || v < min {
            min = v;
        }
    }
    min
}

/// `np.amin` over the stack: NaN as soon as any value is NaN.
fn amin(values: &[f32]) -> f32 {
    let mut min = values[0];
    for &v in &values[1..] {
        if v.is_nan() || min.is_nan() {
            return f32::NAN;
        }
        if v < min {
            min = v;
        }
    }
    min
}
