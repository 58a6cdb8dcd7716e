//! drizzlepac `perform_align` as runastrodriz calls it (runastrodriz-spec §6.3–6.11): the
//! viable exposures, their sources, then every method × catalog attempt until a good fit,
//! the best one kept and written into the files.

use crate::apply::{ChipSolution, ImageSolution, propagate_to_flt, update_image};
use crate::config::{AposterioriConfig, Method};
use crate::error::{AlignError, Result};
use crate::exposures::ExposureData;
use crate::quality::{ChipResult, QualityLimits, Reference, determine_fit_quality, interpret_fit_rms};
use crate::quality_analysis::{ChipSources, ExposureSources, QaCatalogs, SelectedChip, SelectedFit};
use crate::refcat::reference_catalog;
use crate::viability::is_viable;
use driz_catalog::RefCatalog;
use driz_detect::{ChipImage, DetectionParams, detect_image};
use driz_tweak::{AlignOptions, ChipCatalog, ChipFit, FitStatus, align_wcs};
use std::collections::HashMap;
use std::path::PathBuf;
use tracing::{info, warn};

/// One row of the alignment table (one exposure).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRow {
    pub name: String,
    /// 0: aligned; 1: not.
    pub status: i32,
    pub fit_qual: u8,
    pub found_sources: usize,
    pub match_sources: i64,
    pub catalog_sources: i64,
    pub catalog: String,
    pub method: String,
    pub fit_rms: f64,
    pub total_rms: f64,
    pub message: String,
}

/// What `perform_align` did.
#[derive(Debug, Clone, Default)]
pub struct AlignOutcome {
    pub rows: Vec<ImageRow>,
    /// `(catalog, method)` of the solution kept.
    pub selected: Option<(String, String)>,
    /// Headerlet files written (`<root>_flt_hlet.fits`).
    pub headerlets: Vec<PathBuf>,
    /// New WCSNAME per aligned exposure.
    pub wcsnames: Vec<(PathBuf, String)>,
    /// The extracted sources and the selected fit, for the quality analysis
    /// ([`crate::quality_analysis::run_quality_analysis`]).
    pub qa: QaCatalogs,
}

impl AlignOutcome {
    /// runastrodriz's acceptance: every row has status 0.
    pub fn all_aligned(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(|r| r.status == 0)
    }

    pub fn first_match_sources(&self) -> i64 {
        self.rows.first().map_or(-1, |r| r.match_sources)
    }

    pub fn first_catalog_sources(&self) -> i64 {
        self.rows.first().map_or(0, |r| r.catalog_sources)
    }

    fn fail_all(&mut self, message: &str, fit_qual: u8) {
        for r in &mut self.rows {
            r.status = 1;
            r.message = message.to_string();
            r.fit_qual = fit_qual;
        }
    }
}

/// The result of one method × catalog attempt.
struct Attempt {
    method: Method,
    catalog: String,
    chips: Vec<ChipResult>,
    /// Corrected WCS per chip (same order as `chips`).
    wcs: Vec<Option<driz_wcs::HstWcs>>,
    quality: crate::quality::Quality,
    num_ref: usize,
    /// The reference catalog the fit was made against.
    reference: driz_tweak::RefCatalog,
}

