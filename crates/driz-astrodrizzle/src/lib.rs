//! The AstroDrizzle step chain (drizzlepac 3.11) on HST exposures: interpreting the input
//! (association, list, wildcard), the parameters (defaults < MDRIZTAB row < the user's),
//! then static mask, sky, separate drizzle, median, blot, driz_cr and the final drizzle
//! into `<output>_drz.fits`/`_drc.fits`, with the inputs' DQ and MDRIZSKY updated in one
//! atomic write per file at the end.
//!
//! The arithmetic lives in `driz-kernels` (drizzle, blot) and `driz-combine` (statistics,
//! median, cosmic rays); this crate orders the steps, moves the data between them (in
//! memory or through intermediate files, the median in row sections so memory does not
//! grow with the number of images) and writes the files.

mod concurrency;
mod config;
mod cosmic_rays;
mod error;
mod final_drizzle;
mod frames;
mod image;
mod input;
mod intermediate;
mod median;
mod parameters;
mod pipeline;
mod pixels;
mod product;
mod progress;
mod separate;
mod sky;
mod static_mask;

pub use config::{Config, FinalUnits, SkyMethod, Steps, WeightType};
pub use error::{AstroDrizzleError, Result};
pub use image::{Chip, Image};
pub use input::{InputSet, interpret};
pub use parameters::{UserParams, config_from_params, effective_params, output_param};
pub use pipeline::{Outcome, SingleImage, run_steps};
pub use product::VERSION;
pub use progress::{Progress, Silent};

use std::path::Path;

/// Run AstroDrizzle on `input` (an association, `@list`, comma list or wildcard,
/// relative to `workdir`) with the user's parameters; products go to `workdir`.
pub fn astrodrizzle(input: &str, user: &UserParams, workdir: &Path, progress: &dyn Progress) -> Result<Outcome> {
    astrodrizzle_with(input, user, workdir, progress, |_| {})
}

/// AstroDrizzle with a complete parameter set (no MDRIZTAB lookup, no user layers): what a
/// pipeline that merged its own parameters runs.
pub fn astrodrizzle_params(
    input: &str,
    params: &driz_params::AstroDrizzleParams,
    workdir: &Path,
    progress: &dyn Progress,
    adjust: impl FnOnce(&mut Config),
) -> Result<Outcome> {
    let inputs = interpret(input, &output_param(params)?, workdir)?;
    let mut config = config_from_params(params, workdir)?;
    adjust(&mut config);
    run_configured(&inputs, params.updatewcs, config, progress)
}

/// [`astrodrizzle`] with a last say on the run's configuration (e.g. `keep_singles`).
pub fn astrodrizzle_with(
    input: &str,
    user: &UserParams,
    workdir: &Path,
    progress: &dyn Progress,
    adjust: impl FnOnce(&mut Config),
) -> Result<Outcome> {
    let explicit = user.resolve()?;
    let inputs = interpret(input, &output_param(&explicit)?, workdir)?;
    let params = effective_params(&inputs, user)?;
    let mut config = config_from_params(&params, workdir)?;
    adjust(&mut config);
    run_configured(&inputs, params.updatewcs, config, progress)
}

fn run_configured(inputs: &InputSet, updatewcs: bool, config: Config, progress: &dyn Progress) -> Result<Outcome> {
    if updatewcs {
        // AstroDrizzle's updatewcs=True: the pipeline-default WCS first (stwcs updatewcs,
        // no astrometry database), each file updated atomically.
        for f in &inputs.files {
            driz_updatewcs::updatewcs(f, &driz_updatewcs::Options::default())
                .map_err(|e| AstroDrizzleError::Input(format!("updatewcs: {e}")))?;
        }
    }
    let threads =
        config.num_cores.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| AstroDrizzleError::parameter("num_cores", e.to_string()))?;
    pool.install(|| run_steps(inputs, config, progress))
}
