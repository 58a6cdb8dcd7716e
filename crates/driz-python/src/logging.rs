//! Log lines and progress to Python's `logging`.
//!
//! One process-wide `tracing` subscriber is installed when the module is imported, with
//! two layers: the runastrodriz trailer (the `<root>.tra` file is written exactly as the
//! command line writes it, while a run has it open) and a layer that hands every event
//! at or above the `driz` logger's level to `logging.getLogger("driz")`. The pipeline's
//! own `install` then finds a subscriber in place and adds nothing (so nothing is echoed
//! to standard output as the command line does).
//!
//! Events come from the calling thread and from rayon workers while the GIL is released;
//! each forwarded line attaches to the interpreter for the duration of one `logger.log`.

use driz_runastrodriz::trailer::{TrailerLayer, event_text};
use pyo3::prelude::*;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Instant;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

/// `logging.getLogger("driz")` and `logging.getLogger("driz.progress")`.
static LOGGER: OnceLock<Py<PyAny>> = OnceLock::new();
static PROGRESS_LOGGER: OnceLock<Py<PyAny>> = OnceLock::new();

/// The most verbose tracing level the `driz` logger accepts (see [`level_rank`]),
/// refreshed before each call into Rust so no event has to ask Python.
static FORWARD_RANK: AtomicU8 = AtomicU8::new(3);
/// The current runastrodriz run asked for `debug`: DEBUG lines and the debug line format
/// in the trailer, as the command line's `-d`.
static TRAILER_DEBUG: AtomicBool = AtomicBool::new(false);

/// 1 ERROR … 5 TRACE.
fn level_rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

/// Python's numeric level for a tracing level (TRACE below DEBUG).
fn python_level(level: &Level) -> i32 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

pub fn install(py: Python<'_>) -> PyResult<()> {
    use tracing_subscriber::prelude::*;
    let logging = py.import("logging")?;
    let _ = LOGGER.set(logging.call_method1("getLogger", ("driz",))?.unbind());
    let _ = PROGRESS_LOGGER.set(logging.call_method1("getLogger", ("driz.progress",))?.unbind());
    let trailer = TrailerSwitch {
        normal: TrailerLayer { debug_format: false, echo: false },
        debug: TrailerLayer { debug_format: true, echo: false },
    };
    // RUST_LOG chooses the trailer's lines as on the command line; the default is
    // INFO (DEBUG for debug runs) with the HTTP client's chatter at WARN.
    let trailer = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.is_empty() => trailer.with_filter(tracing_subscriber::EnvFilter::new(spec)).boxed(),
        _ => trailer.boxed(),
    };
    let _ = tracing_subscriber::registry().with(trailer).with(PythonLayer).try_init();
    Ok(())
}

/// Read the `driz` logger's effective level (call with the GIL, before detaching).
pub fn refresh_level(py: Python<'_>) {
    let Some(logger) = LOGGER.get() else { return };
    let level: i32 = logger.bind(py).call_method0("getEffectiveLevel").and_then(|l| l.extract()).unwrap_or(20);
    let rank = match level {
        l if l > 40 => 0,
        l if l > 30 => 1,
        l if l > 20 => 2,
        l if l > 10 => 3,
        l if l > 5 => 4,
        _ => 5,
    };
    FORWARD_RANK.store(rank, Ordering::Relaxed);
}

pub fn set_trailer_debug(debug: bool) {
    TRAILER_DEBUG.store(debug, Ordering::Relaxed);
}

/// The trailer layer in the format and at the level of the current run.
struct TrailerSwitch {
    normal: TrailerLayer,
    debug: TrailerLayer,
}

impl<S: Subscriber> Layer<S> for TrailerSwitch {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let debug = TRAILER_DEBUG.load(Ordering::Relaxed);
        let max = if debug { Level::DEBUG } else { Level::INFO };
        let chatty = ["ureq", "rustls"].iter().any(|t| meta.target().starts_with(t));
        if *meta.level() > max || (chatty && *meta.level() > Level::WARN) {
            return;
        }
        if debug { self.debug.on_event(event, ctx) } else { self.normal.on_event(event, ctx) }
    }
}

struct PythonLayer;

impl<S: Subscriber> Layer<S> for PythonLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = event.metadata().level();
        if level_rank(level) > FORWARD_RANK.load(Ordering::Relaxed) {
            return;
        }
        emit(&LOGGER, python_level(level), &event_text(event));
    }
}

/// `logger.log(level, "%s", text)`; nothing when the interpreter is shutting down.
fn emit(logger: &OnceLock<Py<PyAny>>, level: i32, text: &str) {
    let Some(logger) = logger.get() else { return };
    Python::try_attach(|py| {
        if let Err(e) = logger.bind(py).call_method1("log", (level, "%s", text)) {
            // A failing handler must not abort the Rust work; Python shows it as
            // logging does for its own handler errors.
            e.print(py);
        }
    });
}

/// Progress of the AstroDrizzle steps as `driz.progress` INFO lines: one when a step
/// starts (with its item count) and one when it ends (with its duration).
#[derive(Default)]
pub struct LogProgress {
    current: Mutex<Option<(String, Instant)>>,
}

impl driz_astrodrizzle::Progress for LogProgress {
    fn start(&self, step: &str, total: u64) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((step.to_string(), Instant::now()));
        emit(&PROGRESS_LOGGER, 20, &format!("{step}: {total} items"));
    }

    fn advance(&self, _n: u64) {}

    fn finish(&self) {
        if let Some((step, started)) = self.current.lock().unwrap_or_else(|e| e.into_inner()).take() {
            emit(&PROGRESS_LOGGER, 20, &format!("{step}: done in {:.2} s", started.elapsed().as_secs_f64()));
        }
    }
}
