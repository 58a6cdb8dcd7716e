//! Progress reporting: the library says what it is doing, the caller decides how to show
//! it (the command line draws progress bars, tests ignore it).

/// Receives step and item progress. Implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// A step starts with `total` items (chips, images or row sections).
    fn start(&self, step: &str, total: u64);
    /// `n` more items are done.
    fn advance(&self, n: u64);
    /// The current step is finished.
    fn finish(&self);
}

/// Progress that goes nowhere.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
