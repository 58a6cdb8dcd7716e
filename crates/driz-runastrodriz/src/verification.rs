//! `verify_alignment` and `run_driz` (runastrodriz-spec §4.3, §5): drizzle the data with
//! the current WCS, measure how well the exposures line up, and decide.

use crate::discovery::{Discovery, file_name};
use crate::error::{PipelineError, Result};
use crate::params;
use crate::trailer::{MARKER, timestamp};
use driz_astrodrizzle::{Outcome, Progress, SingleImage};
use driz_fits::{Fits, update_file};
use driz_params::AstroDrizzleParams;
use driz_verify::{FocusValues, OverlapDiff};
use driz_wcs::Frame;
use ndarray::Array2;
use std::path::{Path, PathBuf};
use tracing::{error, info, warn};

/// Which alignment is being verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DefaultPipeline,
    Apriori,
    Aposteriori,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::DefaultPipeline => "default-pipeline",
            Mode::Apriori => "apriori",
            Mode::Aposteriori => "aposteriori",
        }
    }
}

/// What the a posteriori fit reports to the verification (first row of its table).
#[derive(Debug, Clone, Default)]
pub struct AlignSummary {
    pub match_sources: i64,
    pub catalog_sources: i64,
    /// Headerlet files written next to the aligned exposures (copied back on success).
    pub headerlets: Vec<PathBuf>,
}

/// The fixed parts of a run.
pub struct RunContext<'a> {
    /// The directory the pipeline runs in (where the inputs are).
    pub dir: &'a Path,
    pub trlroot: &'a str,
    pub discovery: &'a Discovery,
    pub good_bits: u32,
    pub debug: bool,
    pub progress: &'a dyn Progress,
}

/// The verification of one mode.
#[derive(Debug, Clone)]
pub struct Verification {
    pub mode: Mode,
    pub verified: bool,
    /// 0 success, 3 failed, +3 for a dissimilar product: logged, never consulted (§5.5).
    pub quality: u32,
    pub max_overlap_difference: Option<f64>,
    /// Similarity to the default-pipeline product (a priori and a posteriori modes).
    pub similarity: Option<f64>,
}

impl Verification {
    /// What a stage that could not be verified (nothing drizzled, alignment failed) records.
    pub fn failed(mode: Mode) -> Verification {
        Verification { mode, verified: false, quality: 3, max_overlap_difference: None, similarity: None }
    }
}

/// What one `run_driz` made.
struct DrizRun {
    products: Vec<PathBuf>,
    /// Per product: focus values and overlap differences (with verification).
    metrics: Vec<Option<(FocusValues, OverlapDiff)>>,
}

/// The aligner of the a posteriori mode: given the align files (in the stage directory)
/// and the FLTs that receive their solution, fit and update them; `None` means the
/// alignment failed.
pub type Aligner<'a> = dyn Fn(&[PathBuf], &[PathBuf]) -> Result<Option<AlignSummary>> + 'a;

