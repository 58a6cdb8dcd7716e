//! "Every pixel of a window is good" tests, the form all of driz_cr's convolutions take
//! (`signal.convolve2d(mask, kernel_of_ones, mode='same', boundary='symm') >= kernel_sum`).
//!
//! A 0/1 mask convolved with a kernel of ones reaches the kernel's sum exactly when every
//! sample under the kernel is 1, so the convolution reduces to an AND over the window.
//! scipy's 'same' output aligns kernel tap k of a K-wide kernel with input offset
//! (K−1)/2 − k (integer division), i.e. the window of output index i covers inputs
//! i − K/2 ..= i + (K−1)/2: an even kernel reaches one further back than forward. The
//! 'symm' boundary mirrors the array with its edge sample repeated (… a1 a0 | a0 a1 …),
//! periodically for windows wider than the array.

use std::ops::RangeInclusive;

use crate::rows::par_bands;

/// The input index that position `i` (possibly outside 0..n) reads under 'symm'.
pub(crate) fn symm_index(i: isize, n: usize) -> usize {
    let period = 2 * n as isize;
    let m = i.rem_euclid(period) as usize;
    if m < n { m } else { 2 * n - 1 - m }
}

/// The window offsets of a K-wide 'same' convolution along one axis.
pub(crate) fn same_window(k: usize) -> RangeInclusive<isize> {
    -(k as isize / 2)..=(k as isize - 1) / 2
}

/// `out[r][c]` = every `mask[symm(r + dr)][symm(c + dc)]` for dr in `row_offsets`, dc in
/// `col_offsets` (both non-empty). `mask` is rows × cols, row-major.
pub(crate) fn all_in_window(
    mask: &[bool],
    rows: usize,
    cols: usize,
    row_offsets: RangeInclusive<isize>,
    col_offsets: RangeInclusive<isize>,
) -> Vec<bool> {
    let mut across = vec![false; mask.len()];
    let width = (col_offsets.end() - col_offsets.start() + 1) as usize;
    par_bands(&mut across, cols, |first_row, band| {
        let mut bad_before = vec![0u32; cols + width];
        for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
            let row = &mask[r * cols..][..cols];
            // Running count of bad samples along the mirrored row, window starts at c.
            for k in 0..cols + width - 1 {
                let source = symm_index(k as isize + col_offsets.start(), cols);
                bad_before[k + 1] = bad_before[k] + u32::from(!row[source]);
            }
            for (c, out) in out_row.iter_mut().enumerate() {
                *out = bad_before[c + width] == bad_before[c];
            }
        }
    });

    let mut out = vec![false; mask.len()];
    par_bands(&mut out, cols, |first_row, band| {
        for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
            out_row.fill(true);
            for dr in row_offsets.clone() {
                let source = symm_index(r as isize + dr, rows);
                for (out, &good) in out_row.iter_mut().zip(&across[source * cols..][..cols]) {
                    *out &= good;
                }
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symm_mirrors_with_edge_repeated() {
        let seq: Vec<usize> = (-4..8).map(|i| symm_index(i, 3)).collect();
        assert_eq!(seq, [2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1]);
    }

    #[test]
    fn same_window_of_even_kernel_reaches_back() {
        assert_eq!(same_window(1), 0..=0);
        assert_eq!(same_window(2), -1..=0);
        assert_eq!(same_window(3), -1..=1);
        assert_eq!(same_window(4), -2..=1);
    }

    #[test]
    fn window_and_matches_brute_force() {
        let (rows, cols) = (5, 4);
        let mask: Vec<bool> = (0..rows * cols).map(|i| (i * 7) % 5 != 0).collect();
        let got = all_in_window(&mask, rows, cols, -2..=1, -1..=1);
        for r in 0..rows {
            for c in 0..cols {
                let mut want = true;
                for dr in -2..=1isize {
                    for dc in -1..=1isize {
                        want &= mask[symm_index(r as isize + dr, rows) * cols + symm_index(c as isize + dc, cols)];
                    }
                }
                assert_eq!(got[r * cols + c], want, "({r},{c})");
            }
        }
    }
}
