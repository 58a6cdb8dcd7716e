//! Before a multi-exposure fit every exposure must start from the same kind of WCS
//! (drizzlepac `update_wcs_in_list`, runastrodriz-spec §6.1): the best WCS name that all
//! exposures carry (as an alternate or a HDRLET) becomes everyone's primary WCS.

use crate::error::{AlignError, Result};
use driz_fits::Fits;
use driz_updatewcs::headerlet::{self, ApplyOptions};
use driz_updatewcs::names::extract_rootname;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// Preference order of the common WCS (`HSC30` is not in it: such data are reset to the
/// plain distortion WCS before fitting).
const PREFERENCE: [&str; 8] = [
    "IDC_?????????-FIT_REL_GAIA*3",
    "IDC_?????????-FIT_IMG_GAIA*3",
    "IDC_?????????-FIT_REL_GAIADR2",
    "IDC_?????????-FIT_IMG_GAIADR2",
    "IDC_?????????-FIT_REL_GAIADR1",
    "IDC_?????????-FIT_IMG_GAIADR1",
    "IDC_?????????-GSC240",
    "IDC_?????????",
];

/// Every WCS name of `file`: the keys of its first SCI header and its HDRLETs.
fn wcs_names(file: &Path) -> Result<(BTreeSet<String>, String, String)> {
    let fits = Fits::open(file)?;
    let idctab = fits.primary_header().get_str("IDCTAB").ok().flatten().unwrap_or("").trim().to_string();
    let mut names = BTreeSet::new();
    let mut primary = String::new();
    if let Some(i) = fits.position("SCI", 1) {
        let h = &fits.hdu(i).header;
        for key in driz_updatewcs::altwcs::keys(h) {
            let k = if key == ' ' { String::new() } else { key.to_string() };
            if let Ok(Some(n)) = h.get_str(&format!("WCSNAME{k}")) {
                names.insert(n.trim().to_string());
                if key == ' ' {
                    primary = n.trim().to_string();
                }
            }
        }
    }
    drop(fits);
    for h in headerlet::list(file)? {
        names.insert(h.wcsname.trim().to_string());
    }
    Ok((names, primary, idctab))
}

/// Make the preferred common WCS the primary WCS of every file.
pub fn reset_to_common_wcs(files: &[PathBuf]) -> Result<()> {
    let mut common: Option<BTreeSet<String>> = None;
    let mut per_file = Vec::new();
    let mut idc_pattern = String::new();
    for f in files {
        let (names, primary, idctab) = wcs_names(f)?;
        if idc_pattern.is_empty() {
            idc_pattern = format!("IDC_{}", extract_rootname(&idctab, "_idc"));
        }
        if names.is_empty() {
            warn!("{}: no WCS names; left out of the common-WCS reset", f.display());
            continue;
        }
        common = Some(match common {
            None => names.clone(),
            Some(c) => c.intersection(&names).cloned().collect(),
        });
        per_file.push((f.clone(), primary));
    }
    let common = common.unwrap_or_default();
    if common.is_empty() {
        return Err(AlignError::Fit("no WCS name is common to all exposures".into()));
    }
    let candidates: Vec<&String> = common.iter().filter(|n| n.starts_with(&idc_pattern)).collect();
    let chosen = PREFERENCE.iter().find_map(|p| {
        let pattern = glob::Pattern::new(p).ok()?;
        candidates.iter().find(|n| pattern.matches(n)).map(|n| (*n).clone())
    });
    let Some(chosen) = chosen else {
        info!("common WCS names {common:?}: none preferred; WCS left as is");
        return Ok(());
    };
    info!("common WCS for the fit: {chosen}");
    for (f, primary) in per_file {
        if primary == chosen {
            continue;
        }
        let listed = headerlet::list(&f)?;
        if let Some(h) = listed.iter().find(|h| h.wcsname.trim() == chosen) {
            let hlet = headerlet::read_extension(&f, h.extver)?;
            headerlet::apply_as_primary(&f, &hlet, &ApplyOptions { attach: false, archive: true, force: true })?;
        } else {
            driz_fits::update_file(&f, |u| {
                let sci: Vec<usize> =
                    u.fits().hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
                for i in sci {
                    let mut h = u.fits().hdu(i).header.clone();
                    if let Some(key) = driz_updatewcs::altwcs::key_of_name(&h, &chosen) {
                        driz_updatewcs::altwcs::restore(&mut h, key)
                            .map_err(|e| driz_fits::FitsError::invalid(&f, "SCI", e.to_string()))?;
                        u.set_header(i, &h)?;
                    }
                }
                Ok(())
            })?;
        }
        info!("{}: primary WCS set to {chosen}", f.display());
    }
    Ok(())
}
