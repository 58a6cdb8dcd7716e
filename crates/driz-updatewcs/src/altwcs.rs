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
    let c = driz_wcs::Celestial::from_header(h, ' ').map_err(|e| Error::file("", e.to_string()))?;
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
    if let Some(r) = radesys(h) {
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
        if let Some(v) = h.get(k) {
            out.push((k.to_string(), v.clone(), ""));
        }
    }
    Ok(out)
}

/// `RADESYS` of a SCI header: its own, else none (the caller maps REFFRAME).
fn radesys(h: &Header) -> Option<String> {
    h.get_str("RADESYS").ok().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
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
}
