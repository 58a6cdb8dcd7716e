//! `driz info`: what an exposure is, its chips, WCS keys and footprints.

use driz_fits::{Exposure, Fits};
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

#[derive(Serialize)]
pub struct WcsInfo {
    pub key: String,
    pub name: Option<String>,
}

#[derive(Serialize)]
pub struct ChipInfo {
    pub extver: i64,
    pub ccdchip: Option<i64>,
    pub size: Option<[usize; 2]>,
    pub distortion: Vec<&'static str>,
    pub wcs: Vec<WcsInfo>,
    /// RA/Dec of pixel corners (1,1), (nx,1), (nx,ny), (1,ny).
    pub footprint: Option<[[f64; 2]; 4]>,
    pub wcs_error: Option<String>,
}

#[derive(Serialize)]
pub struct Info {
    pub file: String,
    pub rootname: String,
    pub instrument: String,
    pub detector: String,
    pub exptime: Option<f64>,
    pub filters: Vec<String>,
    pub drizcorr: Option<String>,
    pub chips: Vec<ChipInfo>,
}

pub fn gather(path: &Path) -> anyhow::Result<Info> {
    let mut fits = Fits::open(path)?;
    let exposure = Exposure::from_fits(&fits)?;
    let mut chips = Vec::new();
    for chip in &exposure.chips {
        let (distortion, footprint, wcs_error) = match fits.wcs(chip.sci, ' ') {
            Ok(wcs) => {
                let footprint = chip.size.filter(|s| s[0] > 1 && s[1] > 1).map(|[nx, ny]| {
                    let (nx, ny) = (nx as f64, ny as f64);
                    [(1.0, 1.0), (nx, 1.0), (nx, ny), (1.0, ny)].map(|(x, y)| {
                        let (ra, dec) = wcs.pix2world(x, y);
                        [ra, dec]
                    })
                });
                (wcs.distortion_names(), footprint, None)
            }
            Err(e) => (Vec::new(), None, Some(e.to_string())),
        };
        chips.push(ChipInfo {
            extver: chip.extver,
            ccdchip: chip.ccdchip,
            size: chip.size,
            distortion,
            wcs: chip
                .wcs_keys
                .iter()
                .map(|k| WcsInfo {
                    key: if k.key == ' ' { "primary".into() } else { k.key.to_string() },
                    name: k.name.clone(),
                })
                .collect(),
            footprint,
            wcs_error,
        });
    }
    Ok(Info {
        file: path.display().to_string(),
        rootname: exposure.rootname,
        instrument: exposure.instrument,
        detector: exposure.detector,
        exptime: exposure.exptime,
        filters: exposure.filters,
        drizcorr: exposure.drizcorr,
        chips,
    })
}

pub fn render(info: &Info) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", info.file);
    let _ = writeln!(s, "  rootname    {}", info.rootname);
    let _ = writeln!(s, "  instrument  {} / {}", info.instrument, info.detector);
    let _ = writeln!(s, "  filters     {}", if info.filters.is_empty() { "-".into() } else { info.filters.join(", ") });
    let _ = writeln!(s, "  exptime     {}", info.exptime.map_or("-".into(), |e| format!("{e} s")));
    let _ = writeln!(s, "  DRIZCORR    {}", info.drizcorr.as_deref().unwrap_or("-"));
    let _ = writeln!(s, "  chips       {}", info.chips.len());
    for c in &info.chips {
        let size = c.size.map_or("no data".into(), |[x, y]| format!("{x}x{y}"));
        let ccd = c.ccdchip.map_or(String::new(), |n| format!(" CCDCHIP {n}"));
        let dist = if c.distortion.is_empty() { "none".into() } else { c.distortion.join("+") };
        let _ = writeln!(s, "  SCI,{}{ccd}  {size}  distortion {dist}", c.extver);
        for w in &c.wcs {
            let _ = writeln!(s, "    WCS {:<8} {}", w.key, w.name.as_deref().unwrap_or("(no WCSNAME)"));
        }
        if let Some(fp) = &c.footprint {
            let corners: Vec<String> = fp.iter().map(|[ra, dec]| format!("({ra:.7}, {dec:.7})")).collect();
            let _ = writeln!(s, "    footprint {}", corners.join(" "));
        }
        if let Some(e) = &c.wcs_error {
            let _ = writeln!(s, "    WCS error: {e}");
        }
    }
    s
}
