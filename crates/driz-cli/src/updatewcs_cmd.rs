//! `driz updatewcs` and `driz headerlet`: the command-line side of `driz-updatewcs`.

use driz_updatewcs::{Options, altwcs, updatewcs};
use std::path::PathBuf;

/// `driz updatewcs [--force] FILE...`
#[derive(clap::Args, Debug)]
pub struct UpdatewcsArgs {
    /// Rebuild the D2IMARR/WCSDVARR extensions even when D2IMEXT/NPOLEXT already name the
    /// current reference files.
    #[arg(long)]
    pub force: bool,
    /// FLT/FLC files, updated in place (atomically: a failed update leaves a file untouched).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Update every file; report each; exit status 1 if any failed.
pub fn run_updatewcs(args: &UpdatewcsArgs) -> anyhow::Result<i32> {
    let options = Options { force: args.force, ..Options::default() };
    let mut failed = 0;
    for f in &args.files {
        match updatewcs(f, &options) {
            Ok(r) => {
                println!(
                    "{}: WCSNAME {} ({}), DISTNAME {}",
                    f.display(),
                    r.wcsname,
                    r.corrections.join(", "),
                    r.distname
                );
                for c in &r.chips {
                    println!(
                        "  SCI,{} chip {}: CRVAL {:.10} {:.10}{}",
                        c.extver,
                        c.chip,
                        c.crval[0],
                        c.crval[1],
                        c.idc_row.map(|r| format!(", IDCTAB row {r}")).unwrap_or_default()
                    );
                }
            }
            Err(e) => {
                eprintln!("driz: error: {e}");
                failed += 1;
            }
        }
    }
    Ok(if failed > 0 { crate::EXIT_ERROR } else { 0 })
}

/// `driz headerlet write|apply|list …`
#[derive(clap::Args, Debug)]
pub struct HeaderletArgs {
    #[command(subcommand)]
    pub command: HeaderletCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum HeaderletCommand {
    /// List the WCSs of every SCI extension (key, WCSNAME, WCSTYPE) and the HDRLET extensions.
    List { file: PathBuf },
    /// Write the primary WCS as `<root>_flt_hlet.fits` (not implemented yet).
    Write { file: PathBuf },
    /// Apply a headerlet file as the primary WCS (not implemented yet).
    Apply { file: PathBuf, headerlet: PathBuf },
}

pub fn run_headerlet(args: &HeaderletArgs) -> anyhow::Result<i32> {
    match &args.command {
        HeaderletCommand::List { file } => {
            for w in altwcs::list_file(file)? {
                println!("SCI,{} key {:?} {:<32} {}", w.extver, w.key, w.name, w.wcstype);
            }
            let fits = driz_fits::Fits::open(file)?;
            for h in fits.hdus().iter().filter(|h| h.extname == "HDRLET") {
                let s = |k: &str| h.header.get_str(k).ok().flatten().unwrap_or("").trim().to_string();
                println!(
                    "HDRLET,{} HDRNAME {} WCSNAME {} DISTNAME {}",
                    h.extver,
                    s("HDRNAME"),
                    s("WCSNAME"),
                    s("DISTNAME")
                );
            }
            Ok(0)
        }
        HeaderletCommand::Write { .. } | HeaderletCommand::Apply { .. } => {
            anyhow::bail!("driz headerlet write/apply is not implemented yet; nothing was changed")
        }
    }
}
