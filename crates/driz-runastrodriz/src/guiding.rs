//! runastrodriz `-v` (spec §4.1 step 5): drizzlepac's `verify_guiding` on each calibrated
//! exposure, preferring the CTE-corrected file so that CTE tails are not taken for trails.

use crate::error::{PipelineError, Result};
use driz_detect::{GUIDING_MIN_LENGTH, GuidingInput, GuidingReason, verify_guiding};
use driz_fits::{Fits, HduSpec};
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// The file the guiding check reads for a calibrated exposure: its FLC twin when present.
pub fn guide_image(flt: &Path) -> PathBuf {
    let name = flt.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    match name.strip_suffix("_flt.fits") {
        Some(root) => {
            let flc = flt.with_file_name(format!("{root}_flc.fits"));
            if flc.exists() { flc } else { flt.to_path_buf() }
        }
        None => flt.to_path_buf(),
    }
}

/// True when `file` shows guiding problems (trailed sources, or a QUALITY keyword
/// reporting a guide-star failure).
pub fn has_bad_guiding(file: &Path) -> Result<bool> {
    info!("Verifying that {} was not affected by guiding problems.", file.display());
    let mut fits = Fits::open(file)?;
    let primary = fits.primary_header().clone();
    let sci_index = fits.find(&HduSpec::Name("SCI".into(), 1))?;
    let sci_header = fits.hdu(sci_index).header.clone();
    let text = |h: &driz_header::Header, k: &str| h.get_str(k).ok().flatten().map(|s| s.trim().to_string());
    let quality = text(&primary, "QUALITY");
    let bunit = text(&sci_header, "BUNIT");
    // EXPTIME from the primary header when it has one, else from the first extension.
    let exptime_header = if primary.contains("EXPTIME") { primary.clone() } else { fits.hdu(1).header.clone() };
    let exptime = exptime_header.get_f64("EXPTIME").ok().flatten();
    let sci = fits.read_image::<f32>(sci_index)?;
    let dq_index = fits.hdus().iter().find(|h| h.extname == "DQ").map(|h| h.index);
    let dq = dq_index.map(|i| fits.read_image::<u16>(i)).transpose()?;
    let input = GuidingInput {
        quality: quality.as_deref(),
        sci: sci.view(),
        bunit: bunit.as_deref(),
        exptime,
        dq: dq.as_ref().map(|d| d.view()),
    };
    let verdict = verify_guiding(&input, GUIDING_MIN_LENGTH)
        .map_err(|e| PipelineError::file(file, format!("guiding verification: {e}")))?;
    let name = file.display();
    match verdict.reason {
        GuidingReason::HeaderQuality => warn!("Image {name}'s QUALITY keywords report GUIDING: BAD."),
        GuidingReason::TooFewSources => info!("Did NOT detect enough raw sources in {name} for guiding verification."),
        GuidingReason::OnlyCosmicRays => {
            warn!("After removal of suspected cosmic rays, there are no sources remaining in the image.")
        }
        _ => {
            if let Some(lines) = &verdict.lines {
                info!(
                    "{name}: {} linear features ({} along columns), peak of similar angles {} against a limit of {:.1}",
                    lines.num_lines, lines.num_vertical, lines.peak_count, lines.limit
                );
            }
            if verdict.bad_guiding {
                warn!("Image {name}'s GUIDING detected as: BAD.");
            } else {
                info!("Image {name}'s GUIDING detected as: GOOD.");
            }
        }
    }
    Ok(verdict.bad_guiding)
}
