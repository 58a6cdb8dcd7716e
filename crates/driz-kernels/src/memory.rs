//! Output arrays for large frames. Drizzling writes along rotated lines through the
//! output, touching a new row every few pixels; with 4 KiB pages almost every write is a
//! TLB miss. Asking Linux for transparent huge pages on these buffers (numpy does the
//! same for large arrays) makes the square kernel about a third faster.

use ndarray::Array2;

/// A vector of `n` copies of `value`, on huge pages where the OS allows it.
pub(crate) fn filled_vec<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    driz_heap::advise_huge_pages(v.as_mut_ptr() as *mut u8, n * std::mem::size_of::<T>());
    v.resize(n, value);
    v
}

/// An `ny` × `nx` array filled with `value`, on huge pages where the OS allows it.
pub(crate) fn filled<T: Clone>(ny: usize, nx: usize, value: T) -> Array2<T> {
    Array2::from_shape_vec((ny, nx), filled_vec(ny * nx, value)).expect("length is ny*nx")
}
