//! `runastrodriz.process`: the stages in the pipeline's order (runastrodriz-spec §4.0).

use crate::discovery::{Discovery, complete_name, discover, file_name, trailer_root};
use crate::env::PipelineEnv;
use crate::error::{PipelineError, Result};
use crate::options::Options;
use crate::params;
use crate::trailer::{MARKER, Trailer, timestamp};
use crate::verification::{AlignSummary, Mode, RunContext, Verification, verify_alignment};
use crate::{guiding, skycell, sregion, wrapup};
use driz_align::quality_analysis::QaCatalogs;
use driz_astrodrizzle::Progress;
use driz_fits::update_file;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tracing::{error, info, warn};

/// Detectors the pipeline has focus and alignment parameters for.
const SUPPORTED: [&str; 6] = ["ACS/WFC", "ACS/HRC", "ACS/SBC", "WFC3/UVIS", "WFC3/IR", "WFPC2/PC"];

/// What a run produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The final drizzled products.
    pub products: Vec<PathBuf>,
    /// Each verification that ran, in order.
    pub verifications: Vec<Verification>,
    /// Whether the a posteriori solution was kept.
    pub aposteriori_applied: bool,
    pub trailer: PathBuf,
    /// DRIZCORR was not PERFORM: nothing drizzled.
    pub skipped: bool,
}

/// Process `input` (an association, a RAW or a calibrated exposure, in the current
/// directory or given with a path) as runastrodriz does.
pub fn process(input: &str, options: &Options, progress: &dyn Progress) -> Result<Report> {
    let started = Instant::now();
    let given = Path::new(input);
    let origin = match given.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = file_name(given);
    let trlroot = trailer_root(&name);
    // Unlike drizzlepac, a name that completes to no file leaves no trailer behind.
    if complete_name(&origin, &name).is_none() {
        return Err(PipelineError::InputMissing(input.to_string()));
    }

    // newpath: work in <newpath>/<rootname> on copies, moved back at the end. The trailer
    // is written in that working directory only (upstream's second copy got overwritten).
    let dir = match &options.newpath {
        Some(newpath) => prepare_newpath(&origin, Path::new(newpath), &name)?,
        None => origin.clone(),
    };
    // Library callers get the trailer and terminal log too (a no-op when the program
    // installed its subscriber already).
    crate::trailer::install(options.debug);
    let trailer_path = dir.join(format!("{trlroot}.tra"));
    let trailer = Trailer::open(&trailer_path)?;
    let result = run_stages(&dir, &name, &trlroot, options, progress, started);
    if let Err(e) = &result {
        error!("{e}");
        error!("Cannot run astrodrizzle on {input}");
    }
    drop(trailer);
    if options.newpath.is_some() {
        move_back(&dir, &origin)?;
    }
    result.map(|mut r| {
        r.trailer = origin.join(format!("{trlroot}.tra"));
        if options.newpath.is_some() {
            r.products = r.products.iter().map(|p| origin.join(file_name(p))).collect();
        }
        r
    })
}

