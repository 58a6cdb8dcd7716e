//! `SKYCELL` of every SCI extension (runastrodriz-spec §4.1 stage A step 4, drizzlepac
//! `processing_utils.add_skycell_to_header`): the MVM sky cells the exposure overlaps,
//! computed by `driz-skycell` from the chips' full WCS after updatewcs, written after
//! `S_REGION`.

use crate::error::{PipelineError, Result};
use driz_fits::{Fits, FitsError, update_file};
use std::path::Path;
use tracing::error;

/// Write `SKYCELL` into every SCI header of `file` (one atomic update). A file without
/// `WCSNAME` in extension 1, or overlapping no sky cell, keeps its headers and gets one
/// error line per SCI extension, as drizzlepac logs it.
pub fn write_skycell(file: &Path) -> Result<()> {
    let mut fits = Fits::open(file)?;
    let sci: Vec<usize> = fits.hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
    let has_wcsname = fits.hdus().get(1).is_some_and(|h| h.header.contains("WCSNAME"));
    let mut value = None;
    if has_wcsname {
        let mut chips = Vec::with_capacity(sci.len());
        for &index in &sci {
            let Some(size) = fits.hdu(index).image_size() else { continue };
            chips.push((fits.wcs(index, ' ')?, size));
        }
        let chips: Vec<(&driz_wcs::HstWcs, [usize; 2])> = chips.iter().map(|(w, s)| (w, *s)).collect();
        let cells = driz_skycell::exposure_sky_cells(&chips).map_err(|e| PipelineError::file(file, e.to_string()))?;
        value = driz_skycell::skycell_keyword_value(&cells);
    }
    drop(fits);
    let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let Some(value) = value else {
        for _ in &sci {
            error!("No skycells found for {name}.");
        }
        return Ok(());
    };
    update_file(file, |u| {
        for &index in &sci {
            let mut h = u.fits().hdu(index).header.clone();
            driz_skycell::set_skycell_keyword(&mut h, &value)
                .map_err(|e| FitsError::invalid(file, &u.fits().hdu(index).label(), e.to_string()))?;
            u.set_header(index, &h)?;
        }
        Ok(())
    })?;
    Ok(())
}
