//! The a posteriori parameters (runastrodriz-spec §6.2): the per-detector alignment
//! JSON of drizzlepac after its parameter merge, and where the reference catalogs come
//! from.

use driz_detect::Centering;
use driz_tweak::{CoincidentSources, FitGeom, MatchParams};
use std::path::PathBuf;

/// Where a reference catalog comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogSource {
    /// The astrometric catalog service, asked for this catalog name.
    Service { base_url: String, name: String },
    /// A local CSV/ECSV file (offline use), labelled `name` in WCSNAME.
    File { path: PathBuf, name: String },
}

impl CatalogSource {
    pub fn name(&self) -> &str {
        match self {
            CatalogSource::Service { name, .. } | CatalogSource::File { name, .. } => name,
        }
    }
}

/// The pipeline's catalogs, in its order.
pub const PIPELINE_CATALOGS: [&str; 3] = ["GAIAeDR3", "GSC242", "2MASS"];

/// Everything `perform_align` needs besides the files.
#[derive(Debug, Clone)]
pub struct AposterioriConfig {
    pub catalogs: Vec<CatalogSource>,
    pub min_catalog_threshold: usize,
    pub min_observable_threshold: usize,
    pub min_fit_matches: usize,
    /// mas.
    pub max_fit_rms: f64,
    /// mas.
    pub max_fit_limit: f64,
    pub minobj: usize,
    pub fitgeom: FitGeom,
    pub nclip: usize,
    pub clip_sigma: f64,
    /// Matches needed by `nmatches_check` (`mosaic_fitgeom_list`/`mosaic_relgeom_list` for rscale).
    pub required_matches: usize,
    /// Write the fitted WCS into the exposures (`update_hdr_wcs`).
    pub update_headers: bool,
    pub debug: bool,
    /// Service timeout; `None`: the client's default.
    pub timeout: Option<std::time::Duration>,
    /// Cache directory for catalog responses.
    pub cache: Option<PathBuf>,
    /// How the relative method's group fit matches a star seen in several exposures:
    /// driz averages the detections (the default), drizzlepac keeps the lowest one
    /// (`DRIZ_GROUP_MATCH=tweakwcs`), which biases the fit by about one centroid σ.
    pub coincident: CoincidentSources,
    /// How source positions are measured: driz's windowed centroid (the default) or
    /// drizzlepac's DAOStarFinder centroid (`DRIZ_CENTROID=dao`), whose pixel-phase errors
    /// (~0.1 px on WFC3/IR) dominate the IR fits.
    pub centering: Centering,
}

/// `DRIZ_GROUP_MATCH`: `average` (default) or `tweakwcs` (drizzlepac's choice of the
/// first detection in (y, x) order).
pub fn group_match_from_env() -> Result<CoincidentSources, String> {
    match std::env::var("DRIZ_GROUP_MATCH") {
        Err(_) => Ok(CoincidentSources::Average),
        Ok(v) => parse_group_match(&v),
    }
}

/// `DRIZ_CENTROID`: `windowed` (default) or `dao` (drizzlepac's DAOStarFinder centroid).
pub fn centroid_from_env() -> Result<Centering, String> {
    match std::env::var("DRIZ_CENTROID") {
        Err(_) => Ok(Centering::Windowed),
        Ok(v) => parse_centroid(&v),
    }
}

/// `windowed` or `dao` (also `drizzlepac`), any case; empty means the default.
pub fn parse_centroid(value: &str) -> Result<Centering, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "windowed" => Ok(Centering::Windowed),
        "dao" | "drizzlepac" => Ok(Centering::Dao),
        other => Err(format!("DRIZ_CENTROID={other:?}: expected 'windowed' or 'dao'")),
    }
}

/// `average` or `tweakwcs` (also `first`), any case; empty means the default.
pub fn parse_group_match(value: &str) -> Result<CoincidentSources, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "average" => Ok(CoincidentSources::Average),
        "tweakwcs" | "first" | "drizzlepac" => Ok(CoincidentSources::FirstInOrder),
        other => Err(format!("DRIZ_GROUP_MATCH={other:?}: expected 'average' or 'tweakwcs'")),
    }
}

