//! The a priori stage's WCS update (runastrodriz-spec §4.5, §7.2–7.4): solutions of the
//! astrometry database attached as headerlets, its "best" one made primary (or, with no
//! solution for the IDCTAB, the guide-star-offset WCS of [`crate::gs_offset`]), then
//! runastrodriz's post-processing (invalid a posteriori headerlets, the GSC240 name of
//! recent data); and the way back to the pipeline default when the stage fails.

use crate::error::{AlignError, Result};
use crate::gs_offset;
use driz_catalog::AstrometryDb;
use driz_fits::{Fits, update_file};
use driz_updatewcs::headerlet::{self, ApplyOptions, Headerlet};
use driz_updatewcs::names::extract_rootname;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// Observations after this date without a catalog tag in WCSNAME are GSC240-based.
const GSC240_DATE: &str = "2017-10-01";

/// `updatewcs(use_db=True)` for the calibrated files, then the FLCs, with runastrodriz's
/// post-processing. The distortion-model WCS is already in place (stage A).
pub fn apply_database_solutions(cal_files: &[PathBuf], flc_files: &[PathBuf]) -> Result<()> {
    let db = AstrometryDb::from_env().map_err(|e| AlignError::Database(e.to_string()))?;
    apply_with(&db, cal_files, flc_files)
}

/// [`apply_database_solutions`] with a given database client.
pub fn apply_with(db: &AstrometryDb, cal_files: &[PathBuf], flc_files: &[PathBuf]) -> Result<()> {
    let available = db.enabled() && db.available();
    if db.enabled() && !available {
        let message = "the astrometry database is not available; no a priori solutions";
        if db.raise_errors() {
            return Err(AlignError::Database(message.into()));
        }
        warn!("{message}");
    }
    for list in [cal_files, flc_files] {
        for f in list {
            if available && let Err(e) = database_update(db, f) {
                if db.raise_errors() {
                    return Err(e);
                }
                warn!("{}: astrometry database update failed: {e}", f.display());
            }
            remove_invalid_fit_headerlets(f)?;
            warn_far_from_target(f)?;
            name_gsc240(f)?;
        }
    }
    Ok(())
}

fn primary_text(fits: &Fits, key: &str) -> String {
    fits.primary_header().get_str(key).ok().flatten().unwrap_or("").trim().to_string()
}

fn sci1_text(fits: &Fits, key: &str) -> String {
    fits.position("SCI", 1)
        .and_then(|i| fits.hdu(i).header.get_str(key).ok().flatten().map(|s| s.trim().to_string()))
        .unwrap_or_default()
}

/// Attach the database's headerlets for this IDCTAB and apply its best one.
fn database_update(db: &AstrometryDb, file: &Path) -> Result<()> {
    let (rootname, idcroot, current) = {
        let fits = Fits::open(file)?;
        let root = primary_text(&fits, "ROOTNAME");
        let root = root.split('_').next().unwrap_or(&root).to_ascii_lowercase();
        (root, extract_rootname(&primary_text(&fits, "IDCTAB"), "_idc"), sci1_text(&fits, "WCSNAME"))
    };
    let observation = db.observation(&rootname).map_err(|e| AlignError::Database(e.to_string()))?;
    if observation.solutions.is_empty() {
        info!("{}: no a priori solutions in the astrometry database for {rootname}", file.display());
    }
    let mut attached: Vec<String> = headerlet::list(file)?.into_iter().map(|h| h.wcsname.trim().to_string()).collect();
    let mut for_this_idctab = false;
    for solution in &observation.solutions {
        let bytes =
            db.headerlet_bytes(&rootname, &solution.wcs_name).map_err(|e| AlignError::Database(e.to_string()))?;
        let mut hlet = Headerlet::from_bytes(&bytes, file)?;
        let wcsname = hlet.wcsname();
        if hlet.hdrname() == "OPUS" {
            let date = hlet.primary.get_str("DATE").ok().flatten().unwrap_or("").trim().to_string();
            let day = date.split('T').next().unwrap_or("").to_string();
            hlet.primary.set("HDRNAME", format!("OPUS{day}"));
        }
        let relevant = wcsname.contains(&idcroot) || wcsname == "OPUS";
        for_this_idctab |= wcsname.contains(&idcroot);
        if relevant && !attached.contains(&wcsname) {
            headerlet::attach(file, &hlet)?;
            info!("{}: attached a priori solution {wcsname}", file.display());
            attached.push(wcsname);
        }
    }
    if !for_this_idctab {
        info!(
            "{}: no database solution for IDCTAB {idcroot}; computing the guide-star offset solution",
            file.display()
        );
        let outcome = gs_offset::apply_guide_star_apriori(file, &gs_offset::GuideStarService::from_env())?;
        info!("{}: a priori WCS {} (shift {:?} pixels)", file.display(), outcome.wcsname, outcome.delta_pix);
        return Ok(());
    }
    let best = observation.best_wcs_name().map(str::to_string);
    if let Some(best) = best
        && best != current
        && best.contains(&idcroot)
    {
        let listed = headerlet::list(file)?;
        if let Some(h) = listed.iter().find(|h| h.wcsname.trim() == best) {
            let hlet = headerlet::read_extension(file, h.extver)?;
            headerlet::apply_as_primary(file, &hlet, &ApplyOptions { attach: false, archive: true, force: true })?;
            info!("{}: a priori solution {best} applied as primary WCS", file.display());
        }
    }
    Ok(())
}

