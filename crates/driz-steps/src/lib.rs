//! Drizzle processing steps on HST files: finding the chips of the inputs, their masks
//! and weight maps, the output frame, drizzling them into a `_drz`-style product and
//! blotting a drizzled image back onto a chip. The arithmetic is `driz-kernels`; the WCS
//! model is `driz-wcs`; this crate connects them to files through `driz-fits`.

mod blot_step;
mod chip;
mod drizzle_step;
mod error;
mod product;

pub use blot_step::{BlotOptions, blot_onto_chip};
pub use chip::{ChipInfo, InputUnits, WeightType, chip_pixel_map, chips_of};
pub use drizzle_step::{DrizzleOptions, Product, drizzle_chips};
pub use error::StepError;
pub use product::write_product;