impl AposterioriConfig {
    /// The pipeline's configuration: the service at `ASTROMETRIC_CATALOG_URL` (default
    /// `http://gsss.stsci.edu/webservices`) with GAIAeDR3, GSC242, 2MASS; or, when
    /// `DRIZ_ASTROMETRIC_CATALOG_FILE` names a file, that file alone (offline). The group
    /// match and the centring are driz's defaults: the command lines set them from
    /// `DRIZ_GROUP_MATCH` and `DRIZ_CENTROID` ([`group_match_from_env`],
    /// [`centroid_from_env`]), whose bad values are errors.
    pub fn from_env(debug: bool) -> AposterioriConfig {
        let catalogs = match std::env::var("DRIZ_ASTROMETRIC_CATALOG_FILE") {
            Ok(path) if !path.trim().is_empty() => {
                let name = std::env::var("DRIZ_ASTROMETRIC_CATALOG_NAME").unwrap_or_else(|_| "GAIAeDR3".into());
                vec![CatalogSource::File { path: PathBuf::from(path.trim()), name }]
            }
            _ => {
                let base = driz_catalog::CatalogService::from_env().base_url().to_string();
                PIPELINE_CATALOGS
                    .iter()
                    .map(|n| CatalogSource::Service { base_url: base.clone(), name: n.to_string() })
                    .collect()
            }
        };
        AposterioriConfig {
            catalogs,
            min_catalog_threshold: 3,
            min_observable_threshold: 4,
            min_fit_matches: 4,
            max_fit_rms: 20.0,
            max_fit_limit: 150.0,
            minobj: 12,
            fitgeom: FitGeom::RScale,
            nclip: 1,
            clip_sigma: 3.0,
            required_matches: 12,
            update_headers: true,
            debug,
            timeout: None,
            cache: std::env::var("DRIZ_CATALOG_CACHE").ok().filter(|s| !s.is_empty()).map(PathBuf::from),
            coincident: CoincidentSources::Average,
            centering: Centering::Windowed,
        }
    }
}

/// The three fitting methods, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Relative,
    TwoDHist,
    Default,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Relative => "relative",
            Method::TwoDHist => "2dhist",
            Method::Default => "default",
        }
    }

    /// The WCSNAME label of a fit by this method.
    pub fn label(self) -> &'static str {
        match self {
            Method::Relative => "REL",
            _ => "IMG",
        }
    }

    /// The XYXYMatch parameters of the method for `inst/det`.
    pub fn match_params(self, instrument: &str, detector: &str) -> MatchParams {
        let wide = matches!((instrument, detector), ("ACS", "WFC") | ("WFC3", "UVIS"));
        let (searchrad, separation, tolerance, use2dhist) = match self {
            Method::Relative => (125.0, 4.0, 2.0, true),
            Method::TwoDHist => (if wide { 400.0 } else { 250.0 }, 4.0, 2.0, true),
            Method::Default => (250.0, 0.1, 10.0, false),
        };
        MatchParams { searchrad, separation, tolerance, use2dhist, xoffset: 0.0, yoffset: 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_match_values() {
        assert_eq!(parse_group_match(""), Ok(CoincidentSources::Average));
        assert_eq!(parse_group_match(" Average "), Ok(CoincidentSources::Average));
        assert_eq!(parse_group_match("TWEAKWCS"), Ok(CoincidentSources::FirstInOrder));
        assert_eq!(parse_group_match("first"), Ok(CoincidentSources::FirstInOrder));
        let err = parse_group_match("median").unwrap_err();
        assert!(err.contains("DRIZ_GROUP_MATCH") && err.contains("median"), "{err}");
    }

    #[test]
    fn centroid_values() {
        assert_eq!(parse_centroid(""), Ok(Centering::Windowed));
        assert_eq!(parse_centroid(" Windowed "), Ok(Centering::Windowed));
        assert_eq!(parse_centroid("DAO"), Ok(Centering::Dao));
        assert_eq!(parse_centroid("drizzlepac"), Ok(Centering::Dao));
        let err = parse_centroid("xwin").unwrap_err();
        assert!(err.contains("DRIZ_CENTROID") && err.contains("xwin"), "{err}");
    }
}