/// `confirm_aposteriori_hdrlets`: a `-FIT` HDRLET without SIP (no `-SIP` CTYPE1 or no
/// `A_ORDER`) is invalid; reported (HDRLET removal is left to `driz headerlet`).
fn remove_invalid_fit_headerlets(file: &Path) -> Result<()> {
    for h in headerlet::list(file)? {
        if !h.wcsname.contains("-FIT") {
            continue;
        }
        let hlet = headerlet::read_extension(file, h.extver)?;
        let valid = hlet.sipwcs().next().is_some_and(|(_, sip)| {
            sip.get_str("CTYPE1").ok().flatten().is_some_and(|c| c.contains("-SIP")) && sip.contains("A_ORDER")
        });
        if !valid {
            warn!("{}: HDRLET {} is an invalid a posteriori solution (no SIP)", file.display(), h.wcsname);
        }
    }
    Ok(())
}

/// The warning when the reference pixel is more than 0.05° from the target.
fn warn_far_from_target(file: &Path) -> Result<()> {
    let fits = Fits::open(file)?;
    let p = fits.primary_header();
    let (Some(ra), Some(dec)) = (p.get_f64("RA_TARG").ok().flatten(), p.get_f64("DEC_TARG").ok().flatten()) else {
        return Ok(());
    };
    let Some(i) = fits.position("SCI", 1) else { return Ok(()) };
    let h = &fits.hdu(i).header;
    if let (Some(c1), Some(c2)) = (h.get_f64("CRVAL1").ok().flatten(), h.get_f64("CRVAL2").ok().flatten()) {
        let d = crate::quality::separation((ra, dec), (c1, c2));
        if d > 0.05 {
            warn!(
                "WARNING: WCS reference pixel is {d} degrees from target position. The astrometry database solution is suspect!"
            );
        }
    }
    Ok(())
}

/// `verify_gaia_wcsnames`: data taken after 2017-10-01 whose WCSNAME has no catalog tag
/// are GSC240-based; say so in WCSNAME.
fn name_gsc240(file: &Path) -> Result<()> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.contains("_raw") {
        return Ok(());
    }
    let date = {
        let fits = Fits::open(file)?;
        primary_text(&fits, "DATE-OBS")
    };
    if date.as_str() <= GSC240_DATE {
        return Ok(());
    }
    update_file(file, |u| {
        let sci: Vec<usize> =
            u.fits().hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
        for i in sci {
            let mut h = u.fits().hdu(i).header.clone();
            let Some(current) = h.get_str("WCSNAME").ok().flatten().map(|s| s.trim().to_string()) else { continue };
            if current.is_empty() || current.contains('-') {
                continue;
            }
            h.set("WCSNAME", format!("{current}-GSC240"));
            u.set_header(i, &h)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `restore_pipeline_default`: the distortion-model WCS again and no `HDRNAME`.
pub fn restore_pipeline_default(files: &[PathBuf]) -> Result<()> {
    for f in files {
        driz_updatewcs::updatewcs(f, &driz_updatewcs::Options::default())?;
        update_file(f, |u| {
            let sci: Vec<usize> =
                u.fits().hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
            for i in sci {
                let mut h = u.fits().hdu(i).header.clone();
                if h.remove("HDRNAME") > 0 {
                    u.set_header(i, &h)?;
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}
