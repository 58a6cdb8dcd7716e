//! Alternate WCS keys (FITS Paper I) as stwcs manages them: list, archive the primary under
//! a key (`O` = the original OPUS WCS, never overwritten), restore a key as primary, copy,
//! delete, and the `WCSTYPE` bookkeeping of runastrodriz. SIP/NPOL/D2IM are shared by all
//! keys and are not part of an alternate.

#![allow(clippy::needless_range_loop)] // index loops mirror the reference formulas

use crate::error::{Error, Result};
use crate::names::{g14, wcstype};
use driz_header::{Card, Header, Value};
use std::path::Path;

/// Keywords (HST extras) archived and restored with a WCS, suffixed by the key.
pub const STWCS_KWDS: [&str; 6] = ["WCSTYPE", "RMS_RA", "RMS_DEC", "NMATCH", "FITNAME", "HDRNAME"];

fn sfx(key: char) -> String {
    if key == ' ' { String::new() } else { key.to_string() }
}

/// The keys present in a header, primary first.
pub fn keys(h: &Header) -> Vec<char> {
    driz_wcs::wcs_keys(h).into_iter().map(|k| k.key).collect()
}

pub fn has_key(h: &Header, key: char) -> bool {
    keys(h).contains(&key)
}

/// The first letter A–Z not in use.
pub fn next_free_key(h: &Header) -> Option<char> {
    let used = keys(h);
    ('A'..='Z').find(|k| !used.contains(k))
}

/// Key of the alternate named `name` (case-insensitive, highest key on duplicates).
pub fn key_of_name(h: &Header, name: &str) -> Option<char> {
    driz_wcs::wcs_keys(h)
        .into_iter()
        .filter(|k| k.key != ' ' && k.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name.trim())))
        .map(|k| k.key)
        .next_back()
}

fn is_wcs_base(base: &str) -> bool {
    let indexed = |p: &str| {
        base.strip_prefix(p).is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
    };
    base == "WCSAXES"
        || base == "WCSNAME"
        || base == "RADESYS"
        || ["CRVAL", "CRPIX", "CDELT", "CTYPE", "CUNIT", "PC", "CD", "PV", "PS"].iter().any(|p| indexed(p))
        || STWCS_KWDS.contains(&base)
}

/// The cards of WCS `key` as `(keyword without key, value)`, in header order.
pub fn key_cards(h: &Header, key: char) -> Vec<(String, Value)> {
    let s = sfx(key);
    h.cards()
        .iter()
        .filter(|c| !c.is_commentary())
        .filter_map(|c| {
            let base = if key == ' ' { c.keyword.as_str() } else { c.keyword.strip_suffix(&s)? };
            (is_wcs_base(base) && c.value.is_some()).then(|| (base.to_string(), c.value.clone().unwrap()))
        })
        .collect()
}

/// The primary WCS as astropy writes it under another key (14-digit values, CD matrix,
/// `CUNIT` = deg, SIP suffix kept), plus the HST extras.
fn primary_as_alternate(h: &Header) -> Result<Vec<(String, Value, &'static str)>> {
    wcs_as_alternate(h, ' ')
}