/// Align `align_files` (FLCs, or FLTs) to the reference catalogs of `config`; with FLCs,
/// `update_files` are their FLTs, which receive the solution. `Ok(None)`: nothing could
/// be aligned (no viable exposure, too few sources).
pub fn perform_align(
    align_files: &[PathBuf],
    update_files: &[PathBuf],
    config: &AposterioriConfig,
) -> Result<Option<AlignOutcome>> {
    let started = std::time::Instant::now();
    if align_files.len() > 1 {
        crate::common_wcs::reset_to_common_wcs(align_files)?;
    }
    let mut viable = Vec::new();
    for f in align_files {
        if is_viable(f)? {
            viable.push(f.clone());
        }
    }
    if viable.is_empty() {
        warn!("NO viable images to align.");
        return Ok(None);
    }
    let images = viable.iter().map(|f| ExposureData::load(f)).collect::<Result<Vec<_>>>()?;
    let (inst, det) =
        (images[0].text("INSTRUME").to_ascii_uppercase(), images[0].text("DETECTOR").to_ascii_uppercase());
    let mut params = DetectionParams::for_detector(&inst, &det)
        .ok_or_else(|| AlignError::Fit(format!("{inst}/{det}: no source-detection parameters")))?;
    params.centering = config.centering;

    let mut outcome = AlignOutcome {
        rows: images
            .iter()
            .map(|im| ImageRow {
                name: im.name.clone(),
                status: 1,
                fit_qual: 5,
                found_sources: 0,
                match_sources: 0,
                catalog_sources: 0,
                catalog: String::new(),
                method: String::new(),
                fit_rms: -1.0,
                total_rms: -1.0,
                message: String::new(),
            })
            .collect(),
        ..AlignOutcome::default()
    };

    info!("-------------------- STEP 4: Source finding --------------------");
    let mut catalogs = Vec::new();
    let mut default_fwhm = None;
    for (i, image) in images.iter().enumerate() {
        let pixels = image.read_pixels()?;
        let views: Vec<ChipImage> = image
            .chips
            .iter()
            .zip(&pixels)
            .map(|(c, p)| ChipImage {
                sci: p.sci.view(),
                err: p.err.as_ref().map(|e| e.view()),
                dq: p.dq.as_ref().map(|d| d.view()),
                pixel_scale_arcsec: c.pscale,
            })
            .collect();
        let found = detect_image(&views, &params, default_fwhm)
            .map_err(|e| AlignError::file(&image.path, format!("source detection: {e}")))?;
        drop(views);
        drop(pixels);
        if i == 0 {
            default_fwhm = Some(found.fwhm_arcsec);
        }
        let total: usize = found.chips.iter().map(Vec::len).sum();
        info!("{}: {total} sources ({} chips)", image.name, found.chips.len());
        outcome.rows[i].found_sources = total;
        if total < config.min_observable_threshold {
            warn!("Not enough sources ({total}) found in image {}", image.name);
            outcome.fail_all("Not enough sources found", 5);
            return Ok(None);
        }
        catalogs.push(found);
    }
    outcome.qa.extracted_sources = images
        .iter()
        .zip(&catalogs)
        .map(|(image, found)| ExposureSources {
            name: image.name.clone(),
            chips: image
                .chips
                .iter()
                .zip(&found.chips)
                .map(|(chip, sources)| ChipSources {
                    extver: chip.extver,
                    x: sources.iter().map(|s| s.x).collect(),
                    y: sources.iter().map(|s| s.y).collect(),
                })
                .collect(),
        })
        .collect();

    let mut methods = vec![Method::Relative, Method::TwoDHist, Method::Default];
    if images.len() == 1 {
        methods.remove(0);
    }
    let mut references: HashMap<String, RefCatalog> = HashMap::new();
    let mut best: Option<Attempt> = None;
    let (mut best_rms, mut best_qual, mut best_matches) = (-99999.0f64, 5u8, -1i64);
    let ncat = config.catalogs.len();
    'methods: for method in methods {
        let mut last_quality = 5;
        for (ci, source) in config.catalogs.iter().enumerate() {
            let name = source.name().to_string();
            if !references.contains_key(&name) {
                let cat = match reference_catalog(&images, source, config.timeout, config.cache.as_deref()) {
                    Ok(c) => c,
                    Err(e) => {
                        warn!("reference catalog {name} unavailable: {e}");
                        RefCatalog { name: name.clone(), stars: Vec::new() }
                    }
                };
                references.insert(name.clone(), cat);
            }
            let refcat = &references[&name];
            if refcat.stars.len() < config.min_catalog_threshold {
                warn!("Not enough sources found in catalog {name}");
                if ci + 1 == ncat {
                    warn!("ERROR! No astrometric sources found in any catalog. Exiting...");
                    outcome.fail_all("No astrometric sources found", 5);
                    return Ok(Some(outcome));
                }
                continue;
            }
            info!("-------------------- Catalog {name} matched using {} --------------------", method.name());
            let attempt = match fit_attempt(&images, &catalogs, refcat, method, &inst, &det, ci + 1 < ncat, config) {
                Ok(a) => a,
                Err(e) => {
                    warn!(
                        "WARNING: Catastrophic fitting failure with catalog {name} and matching algorithm {}: {e}",
                        method.name()
                    );
                    outcome.fail_all("Fitting failure", 5);
                    last_quality = 5;
                    continue;
                }
            };
            let q = attempt.quality.category;
            last_quality = q;
            let (rms, n) = (attempt.quality.rms, attempt.quality.num_matches as i64);
            if q < 5 {
                let better_matches = n > best_matches;
                let take =
                    q == 1 || q < best_qual || (q == best_qual && best_rms >= 0.0 && better_matches && rms < best_rms);
                if take {
                    best_rms = rms;
                    best_qual = q;
                    best_matches = n;
                    best = Some(attempt);
                }
                if q == 1 {
                    break;
                }
            }
        }
        if last_quality == 1 || (matches!(best_qual, 2..=4) && method == Method::Relative) {
            break 'methods;
        }
    }

    let Some(best) = best else {
        info!("no fit of acceptable quality");
        return Ok(Some(outcome));
    };
    outcome.selected = Some((best.catalog.clone(), best.method.name().to_string()));
    outcome.qa.selected_fit = Some(SelectedFit {
        catalog: best.catalog.clone(),
        chips: best
            .chips
            .iter()
            .map(|c| SelectedChip { name: c.image.clone(), extver: c.chip, fit: c.fit.clone() })
            .collect(),
        reference: best.reference.clone(),
    });
    info!("best fit: catalog {}, method {}, RMS {best_rms} mas, quality {best_qual}", best.catalog, best.method.name());
    // The table rows of the selected fit.
    for (i, image) in images.iter().enumerate() {
        let row = &mut outcome.rows[i];
        if let Some(c) = best.chips.iter().find(|c| c.image == image.name) {
            row.catalog = best.catalog.clone();
            row.method = best.method.name().to_string();
            row.fit_rms = c.fit_rms.unwrap_or(-1.0);
            row.total_rms = c.total_rms;
            row.catalog_sources = best.num_ref as i64;
            row.match_sources = c.fit.nmatches as i64;
        }
    }
    if 0.0 < best_rms && best_rms < config.max_fit_limit {
        for (i, image) in images.iter().enumerate() {
            let verdict =
                best.quality.verdicts.iter().find(|v| v.image == image.name && v.chip == image.chips[0].extver);
            let row = &mut outcome.rows[i];
            row.status = if verdict.is_some_and(|v| v.valid) { 0 } else { 1 };
            row.message = verdict.map(|v| v.reason.clone()).unwrap_or_default();
            row.fit_qual = best.quality.category;
        }
    }
    if 0.0 < best_rms && best_rms < 9999.0 && config.update_headers {
        info!("-------------------- STEP 7: Update image headers with new WCS information --------------------");
        apply_solution(&images, &best, update_files, &mut outcome)?;
    }
    for r in &outcome.rows {
        info!(
            "{:<22} status {} quality {} matches {} / {} catalog sources, fit RMS {:.3} mas {}",
            r.name, r.status, r.fit_qual, r.match_sources, r.catalog_sources, r.fit_rms, r.message
        );
    }
    info!("TOTAL Processing time of {:.3} sec", started.elapsed().as_secs_f64());
    Ok(Some(outcome))
}

