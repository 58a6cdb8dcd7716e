//! `get_blended_headers`: the four blended headers and the HDRTAB table from the headers
//! of every input chip.

use crate::aggregate::{BlendValue, aggregate};
use crate::astropy_edit::CardList;
use crate::error::BlendError;
use crate::rules::{Rule, RuleAction, RuleSet};
use crate::table::{ColumnData, HeaderTable, TableColumn};
use driz_header::{Header, Value};

/// fitsblender's version as reported in BLENDVER.
pub const BLENDVER: &str = "1.2.0";

/// The headers fitsblender reads for one input chip (`file.fits[SCI,n]`), as stored in
/// the file: the PRIMARY header and the SCI, ERR and DQ headers with EXTVER `n`.
/// A file without ERR (or DQ) extensions has `None` there; the SCI header stands in.
#[derive(Debug, Clone)]
pub struct ChipHeaders {
    pub primary: Header,
    pub sci: Header,
    pub err: Option<Header>,
    pub dq: Option<Header>,
}

/// What fitsblender returns: the headers the drizzle product's PRIMARY, SCI, WHT and
/// CTX extensions start from, and the HDRTAB table.
#[derive(Debug, Clone)]
pub struct BlendedHeaders {
    pub primary: Header,
    pub sci: Header,
    /// Template of the WHT extension (from the inputs' ERR headers).
    pub err: Header,
    /// Template of the CTX extension (from the inputs' DQ headers).
    pub dq: Header,
    /// `None` only when the rules define no table column.
    pub table: Option<HeaderTable>,
}

/// One chip's headers after fitsblender's template preparation.
struct Template {
    primary: Header,
    sci: Header,
    err: Header,
    dq: Header,
}

impl Template {
    fn new(chip: &ChipHeaders) -> Template {
        let mut primary = CardList::from_header(&chip.primary);
        // Deleting PCOUNT first: when it is absent the GCOUNT deletion never happens.
        if primary.contains("PCOUNT") {
            primary.delete_all("PCOUNT");
            primary.delete_all("GCOUNT");
        }
        let unitless = |h: &Header| {
            let mut cards = CardList::from_header(h);
            cards.set("BUNIT", &BlendValue::Text("UNITLESS".into()), None);
            cards.into_header()
        };
        Template {
            primary: primary.into_header(),
            sci: chip.sci.clone(),
            err: unitless(chip.err.as_ref().unwrap_or(&chip.sci)),
            dq: unitless(chip.dq.as_ref().unwrap_or(&chip.sci)),
        }
    }
}

/// Blend the headers of the input chips, in drizzle order, as
/// `fitsblender.blendheaders.get_blended_headers(inputs=["file[SCI,n]", ...])` does.
///
/// `rules_dir` is the directory written into RULEFILE in front of the rules file name
/// (fitsblender writes the path of its installed copy).
pub fn blend_headers(inputs: &[ChipHeaders], rules_dir: &str) -> Result<BlendedHeaders, BlendError> {
    if inputs.is_empty() {
        return Err(BlendError::NoInputs);
    }
    let templates: Vec<Template> = inputs.iter().map(Template::new).collect();

    // One primary header per exposure, keyed by ROOTNAME (or FILENAME).
    let mut roots: Vec<String> = Vec::new();
    let mut primaries: Vec<&Header> = Vec::new();
    for (index, t) in templates.iter().enumerate() {
        let key = if t.primary.contains("ROOTNAME") { "ROOTNAME" } else { "FILENAME" };
        let root = match t.primary.get(key) {
            Some(Value::Text(s)) => s.trim().to_string(),
            Some(_) => return Err(BlendError::NotText { index, keyword: key }),
            None => return Err(BlendError::MissingKeyword { index, keyword: key }),
        };
        if !roots.contains(&root) {
            roots.push(root);
            primaries.push(&t.primary);
        }
    }

    // fitsblender identifies instruments from the first `number of exposures` chips,
    // not from one chip per exposure; the rule sets are merged in order of appearance.
    let mut instruments: Vec<String> = Vec::new();
    let mut rules: Option<RuleSet> = None;
    for (index, t) in templates.iter().take(primaries.len()).enumerate() {
        let instrument = text_keyword(&t.primary, index, "INSTRUME")?;
        let telescope = text_keyword(&t.primary, index, "TELESCOP")?;
        let inst = instrument.to_lowercase();
        if instruments.contains(&inst) {
            continue;
        }
        instruments.push(inst);
        let set = RuleSet::for_instrument(&instrument, &telescope)?;
        match rules.as_mut() {
            None => rules = Some(set),
            Some(first) => first.merge(&set),
        }
    }
    let rules = rules.ok_or(BlendError::NoInputs)?;

    let mut primary = apply(&rules.rules, &primaries)?.0;
    add_rules_keywords(&mut primary, &rules, rules_dir);
    let sci = apply(&rules.rules, &templates.iter().map(|t| &t.sci).collect::<Vec<_>>())?.0;
    let err = apply(&rules.rules, &templates.iter().map(|t| &t.err).collect::<Vec<_>>())?.0;
    let dq = apply(&rules.rules, &templates.iter().map(|t| &t.dq).collect::<Vec<_>>())?.0;

    let rows: Vec<[&Header; 2]> = templates.iter().map(|t| [&t.primary, &t.sci]).collect();
    let table = build_table(&rules.rules, &rows)?;

    Ok(BlendedHeaders {
        primary: primary.into_header(),
        sci: sci.into_header(),
        err: err.into_header(),
        dq: dq.into_header(),
        table,
    })
}

