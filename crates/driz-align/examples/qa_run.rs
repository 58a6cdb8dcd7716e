//! The a posteriori alignment followed by runastrodriz's quality analysis on copies of an
//! association, with a fixed time stamp (for testdata/scripts/make_qa_fixtures.py):
//!
//!     qa_run DIR ASN TIMESTAMP EPOCH_SECONDS [--relative-only WCSNAME] FILE...
//!
//! The catalogs come from the service at ASTROMETRIC_CATALOG_URL. As runastrodriz does, the
//! alignment table is handed over only when every exposure was aligned. With
//! `--relative-only`, the last file's WCSNAME is set to WCSNAME after the alignment and only
//! the relative residuals are computed, from the sources the alignment extracted, whatever
//! its outcome (drizzlepac's `determine_alignment_residuals` called directly).

use driz_align::quality_analysis::{
    QaExposure, QaKind, determine_alignment_residuals, run_quality_analysis_at, write_output_files,
};
use driz_align::{AposterioriConfig, JsonTimestamp, perform_align};
use std::path::{Path, PathBuf};

fn set_wcsname(path: &Path, name: &str) -> Result<(), Box<dyn std::error::Error>> {
    driz_fits::update_file(path, |u| {
        let index = u.fits().position("SCI", 1).expect("SCI,1");
        let mut header = u.fits().hdu(index).header.clone();
        header.set("WCSNAME", name);
        u.set_header(index, &header)
    })?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).without_time().init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut relative_only = None;
    if let Some(i) = args.iter().position(|a| a == "--relative-only") {
        relative_only = Some(args.remove(i + 1));
        args.remove(i);
    }
    if args.len() < 5 {
        return Err("usage: qa_run DIR ASN TIMESTAMP EPOCH_SECONDS [--relative-only WCSNAME] FILE...".into());
    }
    let dir = Path::new(&args[0]);
    let timestamp = JsonTimestamp { local: args[2].clone(), seconds_since_epoch: args[3].parse()? };
    let files: Vec<PathBuf> = args[4..].iter().map(PathBuf::from).collect();
    let config = AposterioriConfig::from_env(false);
    let outcome = perform_align(&files, &[], &config)?;
    let written: Vec<PathBuf> = match relative_only {
        None => {
            let table = outcome.as_ref().filter(|o| o.all_aligned()).map(|o| &o.qa);
            run_quality_analysis_at(&args[1], &files, table, dir, &timestamp)
        }
        Some(wcsname) => {
            let last = files.last().expect("files");
            set_wcsname(last, &wcsname)?;
            let qa = outcome.map(|o| o.qa).unwrap_or_default();
            let mut exposures = Vec::new();
            for (f, sources) in files.iter().zip(&qa.extracted_sources) {
                exposures.push(QaExposure::load(f, sources)?);
            }
            let residuals = determine_alignment_residuals(&exposures)?;
            write_output_files(&residuals, QaKind::Relative, "", dir, &timestamp)?.into_iter().map(|(_, p)| p).collect()
        }
    };
    for w in written {
        println!("{}", w.display());
    }
    Ok(())
}
