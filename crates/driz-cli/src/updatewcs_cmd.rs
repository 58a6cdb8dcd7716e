//! `driz updatewcs` and `driz headerlet`: the command-line side of `driz-updatewcs`.

use driz_updatewcs::{Options, altwcs, headerlet, updatewcs};
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

/// `driz headerlet write|apply|attach|list …`
#[derive(clap::Args, Debug)]
pub struct HeaderletArgs {
    #[command(subcommand)]
    pub command: HeaderletCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum HeaderletCommand {
    /// List the WCSs of every SCI extension (key, WCSNAME, WCSTYPE) and the HDRLET extensions.
    List { file: PathBuf },
    /// Write the primary WCS of FILE as a headerlet file, by default
    /// `<rootname>_flt_hlet.fits` next to FILE as runastrodriz does (replaced if it exists).
    Write {
        file: PathBuf,
        /// Output: a name ending in `.fits` is used as given; any other NAME gives
        /// `<rootname>_<NAME>_hlet.fits` next to FILE.
        #[arg(long, default_value = "flt")]
        output: String,
        /// HDRNAME (default: the SCI HDRNAME, else its WCSNAME).
        #[arg(long)]
        hdrname: Option<String>,
        /// AUTHOR keyword.
        #[arg(long)]
        author: Option<String>,
        /// DESCRIP keyword.
        #[arg(long)]
        descrip: Option<String>,
    },
    /// Apply a headerlet as the primary WCS of FILE (the current primary is kept as an
    /// alternate WCS and a HDRLET; the headerlet is attached). HLET is a headerlet file
    /// or `EXPOSURE[HDRLET,n]`.
    Apply {
        headerlet: String,
        file: PathBuf,
        /// Apply even when the distortion models (DISTNAME) differ.
        #[arg(long)]
        force: bool,
        /// Do not archive the current primary WCS.
        #[arg(long)]
        no_archive: bool,
        /// Do not attach the headerlet as a HDRLET extension.
        #[arg(long)]
        no_attach: bool,
    },
    /// Attach a headerlet file to FILE as a HDRLET extension.
    Attach { headerlet: String, file: PathBuf },
}

/// A headerlet from a file or from `EXPOSURE[HDRLET,n]`.
fn read_headerlet(spec: &str) -> anyhow::Result<headerlet::Headerlet> {
    let (path, hdu) = driz_fits::parse_file_spec(spec).map_err(|m| anyhow::anyhow!("{m}"))?;
    Ok(match hdu {
        None => headerlet::Headerlet::from_file(&path)?,
        Some(driz_fits::HduSpec::Name(name, ver)) if name == "HDRLET" => headerlet::read_extension(&path, ver)?,
        Some(other) => anyhow::bail!("{}: [{other}] is not a HDRLET extension (write FILE[HDRLET,n])", path.display()),
    })
}

pub fn run_headerlet(args: &HeaderletArgs) -> anyhow::Result<i32> {
    match &args.command {
        HeaderletCommand::List { file } => {
            for w in altwcs::list_file(file)? {
                println!("SCI,{} key {:?} {:<32} {}", w.extver, w.key, w.name, w.wcstype);
            }
            for h in headerlet::list(file)? {
                println!("HDRLET,{} HDRNAME {} WCSNAME {} DISTNAME {}", h.extver, h.hdrname, h.wcsname, h.distname);
            }
            Ok(0)
        }
        HeaderletCommand::Write { file, output, hdrname, author, descrip } => {
            let options = headerlet::CreateOptions {
                hdrname: hdrname.clone(),
                author: author.clone(),
                descrip: descrip.clone(),
                ..Default::default()
            };
            let out = headerlet::write_headerlet(file, Some(output.as_str()), &options)?;
            println!("{}: wrote {}", file.display(), out.display());
            Ok(0)
        }
        HeaderletCommand::Apply { headerlet: spec, file, force, no_archive, no_attach } => {
            let hlet = read_headerlet(spec)?;
            let options = headerlet::ApplyOptions { attach: !no_attach, archive: !no_archive, force: *force };
            let r = headerlet::apply_as_primary(file, &hlet, &options)?;
            println!("{}: primary WCS is now {} (HDRNAME {})", file.display(), r.wcsname, r.hdrname);
            if let Some((key, name)) = &r.archived_key {
                println!("  previous primary WCS archived as key {key} ({name})");
            }
            for n in &r.archived_hdrlets {
                println!("  previous WCS {n} kept as a HDRLET extension");
            }
            if let Some(v) = r.attached {
                println!("  headerlet attached as HDRLET,{v}");
            }
            Ok(0)
        }
        HeaderletCommand::Attach { headerlet: spec, file } => {
            let hlet = read_headerlet(spec)?;
            let v = headerlet::attach(file, &hlet)?;
            println!("{}: attached {} as HDRLET,{v}", file.display(), hlet.hdrname());
            Ok(0)
        }
    }
}
