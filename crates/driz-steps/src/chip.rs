//! The chips of the inputs: what is known from headers (pass one: WCS, size, exposure
//! time, units) and the pixels loaded only when a chip is drizzled (pass two), so that
//! memory holds one chip at a time.

use crate::StepError;
use driz_fits::{Exposure, Fits, HduSpec};
use driz_wcs::{FrameReference, HstWcs};
use ndarray::Array2;
use std::path::{Path, PathBuf};

/// Units of the input data (from BUNIT: a `/` means a rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputUnits {
    Counts,
    Cps,
}

/// AstroDrizzle's `final_wht_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    /// Exposure time of every good pixel.
    Exp,
    /// (EXPTIME / ERR)².
    Err,
    /// An inverse-variance map from the file's `IVM` extension.
    Ivm,
}

impl std::str::FromStr for WeightType {
    type Err = String;
    fn from_str(s: &str) -> Result<WeightType, String> {
        match s.to_ascii_uppercase().as_str() {
            "EXP" => Ok(WeightType::Exp),
            "ERR" => Ok(WeightType::Err),
            "IVM" => Ok(WeightType::Ivm),
            other => Err(format!("unknown weight type {other:?} (EXP, ERR, IVM)")),
        }
    }
}

/// A chip as described by its headers.
#[derive(Debug, Clone)]
pub struct ChipInfo {
    pub path: PathBuf,
    pub rootname: String,
    pub extver: i64,
    pub sci: usize,
    pub err: Option<usize>,
    pub dq: Option<usize>,
    pub size: [usize; 2],
    pub exptime: f64,
    pub units: InputUnits,
    pub bunit: String,
    pub wcs: HstWcs,
    pub reference: FrameReference,
}

impl ChipInfo {
    pub fn label(&self) -> String {
        format!("{}[SCI,{}]", self.path.display(), self.extver)
    }

    /// The chip's science array, DQ-derived good-pixel mask and weight map.
    pub fn load(&self, bits: u32, weight: WeightType) -> Result<(Array2<f32>, Array2<f32>), StepError> {
        let mut fits = Fits::open(&self.path)?;
        let data = fits.read_image::<f32>(self.sci)?;
        let mut mask = Array2::<f32>::ones(data.dim());
        if let Some(dq) = self.dq
            && fits.hdu(dq).image_size() == Some(self.size)
        {
            let dq = fits.read_image::<i32>(dq)?;
            let bad = !bits;
            mask.zip_mut_with(&dq, |m, &q| {
                if (q as u32) & bad != 0 {
                    *m = 0.0;
                }
            });
        }
        let exptime = self.exptime as f32;
        let weights = match weight {
            WeightType::Exp => mask.mapv(|m| m * exptime),
            WeightType::Err => {
                let err_index = self.err.filter(|&e| fits.hdu(e).image_size() == Some(self.size)).ok_or_else(|| {
                    StepError::Input(format!("{}: no full-size ERR array for ERR weighting", self.label()))
                })?;
                let err = fits.read_image::<f32>(err_index)?;
                let mut w = mask;
                w.zip_mut_with(&err, |m, &e| {
                    let r = exptime / e;
                    *m = if e > 0.0 && e.is_finite() { *m * r * r } else { 0.0 };
                });
                w
            }
            WeightType::Ivm => {
                let ivm = fits
                    .position("IVM", self.extver)
                    .ok_or_else(|| StepError::Input(format!("{}: no IVM extension for IVM weighting", self.label())))?;
                let ivm = fits.read_image::<f32>(ivm)?;
                if ivm.dim() != data.dim() {
                    return Err(StepError::Input(format!("{}: IVM array is not the size of SCI", self.label())));
                }
                let mut w = mask;
                w.zip_mut_with(&ivm, |m, &v| *m *= v);
                w
            }
        };
        Ok((data, weights))
    }
}

/// Every chip an input names: `file.fits[sci,2]` one chip, `file.fits` all its SCI chips.
pub fn chips_of(path: &Path, hdu: Option<&HduSpec>) -> Result<Vec<ChipInfo>, StepError> {
    let mut fits = Fits::open(path)?;
    let exposure = Exposure::from_fits(&fits)?;
    let wanted: Vec<usize> = match hdu {
        Some(spec) => vec![fits.find(spec)?],
        None => exposure.chips.iter().map(|c| c.sci).collect(),
    };
    if wanted.is_empty() {
        return Err(StepError::Input(format!("{}: no SCI extensions", path.display())));
    }
    let exptime = exposure
        .exptime
        .ok_or_else(|| StepError::Input(format!("{}: no EXPTIME in the primary header", path.display())))?;
    if exptime.is_nan() || exptime <= 0.0 {
        return Err(StepError::Input(format!("{}: EXPTIME is {exptime}, it must be > 0", path.display())));
    }
    let mut out = Vec::new();
    for sci in wanted {
        let hdu = fits.hdu(sci).clone();
        let size = hdu
            .image_size()
            .ok_or_else(|| StepError::Input(format!("{}[{}]: no image data", path.display(), hdu.label())))?;
        let bunit = hdu.header.get_str("BUNIT").ok().flatten().unwrap_or("").trim().to_string();
        let units = if bunit.contains('/') { InputUnits::Cps } else { InputUnits::Counts };
        let reference = FrameReference::from_headers(fits.primary_header(), &hdu.header)
            .map_err(|cause| StepError::Wcs { context: format!("{}[{}]", path.display(), hdu.label()), cause })?;
        let wcs = fits.wcs(sci, ' ')?;
        out.push(ChipInfo {
            path: path.to_path_buf(),
            rootname: exposure.rootname.clone(),
            extver: hdu.extver,
            sci,
            err: fits.position("ERR", hdu.extver),
            dq: fits.position("DQ", hdu.extver),
            size,
            exptime,
            units,
            bunit,
            wcs,
            reference,
        });
    }
    Ok(out)
}

/// Pixel map of a chip onto an output WCS: every input pixel through the full
/// distortion model, then the exact inverse of the output WCS (0-based both).
pub fn chip_pixel_map(chip: &ChipInfo, output: &HstWcs) -> Vec<[f64; 2]> {
    driz_wcs::pixel_map(&chip.wcs, output, chip.size[0], chip.size[1])
}
