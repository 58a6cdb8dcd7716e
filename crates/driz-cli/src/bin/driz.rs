//! `driz`: the command-line front end of driz.

use anyhow::Context;
use clap::{Parser, Subcommand};
use driz_cli::{coords, info, legacy, open_chip, transform};
use std::path::PathBuf;

/// Large arrays on huge pages: far fewer page faults and TLB misses (see `driz_heap`).
#[global_allocator]
static ALLOCATOR: driz_heap::HugePageAlloc = driz_heap::HugePageAlloc;

#[derive(Parser)]
#[command(name = "driz", version, about = "A fast, faithful reimplementation of HST's runastrodriz (drizzlepac)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the pipeline, with runastrodriz's options: driz run [-bdahfgimn:v] INPUT [NEWPATH]
    #[command(disable_help_flag = true)]
    Run {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
    /// Instrument, detector, chips, exposure time, filters, WCS keys and chip footprints
    Info {
        file: PathBuf,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Pixel (1-based x y pairs) to sky (RA Dec, degrees) through the full distortion model
    Pixtosky {
        /// Image and extension, e.g. 'j8bt06nyq_flt.fits[sci,1]' (default [sci,1])
        image: String,
        /// Read the pairs from this file instead of standard input
        #[arg(long)]
        coords: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Sky (RA Dec, degrees) to pixel (1-based), inverting the full distortion model
    Skytopix {
        image: String,
        #[arg(long)]
        coords: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Pixel positions in one image to pixel positions in another, through the sky
    Pixtopix {
        input: String,
        output: String,
        #[arg(long)]
        coords: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The pipeline-default WCS from IDCTAB, D2IMFILE and NPOLFILE (stwcs updatewcs, no database)
    Updatewcs(driz_cli::updatewcs_cmd::UpdatewcsArgs),
    /// Alternate WCSs and headerlets
    Headerlet(driz_cli::updatewcs_cmd::HeaderletArgs),
    /// The AstroDrizzle step chain: static mask, sky, separate drizzle, median, blot, driz_cr, final drizzle
    Astrodrizzle(driz_cli::astrodrizzle_cmd::AstrodrizzleArgs),
    /// Drizzle chips onto one output frame (SCI, WHT, CTX), as AstroDrizzle's final drizzle
    Drizzle(driz_cli::drizzle_cmd::DrizzleArgs),
    /// Blot a drizzled image back onto a chip
    Blot(driz_cli::drizzle_cmd::BlotArgs),
    /// A posteriori alignment to an astrometric catalog (service or file), as the pipeline's stage
    Align(driz_cli::align_cmd::AlignArgs),
    /// Write a synthetic HST association (FLT/FLC, RAW, ASN, reference files) with its truth
    Simulate(driz_cli::simulate_cmd::SimulateArgs),
}

fn main() {
    driz_cli::quiet_broken_pipe();
    let cli = Cli::parse();
    let code = match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("driz: error: {e:#}");
            driz_cli::EXIT_ERROR
        }
    };
    std::process::exit(code);
}

fn emit<T: serde::Serialize>(json: bool, rows: &[T], text: String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(rows)?);
    } else {
        print!("{text}");
    }
    Ok(())
}

fn run(command: Command) -> anyhow::Result<i32> {
    match command {
        Command::Updatewcs(args) => driz_cli::updatewcs_cmd::run_updatewcs(&args),
        Command::Headerlet(args) => driz_cli::updatewcs_cmd::run_headerlet(&args),
        Command::Astrodrizzle(args) => driz_cli::astrodrizzle_cmd::run_astrodrizzle(&args),
        Command::Drizzle(args) => {
            driz_cli::logging::init(false);
            driz_cli::drizzle_cmd::run_drizzle(&args)
        }
        Command::Blot(args) => driz_cli::drizzle_cmd::run_blot(&args),
        Command::Simulate(args) => driz_cli::simulate_cmd::run_simulate(&args),
        Command::Align(args) => driz_cli::align_cmd::run_align(&args),
        Command::Run { args } => Ok(match legacy::parse(&args)? {
            legacy::Parsed::Help => {
                print!("{}", legacy::HELP.replace("runastrodriz [", "driz run ["));
                0
            }
            legacy::Parsed::Run(options) => {
                driz_runastrodriz::trailer::install(options.options.debug);
                legacy::run(&options)
            }
        }),
        Command::Info { file, json } => {
            let info = info::gather(&file)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                print!("{}", info::render(&info));
            }
            Ok(0)
        }
        Command::Pixtosky { image, coords, json } => {
            let (_, _, wcs) = open_chip(&image)?;
            let pixels = coords::read_pairs(coords.as_deref())?;
            let rows = transform::pixtosky(&wcs, &pixels);
            emit(json, &rows, transform::format_pairs(rows.iter().map(|r| (r.ra, r.dec))))?;
            Ok(0)
        }
        Command::Skytopix { image, coords, json } => {
            let (_, _, wcs) = open_chip(&image)?;
            let sky = coords::read_pairs(coords.as_deref())?;
            let rows = transform::skytopix(&wcs, &sky).with_context(|| image.clone())?;
            emit(json, &rows, transform::format_pairs(rows.iter().map(|r| (r.x, r.y))))?;
            Ok(0)
        }
        Command::Pixtopix { input, output, coords, json } => {
            let (_, _, from) = open_chip(&input)?;
            let (_, _, to) = open_chip(&output)?;
            let pixels = coords::read_pairs(coords.as_deref())?;
            let rows = transform::pixtopix(&from, &to, &pixels).with_context(|| output.clone())?;
            emit(json, &rows, transform::format_pairs(rows.iter().map(|r| (r.x_out, r.y_out))))?;
            Ok(0)
        }
    }
}
