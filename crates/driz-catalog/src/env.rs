//! Environment switches with the reference's parsing rules.
//!
//! Each reader has a variant taking a lookup function instead of the process environment,
//! so tests (ours and the pipeline's) never need `std::env::set_var`.

use crate::EnvError;
use std::time::Duration;

/// A source of environment values: the process environment or a test's map.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads the process environment (non-UTF-8 values are converted lossily).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

/// drizzlepac's boolean switch (`util.get_envvar_switch`): the value is stripped and
/// lower-cased; `on|yes|true` → true, `off|no|false` → false, anything else is an error
/// naming the variable and the valid values. Unset → `default`. Each read is logged at INFO
/// as drizzlepac does.
pub fn env_bool(name: &str, default: bool) -> Result<bool, EnvError> {
    env_bool_in(&process_env, name, default)
}

/// [`env_bool`] on a given lookup.
pub fn env_bool_in(env: EnvLookup<'_>, name: &str, default: bool) -> Result<bool, EnvError> {
    match env(name) {
        None => {
            tracing::info!("ENVVAR {name} not found, setting to default of {}.", python_bool(default));
            Ok(default)
        }
        Some(raw) => {
            let value = parse_switch(&raw).ok_or_else(|| EnvError {
                name: name.to_string(),
                value: raw.clone(),
                valid: "false, no, off, on, true, yes".to_string(),
            })?;
            tracing::info!("ENVVAR {name} found, setting to {}.", python_bool(value));
            Ok(value)
        }
    }
}

fn parse_switch(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "on" | "yes" | "true" => Some(true),
        "off" | "no" | "false" => Some(false),
        _ => None,
    }
}

fn python_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// stwcs's exact two-word switches (`ASTROMETRY_STEP_CONTROL`: on/off,
/// `RAISE_PIPELINE_ERRORS`: true/false): lower-cased but **not** stripped.
pub(crate) fn env_two_word(
    env: EnvLookup<'_>,
    name: &str,
    on: &str,
    off: &str,
    default: bool,
) -> Result<bool, EnvError> {
    match env(name) {
        None => Ok(default),
        Some(raw) => {
            let lower = raw.to_lowercase();
            if lower == on {
                Ok(true)
            } else if lower == off {
                Ok(false)
            } else {
                Err(EnvError { name: name.to_string(), value: raw, valid: format!("{on}, {off} (case-insensitive)") })
            }
        }
    }
}

/// A positive number of seconds from our own (non-reference) timeout variables; unset or
/// unparsable values give `None` (the latter with a warning, and the default applies).
pub(crate) fn env_seconds(env: EnvLookup<'_>, name: &str) -> Option<Duration> {
    let raw = env(name)?;
    match raw.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => Some(Duration::from_secs_f64(s)),
        _ => {
            tracing::warn!("ignoring {name}='{raw}': expected a positive number of seconds");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_words_follow_drizzlepac() {
        for (text, value) in [(" ON ", Some(true)), ("Yes", Some(true)), ("true\n", Some(true)), ("oFF", Some(false))] {
            assert_eq!(parse_switch(text), value, "{text:?}");
        }
        for text in ["1", "0", "", "enable", "y"] {
            assert_eq!(parse_switch(text), None, "{text:?}");
        }
    }

    #[test]
    fn env_bool_reports_name_and_valid_values() {
        let env = |k: &str| (k == "X_SWITCH").then(|| "maybe".to_string());
        let err = env_bool_in(&env, "X_SWITCH", true).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("X_SWITCH") && text.contains("maybe") && text.contains("false, no, off, on, true, yes"));
        assert!(env_bool_in(&env, "OTHER", true).unwrap());
        assert!(!env_bool_in(&env, "OTHER", false).unwrap());
    }

    #[test]
    fn stwcs_switches_do_not_strip() {
        let env = |k: &str| match k {
            "A" => Some("OFF".to_string()),
            "B" => Some(" off".to_string()),
            _ => None,
        };
        assert!(!env_two_word(&env, "A", "on", "off", true).unwrap());
        assert!(env_two_word(&env, "B", "on", "off", true).is_err());
        assert!(env_two_word(&env, "C", "on", "off", true).unwrap());
    }
}
