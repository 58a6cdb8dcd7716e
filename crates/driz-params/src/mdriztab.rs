//! Reading an MDRIZTAB reference table and choosing its row, as drizzlepac's mdzhandler.py
//! does (drizzle-algorithms.md Part 2 §11): filter string, row selection, value cleaning.

use crate::error::ParamError;
use driz_fits::{Column, Fits, HduKind};
use driz_header::{Header, Value};
use std::path::Path;

/// One MDRIZTAB cell after mdzhandler's cleaning.
#[derive(Debug, Clone, PartialEq)]
pub enum MdzValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A NaN float, or the integer null -2147483647 (IRAF's INDEFI).
    Null,
}

/// One table row: every column, in table order, named as in TTYPEn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MdriztabRow {
    pub values: Vec<(String, MdzValue)>,
}

impl MdriztabRow {
    /// The cell of the first column called `column` (case-insensitive, as astropy's
    /// `field()`, which mdzhandler uses for `filter` and `numimages`).
    pub fn get(&self, column: &str) -> Option<&MdzValue> {
        self.values.iter().find(|(name, _)| name.eq_ignore_ascii_case(column)).map(|(_, v)| v)
    }
}

/// Columns mdzhandler passes on (or tests) without the format-based cleaning: their values
/// are what astropy returns, so an integer -2147483647 stays an integer and NaN stays NaN.
const UNCLEANED: &[&str] =
    &["filter", "numimages", "shiftfile", "mdriztab", "refimage", "bits", "driz_sep_bits", "final_bits", "coeffs"];

/// How mdzhandler cleans a column, decided from its TFORM.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cleaning {
    /// Blank → ''.
    Text,
    /// 1 → True.
    Logical,
    /// -2147483647 → None.
    Int32,
    /// NaN → None.
    Float,
}

/// mdzhandler's format test, in its order. `findFormat` returns the first letter *of the
/// alphabet* (lower case first) present in the TFORM, so any TFORM containing 'A' (and no
/// lower-case letter) is text. The equality tests against '1L' and '1J' are astropy format
/// comparisons, which ignore a repeat count of 1 ('L' == '1L'). Anything else must contain
/// 'E'; every other TFORM ('D', 'I', 'K', 'B', '2J', ...) is rejected.
fn cleaning_for(tform: &str) -> Option<Cleaning> {
    let first_letter = ('a'..='z').chain('A'..='Z').find(|&c| tform.contains(c));
    if matches!(first_letter, Some('a' | 'A')) {
        return Some(Cleaning::Text);
    }
    let code_start = tform.find(|c: char| !c.is_ascii_digit()).unwrap_or(tform.len());
    let repeat = if code_start == 0 { Some(1) } else { tform[..code_start].parse::<u64>().ok() };
    match (repeat, &tform[code_start..]) {
        (Some(1), "L") => Some(Cleaning::Logical),
        (Some(1), "J") => Some(Cleaning::Int32),
        _ if tform.contains('E') => Some(Cleaning::Float),
        _ => None,
    }
}