/// WCS `key` of a header in the form [`primary_as_alternate`] gives (keywords unsuffixed).
fn wcs_as_alternate(h: &Header, key: char) -> Result<Vec<(String, Value, &'static str)>> {
    let s = sfx(key);
    let c = driz_wcs::Celestial::from_header(h, key).map_err(|e| Error::file("", e.to_string()))?;
    let mut out: Vec<(String, Value, &'static str)> = vec![
        ("WCSAXES".into(), Value::Integer(2), "Number of coordinate axes"),
        ("CRPIX1".into(), g14(c.crpix[0]).into(), "Pixel coordinate of reference point"),
        ("CRPIX2".into(), g14(c.crpix[1]).into(), "Pixel coordinate of reference point"),
        ("CUNIT1".into(), "deg".into(), "Units of coordinate increment and value"),
        ("CUNIT2".into(), "deg".into(), "Units of coordinate increment and value"),
        ("CTYPE1".into(), c.ctype[0].as_str().into(), ""),
        ("CTYPE2".into(), c.ctype[1].as_str().into(), ""),
        ("CRVAL1".into(), g14(c.crval[0]).into(), "[deg] Coordinate value at reference point"),
        ("CRVAL2".into(), g14(c.crval[1]).into(), "[deg] Coordinate value at reference point"),
    ];
    if let Some(r) = radesys(h, &s) {
        out.push(("RADESYS".into(), r.into(), "Equatorial coordinate system"));
    }
    let comments = [
        ["partial of first axis coordinate w.r.t. x", "partial of first axis coordinate w.r.t. y"],
        ["partial of second axis coordinate w.r.t. x", "partial of second axis coordinate w.r.t. y"],
    ];
    for i in 0..2 {
        for j in 0..2 {
            out.push((format!("CD{}_{}", i + 1, j + 1), g14(c.cd[i][j]).into(), comments[i][j]));
        }
    }
    for k in STWCS_KWDS {
        if let Some(v) = h.get(&format!("{k}{s}")) {
            out.push((k.to_string(), v.clone(), ""));
        }
    }
    Ok(out)
}

