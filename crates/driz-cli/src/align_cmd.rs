//! `driz align`: the a posteriori alignment stage on exposures, printing the table of fits.

use clap::Args;
use driz_align::{AposterioriConfig, CatalogSource, PIPELINE_CATALOGS, perform_align};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AlignArgs {
    /// Exposures (FLC or FLT files) aligned together
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// A catalog name for the service (GAIAeDR3, GSC242, 2MASS, …) or a CSV/ECSV file;
    /// default: the service at ASTROMETRIC_CATALOG_URL with the pipeline's catalogs in order
    #[arg(long)]
    pub catalog: Option<String>,
    /// Label of a catalog file in WCSNAME (default GAIAeDR3)
    #[arg(long, default_value = "GAIAeDR3")]
    pub catalog_name: String,
    /// FLT twins that receive the solution of the FLCs
    #[arg(long = "update", value_name = "FLT")]
    pub update: Vec<PathBuf>,
    /// Fit, print, but do not write the solution into the files
    #[arg(long)]
    pub dry_run: bool,
    #[arg(short, long)]
    pub debug: bool,
}

pub fn run_align(args: &AlignArgs) -> anyhow::Result<i32> {
    crate::logging::init(args.debug);
    let mut config = AposterioriConfig::from_env(args.debug);
    config.coincident = driz_align::group_match_from_env().map_err(anyhow::Error::msg)?;
    config.centering = driz_align::centroid_from_env().map_err(anyhow::Error::msg)?;
    if let Some(c) = &args.catalog {
        let path = PathBuf::from(c);
        config.catalogs = if path.is_file() {
            vec![CatalogSource::File { path, name: args.catalog_name.clone() }]
        } else {
            let base = driz_catalog::CatalogService::from_env().base_url().to_string();
            let name =
                PIPELINE_CATALOGS.iter().find(|n| n.eq_ignore_ascii_case(c)).map_or(c.clone(), |n| n.to_string());
            vec![CatalogSource::Service { base_url: base, name }]
        };
    }
    config.update_headers = !args.dry_run;
    let outcome = perform_align(&args.files, &args.update, &config)?;
    let Some(outcome) = outcome else {
        println!("no alignment: no viable exposure or too few sources");
        return Ok(crate::EXIT_NO_DATA);
    };
    println!(
        "{:<24} {:>6} {:>4} {:>8} {:>8} {:>11} {:<10} {:<9} message",
        "exposure", "status", "qual", "matches", "catalog", "fit_rms_mas", "catalog", "method"
    );
    for r in &outcome.rows {
        println!(
            "{:<24} {:>6} {:>4} {:>8} {:>8} {:>11.3} {:<10} {:<9} {}",
            r.name, r.status, r.fit_qual, r.match_sources, r.catalog_sources, r.fit_rms, r.catalog, r.method, r.message
        );
    }
    for (f, name) in &outcome.wcsnames {
        println!("{}: WCSNAME {name}", f.display());
    }
    Ok(if outcome.all_aligned() { 0 } else { crate::EXIT_ERROR })
}
