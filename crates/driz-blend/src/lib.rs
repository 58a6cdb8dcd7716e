//! fitsblender's header blending for drizzle products (drizzlepac 3.11 calls
//! `fitsblender.blendheaders.get_blended_headers` from `outputimage.getTemplates`).
//!
//! This crate owns:
//! * the per-instrument keyword rules (generated from fitsblender 0.4.4's HST rules files
//!   by `testdata/scripts/make_blend_rules.py` and embedded from `rules/`), and the
//!   choice of rules by INSTRUME/TELESCOP;
//! * blending: the PRIMARY, SCI, ERR (WHT) and DQ (CTX) template headers of the product,
//!   with astropy's card order, comments and formatting, and the HDRTAB table (values and
//!   the column types numpy guesses);
//! * drizzlepac's `cleanTemplates` and fitsblender's `remove_distortion_keywords`.
//!
//! It is pure compute on `driz_header::Header`s: reading inputs and writing the product
//! (including the table) belongs to the callers.

mod aggregate;
mod astropy_edit;
mod astropy_format;
mod blend;
mod error;
mod rules;
mod table;
mod templates;

pub use blend::{BLENDVER, BlendedHeaders, ChipHeaders, blend_headers};
pub use error::BlendError;
pub use rules::{Aggregate, Rule, RuleAction, RuleSet};
pub use table::{ColumnData, HDRTAB_EXTNAME, HeaderTable, TableColumn};
pub use templates::{WCS_KEYWORDS, clean_templates, remove_distortion_keywords};
