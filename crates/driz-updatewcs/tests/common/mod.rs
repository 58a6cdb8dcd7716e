//! Locating test data and making writable copies of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

// Locating the repository's test data and the shared HST data: one definition for the
// whole workspace, in driz-fits's test support.
#[path = "../../../driz-fits/tests/common/mod.rs"]
mod locate;
#[allow(unused_imports)] // each test binary uses a different subset
pub use locate::{repo_root, shared_hst, skip_notice, testdata};

/// Write an uncompressed copy of a (possibly gzipped) FITS file.
pub fn fits_copy(src: &Path, dst: &Path) {
    let mut from = driz_fits::Fits::open(src).unwrap();
    let mut w = driz_fits::FitsWriter::create(dst).unwrap();
    let primary = from.primary_header().clone();
    w.primary(&primary).unwrap();
    for i in 1..from.hdus().len() {
        w.copy_hdu(&mut from, i).unwrap();
    }
    w.finish().unwrap();
}

/// The j94f05bgq ACS/WFC exposure and its three reference files in a fresh directory.
pub fn j94_workdir(shared: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let s = shared.join("stwcs");
    let flt = dir.path().join("j94f05bgq_flt.fits");
    fits_copy(&s.join("j94f05bgq_flt.fits.gz"), &flt);
    for f in ["postsm4_idc.fits", "qbu16424j_npl.fits", "new_wfc_d2i.fits"] {
        std::fs::copy(s.join(f), dir.path().join(f)).unwrap();
    }
    (dir, flt)
}

/// Largest angular separation in milliarcseconds between two position lists (degrees).
pub fn max_sep_mas(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&(ra1, d1), &(ra2, d2))| {
            let dra = ((ra1 - ra2 + 180.0).rem_euclid(360.0) - 180.0) * d1.to_radians().cos();
            dra.hypot(d1 - d2) * 3.6e6
        })
        .fold(0.0, f64::max)
}

/// A grid of 1-based pixels over a whole chip, corners included.
pub fn chip_grid(nx: usize, ny: usize, steps: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for j in 0..=steps {
        for i in 0..=steps {
            let x = 1.0 + (nx as f64 - 1.0) * i as f64 / steps as f64;
            let y = 1.0 + (ny as f64 - 1.0) * j as f64 / steps as f64;
            out.push((x, y));
        }
    }
    out
}
