//! Intermediate products (`_single_sci`, `_med`, `_blt`, `_crmask`, masks): simple FITS
//! files with the data in the primary HDU and the frame's WCS in its header.

use crate::error::Result;
use driz_fits::{FitsWriter, Pixel};
use driz_header::Header;
use driz_wcs::Frame;
use ndarray::ArrayView2;
use std::path::Path;

/// A header carrying `frame`'s WCS.
pub fn frame_header(frame: &Frame) -> Header {
    let mut h = Header::new();
    frame.wcs.write_to_header(&mut h, ' ');
    h.set_with_comment("ORIENTAT", frame.orientat(), "position angle of image y axis (deg. e of n)");
    h
}

/// Write `data` as the primary array of `path` (renamed into place whole; not synced to
/// disk, it is a scratch product).
pub fn write_frame_image<T: Pixel>(path: &Path, header: &Header, data: ArrayView2<T>) -> Result<()> {
    let mut w = FitsWriter::create_scratch(path)?;
    w.primary_image(header, data)?;
    w.finish()?;
    Ok(())
}
