//! The scipy.ndimage binary and rank operations the metrics use: erosion with the 3×3 cross
//! (outside the array counts as 0), connected-component labelling with 4-connectivity, and the
//! 5×5 median filter (mode `reflect`).

use ndarray::{Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;

use crate::gaussian::reflect_index;

/// `scipy.ndimage.binary_erosion(mask, iterations=k)` with the default cross structuring
/// element and `border_value=0`. k iterations of the cross are the erosion by the L1 ball of
/// radius k, so a pixel survives iff its city-block distance to the nearest false pixel (pixels
/// outside the array are false) exceeds k; the two-pass city-block transform computes that.
pub fn binary_erosion_cross(mask: ArrayView2<bool>, iterations: usize) -> Array2<bool> {
    let (nr, nc) = mask.dim();
    if iterations == 0 {
        return mask.to_owned();
    }
    let cap = u32::try_from(iterations).unwrap_or(u32::MAX - 1).saturating_add(1);
    let mut dist = Array2::<u32>::zeros((nr, nc));
    for r in 0..nr {
        for c in 0..nc {
            if mask[[r, c]] {
                let up = if r > 0 { dist[[r - 1, c]] } else { 0 };
                let left = if c > 0 { dist[[r, c - 1]] } else { 0 };
                dist[[r, c]] = (up.min(left) + 1).min(cap);
            }
        }
    }
    for r in (0..nr).rev() {
        for c in (0..nc).rev() {
            if mask[[r, c]] {
                let down = if r + 1 < nr { dist[[r + 1, c]] } else { 0 };
                let right = if c + 1 < nc { dist[[r, c + 1]] } else { 0 };
                let d = dist[[r, c]].min(down + 1).min(right + 1);
                dist[[r, c]] = d;
            }
        }
    }
    dist.mapv(|d| d as usize > iterations)
}

/// `scipy.ndimage.label(mask)` with the default (4-connected) structure: labels 1..=n in the
/// order in which components are first met in a row-major scan, 0 for background.
pub fn label(mask: ArrayView2<bool>) -> (Array2<i32>, usize) {
    let (nr, nc) = mask.dim();
    let mut parent: Vec<usize> = Vec::new();
    let mut provisional = Array2::<usize>::zeros((nr, nc)); // 0 = background, else 1 + node
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for r in 0..nr {
        for c in 0..nc {
            if !mask[[r, c]] {
                continue;
            }
            let up = if r > 0 { provisional[[r - 1, c]] } else { 0 };
            let left = if c > 0 { provisional[[r, c - 1]] } else { 0 };
            let node = match (up, left) {
                (0, 0) => {
                    parent.push(parent.len());
                    parent.len()
                }
                (u, 0) => u,
                (0, l) => l,
                (u, l) => {
                    let (ru, rl) = (find(&mut parent, u - 1), find(&mut parent, l - 1));
                    // Keep the older root so roots stay in order of first appearance.
                    let (keep, drop) = if ru <= rl { (ru, rl) } else { (rl, ru) };
                    parent[drop] = keep;
                    u
                }
            };
            provisional[[r, c]] = node;
        }
    }
    let mut final_label = vec![0i32; parent.len()];
    let mut count = 0usize;
    let mut labels = Array2::<i32>::zeros((nr, nc));
    for (l, &p) in labels.iter_mut().zip(provisional.iter()) {
        if p == 0 {
            continue;
        }
        let root = find(&mut parent, p - 1);
        if final_label[root] == 0 {
            count += 1;
            final_label[root] = count as i32;
        }
        *l = final_label[root];
    }
    (labels, count)
}

/// Number of 4-connected components of `mask` (the count `scipy.ndimage.label` returns).
pub fn count_components(mask: ArrayView2<bool>) -> usize {
    label(mask).1
}

/// Comparators (low, high) of Batcher's odd–even merge sort on 32 inputs, restricted to those
/// that can influence output `rank` when only the first `n` inputs are real (the rest +∞, which
/// never move). Applied in order with min to `low` and max to `high`, they leave the `rank`-th
/// smallest input at position `rank`.
fn selection_network(n: usize, rank: usize) -> Vec<(usize, usize)> {
    const SIZE: usize = 32;
    let mut comparators = Vec::new();
    let mut p = 1;
    while p < SIZE {
        let mut k = p;
        while k >= 1 {
            let mut j = k % p;
            while j + k < SIZE {
                for i in 0..k.min(SIZE - j - k) {
                    if (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        comparators.push((i + j, i + j + k));
                    }
                }
                j += 2 * k;
            }
            k /= 2;
        }
        p *= 2;
    }
    comparators.retain(|&(_, high)| high < n);
    let mut needed = [false; SIZE];
    needed[rank] = true;
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for &(low, high) in comparators.iter().rev() {
        if needed[low] || needed[high] {
            needed[low] = true;
            needed[high] = true;
            kept.push((low, high));
        }
    }
    kept.reverse();
    kept
}

/// Columns handled together by the median network (25 lanes of this width stay in L1).
const MEDIAN_STRIP: usize = 256;

/// `scipy.ndimage.median_filter(img, size=5)`: the 13th smallest of the 25 reflect-extended
/// neighbours. An exact order statistic, so any correct selection gives scipy's value; a
/// selection network applied to whole strips of columns at once is the fast one. `img` must be
/// NaN-free (the reference only median-filters NaN-free crops).
pub fn median_filter_5x5(img: ArrayView2<f32>) -> Array2<f32> {
    let (nr, nc) = img.dim();
    let mut out = Array2::<f32>::zeros((nr, nc));
    if nr == 0 || nc == 0 {
        return out;
    }
    let network = selection_network(25, 12);
    let cols: Vec<[usize; 5]> =
        (0..nc).map(|c| std::array::from_fn(|k| reflect_index(c as i64 + k as i64 - 2, nc))).collect();
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each_init(
        || vec![0f32; 25 * MEDIAN_STRIP],
        |lanes, (r, mut row)| {
            let rows: [ndarray::ArrayView1<f32>; 5] =
                std::array::from_fn(|k| img.row(reflect_index(r as i64 + k as i64 - 2, nr)));
            for start in (0..nc).step_by(MEDIAN_STRIP) {
                let width = MEDIAN_STRIP.min(nc - start);
                for (k, src) in rows.iter().enumerate() {
                    for m in 0..5 {
                        let lane = &mut lanes[(k * 5 + m) * MEDIAN_STRIP..][..width];
                        for (v, cidx) in lane.iter_mut().zip(&cols[start..start + width]) {
                            *v = src[cidx[m]];
                        }
                    }
                }
                for &(low, high) in &network {
                    let (head, tail) = lanes.split_at_mut(high * MEDIAN_STRIP);
                    let a = &mut head[low * MEDIAN_STRIP..][..width];
                    let b = &mut tail[..width];
                    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
                        let (lo, hi) = if *y < *x { (*y, *x) } else { (*x, *y) };
                        *x = lo;
                        *y = hi;
                    }
                }
                for (o, v) in row.iter_mut().skip(start).zip(&lanes[12 * MEDIAN_STRIP..][..width]) {
                    *o = *v;
                }
            }
        },
    );
    out
}

/// Elementwise AND of `acc` with `other`.
pub fn and_in_place(acc: &mut Array2<bool>, other: &Array2<bool>) {
    Zip::from(acc).and(other).for_each(|a, &b| *a = *a && b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_network_selects_the_median_of_25() {
        let network = selection_network(25, 12);
        let mut state = 0x1234_5678_9abc_def0u64;
        for _ in 0..20_000 {
            let mut v = [0f32; 25];
            for x in v.iter_mut() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *x = ((state >> 40) % 40) as f32; // many ties
            }
            let mut sorted = v;
            sorted.sort_by(f32::total_cmp);
            for &(lo, hi) in &network {
                if v[hi] < v[lo] {
                    v.swap(lo, hi);
                }
            }
            assert_eq!(v[12], sorted[12]);
        }
    }
}
