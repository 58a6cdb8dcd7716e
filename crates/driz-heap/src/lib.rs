//! How driz uses the process heap.
//!
//! Every step of the pipeline allocates a few large arrays (chips of 32 MB, pixel maps of
//! 134 MB, output frames of 70–220 MB on ACS/WFC) and frees them at its end. With 4 KiB
//! pages each of those arrays costs one page fault per 4 KiB the first time it is
//! written: about two million faults and a quarter of the run's CPU time on a
//! 4-exposure ACS/WFC association. [`HugePageAlloc`], the binaries' global allocator,
//! asks Linux for transparent huge pages on every large allocation (numpy does the same
//! for its large arrays), which divides the faults by up to 512 and the TLB misses of
//! the drizzle kernels' scattered writes with them. [`release_free_memory`] hands the
//! heap glibc keeps after a step back to the OS, so that the next step's arrays do not
//! land on top of it.

use std::alloc::{GlobalAlloc, Layout, System};

/// Allocations from this size on are advised onto huge pages: a 2 MiB page is only
/// formed inside an allocation, so smaller ones could never use one.
pub const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

/// The system allocator, with every allocation of at least [`HUGE_PAGE_THRESHOLD`]
/// bytes advised onto transparent huge pages (`madvise(MADV_HUGEPAGE)`; a no-op where
/// the OS has no such thing or has them turned off).
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: driz_heap::HugePageAlloc = driz_heap::HugePageAlloc;
///
/// fn main() {
///     // 70 MB: advised onto huge pages.
///     let frame = vec![1.0f32; 4200 * 4200];
///     assert!(frame.iter().all(|&v| v == 1.0));
/// }
/// ```
pub struct HugePageAlloc;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// advice only changes how the kernel backs pages the allocation already owns.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (the caller's contract).
        let ptr = unsafe { System.alloc(layout) };
        advise_huge_pages(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (the caller's contract). A fresh mapping from
        // calloc is still untouched, so the advice applies to all of it.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        advise_huge_pages(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (the caller's contract).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged (the caller's contract).
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        advise_huge_pages(new, new_size);
        new
    }
}

/// Advise the whole 4 KiB pages of `bytes` bytes from `ptr` onto huge pages, when the
/// allocation is large enough.
pub fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    if ptr.is_null() || bytes < HUGE_PAGE_THRESHOLD {
        return;
    }
    advise(ptr, bytes);
}

#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, bytes: usize) {
    const PAGE: usize = 4096;
    let start = (ptr as usize).div_ceil(PAGE) * PAGE;
    let end = (ptr as usize + bytes) / PAGE * PAGE;
    if end > start {
        // SAFETY: the range lies inside one live allocation; madvise only changes how
        // its pages are backed, and a failure (huge pages off) changes nothing.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _bytes: usize) {}

/// Return the free pages of the heap to the OS (glibc's `malloc_trim`); a no-op elsewhere.
///
/// Each step frees large arrays (chips, frames, maps) and glibc keeps freed heap memory
/// for reuse, so without a trim the next step's output frame lands on top of what the
/// process already holds and the peak grows by the previous steps' leftovers.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it has no
    // preconditions and cannot invalidate live allocations.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_small_allocations_round_trip_through_the_allocator() {
        let alloc = HugePageAlloc;
        for size in [16, HUGE_PAGE_THRESHOLD - 1, HUGE_PAGE_THRESHOLD, 3 * HUGE_PAGE_THRESHOLD + 5] {
            let layout = Layout::from_size_align(size, 64).unwrap();
            // SAFETY: non-zero size; every pointer is freed with its own layout.
            unsafe {
                let zeroed = alloc.alloc_zeroed(layout);
                assert!(!zeroed.is_null());
                let bytes = std::slice::from_raw_parts_mut(zeroed, size);
                assert!(bytes.iter().all(|&b| b == 0), "alloc_zeroed of {size} bytes is zeroed");
                bytes[size - 1] = 7;
                let grown = alloc.realloc(zeroed, layout, 2 * size);
                assert!(!grown.is_null());
                assert_eq!(*grown.add(size - 1), 7, "realloc keeps the contents");
                assert_eq!(grown as usize % 64, 0, "realloc keeps the alignment");
                alloc.dealloc(grown, Layout::from_size_align(2 * size, 64).unwrap());
            }
        }
    }
}
