//! Step errors: each names the file (and extension) or the parameter at fault.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StepError {
    #[error(transparent)]
    Fits(#[from] driz_fits::FitsError),
    #[error("{context}: {cause}")]
    Wcs { context: String, cause: driz_wcs::WcsError },
    #[error("{context}: {cause}")]
    Kernel { context: String, cause: driz_kernels::KernelError },
    #[error("{0}")]
    Input(String),
}
