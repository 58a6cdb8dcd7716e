//! What can go wrong while blending.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum BlendError {
    #[error("no input headers to blend")]
    NoInputs,
    #[error("input {index}: primary header has no {keyword}")]
    MissingKeyword { index: usize, keyword: &'static str },
    #[error("input {index}: {keyword} is not a string")]
    NotText { index: usize, keyword: &'static str },
    #[error("no header rules for INSTRUME={instrument} TELESCOP={telescope}")]
    NoRules { instrument: String, telescope: String },
    #[error("rules file {file}, line {line}: {reason}")]
    BadRules { file: String, line: usize, reason: String },
    #[error("keyword {keyword}: {function} cannot combine {reason}")]
    Aggregate { keyword: String, function: &'static str, reason: String },
    #[error("keyword {keyword}: unusable value ({reason})")]
    BadValue { keyword: String, reason: String },
    #[error("table column {0} appears twice")]
    DuplicateColumn(String),
}
