//! `astropy.stats.sigma_clipped_stats(data, sigma, maxiters)` on float32 data as astropy 8 runs it
//! without bottleneck: the flattened finite values are clipped around the median by `sigma`
//! population standard deviations until nothing changes or `maxiters` passes were made, and mean,
//! median and std of the survivors are returned. astropy stores `maxiters or inf`: 0 means clip
//! until convergence, a negative count means no clipping at all. Everything stays in
//! float32 as numpy computes it: pairwise sums in float32, each division by a count done in
//! float64 and rounded back, the median of an even count the float32 mean of the middle pair.

use crate::numpy_sum::pairwise_sum;

/// Mean, median and population standard deviation of the clipped data (NaN when nothing is left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClippedStats {
    pub mean: f32,
    pub median: f32,
    pub std: f32,
}

fn divide_by_count(total: f32, count: usize) -> f32 {
    (total as f64 / count as f64) as f32
}

fn mean(values: &[f32]) -> f32 {
    divide_by_count(pairwise_sum(values), values.len())
}

/// `np.median` (values are finite): middle element, or float32 mean of the two middle ones.
fn median(values: &[f32]) -> f32 {
    let n = values.len();
    if n == 0 {
        return f32::NAN;
    }
    let mut work = values.to_vec();
    let (_, &mut upper, _) = work.select_nth_unstable_by(n / 2, f32::total_cmp);
    if n % 2 == 1 {
        return upper;
    }
    let lower = work[..n / 2].iter().copied().fold(f32::NEG_INFINITY, f32::max);
    divide_by_count(lower + upper, 2)
}

/// `np.nanstd(values)` (ddof 0) on NaN-free float32 data.
fn std(values: &[f32]) -> f32 {
    let avg = mean(values);
    let squares: Vec<f32> = values.iter().map(|&v| (v - avg) * (v - avg)).collect();
    divide_by_count(pairwise_sum(&squares), values.len()).sqrt()
}

/// `sigma_clipped_stats(data, sigma=sigma, maxiters=maxiters)` with the default median centre and
/// standard-deviation spread; `data` is read in row-major order. `maxiters == 0` iterates until
/// nothing changes (astropy's `maxiters or np.inf`).
pub fn sigma_clipped_stats(data: impl IntoIterator<Item = f32>, sigma: f32, maxiters: i64) -> ClippedStats {
    let mut kept: Vec<f32> = data.into_iter().filter(|v| v.is_finite()).collect();
    let mut iteration = 0i64;
    let mut changed = true;
    let limit = if maxiters == 0 { i64::MAX } else { maxiters };
    while changed && iteration < limit {
        iteration += 1;
        let before = kept.len();
        let centre = median(&kept);
        let spread = std(&kept);
        let lo = centre - spread * sigma;
        let hi = centre + spread * sigma;
        kept.retain(|&v| v >= lo && v <= hi);
        changed = kept.len() != before;
    }
    ClippedStats { mean: mean(&kept), median: median(&kept), std: std(&kept) }
}