/// `RADESYS` of a SCI header: its own, else none (the caller maps REFFRAME).
fn radesys(h: &Header, s: &str) -> Option<String> {
    h.get_str(&format!("RADESYS{s}")).ok().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Archive the primary WCS of one header under `key` named `name` (stwcs `archive_wcs`
/// with OVERWRITE_KEY). Key `O` is never overwritten: archiving to an existing `O` does
/// nothing and returns `false`.
pub fn archive(h: &mut Header, key: char, name: &str) -> Result<bool> {
    if !key.is_ascii_uppercase() {
        return Err(Error::file("", format!("WCS key {key:?} is not a letter A-Z")));
    }
    if key == 'O' && has_key(h, 'O') {
        return Ok(false);
    }
    let cards = primary_as_alternate(h)?;
    delete(h, key);
    let s = sfx(key);
    h.append(Card::new(&format!("WCSNAME{s}"), name, "Coordinate system title"));
    for (base, value, comment) in cards {
        if base == "RADESYS" && !h.contains("MJDREF") {
            h.append(Card::new("MJDREF", 0.0, "[d] MJD of fiducial time"));
        }
        h.append(Card::new(&format!("{base}{s}"), value, comment));
    }
    if !h.contains("MJDREF") {
        h.append(Card::new("MJDREF", 0.0, "[d] MJD of fiducial time"));
    }
    Ok(true)
}

/// stwcs `ArchiveMode` flags of [`archive_wcs`] (combine with `|`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveMode(pub u8);

impl ArchiveMode {
    /// Archive only when the key and name do not conflict with an existing alternate, or
    /// when the alternate of that name is identical to the primary.
    pub const NO_CONFLICT: ArchiveMode = ArchiveMode(0);
    /// Rename the archived WCS when its name is already used by an alternate.
    pub const AUTO_RENAME: ArchiveMode = ArchiveMode(1);
    /// Overwrite an existing alternate of the same key (or, with no key, of the same name).
    pub const OVERWRITE_KEY: ArchiveMode = ArchiveMode(2);
    /// On a conflict return `Ok(None)` instead of an error.
    pub const QUIET_ABORT: ArchiveMode = ArchiveMode(4);

    pub fn contains(self, flag: ArchiveMode) -> bool {
        self.0 & flag.0 == flag.0
    }
}

impl std::ops::BitOr for ArchiveMode {
    type Output = ArchiveMode;
    fn bitor(self, rhs: ArchiveMode) -> ArchiveMode {
        ArchiveMode(self.0 | rhs.0)
    }
}

/// Name given to an archived WCS when the primary has none (stwcs `_DEFAULT_WCSNAME`).
pub const DEFAULT_WCSNAME: &str = "ARCHIVED_WCS";

/// `key → name` of the alternates with a `WCSNAMEa`, without `O` when it is named `OPUS`
/// (stwcs `_alt_wcs_names`), in key order.
fn alt_wcs_names(h: &Header) -> Vec<(char, String)> {
    ('A'..='Z')
        .filter_map(|k| {
            let v = h.get(&format!("WCSNAME{k}"))?.as_str()?.trim_end().to_string();
            (!(k == 'O' && v == "OPUS")).then_some((k, v))
        })
        .collect()
}

/// Python's `int(s)` for the strings stwcs feeds it (surrounding blanks, optional sign,
/// ASCII digits with single `_` between digits).
fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, d) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if d.is_empty() || d.starts_with('_') || d.ends_with('_') || d.contains("__") {
        return None;
    }
    let digits: String = d.chars().filter(|&c| c != '_').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// stwcs `_auto_increment_wcsname`: `name` unchanged if no alternate uses it
/// (case-insensitive); else `NAME-1`, `NAME-2`, … — one more than the largest counter
/// `n` of an existing `NAME-n` (else `NAME_n`, else `NAME n`), and a name that already ends
/// in `-n`/`_n`/` n` counts on from its root (`IDC-1` → `IDC-2`, `FIT_3` → `FIT_4`).
pub fn auto_increment_wcsname<S: AsRef<str>>(name: &str, alt_names: &[S]) -> String {
    const SEPS: [char; 3] = ['-', '_', ' '];
    let name_u = name.to_uppercase();
    let alts_u: Vec<String> = alt_names.iter().map(|n| n.as_ref().to_uppercase()).collect();
    if !alts_u.contains(&name_u) {
        return name.to_string();
    }
    let counters = |root_u: &str| -> [Vec<i64>; 3] {
        let mut num: [Vec<i64>; 3] = Default::default();
        for n in &alts_u {
            let Some(rest) = n.strip_prefix(root_u) else { continue };
            let Some(c) = rest.chars().next() else { continue };
            if let Some(i) = SEPS.iter().position(|&s| s == c) {
                let num_str = &rest[c.len_utf8()..];
                if !num_str.contains('_')
                    && let Some(v) = py_int(num_str)
                {
                    num[i].push(v);
                }
            }
        }
        num
    };
    let first_max = |num: &[Vec<i64>; 3]| num.iter().find(|v| !v.is_empty()).map(|v| v.iter().max().unwrap() + 1);
    // A name ending in a counter: count on from its root.
    if let Some((idx, sep)) = name.char_indices().rfind(|(_, c)| SEPS.contains(c))
        && let Some(n) = py_int(&name[idx + 1..].replace('_', "-"))
    {
        let root = &name[..idx];
        let next = first_max(&counters(&root.to_uppercase())).unwrap_or(n + 1);
        return format!("{root}{sep}{next}");
    }
    let num = counters(&name_u);
    for (i, v) in num.iter().enumerate() {
        if let Some(m) = v.iter().max() {
            return format!("{name}{}{}", SEPS[i], m + 1);
        }
    }
    format!("{name}-1")
}

/// Whether WCS `a` and `b` of a header are the same, card by card, ignoring `WCSNAME`
/// (stwcs `_test_wcs_equal`: both as astropy would write them, 14 significant digits).
fn wcs_equal(h: &Header, a: char, b: char) -> bool {
    match (wcs_as_alternate(h, a), wcs_as_alternate(h, b)) {
        (Ok(x), Ok(y)) => {
            let strip = |v: Vec<(String, Value, &str)>| -> Vec<(String, Value)> {
                let mut v: Vec<(String, Value)> = v.into_iter().map(|(k, v, _)| (k, v)).collect();
                v.sort_by(|p, q| p.0.cmp(&q.0));
                v
            };
            strip(x) == strip(y)
        }
        _ => false,
    }
}

/// stwcs `archive_wcs(h, ext, wcskey, wcsname, mode)` for one header: archive the primary
/// WCS under `key` (`None`: choose one) named `name` (`None`: the primary `WCSNAME`).
///
/// Returns the `(key, name)` used, or `Ok(None)` when nothing was written: an existing
/// `O` (never overwritten, whatever the mode), or a conflict with [`ArchiveMode::QUIET_ABORT`].
/// A conflict without QUIET_ABORT is an error; the header is unchanged in both cases.
///
/// Rules (verified against stwcs 1.7.7 by `testdata/scripts/check_archive_rules_with_stwcs.py`):
/// * no `name`: the primary `WCSNAME`; blank → [`DEFAULT_WCSNAME`] with auto-rename; no
///   `WCSNAME` → the name of the alternate with the largest key (or the default), with
///   auto-rename. Such a name is not checked for conflicts beyond AUTO_RENAME (stwcs
///   archives a duplicate name under the next free key).
/// * `name` used by an alternate (case-insensitive; `O`/`OPUS` excluded):
///   - `key` given, held by an alternate of another name, no AUTO_RENAME → conflict;
///   - no `key`: the highest key of that name is reused when it is identical to the
///     primary (ignoring WCSNAME) or with OVERWRITE_KEY; else AUTO_RENAME renames, or
///     conflict;
///   - `key` given and in use, no OVERWRITE_KEY → conflict (stwcs 1.7.7 raises
///     `UnboundLocalError` here).
/// * `name` not used by an alternate: auto-rename is off; a given `key` is overwritten.
/// * no key chosen: the first free letter.
///
/// stwcs 1.7.7 quirk not reproduced: it tests `if AM.QUIET_ABORT:` (always true), so every
/// conflict is a quiet abort there, with or without the flag.
pub fn archive_wcs(
    h: &mut Header,
    key: Option<char>,
    name: Option<&str>,
    mode: ArchiveMode,
) -> Result<Option<(char, String)>> {
    if let Some(k) = key
        && !k.is_ascii_uppercase()
    {
        return Err(Error::file("", format!("WCS key {k:?} is not a letter A-Z")));
    }
    let names = alt_wcs_names(h);
    let names_u: Vec<(char, String)> = names.iter().map(|(k, n)| (*k, n.to_uppercase())).collect();
    let used_u = |n: &str| names_u.iter().any(|(_, v)| *v == n.to_uppercase());
    let wcs_keys = keys(h);
    let overwrite_key = mode.contains(ArchiveMode::OVERWRITE_KEY);
    let mut auto_rename = mode.contains(ArchiveMode::AUTO_RENAME);
    let conflict = |msg: String| -> Result<Option<(char, String)>> {
        if mode.contains(ArchiveMode::QUIET_ABORT) { Ok(None) } else { Err(Error::file("", msg)) }
    };

    if key == Some('O') && wcs_keys.contains(&'O') {
        return Ok(None);
    }
    if name == Some("OPUS") && used_u("OPUS") {
        return Ok(None);
    }
    let mut key = key;
    let name: String = match name {
        None => match h.get("WCSNAME") {
            Some(v) => {
                let n = v.as_str().unwrap_or("").trim_end().to_string();
                if n.trim().is_empty() {
                    auto_rename = true;
                    DEFAULT_WCSNAME.to_string()
                } else {
                    n
                }
            }
            None => {
                auto_rename = true;
                names.last().map(|(_, n)| n.clone()).unwrap_or_else(|| DEFAULT_WCSNAME.to_string())
            }
        },
        Some(n) if used_u(n) => {
            let n_u = n.to_uppercase();
            match key {
                Some(k) if names_u.iter().any(|(kk, v)| *kk == k && *v != n_u) && !auto_rename => {
                    return conflict(format!(
                        "WCS name {n:?} is already used by an alternate WCS with a key other than {k}"
                    ));
                }
                None => {
                    let key_match = names_u.iter().filter(|(_, v)| *v == n_u).map(|(k, _)| *k).next_back().unwrap();
                    if overwrite_key || wcs_equal(h, ' ', key_match) {
                        key = Some(key_match);
                    } else if !auto_rename {
                        return conflict(format!(
                            "WCS name {n:?} is already used by alternate WCS {key_match} \
                             (allow AUTO_RENAME or OVERWRITE_KEY)"
                        ));
                    }
                }
                Some(k) => {
                    if wcs_keys.contains(&k) && !overwrite_key {
                        return conflict(format!(
                            "alternate WCS {k} already exists (allow OVERWRITE_KEY to replace it)"
                        ));
                    }
                }
            }
            n.to_string()
        }
        Some(n) => {
            auto_rename = false;
            n.to_string()
        }
    };
    let key = match key {
        Some(k) => k,
        None => next_free_key(h).ok_or_else(|| Error::file("", "no free alternate WCS key (A-Z all used)"))?,
    };
    let name = if auto_rename {
        auto_increment_wcsname(&name, &names.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>())
    } else {
        name
    };
    if key == 'O' && wcs_keys.contains(&'O') {
        return Ok(None);
    }
    archive(h, key, &name)?;
    Ok(Some((key, name)))
}

/// Restore alternate `key` as the primary WCS (stwcs `restoreWCS`): its cards are copied
/// to the unsuffixed keywords; restoring `O` zeroes TDDALPHA/TDDBETA when present;
/// ORIENTAT is recomputed when present; TDD_CYA/CYB/CXA/CXB are zeroed when present.
pub fn restore(h: &mut Header, key: char) -> Result<()> {
    if key == ' ' {
        return Ok(());
    }
    if !has_key(h, key) {
        return Err(Error::file("", format!("no alternate WCS with key {key}")));
    }
    for (base, value) in key_cards(h, key) {
        h.set(&base, value);
    }
    if key == 'O' {
        for k in ["TDDALPHA", "TDDBETA"] {
            if h.contains(k) {
                h.set(k, 0.0);
            }
        }
    }
    if h.contains("ORIENTAT")
        && let (Ok(Some(cd12)), Ok(Some(cd22))) = (h.get_f64("CD1_2"), h.get_f64("CD2_2"))
    {
        h.set("ORIENTAT", cd12.atan2(cd22).to_degrees());
    }
    for k in ["TDD_CYA", "TDD_CYB", "TDD_CXA", "TDD_CXB"] {
        if h.contains(k) {
            h.set(k, 0.0);
        }
    }
    Ok(())
}

/// Copy WCS `from` (`' '` = primary) to key `to`, replacing what `to` held.
pub fn copy_key(h: &mut Header, from: char, to: char) -> Result<()> {
    if to == ' ' {
        return restore(h, from);
    }
    if from == ' ' {
        let name = h.str_or("WCSNAME", "").map_err(|e| Error::file("", e.to_string()))?.to_string();
        let name = if name.is_empty() { "ARCHIVED_WCS".to_string() } else { name };
        delete(h, to);
        archive(h, to, &name)?;
        return Ok(());
    }
    let cards = key_cards(h, from);
    if cards.is_empty() {
        return Err(Error::file("", format!("no alternate WCS with key {from}")));
    }
    delete(h, to);
    for (base, value) in cards {
        h.append(Card::new(&format!("{base}{to}"), value, ""));
    }
    Ok(())
}

/// Remove the cards of WCS `key`; returns how many went.
pub fn delete(h: &mut Header, key: char) -> usize {
    if key == ' ' {
        return 0;
    }
    let names: Vec<String> = key_cards(h, key).into_iter().map(|(b, _)| format!("{b}{key}")).collect();
    names.iter().map(|n| h.remove(n)).sum()
}

/// runastrodriz wrap-up for one header: every key gets a WCSNAME (OPUS when missing)
/// and a `WCSTYPE<key>` from it.
pub fn set_wcstypes(h: &mut Header) {
    for key in keys(h) {
        let s = sfx(key);
        let name = match h.get_str(&format!("WCSNAME{s}")) {
            Ok(Some(n)) => n.trim().to_string(),
            _ => {
                h.set(&format!("WCSNAME{s}"), "OPUS");
                "OPUS".into()
            }
        };
        h.set(&format!("WCSTYPE{s}"), wcstype(&name));
    }
}

/// One WCS of one SCI extension, for listings.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub extver: i64,
    pub key: char,
    pub name: String,
    pub wcstype: String,
}

