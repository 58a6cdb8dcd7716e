//! Errors of the step chain: each names the file (and extension), the step or the
//! parameter at fault.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AstroDrizzleError {
    #[error(transparent)]
    Fits(#[from] driz_fits::FitsError),
    #[error(transparent)]
    Step(#[from] driz_steps::StepError),
    #[error(transparent)]
    Params(#[from] driz_params::ParamError),
    #[error("{context}: {cause}")]
    Wcs { context: String, cause: driz_wcs::WcsError },
    #[error("{context}: {cause}")]
    Kernel { context: String, cause: driz_kernels::KernelError },
    #[error("{0}")]
    Input(String),
    #[error("{path}: {cause}")]
    Io { path: std::path::PathBuf, cause: std::io::Error },
    #[error("parameter {name}: {why}")]
    Parameter { name: String, why: String },
}

pub type Result<T, E = AstroDrizzleError> = std::result::Result<T, E>;

impl AstroDrizzleError {
    pub fn io(path: &std::path::Path, cause: std::io::Error) -> AstroDrizzleError {
        AstroDrizzleError::Io { path: path.to_path_buf(), cause }
    }

    pub fn parameter(name: &str, why: impl Into<String>) -> AstroDrizzleError {
        AstroDrizzleError::Parameter { name: name.to_string(), why: why.into() }
    }
}