/// Read every row of the MDRIZTAB binary table at `path` (the first extension). Columns are
/// cleaned by TFORM as mdzhandler does: text blank → '' (other text kept as is, leading
/// blanks included), `L` → Bool, `J` → Int with -2147483647 → Null, `E` → Float with NaN →
/// Null; the columns mdzhandler reads raw (`filter`, `numimages`, `shiftfile`, `mdriztab`,
/// `refimage`, `bits`, `driz_sep_bits`, `final_bits`, `coeffs`) keep their values. A column
/// of any other format is an error here, as it is in mdzhandler for any row it picks.
pub fn read_mdriztab(path: &Path) -> Result<Vec<MdriztabRow>, ParamError> {
    let bad = |message: String| ParamError::Mdriztab { path: path.to_path_buf(), message };
    let mut fits = Fits::open(path)?;
    if fits.hdus().len() < 2 {
        return Err(bad("no table extension".into()));
    }
    let nrows = match fits.hdu(1).kind {
        HduKind::BinTable { rows } | HduKind::AsciiTable { rows } => rows,
        _ => return Err(bad("extension 1 is not a table".into())),
    };
    let names = fits.column_names(1);
    for required in ["filter", "numimages"] {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(required)) {
            return Err(bad(format!("no '{required}' column")));
        }
    }
    let header = fits.hdu(1).header.clone();
    let mut rows = vec![MdriztabRow::default(); nrows];
    for (i, name) in names.iter().enumerate() {
        let tform = header.get_str(&format!("TFORM{}", i + 1)).ok().flatten().unwrap_or("").trim().to_string();
        let column = fits.read_column(1, name)?;
        let values = if UNCLEANED.contains(&name.as_str()) {
            raw_values(column)
        } else {
            let cleaning = cleaning_for(&tform).ok_or_else(|| {
                bad(format!("column '{name}' has format '{tform}', which mdzhandler does not accept"))
            })?;
            cleaned_values(column, cleaning)
        }
        .map_err(|what| bad(format!("column '{name}' (format '{tform}'): {what}")))?;
        for (row, value) in rows.iter_mut().zip(values) {
            row.values.push((name.clone(), value));
        }
    }
    Ok(rows)
}

fn raw_values(column: Column) -> Result<Vec<MdzValue>, String> {
    Ok(match column {
        Column::Text(v) => v.into_iter().map(MdzValue::Str).collect(),
        Column::Logical(v) => v.into_iter().map(MdzValue::Bool).collect(),
        Column::Integer(v) => v.into_iter().map(MdzValue::Int).collect(),
        Column::Float(v) => v.into_iter().map(MdzValue::Float).collect(),
        Column::FloatVector(_) => return Err("vector columns cannot hold a parameter".into()),
    })
}

/// IRAF's INDEFI, which mdzhandler's `cleanInt` maps to None (note: not i32::MIN).
const INDEF_INT: i64 = -2147483647;

fn cleaned_values(column: Column, cleaning: Cleaning) -> Result<Vec<MdzValue>, String> {
    Ok(match (cleaning, column) {
        (Cleaning::Text, Column::Text(v)) => v
            .into_iter()
            .map(|s| if s.trim().is_empty() { MdzValue::Str(String::new()) } else { MdzValue::Str(s) })
            .collect(),
        (Cleaning::Logical, Column::Logical(v)) => v.into_iter().map(MdzValue::Bool).collect(),
        (Cleaning::Int32, Column::Integer(v)) => {
            v.into_iter().map(|i| if i == INDEF_INT { MdzValue::Null } else { MdzValue::Int(i) }).collect()
        }
        (Cleaning::Float, Column::Float(v)) => {
            v.into_iter().map(|x| if x.is_nan() { MdzValue::Null } else { MdzValue::Float(x) }).collect()
        }
        (Cleaning::Float, Column::FloatVector(_)) => {
            return Err("vector columns cannot hold a parameter (mdzhandler fails converting them)".into());
        }
        (_, other) => return Err(format!("unexpected data type {other:?}")),
    })
}

