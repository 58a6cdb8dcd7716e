//! Keyword rules per instrument, from the tables generated out of fitsblender's rules
//! files (`testdata/scripts/make_blend_rules.py`), and how one is chosen.

use crate::error::BlendError;

/// How the values of one source keyword across the inputs are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// One table column holding every input's value; the keyword leaves the headers
    /// unless another rule also aggregates into it.
    Column,
    /// A column from a line whose function name fitsblender did not know. It behaves
    /// like [`RuleAction::Column`] but is a different rule when rule sets are merged.
    ColumnUnknownFunction,
    /// A header keyword set to a function of the values.
    Aggregate(Aggregate),
}

/// The combining functions fitsblender offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    First,
    Last,
    FloatOne,
    IntOne,
    Zero,
    /// The common value, or `MULTIPLE`.
    Multi,
    /// The common value, or `?`.
    MultiQuestion,
    Mean,
    Sum,
    Max,
    Min,
    /// Population standard deviation (numpy's `std`, ddof 0).
    StdDev,
}

impl Aggregate {
    fn from_name(name: &str) -> Option<Aggregate> {
        Some(match name {
            "first" => Aggregate::First,
            "last" => Aggregate::Last,
            "float_one" => Aggregate::FloatOne,
            "int_one" => Aggregate::IntOne,
            "zero" => Aggregate::Zero,
            "multi" => Aggregate::Multi,
            "multi?" => Aggregate::MultiQuestion,
            "mean" => Aggregate::Mean,
            "sum" => Aggregate::Sum,
            "max" => Aggregate::Max,
            "min" => Aggregate::Min,
            "stddev" => Aggregate::StdDev,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Aggregate::First => "first",
            Aggregate::Last => "last",
            Aggregate::FloatOne => "float_one",
            Aggregate::IntOne => "int_one",
            Aggregate::Zero => "zero",
            Aggregate::Multi => "multi",
            Aggregate::MultiQuestion => "multi?",
            Aggregate::Mean => "mean",
            Aggregate::Sum => "sum",
            Aggregate::Max => "max",
            Aggregate::Min => "min",
            Aggregate::StdDev => "stddev",
        }
    }
}

/// One interpreted rule: read `source` from each input, produce `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub source: String,
    pub target: String,
    pub action: RuleAction,
}

/// The rules of one fitsblender rules file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// File name of the original rules file (`acs_header.rules`), used for RULEFILE.
    pub file_name: String,
    /// The file's `!VERSION`, written to RULESVER.
    pub version: f64,
    /// Lines fitsblender echoes as HISTORY cards, in order.
    pub history: Vec<String>,
    pub rules: Vec<Rule>,
}

/// Generated tables, by the instrument name fitsblender looks them up with.
const TABLES: [(&str, &str); 6] = [
    ("acs", include_str!("../rules/acs.txt")),
    ("wfc3", include_str!("../rules/wfc3.txt")),
    ("wfpc2", include_str!("../rules/wfpc2.txt")),
    ("stis", include_str!("../rules/stis.txt")),
    ("nicmos", include_str!("../rules/nicmos.txt")),
    ("hst", include_str!("../rules/hst.txt")),
];

impl RuleSet {
    /// The rules fitsblender picks for an exposure: `<instrument>_header.rules` when it
    /// exists, else `<telescope>_header.rules` (names lower-cased, not trimmed).
    ///
    /// fitsblender would first take a `*.rules` file from the current directory; that
    /// override is not reproduced.
    pub fn for_instrument(instrument: &str, telescope: &str) -> Result<RuleSet, BlendError> {
        let inst = instrument.to_lowercase();
        let tel = telescope.to_lowercase();
        let text = TABLES
            .iter()
            .find(|(name, _)| *name == inst)
            .or_else(|| TABLES.iter().find(|(name, _)| *name == tel))
            .map(|(_, text)| *text)
            .ok_or_else(|| BlendError::NoRules { instrument: instrument.into(), telescope: telescope.into() })?;
        RuleSet::parse(text)
    }

    /// Parse a generated rules table (format described in make_blend_rules.py).
    pub fn parse(text: &str) -> Result<RuleSet, BlendError> {
        let mut set = RuleSet { file_name: String::new(), version: 0.0, history: Vec::new(), rules: Vec::new() };
        for (i, line) in text.lines().enumerate() {
            let bad = |reason: &str| BlendError::BadRules {
                file: set.file_name.clone(),
                line: i + 1,
                reason: format!("{reason}: {line:?}"),
            };
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
            let words: Vec<&str> = rest.split(' ').collect();
            match (tag, words.as_slice()) {
                ("version", [v]) => set.version = v.parse().map_err(|_| bad("bad version"))?,
                ("file", [name]) => set.file_name = (*name).to_string(),
                ("H", _) => set.history.push(rest.to_string()),
                ("T", [src, dst]) => set.rules.push(Rule::new(src, dst, RuleAction::Column)),
                ("T4", [src, dst]) => set.rules.push(Rule::new(src, dst, RuleAction::ColumnUnknownFunction)),
                ("F", [src, dst, func]) => {
                    let f = Aggregate::from_name(func).ok_or_else(|| bad("unknown function"))?;
                    set.rules.push(Rule::new(src, dst, RuleAction::Aggregate(f)));
                }
                _ => return Err(bad("unrecognised entry")),
            }
        }
        Ok(set)
    }

    /// Add the rules of `other` that this set lacks (fitsblender's merge of the rules of
    /// several instruments; history, version and file name stay those of `self`).
    pub fn merge(&mut self, other: &RuleSet) {
        let missing: Vec<Rule> = other.rules.iter().filter(|r| !self.rules.contains(r)).cloned().collect();
        self.rules.extend(missing);
    }
}

impl Rule {
    fn new(source: &str, target: &str, action: RuleAction) -> Rule {
        Rule { source: source.to_string(), target: target.to_string(), action }
    }

    pub fn is_column(&self) -> bool {
        !matches!(self.action, RuleAction::Aggregate(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_parses_and_selection_falls_back_to_telescope() {
        for (name, _) in TABLES {
            let set = RuleSet::for_instrument(&name.to_uppercase(), "HST").unwrap();
            assert_eq!(set.file_name, format!("{name}_header.rules"));
            assert!(set.rules.len() > 400 && set.history.len() > set.rules.len() / 2);
        }
        let foc = RuleSet::for_instrument("FOC", "HST").unwrap();
        assert_eq!(foc.file_name, "hst_header.rules");
        assert!(RuleSet::for_instrument("FOC", "JWST").is_err());
        let acs = RuleSet::for_instrument("ACS", "HST").unwrap();
        let texptime = acs.rules.iter().find(|r| r.target == "TEXPTIME").unwrap();
        assert_eq!(texptime.source, "EXPTIME");
        assert_eq!(texptime.action, RuleAction::Aggregate(Aggregate::Sum));
    }
}
