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
            for (c, out) in out_row.iter_mut().enumerate() {
                *out = derivative_at(|rr, cc| source.row(rr)[cc], rows, cols, r, c);
            }
        }
    });
    Array2::from_shape_vec((rows, cols), out).expect("rows × cols elements")
}

/// One pixel of `qderiv`. The reference runs four passes over whole arrays: each writes a
/// shifted copy of `a` into a float64 scratch array over a slice (the rest of the scratch
/// is what the previous pass left: `|a − s|·0`, i.e. 0, or NaN after a non-finite
/// difference), then `out = np.maximum(|a − scratch|, out)`. Per pixel that is this
/// recurrence, with the slices of `quickDeriv.py` (Python half-open ranges) as conditions.
pub(crate) fn derivative_at(value: impl Fn(usize, usize) -> f64, rows: usize, cols: usize, r: usize, c: usize) -> f32 {
    let (ri, ci, nr, nc) = (r as isize, c as isize, rows as isize, cols as isize);
    let a = value(r, c);
    let shifted = [
        (ri < nr - 1 && ci >= 1 && ci < nc - 1).then(|| value(r, c - 1)),
        (ri < nr - 1 && ci < nc - 2).then(|| value(r, c + 1)),
        (ri >= 1 && ri < nr - 1 && ci < nc - 1).then(|| value(r - 1, c)),
        (ri < nr - 2 && ci < nc - 1).then(|| value(r + 1, c)),
    ];
    let mut leftover = 0.0f64;
    let mut largest = 0.0f64;
    for neighbour in shifted {
        let difference = (a - neighbour.unwrap_or(leftover)).abs();
        largest = numpy_maximum(difference, largest);
        leftover = difference * 0.0;
    }
    largest as f32
}

/// `np.maximum`: NaN if either argument is NaN.
fn numpy_maximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}
