//! Astrometric alignment of HST exposures as runastrodriz does it: the a posteriori fit
//! to an external catalog (drizzlepac `perform_align`: viable exposures, source
//! detection, reference catalogs, matching and fitting by three methods, fit quality,
//! the best solution written into the files with its headerlets) and the a priori update
//! from the astrometry database (or from guide-star offsets when it has none); and the
//! quality-analysis JSON files runastrodriz writes at the end when PIPELINE_QUALITY_TESTING
//! is on (relative and absolute fit residuals, drizzlepac `quality_analysis.run_all`).
//!
//! Numbers come from the numeric crates (`driz-detect`, `driz-tweak`) and the network
//! from `driz-catalog`; this crate reads and writes the exposures and carries the
//! decision logic (runastrodriz-spec §6–§7).

pub mod apply;
pub mod apriori;
mod common_wcs;
mod config;
mod diagnostic;
mod error;
mod exposures;
pub mod gs_offset;
pub mod perform;
pub mod quality;
pub mod quality_analysis;
mod refcat;
pub mod viability;

pub use config::{
    AposterioriConfig, CatalogSource, Method, PIPELINE_CATALOGS, centroid_from_env, group_match_from_env,
    parse_centroid, parse_group_match,
};
pub use diagnostic::{Json, JsonTimestamp, determine_filter_name};
pub use driz_detect::Centering;
pub use driz_tweak::CoincidentSources;
pub use error::{AlignError, Result};
pub use perform::{AlignOutcome, ImageRow, perform_align};
pub use refcat::{field_frame, search_cone};
