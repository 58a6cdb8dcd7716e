//! The pipeline's environment switches (runastrodriz-spec §2), read once per run with
//! drizzlepac's rule for booleans and its log lines.

use crate::error::{PipelineError, Result};
use tracing::info;

/// A boolean switch from the environment (drizzlepac's rule, `driz_catalog::env_bool`),
/// logged as drizzlepac logs it.
pub fn switch(name: &str, default: bool, what: &str) -> Result<bool> {
    let value = driz_catalog::env_bool(name, default).map_err(|e| PipelineError::Environment(e.to_string()))?;
    if std::env::var_os(name).is_some() {
        info!("ENVVAR {name} found, setting {what} to {value}");
    } else {
        info!("ENVVAR {name} not found, setting {what} to default of {default}");
    }
    Ok(value)
}

/// The switches that steer the stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipelineEnv {
    pub compute_aposteriori: bool,
    pub apply_apriori: bool,
    pub reset_idctab: bool,
    pub quality_testing: bool,
    /// driz's own switch, `DRIZ_GROUP_MATCH` (docs/compatibility.md).
    pub group_match: driz_align::CoincidentSources,
    /// driz's own switch, `DRIZ_CENTROID` (docs/compatibility.md).
    pub centering: driz_align::Centering,
}

fn group_match() -> Result<driz_align::CoincidentSources> {
    let value = driz_align::group_match_from_env().map_err(PipelineError::Environment)?;
    if value == driz_align::CoincidentSources::FirstInOrder {
        info!("ENVVAR DRIZ_GROUP_MATCH found: group fits match the first detection of each star, as drizzlepac");
    }
    Ok(value)
}

fn centering() -> Result<driz_align::Centering> {
    let value = driz_align::centroid_from_env().map_err(PipelineError::Environment)?;
    if value == driz_align::Centering::Dao {
        info!("ENVVAR DRIZ_CENTROID found: sources are centred by DAOStarFinder, as drizzlepac");
    }
    Ok(value)
}

impl PipelineEnv {
    /// `align_to_gaia` is the `-g` default that `ASTROMETRY_COMPUTE_APOSTERIORI` overrides.
    pub fn read(align_to_gaia: bool) -> Result<PipelineEnv> {
        Ok(PipelineEnv {
            compute_aposteriori: switch("ASTROMETRY_COMPUTE_APOSTERIORI", align_to_gaia, "align_to_gaia")?,
            apply_apriori: switch("ASTROMETRY_APPLY_APRIORI", true, "apply a priori solutions")?,
            reset_idctab: switch("PIPELINE_RESET_IDCTAB", false, "reset IDCTAB")?,
            quality_testing: switch("PIPELINE_QUALITY_TESTING", false, "quality testing")?,
            group_match: group_match()?,
            centering: centering()?,
        })
    }
}
