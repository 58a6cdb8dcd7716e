//! Alignment errors: every one names the file or service and what went wrong.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum AlignError {
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error(transparent)]
    Fits(#[from] driz_fits::FitsError),
    #[error(transparent)]
    UpdateWcs(#[from] driz_updatewcs::Error),
    #[error("{context}: {cause}")]
    Wcs { context: String, cause: driz_wcs::WcsError },
    #[error("reference catalog: {0}")]
    Catalog(String),
    #[error("astrometry database: {0}")]
    Database(String),
    #[error("{0}")]
    Fit(String),
}

impl AlignError {
    pub fn file(path: &Path, message: impl Into<String>) -> AlignError {
        AlignError::File { path: path.to_path_buf(), message: message.into() }
    }
}

pub type Result<T> = std::result::Result<T, AlignError>;
