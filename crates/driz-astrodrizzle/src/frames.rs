//! The output frames: the default frame around every member chip (shared by all steps),
//! and the separate-drizzle and final frames when `driz_sep_wcs`/`final_wcs` customise it.

use crate::config::FrameConfig;
use crate::error::{AstroDrizzleError, Result};
use crate::image::Image;
use driz_fits::{Fits, HduSpec, parse_file_spec};
use driz_wcs::{Frame, FrameChip, customize, default_frame};

/// The default frame of all member chips, oriented and scaled by the first chip.
pub fn default_output_frame(images: &[Image]) -> Result<Frame> {
    let chips: Vec<FrameChip> =
        images.iter().flat_map(|im| im.chips.iter()).map(|c| FrameChip { wcs: c.wcs(), size: c.size() }).collect();
    let reference = &images[0].chips[0].info.reference;
    default_frame(&chips, reference)
        .map_err(|cause| AstroDrizzleError::Wcs { context: "building the default output frame".into(), cause })
}

/// The frame a step drizzles onto: the default one, or its customisation.
pub fn step_frame(default: &Frame, config: &FrameConfig, step: &str) -> Result<Frame> {
    if !config.custom {
        return Ok(default.clone());
    }
    let start = match config.refimage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(spec) => reference_image_frame(spec)?,
        None => default.clone(),
    };
    customize(&start, &config.overrides).map_err(|cause| AstroDrizzleError::Wcs {
        context: format!("{step}: applying the output frame parameters"),
        cause,
    })
}

/// The frame of a reference image (`file.fits[ext]`, default the first SCI or the primary).
pub fn reference_image_frame(spec: &str) -> Result<Frame> {
    let (path, hdu) = parse_file_spec(spec).map_err(|e| AstroDrizzleError::Input(format!("refimage {spec}: {e}")))?;
    let mut fits = Fits::open(&path)?;
    let index = match hdu {
        Some(h) => fits.find(&h)?,
        None => fits.find(&HduSpec::Name("SCI".into(), 1)).unwrap_or(0),
    };
    let size = fits.hdu(index).image_size().ok_or_else(|| {
        AstroDrizzleError::Input(format!("refimage {}[{}]: not an image", path.display(), fits.hdu(index).label()))
    })?;
    let wcs = fits.wcs(index, ' ')?;
    Ok(Frame { wcs: wcs.celestial, size })
}
