//! Locating test data: the repository's `testdata/` and, when present, the shared HST data.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

pub fn testdata() -> PathBuf {
    repo_root().join("testdata")
}

/// `../shared/data/hst` next to the repository (or `$DRIZ_SHARED_HST`), if it exists.
pub fn shared_hst() -> Option<PathBuf> {
    let dir = std::env::var_os("DRIZ_SHARED_HST")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/data/hst"));
    dir.is_dir().then_some(dir)
}

/// Say loudly that a test part is skipped because the shared data are absent.
pub fn skip_notice(what: &str) {
    // Written to stderr directly, not through eprintln!, so that the test harness does
    // not capture it: a skip must be visible in a normal `cargo test` run.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED (../shared/data/hst not found): {what}");
}