/// One attempt: match and fit with `method` against `refcat`, RMS and quality.
#[allow(clippy::too_many_arguments)]
fn fit_attempt(
    images: &[ExposureData],
    catalogs: &[driz_detect::ImageSources],
    refcat: &RefCatalog,
    method: Method,
    inst: &str,
    det: &str,
    catalogs_remaining: bool,
    config: &AposterioriConfig,
) -> Result<Attempt> {
    let reference = driz_tweak::RefCatalog {
        ra: refcat.stars.iter().map(|s| s.ra).collect(),
        dec: refcat.stars.iter().map(|s| s.dec).collect(),
    };
    let options = AlignOptions {
        match_params: method.match_params(inst, det),
        minobj: config.minobj,
        fitgeom: config.fitgeom,
        nclip: config.nclip,
        sigma: config.clip_sigma,
        expand_refcat: method == Method::Relative,
        coincident: config.coincident,
    };
    // Every attempt starts from the WCS in the files.
    let mut chips: Vec<ChipCatalog> = Vec::new();
    let mut owners: Vec<(usize, usize)> = Vec::new();
    for (i, (image, found)) in images.iter().zip(catalogs).enumerate() {
        for (k, (chip, sources)) in image.chips.iter().zip(&found.chips).enumerate() {
            chips.push(ChipCatalog {
                wcs: chip.wcs.clone(),
                naxis: chip.size,
                x: sources.iter().map(|s| s.x).collect(),
                y: sources.iter().map(|s| s.y).collect(),
                group_id: i,
                name: format!("{}[SCI,{}]", image.name, chip.extver),
            });
            owners.push((i, k));
        }
    }
    let fits: Vec<ChipFit> = if method == Method::Relative {
        let (relative, _) = align_wcs(&chips, None, &options).map_err(|e| AlignError::Fit(e.to_string()))?;
        // Consistency of the relative fits: rotations of consecutive images within 0.1°.
        let mut per_image_rot = vec![0.0; images.len()];
        let mut failed = false;
        for (fit, &(i, _)) in relative.iter().zip(&owners) {
            match (&fit.status, &fit.fit) {
                (FitStatus::Failed(_), _) => failed = true,
                (FitStatus::Success, Some(f)) => per_image_rot[i] = f.proper_rot,
                _ => {}
            }
        }
        per_image_rot.push(0.0);
        let max_step = per_image_rot.windows(2).map(|w| w[1] - w[0]).fold(f64::NEG_INFINITY, f64::max);
        if failed || max_step >= 0.1 {
            info!("relative fits inconsistent (rotation steps up to {max_step:.4}°): no absolute fit");
            relative
                .into_iter()
                .map(|mut f| {
                    f.status = FitStatus::Failed("relative fits inconsistent".into());
                    f
                })
                .collect()
        } else {
            for (chip, fit) in chips.iter_mut().zip(&relative) {
                if let Some(w) = &fit.new_wcs {
                    chip.wcs = w.clone();
                }
                chip.group_id = 1234567;
            }
            align_wcs(&chips, Some(&reference), &AlignOptions { expand_refcat: false, ..options })
                .map_err(|e| AlignError::Fit(e.to_string()))?
                .0
        }
    } else {
        align_wcs(&chips, Some(&reference), &options).map_err(|e| AlignError::Fit(e.to_string()))?.0
    };

    let mags: Vec<f64> = refcat.stars.iter().map(|s| s.mag).collect();
    let mut results: Vec<ChipResult> = Vec::new();
    let mut wcs = Vec::new();
    for (fit, (chip, &(i, k))) in fits.into_iter().zip(chips.iter().zip(&owners)) {
        let image = &images[i];
        let input_mags = catalogs[i].chips[k].iter().map(|s| s.mag).collect();
        wcs.push(fit.new_wcs.clone());
        results.push(ChipResult::new(
            &image.name,
            image.chips[k].extver,
            chip.group_id,
            input_mags,
            image.chips[k].pscale,
            fit,
        ));
    }
    interpret_fit_rms(&mut results, &Reference { ra: &reference.ra, dec: &reference.dec, mag: &mags });
    let limits = QualityLimits {
        min_fit_matches: config.min_fit_matches,
        max_fit_rms: config.max_fit_rms,
        max_fit_limit: config.max_fit_limit,
        required_matches: config.required_matches,
        num_ref_catalog: refcat.stars.len(),
    };
    let quality = determine_fit_quality(&results, catalogs_remaining, &limits);
    Ok(Attempt {
        method,
        catalog: refcat.name.clone(),
        chips: results,
        wcs,
        quality,
        num_ref: refcat.stars.len(),
        reference,
    })
}

