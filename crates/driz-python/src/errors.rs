//! The Python exceptions: `driz.DrizError` (a `RuntimeError`) carrying the message the
//! command line prints after its `error:` prefix, and `driz.NoViableDataError` for the
//! pipeline's "no viable data" outcome (the command line's exit status 65).

use pyo3::prelude::*;

pyo3::create_exception!(driz, DrizError, pyo3::exceptions::PyRuntimeError, "An error reported by driz.");
pyo3::create_exception!(
    driz,
    NoViableDataError,
    DrizError,
    "runastrodriz found no valid data in the input exposures (exit status 65)."
);

/// A `DrizError` (or `NoViableDataError` for status 65) with `exit_code` set to the
/// status the command line would exit with.
pub fn driz_error(message: impl Into<String>, exit_code: i32) -> PyErr {
    let message = message.into();
    Python::attach(|py| {
        let err = if exit_code == driz_runastrodriz::EXIT_NO_VIABLE_DATA {
            NoViableDataError::new_err(message)
        } else {
            DrizError::new_err(message)
        };
        // Setting an attribute on a fresh exception instance cannot fail in practice;
        // if it did, the exception without the attribute is still the right one to raise.
        let _ = err.value(py).setattr("exit_code", exit_code);
        err
    })
}

/// The message with its chain of causes, `outer: inner: …`, as anyhow's `{:#}` prints
/// it on the `driz` command line.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
