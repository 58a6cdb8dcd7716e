//! Failures leave the file byte-identical and say which file and what is wrong.

mod common;

use driz_updatewcs::{Options, updatewcs};
use std::path::Path;

fn workdir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["wfc3uvis_flt.fits", "wfc3uvis_idc.fits"] {
        std::fs::copy(common::testdata().join("updatewcs").join(f), dir.path().join(f)).unwrap();
    }
    let flt = dir.path().join("wfc3uvis_flt.fits");
    (dir, flt)
}

fn edit_primary(path: &Path, f: impl FnOnce(&mut driz_header::Header)) {
    let mut h = driz_fits::Fits::open(path).unwrap().primary_header().clone();
    f(&mut h);
    driz_fits::update_file(path, |u| u.set_header(0, &h)).unwrap();
}

fn fails_unchanged(path: &Path, expect: &[&str]) {
    let before = std::fs::read(path).unwrap();
    let err = updatewcs(path, &Options::default()).unwrap_err().to_string();
    for e in expect {
        assert!(err.contains(e), "error {err:?} lacks {e:?}");
    }
    assert!(err.contains(&path.display().to_string()) || err.contains("wfc3uvis"), "{err}");
    assert_eq!(std::fs::read(path).unwrap(), before, "file changed by a failed update");
}

#[test]
fn missing_idctab() {
    let (dir, flt) = workdir();
    std::fs::remove_file(dir.path().join("wfc3uvis_idc.fits")).unwrap();
    fails_unchanged(&flt, &["IDCTAB", "wfc3uvis_idc.fits", "not found"]);
}

#[test]
fn unset_prefix_variable() {
    let (_dir, flt) = workdir();
    edit_primary(&flt, |h| h.set("IDCTAB", "drizznosuchvar$wfc3uvis_idc.fits"));
    fails_unchanged(&flt, &["IDCTAB", "drizznosuchvar"]);
}

#[test]
fn unreadable_idctab() {
    let (dir, flt) = workdir();
    std::fs::write(dir.path().join("wfc3uvis_idc.fits"), b"not a FITS file").unwrap();
    fails_unchanged(&flt, &["IDCTAB", "wfc3uvis_idc.fits"]);
}

#[test]
fn unknown_filter() {
    let (_dir, flt) = workdir();
    edit_primary(&flt, |h| h.set("FILTER", "F999W"));
    fails_unchanged(&flt, &["no forward row", "F999W", "chip 2"]);
}

#[test]
fn no_pa_v3() {
    let (_dir, flt) = workdir();
    edit_primary(&flt, |h| {
        h.remove("PA_V3");
    });
    fails_unchanged(&flt, &["PA_V3"]);
}

#[test]
fn missing_npolfile() {
    let (_dir, flt) = workdir();
    edit_primary(&flt, |h| h.set("NPOLFILE", "uref$nosuch_npl.fits"));
    // uref may be unset: either way the message names NPOLFILE.
    fails_unchanged(&flt, &["NPOLFILE"]);
}

#[test]
fn unsupported_instrument() {
    let (_dir, flt) = workdir();
    edit_primary(&flt, |h| h.set("INSTRUME", "WFPC2"));
    fails_unchanged(&flt, &["WFPC2", "not supported"]);
}
