//! `S_REGION` of every SCI extension (runastrodriz-spec §4.1 step 2): the footprint of the
//! chip's four corner pixel centres through the full distortion model.

use crate::error::Result;
use driz_fits::update_file;
use std::path::Path;

/// The keyword value for a chip of `nx × ny` pixels: `POLYGON ICRS` and the corners
/// (1,1), (1,NY), (NX,NY), (NX,1), then the first again, numbers as Python prints them.
pub fn s_region(wcs: &driz_wcs::HstWcs, nx: usize, ny: usize) -> String {
    let (nx, ny) = (nx as f64, ny as f64);
    let mut corners: Vec<(f64, f64)> =
        [(1.0, 1.0), (1.0, ny), (nx, ny), (nx, 1.0)].iter().map(|&(x, y)| wcs.pix2world(x, y)).collect();
    corners.push(corners[0]);
    let mut text = String::from("POLYGON ICRS ");
    for (ra, dec) in corners {
        text.push_str(&driz_catalog::py_str(ra));
        text.push(' ');
        text.push_str(&driz_catalog::py_str(dec));
        text.push(' ');
    }
    text
}

/// Write `S_REGION` into every SCI header of `file` (one atomic update).
pub fn write_s_region(file: &Path) -> Result<()> {
    update_file(file, |u| {
        let sci: Vec<usize> =
            u.fits().hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
        for index in sci {
            let Some([nx, ny]) = u.fits().hdu(index).image_size() else { continue };
            let wcs = u.fits().wcs(index, ' ')?;
            let value = s_region(&wcs, nx, ny);
            let mut h = u.fits().hdu(index).header.clone();
            h.set_with_comment("S_REGION", value.as_str(), "spatial extent of the observation");
            u.set_header(index, &h)?;
        }
        Ok(())
    })?;
    Ok(())
}
