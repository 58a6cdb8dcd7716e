//! numpy's summation order, so float32 sums and means round exactly as the reference does.
//!
//! numpy adds a contiguous run with its pairwise algorithm (blocks of 8 partial sums below
//! 128 elements, halving above). A reduction over a strided 2-D view is done through its
//! 8192-element buffer, whole rows at a time, each buffer being pairwise-summed and added to
//! the running total.

const BLOCK: usize = 128;
const BUFFER: usize = 8192;

macro_rules! pairwise {
    ($name:ident, $t:ty) => {
        /// numpy's pairwise sum of a contiguous run.
        pub fn $name(a: &[$t]) -> $t {
            let n = a.len();
            if n < 8 {
                let mut res: $t = 0.0;
                for &v in a {
                    res += v;
                }
                res
            } else if n <= BLOCK {
                let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
                let full = n - n % 8;
                let mut i = 8;
                while i < full {
                    for (j, rj) in r.iter_mut().enumerate() {
                        *rj += a[i + j];
                    }
                    i += 8;
                }
                let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
                for &v in &a[full..] {
                    res += v;
                }
                res
            } else {
                let mut n2 = n / 2;
                n2 -= n2 % 8;
                $name(&a[..n2]) + $name(&a[n2..])
            }
        }
    };
}

pairwise!(pairwise_sum_f32, f32);
pairwise!(pairwise_sum_f64, f64);

/// numpy's `np.sum` of a float32 rectangular window `rows × cols` taken from a row-major
/// array of width `stride` starting at `offset` (a 2-D slice of a C-ordered array).
pub fn window_sum_f32(data: &[f32], stride: usize, offset: usize, rows: usize, cols: usize) -> f32 {
    if rows == 0 || cols == 0 {
        return 0.0;
    }
    if cols == stride || rows == 1 {
        // numpy coalesces a window of whole rows (or a single row) into one contiguous run.
        return pairwise_sum_f32(&data[offset..offset + (rows - 1) * stride + cols]);
    }
    let mut total = 0.0f32;
    let mut buf: Vec<f32> = Vec::with_capacity(BUFFER.max(cols));
    if cols >= BUFFER {
        for r in 0..rows {
            let row = &data[offset + r * stride..offset + r * stride + cols];
            for chunk in row.chunks(BUFFER) {
                total += pairwise_sum_f32(chunk);
            }
        }
        return total;
    }
    let rows_per_buffer = BUFFER / cols;
    let mut r = 0;
    while r < rows {
        buf.clear();
        let end = (r + rows_per_buffer).min(rows);
        for rr in r..end {
            buf.extend_from_slice(&data[offset + rr * stride..offset + rr * stride + cols]);
        }
        total += pairwise_sum_f32(&buf);
        r = end;
    }
    total
}

/// numpy's `np.mean` of a float32 window (sum in float32, then divided by the count).
pub fn window_mean_f32(data: &[f32], stride: usize, offset: usize, rows: usize, cols: usize) -> f32 {
    window_sum_f32(data, stride, offset, rows, cols) / (rows * cols) as f32
}

/// `np.nanmean` / `np.nanstd` (ddof 0) / `np.nanmedian` of a float32 run in numpy's order:
/// NaNs count as zeros in the sums and are left out of the count.
pub struct NanStats {
    pub count: usize,
    pub mean: f32,
    pub std: f32,
    pub median: f32,
}

pub fn nan_stats_f32(values: &[f32], scratch: &mut Vec<f32>) -> NanStats {
    scratch.clear();
    scratch.extend(values.iter().map(|&v| if v.is_nan() { 0.0 } else { v }));
    let count = values.iter().filter(|v| !v.is_nan()).count();
    if count == 0 {
        return NanStats { count, mean: f32::NAN, std: f32::NAN, median: f32::NAN };
    }
    let mean = pairwise_sum_f32(scratch) / count as f32;
    for (s, &v) in scratch.iter_mut().zip(values) {
        *s = if v.is_nan() {
            0.0
        } else {
            let d = v - mean;
            d * d
        };
    }
    let var = pairwise_sum_f32(scratch) / count as f32;
    let std = var.sqrt();
    scratch.clear();
    scratch.extend(values.iter().copied().filter(|v| !v.is_nan()));
    let median = median_f32(scratch);
    NanStats { count, mean, std, median }
}

/// numpy's median of finite float32 values (the two middle values averaged in float32);
/// reorders `values`.
pub fn median_f32(values: &mut [f32]) -> f32 {
    let n = values.len();
    if n == 0 {
        return f32::NAN;
    }
    let k = n / 2;
    let (_, &mut upper, _) = values.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    if n % 2 == 1 {
        upper
    } else {
        let lower = values[..k].iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (lower + upper) / 2.0
    }
}

/// numpy's median of float64 values; reorders `values`.
pub fn median_f64(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = n / 2;
    let (_, &mut upper, _) = values.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    if n % 2 == 1 {
        upper
    } else {
        let lower = values[..k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}
