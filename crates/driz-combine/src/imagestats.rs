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
        // Not presized to npix: a chip's selection (just under 32 MiB) would then come from
        // a thread's malloc heap, which glibc keeps (+40 MB peak in the pipeline); grown by
        // doubling it ends in its own mapping, returned when freed.
        numpy_median(values.iter().copied().filter(|&x| all || (x <= clip_max && x >= clip_min)).collect())
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
    moments(values, select_and_sum(values, clip_min, clip_max))
}

/// The second loop of `computeMean`: mean and σ of the values in the selection's
/// [min, max] range.
fn moments(values: &[f32], selected: Selection) -> ClippedMoments {
    let Selection { npix, sum, min, max } = selected;
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

/// The first loop of `computeMean`: count, float64 sum, min and max of the values inside
/// [clip_min, clip_max], bit for bit as the C loop gives them.
#[derive(Debug, Clone, Copy)]
struct Selection {
    npix: usize,
    sum: f64,
    min: f32,
    max: f32,
}

/// Values per block of [`select_and_sum`]: small enough to stay in L1 for a block that must
/// be added again in order.
const BLOCK: usize = 2048;
/// Independent accumulators per pass, so that no loop waits on one add after another.
const LANES: usize = 8;

/// [`Selection`] without the C loop's one-add-at-a-time dependency chain.
///
/// The C loop adds the selected values to a float64 sum in array order, and its result
/// depends on that order only where a partial sum is rounded. A block's values may be added
/// in any order, in independent lanes, when no partial sum of the block can be rounded: when
/// the running sum and every selected value are multiples of one power of two 2^k and the
/// running sum's magnitude plus the block's sum of magnitudes stays below 2^(52+k), every
/// partial sum, in any order, is such a multiple below 2^53·2^k and so exactly representable.
/// The block's sum is then exact, and adding it to the running sum gives the C loop's bits.
/// Blocks that fail the test (a value with a much finer ulp than the sum's, an infinity)
/// are added one by one in order, as C does.
///
/// Min and max are order-free except for the sign of a zero: the C loop keeps the last
/// selected value that ties (`x <= min`), which matters only for ±0 and is fixed up at the end.
fn select_and_sum(values: &[f32], clip_min: f32, clip_max: f32) -> Selection {
    let (start_min, start_max) = start_extremes(values, clip_min, clip_max);
    let mut npix = 0usize;
    let mut sum = 0.0f64;
    let (mut min, mut max) = (start_min, start_max);
    for block in values.chunks(BLOCK) {
        let shape = block_shape(block, clip_min, clip_max);
        if shape.count == 0 {
            continue;
        }
        npix += shape.count;
        min = if shape.min < min { shape.min } else { min };
        max = if shape.max > max { shape.max } else { max };
        sum = if shape.sum_is_exact_after(sum) {
            sum + shape.sum
        } else {
            block.iter().filter(|&&x| x >= clip_min && x <= clip_max).fold(sum, |s, &x| s + f64::from(x))
        };
    }
    if min == 0.0 {
        min = last_selected_zero(values, clip_min, clip_max).unwrap_or(start_min);
    }
    if max == 0.0 {
        max = last_selected_zero(values, clip_min, clip_max).unwrap_or(start_max);
    }
    Selection { npix, sum, min, max }
}

/// The C loop's starting min and max: the first element clamped to the clip range.
fn start_extremes(values: &[f32], clip_min: f32, clip_max: f32) -> (f32, f32) {
    let first = values[0];
    (if clip_min > first { clip_min } else { first }, if clip_max < first { clip_max } else { first })
}

/// A block's selected values: how many, their extremes, the biased float32 exponent of the
/// finest-grained nonzero one (255 when all are zero), and their sum and sum of magnitudes
/// added in lanes.
struct BlockShape {
    count: usize,
    min: f32,
    max: f32,
    finest_exponent: u32,
    sum: f64,
    magnitude: f64,
}

impl BlockShape {
    /// Whether adding the lane sum to `running` gives the bits of adding the values one by
    /// one (see [`select_and_sum`]).
    fn sum_is_exact_after(&self, running: f64) -> bool {
        // The ulp of a float32 with biased exponent e is 2^(e − 127 − 23).
        let value_grain = self.finest_exponent as i32 - 150;
        let grain = if running == 0.0 { value_grain } else { value_grain.min(lowest_set_bit(running)) };
        // Rounding is monotonic, so a sum of magnitudes that truly reaches this power of two
        // cannot come out below it.
        running.abs() + self.magnitude < 2f64.powi(52 + grain)
    }
}

fn block_shape(block: &[f32], clip_min: f32, clip_max: f32) -> BlockShape {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { block_shape_avx2(block, clip_min, clip_max) };
        }
    }
    block_shape_lanes(block, clip_min, clip_max)
}

