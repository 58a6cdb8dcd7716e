//! The run's settings in the form the steps use them: AstroDrizzle's flat parameter set
//! (`driz-params`) checked, parsed and grouped per step, with the step dependencies
//! applied.

use driz_combine::{CombineParams, CrParams, SkyStatConfig};
use driz_kernels::{Interp, Kernel};
use driz_wcs::FrameOverrides;

pub use driz_params::{FinalUnits, SkyMethod};
pub use driz_steps::WeightType;
use std::path::PathBuf;

/// Gain, read noise and exposure-time overrides.
#[derive(Debug, Clone, Default)]
pub struct DetectorOverrides {
    pub gain: Option<f64>,
    pub gnkeyword: Option<String>,
    pub rdnoise: Option<f64>,
    pub rnkeyword: Option<String>,
    pub exptime: Option<f64>,
    pub expkeyword: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SkyConfig {
    pub skysub: bool,
    pub method: SkyMethod,
    pub stat: SkyStatConfig,
    /// DQ flags ignored for the statistics (`None`: no DQ mask).
    pub bits: Option<u32>,
    pub use_static: bool,
    /// Header keyword (or `@file`) of an already-subtracted sky.
    pub skyuser: String,
    pub skyfile: String,
}

/// `*_wt_scl`: `exptime`/`expsq` both mean 1 (upstream), or a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightScale(pub f64);

/// The output frame of a drizzle step.
#[derive(Debug, Clone, Default)]
pub struct FrameConfig {
    /// `*_wcs = True`: apply the overrides and reference image below.
    pub custom: bool,
    pub refimage: Option<String>,
    pub overrides: FrameOverrides,
}

/// One drizzle step's kernel settings.
#[derive(Debug, Clone)]
pub struct DrizzleConfig {
    pub kernel: Kernel,
    pub wt_scl: WeightScale,
    pub pixfrac: f64,
    pub fillval: Option<f32>,
    /// DQ flags treated as good (`None`: every pixel good).
    pub bits: Option<u32>,
    pub frame: FrameConfig,
}

#[derive(Debug, Clone)]
pub struct FinalConfig {
    pub drizzle: DrizzleConfig,
    pub wht_type: WeightType,
    pub units: FinalUnits,
    /// Initial value of SCI (`None`: NaN).
    pub maskval: Option<f32>,
}

#[derive(Debug, Clone)]
pub struct MedianConfig {
    pub newmasks: bool,
    pub maskpt: f64,
    pub combine: CombineParams,
    pub lthresh: Option<f64>,
    pub hthresh: Option<f64>,
    /// Megabytes per image for a row section.
    pub bufsize: f64,
}

#[derive(Debug, Clone)]
pub struct BlotConfig {
    pub interp: Interp,
    pub addsky: bool,
    pub skyval: f64,
}

#[derive(Debug, Clone)]
pub struct CrConfig {
    pub params: CrParams,
    pub corr: bool,
}

/// Which steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    pub static_mask: bool,
    pub sky: bool,
    pub driz_separate: bool,
    pub median: bool,
    pub blot: bool,
    pub driz_cr: bool,
    pub driz_combine: bool,
}

/// Everything a run needs, one field per concern.
#[derive(Debug, Clone)]
pub struct Config {
    pub build: bool,
    pub in_memory: bool,
    pub clean: bool,
    pub num_cores: Option<usize>,
    pub context: bool,
    pub group: Option<Vec<i64>>,
    pub coeffs: bool,
    pub crbit: u16,
    /// Pixel-map grid spacing (0: every pixel exactly).
    pub stepsize: usize,
    /// Not an AstroDrizzle parameter: chip rows drizzled or blotted at a time, each band
    /// with its own rows of the pixel map (0: whole chips). Results are identical.
    pub band_rows: usize,
    pub resetbits: Option<u32>,
    pub proc_unit_native: bool,
    pub detector: DetectorOverrides,
    pub steps: Steps,
    pub static_sig: f32,
    pub sky: SkyConfig,
    pub separate: DrizzleConfig,
    pub median: MedianConfig,
    pub blot: BlotConfig,
    pub driz_cr: CrConfig,
    pub final_drizzle: FinalConfig,
    /// Where intermediate and final products go.
    pub workdir: PathBuf,
    /// Not an AstroDrizzle parameter: hand the separately drizzled SCI images back in the
    /// [`Outcome`](crate::Outcome) (runastrodriz's verification reads them).
    pub keep_singles: bool,
}

impl Config {
    /// AstroDrizzle's step dependencies: with two or more inputs driz_cr needs blot,
    /// blot needs the median and the median needs the separate drizzle; with one input
    /// the median, blot and driz_cr are skipped. Returns the steps switched off.
    pub fn apply_dependencies(&mut self, n_images: usize) -> Vec<&'static str> {
        let s = &mut self.steps;
        let mut skipped = Vec::new();
        if n_images < 2 {
            for (on, name) in [(&mut s.median, "median"), (&mut s.blot, "blot"), (&mut s.driz_cr, "driz_cr")] {
                if *on {
                    *on = false;
                    skipped.push(name);
                }
            }
            return skipped;
        }
        s.blot |= s.driz_cr;
        s.median |= s.blot;
        s.driz_separate |= s.median;
        skipped
    }
}