/// runastrodriz `verify_alignment`. `None` when nothing could be drizzled or the
/// alignment (a posteriori) failed.
pub fn verify_alignment(
    ctx: &RunContext,
    pars: &AstroDrizzleParams,
    find_crs: bool,
    mode: Mode,
    aligner: Option<&Aligner>,
) -> Result<Option<Verification>> {
    let disc = ctx.discovery;
    for input in &disc.drizzle_inputs {
        let inputs = driz_astrodrizzle::interpret(input, "", ctx.dir)?;
        if inputs.files.is_empty() {
            warn!("{input}: no usable members; nothing to verify");
            return Ok(None);
        }
    }
    let pars = if find_crs { pars.clone() } else { params::no_cr(pars, ctx.good_bits)? };

    let workdir = match mode {
        Mode::DefaultPipeline => ctx.dir.to_path_buf(),
        _ => {
            let tmp = ctx.dir.join(format!("{}_{}", ctx.trlroot, mode.name()));
            std::fs::create_dir_all(&tmp).map_err(|e| PipelineError::io(&tmp, e))?;
            let copies = disc
                .drizzle_inputs
                .iter()
                .map(|n| ctx.dir.join(n))
                .chain(disc.cal_files.iter().cloned())
                .chain(disc.flc_files.iter().cloned());
            for f in copies {
                copy_into(&f, &tmp)?;
            }
            tmp
        }
    };
    let in_workdir = |files: &[PathBuf]| -> Vec<PathBuf> { files.iter().map(|f| workdir.join(file_name(f))).collect() };
    let cal = in_workdir(&disc.cal_files);
    let flc = in_workdir(&disc.flc_files);
    let align_files = if flc.first().is_some_and(|f| f.is_file()) { flc.clone() } else { cal.clone() };

    if find_crs {
        for f in &align_files {
            reset_cr_bits(f)?;
        }
    }
    let mut align = None;
    if mode == Mode::Aposteriori {
        let Some(aligner) = aligner else { return Ok(None) };
        match aligner(&align_files, if flc.is_empty() { &[] } else { &cal })? {
            Some(summary) => align = Some(summary),
            None => return Ok(None),
        }
    }
    if find_crs {
        run_driz(ctx, &workdir, &pars, false)?;
    }
    info!("Verification of {} alignment started ", mode.name());
    info!("{MARKER}");
    let run = run_driz(ctx, &workdir, &pars, true)?;

    // §5.5: the focus values of the DRC when it is the last product, else of the first.
    let metrics = if run.products.last().is_some_and(|p| file_name(p).contains("drc")) {
        run.metrics.last()
    } else {
        run.metrics.first()
    };
    let (verified, mut quality, max_overlap_difference) = match metrics.cloned().flatten() {
        None => (true, 0, None),
        Some((focus, overlap)) => {
            let overlap = run.metrics.last().cloned().flatten().map(|m| m.1).unwrap_or(overlap);
            let overlap_ok = overlap.max_distance <= 1.0;
            let focus_ok = driz_verify::evaluate_focus(&focus, 0.8);
            let (n_match, frac) = match &align {
                Some(a) if a.catalog_sources > 0 => {
                    (a.match_sources, a.match_sources as f64 / a.catalog_sources as f64)
                }
                Some(a) => (a.match_sources, 0.0),
                None => (-1, 1.0),
            };
            let d = driz_verify::decide(overlap_ok, focus_ok, n_match, frac, None, false);
            info!("Maximum overlap difference: {:.4}", overlap.max_distance);
            (d.verified, d.quality, Some(overlap.max_distance))
        }
    };
    let mut similarity = None;
    if mode != Mode::DefaultPipeline
        && let Some(product) = pick_product(&run.products)
    {
        let parent = ctx.dir.join(file_name(&product));
        if parent.is_file() {
            let s = driz_verify::similarity_index(read_sci(&product)?.view(), read_sci(&parent)?.view());
            info!("Similarity index of {} to the default-pipeline product: {s:.4}", file_name(&product));
            if s > 1.0 {
                // Logged only: upstream disabled the line that would reject the solution.
                quality += 3;
            }
            similarity = Some(s);
        }
    }
    info!(
        "Verification of alignment completed: {} alignment {} (quality {quality})",
        mode.name(),
        if verified { "verified" } else { "FAILED" }
    );
    info!("{MARKER}");

    if mode != Mode::DefaultPipeline && verified {
        let back = cal.iter().chain(flc.iter()).cloned().chain(align.iter().flat_map(|a| a.headerlets.iter().cloned()));
        for f in back {
            if f.is_file() {
                copy_into(&f, ctx.dir)?;
            }
        }
    }
    Ok(Some(Verification { mode, verified, quality, max_overlap_difference, similarity }))
}

/// The SCI of the DRC when there is one, else of the first product.
fn pick_product(products: &[PathBuf]) -> Option<PathBuf> {
    products.iter().find(|p| file_name(p).contains("_drc")).or(products.first()).cloned()
}

/// runastrodriz `run_driz`: astrodrizzle on every drizzle input, in `workdir`.
fn run_driz(ctx: &RunContext, workdir: &Path, pars: &AstroDrizzleParams, mut verify: bool) -> Result<DrizRun> {
    let mut run = DrizRun { products: Vec::new(), metrics: Vec::new() };
    let (inst, det) = (ctx.discovery.instrument.as_str(), ctx.discovery.detector.as_str());
    let inputs = &ctx.discovery.drizzle_inputs;
    // The decision reads the focus values of the DRC (the last product) when there is one,
    // else of the first product, and the overlap differences of the last product: the
    // other products are not measured (upstream measures and ignores them).
    let last_is_drc = inputs.last().is_some_and(|n| n.to_ascii_lowercase().contains("flc"));
    let measured = |i: usize| i + 1 == inputs.len() || (i == 0 && !last_is_drc);
    for (i, input) in inputs.iter().enumerate() {
        let measure_this = verify && measured(i);
        let outcome = astrodrizzle_logged(ctx, workdir, input, pars, measure_this)?;
        let Some(product) = outcome.product.clone() else {
            continue;
        };
        set_drizpars(&product, &format!("{}.tra", ctx.trlroot))?;
        if outcome.images.len() <= 1 {
            verify = false;
        }
        let metrics = if verify && measure_this {
            let outcome = if outcome.singles.is_empty() {
                info!("{}: no single-exposure images; drizzling again without CR rejection", input);
                astrodrizzle_logged(ctx, workdir, input, &params::no_cr(pars, ctx.good_bits)?, true)?
            } else {
                outcome
            };
            Some(measure(&outcome, &product, inst, det)?)
        } else {
            None
        };
        run.products.push(product);
        run.metrics.push(metrics);
    }
    if !ctx.debug {
        remove_mask_files(workdir)?;
    }
    Ok(run)
}

