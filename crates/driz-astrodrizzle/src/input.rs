//! Input interpretation as AstroDrizzle's `processInput`: an association table, an
//! `@list` file, a comma or space separated list, or a wildcard; the files that cannot be
//! drizzled dropped with a logged reason; and the product name.

use crate::error::{AstroDrizzleError, Result};
use driz_fits::{Fits, read_asn};
use std::path::{Path, PathBuf};
use tracing::warn;

/// Suffixes tried, in order, to turn an association member's rootname into a file
/// (stsci.tools `fileutil.EXTLIST`, the ones that apply to drizzling).
const MEMBER_SUFFIXES: [&str; 6] = ["_crj.fits", "_flt.fits", "_flc.fits", "_sfl.fits", "_cal.fits", "_raw.fits"];

/// What the input names.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSet {
    /// The files to drizzle, in order.
    pub files: Vec<PathBuf>,
    /// Files removed by the checks, with the reason.
    pub dropped: Vec<(PathBuf, String)>,
    /// The product file name (`<output>_drz.fits`, `_drc.fits` or `_drw.fits`).
    pub product: String,
    /// The association table, when the input was one.
    pub asn: Option<PathBuf>,
}

impl InputSet {
    /// The product name without its `_drz.fits`-style suffix.
    pub fn product_root(&self) -> &str {
        let p = self.product.as_str();
        match p.rfind('_') {
            Some(i) if p.ends_with(".fits") => &p[..i],
            _ => p.strip_suffix(".fits").unwrap_or(p),
        }
    }
}

/// Interpret `input` (relative names are taken in `dir`), with the user's `output`
/// parameter (empty: from the association, `final` for several files, or the file's
/// rootname).
pub fn interpret(input: &str, output: &str, dir: &Path) -> Result<InputSet> {
    let input = input.trim();
    if input.is_empty() {
        return Err(AstroDrizzleError::Input("no input given".into()));
    }
    let (names, asn, asn_product) = if is_asn_name(input) {
        let path = dir.join(input);
        let members = read_asn(&path)?;
        let product = members.iter().find(|m| m.is_product()).map(|m| m.name.to_ascii_lowercase());
        let mut files = Vec::new();
        let mut duplicates = Vec::new();
        for m in members.iter().filter(|m| !m.is_product() && m.present) {
            let (file, cte) = member_file(&m.name, path.parent().unwrap_or(dir))?;
            if let Some(cte) = cte {
                duplicates.push((file.clone(), cte));
            }
            files.push(file);
        }
        if !duplicates.is_empty() {
            let list: Vec<String> =
                duplicates.iter().map(|(a, b)| format!("    {}    {}", a.display(), b.display())).collect();
            return Err(AstroDrizzleError::Input(format!(
                "{}: multiple valid input files found for its members:\n{}\nGive the files of one kind instead \
                 (e.g. a wildcard '*_flc.fits' or a list), as drizzlepac asks.",
                path.display(),
                list.join("\n")
            )));
        }
        (files, Some(path), product)
    } else {
        (expand_list(input, dir)?, None, None)
    };
    if names.is_empty() {
        return Err(AstroDrizzleError::Input(format!("{input}: names no input files")));
    }
    for f in &names {
        if !f.is_file() {
            return Err(AstroDrizzleError::Input(format!("{}: input file not found", f.display())));
        }
    }
    let first = names[0].file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let instrument =
        Fits::open(&names[0])?.primary_header().get_str("INSTRUME").ok().flatten().unwrap_or("").trim().to_string();
    let suffix = if first.ends_with("_flc.fits") {
        "_drc.fits"
    } else if instrument.eq_ignore_ascii_case("WFPC2") {
        "_drw.fits"
    } else {
        "_drz.fits"
    };
    let product = product_name(output, asn_product.as_deref(), &names, suffix);
    let (files, dropped) = check_files(names)?;
    Ok(InputSet { files, dropped, product, asn })
}

fn is_asn_name(input: &str) -> bool {
    let lower = input.to_ascii_lowercase();
    !input.contains(',') && !input.starts_with('@') && lower.contains("_asn")
}

/// The file for an association member, and its CTE-corrected twin when both exist.
fn member_file(member: &str, dir: &Path) -> Result<(PathBuf, Option<PathBuf>)> {
    let find = |suffixes: &[&str]| -> Option<PathBuf> {
        for s in suffixes {
            for root in [member.to_string(), member.to_ascii_lowercase()] {
                let p = dir.join(format!("{root}{s}"));
                if p.is_file() {
                    return Some(p);
                }
            }
        }
        None
    };
    // runastrodriz's duplicate-free association copies name members with their suffix
    // (`j8xy01aaq_flt`): buildRootname takes `<name>.fits` first.
    let file =
        find(&[".fits"]).filter(|_| member.contains('_')).or_else(|| find(&MEMBER_SUFFIXES)).ok_or_else(|| {
            AstroDrizzleError::Input(format!(
                "{}: no input file for association member {member} (looked for {})",
                dir.display(),
                MEMBER_SUFFIXES.join(", ")
            ))
        })?;
    let cte = find(&["_flc.fits"]).filter(|c| *c != file);
    Ok((file, cte))
}

