//! drizzlepac's `minmed.min_med` (3.11.0), per pixel and with its grow box (spec §6.3).
//!
//! Float types follow numpy's promotion in `min_med`: the median (from numcombine) and the
//! minimum are float32, the weight sum is a float32 sum, their products with it are
//! float32; the background and read-noise sums, σ and the thresholds are float64 (the
//! read-noise term is float32 when no masks are passed).

use crate::numcombine::{PixelStack, Reduction, gather_sorted, reduce};
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

    let mut scratch = RowScratch::new(stack.sci.len(), cols);
    let mut candidates = vec![PixelCandidates::default(); (halo_end - halo_first) * cols];
    for (r, row) in (halo_first..halo_end).zip(candidates.chunks_mut(cols)) {
        row_candidates(stack, r, &mut scratch, row);
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

/// Per-band scratch, so that neither rows nor pixels allocate. Stack-axis reductions run
/// over whole rows (vectorisable) in stack order from the first image, which is how numpy
/// reduces axis 0; only the median needs each pixel's values gathered.
struct RowScratch {
    /// Pixel-major copies of the row: values[c·n + i] is image i at column c.
    values: Vec<f32>,
    bad: Vec<bool>,
    n_bad: Vec<u32>,
    weight_sum: Vec<f32>,
    background: Vec<f64>,
    readnoise: Vec<f64>,
    /// The median and minimum images of min_med, and its fully masked pixels.
    median: Vec<f32>,
    minimum: Vec<f32>,
    all_bad: Vec<bool>,
    sorted: Vec<f64>,
}

impl RowScratch {
    fn new(n: usize, cols: usize) -> Self {
        RowScratch {
            values: vec![0.0; n * cols],
            bad: vec![false; n * cols],
            n_bad: vec![0; cols],
            weight_sum: vec![0.0; cols],
            background: vec![0.0; cols],
            readnoise: vec![0.0; cols],
            median: vec![0.0; cols],
            minimum: vec![0.0; cols],
            all_bad: vec![false; cols],
            sorted: vec![0.0; n],
        }
    }
}

fn row_candidates(stack: &MinmedStack, r: usize, scratch: &mut RowScratch, out: &mut [PixelCandidates]) {
    let n = stack.sci.len();
    let masked = stack.bad.is_some();
    for (i, image) in stack.sci.iter().enumerate() {
        for (pixel, &v) in scratch.values.chunks_exact_mut(n).zip(image.row(r)) {
            pixel[i] = v;
        }
    }
    scratch.n_bad.fill(0);
    if let Some(bad) = stack.bad {
        for (i, image) in bad.iter().enumerate() {
            let row = image.row(r);
            for (pixel, &b) in scratch.bad.chunks_exact_mut(n).zip(row) {
                pixel[i] = b;
            }
            for (count, &b) in scratch.n_bad.iter_mut().zip(row) {
                *count += u32::from(b);
            }
        }
    }

    for (i, image) in stack.wht.iter().enumerate() {
        let rate = stack.sky_rate[i];
        let row = image.row(r);
        if i == 0 {
            scratch.weight_sum.copy_from_slice(row);
            for (b, &w) in scratch.background.iter_mut().zip(row) {
                *b = f64::from(w) * rate;
            }
        } else {
            for ((sum, b), &w) in scratch.weight_sum.iter_mut().zip(scratch.background.iter_mut()).zip(row) {
                *sum += w;
                *b += f64::from(w) * rate;
            }
        }
    }
    match stack.bad {
        Some(bad) => {
            for (i, image) in bad.iter().enumerate() {
                let rn2 = stack.readnoise_sq[i];
                for (sum, &is_bad) in scratch.readnoise.iter_mut().zip(image.row(r)) {
                    let term = if is_bad { 0.0 } else { rn2 };
                    *sum = if i == 0 { term } else { *sum + term };
                }
            }
        }
        None => {
            // `sum(r**2) * np.ones_like(float32 image)`: rounded to float32.
            let total: f64 = stack.readnoise_sq.iter().sum();
            scratch.readnoise.fill(f64::from(total as f32));
        }
    }

    // The sort-based part, pixel by pixel.
    for c in 0..out.len() {
        let values = &scratch.values[c * n..][..n];
        let bad = &scratch.bad[c * n..][..n];
        let n_bad = scratch.n_bad[c] as usize;
        let pixel = PixelStack { values, bad: masked.then_some(bad), fill: stack.fill && masked && (c == 0 || n == 1) };
        let gathered = gather_sorted(&pixel, &mut scratch.sorted);
        let mut median = if n == 2 {
            reduce(&scratch.sorted, gathered.good, Reduction::Average, 0, 0) as f32
        } else {
            reduce(&scratch.sorted, gathered.good, Reduction::Median, 0, 1) as f32
        };
        if masked && n > 2 && n_bad == n - 1 {
            // min_med replaces these pixels with sum(images * ~masks): masked NaN/inf values
            // turn the sum into NaN (0·inf), unlike the median of the single good value.
            median = masked_sum(values, bad);
        }
        let all_bad = masked && n_bad == n;
        scratch.minimum[c] = if all_bad {
            0.0
        } else if gathered.plain {
            // The good values hold no NaN and no zero: the smallest sorted value is exactly
            // what nanmin/amin return.
            scratch.sorted[0] as f32
        } else if masked {
            nanmin_unmasked(values, bad)
        } else {
            amin(values)
        };
        scratch.median[c] = median;
        scratch.all_bad[c] = all_bad;
    }

    // The noise model, column-wise (vectorisable, square roots included).
    for (c, candidate) in out.iter_mut().enumerate() {
        let (minimum, median, weight_sum) = (scratch.minimum[c], scratch.median[c], scratch.weight_sum[c]);
        let minimum_weighted = f64::from(minimum * weight_sum);
        let median_weighted = f64::from(median * weight_sum);
        // np.fmax(x, 0) maps NaN to 0, as f64::max does.
        let sigma = (median_weighted + scratch.background[c] + scratch.readnoise[c]).max(0.0).sqrt();
        let low_nsigma1 = minimum_weighted < median_weighted - sigma * stack.nsigma1;
        let low_nsigma2 = minimum_weighted < median_weighted - sigma * stack.nsigma2;
        // A fully masked pixel is zero in the output, but its low-minimum test still feeds
        // the neighbours' grow box.
        let all_bad = scratch.all_bad[c];
        *candidate = PixelCandidates {
            minimum: if all_bad { 0.0 } else { minimum },
            median: if all_bad { 0.0 } else { median },
            low_nsigma1,
            low_nsigma2,
        };
    }
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
