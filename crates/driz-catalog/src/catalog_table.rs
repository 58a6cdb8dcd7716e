//! Turning catalog text (the service's CSV, or a local CSV/ECSV file) into a [`RefCatalog`]:
//! column renames per catalog as drizzlepac's `SUPPORTED_CATALOGS`, and its final order.

use crate::python_format::py_float;
use crate::{CatalogError, RefCatalog, RefStar};

/// Header names and string cells of a parsed text table.
pub(crate) struct TextTable {
    pub names: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Names of the RA, DEC, magnitude and identifier columns as the service returns them for
/// the catalogs drizzlepac knows (`SUPPORTED_CATALOGS`, keyed by upper-case name).
fn service_column_names(catalog: &str) -> Option<[&'static str; 4]> {
    match catalog.to_uppercase().as_str() {
        "GAIAEDR3" | "GAIADR2" | "GAIADR1" | "GSC242" | "GSC241" => Some(["ra", "dec", "mag", "objID"]),
        "2MASS" | "PS1DR2" | "PS1BEST" => Some(["ra", "dec", "mag", "objid"]),
        _ => None,
    }
}

/// Column index by exact name first, then case-insensitively (local files may say `RA`).
pub(crate) fn find_column(names: &[String], wanted: &str) -> Option<usize> {
    names.iter().position(|n| n == wanted).or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(wanted)))
}

/// Builds the catalog: RA, DEC, mag and objID of each row, ordered by magnitude from faint
/// to bright as drizzlepac's `Table.sort('mag', reverse=True)`; rows without a magnitude
/// (NaN, which numpy sorts last before the reversal) come first. drizzlepac's order of
/// exactly equal magnitudes comes from numpy's unstable (SIMD, CPU-dependent) argsort and
/// cannot be reproduced portably: here ties keep their file order.
/// A table without rows is an empty catalog whatever its columns (drizzlepac returns
/// before renaming anything).
pub(crate) fn table_to_catalog(table: TextTable, catalog: &str, source_name: &str) -> Result<RefCatalog, CatalogError> {
    if table.rows.is_empty() {
        return Ok(RefCatalog { name: catalog.to_string(), stars: Vec::new() });
    }
    let wanted = service_column_names(catalog).unwrap_or(["RA", "DEC", "mag", "objID"]);
    let missing = |column: &str| CatalogError::MissingColumn {
        source_name: source_name.to_string(),
        column: column.to_string(),
        available: table.names.join(","),
    };
    let ra_col = find_column(&table.names, wanted[0]).ok_or_else(|| missing(wanted[0]))?;
    let dec_col = find_column(&table.names, wanted[1]).ok_or_else(|| missing(wanted[1]))?;
    let mag_col = find_column(&table.names, wanted[2]);
    let id_col = find_column(&table.names, wanted[3]);

    let mut stars = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let number = |col: usize, what: &str| -> Result<f64, CatalogError> {
            let cell = row.get(col).map(String::as_str).unwrap_or("");
            py_float(cell).ok_or_else(|| CatalogError::Parse {
                source_name: source_name.to_string(),
                message: format!("data row {}: {what} '{cell}' is not a number", i + 1),
            })
        };
        let ra = number(ra_col, "RA")?;
        let dec = number(dec_col, "DEC")?;
        let mag = match mag_col {
            Some(c) if !row[c].is_empty() => number(c, "mag")?,
            _ => f64::NAN,
        };
        let obj_id = id_col.map(|c| row[c].clone()).unwrap_or_default();
        stars.push(RefStar { ra, dec, mag, obj_id });
    }
    if mag_col.is_some() {
        // Descending in total order: NaN (parsed NaNs are positive) first, like numpy's
        // ascending sort (NaN last) reversed; the sort is stable for ties.
        stars.sort_by(|a, b| b.mag.total_cmp(&a.mag));
    }
    Ok(RefCatalog { name: catalog.to_string(), stars })
}

/// Splits text into lines on `\n`, dropping a trailing `\r` (the service uses CRLF).
pub(crate) fn lines(text: &str) -> Vec<&str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect()
}

/// A comma-separated table whose first line is the header; blank lines are skipped.
pub(crate) fn parse_csv(lines: &[&str], source_name: &str) -> Result<TextTable, CatalogError> {
    let body: Vec<&str> = lines.iter().copied().filter(|l| !l.trim().is_empty()).collect();
    if body.is_empty() {
        return Ok(TextTable { names: Vec::new(), rows: Vec::new() });
    }
    let joined = body.join("\n");
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(joined.as_bytes());
    let parse_error =
        |e: csv::Error| CatalogError::Parse { source_name: source_name.to_string(), message: format!("CSV: {e}") };
    let names: Vec<String> = reader.headers().map_err(parse_error)?.iter().map(|h| h.trim().to_string()).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(parse_error)?;
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(TextTable { names, rows })
}

/// A whitespace-separated table (ECSV body, `ascii.commented_header`), double quotes
/// grouping a cell that contains spaces.
pub(crate) fn parse_whitespace(
    names: Vec<String>,
    lines: &[&str],
    source_name: &str,
) -> Result<TextTable, CatalogError> {
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let cells = split_whitespace_quoted(line);
        if cells.len() != names.len() {
            return Err(CatalogError::Parse {
                source_name: source_name.to_string(),
                message: format!("line {}: {} values for {} columns", i + 1, cells.len(), names.len()),
            });
        }
        rows.push(cells);
    }
    Ok(TextTable { names, rows })
}

pub(crate) fn split_whitespace_quoted(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut cell = String::new();
        if first == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        cell.push('"');
                    } else {
                        break;
                    }
                } else {
                    cell.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                cell.push(c);
                chars.next();
            }
        }
        cells.push(cell);
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_keep_spaces() {
        assert_eq!(split_whitespace_quoted(r#" 1.0  "a b" c"#), vec!["1.0", "a b", "c"]);
        assert_eq!(split_whitespace_quoted(r#""say ""hi""" x"#), vec![r#"say "hi""#, "x"]);
    }
}
