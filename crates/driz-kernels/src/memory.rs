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

/// An `ny` × `nx` context plane of zeros, from [`zeroed_vec`].
pub(crate) fn zeroed_plane(ny: usize, nx: usize) -> Array2<i32> {
    // SAFETY: all-zero bytes are the integer 0.
    Array2::from_shape_vec((ny, nx), unsafe { zeroed_vec(ny * nx) }).expect("length is ny*nx")
}

/// A vector of `n` all-zero `T`, on huge pages where the OS allows it. A large zeroed
/// allocation is fresh memory from the OS, already zero: it is neither written here nor
/// backed by memory until used, so a frame only pays for the rows an input reaches.
///
/// # Safety
/// All-zero bytes must be a valid `T`.
pub(crate) unsafe fn zeroed_vec<T>(n: usize) -> Vec<T> {
    let layout = std::alloc::Layout::array::<T>(n).expect("frame size fits in memory");
    if layout.size() == 0 {
        return Vec::new();
    }
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    driz_heap::advise_huge_pages(ptr as *mut u8, layout.size());
    // SAFETY: `ptr` was allocated by the global allocator with `T`'s alignment and room for
    // `n` values, all initialised (zero bytes are a valid `T`: the caller's contract).
    unsafe { Vec::from_raw_parts(ptr, n, n) }
}