fn astrodrizzle_logged(
    ctx: &RunContext,
    workdir: &Path,
    input: &str,
    pars: &AstroDrizzleParams,
    keep_singles: bool,
) -> Result<Outcome> {
    info!("astrodrizzle started ");
    info!("{}: Processing {input} with astrodrizzle Version {}", timestamp(), driz_astrodrizzle::VERSION);
    info!("{MARKER}");
    driz_astrodrizzle::astrodrizzle_params(input, pars, workdir, ctx.progress, |c| c.keep_singles = keep_singles)
        .map_err(|e| {
            error!("Could not complete astrodrizzle processing of {input}.");
            PipelineError::from(e)
        })
}

/// Focus values and overlap differences of one product (§5.1, §5.3).
fn measure(outcome: &Outcome, product: &Path, inst: &str, det: &str) -> Result<(FocusValues, OverlapDiff)> {
    let sci = read_sci(product)?;
    let singles: Vec<&SingleImage> = outcome.singles.iter().collect();
    let views: Vec<_> = singles.iter().map(|s| s.sci.view()).collect();
    let sigma = driz_verify::focus_sigma(inst, det).unwrap_or(1.5);
    let focus = driz_verify::build_focus(&views, sci.view(), sigma)
        .map_err(|e| PipelineError::file(product, format!("focus index: {e}")))?;
    let (Some(single_frame), Some(product_frame)) = (outcome.separate_frame.as_ref(), outcome.final_frame.as_ref())
    else {
        return Err(PipelineError::file(product, "no output frames recorded"));
    };
    // SkyFootprint of a `_single_sci` image: its own edge pixels mapped onto the product.
    let footprint = frame_edges_on(single_frame, product_frame);
    let footprints: Vec<Vec<[f64; 2]>> = singles.iter().map(|_| footprint.clone()).collect();
    let (ny, nx) = sci.dim();
    let overlap = driz_verify::overlap_count(&footprints, (ny, nx));
    let pairs: Vec<_> = singles.iter().map(|s| (s.sci.view(), s.exptime)).collect();
    let diff = driz_verify::max_overlap_diff(sci.view(), &pairs, overlap.view())
        .map_err(|e| PipelineError::file(product, format!("overlap difference: {e}")))?;
    Ok((focus, diff))
}

/// The edge pixels of `from` (0-based) on the grid of `to` (0-based).
fn frame_edges_on(from: &Frame, to: &Frame) -> Vec<[f64; 2]> {
    driz_verify::edge_pixels(from.size[0], from.size[1])
        .into_iter()
        .filter_map(|[x, y]| {
            let (ra, dec) = from.wcs.foc2world(x + 1.0, y + 1.0);
            to.wcs.world2foc(ra, dec).map(|(u, v)| [u - 1.0, v - 1.0])
        })
        .collect()
}

fn read_sci(product: &Path) -> Result<Array2<f32>> {
    let mut fits = Fits::open(product)?;
    let index = fits.position("SCI", 1).unwrap_or(0);
    Ok(fits.read_image::<f32>(index)?)
}

/// `DRIZPARS = <trailer>` in the product's primary header.
fn set_drizpars(product: &Path, trailer: &str) -> Result<()> {
    update_file(product, |u| {
        let mut h = u.fits().primary_header().clone();
        h.set_with_comment("DRIZPARS", trailer, "Drizzle parameters trailer");
        u.set_header(0, &h)
    })?;
    Ok(())
}

/// `DQ &= ~(4096|8192)` in every DQ extension of `file`, one atomic update.
fn reset_cr_bits(file: &Path) -> Result<()> {
    update_file(file, |u| {
        let dq: Vec<usize> =
            u.fits().hdus().iter().enumerate().filter(|(_, h)| h.extname == "DQ").map(|(i, _)| i).collect();
        for index in dq {
            if u.fits().hdu(index).image_size().is_none() {
                continue;
            }
            let mut data = u.fits().read_image::<i32>(index)?;
            data.mapv_inplace(|v| v & !12288);
            u.write_image(index, data.view())?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Every `*mask*.fits` in `dir` (astrodrizzle's static and CR masks), as upstream removes
/// them after each run.
fn remove_mask_files(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| PipelineError::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.contains("mask") && name.ends_with(".fits") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Copy `file` into `dir` (same name), replacing atomically.
pub fn copy_into(file: &Path, dir: &Path) -> Result<()> {
    let target = dir.join(file_name(file));
    if target == file {
        return Ok(());
    }
    let tmp = dir.join(format!(".{}.part", file_name(file)));
    std::fs::copy(file, &tmp).map_err(|e| PipelineError::io(file, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| PipelineError::io(&target, e))?;
    Ok(())
}
