//! The astrodrizzle parameter sets of the pipeline (runastrodriz-spec §4.2): the MDRIZTAB
//! base set for the good images, the overrides of the verification runs, the "no-CR"
//! variant and the final run's parameters.

use crate::error::{PipelineError, Result};
use driz_astrodrizzle::UserParams;
use driz_fits::Fits;
use driz_params::{AstroDrizzleParams, filter_string, read_mdriztab, select_row};
use std::path::PathBuf;
use tracing::info;

/// DQ bits accepted in the no-CR separate drizzle, per detector (`good_bits`).
pub fn good_bits(instrument: &str, detector: &str) -> u32 {
    match (instrument, detector) {
        ("WFC3", "IR") => 512,
        ("ACS", "SBC") => 0,
        _ => 1360,
    }
}

/// Calibrated files with `EXPTIME > 0` and `NGOODPIX > 0` in `(SCI,1)`.
pub fn good_images(cal_files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut good = Vec::new();
    for f in cal_files {
        let fits = Fits::open(f)?;
        let exptime = fits.primary_header().get_f64("EXPTIME").ok().flatten().unwrap_or(0.0);
        let ngoodpix =
            fits.position("SCI", 1).and_then(|i| fits.hdu(i).header.get_f64("NGOODPIX").ok().flatten()).unwrap_or(1.0);
        if exptime > 0.0 && ngoodpix > 0.0 {
            good.push(f.clone());
        }
    }
    Ok(good)
}

/// The MDRIZTAB row of the first good image, for the number of good images, over the
/// astrodrizzle defaults.
pub fn base_params(good: &[PathBuf]) -> Result<AstroDrizzleParams> {
    let mut params = AstroDrizzleParams::default();
    let Some(first) = good.first() else { return Ok(params) };
    let fits = Fits::open(first)?;
    let primary = fits.primary_header();
    let name = primary.get_str("MDRIZTAB").ok().flatten().unwrap_or("").trim().to_string();
    if name.is_empty() || name.eq_ignore_ascii_case("N/A") {
        info!("{}: no MDRIZTAB named; using the astrodrizzle defaults", first.display());
        return Ok(params);
    }
    let path = driz_updatewcs::refs::resolve(&name, first, "MDRIZTAB")?;
    let rows = read_mdriztab(&path)?;
    let instrument = primary.get_str("INSTRUME").ok().flatten().unwrap_or("").trim().to_string();
    let filter = filter_string(&instrument, primary);
    let index =
        select_row(&rows, &filter, good.len()).ok_or_else(|| PipelineError::file(&path, "the MDRIZTAB has no rows"))?;
    info!("MDRIZTAB {}: row {} for filter '{filter}' and {} images", path.display(), index + 1, good.len());
    params.apply_mdriztab_row(&rows[index])?;
    Ok(params)
}

/// `max(EXPTIME)/min(EXPTIME) > 2` over the calibrated files: the verification runs then
/// combine with a plain median.
pub fn exptime_spread(cal_files: &[PathBuf]) -> Result<bool> {
    let mut times = Vec::new();
    for f in cal_files {
        times.push(Fits::open(f)?.primary_header().get_f64("EXPTIME").ok().flatten().unwrap_or(0.0));
    }
    let max = times.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let min = times.iter().cloned().fold(f64::INFINITY, f64::min);
    // A zero minimum gives an infinite ratio upstream: also a spread.
    Ok(!times.is_empty() && (min <= 0.0 || max / min > 2.0))
}

fn set(p: &mut AstroDrizzleParams, pairs: &[(&str, &str)]) -> Result<()> {
    for (name, value) in pairs {
        p.set(name, value)?;
    }
    Ok(())
}

/// The parameters of every verification run: the base set with the pipeline overrides.
pub fn intermediate(
    base: &AstroDrizzleParams,
    num_cores: Option<usize>,
    median_only: bool,
) -> Result<AstroDrizzleParams> {
    let mut p = base.clone();
    set(
        &mut p,
        &[
            ("in_memory", "True"),
            ("stepsize", "10"),
            ("output", ""),
            ("preserve", "False"),
            ("clean", "False"),
            ("mdriztab", "False"),
            ("final_fillval", "INDEF"),
            ("driz_sep_kernel", "turbo"),
            ("driz_sep_fillval", "0.0"),
            ("resetbits", "0"),
        ],
    )?;
    p.num_cores = num_cores.map(|n| n as i64);
    if median_only {
        set(&mut p, &[("combine_type", "median"), ("combine_nhigh", "0")])?;
    }
    Ok(p)
}

/// `reset_mdriztab_nocr`: separate drizzle only, no cosmic-ray rejection.
pub fn no_cr(p: &AstroDrizzleParams, good_bits: u32) -> Result<AstroDrizzleParams> {
    let mut p = p.clone();
    let bits = good_bits.to_string();
    set(
        &mut p,
        &[
            ("mdriztab", "False"),
            ("build", "True"),
            ("resetbits", "0"),
            ("static", "False"),
            ("driz_separate", "True"),
            ("driz_sep_bits", &bits),
            ("driz_sep_fillval", "0.0"),
            ("median", "False"),
            ("blot", "False"),
            ("driz_cr", "False"),
            ("final_fillval", "INDEF"),
        ],
    )?;
    Ok(p)
}

/// The final run: astrodrizzle reads the MDRIZTAB itself; these are the explicit keywords.
pub fn final_run(inmemory: bool, num_cores: Option<usize>) -> UserParams {
    let b = |v: bool| if v { "True" } else { "False" }.to_string();
    let mut settings = vec![
        ("mdriztab".to_string(), "True".to_string()),
        ("in_memory".to_string(), b(inmemory)),
        ("stepsize".to_string(), "10".to_string()),
        ("output".to_string(), String::new()),
        ("preserve".to_string(), "False".to_string()),
        ("clean".to_string(), "True".to_string()),
        ("resetbits".to_string(), "4096".to_string()),
    ];
    if let Some(n) = num_cores {
        settings.push(("num_cores".to_string(), n.to_string()));
    }
    UserParams { file: None, settings, prefer_mdriztab: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides() {
        let base = AstroDrizzleParams::default();
        let p = intermediate(&base, Some(2), true).unwrap();
        assert!(p.in_memory && !p.clean && !p.mdriztab);
        assert_eq!(p.resetbits, "0");
        assert_eq!(p.num_cores, Some(2));
        assert_eq!(p.combine_nhigh, 0);
        let q = no_cr(&p, 1360).unwrap();
        assert!(!q.median && !q.blot && !q.driz_cr && !q.r#static && q.driz_separate && q.build);
        assert_eq!(q.driz_sep_bits, "1360");
        assert_eq!(good_bits("WFC3", "IR"), 512);
        assert_eq!(good_bits("ACS", "WFC"), 1360);
    }
}
