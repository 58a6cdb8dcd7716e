//! HST multi-extension FITS files for driz, on CFITSIO (the `fitsio` crate, CFITSIO built
//! from its bundled sources): opening files and `file.fits[sci,1]` selectors, headers
//! (parsed by `driz-header`, so order, comments, long strings and HIERARCH survive),
//! images of every type HST uses, binary-table columns (ASN, IDCTAB, MDRIZTAB), chip WCSs
//! with their distortion tables, the `Exposure` model, and writing: new files and
//! updates both go through a temporary file renamed into place, so an input is never
//! left half-written.
//!
//! Only `raw.rs` calls CFITSIO.

mod asn;
mod error;
mod exposure;
mod file;
mod pixel;
mod raw;
mod spec;
mod table;
mod time;
mod write;

pub use asn::{AsnMember, asn_columns, read_asn};
pub use error::{FitsError, HduLabel, Result};
pub use exposure::{Chip, Exposure, file_rootname};
pub use file::{Fits, Hdu, HduKind};
pub use pixel::Pixel;
pub use spec::{HduSpec, parse_file_spec};
pub use table::Column;
pub use time::utc_now_iso;
pub use write::{FitsUpdate, FitsWriter, PendingUpdate, is_structural, prepare_update, update_file};
