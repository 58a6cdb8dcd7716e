//! Errors that name the parameter, the value, what was expected and (when it came from one) the file.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ParamError {
    #[error("unknown AstroDrizzle parameter '{name}'{}", did_you_mean(suggestions))]
    UnknownName { name: String, suggestions: Vec<String> },

    #[error("invalid value '{value}' for parameter '{name}': expected {expected}")]
    InvalidValue { name: String, value: String, expected: String },

    #[error("parameter '{name}' is set more than once")]
    Duplicate { name: String },

    #[error("invalid bit flags '{input}': {reason}")]
    BitFlags { input: String, reason: String },

    /// The text is not valid TOML or JSON, or has a shape parameters cannot take (arrays,
    /// tables nested in sections, ...).
    #[error("{format}: {message}")]
    Syntax { format: &'static str, message: String },

    #[error("{}: {source}", path.display())]
    InFile { path: PathBuf, source: Box<ParamError> },

    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{}: parameter files must end in .toml or .json", path.display())]
    UnknownFormat { path: PathBuf },

    #[error(transparent)]
    Fits(#[from] driz_fits::FitsError),

    /// A problem with the MDRIZTAB table itself (a column mdzhandler cannot read, a missing
    /// `filter` or `numimages` column, ...).
    #[error("MDRIZTAB {}: {message}", path.display())]
    Mdriztab { path: PathBuf, message: String },

    /// A column of the selected MDRIZTAB row that does not name a parameter.
    #[error("MDRIZTAB column '{column}' is not an AstroDrizzle parameter{}", did_you_mean(suggestions))]
    UnknownMdriztabColumn { column: String, suggestions: Vec<String> },
}

impl ParamError {
    pub(crate) fn invalid(name: &str, value: impl std::fmt::Display, expected: impl Into<String>) -> ParamError {
        ParamError::InvalidValue { name: name.to_string(), value: value.to_string(), expected: expected.into() }
    }

    pub(crate) fn in_file(self, path: &std::path::Path) -> ParamError {
        ParamError::InFile { path: path.to_path_buf(), source: Box::new(self) }
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean '{one}'?)"),
        many => format!(" (did you mean one of: {}?)", many.join(", ")),
    }
}