fn text_keyword(header: &Header, index: usize, keyword: &'static str) -> Result<String, BlendError> {
    match header.get(keyword) {
        Some(Value::Text(s)) => Ok(s.clone()),
        Some(_) => Err(BlendError::NotText { index, keyword }),
        None => Err(BlendError::MissingKeyword { index, keyword }),
    }
}

/// The value of `keyword` in the first of `headers` that has it (a concatenated
/// PRIMARY+SCI header answers with its first occurrence).
fn lookup(headers: &[&Header], keyword: &str) -> Result<Option<BlendValue>, BlendError> {
    for h in headers {
        if let Some(value) = h.get(keyword) {
            return BlendValue::from_header(keyword, value);
        }
    }
    Ok(None)
}

/// fitsblender's `KeywordRules.apply` for one kind of header: start from the first
/// header, drop the keywords that only go to the table, set the combined values.
fn apply(rules: &[Rule], headers: &[&Header]) -> Result<(CardList, Vec<String>), BlendError> {
    // Combined values by target, in order of first appearance (a later rule with the
    // same target replaces the value but keeps the place).
    let mut combined: Vec<(String, BlendValue)> = Vec::new();
    for rule in rules {
        let RuleAction::Aggregate(func) = rule.action else { continue };
        let mut values = Vec::new();
        for h in headers {
            if let Some(v) = lookup(&[h], &rule.source)? {
                values.push(v);
            }
        }
        if values.is_empty() {
            continue;
        }
        let result = aggregate(&rule.source, func, &values)?;
        match combined.iter_mut().find(|(k, _)| *k == rule.target) {
            Some(entry) => entry.1 = result,
            None => combined.push((rule.target.clone(), result)),
        }
    }
    let mut out = CardList::from_header(headers[0]);
    let table_only: Vec<String> = rules
        .iter()
        .filter(|r| r.is_column() && !combined.iter().any(|(k, _)| *k == r.target))
        .map(|r| r.target.clone())
        .collect();
    for keyword in &table_only {
        out.delete_all(keyword);
    }
    for (keyword, value) in &combined {
        out.set(keyword, value, None);
    }
    Ok((out, table_only))
}

fn add_rules_keywords(header: &mut CardList, rules: &RuleSet, rules_dir: &str) {
    header.set("RULESVER", &BlendValue::Float(rules.version), Some("Version ID for header kw rules file"));
    header.set("BLENDVER", &BlendValue::Text(BLENDVER.into()), Some("Version of blendheader software used"));
    let path = format!("{}/{}", rules_dir.trim_end_matches('/'), rules.file_name);
    header.set("RULEFILE", &BlendValue::Text(path), Some("Name of header kw rules file"));
    let rule_line = "=".repeat(60);
    let dash_line = "-".repeat(60);
    for text in [
        rule_line.as_str(),
        "Header Generation rules:",
        "    Rules used to combine headers of input files",
        "    Start of rules...",
        dash_line.as_str(),
    ] {
        header.add_history(text);
    }
    for text in &rules.history {
        header.add_history(text);
    }
    for text in [dash_line.as_str(), "    End of rules...", rule_line.as_str()] {
        header.add_history(text);
    }
}

fn build_table(rules: &[Rule], rows: &[[&Header; 2]]) -> Result<Option<HeaderTable>, BlendError> {
    let mut columns: Vec<TableColumn> = Vec::new();
    for rule in rules.iter().filter(|r| r.is_column()) {
        if columns.iter().any(|c| c.name == rule.target) {
            return Err(BlendError::DuplicateColumn(rule.target.clone()));
        }
        let values = rows.iter().map(|pair| lookup(pair, &rule.source)).collect::<Result<Vec<_>, _>>()?;
        columns.push(TableColumn { name: rule.target.clone(), data: ColumnData::from_values(&values) });
    }
    if columns.is_empty() {
        return Ok(None);
    }
    Ok(Some(HeaderTable { rows: rows.len(), columns }))
}
