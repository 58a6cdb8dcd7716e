//! The `runastrodriz` pipeline of drizzlepac 3.11.0 (runastrodriz-spec): input discovery,
//! the pipeline-default WCS, the three alignments (default, a priori, a posteriori) each
//! verified on drizzled data, the final products, the exposures' WCS keywords and
//! headerlets, and the `<root>.tra` trailer.
//!
//! The library API mirrors drizzlepac's `runastrodriz.process(...)`: [`process`] with
//! [`Options`]. Everything runs in the input's directory (or `newpath`); nothing changes
//! the process's current directory, so the library can be called from any program.
//!
//! The drizzling is `driz-astrodrizzle`, the alignment `driz-align`, the verification
//! metrics `driz-verify`; this crate orders them, moves files between the stage
//! directories and writes the log.

mod discovery;
mod env;
mod error;
mod guiding;
mod options;
mod params;
mod process;
mod skycell;
mod sregion;
pub mod trailer;
mod verification;
mod wrapup;

pub use discovery::{Discovery, complete_name, discover, trailer_root};
pub use env::PipelineEnv;
pub use error::{EXIT_ERROR, EXIT_NO_VIABLE_DATA, EXIT_OK, PipelineError, Result};
pub use options::Options;
pub use process::{Report, process};
pub use sregion::s_region;
pub use verification::{Mode, Verification};
