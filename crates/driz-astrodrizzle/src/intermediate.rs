//! Intermediate products (`_single_sci`, `_med`, `_blt`, `_crmask`, masks): simple FITS
//! files with the data in the primary HDU and the frame's WCS in its header.

use crate::error::Result;
use driz_fits::{FitsWriter, Pixel};
use driz_header::Header;
use driz_wcs::Frame;
use ndarray::ArrayView2;
use std::path::{Path, PathBuf};
use tracing::info;

/// A header carrying `frame`'s WCS.
pub fn frame_header(frame: &Frame) -> Header {
    let mut h = Header::new();
    frame.wcs.write_to_header(&mut h, ' ');
    h.set_with_comment("ORIENTAT", frame.orientat(), "position angle of image y axis (deg. e of n)");
    h
}

/// AstroDrizzle's weight image of one chip as the kernel receives it (`clean=False`, files
/// mode): `<rootname>_sci<N>_<step>_mask.fits` in `dir`, float32 in the primary array, for
/// the `single` (separate) and `final` drizzle steps.
pub fn write_weight_mask(
    dir: &Path,
    rootname: &str,
    extver: i64,
    step: &str,
    weights: ArrayView2<f32>,
) -> Result<PathBuf> {
    let path = dir.join(weight_mask_name(rootname, extver, step));
    write_frame_image(&path, &Header::new(), weights)?;
    info!("Writing out mask file: {}", path.display());
    Ok(path)
}

/// The weight image's file name, also recorded as `DnnnMASK` in the product.
pub fn weight_mask_name(rootname: &str, extver: i64, step: &str) -> String {
    format!("{rootname}_sci{extver}_{step}_mask.fits")
}

/// Write `data` as the primary array of `path` (renamed into place whole; not synced to
/// disk, it is a scratch product).
pub fn write_frame_image<T: Pixel>(path: &Path, header: &Header, data: ArrayView2<T>) -> Result<()> {
    let mut w = FitsWriter::create_scratch(path)?;
    w.primary_image(header, data)?;
    w.finish()?;
    Ok(())
}