fn run_stages(
    dir: &Path,
    name: &str,
    trlroot: &str,
    options: &Options,
    progress: &dyn Progress,
    started: Instant,
) -> Result<Report> {
    info!("{}: driz runastrodriz {} (drizzlepac 3.11.0 pipeline)", timestamp(), env!("CARGO_PKG_VERSION"));
    let env = PipelineEnv::read(options.align_to_gaia)?;
    let input = complete_name(dir, name).ok_or_else(|| PipelineError::InputMissing(name.to_string()))?;
    let primary = driz_fits::Fits::open(&input)?.primary_header().clone();
    if primary.get_str("INSTRUME").ok().flatten().is_some_and(|s| s.trim().eq_ignore_ascii_case("WFPC2")) {
        return Err(PipelineError::file(&input, "WFPC2 data are not supported by this version of driz"));
    }
    let disc = discover(dir, &input)?;
    let mut report = Report::default();
    let mut dcorr = if options.force { Some("PERFORM".to_string()) } else { disc.drizcorr.clone() };
    if disc.cal_files.is_empty() {
        dcorr = Some("OMIT".into());
    }
    let all_files = disc.exposures();

    let prepared = (|| {
        if env.reset_idctab {
            wrapup::reset_idctab(&disc)?;
        }
        for f in &all_files {
            sregion::write_s_region(f)?;
        }
        Ok::<(), PipelineError>(())
    })();
    if let Err(e) = prepared {
        cleanup(dir, &disc, trlroot, options)?;
        return Err(e);
    }
    let perform = dcorr.as_deref() == Some("PERFORM");
    let mut aposteriori_qa = None;
    if perform {
        match drizzle_stages(dir, trlroot, &disc, &env, options, progress, &mut report) {
            Ok(qa) => aposteriori_qa = qa,
            Err(e) => {
                cleanup(dir, &disc, trlroot, options)?;
                return Err(e);
            }
        }
    } else {
        info!("astrodrizzle skipped ");
        info!("{MARKER}");
        info!("{}: astrodrizzle processing not requested for {}.", timestamp(), file_name(&disc.input));
        info!("       astrodrizzle will not be run at this time.");
        report.skipped = true;
    }
    cleanup(dir, &disc, trlroot, options)?;
    wrapup::set_wcstypes(&all_files)?;
    let headerlets = if options.headerlets { wrapup::write_headerlets(&disc.cal_files)? } else { Vec::new() };
    if options.make_manifest {
        wrapup::write_manifest(dir, trlroot, &report.products, &all_files, &headerlets)?;
    }
    let align_log = dir.join(format!("{trlroot}_align.log"));
    let _ = std::fs::remove_file(align_log);
    info!(
        "{}: Finished processing {} in {:.2} seconds ",
        timestamp(),
        file_name(&disc.input),
        started.elapsed().as_secs_f64()
    );
    info!("astrodrizzle completed");
    if perform && env.quality_testing {
        let cal_files = if disc.flc_files.is_empty() { &disc.cal_files } else { &disc.flc_files };
        driz_align::quality_analysis::run_quality_analysis(name, cal_files, aposteriori_qa.as_ref(), dir);
    }
    Ok(report)
}

