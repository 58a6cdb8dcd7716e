//! One pixel of `stsci.image`'s C `_combine` (2.3.11), the engine of `num_combine`: gather
//! the good values of a pixel's stack in float64, exchange-sort them, and take the median
//! or the mean after dropping `nlow`/`nhigh`.

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

/// Combine one pixel. `sorted` is scratch of length n (number of images); it is zeroed
/// here because the reference reads its zero padding (`temp[ninputs-1]`) when nothing
/// survives the rejection.
pub(crate) fn combine_pixel(
    stack: &PixelStack,
    reduction: Reduction,
    nlow: usize,
    nhigh: usize,
    sorted: &mut [f64],
) -> f64 {
    let n = stack.values.len();
    sorted.fill(0.0);
    let mut good = 0;
    match stack.bad {
        Some(bad) => {
            for (&v, &is_bad) in stack.values.iter().zip(bad) {
                if !is_bad {
                    sorted[good] = f64::from(v);
                    good += 1;
                }
            }
            if good == 0 && stack.fill {
                if let Some(&first_nonzero) = stack.values.iter().find(|&&v| v != 0.0) {
                    sorted[0] = f64::from(first_nonzero);
                    good = 1;
                }
            }
        }
        None => {
            for (slot, &v) in sorted.iter_mut().zip(stack.values) {
                *slot = f64::from(v);
            }
            good = n;
        }
    }
    exchange_sort(&mut sorted[..good]);
    match reduction {
        Reduction::Median => inner_median(sorted, good, nlow, nhigh),
        Reduction::Average => inner_average(sorted, good, nlow, nhigh),
    }
}

/// The reference's O(n²) exchange sort, kept because its result with NaNs (which compare
/// false) depends on the exact sequence of comparisons.
fn exchange_sort(values: &mut [f64]) {
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            if values[j] < values[i] {
                values.swap(i, j);
            }
        }
    }
}

/// `_inner_median`: if nlow/nhigh reject every good value, both are decremented until
/// something is left; with no good value at all, the zero padding `temp[n-1]`.
fn inner_median(sorted: &[f64], good: usize, mut nlow: usize, mut nhigh: usize) -> f64 {
    if good > 0 {
        while nhigh + nlow >= good {
            nhigh = nhigh.saturating_sub(1);
            nlow = nlow.saturating_sub(1);
        }
    }
    let Some(kept) = good.checked_sub(nhigh + nlow).filter(|&k| k > 0) else {
        return sorted[sorted.len() - 1];
    };
    let mid = kept / 2;
    if kept % 2 == 1 { sorted[mid + nlow] } else { (sorted[mid + nlow] + sorted[mid + nlow - 1]) / 2.0 }
}

/// `_inner_average`: no reduction of nlow/nhigh; the zero padding `temp[n-1]` when nothing
/// is kept; otherwise the sum from 0.0 in ascending order, divided by the count.
fn inner_average(sorted: &[f64], good: usize, nlow: usize, nhigh: usize) -> f64 {
    let Some(kept) = good.checked_sub(nhigh + nlow).filter(|&k| k > 0) else {
        return sorted[sorted.len() - 1];
    };
    let mut sum = 0.0;
    for &v in &sorted[nlow..nlow + kept] {
        sum += v;
    }
    sum / kept as f64
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

    #[test]
    fn nothing_good_gives_zero_or_fill() {
        let bad = [true, true, true];
        assert_eq!(run(&[0.0, 7.0, 9.0], Some(&bad), false, Reduction::Median, 0, 1), 0.0);
        assert_eq!(run(&[0.0, 7.0, 9.0], Some(&bad), true, Reduction::Median, 0, 1), 7.0);
        assert_eq!(run(&[0.0, 7.0, 9.0], Some(&bad), true, Reduction::Average, 1, 0), 0.0);
    }
}
