//! The `Exposure` model: what the pipeline needs to know about one HST exposure file.

use crate::error::Result;
use crate::file::Fits;
use driz_wcs::{WcsKey, wcs_keys};
use std::path::{Path, PathBuf};

/// One chip: its SCI extension and the ERR/DQ extensions with the same EXTVER.
#[derive(Debug, Clone, PartialEq)]
pub struct Chip {
    pub extver: i64,
    /// HDU indices.
    pub sci: usize,
    pub err: Option<usize>,
    pub dq: Option<usize>,
    /// CCDCHIP (ACS/WFC, WFC3/UVIS), when present.
    pub ccdchip: Option<i64>,
    /// `[NAXIS1, NAXIS2]` of the SCI array (`None` for header-only stubs).
    pub size: Option<[usize; 2]>,
    /// WCS keys in the SCI header, primary first.
    pub wcs_keys: Vec<WcsKey>,
}

/// An HST exposure (`_flt`, `_flc`, `_raw`, …) as described by its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub path: PathBuf,
    /// ROOTNAME, lower-case (from the file name if the keyword is absent).
    pub rootname: String,
    pub instrument: String,
    pub detector: String,
    pub exptime: Option<f64>,
    /// FILTER (WFC3), or FILTER1/FILTER2 (ACS), in that order, blanks removed.
    pub filters: Vec<String>,
    pub drizcorr: Option<String>,
    pub chips: Vec<Chip>,
}

impl Exposure {
    pub fn open(path: impl AsRef<Path>) -> Result<Exposure> {
        let fits = Fits::open(path.as_ref())?;
        Exposure::from_fits(&fits)
    }

    pub fn from_fits(fits: &Fits) -> Result<Exposure> {
        let primary = fits.primary_header();
        let err = |e| fits.header_error(0, e);
        let text = |k: &str| -> Result<Option<String>> {
            Ok(primary.get_str(k).map_err(err)?.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
        };
        let rootname = match text("ROOTNAME")? {
            Some(r) => r.to_ascii_lowercase(),
            None => file_rootname(fits.path()),
        };
        let filters = ["FILTER", "FILTER1", "FILTER2"]
            .iter()
            .map(|k| text(k))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let mut chips = Vec::new();
        for hdu in fits.hdus().iter().filter(|h| h.extname == "SCI") {
            // Drizzled products carry CCDCHIP = '-999' as a string (drizzlepac writes it so).
            let ccdchip = match hdu.header.get("CCDCHIP") {
                Some(v) => match v.as_str() {
                    Some(text) => text.trim().parse::<i64>().ok(),
                    None => hdu.header.get_i64("CCDCHIP").map_err(|e| fits.header_error(hdu.index, e))?,
                },
                None => None,
            };
            chips.push(Chip {
                extver: hdu.extver,
                sci: hdu.index,
                err: fits.position("ERR", hdu.extver),
                dq: fits.position("DQ", hdu.extver),
                ccdchip,
                size: hdu.image_size(),
                wcs_keys: wcs_keys(&hdu.header),
            });
        }
        Ok(Exposure {
            path: fits.path().to_path_buf(),
            rootname,
            instrument: text("INSTRUME")?.unwrap_or_default(),
            detector: text("DETECTOR")?.unwrap_or_default(),
            exptime: primary.get_f64("EXPTIME").map_err(err)?,
            filters,
            drizcorr: text("DRIZCORR")?,
            chips,
        })
    }
}

/// `j8bt06nyq` from `dir/j8bt06nyq_flt.fits(.gz)`.
pub fn file_rootname(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let stem = name.split('.').next().unwrap_or("");
    stem.split('_').next().unwrap_or(stem).to_string()
}
