//! The `driz` and `runastrodriz` command lines: argument parsing, reading coordinates,
//! printing results, and turning library errors into messages and exit codes. The work
//! itself lives in the library crates.

pub mod align_cmd;
pub mod astrodrizzle_cmd;
pub mod coords;
pub mod drizzle_cmd;
pub mod info;
pub mod legacy;
pub mod logging;
pub mod simulate_cmd;
pub mod transform;
pub mod updatewcs_cmd;

/// Die quietly on a closed output pipe (`driz info … | head`), as Unix tools do, instead
/// of panicking on the failed write.
pub fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Exit status for a run that failed with an error (drizzlepac's convention).
pub const EXIT_ERROR: i32 = 1;
/// Exit status when no viable data could be processed (runastrodriz).
pub const EXIT_NO_DATA: i32 = 65;

/// Open `FILE[ext]` (default `[SCI,1]`) and return the file, the HDU index and its WCS.
pub fn open_chip(spec: &str) -> anyhow::Result<(driz_fits::Fits, usize, driz_wcs::HstWcs)> {
    let (path, hdu) = driz_fits::parse_file_spec(spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut fits = driz_fits::Fits::open(&path)?;
    let hdu = hdu.unwrap_or(driz_fits::HduSpec::Name("SCI".into(), 1));
    let index = fits.find(&hdu)?;
    let wcs = fits.wcs(index, ' ')?;
    Ok((fits, index, wcs))
}
