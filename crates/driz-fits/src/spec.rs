//! File names with an extension selector, as drizzlepac users write them:
//! `j8bt06nyq_flt.fits[sci,1]`, `file.fits[SCI]`, `file.fits[1]`.

use std::fmt;
use std::path::PathBuf;

/// Which HDU of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HduSpec {
    /// 0-based HDU index (0 = primary), as astropy and drizzlepac number them.
    Index(usize),
    /// EXTNAME (case-insensitive) and EXTVER.
    Name(String, i64),
}

impl fmt::Display for HduSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HduSpec::Index(i) => write!(f, "[{i}]"),
            HduSpec::Name(n, v) => write!(f, "[{n},{v}]"),
        }
    }
}

impl HduSpec {
    /// Parse the text between brackets: `sci,1`, `'SCI', 2`, `sci`, `3`.
    pub fn parse(text: &str) -> Result<HduSpec, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty extension selector".into());
        }
        if let Ok(i) = t.parse::<usize>() {
            return Ok(HduSpec::Index(i));
        }
        let (name, ver) = match t.split_once(',') {
            Some((n, v)) => {
                let v = v.trim();
                let ver = v.parse::<i64>().map_err(|_| format!("extension version {v:?} is not an integer"))?;
                (n, ver)
            }
            None => (t, 1),
        };
        let name = name.trim().trim_matches(['\'', '"']).trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!("extension name {name:?} is not valid"));
        }
        Ok(HduSpec::Name(name.to_ascii_uppercase(), ver))
    }
}

/// Split `path[ext]` into the path and the selector; a name without brackets has none.
pub fn parse_file_spec(text: &str) -> Result<(PathBuf, Option<HduSpec>), String> {
    let t = text.trim();
    match t.strip_suffix(']').and_then(|s| s.rfind('[').map(|i| (s, i))) {
        Some((s, i)) => {
            let path = &s[..i];
            if path.is_empty() {
                return Err(format!("{text:?} has no file name"));
            }
            Ok((PathBuf::from(path), Some(HduSpec::parse(&s[i + 1..])?)))
        }
        None if t.contains('[') || t.contains(']') => Err(format!("{text:?}: unbalanced brackets")),
        None => Ok((PathBuf::from(t), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_drizzlepac_notations() {
        let (p, s) = parse_file_spec("j8bt06nyq_flt.fits[sci,1]").unwrap();
        assert_eq!(p, PathBuf::from("j8bt06nyq_flt.fits"));
        assert_eq!(s, Some(HduSpec::Name("SCI".into(), 1)));
        assert_eq!(parse_file_spec("a.fits[SCI, 2]").unwrap().1, Some(HduSpec::Name("SCI".into(), 2)));
        assert_eq!(parse_file_spec("a.fits['sci',2]").unwrap().1, Some(HduSpec::Name("SCI".into(), 2)));
        assert_eq!(parse_file_spec("a.fits[dq]").unwrap().1, Some(HduSpec::Name("DQ".into(), 1)));
        assert_eq!(parse_file_spec("a.fits[1]").unwrap().1, Some(HduSpec::Index(1)));
        assert_eq!(parse_file_spec("dir/a.fits").unwrap(), (PathBuf::from("dir/a.fits"), None));
        assert!(parse_file_spec("a.fits[sci,x]").is_err());
        assert!(parse_file_spec("a.fits[sci").is_err());
        assert!(parse_file_spec("[1]").is_err());
    }
}
