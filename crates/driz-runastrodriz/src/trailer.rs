//! The trailer `<trlroot>.tra` (runastrodriz-spec §8.1): every log line of the run,
//! `[LEVEL   ] message`, appended to the trailer file and echoed to standard output.
//!
//! Logging goes through `tracing`; [`TrailerLayer`] is the subscriber layer that formats
//! the lines and writes them to the trailer that is open at the time (one per process:
//! runs are sequential). Events from rayon worker threads land in the same file, which a
//! thread-scoped subscriber could not guarantee.

use crate::error::{PipelineError, Result};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

/// The line drizzlepac logs after each stage heading and each astrodrizzle start. Kept
/// byte for byte: archive tools split trailers on it.
pub const MARKER: &str = "*** Drizzlepac Processing Version 3.11.0***";

static SINK: Mutex<Option<std::fs::File>> = Mutex::new(None);

/// The open trailer; closing it (drop) stops writing to the file.
pub struct Trailer {
    path: PathBuf,
}

impl Trailer {
    /// Open `path` for appending (created when absent) and send the log lines to it.
    pub fn open(path: &Path) -> Result<Trailer> {
        let file =
            std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| PipelineError::io(path, e))?;
        *SINK.lock().unwrap_or_else(|e| e.into_inner()) = Some(file);
        Ok(Trailer { path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Trailer {
    fn drop(&mut self) {
        if let Some(mut f) = SINK.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = f.flush();
        }
    }
}

/// `HH:MM:SS (DD-Mon-YYYY)`, local time, as the trailer's time stamps.
pub fn timestamp() -> String {
    chrono::Local::now().format("%H:%M:%S (%d-%b-%Y)").to_string()
}

/// Formats events as drizzlepac's log handler does and writes them to the trailer and
/// (with `echo`) to standard output.
pub struct TrailerLayer {
    pub debug_format: bool,
    pub echo: bool,
}

#[derive(Default)]
struct Message {
    text: String,
    fields: String,
}

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.text, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.text.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

/// An event's message followed by its other fields as ` name=value`, as the trailer shows
/// it (also the text other log sinks, e.g. the Python package's, should show).
pub fn event_text(event: &Event<'_>) -> String {
    let mut m = Message::default();
    event.record(&mut m);
    m.text + &m.fields
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    }
}

impl<S: Subscriber> Layer<S> for TrailerLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let text = event_text(event);
        let meta = event.metadata();
        let level = level_name(meta.level());
        let line = if self.debug_format {
            format!("[{level}:{}] {text}\n", meta.target())
        } else {
            format!("[{level:<8}] {text}\n")
        };
        if let Some(f) = SINK.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = f.write_all(line.as_bytes());
        }
        if self.echo {
            // print! (not a raw stdout handle) so test harnesses capture it.
            print!("{line}");
        }
    }
}

/// Install the process-wide subscriber (terminal + trailer) unless one is installed:
/// INFO and above, DEBUG with `debug`; `RUST_LOG` overrides.
pub fn install(debug: bool) {
    use tracing_subscriber::prelude::*;
    let default = if debug { "debug" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{default},ureq=warn,rustls=warn")));
    let layer = TrailerLayer { debug_format: debug, echo: true };
    let _ = tracing_subscriber::registry().with(filter).with(layer).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_drizzlepac_format() {
        use tracing_subscriber::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tra");
        std::fs::write(&path, "calibration trailer\n").unwrap();
        let subscriber = tracing_subscriber::registry().with(TrailerLayer { debug_format: false, echo: false });
        tracing::subscriber::with_default(subscriber, || {
            let t = Trailer::open(&path).unwrap();
            tracing::info!("{MARKER}");
            tracing::warn!("careful");
            drop(t);
            tracing::info!("not written");
        });
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "calibration trailer\n[INFO    ] *** Drizzlepac Processing Version 3.11.0***\n[WARNING ] careful\n"
        );
        assert_eq!(timestamp().len(), "12:34:56 (25-Nov-2026)".len());
    }
}
