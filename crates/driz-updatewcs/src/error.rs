//! Errors that name the file and the problem.

use driz_fits::FitsError;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Fits(#[from] FitsError),
    /// A problem with the exposure or a reference file, described in `message` (which
    /// names the keyword, extension or reference file involved).
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
}

impl Error {
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::File { path: path.into(), message: message.into() }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
