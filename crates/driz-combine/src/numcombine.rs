//! One pixel of `stsci.image`'s C `_combine` (2.3.11), the engine of `num_combine`: gather
//! the good values of a pixel's stack in float64, sort them as its exchange sort does, and
//! take the median or the mean after dropping `nlow`/`nhigh`.

/// The inner function of `_combine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reduction {
    /// `_inner_median` (median, imedian).
    Median,
    /// `_inner_average` (average/mean, iaverage/imean).
    Average,
}

/// Where the pixel's values come from, and whether they are masked.
pub(crate) struct PixelStack<'p> {
    pub values: &'p [f32],
    /// `None`: the reference was called without masks (every value is used, no fill).
    pub bad: Option<&'p [bool]>,
    /// The i-variants' fill: with no good value, take the first non-zero value in stack
    /// order. Upstream it is active only in the first column of every row (the flag is
    /// reset after the first pixel) or everywhere when there is a single image.
    pub fill: bool,
}

/// The good values of one pixel, sorted as the reference sorts them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gathered {
    /// Number of values in `sorted[..good]` (1 after an i-variant fill).
    pub good: usize,
    /// No NaN and no zero among them: the ascending order is unique as a sequence of values
    /// (no NaN to compare false, no ±0 pair to keep apart), so `sorted[0]` is also their
    /// exact minimum.
    pub plain: bool,
}

/// Combine one pixel. `sorted` is scratch of length n (number of images).
pub(crate) fn combine_pixel(
    stack: &PixelStack,
    reduction: Reduction,
    nlow: usize,
    nhigh: usize,
    sorted: &mut [f64],
) -> f64 {
    let gathered = gather_sorted(stack, sorted);
    reduce(sorted, gathered.good, reduction, nlow, nhigh)
}

/// Gather the good values (or the fill value) into `sorted[..good]` and sort them.
#[inline]
pub(crate) fn gather_sorted(stack: &PixelStack, sorted: &mut [f64]) -> Gathered {
    match stack.values.len() {
        2 => gather_sorted_fixed::<2>(stack, sorted),
        3 => gather_sorted_fixed::<3>(stack, sorted),
        4 => gather_sorted_fixed::<4>(stack, sorted),
        5 => gather_sorted_fixed::<5>(stack, sorted),
        6 => gather_sorted_fixed::<6>(stack, sorted),
        7 => gather_sorted_fixed::<7>(stack, sorted),
        8 => gather_sorted_fixed::<8>(stack, sorted),
        _ => gather_sorted_any(stack, sorted),
    }
}

/// The common small stacks, in registers: bad values become +∞ instead of being compacted
/// (so no data-dependent index), and a fully unrolled branch-free network sorts them to
/// the end. Pixels with a NaN or a zero among their good values, or needing a fill, take
/// the general path.
fn gather_sorted_fixed<const N: usize>(stack: &PixelStack, sorted: &mut [f64]) -> Gathered {
    let values: &[f32; N] = stack.values.try_into().expect("stack of N values");
    let mut v = [0.0f64; N];
    let mut good = 0;
    let mut special = false;
    match stack.bad {
        Some(bad) => {
            let bad: &[bool; N] = bad.try_into().expect("N mask flags");
            for i in 0..N {
                let x = values[i];
                v[i] = if bad[i] { f64::INFINITY } else { f64::from(x) };
                special |= !bad[i] & (x.is_nan() | (x == 0.0));
                good += usize::from(!bad[i]);
            }
        }
        None => {
            for i in 0..N {
                let x = values[i];
                v[i] = f64::from(x);
                special |= x.is_nan() | (x == 0.0);
            }
            good = N;
        }
    }
    if special || (good == 0 && stack.fill) {
        return gather_sorted_any(stack, sorted);
    }
    for pass in 0..N {
        let mut i = pass % 2;
        while i + 1 < N {
            let (a, b) = (v[i], v[i + 1]);
            v[i] = a.min(b);
            v[i + 1] = a.max(b);
            i += 2;
        }
    }
    sorted.copy_from_slice(&v);
    Gathered { good, plain: true }
}

/// Any stack size, with the reference's exact handling of NaN, signed zeros and the fill.
fn gather_sorted_any(stack: &PixelStack, sorted: &mut [f64]) -> Gathered {
    let n = stack.values.len();
    let mut good = 0;
    let mut special = false;
    match stack.bad {
        Some(bad) => {
            // Branch-free compaction: every value is written, only good ones advance.
            for (&v, &is_bad) in stack.values.iter().zip(bad) {
                sorted[good] = f64::from(v);
                special |= !is_bad & (v.is_nan() | (v == 0.0));
                good += usize::from(!is_bad);
            }
            let fill_value = (good == 0 && stack.fill).then(|| stack.values.iter().find(|&&v| v != 0.0)).flatten();
            if let Some(&first_nonzero) = fill_value {
                sorted[0] = f64::from(first_nonzero);
                special = first_nonzero.is_nan();
                good = 1;
            }
        }
        None => {
            for (slot, &v) in sorted.iter_mut().zip(stack.values) {
                *slot = f64::from(v);
                special |= v.is_nan() | (v == 0.0);
            }
            good = n;
        }
    }
    if special {
        exchange_sort(&mut sorted[..good]);
    } else {
        network_sort(sorted, good);
    }
    Gathered { good, plain: !special }
}

