//! astropy `SigmaClip(sigma=3, cenfunc='median', stdfunc='std')` in its two code paths.

use crate::numpy_sum::{median_f32, median_f64, nan_stats_f32};

/// astropy's compiled path (used when clipping along an axis, as Background2D does for its
/// boxes): statistics in float64 over the finite values, sequential sums, population σ,
/// at most `maxiters` bound computations. Returns the final (lower, upper) bounds, which the
/// caller applies to the *original* values.
pub fn clip_bounds_fast(values: &[f32], sigma: f64, maxiters: usize) -> (f64, f64) {
    let mut buf: Vec<f64> = values.iter().filter(|v| v.is_finite()).map(|&v| v as f64).collect();
    let mut scratch: Vec<f64> = Vec::with_capacity(buf.len());
    let mut count = buf.len();
    let mut iteration = 0;
    loop {
        if count == 0 {
            return (f64::NAN, f64::NAN);
        }
        scratch.clear();
        scratch.extend_from_slice(&buf[..count]);
        let median = median_f64(&mut scratch);
        let mut mean = 0.0;
        for &v in &buf[..count] {
            mean += v;
        }
        mean /= count as f64;
        let mut var = 0.0;
        for &v in &buf[..count] {
            var += (mean - v).powi(2);
        }
        let std = (var / count as f64).sqrt();
        let lower = median - sigma * std;
        let upper = median + sigma * std;
        let mut kept = 0;
        for i in 0..count {
            let v = buf[i];
            if v >= lower && v <= upper {
                buf[kept] = v;
                kept += 1;
            }
        }
        if kept == count {
            return (lower, upper);
        }
        count = kept;
        iteration += 1;
        if iteration >= maxiters {
            return (lower, upper);
        }
    }
}

/// Replaces by NaN the values the compiled path rejects (non-finite or outside the bounds).
pub fn clip_in_place_fast(values: &mut [f32], sigma: f64, maxiters: usize) {
    let (lower, upper) = clip_bounds_fast(values, sigma, maxiters);
    for v in values.iter_mut() {
        let x = *v as f64;
        if !v.is_finite() || x < lower || x > upper {
            *v = f32::NAN;
        }
    }
}

/// astropy's Python path for `axis=None` on float32 data: the finite values are filtered
/// progressively, with float32 median/σ and float32 bounds. Returns the surviving values.
pub fn clip_noaxis_f32(values: &[f32], sigma: f32, maxiters: usize) -> Vec<f32> {
    let mut data: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let mut scratch = Vec::new();
    let mut iteration = 0;
    loop {
        if iteration >= maxiters || data.is_empty() {
            return data;
        }
        iteration += 1;
        let stats = nan_stats_f32(&data, &mut scratch);
        let mut sorted = data.clone();
        let median = median_f32(&mut sorted);
        let lower = median - stats.std * sigma;
        let upper = median + stats.std * sigma;
        let before = data.len();
        data.retain(|&v| v >= lower && v <= upper);
        if data.len() == before {
            return data;
        }
    }
}
