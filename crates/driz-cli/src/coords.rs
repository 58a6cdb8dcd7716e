//! Coordinate lists: two numbers a line (blank, comma or tab separated), `#` comments.

use anyhow::{Context, bail};
use std::io::Read;
use std::path::Path;

/// Read coordinate pairs from a file, or from standard input when `file` is `None`.
pub fn read_pairs(file: Option<&Path>) -> anyhow::Result<Vec<(f64, f64)>> {
    let (text, source) = match file {
        Some(p) => (std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?, p.display().to_string()),
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("reading standard input")?;
            (s, "standard input".to_string())
        }
    };
    parse_pairs(&text, &source)
}

pub fn parse_pairs(text: &str, source: &str) -> anyhow::Result<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(|c: char| c == ',' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        if fields.len() != 2 {
            bail!("{source}, line {}: expected two numbers, found {:?}", n + 1, line);
        }
        let parse = |f: &str| -> anyhow::Result<f64> {
            let v: f64 = f.parse().map_err(|_| anyhow::anyhow!("{source}, line {}: {f:?} is not a number", n + 1))?;
            if !v.is_finite() {
                bail!("{source}, line {}: {f:?} is not finite", n + 1);
            }
            Ok(v)
        };
        out.push((parse(fields[0])?, parse(fields[1])?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_lines() {
        let p = parse_pairs("# x y\n1 2\n3.5,4e2\n\n  5\t6  # trailing\n", "t").unwrap();
        assert_eq!(p, vec![(1.0, 2.0), (3.5, 400.0), (5.0, 6.0)]);
        let e = parse_pairs("1 2\n3\n", "coords.txt").unwrap_err().to_string();
        assert!(e.contains("coords.txt, line 2"), "{e}");
        let e = parse_pairs("1 x\n", "t").unwrap_err().to_string();
        assert!(e.contains("\"x\" is not a number"), "{e}");
        assert!(parse_pairs("nan 1\n", "t").is_err());
    }
}
