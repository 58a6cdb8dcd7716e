//! The `driz` Python extension module (`driz._driz`): the pipeline (`runastrodriz.process`),
//! AstroDrizzle, updatewcs and the drizzle/blot kernels for numpy arrays, called from
//! Python with the GIL released while Rust works, log lines and progress sent to Python's
//! `logging`, and errors raised as `driz.DrizError` with the command line's messages.
//!
//! The Python-facing argument handling (drizzlepac and drizzle 3.0 names, defaults,
//! dtype conversions) lives in `python/driz/*.py`; this crate gives those wrappers a
//! small, strictly typed surface.

mod errors;
mod kernels;
mod logging;
mod pipeline;

use pyo3::prelude::*;

#[pymodule]
fn _driz(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    logging::install(py)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DrizError", py.get_type::<errors::DrizError>())?;
    m.add("NoViableDataError", py.get_type::<errors::NoViableDataError>())?;
    m.add_class::<kernels::DrizzleCore>()?;
    m.add_function(wrap_pyfunction!(kernels::blot, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::runastrodriz_process, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::astrodrizzle, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::updatewcs, m)?)?;
    Ok(())
}
