//! Error types. Every variant names the URL or file involved, so one `Display` line is enough
//! for the pipeline's log when it falls back.

use std::path::PathBuf;

/// Why an HTTP exchange produced no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    /// No complete answer within the configured timeout.
    Timeout,
    /// The connection could not be established (refused, unreachable, host not found).
    Connect(String),
    /// The peer answered something that is not HTTP, or closed the connection mid-answer.
    Protocol(String),
    /// Anything else reported by the HTTP client (bad URL, TLS, I/O).
    Other(String),
}

impl std::fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportFailure::Timeout => write!(f, "timed out"),
            TransportFailure::Connect(m) => write!(f, "connection failed: {m}"),
            TransportFailure::Protocol(m) => write!(f, "invalid HTTP response: {m}"),
            TransportFailure::Other(m) => write!(f, "{m}"),
        }
    }
}

/// A badly set environment variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value '{value}' for environment variable '{name}'; valid values: {valid}")]
pub struct EnvError {
    pub name: String,
    pub value: String,
    /// The accepted values, comma-separated, as the reference lists them.
    pub valid: String,
}

/// Failures of the astrometric catalog client and of the catalog file readers.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog request {url} failed: {failure}")]
    Transport { url: String, failure: TransportFailure },
    #[error("catalog request {url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    /// The service answered with an `Error…` first line, also after the retry without EPOCH.
    #[error("catalog service error for {url}: {message}")]
    Service { url: String, message: String },
    #[error("cannot parse catalog from {source_name}: {message}")]
    Parse { source_name: String, message: String },
    #[error("catalog from {source_name} has no '{column}' column (columns: {available})")]
    MissingColumn { source_name: String, column: String, available: String },
    #[error("cannot read catalog file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("invalid date '{value}': {message}")]
    Date { value: String, message: String },
}

/// Failures of the astrometry database and guide-star offset clients.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database step is switched off (`ASTROMETRY_STEP_CONTROL=off`).
    #[error("astrometry database step is disabled (ASTROMETRY_STEP_CONTROL=off)")]
    Disabled,
    #[error("astrometry service {url} unavailable after {attempts} attempt(s): {last}")]
    Unavailable { url: String, attempts: u32, last: String },
    #[error("request {url} failed: {failure}")]
    Transport { url: String, failure: TransportFailure },
    #[error("request {url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("cannot parse XML from {url}: {message}")]
    Xml { url: String, message: String },
    /// The guide-star service answered, but its `msg` does not start with `Success`.
    #[error("guide-star service {url} gave no solution: {message}")]
    GscRejected { url: String, message: String },
    #[error("no headerlet named '{wcsname}' for {rootname} in {location}")]
    HeaderletNotFound { rootname: String, wcsname: String, location: String },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}