/// Write the selected attempt into the align files and, for FLCs, their FLTs.
fn apply_solution(
    images: &[ExposureData],
    best: &Attempt,
    update_files: &[PathBuf],
    outcome: &mut AlignOutcome,
) -> Result<()> {
    let label = format!("FIT_{}_{}", best.method.label(), best.catalog);
    for image in images {
        let chips: Vec<(&ChipResult, &Option<driz_wcs::HstWcs>)> =
            best.chips.iter().zip(&best.wcs).filter(|(c, _)| c.image == image.name).collect();
        let Some((first, _)) = chips.first() else { continue };
        if matches!(first.fit.status, FitStatus::Failed(_)) {
            continue;
        }
        let solution = ImageSolution {
            chips: chips
                .iter()
                .filter_map(|(c, w)| {
                    w.as_ref().map(|w| ChipSolution { extver: c.chip, celestial: w.celestial.clone() })
                })
                .collect(),
            fit_label: label.clone(),
            catalog: best.catalog.clone(),
            method: best.method.name().to_string(),
            fitgeom: "rscale".into(),
            rms_ra: first.rms_ra.unwrap_or(-1.0),
            rms_dec: first.rms_dec.unwrap_or(-1.0),
            fit_rms: first.fit_rms.unwrap_or(-1.0),
            nmatches: first.ref_mag.len(),
            relative_reference: (best.method == crate::config::Method::Relative).then(|| images[0].rootname.clone()),
            platescale: first.pscale,
            shift: first.fit.fit.as_ref().map_or([0.0, 0.0], |f| f.shift),
            rotation: first.fit.fit.as_ref().map_or(0.0, |f| f.rot[1]),
            scale: first.fit.fit.as_ref().map_or(1.0, |f| f.mean_scale),
            skew: first.fit.fit.as_ref().map_or(0.0, |f| f.skew),
        };
        if solution.chips.is_empty() {
            continue;
        }
        let (hlet, wcsname) = update_image(&image.path, &solution)?;
        outcome.wcsnames.push((image.path.clone(), wcsname));
        if let Some(flt) =
            update_files.iter().find(|f| driz_fits::file_rootname(f) == image.rootname && **f != image.path)
        {
            propagate_to_flt(&image.path, flt, &hlet)?;
            info!("{}: received the solution of {}", flt.display(), image.name);
        }
        outcome.headerlets.push(hlet);
    }
    Ok(())
}
