//! The wrap-up of a run (runastrodriz-spec §4.1 step 1, §4.8, §8.4): IDCTAB reset,
//! `WCSTYPE` keywords, the per-exposure headerlet files and the manifest.

use crate::discovery::{Discovery, file_name};
use crate::error::{PipelineError, Result};
use driz_fits::{Fits, update_file};
use driz_updatewcs::headerlet::{self, ApplyOptions, CreateOptions};
use driz_updatewcs::names::{extract_rootname, wcstype};
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// Every WCS key of every SCI extension gets a `WCSNAME` (`OPUS` when missing) and the
/// `WCSTYPE` that describes it.
pub fn set_wcstypes(files: &[PathBuf]) -> Result<()> {
    for f in files {
        update_file(f, |u| {
            let sci: Vec<usize> =
                u.fits().hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
            for index in sci {
                let mut h = u.fits().hdu(index).header.clone();
                driz_updatewcs::altwcs::set_wcstypes(&mut h);
                u.set_header(index, &h)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// `<root>_flt_hlet.fits` of the primary WCS of every FLT that has none yet (HDRNAME the
/// file name itself, AUTHOR `OPUS`, DESCRIP the WCSTYPE). Returns the files written.
pub fn write_headerlets(cal_files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for f in cal_files {
        let target = headerlet::output_name(f, Some("flt"));
        if target.is_file() {
            continue;
        }
        let wcsname = {
            let fits = Fits::open(f)?;
            fits.position("SCI", 1)
                .and_then(|i| fits.hdu(i).header.get_str("WCSNAME").ok().flatten().map(|s| s.trim().to_string()))
                .unwrap_or_default()
        };
        let options = CreateOptions {
            hdrname: Some(file_name(&target)),
            author: Some("OPUS".into()),
            descrip: Some(wcstype(&wcsname)),
            ..CreateOptions::default()
        };
        match headerlet::write_headerlet(f, Some("flt"), &options) {
            Ok(path) => {
                info!("Wrote headerlet {}", path.display());
                written.push(path);
            }
            Err(e) => warn!("{}: no headerlet written: {e}", f.display()),
        }
    }
    Ok(written)
}

/// `PIPELINE_RESET_IDCTAB`: exposures whose IDCTAB differs from their RAW's get the
/// attached headerlet of the RAW's IDCTAB back as primary WCS.
pub fn reset_idctab(disc: &Discovery) -> Result<()> {
    let Some(first) = disc.cal_files.first() else { return Ok(()) };
    let raw = first.with_file_name(file_name(first).replace("_flt", "_raw").replace("_flc", "_raw"));
    let raw_idctab = idctab_of(&raw)?;
    let wanted = format!("IDC_{}", extract_rootname(&raw_idctab, "_idc"));
    for f in disc.cal_files.iter().chain(disc.flc_files.iter()) {
        if idctab_of(f)? == raw_idctab {
            continue;
        }
        let listed = headerlet::list(f)?;
        let Some(hdr) = listed.iter().find(|h| h.wcsname.trim() == wanted) else {
            return Err(PipelineError::file(
                f,
                format!("no HDRLET extension with WCSNAME {wanted} to reset the IDCTAB"),
            ));
        };
        let hlet = headerlet::read_extension(f, hdr.extver)?;
        headerlet::apply_as_primary(f, &hlet, &ApplyOptions { attach: false, archive: true, force: true })?;
        info!("{}: primary WCS reset to {wanted}", f.display());
    }
    Ok(())
}

fn idctab_of(file: &Path) -> Result<String> {
    let fits = Fits::open(file)?;
    Ok(fits.primary_header().get_str("IDCTAB").ok().flatten().unwrap_or("").trim().to_string())
}

/// `<trlroot>_manifest.txt`: products, exposures, headerlets, then the trailer.
pub fn write_manifest(
    dir: &Path,
    trlroot: &str,
    products: &[PathBuf],
    exposures: &[PathBuf],
    headerlets: &[PathBuf],
) -> Result<PathBuf> {
    let mut lines: Vec<String> = products.iter().map(|p| file_name(p).to_ascii_lowercase()).collect();
    lines.extend(exposures.iter().map(|p| file_name(p)));
    lines.extend(headerlets.iter().map(|p| file_name(p)));
    for f in exposures.iter().filter(|f| file_name(f).contains("_flt")) {
        let stem = file_name(f).trim_end_matches(".fits").to_string();
        let mut hashed: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| PipelineError::io(dir, e))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.strip_prefix(&format!("{stem}_"))
                    .and_then(|r| r.strip_suffix("_hlet.fits"))
                    .is_some_and(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()))
            })
            .collect();
        hashed.sort();
        lines.extend(hashed);
        let plain = format!("{stem}_hlet.fits");
        if dir.join(&plain).is_file() {
            lines.push(plain);
        }
    }
    lines.push(format!("{trlroot}.tra"));
    let path = dir.join(format!("{trlroot}_manifest.txt"));
    std::fs::write(&path, lines.join("\n") + "\n").map_err(|e| PipelineError::io(&path, e))?;
    Ok(path)
}
