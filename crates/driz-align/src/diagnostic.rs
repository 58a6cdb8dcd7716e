//! drizzlepac's diagnostic JSON files (`haputils.diagnostic_utils.HapDiagnostic`): the
//! layout (`header`, `general information`, `data` sections), the values it derives from
//! the primary header, and the text Python's `json.dump(..., indent=4)` writes.

use driz_header::{Header, Value, python_float_repr};
use std::fmt::Write as _;

/// A JSON value with its keys in insertion order, as Python's dicts keep them.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn str(s: &str) -> Json {
        Json::Str(s.to_string())
    }

    pub fn floats(values: &[f64]) -> Json {
        Json::List(values.iter().map(|&v| Json::Float(v)).collect())
    }

    /// Object from `(key, value)` pairs; a repeated key keeps its first position and takes
    /// the last value, as assigning into a Python dict does.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
        let mut out: Vec<(String, Json)> = Vec::new();
        for (k, v) in pairs {
            let k = k.into();
            match out.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => out.push((k, v)),
            }
        }
        Json::Object(out)
    }

    /// Python `json.dumps(self, indent=4)` (ASCII output, NaN/Infinity allowed).
    pub fn to_python_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, level: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::Float(f) => out.push_str(&json_float(*f)),
            Json::Str(s) => write_string(out, s),
            Json::List(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(items) if items.is_empty() => out.push_str("{}"),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, level + 1);
                    item.write(out, level + 1);
                }
                out.push('\n');
                indent(out, level);
                out.push(']');
            }
            Json::Object(items) => {
                out.push('{');
                for (i, (key, item)) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, level + 1);
                    write_string(out, key);
                    out.push_str(": ");
                    item.write(out, level + 1);
                }
                out.push('\n');
                indent(out, level);
                out.push('}');
            }
        }
    }
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n(' ', 4 * level));
}

/// `float.__repr__`, with the spellings Python's json module uses for non-finite values.
fn json_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        python_float_repr(v)
    }
}

/// Python's `json` string escaping with `ensure_ascii=True`.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The run-wide time stamp `run_all` hands to every file: local `MM/DD/YYYYTHH:MM:SS` and
/// seconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonTimestamp {
    pub local: String,
    pub seconds_since_epoch: f64,
}

impl JsonTimestamp {
    pub fn now() -> JsonTimestamp {
        let now = chrono::Local::now();
        let seconds = now.timestamp() as f64 + f64::from(now.timestamp_subsec_micros()) * 1e-6;
        JsonTimestamp { local: now.format("%m/%d/%YT%H:%M:%S").to_string(), seconds_since_epoch: seconds }
    }
}

/// What an installed drizzlepac reports as its git revision (no `.git` next to it).
const COMMIT_ID: &str = "main";

/// Drizzle-parameter keywords (`D001VER`, …) dropped from the header section: `re.match`
/// of `D\d+<SUFFIX>`, i.e. a prefix match.
const DRIZZLE_SUFFIXES: [&str; 17] = [
    "VER", "GEOM", "DATA", "DEXP", "OUDA", "OUWE", "OUCO", "MASK", "WTSC", "KERN", "PIXF", "COEF", "OUUN", "FVAL",
    "WKEY", "SCAL", "ISCL",
];

fn is_drizzle_keyword(key: &str) -> bool {
    let Some(rest) = key.strip_prefix('D') else { return false };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && DRIZZLE_SUFFIXES.iter().any(|s| rest[digits..].starts_with(s))
}

/// A header value as astropy hands it to `json.dump`; values json cannot serialise
/// (undefined, complex, unreadable) are errors, as the `TypeError` they raise.
fn header_value(key: &str, value: Option<&Value>, comment: &str) -> Result<Json, String> {
    match value {
        Some(Value::Logical(b)) => Ok(Json::Bool(*b)),
        Some(Value::Integer(i)) => Ok(Json::Int(*i)),
        Some(Value::Float(f)) => Ok(Json::Float(*f)),
        Some(Value::Text(s)) => Ok(Json::Str(s.clone())),
        // A valueless card under an ordinary keyword: astropy returns its text.
        None => Ok(Json::Str(comment.trim_end().to_string())),
        Some(other) => Err(format!("header keyword {key}: a {} value is not JSON serializable", other.type_name())),
    }
}

