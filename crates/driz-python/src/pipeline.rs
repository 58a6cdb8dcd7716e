//! The file-level entry points: `runastrodriz.process`, AstroDrizzle and updatewcs, each
//! run with the GIL released. Results come back as plain dicts and lists; errors carry
//! the text the command line prints after `error: `.

use crate::errors::{driz_error, with_causes};
use crate::logging::{LogProgress, refresh_level, set_trailer_debug};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::path::{Path, PathBuf};

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `runastrodriz.process(...)` with drizzlepac's arguments (see `driz.runastrodriz`).
#[pyfunction]
#[pyo3(signature = (in_file, force, newpath, num_cores, inmemory, headerlets, align_to_gaia,
    force_alignment, do_verify_guiding, debug, make_manifest))]
#[allow(clippy::too_many_arguments)] // drizzlepac's argument list, one to one
pub fn runastrodriz_process<'py>(
    py: Python<'py>,
    in_file: String,
    force: bool,
    newpath: Option<String>,
    num_cores: Option<usize>,
    inmemory: bool,
    headerlets: bool,
    align_to_gaia: bool,
    force_alignment: bool,
    do_verify_guiding: bool,
    debug: bool,
    make_manifest: bool,
) -> PyResult<Bound<'py, PyDict>> {
    if num_cores == Some(0) {
        // The command line's rule for -n.
        return Err(driz_error("option -n: number of cores must be at least 1", driz_runastrodriz::EXIT_ERROR));
    }
    let options = driz_runastrodriz::Options {
        force,
        newpath,
        num_cores,
        inmemory,
        headerlets,
        align_to_gaia,
        force_alignment,
        do_verify_guiding,
        debug,
        make_manifest,
    };
    refresh_level(py);
    set_trailer_debug(debug);
    let progress = LogProgress::default();
    let result = py.detach(|| driz_runastrodriz::process(&in_file, &options, &progress));
    set_trailer_debug(false);
    let report = result.map_err(|e| driz_error(e.to_string(), e.exit_code()))?;

    let out = PyDict::new(py);
    out.set_item("products", report.products.iter().map(|p| path_str(p)).collect::<Vec<_>>())?;
    let verifications = PyList::empty(py);
    for v in &report.verifications {
        let d = PyDict::new(py);
        d.set_item("mode", v.mode.name())?;
        d.set_item("verified", v.verified)?;
        d.set_item("quality", v.quality)?;
        d.set_item("max_overlap_difference", v.max_overlap_difference)?;
        d.set_item("similarity", v.similarity)?;
        verifications.append(d)?;
    }
    out.set_item("verifications", verifications)?;
    out.set_item("aposteriori_applied", report.aposteriori_applied)?;
    out.set_item("trailer", path_str(&report.trailer))?;
    out.set_item("skipped", report.skipped)?;
    Ok(out)
}

/// AstroDrizzle on `input` with `settings` (drizzlepac names, values as Python's
/// `str()`), products in `workdir`; `prefer_mdriztab` as the command line's default.
#[pyfunction]
pub fn astrodrizzle<'py>(
    py: Python<'py>,
    input: String,
    settings: Vec<(String, String)>,
    workdir: PathBuf,
) -> PyResult<Bound<'py, PyDict>> {
    let user = driz_astrodrizzle::UserParams { file: None, settings, prefer_mdriztab: true };
    refresh_level(py);
    let progress = LogProgress::default();
    let outcome = py
        .detach(|| driz_astrodrizzle::astrodrizzle(&input, &user, &workdir, &progress))
        .map_err(|e| driz_error(with_causes(&e), driz_runastrodriz::EXIT_ERROR))?;

    let out = PyDict::new(py);
    out.set_item("product", outcome.product.as_deref().map(path_str))?;
    out.set_item("written", outcome.written.iter().map(|p| path_str(p)).collect::<Vec<_>>())?;
    out.set_item("images", outcome.images.iter().map(|p| path_str(p)).collect::<Vec<_>>())?;
    out.set_item("skipped", outcome.skipped.clone())?;
    out.set_item("dropped", outcome.dropped.iter().map(|(f, why)| (path_str(f), why.clone())).collect::<Vec<_>>())?;
    out.set_item("sky", outcome.sky.iter().map(|(f, chip, sky)| (path_str(f), *chip, *sky)).collect::<Vec<_>>())?;
    out.set_item(
        "cosmic_rays",
        outcome.cosmic_rays.iter().map(|(f, chip, n)| (path_str(f), *chip, *n)).collect::<Vec<_>>(),
    )?;
    Ok(out)
}

/// stwcs `updatewcs` (pipeline default WCS, no astrometry database) on each file, in
/// place. Every file is tried; failures are raised together afterwards, one
/// `driz: error:` message per line as the command line prints them.
#[pyfunction]
pub fn updatewcs<'py>(py: Python<'py>, files: Vec<PathBuf>, force: bool) -> PyResult<Bound<'py, PyList>> {
    let options = driz_updatewcs::Options { force, ..driz_updatewcs::Options::default() };
    refresh_level(py);
    let results: Vec<_> = py.detach(|| files.iter().map(|f| driz_updatewcs::updatewcs(f, &options)).collect());
    let out = PyList::empty(py);
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(r) => {
                let d = PyDict::new(py);
                d.set_item("path", path_str(&r.path))?;
                d.set_item("wcsname", &r.wcsname)?;
                d.set_item("sipname", &r.sipname)?;
                d.set_item("distname", &r.distname)?;
                d.set_item("corrections", r.corrections.clone())?;
                let chips = PyList::empty(py);
                for c in &r.chips {
                    let cd = PyDict::new(py);
                    cd.set_item("extver", c.extver)?;
                    cd.set_item("chip", c.chip)?;
                    cd.set_item("idc_row", c.idc_row)?;
                    cd.set_item("crpix", c.crpix.to_vec())?;
                    cd.set_item("crval", c.crval.to_vec())?;
                    cd.set_item("cd", c.cd.iter().map(|r| r.to_vec()).collect::<Vec<_>>())?;
                    chips.append(cd)?;
                }
                d.set_item("chips", chips)?;
                out.append(d)?;
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    if !failures.is_empty() {
        return Err(driz_error(failures.join("\n"), driz_runastrodriz::EXIT_ERROR));
    }
    Ok(out)
}
