//! The pipeline-default distortion WCS of HST exposures and its bookkeeping: the equivalent
//! of stwcs 1.7.7 `updatewcs(files, use_db=False)` for ACS (WFC, HRC, SBC) and WFC3 (UVIS,
//! IR). This crate owns
//!
//! * reference-file names (`jref$…`, `iref$…`, `uref$…` through environment variables,
//!   plain names next to the exposure) and reference-file rootnames ([`refs`], [`names`]);
//! * reading the IDCTAB row of a chip/filter combination ([`idctab`]);
//! * the model mathematics, as pure functions: time-dependent distortion, the basic WCS
//!   from PA_V3 and the reference-chip geometry, SIP from the IDC polynomial, velocity
//!   aberration, the float32 NPOL transform ([`model`]);
//! * building the `D2IMARR`/`WCSDVARR` lookup extensions ([`lookup`]);
//! * the per-file update, which changes a file only through `driz_fits::update_file`
//!   (atomic: on any error the file on disk is untouched) ([`update`]);
//! * alternate WCS keys: archive, restore, copy, delete, `WCSTYPE` ([`altwcs`]);
//! * headerlets: `<root>_flt_hlet.fits` files, HDRLET extensions, applying one as the
//!   primary WCS ([`headerlet`]).
//!
//! Numbers follow the reference bit for bit where it matters (float32 table values, the
//! float32 NPOL transform, 14-digit archived WCS values); see `wcs-alignment.md` §1–2.

pub mod altwcs;
mod error;
pub mod headerlet;
pub mod idctab;
pub mod lookup;
pub mod model;
pub mod names;
pub mod refs;
pub mod update;

pub use error::{Error, Result};
pub use update::{ChipReport, Options, Report, updatewcs};

/// The version string written to `UPWCSVER`/`PYWCSVER` (stwcs writes its own and astropy's).
pub const DRIZ_VERSION: &str = concat!("driz ", env!("CARGO_PKG_VERSION"));