fn text<'a>(header: &'a Header, key: &str) -> Result<&'a str, String> {
    match header.get(key) {
        Some(Value::Text(s)) => Ok(s),
        Some(other) => Err(format!("keyword {key} is a {}, not a string", other.type_name())),
        None => Err(format!("keyword {key} not found")),
    }
}

fn value(header: &Header, key: &str) -> Result<Json, String> {
    let card = header.card(key).ok_or_else(|| format!("keyword {key} not found"))?;
    header_value(key, card.value.as_ref(), &card.comment)
}

/// `poller_utils.determine_filter_name`.
pub fn determine_filter_name(raw: &str) -> String {
    let raw = raw.to_lowercase();
    let mut kept: Vec<&str> = raw.split(';').take(2).filter(|f| !f.contains("clear") && !f.contains("n/a")).collect();
    if kept.is_empty() {
        return "clear".into();
    }
    if kept[0].starts_with("pol") {
        kept.reverse();
    }
    kept.join("-").trim_end_matches('-').to_string()
}

/// `extract_visit_from_header`. PRIMESI is lower-cased and compared with INSTRUME as
/// written (upper case in HST files), so the LINENUM branch is taken only for lower-case
/// INSTRUME values; otherwise the visit comes from the file name.
fn visit(header: &Header) -> Result<String, String> {
    if text(header, "PRIMESI")?.to_lowercase() == text(header, "INSTRUME")? {
        return Ok(text(header, "LINENUM")?.split('.').next().unwrap_or("").to_string());
    }
    let filename = text(header, "FILENAME")?;
    let parts: Vec<&str> = filename.split('_').collect();
    if parts.len() > 2 { Ok(parts[2].to_string()) } else { Ok(parts[0].chars().skip(4).take(2).collect()) }
}

/// The `header` and `general information` sections of `HapDiagnostic.instantiate_from_fitsfile`.
pub fn header_sections(
    primary: &Header,
    data_source: &str,
    description: &str,
    timestamp: &JsonTimestamp,
) -> Result<Vec<(String, Json)>, String> {
    let instrument = text(primary, "INSTRUME")?;
    // The filter is looked up first (a missing keyword fails there), as in the reference.
    let filter_keys: &[&str] = match instrument.to_lowercase().as_str() {
        "acs" => &["FILTER1", "FILTER2"],
        "wfc3" => &["FILTER"],
        "wfpc2" => &["FILTNAM1", "FILTNAM2"],
        _ => return Err("Invalid instrument.".into()),
    };
    for key in filter_keys {
        text(primary, key)?;
    }

    let mut removed: Vec<&str> = vec!["", "HISTORY", "COMMENT"];
    match instrument {
        "ACS" => removed.extend(["FILTER1", "FILTER2"]),
        "WFC3" => removed.push("FILTER"),
        "WFPC2" => removed.extend(["FILTNAM1", "FILTNAM2"]),
        _ => {}
    }
    let mut header: Vec<(String, Json)> = Vec::new();
    for card in primary.cards() {
        let key = card.keyword.as_str();
        if removed.contains(&key) || is_drizzle_keyword(key) || header.iter().any(|(k, _)| k == key) {
            continue;
        }
        header.push((key.to_string(), header_value(key, card.value.as_ref(), &card.comment)?));
    }

    // astropy's wildcard 'filter*' (or 'filtnam*'): every keyword with that prefix, in order.
    let prefix = if instrument == "WFPC2" { "FILTNAM" } else { "FILTER" };
    let mut filters = Vec::new();
    for card in primary.cards().iter().filter(|c| c.keyword.starts_with(prefix)) {
        match &card.value {
            Some(Value::Text(s)) => filters.push(s.as_str()),
            _ => return Err(format!("keyword {} is not a string", card.keyword)),
        }
    }
    let rootname = text(primary, "ROOTNAME")?;
    let parts: Vec<&str> = rootname.split('_').collect();
    let dataset = if parts.len() > 2 { parts[parts.len() - 1] } else { parts[0] };
    let filename = match header.iter().find(|(k, _)| k == "FILENAME") {
        Some((_, Json::Str(s))) => s.clone(),
        _ => return Err("keyword FILENAME not found".into()),
    };
    let index: String = filename.chars().take(filename.chars().count().saturating_sub(9)).collect();
    let (date, time) = timestamp.local.split_once('T').unwrap_or((timestamp.local.as_str(), ""));

    let general = vec![
        ("telescope".to_string(), value(primary, "TELESCOP")?),
        ("proposal_id".into(), value(primary, "PROPOSID")?),
        ("instrument".into(), value(primary, "INSTRUME")?),
        ("detector".into(), value(primary, "DETECTOR")?),
        ("visit".into(), Json::Str(visit(primary)?)),
        ("filter".into(), Json::Str(determine_filter_name(&filters.join(";")))),
        ("dataset".into(), Json::str(dataset)),
        ("dataframe_index".into(), Json::Str(index)),
        ("imgname".into(), Json::Str(filename)),
        ("generation date".into(), Json::str(date)),
        ("generation time".into(), Json::str(time)),
        ("seconds since epoch".into(), Json::Float(timestamp.seconds_since_epoch)),
        ("commit id".into(), Json::str(COMMIT_ID)),
        ("data_source".into(), Json::str(data_source)),
        ("description".into(), Json::str(description)),
    ];
    Ok(vec![("header".into(), Json::Object(header)), ("general information".into(), Json::Object(general))])
}

