//! The image objects of a run: one per input file, with the member chips and everything
//! the steps need to know about them (units, gain, read noise, exposure times, CTE
//! direction, the conversion factors, the sky), read once from the headers.

use crate::config::{Config, DetectorOverrides};
use crate::error::{AstroDrizzleError, Result};
use driz_fits::Fits;
use driz_header::Header;
use driz_kernels::Units;
use driz_steps::{ChipInfo, chips_of};
use driz_wcs::{HstWcs, linear_pixel_scale};
use std::path::{Path, PathBuf};

/// One member chip.
#[derive(Debug, Clone)]
pub struct Chip {
    pub info: ChipInfo,
    /// The SCI units as AstroDrizzle classifies them (see [`data_units`]).
    pub units: Units,
    /// e⁻/DN, the mean of the non-zero amplifier gains.
    pub gain: f64,
    /// e⁻, the mean of the non-zero amplifier read noises.
    pub readnoise: f64,
    /// MEANDARK, e⁻/s (IVM weights only).
    pub dark: Option<f64>,
    /// Direction of CTE trails along the rows: +1, −1 or 0.
    pub cte_dir: i32,
    /// Multiplies data to electrons in blot/driz_cr (EXPTIME for WFC3/IR, gain for WFPC2).
    pub conversion: f64,
    /// Multiplies data before drizzling (the gain for WFPC2, else 1).
    pub eff_gain: f64,
    /// Undistorted pixel scale, arcsec (`wcslin_pscale`).
    pub linear_scale: f64,
    /// The pixel scale blot divides by, arcsec: drizzlepac's blot uses stwcs
    /// `make_orthogonal_cd` (IDCSCALE, else √|det CD|), not `wcslin_pscale`, which for a
    /// skewed CD without IDCSCALE differs.
    pub blot_scale: f64,
    /// Pixel scale used to turn sky values into surface brightness, arcsec.
    pub sky_scale: f64,
    /// MDRIZSKY subtracted by the drizzle steps (`None`: nothing subtracted).
    pub computed_sky: Option<f64>,
    /// The sky that is already out of the data or is to be subtracted (blot, driz_cr).
    pub subtracted_sky: f64,
    /// Pixels cut from the full detector: −LTV, at least 0.
    pub ltv: [f64; 2],
}

impl Chip {
    pub fn label(&self) -> String {
        self.info.label()
    }

    pub fn extver(&self) -> i64 {
        self.info.extver
    }

    /// `[NAXIS1, NAXIS2]`.
    pub fn size(&self) -> [usize; 2] {
        self.info.size
    }

    pub fn wcs(&self) -> &HstWcs {
        &self.info.wcs
    }

    pub fn exptime(&self) -> f64 {
        self.info.exptime
    }
}

/// One input file.
#[derive(Debug, Clone)]
pub struct Image {
    pub path: PathBuf,
    pub rootname: String,
    pub instrument: String,
    pub detector: String,
    pub primary: Header,
    pub exptime: f64,
    pub expstart: f64,
    pub expend: f64,
    pub chips: Vec<Chip>,
}

impl Image {
    pub fn label(&self) -> String {
        self.path.display().to_string()
    }

