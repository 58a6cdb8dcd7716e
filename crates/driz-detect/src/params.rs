//! Per-detector detection parameters (runastrodriz-spec §6.2, effective values after
//! drizzlepac's parameter merge).

pub use crate::background::BackgroundEstimator;
use crate::windowed::Centering;

/// Detection parameters of one detector.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectionParams {
    /// Background box size: 27 for ACS/WFC and WFC3/UVIS, 13 otherwise.
    pub box_size: usize,
    pub bkg_estimator: BackgroundEstimator,
    /// Single-image cosmic-ray cleaning before detection.
    pub classify: bool,
    /// Default PSF FWHM in arcseconds (0.13).
    pub fwhmpsf_arcsec: f64,
    /// Scale of the default threshold `bkg + nsigma·rms` (the JSON's `threshold: -1.1`).
    pub threshold_factor: f64,
    pub nsigma: f64,
    /// Sources kept per chip (250 for every detector).
    pub max_sources_per_chip: usize,
    /// Minimum segment size in pixels (7).
    pub npixels: usize,
    /// ACS/SBC: sources from [`sbc_sources`](crate::sbc_sources) (runastrodriz-spec
    /// §6.5.2) instead of segmentation.
    pub sbc: bool,
    /// How source positions are measured: drizzlepac's DAOStarFinder centroid
    /// ([`Centering::Dao`], the value of [`DetectionParams::for_detector`]) or driz's
    /// windowed centroid.
    pub centering: Centering,
}

impl DetectionParams {
    /// The table of runastrodriz-spec §6.2; `None` for an unknown instrument/detector.
    /// WFPC2 is spelled ("WFPC2", "PC").
    pub fn for_detector(instrument: &str, detector: &str) -> Option<DetectionParams> {
        let (box_size, bkg_estimator, classify) =
            match (instrument.trim().to_ascii_uppercase().as_str(), detector.trim().to_ascii_uppercase().as_str()) {
                ("ACS", "WFC") | ("WFC3", "UVIS") => (27, BackgroundEstimator::SExtractor, true),
                ("ACS", "HRC") => (13, BackgroundEstimator::Median, true),
                ("ACS", "SBC") => (13, BackgroundEstimator::Median, false),
                ("WFC3", "IR") => (13, BackgroundEstimator::Median, false),
                ("WFPC2", "PC") => (13, BackgroundEstimator::Median, true),
                _ => return None,
            };
        Some(DetectionParams {
            box_size,
            bkg_estimator,
            classify,
            fwhmpsf_arcsec: 0.13,
            threshold_factor: 1.1,
            nsigma: 3.0,
            max_sources_per_chip: 250,
            npixels: 7,
            sbc: detector.trim().eq_ignore_ascii_case("SBC"),
            centering: Centering::Dao,
        })
    }
}
