//! Blot a drizzled image back onto a chip, as AstroDrizzle's blot step does: through the
//! chip's full distortion model, with the drizzle flux scaling undone and, by default,
//! the result in counts (× the chip's exposure time).

use crate::StepError;
use crate::chip::{ChipInfo, chip_pixel_map};
use driz_fits::{Fits, HduKind};
use driz_kernels::{Interp, PixelMap, blot};
use driz_wcs::linear_pixel_scale;
use ndarray::Array2;
use std::path::Path;

#[derive(Debug, Clone, Copy)]
pub struct BlotOptions {
    pub interp: Interp,
    /// Multiply by the chip's exposure time (AstroDrizzle's blotted images are counts).
    pub to_counts: bool,
    pub fillval: f32,
}

impl Default for BlotOptions {
    fn default() -> BlotOptions {
        BlotOptions { interp: Interp::Poly5, to_counts: true, fillval: 0.0 }
    }
}

pub fn blot_onto_chip(drizzled: &Path, chip: &ChipInfo, options: &BlotOptions) -> Result<Array2<f32>, StepError> {
    let mut fits = Fits::open(drizzled)?;
    let sci = fits
        .position("SCI", 1)
        .or_else(|| fits.hdus().iter().position(|h| matches!(&h.kind, HduKind::Image { dims, .. } if dims.len() == 2)))
        .ok_or_else(|| StepError::Input(format!("{}: no SCI image to blot", drizzled.display())))?;
    let data = fits.read_image::<f32>(sci)?;
    let source = fits.wcs(sci, ' ')?;
    let source_scale = source.celestial.cd[0][0].hypot(source.celestial.cd[1][0]) * 3600.0;
    let linear = linear_pixel_scale(&chip.wcs, &chip.reference)
        .map_err(|cause| StepError::Wcs { context: chip.label(), cause })?;
    let pix_ratio = source_scale / linear;
    let mut xy = chip_pixel_map(chip, &source);
    // Points that cannot be mapped are outside the drizzled image: they get the fill value.
    for p in xy.iter_mut() {
        if p[0].is_nan() || p[1].is_nan() {
            *p = [-1.0e9, -1.0e9];
        }
    }
    let map = PixelMap::new(chip.size[0], chip.size[1], &xy)
        .map_err(|cause| StepError::Kernel { context: chip.label(), cause })?;
    let exposure = if options.to_counts { chip.exptime } else { 1.0 };
    let iscale = (exposure / (pix_ratio * pix_ratio)) as f32;
    blot(data.view(), &map, options.interp, iscale, options.fillval).map_err(|cause| StepError::Kernel {
        context: format!("blotting {} onto {}", drizzled.display(), chip.label()),
        cause,
    })
}
