//! The pipeline's errors and exit statuses.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// An environment variable with a value outside its rule.
    #[error("{0}")]
    Environment(String),
    #[error("Input file - {0} - does not exist.")]
    InputMissing(String),
    #[error("No valid data found in input exposures.")]
    NoViableData,
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error(transparent)]
    Fits(#[from] driz_fits::FitsError),
    #[error(transparent)]
    UpdateWcs(#[from] driz_updatewcs::Error),
    #[error("astrodrizzle: {0}")]
    AstroDrizzle(#[from] driz_astrodrizzle::AstroDrizzleError),
    #[error(transparent)]
    Params(#[from] driz_params::ParamError),
    #[error("alignment: {0}")]
    Align(String),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl PipelineError {
    pub fn file(path: &Path, message: impl Into<String>) -> PipelineError {
        PipelineError::File { path: path.to_path_buf(), message: message.into() }
    }

    pub fn io(path: &Path, source: std::io::Error) -> PipelineError {
        PipelineError::Io { path: path.to_path_buf(), source }
    }

    /// The process exit status for this error: 65 (`NO_VIABLE_DATA`) or 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            PipelineError::NoViableData => EXIT_NO_VIABLE_DATA,
            _ => EXIT_ERROR,
        }
    }
}

pub type Result<T> = std::result::Result<T, PipelineError>;

pub const EXIT_OK: i32 = 0;
pub const EXIT_ERROR: i32 = 1;
/// drizzlepac `Ret_code.NO_VIABLE_DATA`.
pub const EXIT_NO_VIABLE_DATA: i32 = 65;