/// fileutil.getFilterNames: the non-blank values of the instrument's two filter keywords,
/// joined with ',' (ACS `FILTER1,FILTER2`; WFC3 and NICMOS `FILTER,FILTER2`; WFPC2
/// `FILTNAM1,FILTNAM2`; STIS `OPT_ELEM,FILTER`). CLEAR and N/A values are kept; values keep
/// their leading blanks. A missing keyword counts as blank. Upstream raises for any other
/// instrument and for non-string filter values; here those give "" and are skipped, so an
/// unknown instrument selects the 'ANY' rows.
pub fn filter_string(instrument: &str, primary: &Header) -> String {
    let keys: &[&str] = match instrument.trim() {
        "ACS" => &["FILTER1", "FILTER2"],
        "WFPC2" => &["FILTNAM1", "FILTNAM2"],
        "STIS" => &["OPT_ELEM", "FILTER"],
        "NICMOS" | "WFC3" => &["FILTER", "FILTER2"],
        _ => &[],
    };
    keys.iter()
        .filter_map(|k| match primary.get(k) {
            Some(Value::Text(s)) if !s.trim().is_empty() => Some(s.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The row mdzhandler uses for `nimages` input files with filter string `filter`:
/// candidates are the rows whose `filter` equals it exactly (case and blanks count), or,
/// when there are none, the rows whose `filter` is 'ANY'. Scanning the candidates in table
/// order, the *last* one with `numimages <= nimages` wins (so an unsorted table can pick a
/// row with a smaller `numimages` than an earlier one). When no candidate qualifies, or
/// there are no candidates at all, the answer is row 0 of the whole table, whatever its
/// filter. `None` only for an empty table.
pub fn select_row(rows: &[MdriztabRow], filter: &str, nimages: usize) -> Option<usize> {
    if rows.is_empty() {
        return None;
    }
    let with_filter = |f: &str| -> Vec<usize> {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| matches!(r.get("filter"), Some(MdzValue::Str(s)) if s == f))
            .map(|(i, _)| i)
            .collect()
    };
    let mut candidates = with_filter(filter);
    if candidates.is_empty() {
        candidates = with_filter("ANY");
    }
    let qualifies = |row: &MdriztabRow| match row.get("numimages") {
        Some(MdzValue::Int(n)) => i128::try_from(nimages).unwrap_or(i128::MAX) >= i128::from(*n),
        Some(MdzValue::Float(x)) => nimages as f64 >= *x,
        Some(MdzValue::Bool(b)) => nimages >= usize::from(*b),
        _ => false,
    };
    Some(candidates.into_iter().rev().find(|&i| qualifies(&rows[i])).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_classes() {
        assert_eq!(cleaning_for("13A"), Some(Cleaning::Text));
        assert_eq!(cleaning_for("A"), Some(Cleaning::Text));
        assert_eq!(cleaning_for("1L"), Some(Cleaning::Logical));
        assert_eq!(cleaning_for("L"), Some(Cleaning::Logical));
        assert_eq!(cleaning_for("1J"), Some(Cleaning::Int32));
        assert_eq!(cleaning_for("J"), Some(Cleaning::Int32));
        assert_eq!(cleaning_for("1E"), Some(Cleaning::Float));
        assert_eq!(cleaning_for("2E"), Some(Cleaning::Float));
        for rejected in ["1D", "D", "1I", "K", "1K", "B", "2J", "2L", "1X"] {
            assert_eq!(cleaning_for(rejected), None, "{rejected}");
        }
    }

    #[test]
    fn filter_string_of_unknown_instrument_is_empty() {
        let mut h = Header::new();
        h.set("FILTER", "F555W");
        assert_eq!(filter_string("WFC3", &h), "F555W");
        assert_eq!(filter_string("FOC", &h), "");
    }

    fn row(filter: &str, n: i64) -> MdriztabRow {
        MdriztabRow {
            values: vec![("filter".into(), MdzValue::Str(filter.into())), ("numimages".into(), MdzValue::Int(n))],
        }
    }

    #[test]
    fn selection_quirks() {
        let rows = [row("F555W", 1), row("F555W", 3), row("F555W", 2), row("ANY", 1), row("ANY", 5), row("F814W", 4)];
        assert_eq!(select_row(&rows, "F555W", 1), Some(0));
        // Last qualifying row in table order, not the largest numimages.
        assert_eq!(select_row(&rows, "F555W", 3), Some(2));
        assert_eq!(select_row(&rows, "F475W", 4), Some(3));
        assert_eq!(select_row(&rows, "F475W", 5), Some(4));
        // No qualifying row: row 0 of the table, an F555W row.
        assert_eq!(select_row(&rows, "F814W", 3), Some(0));
        assert_eq!(select_row(&rows, "f555w", 3), Some(3));
        assert_eq!(select_row(&[], "F555W", 3), None);
        assert_eq!(select_row(&[row("F555W", 1)], "X", 3), Some(0));
    }
}
