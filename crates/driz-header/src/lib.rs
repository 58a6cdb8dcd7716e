//! FITS header cards for driz: parsing 80-column card images (fixed and free format,
//! `CONTINUE` long strings, `HIERARCH`, `COMMENT`/`HISTORY`, record-valued keywords of
//! the distortion paper), typed look-ups that report which keyword is wrong, and card
//! formatting that matches astropy's so rewritten headers read the same in both.
//!
//! This crate owns the header *model* only; reading and writing files is `driz-fits`.
//! It does no I/O and never panics on malformed input (it is fuzzed).

mod card;
mod header;
mod value;

pub use card::{CARD_LEN, Card, CardError};
pub use header::{Header, HeaderError};
pub use value::{Value, format_fits_float, python_float_repr};
