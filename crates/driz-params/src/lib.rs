//! AstroDrizzle's parameters for driz, as drizzlepac 3.11.0 defines and reads them.
//!
//! This crate owns:
//! * [`AstroDrizzleParams`]: one typed field per parameter of `pars/astrodrizzle.cfg` (plus
//!   the `mdriztab` and `updatewcs` keyword arguments), `Default` = the cfg defaults, option
//!   lists as enums with drizzlepac's spellings, and parsing accessors for the parameters
//!   the cfg keeps as strings (bit flags, `"3.5 3.0"` pairs, weight scales);
//! * access by name with configobj's value rules (`set`, `get`, `names`), "did you mean"
//!   errors, and parameter files: the whole set as TOML, partial sets from TOML or JSON;
//! * DQ bit flags: [`interpret_bit_flags`] (stsci.tools) and the [`good_pixel`] rule;
//! * MDRIZTAB: reading the table ([`read_mdriztab`]), the filter string, mdzhandler's row
//!   selection with its quirks, applying a row, and the defaults < arguments < table <
//!   arguments precedence ([`AstroDrizzleParams::resolve`]).
//!
//! It does not run any step and does not resolve `jref$`-style paths (the caller passes
//! the table's path). The fixtures in `testdata/params/` come from
//! `testdata/scripts/make_params_fixtures.py` run against drizzlepac 3.11.0.

mod access;
mod bitflags;
mod choices;
mod derived;
mod error;
mod files;
mod mdriztab;
mod mdz_apply;
mod params;
mod pytext;
mod suggest;
mod value;

pub use bitflags::{good_pixel, interpret_bit_flags};
pub use choices::{
    BlotInterp, Choice, CombineType, FinalUnits, Kernel, NotAnOption, ProcUnit, SkyMethod, SkyStat, WhtType,
};
pub use derived::WeightScale;
pub use error::ParamError;
pub use mdriztab::{MdriztabRow, MdzValue, filter_string, read_mdriztab, select_row};
pub use mdz_apply::IGNORED_MDRIZTAB_COLUMNS;
pub use params::{AstroDrizzleParams, ParamInfo};
pub use value::{ParamKind, ParamValue};
