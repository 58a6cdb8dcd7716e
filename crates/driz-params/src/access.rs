//! Access by name: listing, reading and setting parameters the way a `--param name=value`
//! option, a parameter file or an MDRIZTAB row names them.

use crate::error::ParamError;
use crate::params::{AstroDrizzleParams, NAMES, PARAMS, ParamInfo};
use crate::suggest::closest_names;
use crate::value::ParamValue;

impl AstroDrizzleParams {
    /// Every parameter name, in astrodrizzle.cfg order (`mdriztab` and `updatewcs`, which
    /// are not in the cfg, close the top-level group).
    pub fn names() -> &'static [&'static str] {
        NAMES
    }

    /// Name, section, kind of every parameter, in the order of [`Self::names`].
    pub fn info() -> &'static [ParamInfo] {
        PARAMS
    }

    /// The parameter called `name` (case-insensitive, surrounding blanks ignored).
    pub fn lookup(name: &str) -> Option<&'static ParamInfo> {
        let name = name.trim();
        PARAMS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn canonical(name: &str) -> Result<&'static str, ParamError> {
        Self::lookup(name).map(|p| p.name).ok_or_else(|| ParamError::UnknownName {
            name: name.trim().to_string(),
            suggestions: closest_names(name.trim(), NAMES),
        })
    }

    /// Current value of `name` (case-insensitive); `None` for an unknown name.
    pub fn get(&self, name: &str) -> Option<ParamValue> {
        self.value_of(Self::lookup(name)?.name)
    }

    /// Set `name` (case-insensitive) from text, as configobj validates a cfg entry: '', None,
    /// NONE and INDEF are None for the `*_or_none` parameters; booleans take
    /// True/False/yes/no/on/off/1/0 in any case; numbers follow Python's `int()`/`float()`;
    /// option lists are case-sensitive; strings are taken verbatim.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        self.set_value(name, &ParamValue::Str(value.to_string()))
    }

    /// Set from `name=value` (split at the first '='; blanks around both halves removed).
    pub fn set_pair(&mut self, assignment: &str) -> Result<(), ParamError> {
        let (name, value) = assignment.split_once('=').ok_or_else(|| ParamError::Syntax {
            format: "parameter assignment",
            message: format!("'{assignment}' is not of the form name=value"),
        })?;
        self.set(name, value.trim())
    }

    /// Set `name` from an already typed value (from TOML, JSON or an MDRIZTAB cell).
    /// Integral floats are accepted for integer parameters and numbers for string
    /// parameters (stored as Python's `str()` of them).
    pub fn set_value(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        let info = Self::lookup(name).ok_or_else(|| ParamError::UnknownName {
            name: name.trim().to_string(),
            suggestions: closest_names(name.trim(), NAMES),
        })?;
        match self.store(info.name, value) {
            Some(true) => Ok(()),
            _ => Err(ParamError::invalid(info.name, describe(value), info.kind.expected())),
        }
    }
}

/// A value for an error message: strings as written, other values with their type.
fn describe(v: &ParamValue) -> String {
    match v {
        ParamValue::Str(s) => s.clone(),
        ParamValue::Bool(_) => format!("{v} (boolean)"),
        ParamValue::Int(_) => format!("{v} (integer)"),
        ParamValue::Float(_) => format!("{v} (float)"),
        ParamValue::Null => "None".into(),
    }
}
