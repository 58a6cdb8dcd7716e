//! Network clients of runastrodriz (drizzlepac 3.11.0 / stwcs 1.7.7 semantics), each with
//! an offline fallback, and a local HTTP server to test them.
//!
//! This crate owns:
//! - [`CatalogService`]: the astrometric catalog service (`haputils.astrometric_utils.
//!   get_catalog`): drizzlepac's exact request URL ([`py_str`] numbers, `EPOCH` from
//!   [`decimal_year`]), the `Error`-first-line retry without EPOCH, the per-catalog column
//!   renames and faint-to-bright order ([`RefCatalog`]), plus an optional answer cache;
//!   [`read_catalog_file`] reads the same data from disk.
//! - [`AstrometryDb`]: the astrometry database (`stwcs.updatewcs.astrometry_utils.
//!   AstrometryDB`): availability probe, observation XML, headerlet download, and an
//!   offline directory of headerlets.
//! - [`gsc_offsets`]: the guide-star offset service used for a new a priori WCS.
//! - [`env_bool`] and the environment variables of these clients.
//! - [`test_server`]: a std-only loopback HTTP server playing recorded answers.
//!
//! Time limits are deliberate additions: the reference uses `requests` without a timeout
//! (except 5 s for the availability probe), which can hang a pipeline forever. Defaults are
//! 60 s per request ([`DEFAULT_CATALOG_TIMEOUT`], [`DEFAULT_DB_TIMEOUT`],
//! [`DEFAULT_GSC_TIMEOUT`]), overridable by `DRIZ_CATALOG_TIMEOUT` / `DRIZ_ASTROMETRY_TIMEOUT`
//! (seconds). The catalog client also retries a transport failure or HTTP 5xx once after
//! 2 s ([`DEFAULT_CATALOG_RETRIES`]), so one catalog costs at most 2 URLs (EPOCH rule) × 2
//! attempts × the timeout, plus the pauses. The availability probe keeps stwcs's 3 × 5 s,
//! 60 s apart (configurable; tests use no pause). Every failure is a typed error whose
//! one-line `Display` names the URL or file.

mod astrometry_db;
mod catalog;
mod catalog_table;
mod decimal_year;
mod env;
mod error;
mod fits_card;
mod gsc_offsets;
mod http;
mod python_format;
pub mod test_server;

pub use astrometry_db::{
    AVAILABILITY_RETRY_WAIT, AVAILABILITY_TIMEOUT, AVAILABILITY_TRIES, AstrometryDb, DEFAULT_ASTROMETRY_URL,
    DEFAULT_DB_TIMEOUT, Observation, Solution, parse_observation_xml,
};
pub use catalog::{
    CatalogQuery, CatalogService, DEFAULT_CATALOG_RETRIES, DEFAULT_CATALOG_RETRY_WAIT, DEFAULT_CATALOG_TIMEOUT,
    DEFAULT_CATALOG_URL, RefCatalog, RefStar, parse_service_csv, read_catalog_file, read_catalog_file_at,
};
pub use decimal_year::decimal_year;
pub use env::{EnvLookup, env_bool, env_bool_in, process_env};
pub use error::{CatalogError, DbError, EnvError, TransportFailure};
pub use gsc_offsets::{
    DEFAULT_GSC_TIMEOUT, DEFAULT_GSSS_URL, GsOffsets, gsc_offsets, gsc_offsets_url, gsss_url_from_env, gsss_url_in,
    parse_gsc_xml,
};
pub use python_format::{py_fixed, py_str};
