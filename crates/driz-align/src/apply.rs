//! Writing an accepted fit into the exposures (drizzlepac `update_image_wcs_info`,
//! runastrodriz-spec §6.11; wcs-alignment §7.2): the new primary WCS of every chip with
//! the previous one archived, the fit keywords, the headerlet file and HDRLET extension,
//! and the same solution for the FLT twin of an FLC.

use crate::error::{AlignError, Result};
use driz_fits::{Fits, update_file};
use driz_header::{Card, Header};
use driz_updatewcs::altwcs::{self, ArchiveMode};
use driz_updatewcs::headerlet::{self, ApplyOptions, CreateOptions};
use driz_updatewcs::names::wcstype;
use driz_wcs::Celestial;
use std::path::{Path, PathBuf};
use tracing::info;

/// The accepted fit of one chip.
#[derive(Debug, Clone)]
pub struct ChipSolution {
    pub extver: i64,
    /// The corrected linear WCS (CRVAL, CD; distortion unchanged).
    pub celestial: Celestial,
}

/// The accepted fit of one exposure.
#[derive(Debug, Clone)]
pub struct ImageSolution {
    pub chips: Vec<ChipSolution>,
    /// `FIT_<REL|IMG>_<catalog>`.
    pub fit_label: String,
    pub catalog: String,
    /// `relative`, `2dhist` or `default`.
    pub method: String,
    pub fitgeom: String,
    /// mas; -1 when unknown.
    pub rms_ra: f64,
    pub rms_dec: f64,
    pub fit_rms: f64,
    pub nmatches: usize,
    /// Rootname of the reference image of a relative fit.
    pub relative_reference: Option<String>,
    /// Fit parameters for the headerlet's HISTORY.
    pub platescale: f64,
    pub shift: [f64; 2],
    pub rotation: f64,
    pub scale: f64,
    pub skew: f64,
}

/// `<part of the current WCSNAME before the first '-'>-<label>`.
pub fn fitted_wcsname(current: &str, label: &str) -> String {
    let current = current.trim();
    if current.is_empty() {
        label.to_string()
    } else {
        format!("{}-{label}", current.split('-').next().unwrap_or(current))
    }
}

fn set_after(h: &mut Header, key: &str, value: driz_header::Value, comment: &str, after: &str) {
    if h.contains(key) {
        h.set(key, value);
    } else if h.contains(after) {
        let mut rebuilt = Header::new();
        let mut placed = false;
        for card in h.cards() {
            rebuilt.append(card.clone());
            if !placed && card.keyword == after {
                rebuilt.append(Card::new(key, value.clone(), comment));
                placed = true;
            }
        }
        *h = rebuilt;
    } else {
        h.append(Card::new(key, value, comment));
    }
}

const UPWCSVER: &str = concat!("driz ", env!("CARGO_PKG_VERSION"));

/// Write `solution` into `path` (atomic), then its headerlet file `<root>_flt_hlet.fits`
/// (attached as HDRLET when its HDRNAME is new). Returns the headerlet file and the new
/// WCSNAME.
pub fn update_image(path: &Path, solution: &ImageSolution) -> Result<(PathBuf, String)> {
    let file_stem = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let file_stem = file_stem.trim_end_matches(".fits").to_string();
    let mut new_name = String::new();
    let mut hdrname = String::new();
    update_file(path, |u| {
        let mut primary = u.fits().primary_header().clone();
        primary.set_with_comment("UPWCSVER", UPWCSVER, "Version of software used to update the WCS");
        u.set_header(0, &primary)?;
        for chip in &solution.chips {
            let Some(index) = u.fits().position("SCI", chip.extver) else { continue };
            let mut h = u.fits().hdu(index).header.clone();
            let current = h.get_str("WCSNAME").ok().flatten().unwrap_or("").trim().to_string();
            let name = fitted_wcsname(&current, &solution.fit_label);
            if !current.is_empty() {
                altwcs::archive_wcs(&mut h, None, Some(&current), ArchiveMode::AUTO_RENAME | ArchiveMode::QUIET_ABORT)
                    .map_err(|e| driz_fits::FitsError::invalid(path, "SCI", e.to_string()))?;
            }
            let mut wcs = chip.celestial.clone();
            wcs.name = Some(name.clone());
            wcs.write_to_header(&mut h, ' ');
            h.set("WCSTYPE", wcstype(&name));
            h.set("ORIENTAT", wcs.orientation());
            let (rms_ra, rms_dec) = (solution.rms_ra, solution.rms_dec);
            set_after(&mut h, "RMS_RA", rms_ra.into(), "RMS in RA of WCS fit(mas)", "WCSNAME");
            set_after(&mut h, "RMS_DEC", rms_dec.into(), "RMS in Dec of WCS fit(mas)", "RMS_RA");
            let deg = |v: f64| if v < 0.0 { v } else { v / 3.6e6 };
            set_after(&mut h, "CRDER1", deg(rms_ra).into(), "Estimated random error in RA (deg)", "RMS_DEC");
            set_after(&mut h, "CRDER2", deg(rms_dec).into(), "Estimated random error in Dec (deg)", "CRDER1");
            set_after(&mut h, "NMATCHES", (solution.nmatches as i64).into(), "Number of matched sources", "CRDER2");
            set_after(&mut h, "FITGEOM", solution.fitgeom.as_str().into(), "Fit geometry", "NMATCHES");
            let defaults: [(&str, driz_header::Value); 5] = [
                ("RELGEOM", "N/A".into()),
                ("RELMATCH", 0i64.into()),
                ("RELRMS_D", 0.0.into()),
                ("RELRMS_R", 0.0.into()),
                ("RELREFIM", "N/A".into()),
            ];
            let mut after = "FITGEOM".to_string();
            for (k, v) in defaults {
                if !h.contains(k) {
                    set_after(&mut h, k, v, "relative alignment", &after);
                }
                after = k.to_string();
            }
            if let Some(reference) = &solution.relative_reference {
                h.set("RELGEOM", solution.fitgeom.as_str());
                h.set("RELMATCH", solution.nmatches as i64);
                h.set("RELRMS_D", rms_dec);
                h.set("RELRMS_R", rms_ra);
                h.set("RELREFIM", reference.as_str());
            }
            hdrname = format!("{file_stem}_{name}-hlet.fits");
            h.set_with_comment("HDRNAME", hdrname.as_str(), "Name of headerlet");
            new_name = name;
            u.set_header(index, &h)?;
        }
        Ok(())
    })?;
    let headerlet = write_fit_headerlet(path, solution, &new_name, &hdrname)?;
    Ok((headerlet, new_name))
}

