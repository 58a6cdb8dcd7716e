//! The exposures being aligned: per chip its pixels, DQ, WCS and pixel scale.

use crate::error::{AlignError, Result};
use driz_fits::Fits;
use driz_header::Header;
use driz_wcs::HstWcs;
use ndarray::Array2;
use std::path::{Path, PathBuf};

/// One chip.
pub struct ChipData {
    pub extver: i64,
    /// HDU index of the SCI extension.
    pub sci_index: usize,
    pub sci: Array2<f32>,
    pub err: Option<Array2<f32>>,
    pub dq: Option<Array2<u16>>,
    pub wcs: HstWcs,
    pub header: Header,
    /// `HSTWCS.pscale`: IDCSCALE when the chip has one, else from the CD matrix.
    pub pscale: f64,
}

/// One exposure.
pub struct ExposureData {
    pub path: PathBuf,
    /// File name without `.fits` (drizzlepac's `imageName` is the file name).
    pub name: String,
    pub rootname: String,
    pub primary: Header,
    pub chips: Vec<ChipData>,
}

impl ExposureData {
    pub fn load(path: &Path) -> Result<ExposureData> {
        let mut fits = Fits::open(path)?;
        let primary = fits.primary_header().clone();
        let sci: Vec<(usize, i64)> = fits
            .hdus()
            .iter()
            .enumerate()
            .filter(|(_, h)| h.extname == "SCI" && h.image_size().is_some())
            .map(|(i, h)| (i, h.extver))
            .collect();
        if sci.is_empty() {
            return Err(AlignError::file(path, "no SCI extension with data"));
        }
        let mut chips = Vec::new();
        for (index, extver) in sci {
            let header = fits.hdu(index).header.clone();
            let wcs = fits.wcs(index, ' ')?;
            let sci = fits.read_image::<f32>(index)?;
            let err = match fits.position("ERR", extver) {
                Some(i) if fits.hdu(i).image_size() == fits.hdu(index).image_size() => Some(fits.read_image::<f32>(i)?),
                _ => None,
            };
            let dq = match fits.position("DQ", extver) {
                Some(i) if fits.hdu(i).image_size() == fits.hdu(index).image_size() => {
                    Some(fits.read_image::<i32>(i)?.mapv(|v| v as u16))
                }
                _ => None,
            };
            let pscale = header.get_f64("IDCSCALE").ok().flatten().unwrap_or_else(|| {
                let cd = wcs.celestial.cd;
                (cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0]).abs().sqrt() * 3600.0
            });
            chips.push(ChipData { extver, sci_index: index, sci, err, dq, wcs, header, pscale });
        }
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(ExposureData {
            path: path.to_path_buf(),
            name: file.clone(),
            rootname: driz_fits::file_rootname(path),
            primary,
            chips,
        })
    }

    pub fn text(&self, key: &str) -> String {
        self.primary.get_str(key).ok().flatten().unwrap_or("").trim().to_string()
    }
}
