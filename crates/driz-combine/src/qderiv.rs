//! drizzlepac's `quickDeriv.qderiv`: the largest absolute difference between a pixel and
//! its four neighbours, as driz_cr uses it (spec Part 2 §8).

use ndarray::{Array2, ArrayView2};

use crate::rows::{RowMajor, par_bands};

/// `qderiv(a)`, cast to float32. Where a shifted copy has no neighbour (last row, last
/// column and some first-row/column cells) the reference compares with 0, so the
/// derivative is |a| there. Non-finite values propagate as in the reference.
pub fn quick_derivative(a: ArrayView2<f64>) -> Array2<f32> {
    let (rows, cols) = a.dim();
    let source = RowMajor::new(a);
    let mut out = vec![0.0f32; rows * cols];
    par_bands(&mut out, cols, |first_row, band| {
        for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
            let (above, below) = (source.row(r.saturating_sub(1)), source.row((r + 1).min(rows - 1)));
            derivative_row(above, source.row(r), below, r, rows, out_row);
        }
    });
    Array2::from_shape_vec((rows, cols), out).expect("rows × cols elements")
}

/// `qderiv` for row `r` of `rows`, given the rows above and below (any row when it does not
/// exist: it is not read). The reference runs four passes over whole arrays: each writes a
/// shifted copy of `a` into a float64 scratch array over a slice (the rest of the scratch
/// is what the previous pass left: `|a − s|·0`, i.e. 0, or NaN after a non-finite
/// difference), then `out = np.maximum(|a − scratch|, out)`. Per pixel that is this
/// recurrence, with the slices of `quickDeriv.py` (Python half-open ranges) as conditions.
pub(crate) fn derivative_row<T: Copy + Into<f64>>(
    above: &[T],
    row: &[T],
    below: &[T],
    r: usize,
    rows: usize,
    out: &mut [f32],
) {
    let cols = row.len() as isize;
    let (r, rows) = (r as isize, rows as isize);
    let horizontal_rows = r < rows - 1;
    let has_above = r >= 1 && r < rows - 1;
    let has_below = r < rows - 2;
    for (c, out) in out.iter_mut().enumerate() {
        let ci = c as isize;
        let a: f64 = row[c].into();
        let shifted = [
            (horizontal_rows && ci >= 1 && ci < cols - 1).then(|| row[c - 1].into()),
            (horizontal_rows && ci < cols - 2).then(|| row[c + 1].into()),
            (has_above && ci < cols - 1).then(|| above[c].into()),
            (has_below && ci < cols - 1).then(|| below[c].into()),
        ];
        let mut leftover = 0.0f64;
        let mut largest = 0.0f64;
        for neighbour in shifted {
            let difference = (a - neighbour.unwrap_or(leftover)).abs();
            largest = numpy_maximum(difference, largest);
            leftover = difference * 0.0;
        }
        *out = largest as f32;
    }
}

/// `np.maximum`: NaN if either argument is NaN.
fn numpy_maximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}