/// `HapDiagnostic.add_data_item` for a plain dict.
pub fn dict_item(item_description: &str, data: Json, descriptions: Json, units: Json) -> Json {
    Json::object([
        ("original format", Json::str("<class 'dict'>")),
        ("description", Json::str(item_description)),
        ("data", data),
        ("descriptions", descriptions),
        ("units", units),
    ])
}

/// `HapDiagnostic.add_data_item` for an astropy Table of float64 columns without unit or
/// format (`_astropy_table_to_dict`).
pub fn table_item(item_description: &str, columns: &[(String, Vec<f64>)], descriptions: Json, units: Json) -> Json {
    let table = Json::Object(
        columns
            .iter()
            .map(|(name, values)| {
                let column = Json::object([
                    ("dtype", Json::str("float64")),
                    ("unit", Json::str("None")),
                    ("format", Json::Null),
                    ("data", Json::floats(values)),
                ]);
                (name.clone(), column)
            })
            .collect(),
    );
    Json::object([
        ("original format", Json::str("<class 'astropy.table.table.Table'>")),
        ("description", Json::str(item_description)),
        ("data", table),
        ("descriptions", descriptions),
        ("units", units),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_text() {
        let doc = Json::object([
            ("a", Json::List(vec![Json::Float(1.0), Json::Float(1e-5), Json::Float(f64::NAN), Json::Int(-1)])),
            ("b", Json::Object(vec![])),
            ("c", Json::Null),
            ("d", Json::str("é\"\n")),
        ]);
        let expected = "{\n    \"a\": [\n        1.0,\n        1e-05,\n        NaN,\n        -1\n    ],\n    \"b\": {},\n    \"c\": null,\n    \"d\": \"\\u00e9\\\"\\n\"\n}";
        assert_eq!(doc.to_python_json(), expected);
    }

    #[test]
    fn filter_names() {
        assert_eq!(determine_filter_name("F606W;CLEAR2L"), "f606w");
        assert_eq!(determine_filter_name("CLEAR1L;CLEAR2L"), "clear");
        assert_eq!(determine_filter_name("POL60V;F606W"), "f606w-pol60v");
        assert_eq!(determine_filter_name("F140LP;N/A;F140LP"), "f140lp");
    }

    #[test]
    fn drizzle_keywords() {
        assert!(is_drizzle_keyword("D001VER"));
        assert!(is_drizzle_keyword("D012OUDA"));
        assert!(!is_drizzle_keyword("DATE"));
        assert!(!is_drizzle_keyword("DVER"));
    }
}
