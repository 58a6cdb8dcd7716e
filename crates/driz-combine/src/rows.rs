//! Row-major access to 2-D views, and the row-band parallel driver.

use std::borrow::Cow;

use ndarray::ArrayView2;
use rayon::prelude::*;

/// A 2-D array as one row-major slice: borrowed when the view is already in standard
/// layout (the usual case), otherwise copied once so the per-pixel loops can index slices.
pub(crate) struct RowMajor<'a, T: Clone> {
    data: Cow<'a, [T]>,
    cols: usize,
}

impl<'a, T: Clone> RowMajor<'a, T> {
    pub(crate) fn new(view: ArrayView2<'a, T>) -> Self {
        let cols = view.ncols();
        let data = match view.to_slice() {
            Some(slice) => Cow::Borrowed(slice),
            None => Cow::Owned(view.iter().cloned().collect()),
        };
        RowMajor { data, cols }
    }

    pub(crate) fn row(&self, r: usize) -> &[T] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }
}

/// Rows per parallel task: large enough that a band's halo rows (minmed's grow window) are
/// a small overhead, small enough to balance a few thousand rows over the pool.
pub(crate) const BAND_ROWS: usize = 32;

/// Fill `out` (rows × cols, row-major) band by band in parallel. `fill_band(first_row,
/// band)` writes whole rows. Each pixel is computed by the same sequential code whatever
/// the band split, so the result does not depend on the thread count.
pub(crate) fn par_bands<T: Send>(out: &mut [T], cols: usize, fill_band: impl Fn(usize, &mut [T]) + Sync) {
    if cols == 0 {
        return;
    }
    out.par_chunks_mut(BAND_ROWS * cols).enumerate().for_each(|(band, chunk)| fill_band(band * BAND_ROWS, chunk));
}
