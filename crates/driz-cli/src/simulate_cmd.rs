//! `driz simulate`: write a synthetic HST association with its truth (`driz-simulate`).

use driz_simulate::{Config, Instrument, simulate_with_progress};
use std::path::PathBuf;

/// `driz simulate --instrument acs-wfc|wfc3-uvis|wfc3-ir --exposures N --seed S --out DIR [--small]`
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// acs-wfc, wfc3-uvis or wfc3-ir
    #[arg(long)]
    pub instrument: String,
    /// Number of dithered exposures
    #[arg(long, default_value_t = 4)]
    pub exposures: usize,
    /// Random seed: the same seed writes identical files
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// Small subarray frames (for fast tests; still valid for drizzlepac)
    #[arg(long)]
    pub small: bool,
    /// Pointing error written into the headers: shift in arcsec
    #[arg(long, default_value_t = 0.5)]
    pub shift_error: f64,
    /// Pointing error written into the headers: roll in degrees
    #[arg(long, default_value_t = 0.01)]
    pub roll_error: f64,
    /// Size of the 4-point box dither pattern, arcsec
    #[arg(long, default_value_t = 2.0)]
    pub dither: f64,
    /// Exposure time in seconds (default: the instrument's)
    #[arg(long)]
    pub exptime: Option<f64>,
    /// No shot/read noise, cosmic rays or hot pixels
    #[arg(long)]
    pub noiseless: bool,
}

pub fn run_simulate(args: &SimulateArgs) -> anyhow::Result<i32> {
    crate::logging::init(false);
    let instrument = Instrument::parse(&args.instrument).ok_or_else(|| {
        anyhow::anyhow!("--instrument '{}' is not supported (acs-wfc, wfc3-uvis, wfc3-ir)", args.instrument)
    })?;
    let mut cfg = Config::new(instrument, args.exposures, args.seed);
    cfg.small = args.small;
    cfg.shift_error = args.shift_error;
    cfg.roll_error = args.roll_error;
    cfg.dither = args.dither;
    cfg.exptime = args.exptime;
    if args.noiseless {
        cfg.noise = false;
        cfg.cosmic_rays = false;
        cfg.hot_pixels = false;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix:>16} [{bar:32}] {pos}/{len} chips {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix("simulate");
    let s = simulate_with_progress(&cfg, &args.out, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let s = s?;
    println!(
        "{}: {} exposures ({}), {} sources, {} files in {:.1} s; source {}/ref/env.sh before running the pipeline",
        s.asn.display(),
        s.rootnames.len(),
        s.rootnames.join(" "),
        s.n_sources,
        s.files.len(),
        s.seconds,
        args.out.display()
    );
    Ok(0)
}