/// The same code compiled for AVX2: twice the lanes per instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_shape_avx2(block: &[f32], clip_min: f32, clip_max: f32) -> BlockShape {
    block_shape_lanes(block, clip_min, clip_max)
}

#[inline(always)]
fn block_shape_lanes(block: &[f32], clip_min: f32, clip_max: f32) -> BlockShape {
    let mut count = [0u32; LANES];
    let mut min = [f32::INFINITY; LANES];
    let mut max = [f32::NEG_INFINITY; LANES];
    let mut finest = [255u32; LANES];
    let mut sum = [0.0f64; LANES];
    let mut magnitude = [0.0f64; LANES];
    let mut visit = |lane: usize, x: f32| {
        let selected = x >= clip_min && x <= clip_max;
        count[lane] += u32::from(selected);
        let (low, high, value) = if selected { (x, x, x) } else { (f32::INFINITY, f32::NEG_INFINITY, 0.0) };
        min[lane] = if low < min[lane] { low } else { min[lane] };
        max[lane] = if high > max[lane] { high } else { max[lane] };
        // A subnormal's ulp is that of the smallest normal exponent, 1.
        let exponent = ((x.to_bits() >> 23) & 0xff).max(1);
        let exponent = if selected && x != 0.0 { exponent } else { 255 };
        finest[lane] = finest[lane].min(exponent);
        sum[lane] += f64::from(value);
        magnitude[lane] += f64::from(value.abs());
    };
    let mut chunks = block.chunks_exact(LANES);
    for chunk in &mut chunks {
        for (lane, &x) in chunk.iter().enumerate() {
            visit(lane, x);
        }
    }
    for (lane, &x) in chunks.remainder().iter().enumerate() {
        visit(lane, x);
    }
    BlockShape {
        count: count.iter().map(|&c| c as usize).sum(),
        min: min.into_iter().fold(f32::INFINITY, |a, b| if b < a { b } else { a }),
        max: max.into_iter().fold(f32::NEG_INFINITY, |a, b| if b > a { b } else { a }),
        finest_exponent: finest.into_iter().min().unwrap_or(255),
        sum: sum.iter().sum(),
        magnitude: magnitude.iter().sum(),
    }
}

/// The exponent of the lowest set bit of a nonzero finite f64 (the largest power of two it
/// is a multiple of).
fn lowest_set_bit(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased == 0 {
        -1074 + fraction.trailing_zeros() as i32
    } else {
        biased - 1075 + (fraction | (1u64 << 52)).trailing_zeros() as i32
    }
}

/// The last selected value equal to zero, with its sign (the C loop's min or max when that
/// is zero).
fn last_selected_zero(values: &[f32], clip_min: f32, clip_max: f32) -> Option<f32> {
    values.iter().rev().copied().find(|&x| x == 0.0 && x >= clip_min && x <= clip_max)
}

