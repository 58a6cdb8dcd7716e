//! Reading a chip's arrays, with the run's in-memory DQ changes (`resetbits`, CR flags)
//! applied, and turning DQ into good-pixel masks.

use crate::error::Result;
use crate::image::Chip;
use driz_fits::Fits;
use driz_params::good_pixel;
use ndarray::Array2;

/// The SCI array as float32.
pub fn read_sci(chip: &Chip) -> Result<Array2<f32>> {
    let mut fits = Fits::open(&chip.info.path)?;
    Ok(fits.read_image::<f32>(chip.info.sci)?)
}

/// The ERR array, when the chip has one of the SCI size.
pub fn read_err(chip: &Chip) -> Result<Option<Array2<f32>>> {
    let Some(err) = chip.info.err else { return Ok(None) };
    let mut fits = Fits::open(&chip.info.path)?;
    if fits.hdu(err).image_size() != Some(chip.size()) {
        return Ok(None);
    }
    Ok(Some(fits.read_image::<f32>(err)?))
}

/// The DQ array as uint16 with `resetbits` cleared (as AstroDrizzle's initialisation
/// rewrites it), or `None` when the chip has no DQ array of its size.
pub fn read_dq(chip: &Chip, resetbits: Option<u32>) -> Result<Option<Array2<u16>>> {
    let Some(dq) = chip.info.dq else { return Ok(None) };
    let mut fits = Fits::open(&chip.info.path)?;
    if fits.hdu(dq).image_size() != Some(chip.size()) {
        return Ok(None);
    }
    let raw = fits.read_image::<i32>(dq)?;
    let clear = !(resetbits.unwrap_or(0) as u16);
    Ok(Some(raw.mapv(|v| (v as u16) & clear)))
}

/// Good pixels for the DQ flags `bits` treated as good (`None`: all good).
pub fn good_mask(dq: Option<&Array2<u16>>, bits: Option<u32>, size: [usize; 2]) -> Array2<bool> {
    match (dq, bits) {
        (Some(dq), Some(_)) => dq.mapv(|q| good_pixel(q, bits)),
        _ => Array2::from_elem((size[1], size[0]), true),
    }
}