/// Stages B–F: parameters, the three alignments with their verification, final products.
fn drizzle_stages(
    dir: &Path,
    trlroot: &str,
    disc: &Discovery,
    env: &PipelineEnv,
    options: &Options,
    progress: &dyn Progress,
    report: &mut Report,
) -> Result<Option<QaCatalogs>> {
    let all_files = disc.exposures();
    for f in &all_files {
        driz_updatewcs::updatewcs(f, &driz_updatewcs::Options::default())?;
    }
    for f in &all_files {
        skycell::write_skycell(f)?;
    }
    let mut aposteriori = env.compute_aposteriori;
    let mut apriori = env.apply_apriori;
    let guided;
    let disc = if options.do_verify_guiding {
        let mut kept = disc.clone();
        for flt in &disc.cal_files {
            let image = guiding::guide_image(flt);
            if !guiding::has_bad_guiding(&image)? {
                continue;
            }
            // As drizzlepac: the exposure leaves the alignment lists (not the association
            // the products are drizzled from) unless forced, and one badly guided exposure
            // makes every WCS suspect, so alignment is off unless forced.
            if !options.force {
                kept.cal_files.retain(|f| f != flt);
                kept.flc_files.retain(|f| f != &image);
            }
            if !options.force_alignment {
                aposteriori = false;
                apriori = false;
            }
        }
        guided = kept;
        &guided
    } else {
        disc
    };
    if disc.cal_files.is_empty() {
        return Err(PipelineError::NoViableData);
    }
    let mut good = params::good_images(&disc.cal_files)?;
    if good.is_empty() {
        warn!("no exposure has EXPTIME > 0 and NGOODPIX > 0: a posteriori alignment is turned off");
        good = disc.cal_files.clone();
        aposteriori = false;
    }
    let inst_mode = disc.inst_mode();
    if !SUPPORTED.contains(&inst_mode.as_str()) && (apriori || aposteriori || options.force_alignment) {
        return Err(PipelineError::file(
            &disc.input,
            format!("{inst_mode} has no alignment parameters; turn alignment off to drizzle it"),
        ));
    }
    let base = params::base_params(&good)?;
    let pars = params::intermediate(&base, options.num_cores, params::exptime_spread(&disc.cal_files)?)?;
    let ctx = RunContext {
        dir,
        trlroot,
        discovery: disc,
        good_bits: params::good_bits(&disc.instrument, &disc.detector),
        debug: options.debug,
        progress,
    };

    let mut current: Option<Verification> = None;
    if apriori || aposteriori || options.force_alignment {
        info!("Starting alignment with bad-pixel identification");
        info!("{MARKER}");
        current = verify_alignment(&ctx, &pars, true, Mode::DefaultPipeline, None)?;
        record(report, Mode::DefaultPipeline, current.as_ref());
    }
    if apriori {
        info!("Starting alignment with a priori solutions");
        info!("{MARKER}");
        let find_crs = !current.as_ref().is_some_and(|v| v.verified);
        let applied = driz_align::apriori::apply_database_solutions(&disc.cal_files, &disc.flc_files)
            .map_err(|e| PipelineError::Align(e.to_string()));
        let outcome = match applied {
            Ok(_) => verify_alignment(&ctx, &pars, find_crs, Mode::Apriori, None),
            Err(e) => Err(e),
        };
        record(report, Mode::Apriori, outcome.as_ref().ok().and_then(|o| o.as_ref()));
        match outcome {
            Ok(Some(v)) if v.verified => current = Some(v),
            other => {
                if let Err(e) = other {
                    warn!("a priori alignment failed: {e}");
                }
                info!("Restoring the pipeline-default WCS");
                driz_align::apriori::restore_pipeline_default(&all_files)
                    .map_err(|e| PipelineError::Align(e.to_string()))?;
            }
        }
    }
    // What the a posteriori stage found (sources, selected fit), for the QA files.
    let aposteriori_qa = std::cell::RefCell::new(None);
    if aposteriori {
        info!("Starting a posteriori alignment");
        info!("{MARKER}");
        let find_crs = current.as_ref().is_some_and(|v| !v.verified);
        let debug = options.debug;
        let group_match = env.group_match;
        let centering = env.centering;
        let qa_catalogs = &aposteriori_qa;
        let aligner = move |align_files: &[PathBuf], update_files: &[PathBuf]| -> Result<Option<AlignSummary>> {
            let mut config = driz_align::AposterioriConfig::from_env(debug);
            config.coincident = group_match;
            config.centering = centering;
            match driz_align::perform_align(align_files, update_files, &config) {
                Ok(Some(outcome)) if outcome.all_aligned() => {
                    let summary = AlignSummary {
                        match_sources: outcome.first_match_sources(),
                        catalog_sources: outcome.first_catalog_sources(),
                        headerlets: outcome.headerlets,
                    };
                    // drizzlepac hands the table to the QA whenever every exposure aligned,
                    // whatever the verification then decides.
                    *qa_catalogs.borrow_mut() = Some(outcome.qa);
                    Ok(Some(summary))
                }
                Ok(_) => {
                    info!("Could not align the exposures to an absolute astrometric frame");
                    Ok(None)
                }
                Err(e) => {
                    warn!("a posteriori alignment failed: {e}");
                    Ok(None)
                }
            }
        };
        let outcome = verify_alignment(&ctx, &pars, find_crs, Mode::Aposteriori, Some(&aligner))?;
        record(report, Mode::Aposteriori, outcome.as_ref());
        report.aposteriori_applied = outcome.as_ref().is_some_and(|v| v.verified);
    }

    info!("Creating final combined,corrected product based on best alignment");
    info!("{MARKER}");
    let final_params = params::final_run(options.inmemory, options.num_cores);
    for input in &disc.drizzle_inputs {
        info!("astrodrizzle started ");
        info!("{}: Processing {input} with astrodrizzle Version {}", timestamp(), driz_astrodrizzle::VERSION);
        info!("{MARKER}");
        let outcome = driz_astrodrizzle::astrodrizzle(input, &final_params, dir, progress).map_err(|e| {
            error!("Could not complete astrodrizzle processing of {input}.");
            PipelineError::from(e)
        })?;
        if let Some(product) = outcome.product {
            set_primary(&product, "DRIZPARS", &format!("{trlroot}.tra"))?;
            report.products.push(lower_case_name(&product)?);
        }
    }
    set_primary(&disc.cal_prodname, "DRIZCORR", "COMPLETE")?;
    Ok(aposteriori_qa.into_inner())
}