/// The reference's O(n²) exchange sort, needed when NaNs (which compare false) or signed
/// zeros make the result depend on the exact sequence of comparisons.
fn exchange_sort(values: &mut [f64]) {
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            if values[j] < values[i] {
                values.swap(i, j);
            }
        }
    }
}

/// Branch-free odd–even transposition sort of `values[..good]` (no NaN), with the unused
/// tail padded by +∞ so that the whole buffer can be sorted; faster than the exchange sort
/// for the small stacks of a median, whose comparisons are unpredictable.
fn network_sort(values: &mut [f64], good: usize) {
    let n = values.len();
    values[good..].fill(f64::INFINITY);
    for pass in 0..n {
        let mut i = pass % 2;
        while i + 1 < n {
            let (a, b) = (values[i], values[i + 1]);
            // min/max rather than a comparison: LLVM turns `if b < a` into a branch here.
            values[i] = a.min(b);
            values[i + 1] = a.max(b);
            i += 2;
        }
    }
}

/// The inner function on `sorted[..good]`. When nothing survives the rejection the
/// reference reads `temp[n-1]` of its zero-padded buffer: 0 unless every input is good.
#[inline]
pub(crate) fn reduce(sorted: &[f64], good: usize, reduction: Reduction, nlow: usize, nhigh: usize) -> f64 {
    let padding = if good == sorted.len() { sorted[sorted.len() - 1] } else { 0.0 };
    match reduction {
        Reduction::Median => inner_median(sorted, good, nlow, nhigh).unwrap_or(padding),
        Reduction::Average => inner_average(sorted, good, nlow, nhigh).unwrap_or(padding),
    }
}

/// `_inner_median`: if nlow/nhigh reject every good value, both are decremented until
/// something is left; `None` with no good value at all.
fn inner_median(sorted: &[f64], good: usize, mut nlow: usize, mut nhigh: usize) -> Option<f64> {
    if good > 0 {
        while nhigh + nlow >= good {
            nhigh = nhigh.saturating_sub(1);
            nlow = nlow.saturating_sub(1);
        }
    }
    let kept = good.checked_sub(nhigh + nlow).filter(|&k| k > 0)?;
    let mid = kept / 2;
    Some(if kept % 2 == 1 { sorted[mid + nlow] } else { (sorted[mid + nlow] + sorted[mid + nlow - 1]) / 2.0 })
}

/// `_inner_average`: no reduction of nlow/nhigh (`None` when nothing is kept); the sum from
/// 0.0 in ascending order, divided by the count.
fn inner_average(sorted: &[f64], good: usize, nlow: usize, nhigh: usize) -> Option<f64> {
    let kept = good.checked_sub(nhigh + nlow).filter(|&k| k > 0)?;
    let mut sum = 0.0;
    for &v in &sorted[nlow..nlow + kept] {
        sum += v;
    }
    Some(sum / kept as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[f32], bad: Option<&[bool]>, fill: bool, reduction: Reduction, nlow: usize, nhigh: usize) -> f64 {
        let mut scratch = vec![0.0; values.len()];
        combine_pixel(&PixelStack { values, bad, fill }, reduction, nlow, nhigh, &mut scratch)
    }

    #[test]
    fn median_reduces_rejection_until_something_is_left() {
        let bad = [false, true, true, true];
        assert_eq!(run(&[5.0, 1.0, 2.0, 3.0], Some(&bad), false, Reduction::Median, 0, 1), 5.0);
        assert_eq!(run(&[4.0, 1.0, 3.0, 2.0], None, false, Reduction::Median, 0, 0), 2.5);
    }

    /// The reference's procedure, literally: zeroed buffer, compaction, exchange sort.
    fn reference_sorted(values: &[f32], bad: &[bool]) -> Vec<u64> {
        let mut temp: Vec<f64> = values.iter().zip(bad).filter(|(_, b)| !**b).map(|(v, _)| f64::from(*v)).collect();
        exchange_sort(&mut temp);
        temp.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn fast_sort_orders_exactly_like_the_exchange_sort() {
        let pool = [0.0f32, -0.0, 1.0, -1.0, 2.5, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1.0, 3.0];
        let mut state = 1u64;
        let mut next = |m: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize % m
        };
        for _ in 0..20000 {
            let n = 1 + next(7);
            let values: Vec<f32> = (0..n).map(|_| pool[next(pool.len())]).collect();
            let bad: Vec<bool> = (0..n).map(|_| next(4) == 0).collect();
            let mut sorted = vec![0.0; n];
            let gathered = gather_sorted(&PixelStack { values: &values, bad: Some(&bad), fill: false }, &mut sorted);
            let got: Vec<u64> = sorted[..gathered.good].iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, reference_sorted(&values, &bad), "{values:?} {bad:?}");
        }
    }

    #[test]
    fn nothing_good_gives_zero_or_fill() {
        let bad = [true, true, true];
        assert_eq!(run(&[0.0, 7.0, 9.0], Some(&bad), false, Reduction::Median, 0, 1), 0.0);
        assert_eq!(run(&[0.0, 7.0, 9.0], Some(&bad), true, Reduction::Median, 0, 1), 7.0);
        assert_eq!(run(&[0.0, 7.0, 9.0], Some(&bad), true, Reduction::Average, 1, 0), 0.0);
    }
}