/// `np.median` of float32 values: NaN if any value is NaN; the mean of the two middle
/// values is formed in float32.
fn numpy_median(mut selected: Vec<f32>) -> f32 {
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
        assert_eq!(numpy_median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(numpy_median(vec![4.0, 1.0, 3.0]), 3.0);
        assert!(numpy_median(vec![1.0, f32::NAN]).is_nan());
    }

    /// The first loop of the C `computeMean_` as written: one value after another.
    fn select_in_order(values: &[f32], clip_min: f32, clip_max: f32) -> Selection {
        let (mut min, mut max) = start_extremes(values, clip_min, clip_max);
        let (mut npix, mut sum) = (0usize, 0.0f64);
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
        Selection { npix, sum, min, max }
    }

    /// The moments, and the float64 sum itself (whose last bits rarely reach the float32
    /// mean), must be those of the in-order loop.
    fn assert_same_bits(values: &[f32], clip_min: f32, clip_max: f32) {
        let (got, want) = (select_and_sum(values, clip_min, clip_max), select_in_order(values, clip_min, clip_max));
        assert_eq!(got.sum.to_bits(), want.sum.to_bits(), "sum of {} values in [{clip_min}, {clip_max}]", values.len());
        let (got, want) = (moments(values, got), moments(values, want));
        let bits =
            |m: &ClippedMoments| (m.npix, m.mean.to_bits(), m.stddev.to_bits(), m.min.to_bits(), m.max.to_bits());
        assert_eq!(bits(&got), bits(&want), "{} values in [{clip_min}, {clip_max}]: {got:?} vs {want:?}", values.len());
    }

    struct Lcg(u64);

    impl Lcg {
        fn uniform(&mut self) -> f32 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 40) as f32 / (1u64 << 24) as f32
        }

        fn gauss(&mut self) -> f32 {
            let (u, v) = (self.uniform().max(1e-7), self.uniform());
            (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
        }
    }

    /// The lane sums must give the in-order bits where they are exact, and the in-order
    /// loop must take over where they would not be: sky noise (mostly lanes), sky with a few
    /// values of much finer ulp (blocks in order from there on), values over sixty binades,
    /// sums that reach 2^53, and lengths that are not whole blocks or lanes.
    #[test]
    fn lane_sums_give_the_bits_of_the_in_order_loop() {
        let mut rng = Lcg(3);
        let sky: Vec<f32> = (0..50_001).map(|_| 48.0 + 8.0 * rng.gauss()).collect();
        for (lo, hi) in [(f32::MIN, f32::MAX), (30.0, 70.0), (47.9, 48.1), (-1.0, 0.0), (48.0, 48.0)] {
            assert_same_bits(&sky, lo, hi);
        }
        let mut fine = sky.clone();
        for i in (0..fine.len()).step_by(9_973) {
            fine[i] = 1e-3 * rng.uniform();
        }
        assert_same_bits(&fine, f32::MIN, f32::MAX);
        assert_same_bits(&fine, 1e-4, 60.0);
        let wide: Vec<f32> =
            (0..20_000).map(|_| (rng.uniform() - 0.5) * 10f32.powi((rng.uniform() * 60.0) as i32 - 30)).collect();
        assert_same_bits(&wide, f32::MIN, f32::MAX);
        assert_same_bits(&wide, -1.0, 1.0);
        // Multiples of 2^40 summed past 2^53, then a 1 that the sum can no longer hold.
        let mut huge = vec![2f32.powi(40); 20_000];
        huge[15_000] = 1.0;
        huge.push(3.0);
        assert_same_bits(&huge, f32::MIN, f32::MAX);
        for n in [1, 2, 7, 8, 9, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5] {
            assert_same_bits(&sky[..n], f32::MIN, f32::MAX);
            assert_same_bits(&sky[..n], 40.0, 56.0);
        }
    }

    /// Blocks whose in-order sum rounds differently from their lane sum (found by a random
    /// search): the first needs the running sum's finest bit in the test, the second the
    /// 2^(52+k) bound (2^(54+k) would let it through).
    #[test]
    fn blocks_that_would_round_are_added_in_order() {
        let cases: [(&[u32], &[u32]); 2] = [
            (&[1179753526, 1231774951, 881504983], &[1270471101, 1274979504]),
            (&[1253169488, 1303279956, 1056041083], &[1316328042, 1072918662]),
        ];
        for (first, second) in cases {
            let mut values: Vec<f32> = first.iter().map(|&b| f32::from_bits(b)).collect();
            values.resize(BLOCK, 0.0);
            values.extend(second.iter().map(|&b| f32::from_bits(b)));
            let in_order = values.iter().fold(0.0f64, |s, &x| s + f64::from(x));
            let by_blocks = values[..BLOCK].iter().fold(0.0f64, |s, &x| s + f64::from(x))
                + values[BLOCK..].iter().map(|&x| f64::from(x)).sum::<f64>();
            assert_ne!(in_order, by_blocks, "the case must tell the two orders apart");
            assert_same_bits(&values, f32::MIN, f32::MAX);
        }
    }

    /// Zeros of both signs (the C loop keeps the last selected one as min or max), the
    /// first element outside the clip range, subnormals, infinities and NaN.
    #[test]
    fn special_values_give_the_bits_of_the_in_order_loop() {
        let cases: Vec<Vec<f32>> = vec![
            vec![0.0, -0.0, 1.0, 2.0],
            vec![-0.0, 0.0, 1.0, 2.0, -0.0],
            vec![1.0, -0.0, -1.0, 0.0, -0.0],
            vec![-3.0, 0.0, -0.0, -2.0],
            vec![5.0, 1e-45, -1e-45, 1e-40, 3.0],
            vec![1.0, f32::INFINITY, 2.0],
            vec![f32::NEG_INFINITY, 1.0, f32::NAN, 2.0],
            vec![f32::NAN, 4.0, 5.0],
        ];
        for values in &cases {
            for (lo, hi) in
                [(f32::NEG_INFINITY, f32::INFINITY), (-0.0, 0.0), (0.0, 10.0), (-10.0, -0.0), (-2.5, 2.5), (1.5, 4.5)]
            {
                let mut long = values.clone();
                long.extend(std::iter::repeat_n(values.clone(), 700).flatten());
                for v in [values, &long] {
                    if v.iter().any(|&x| x >= lo && x <= hi) {
                        assert_same_bits(v, lo, hi);
                    }
                }
            }
        }
    }

    #[test]
    fn empty_input_is_none() {
        assert!(image_stats(&[], &StatsConfig::default(), Fields::ALL).is_none());
    }
}
