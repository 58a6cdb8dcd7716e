//! The HST world coordinate system, as astropy and stwcs evaluate it for HST files:
//! TAN projection with a CD (or PC/CDELT) matrix, SIP polynomials, and the two lookup-table
//! distortions of the FITS distortion paper (`D2IMARR` detector-to-image and `WCSDVARR`
//! non-polynomial corrections); pixel→sky, the exact sky→pixel inverse by iteration, the
//! drizzle pixel map, and alternate WCS keys.
//!
//! Pure computation: headers come in as [`driz_header::Header`] and lookup tables through
//! a callback, so this crate does no I/O. Pixel coordinates are FITS 1-based unless a
//! function says otherwise.

mod alt;
mod celestial;
mod frame;
mod grid;
mod hst;
mod lookup;
mod sip;

pub use alt::{WcsKey, wcs_keys};
pub use celestial::{Celestial, FocalTransfer};
pub use frame::{
    Aperture, Frame, FrameChip, FrameOverrides, FrameReference, customize, default_frame, linear_pixel_scale, parity,
    troll,
};
pub use grid::{
    StepGrid, pix2world_grid, pix2world_points, pixel_map, pixel_map_rows, pixel_map_stepped, world2pix_points,
};
pub use hst::{Distortion, HstWcs, INVERSE_TOLERANCE, TableKind};
pub use lookup::LookupTable;
pub use sip::{Polynomial, Sip};

use driz_header::HeaderError;
use thiserror::Error;

/// What is wrong with a WCS. Messages name the keyword; callers add the file and HDU.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum WcsError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("missing WCS keyword {0}")]
    MissingKeyword(String),
    #[error("invalid WCS: {0}")]
    Invalid(String),
    #[error("unsupported WCS: {0}")]
    Unsupported(String),
    #[error("distortion lookup table {0}")]
    BadTable(String),
    #[error("RA {ra}, Dec {dec} lies behind the tangent plane of this WCS")]
    OffImage { ra: f64, dec: f64 },
    #[error("sky-to-pixel inversion did not converge for RA {ra}, Dec {dec}")]
    NoConvergence { ra: f64, dec: f64 },
}