    /// Read an input's headers; `group` keeps only those SCI EXTVERs.
    pub fn load(path: &Path, config: &Config) -> Result<Image> {
        let fits = Fits::open(path)?;
        let primary = fits.primary_header().clone();
        let fits = &fits;
        let herr = |index: usize| move |e| fits.header_error(index, e);
        let text = |h: &Header, k: &str| h.get_str(k).ok().flatten().unwrap_or("").trim().to_string();
        let instrument = text(&primary, "INSTRUME").to_ascii_uppercase();
        let detector = text(&primary, "DETECTOR").to_ascii_uppercase();
        let mut infos = chips_of(path, None)?;
        if let Some(group) = &config.group {
            infos.retain(|c| group.contains(&c.extver));
            if infos.is_empty() {
                return Err(AstroDrizzleError::Input(format!(
                    "{}: none of the chips {group:?} named by 'group' exist",
                    path.display()
                )));
            }
        }
        let exptime = match config.detector.exptime {
            Some(t) => t,
            None => {
                let key = config.detector.expkeyword.as_deref().unwrap_or("EXPTIME");
                primary.get_f64(key).map_err(herr(0))?.ok_or_else(|| {
                    AstroDrizzleError::Input(format!("{}: no {key} in the primary header", path.display()))
                })?
            }
        };
        let times_from = if primary.contains("EXPSTART") { &primary } else { &fits.hdu(infos[0].sci).header };
        let expstart = times_from.get_f64("EXPSTART").map_err(herr(0))?.unwrap_or(0.0);
        let expend = times_from.get_f64("EXPEND").map_err(herr(0))?.unwrap_or(0.0);
        let (gain, readnoise) = gain_and_readnoise(path, &primary, &config.detector)?;
        let mut chips = Vec::new();
        for mut info in infos {
            let sci = fits.hdu(info.sci).header.clone();
            if !config.coeffs {
                info.wcs = HstWcs::undistorted(info.wcs.celestial.clone());
            }
            info.exptime = exptime;
            let bunit = text(&sci, "BUNIT");
            let units = data_units(&bunit);
            let conversion = if instrument == "WFPC2" {
                gain
            } else if instrument == "WFC3" && detector == "IR" && bunit.contains("/S") {
                exptime
            } else {
                1.0
            };
            let eff_gain = if instrument == "WFPC2" { gain } else { 1.0 };
            let linear_scale = linear_pixel_scale(&info.wcs, &info.reference)
                .map_err(|cause| AstroDrizzleError::Wcs { context: info.label(), cause })?;
            let sky_scale = sky_pixel_scale(&info, &sci, &primary);
            let blot_scale = if config.coeffs {
                let cd = info.wcs.celestial.cd;
                info.reference
                    .idcscale
                    .unwrap_or_else(|| (cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0]).abs().sqrt() * 3600.0)
            } else {
                linear_scale
            };
            let sky = sci.get_f64("MDRIZSKY").map_err(herr(info.sci))?;
            let ltv = [
                (-sci.get_f64("LTV1").map_err(herr(info.sci))?.unwrap_or(0.0)).max(0.0),
                (-sci.get_f64("LTV2").map_err(herr(info.sci))?.unwrap_or(0.0)).max(0.0),
            ];
            let dark = sci.get_f64("MEANDARK").map_err(herr(info.sci))?;
            let cte_dir = cte_direction(&instrument, &detector, info.extver, &text(&primary, "CCDAMP"));
            chips.push(Chip {
                units,
                gain,
                readnoise,
                dark,
                cte_dir,
                conversion,
                eff_gain,
                linear_scale,
                blot_scale,
                sky_scale,
                computed_sky: sky,
                subtracted_sky: sky.unwrap_or(0.0),
                ltv,
                info,
            });
        }
        Ok(Image {
            path: path.to_path_buf(),
            rootname: chips[0].info.rootname.clone(),
            instrument,
            detector,
            primary,
            exptime,
            expstart,
            expend,
            chips,
        })
    }
}

/// `cps` when BUNIT holds a `/s` rate; a missing BUNIT or one in ergs is taken as
/// ELECTRONS/S, as drizzlepac does.
pub fn data_units(bunit: &str) -> Units {
    let lower = bunit.to_ascii_lowercase();
    if lower.is_empty() || lower.contains("ergs") || lower.contains("/s") { Units::Cps } else { Units::Counts }
}

/// The pixel scale AstroDrizzle's sky step uses for surface brightness: IDCSCALE, else
/// PAMSCALE, else the CD scale.
fn sky_pixel_scale(info: &ChipInfo, sci: &Header, primary: &Header) -> f64 {
    if let Some(s) = info.reference.idcscale {
        return s;
    }
    for h in [sci, primary] {
        for k in ["PAMSCALE", "IDCSCALE"] {
            if let Ok(Some(v)) = h.get_f64(k) {
                return v;
            }
        }
    }
    let cd = info.wcs.celestial.cd;
    (cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0]).abs().sqrt() * 3600.0
}

