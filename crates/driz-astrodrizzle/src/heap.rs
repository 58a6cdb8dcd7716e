//! Giving freed memory back to the OS between steps. Each step frees large arrays (chips,
//! frames, maps); glibc keeps freed heap memory for reuse, so without a trim the next
//! step's output frame (~220 MB on ACS/WFC) lands on top of what the process already
//! holds and the peak grows by the leftovers of the previous steps.

/// Return the free pages of the heap to the OS (glibc's `malloc_trim`); a no-op elsewhere.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it has no
    // preconditions and cannot invalidate live allocations.
    unsafe {
        libc::malloc_trim(0);
    }
}
