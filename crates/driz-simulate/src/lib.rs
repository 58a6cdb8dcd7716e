//! `driz simulate`: realistic synthetic HST associations with known truth.
//!
//! A simulated association is what the archive would deliver for a dithered visit: an ASN
//! table, `_raw` files (only their primary headers matter to the pipeline), calibrated
//! `_flt` files (and `_flc` for ACS/WFC) with the real extension layout and keywords and an
//! OPUS-like linear WCS (i.e. *before* `updatewcs`), and synthetic reference files
//! (IDCTAB, D2IMFILE, NPOLFILE, MDRIZTAB) in `ref/` with an `env.sh` for the `jref$`/`iref$`
//! prefix. Beside them the truth: `truth.json` (every exposure's true WCS and the pointing
//! errors put into its header), `truth_sources.csv`, a Gaia-like reference catalog in the
//! astrometric service's CSV layout, and cosmic-ray masks (`truth/<root>_crmask.fits`).
//!
//! The *true* WCS of an exposure is exactly what `updatewcs` computes from the reference
//! files for the true pointing (computed with `driz-updatewcs` itself on a header-only
//! skeleton); the headers carry a pointing error (default 0.5″ shift and 0.01° roll) so
//! that alignment has something to fix. Sources are placed through the true WCS
//! (`HstWcs::world2pix`, D2IM + SIP + NPOL) and the PSF is integrated exactly over pixels.
//!
//! Modules: [`rng`] (deterministic generator), [`instrument`] (detector descriptions),
//! [`scene`] (sources, catalogs), [`render`] (PSF, galaxies, noise, CRs, saturation) are
//! pure; [`reffiles`] and [`output`] write files.

pub mod instrument;
pub mod output;
pub mod reffiles;
pub mod render;
pub mod rng;
pub mod scene;

pub use instrument::{Instrument, InstrumentSpec};
pub use output::{Summary, simulate, simulate_with_progress};
pub use scene::SceneParams;

use std::path::{Path, PathBuf};

/// What can go wrong while simulating.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Fits(#[from] driz_fits::FitsError),
    #[error(transparent)]
    Updatewcs(#[from] driz_updatewcs::Error),
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Everything that defines a simulation. Two runs with equal configs write identical files.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub instrument: Instrument,
    pub exposures: usize,
    pub seed: u64,
    /// Shrink the frames to subarrays (valid for drizzlepac: LTV, SUBARRAY, APERTURE).
    pub small: bool,
    /// Pointing error written into the headers: shift (arcsec) and roll (degrees).
    pub shift_error: f64,
    pub roll_error: f64,
    /// Size of the 4-point box dither pattern (arcsec).
    pub dither: f64,
    /// Target (the reference point of the first exposure), degrees.
    pub ra: f64,
    pub dec: f64,
    pub pa_v3: f64,
    /// Exposure time; `None` = the instrument's default.
    pub exptime: Option<f64>,
    /// Shot and read noise.
    pub noise: bool,
    pub cosmic_rays: bool,
    pub hot_pixels: bool,
    pub scene: SceneParams,
    /// Observation date (`DATE-OBS`).
    pub date_obs: String,
    pub vafactor: f64,
}

impl Config {
    pub fn new(instrument: Instrument, exposures: usize, seed: u64) -> Config {
        Config {
            instrument,
            exposures,
            seed,
            small: false,
            shift_error: 0.5,
            roll_error: 0.01,
            dither: 2.0,
            ra: 150.1163213,
            dec: 2.2009731,
            pa_v3: 120.0,
            exptime: None,
            noise: true,
            cosmic_rays: true,
            hot_pixels: true,
            scene: SceneParams::default(),
            date_obs: "2023-02-25".into(),
            vafactor: 1.000_023_5,
        }
    }
}