fn record(report: &mut Report, mode: Mode, v: Option<&Verification>) {
    report.verifications.push(v.cloned().unwrap_or_else(|| Verification::failed(mode)));
}

fn set_primary(file: &Path, key: &str, value: &str) -> Result<()> {
    update_file(file, |u| {
        let mut h = u.fits().primary_header().clone();
        h.set(key, value);
        u.set_header(0, &h)
    })?;
    Ok(())
}

/// Products are renamed to lower case.
fn lower_case_name(product: &Path) -> Result<PathBuf> {
    let lower = product.with_file_name(file_name(product).to_ascii_lowercase());
    if lower != product {
        std::fs::rename(product, &lower).map_err(|e| PipelineError::io(product, e))?;
    }
    Ok(lower)
}

/// Delete the pipeline ASN copies and (unless debug) the stage directories.
fn cleanup(dir: &Path, disc: &Discovery, trlroot: &str, options: &Options) -> Result<()> {
    for copy in &disc.asn_copies {
        let _ = std::fs::remove_file(copy);
    }
    if !options.debug {
        for sub in [
            "OrIg_files".to_string(),
            "pipeline-default".to_string(),
            format!("{trlroot}_apriori"),
            format!("{trlroot}_aposteriori"),
        ] {
            let path = dir.join(sub);
            if path.is_dir()
                && let Err(e) = std::fs::remove_dir_all(&path)
            {
                warn!("could not remove {}: {e}", path.display());
            }
        }
    }
    Ok(())
}

/// `<newpath>/<rootname>` with copies of every file of the input's rootname (and of the
/// association's members and product).
fn prepare_newpath(origin: &Path, newpath: &Path, name: &str) -> Result<PathBuf> {
    let root = name.split('_').next().unwrap_or(name).to_string();
    let work = newpath.join(&root);
    std::fs::create_dir_all(&work).map_err(|e| PipelineError::io(&work, e))?;
    let mut prefixes = vec![root.clone()];
    if name.contains("_asn") {
        let asn = origin.join(name);
        if asn.is_file() {
            for m in driz_fits::read_asn(&asn)? {
                prefixes.push(m.name.to_ascii_lowercase());
            }
        }
    }
    let entries = std::fs::read_dir(origin).map_err(|e| PipelineError::io(origin, e))?;
    for entry in entries.flatten() {
        let n = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file()
            && prefixes.iter().any(|p| n.to_ascii_lowercase().starts_with(&p.to_ascii_lowercase()))
        {
            crate::verification::copy_into(&entry.path(), &work)?;
        }
    }
    Ok(work)
}

/// Move everything of the working directory back and remove it.
fn move_back(work: &Path, origin: &Path) -> Result<()> {
    let entries = std::fs::read_dir(work).map_err(|e| PipelineError::io(work, e))?;
    for entry in entries.flatten() {
        let target = origin.join(entry.file_name());
        if entry.path().is_dir() {
            continue;
        }
        if std::fs::rename(entry.path(), &target).is_err() {
            crate::verification::copy_into(&entry.path(), origin)?;
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let _ = std::fs::remove_dir(work);
    Ok(())
}