/// All WCSs of all SCI extensions of a file.
pub fn list_file(path: &Path) -> Result<Vec<Listed>> {
    let fits = driz_fits::Fits::open(path)?;
    let mut out = Vec::new();
    for hdu in fits.hdus().iter().filter(|h| h.extname == "SCI") {
        for k in driz_wcs::wcs_keys(&hdu.header) {
            let name = k.name.clone().unwrap_or_default();
            out.push(Listed { extver: hdu.extver, key: k.key, wcstype: wcstype(&name), name });
        }
    }
    Ok(out)
}

/// What a file-level alternate-WCS edit does to each SCI header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edit<'a> {
    Archive { key: char, name: &'a str },
    Restore(char),
    Copy { from: char, to: char },
    Delete(char),
    WcsTypes,
}

/// Apply an [`Edit`] to every SCI extension of a file, atomically.
pub fn edit_file(path: &Path, edit: Edit) -> Result<()> {
    let fits = driz_fits::Fits::open(path)?;
    let mut changed = Vec::new();
    for hdu in fits.hdus().iter().filter(|h| h.extname == "SCI") {
        let mut h = hdu.header.clone();
        let with_ctx = |e: Error| match e {
            Error::File { message, .. } => Error::file(path, format!("[SCI,{}] {message}", hdu.extver)),
            other => other,
        };
        match edit {
            Edit::Archive { key, name } => {
                archive(&mut h, key, name).map_err(with_ctx)?;
            }
            Edit::Restore(k) => restore(&mut h, k).map_err(with_ctx)?,
            Edit::Copy { from, to } => copy_key(&mut h, from, to).map_err(with_ctx)?,
            Edit::Delete(k) => {
                delete(&mut h, k);
            }
            Edit::WcsTypes => set_wcstypes(&mut h),
        }
        changed.push((hdu.index, h));
    }
    drop(fits);
    driz_fits::update_file(path, |u| {
        for (i, h) in &changed {
            u.set_header(*i, h)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sci() -> Header {
        Header::from_card_images([
            "CRPIX1  =               2048.0",
            "CRPIX2  =               1024.0",
            "CRVAL1  =        5.63056810618",
            "CRVAL2  =      -72.05457184279",
            "CTYPE1  = 'RA---TAN-SIP'",
            "CTYPE2  = 'DEC--TAN-SIP'",
            "CD1_1   = 1.290562563339972E-05",
            "CD1_2   = 5.953091234198029E-06",
            "CD2_1   =  5.0220581265601E-06",
            "CD2_2   = -1.26447741482017E-05",
            "ORIENTAT=                  0.0",
            "WCSNAME = 'IDC_postsm4'",
        ])
        .unwrap()
    }

    #[test]
    fn archive_restore_delete() {
        let mut h = sci();
        assert!(archive(&mut h, 'O', "OPUS").unwrap());
        assert_eq!(h.get_f64("CD1_1O").unwrap(), Some(1.29056256334E-05));
        assert_eq!(h.get_str("WCSNAMEO").unwrap(), Some("OPUS"));
        assert_eq!(h.get_str("CTYPE1O").unwrap(), Some("RA---TAN-SIP"));
        // O is never overwritten.
        h.set("CRVAL1", 6.0);
        assert!(!archive(&mut h, 'O', "OPUS").unwrap());
        assert_eq!(h.get_f64("CRVAL1O").unwrap(), Some(5.63056810618));
        assert_eq!(next_free_key(&h), Some('A'));
        archive(&mut h, 'A', "MINE").unwrap();
        assert_eq!(key_of_name(&h, "mine"), Some('A'));
        restore(&mut h, 'O').unwrap();
        assert_eq!(h.get_f64("CRVAL1").unwrap(), Some(5.63056810618));
        assert_eq!(h.get_str("WCSNAME").unwrap(), Some("OPUS"));
        let o = h.get_f64("ORIENTAT").unwrap().unwrap();
        assert!((o - 5.953091234198E-06f64.atan2(-1.2644774148202E-05).to_degrees()).abs() < 1e-12);
        copy_key(&mut h, 'A', 'B').unwrap();
        assert_eq!(h.get_str("WCSNAMEB").unwrap(), Some("MINE"));
        assert!(delete(&mut h, 'A') >= 10);
        assert_eq!(keys(&h), vec![' ', 'B', 'O']);
        set_wcstypes(&mut h);
        assert_eq!(h.get_str("WCSTYPEO").unwrap(), Some("pipeline default not aligned"));
        assert_eq!(h.get_str("WCSTYPEB").unwrap(), Some("user-defined"));
    }

    // Expected outputs of testdata/scripts/check_archive_rules_with_stwcs.py (stwcs 1.7.7).
    // `None` = nothing archived: stwcs returns (None, None) (its conflicts are always quiet);
    // driz returns an error without QUIET_ABORT and `Ok(None)` with it.
    const NC: ArchiveMode = ArchiveMode::NO_CONFLICT;
    const AR: ArchiveMode = ArchiveMode::AUTO_RENAME;
    const OW: ArchiveMode = ArchiveMode::OVERWRITE_KEY;
    const QA: ArchiveMode = ArchiveMode::QUIET_ABORT;

    fn state(h: &Header) -> String {
        ('A'..='Z')
            .filter_map(|k| h.get_str(&format!("WCSNAME{k}")).ok().flatten().map(|n| format!("{k}={}", n.trim_end())))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One `archive_wcs` call: expected `(key, name)` (None = nothing archived) and the
    /// alternates afterwards. A refused call must leave the header unchanged.
    fn step(
        h: &mut Header,
        key: Option<char>,
        name: Option<&str>,
        mode: ArchiveMode,
        want: Option<(char, &str)>,
        after: &str,
    ) {
        let before = h.clone();
        match archive_wcs(h, key, name, mode) {
            Ok(got) => assert_eq!(got, want.map(|(k, n)| (k, n.to_string())), "{key:?} {name:?} {mode:?}"),
            Err(e) => {
                assert!(want.is_none() && !mode.contains(QA), "{key:?} {name:?} {mode:?}: unexpected error {e}");
            }
        }
        if want.is_none() {
            assert_eq!(h.cards(), before.cards(), "refused archive changed the header");
        }
        assert_eq!(state(h), after, "{key:?} {name:?} {mode:?}");
    }

    fn sci_test() -> Header {
        let mut h = sci();
        h.remove("ORIENTAT");
        h.set("WCSNAME", "IDC_test");
        h
    }

    #[test]
    fn archive_rules_default_name() {
        let mut h = sci_test();
        step(&mut h, None, None, NC, Some(('A', "IDC_test")), "A=IDC_test");
        step(&mut h, None, None, NC, Some(('B', "IDC_test")), "A=IDC_test B=IDC_test");
        step(&mut h, None, None, AR, Some(('C', "IDC_test-1")), "A=IDC_test B=IDC_test C=IDC_test-1");
    }

    #[test]
    fn archive_rules_explicit_name() {
        let mut h = sci_test();
        step(&mut h, None, Some("IDC_test"), NC, Some(('A', "IDC_test")), "A=IDC_test");
        // Identical to alternate A (ignoring WCSNAME): its key is reused.
        step(&mut h, None, Some("idc_test"), NC, Some(('A', "idc_test")), "A=idc_test");
        h.set("CRVAL1", 5.7);
        step(&mut h, None, Some("IDC_test"), NC, None, "A=idc_test");
        assert!(archive_wcs(&mut h.clone(), None, Some("IDC_test"), NC).is_err());
        step(&mut h, None, Some("IDC_test"), QA, None, "A=idc_test");
        step(&mut h, None, Some("IDC_test"), AR, Some(('B', "IDC_test-1")), "A=idc_test B=IDC_test-1");
        step(&mut h, None, Some("IDC_test"), AR, Some(('C', "IDC_test-2")), "A=idc_test B=IDC_test-1 C=IDC_test-2");
        step(&mut h, None, Some("IDC_test"), OW, Some(('A', "IDC_test")), "A=IDC_test B=IDC_test-1 C=IDC_test-2");
        assert_eq!(h.get_f64("CRVAL1A").unwrap(), Some(5.7));
        h.set("CRVAL1", 5.8);
        step(
            &mut h,
            None,
            Some("IDC_test-2"),
            AR,
            Some(('D', "IDC_test-3")),
            "A=IDC_test B=IDC_test-1 C=IDC_test-2 D=IDC_test-3",
        );
    }

    #[test]
    fn archive_rules_blank_and_missing_name() {
        let mut h = sci_test();
        h.set("WCSNAME", " ");
        step(&mut h, None, None, NC, Some(('A', "ARCHIVED_WCS")), "A=ARCHIVED_WCS");
        step(&mut h, None, None, NC, Some(('B', "ARCHIVED_WCS-1")), "A=ARCHIVED_WCS B=ARCHIVED_WCS-1");
        h.remove("WCSNAME");
        step(&mut h, None, None, NC, Some(('C', "ARCHIVED_WCS-2")), "A=ARCHIVED_WCS B=ARCHIVED_WCS-1 C=ARCHIVED_WCS-2");
    }

    #[test]
    fn archive_rules_key_o() {
        let mut h = sci_test();
        step(&mut h, Some('O'), Some("OPUS"), NC, Some(('O', "OPUS")), "O=OPUS");
        h.set("CRVAL1", 5.7);
        // O is never overwritten, whatever the mode (and without an error).
        step(&mut h, Some('O'), Some("OPUS"), OW, None, "O=OPUS");
        assert_eq!(archive_wcs(&mut h, Some('O'), None, NC).unwrap(), None);
        step(&mut h, None, None, NC, Some(('A', "IDC_test")), "A=IDC_test O=OPUS");
        // O's OPUS name does not count as a used name.
        step(&mut h, None, Some("OPUS"), AR, Some(('B', "OPUS")), "A=IDC_test B=OPUS O=OPUS");
    }

    #[test]
    fn archive_rules_explicit_key() {
        let mut h = sci_test();
        step(&mut h, Some('C'), Some("FIT_1"), NC, Some(('C', "FIT_1")), "C=FIT_1");
        step(&mut h, Some('D'), Some("FIT_1"), NC, Some(('D', "FIT_1")), "C=FIT_1 D=FIT_1");
        // stwcs 1.7.7: UnboundLocalError (key in use, name in use, no OVERWRITE_KEY).
        step(&mut h, Some('D'), Some("FIT_1"), AR, None, "C=FIT_1 D=FIT_1");
        step(&mut h, Some('C'), Some("OTHER"), NC, Some(('C', "OTHER")), "C=OTHER D=FIT_1");
        step(&mut h, Some('C'), Some("OTHER"), OW, Some(('C', "OTHER")), "C=OTHER D=FIT_1");
        step(&mut h, Some('C'), None, NC, Some(('C', "IDC_test")), "C=IDC_test D=FIT_1");
        assert!(archive_wcs(&mut h, Some('a'), None, NC).is_err());
    }

    #[test]
    fn auto_increment_matches_stwcs() {
        let cases: [(&str, &[&str], &str); 14] = [
            ("IDC", &["IDC_A"], "IDC"),
            ("IDC", &["IDC_A", "IDC"], "IDC-1"),
            ("IDC", &["IDC_A", "IDC", "IDC-1"], "IDC-2"),
            ("IDC-1", &["IDC_A", "IDC", "IDC-1"], "IDC-2"),
            ("IDC-2", &["IDC_A", "IDC", "IDC-1"], "IDC-2"),
            ("IDC_A", &["IDC_A", "IDC", "IDC-1"], "IDC_A-1"),
            ("FIT_3", &["FIT_3", "FIT_1"], "FIT_4"),
            ("FIT_3", &["FIT_3", "FIT-7", "FIT_9"], "FIT_8"),
            ("fit", &["FIT", "FIT 4"], "fit 5"),
            ("A B", &["A B"], "A B-1"),
            ("X-Y_2", &["X-Y_2"], "X-Y_3"),
            ("NAME", &["NAME", "NAME-2_1", "NAME_x"], "NAME-1"),
            ("N-5", &["N-5", "N_9"], "N-6"),
            ("IDC_w3m18525i-FIT_REL_GAIADR3", &["IDC_w3m18525i-FIT_REL_GAIADR3"], "IDC_w3m18525i-FIT_REL_GAIADR3-1"),
        ];
        for (name, alts, want) in cases {
            assert_eq!(auto_increment_wcsname(name, alts), want, "{name} {alts:?}");
        }
    }
}