/// The headerlet of the new primary WCS with the fit's keywords and HISTORY, written to
/// `<root>_flt_hlet.fits` and attached when new.
fn write_fit_headerlet(path: &Path, solution: &ImageSolution, wcsname: &str, hdrname: &str) -> Result<PathBuf> {
    let options = CreateOptions {
        hdrname: Some(hdrname.to_string()),
        wcsname: Some(wcsname.to_string()),
        author: Some("driz".into()),
        descrip: Some(wcstype(wcsname)),
        nmatch: Some(solution.nmatches as i64),
        catalog: Some(solution.catalog.clone()),
        ..CreateOptions::default()
    };
    let mut hlet = headerlet::create(path, &options)?;
    let p = &mut hlet.primary;
    p.set_with_comment("RMS_RA", solution.rms_ra, "RMS in RA of WCS fit(mas)");
    p.set_with_comment("RMS_DEC", solution.rms_dec, "RMS in Dec of WCS fit(mas)");
    p.set_with_comment("FITMETH", solution.method.as_str(), "Fitting method used");
    p.set_with_comment("FIT_RMS", solution.fit_rms, "RMS of fit (mas)");
    for line in [
        "~~~~~ FIT PARAMETERS ~~~~~".to_string(),
        format!("platescale : {}", solution.platescale),
        format!("x_shift : {}", solution.shift[0]),
        format!("y_shift : {}", solution.shift[1]),
        format!("rotation : {}", solution.rotation),
        format!("scale : {}", solution.scale),
        format!("skew : {}", solution.skew),
    ] {
        p.add_history(&line);
    }
    let out = headerlet::output_name(path, Some("flt"));
    hlet.write(&out)?;
    let attached = headerlet::list(path)?.iter().any(|h| h.hdrname.trim() == hdrname);
    if !attached {
        headerlet::attach(path, &hlet)?;
    }
    info!("{}: WCSNAME {wcsname}, headerlet {}", path.display(), out.display());
    Ok(out)
}

/// Give the FLT the solution of its FLC: the fit keywords and version, then the FLC's
/// headerlet file applied as primary (attached, previous WCS archived), and WCSTYPE.
pub fn propagate_to_flt(flc: &Path, flt: &Path, headerlet_file: &Path) -> Result<()> {
    let source = Fits::open(flc)?;
    let keys = ["RMS_RA", "RMS_DEC", "CRDER1", "CRDER2", "NMATCHES", "FITGEOM", "HDRNAME"];
    let hlet = headerlet::Headerlet::from_file(headerlet_file)?;
    headerlet::apply_as_primary(flt, &hlet, &ApplyOptions { attach: true, archive: true, force: true })?;
    update_file(flt, |u| {
        let mut primary = u.fits().primary_header().clone();
        primary.set_with_comment("UPWCSVER", UPWCSVER, "Version of software used to update the WCS");
        u.set_header(0, &primary)?;
        let sci: Vec<(usize, i64)> = u
            .fits()
            .hdus()
            .iter()
            .enumerate()
            .filter(|(_, h)| h.extname == "SCI")
            .map(|(i, h)| (i, h.extver))
            .collect();
        for (index, extver) in sci {
            let Some(from) = source.position("SCI", extver).map(|i| &source.hdu(i).header) else { continue };
            let mut h = u.fits().hdu(index).header.clone();
            let mut after = "WCSNAME".to_string();
            for k in keys {
                let value = from.get(k).cloned().unwrap_or_else(|| match k {
                    "NMATCHES" => 0i64.into(),
                    "FITGEOM" => "N/A".into(),
                    "HDRNAME" => "".into(),
                    _ => (-1.0).into(),
                });
                set_after(&mut h, k, value, "", &after);
                after = k.to_string();
            }
            if let Some(t) = from.get("WCSTYPE").cloned() {
                h.set("WCSTYPE", t);
            }
            u.set_header(index, &h)?;
        }
        Ok(())
    })
    .map_err(|e| AlignError::file(flt, e.to_string()))?;
    Ok(())
}
