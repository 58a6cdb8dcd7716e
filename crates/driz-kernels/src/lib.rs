//! The numeric heart of driz: drizzle and blot on arrays, with no I/O.
//!
//! - [`PixelMap`]: input pixel centres in the output frame (0-based), with drizzle's
//!   bilinear interpolation for corners.
//! - [`Drizzle`]: accumulate images with the kernels square, point, turbo, gaussian,
//!   lanczos2, lanczos3 (drizzle 3.0 semantics, bit-for-bit rounding) and tophat
//!   (drizzlepac's), weights, units, context planes and fill values; parallel over bands
//!   of output rows with results independent of the thread count.
//! - [`blot`]: resample back with nearest, linear, poly3, poly5, lanczos3, lanczos5.
//!
//! Where the reference reads outside its arrays (documented in docs/compatibility.md)
//! we return a defined value instead.

mod blot;
mod drizzle;
mod kernels;
mod memory;
mod overlap;
mod pixmap;
mod polygon;
mod scanner;
mod small_box;
#[cfg(test)]
mod test_rng;

pub use blot::{Interp, blot};
pub use drizzle::{AddParams, AddPlan, AddStats, Drizzle, Units};
pub use kernels::Kernel;
pub use pixmap::{MapFn, MapLookup, PixelMap, Section};

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum KernelError {
    #[error("shape mismatch: {0}")]
    Shape(String),
    #[error("invalid parameter: {0}")]
    Parameter(String),
    #[error("nothing to drizzle: {0}")]
    NoOverlap(String),
}