/// `@list`, comma/space separated names and wildcards, in order.
fn expand_list(input: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if let Some(list) = input.strip_prefix('@') {
        let path = dir.join(list.trim());
        let text = std::fs::read_to_string(&path).map_err(|e| AstroDrizzleError::io(&path, e))?;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(first) = line.split_whitespace().next() {
                out.extend(expand_one(first, dir)?);
            }
        }
        return Ok(out);
    }
    for item in input.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
        out.extend(expand_one(item, dir)?);
    }
    Ok(out)
}

fn expand_one(item: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    let path = dir.join(item);
    if !item.contains(['*', '?', '[']) {
        return Ok(vec![path]);
    }
    let pattern = path.to_string_lossy().into_owned();
    let mut found: Vec<PathBuf> = glob::glob(&pattern)
        .map_err(|e| AstroDrizzleError::Input(format!("{item}: bad wildcard: {e}")))?
        .filter_map(|p| p.ok())
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(AstroDrizzleError::Input(format!("{item}: matches no files in {}", dir.display())));
    }
    Ok(found)
}

/// drizzlepac's output naming: a given name gets the suffix unless it already has one.
pub fn product_name(output: &str, asn_product: Option<&str>, files: &[PathBuf], suffix: &str) -> String {
    let output = output.trim();
    if !output.is_empty() {
        let lower = output.to_ascii_lowercase();
        if lower.contains(".fits") || lower.contains(&suffix[..4]) {
            return output.to_string();
        }
        return format!("{}{suffix}", strip_extension(output));
    }
    let root = match asn_product {
        Some(p) => p.to_string(),
        None if files.len() == 1 => driz_fits::file_rootname(&files[0]),
        None => "final".to_string(),
    };
    format!("{root}{suffix}")
}

fn strip_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// drizzlepac's `checkFiles`: drop exposures with EXPTIME ≤ 0 (or none), with no good
/// pixels (NGOODPIX summed over SCI extensions is 0, ACS/WFC3/STIS), or without PA_V3
/// (looked up in the `_spt` file as upstream does).
/// Files kept, and files dropped with the reason.
type Checked = (Vec<PathBuf>, Vec<(PathBuf, String)>);

fn check_files(files: Vec<PathBuf>) -> Result<Checked> {
    let mut keep = Vec::new();
    let mut dropped = Vec::new();
    for f in files {
        match unusable_reason(&f)? {
            Some(why) => {
                warn!("removing {} from the input list: {why}", f.display());
                dropped.push((f, why));
            }
            None => keep.push(f),
        }
    }
    Ok((keep, dropped))
}

fn unusable_reason(path: &Path) -> Result<Option<String>> {
    let fits = Fits::open(path)?;
    let primary = fits.primary_header();
    let herr = |e| fits.header_error(0, e);
    match primary.get_f64("EXPTIME").map_err(herr)? {
        None => return Ok(Some("no EXPTIME keyword".into())),
        Some(t) if t <= 0.0 || t.is_nan() => return Ok(Some(format!("EXPTIME = {t}"))),
        _ => {}
    }
    let instrument = primary.get_str("INSTRUME").map_err(herr)?.unwrap_or("").trim().to_ascii_uppercase();
    if ["ACS", "WFC3", "STIS"].contains(&instrument.as_str()) {
        let mut total = 0i64;
        let mut seen = false;
        for h in fits.hdus().iter().filter(|h| h.extname == "SCI") {
            if let Some(n) = h.header.get_f64("NGOODPIX").map_err(|e| fits.header_error(h.index, e))? {
                total += n as i64;
                seen = true;
            }
        }
        if seen && total == 0 {
            return Ok(Some("no valid pixels: NGOODPIX = 0".into()));
        }
    }
    if !primary.contains("PA_V3") {
        let root = primary.get_str("ROOTNAME").map_err(herr)?.unwrap_or("").trim().to_ascii_lowercase();
        let spt = path.with_file_name(format!("{root}_spt.fits"));
        let from_spt =
            spt.is_file() && Fits::open(&spt).ok().map(|s| s.primary_header().contains("PA_V3")).unwrap_or(false);
        if !from_spt {
            return Ok(Some("no PA_V3 keyword (and no _spt file with one)".into()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_names_follow_drizzlepac() {
        let files = vec![PathBuf::from("a_flt.fits"), PathBuf::from("b_flt.fits")];
        assert_eq!(product_name("", Some("j8c0d1010"), &files, "_drz.fits"), "j8c0d1010_drz.fits");
        assert_eq!(product_name("", None, &files, "_drz.fits"), "final_drz.fits");
        assert_eq!(product_name("", None, &files[..1], "_drc.fits"), "a_drc.fits");
        assert_eq!(product_name("hrc", None, &files, "_drz.fits"), "hrc_drz.fits");
        assert_eq!(product_name("mine_drz", None, &files, "_drz.fits"), "mine_drz");
        assert_eq!(product_name("out.fits", None, &files, "_drz.fits"), "out.fits");
    }

    #[test]
    fn product_root_strips_the_suffix() {
        let s = InputSet { files: vec![], dropped: vec![], product: "irsky_drz.fits".into(), asn: None };
        assert_eq!(s.product_root(), "irsky");
    }
}
