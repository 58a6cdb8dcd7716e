//! The sky statistic of stsci.skypac's `SkyStats` (spec Part 2 §4.3): imagestats on the
//! good pixels of a chip, returning the one field named by `skystat`.

use std::str::FromStr;

use crate::UnknownName;
use crate::imagestats::{Fields, StatsConfig, image_stats};

/// AstroDrizzle's `skystat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkyStat {
    Median,
    Mode,
    Mean,
    Midpt,
}

impl FromStr for SkyStat {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "median" => Ok(SkyStat::Median),
            "mode" => Ok(SkyStat::Mode),
            "mean" => Ok(SkyStat::Mean),
            "midpt" => Ok(SkyStat::Midpt),
            _ => Err(UnknownName { what: "skystat", name: s.to_string(), expected: "median, mode, mean, midpt" }),
        }
    }
}

/// `skystat`, `skylower`, `skyupper`, `skyclip`, `skylsigma`, `skyusigma`, `skywidth`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkyStatConfig {
    pub stat: SkyStat,
    pub lower: Option<f32>,
    pub upper: Option<f32>,
    pub nclip: u32,
    pub lsigma: f32,
    pub usigma: f32,
    pub binwidth: f32,
}

impl Default for SkyStatConfig {
    /// AstroDrizzle's sky defaults.
    fn default() -> Self {
        SkyStatConfig {
            stat: SkyStat::Median,
            lower: None,
            upper: None,
            nclip: 5,
            lsigma: 4.0,
            usigma: 4.0,
            binwidth: 0.1,
        }
    }
}

/// The statistic as the reference returns it: median and mean are float32, mode and midpt
/// float64 (midpt is the pixel count when the histogram has one bin, an upstream quirk).
/// `None` when imagestats raises (no good pixel, limits outside the data, a NaN with no
/// limits given); AstroDrizzle then skips the chip.
pub fn sky_statistic_f64(good_values: &[f32], cfg: &SkyStatConfig) -> Option<f64> {
    let stats_cfg = StatsConfig {
        lower: cfg.lower,
        upper: cfg.upper,
        nclip: cfg.nclip,
        lsig: cfg.lsigma,
        usig: cfg.usigma,
        binwidth: cfg.binwidth,
    };
    let fields = Fields {
        median: cfg.stat == SkyStat::Median,
        mode: cfg.stat == SkyStat::Mode,
        midpt: cfg.stat == SkyStat::Midpt,
    };
    let stats = image_stats(good_values, &stats_cfg, fields)?;
    Some(match cfg.stat {
        SkyStat::Median => f64::from(stats.median),
        SkyStat::Mean => f64::from(stats.mean),
        SkyStat::Mode => stats.mode_f64,
        SkyStat::Midpt => stats.midpt_f64,
    })
}

/// [`sky_statistic_f64`] rounded to f32.
pub fn sky_statistic(good_values: &[f32], cfg: &SkyStatConfig) -> Option<f32> {
    sky_statistic_f64(good_values, cfg).map(|v| v as f32)
}
