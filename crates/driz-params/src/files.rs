//! Parameter files: the whole set written as TOML (sections as tables, cfg order), and
//! partial sets read from TOML or JSON on top of an existing set.

use crate::error::ParamError;
use crate::params::{AstroDrizzleParams, PARAMS};
use crate::value::ParamValue;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// TOML has no null, so None is written as this string, which every `*_or_none` parameter
/// reads back as None (configobj's spelling).
const TOML_NONE: &str = "None";

impl AstroDrizzleParams {
    /// Every parameter in astrodrizzle.cfg order, top-level ones first, then one TOML table
    /// per cfg section named as in the cfg (`["STEP 4: CREATE MEDIAN IMAGE"]`). None is
    /// written as `"None"`. [`Self::apply_toml`] reads it back to an equal set.
    pub fn dump_toml(&self) -> String {
        let mut out = String::new();
        out.push_str("# AstroDrizzle parameters, in the order of drizzlepac 3.11.0's pars/astrodrizzle.cfg.\n");
        out.push_str("# TOML has no null: \"None\" stands for Python's None.\n");
        let mut section = "";
        let mut outside_cfg = false;
        for info in PARAMS {
            if info.section != section {
                section = info.section;
                let _ = write!(out, "\n[{}]\n", toml_string(section));
            }
            if !info.in_cfg && !outside_cfg {
                outside_cfg = true;
                out.push_str("# Not in astrodrizzle.cfg: keyword arguments of AstroDrizzle().\n");
            }
            let value = self.value_of(info.name).expect("every listed parameter has a value");
            let _ = writeln!(out, "{} = {}", info.name, toml_scalar(&value));
        }
        out
    }

    /// Set the parameters a TOML text names, on top of the current values. Keys are
    /// parameter names (case-insensitive), at the top level or inside tables; table names are
    /// free (the cfg section names of [`Self::dump_toml`] are the natural choice). Strings
    /// are parsed as by [`Self::set`], so `"None"` gives None. Either every key is applied or,
    /// on error, none. Returns the names set.
    pub fn apply_toml(&mut self, text: &str) -> Result<Vec<&'static str>, ParamError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| ParamError::Syntax { format: "TOML", message: e.to_string() })?;
        let mut entries = Vec::new();
        for (key, value) in &table {
            match value {
                toml::Value::Table(section) => {
                    for (inner, v) in section {
                        entries.push((inner.clone(), from_toml(&format!("{key}.{inner}"), v)?));
                    }
                }
                v => entries.push((key.clone(), from_toml(key, v)?)),
            }
        }
        self.apply_entries(entries)
    }

    /// Set the parameters a JSON object names, on top of the current values: either flat
    /// (`{"final_bits": "336"}`) or one level of section objects. null is None; numbers,
    /// booleans and strings are converted as by [`Self::set_value`]. All or nothing, like
    /// [`Self::apply_toml`]. Returns the names set.
    pub fn apply_json(&mut self, text: &str) -> Result<Vec<&'static str>, ParamError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ParamError::Syntax { format: "JSON", message: e.to_string() })?;
        let serde_json::Value::Object(object) = value else {
            return Err(ParamError::Syntax { format: "JSON", message: "the top level must be an object".into() });
        };
        let mut entries = Vec::new();
        for (key, value) in &object {
            match value {
                serde_json::Value::Object(section) => {
                    for (inner, v) in section {
                        entries.push((inner.clone(), from_json(&format!("{key}.{inner}"), v)?));
                    }
                }
                v => entries.push((key.clone(), from_json(key, v)?)),
            }
        }
        self.apply_entries(entries)
    }

    /// [`Self::apply_toml`] or [`Self::apply_json`] on a file, chosen by its extension
    /// (.toml / .json, any case). Errors name the file.
    pub fn apply_file(&mut self, path: impl AsRef<Path>) -> Result<Vec<&'static str>, ParamError> {
        let path = path.as_ref();
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let apply: fn(&mut Self, &str) -> Result<Vec<&'static str>, ParamError> = match ext.as_deref() {
            Some("toml") => Self::apply_toml,
            Some("json") => Self::apply_json,
            _ => return Err(ParamError::UnknownFormat { path: path.to_path_buf() }),
        };
        let text =
            std::fs::read_to_string(path).map_err(|source| ParamError::Io { path: path.to_path_buf(), source })?;
        apply(self, &text).map_err(|e| e.in_file(path))
    }

    fn apply_entries(&mut self, entries: Vec<(String, ParamValue)>) -> Result<Vec<&'static str>, ParamError> {
        let mut next = self.clone();
        let mut seen = HashSet::new();
        let mut names = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = Self::canonical(&key)?;
            if !seen.insert(name) {
                return Err(ParamError::Duplicate { name: name.to_string() });
            }
            next.set_value(name, &value)?;
            names.push(name);
        }
        *self = next;
        Ok(names)
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_scalar(v: &ParamValue) -> String {
    match v {
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Float(x) => toml::Value::Float(*x).to_string(),
        ParamValue::Str(s) => toml_string(s),
        ParamValue::Null => toml_string(TOML_NONE),
    }
}

fn from_toml(key: &str, v: &toml::Value) -> Result<ParamValue, ParamError> {
    Ok(match v {
        toml::Value::String(s) => ParamValue::Str(s.clone()),
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(x) => ParamValue::Float(*x),
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::Table(_) => return Err(not_scalar("TOML", key, "a table nested inside a section")),
        toml::Value::Array(_) => return Err(not_scalar("TOML", key, "an array")),
        toml::Value::Datetime(_) => return Err(not_scalar("TOML", key, "a date")),
    })
}

fn from_json(key: &str, v: &serde_json::Value) -> Result<ParamValue, ParamError> {
    Ok(match v {
        serde_json::Value::Null => ParamValue::Null,
        serde_json::Value::Bool(b) => ParamValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => ParamValue::Int(i),
            None => ParamValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => ParamValue::Str(s.clone()),
        serde_json::Value::Object(_) => return Err(not_scalar("JSON", key, "an object nested inside a section")),
        serde_json::Value::Array(_) => return Err(not_scalar("JSON", key, "an array")),
    })
}

fn not_scalar(format: &'static str, key: &str, what: &str) -> ParamError {
    ParamError::Syntax { format, message: format!("key '{key}' holds {what}; parameter values are scalars") }
}
