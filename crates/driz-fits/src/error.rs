//! Errors that name the file, the HDU and the problem.

use driz_header::HeaderError;
use driz_wcs::WcsError;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum FitsError {
    #[error("{}{hdu}: {message} (CFITSIO status {status})", path.display())]
    Cfitsio { path: PathBuf, hdu: HduLabel, status: i32, message: String },
    #[error("{}: no extension {spec}", path.display())]
    MissingHdu { path: PathBuf, spec: String },
    #[error("{}{hdu}: {cause}", path.display())]
    Header { path: PathBuf, hdu: HduLabel, cause: Box<HeaderError> },
    #[error("{}{hdu}: {cause}", path.display())]
    Wcs { path: PathBuf, hdu: HduLabel, cause: Box<WcsError> },
    #[error("{}{hdu}: {message}", path.display())]
    Invalid { path: PathBuf, hdu: HduLabel, message: String },
    #[error("{}: {cause}", path.display())]
    Io { path: PathBuf, cause: std::io::Error },
}

/// `[SCI,1]`-style label of an HDU for messages; empty when the error is about the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HduLabel(pub String);

impl std::fmt::Display for HduLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() { Ok(()) } else { write!(f, "[{}]", self.0) }
    }
}

impl FitsError {
    pub fn invalid(path: &std::path::Path, hdu: &str, message: impl Into<String>) -> FitsError {
        FitsError::Invalid { path: path.to_path_buf(), hdu: HduLabel(hdu.to_string()), message: message.into() }
    }
}

pub type Result<T> = std::result::Result<T, FitsError>;
