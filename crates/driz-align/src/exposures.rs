//! The exposures being aligned: per chip its WCS, header and pixel scale, and its pixels
//! (SCI, ERR, DQ) read only while its sources are detected, so that alignment holds one
//! exposure's pixels at a time.

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
    /// `[NAXIS1, NAXIS2]`.
    pub size: [usize; 2],
    pub wcs: HstWcs,
    pub header: Header,
    /// `HSTWCS.pscale`: IDCSCALE when the chip has one, else from the CD matrix.
    pub pscale: f64,
}

/// One chip's pixels.
pub struct ChipPixels {
    pub sci: Array2<f32>,
    pub err: Option<Array2<f32>>,
    pub dq: Option<Array2<u16>>,
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
        let sci: Vec<(usize, i64, [usize; 2])> = fits
            .hdus()
            .iter()
            .enumerate()
            .filter(|(_, h)| h.extname == "SCI")
            .filter_map(|(i, h)| h.image_size().map(|size| (i, h.extver, size)))
            .collect();
        if sci.is_empty() {
            return Err(AlignError::file(path, "no SCI extension with data"));
        }
        let mut chips = Vec::new();
        for (index, extver, size) in sci {
            let header = fits.hdu(index).header.clone();
            let wcs = fits.wcs(index, ' ')?;
            let pscale = header.get_f64("IDCSCALE").ok().flatten().unwrap_or_else(|| {
                let cd = wcs.celestial.cd;
                (cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0]).abs().sqrt() * 3600.0
            });
            chips.push(ChipData { extver, sci_index: index, size, wcs, header, pscale });
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

    /// Each chip's SCI, ERR and DQ arrays (ERR and DQ when their shape is the chip's).
    pub fn read_pixels(&self) -> Result<Vec<ChipPixels>> {
        let mut fits = Fits::open(&self.path)?;
        let mut out = Vec::with_capacity(self.chips.len());
        for chip in &self.chips {
            let same_shape = |fits: &Fits, i: usize| fits.hdu(i).image_size() == Some(chip.size);
            let sci = fits.read_image::<f32>(chip.sci_index)?;
            let err = match fits.position("ERR", chip.extver) {
                Some(i) if same_shape(&fits, i) => Some(fits.read_image::<f32>(i)?),
                _ => None,
            };
            let dq = match fits.position("DQ", chip.extver) {
                Some(i) if same_shape(&fits, i) => Some(fits.read_image::<i32>(i)?.mapv(|v| v as u16)),
                _ => None,
            };
            out.push(ChipPixels { sci, err, dq });
        }
        Ok(out)
    }

    pub fn text(&self, key: &str) -> String {
        self.primary.get_str(key).ok().flatten().unwrap_or("").trim().to_string()
    }
}