/// Gain and read noise: user values, keyword lists, or the instrument's amplifier
/// keywords; lists are reduced to the mean of their non-zero entries.
fn gain_and_readnoise(path: &Path, primary: &Header, o: &DetectorOverrides) -> Result<(f64, f64)> {
    let instrument = primary.get_str("INSTRUME").ok().flatten().unwrap_or("").trim().to_ascii_uppercase();
    let detector = primary.get_str("DETECTOR").ok().flatten().unwrap_or("").trim().to_ascii_uppercase();
    if instrument == "ACS" && detector == "SBC" && o.gain.is_none() && o.gnkeyword.is_none() {
        return Ok((1.0, o.rdnoise.unwrap_or(0.0)));
    }
    let from_keywords = |list: &str, what: &str| -> Result<f64> {
        let mut values = Vec::new();
        for k in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let v = primary.get_f64(k).ok().flatten().ok_or_else(|| {
                AstroDrizzleError::Input(format!(
                    "{}: {what} keyword {k} missing from the primary header",
                    path.display()
                ))
            })?;
            values.push(v);
        }
        Ok(mean_of_nonzero(&values))
    };
    let gain = match (o.gain, &o.gnkeyword) {
        (Some(g), _) => g,
        (None, Some(list)) => from_keywords(list, "gain")?,
        (None, None) if instrument == "WFPC2" => primary.get_f64("ATODGAIN").ok().flatten().unwrap_or(1.0),
        (None, None) => from_keywords("ATODGNA,ATODGNB,ATODGNC,ATODGND", "gain")?,
    };
    let readnoise = match (o.rdnoise, &o.rnkeyword) {
        (Some(r), _) => r,
        (None, Some(list)) => from_keywords(list, "read noise")?,
        (None, None) if instrument == "WFPC2" => 0.0,
        (None, None) => from_keywords("READNSEA,READNSEB,READNSEC,READNSED", "read noise")?,
    };
    Ok((gain, readnoise))
}

/// drizzlepac's `_averageFromList`: the mean of the non-zero values (0 when none).
pub fn mean_of_nonzero(values: &[f64]) -> f64 {
    let nz: Vec<f64> = values.iter().copied().filter(|v| *v != 0.0).collect();
    if nz.is_empty() { 0.0 } else { nz.iter().sum::<f64>() / nz.len() as f64 }
}

/// CTE trail direction per detector and chip (`driz_cr_ctegrow`).
fn cte_direction(instrument: &str, detector: &str, extver: i64, amp: &str) -> i32 {
    match (instrument, detector) {
        ("ACS", "WFC") | ("WFC3", "UVIS") => {
            if extver == 1 {
                -1
            } else {
                1
            }
        }
        ("ACS", "HRC") => {
            if amp.contains('A') || amp.contains('B') {
                1
            } else {
                -1
            }
        }
        ("WFPC2", _) => -1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_bunit() {
        assert_eq!(data_units("ELECTRONS"), Units::Counts);
        assert_eq!(data_units("ELECTRONS/S"), Units::Cps);
        assert_eq!(data_units("counts/s"), Units::Cps);
        assert_eq!(data_units(""), Units::Cps);
        assert_eq!(data_units("ERGS/CM2/S/A"), Units::Cps);
        assert_eq!(data_units("COUNTS"), Units::Counts);
    }

    #[test]
    fn gains_average_the_amplifiers_in_use() {
        assert_eq!(mean_of_nonzero(&[1.5, 0.0, 2.5, 0.0]), 2.0);
        assert_eq!(mean_of_nonzero(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn cte_directions() {
        assert_eq!(cte_direction("ACS", "WFC", 1, ""), -1);
        assert_eq!(cte_direction("ACS", "WFC", 2, ""), 1);
        assert_eq!(cte_direction("ACS", "HRC", 1, "C"), -1);
        assert_eq!(cte_direction("ACS", "HRC", 1, "A"), 1);
        assert_eq!(cte_direction("WFC3", "IR", 1, ""), 0);
    }
}
