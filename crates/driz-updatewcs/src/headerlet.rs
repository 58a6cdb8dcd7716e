//! Headerlets as stwcs 1.7.7 makes and uses them (`wcs-alignment.md` §2.2–2.4):
//!
//! * a headerlet *file* (`<root>_flt_hlet.fits`): a data-less primary HDU with `DESTIM`,
//!   `HDRNAME`, `WCSNAME`, `DISTNAME`, `SIPNAME`, the reference-file names, `AUTHOR`,
//!   `DESCRIP`, fit statistics and versions; per chip one data-less `SIPWCS` extension
//!   (EXTVER = the chip's SCI EXTVER) holding the chip's complete WCS (linear WCS as
//!   astropy writes it, SIP, the record-valued `DPj`/`D2IMj` keywords, `OCX*`,
//!   `IDCSCALE`), followed by the chip's `WCSDVARR` and `D2IMARR` tables;
//! * a `HDRLET` extension inside an exposure: a non-standard extension
//!   (`XTENSION = 'HDRLET'`, BITPIX 8, NAXIS 1) whose data are the whole headerlet file,
//!   with `XINDn`, `COMPRESS` and copies of the headerlet's names in its header;
//! * applying a headerlet as the primary WCS of an exposure (`Headerlet.apply_as_primary`):
//!   the current primary is kept as a HDRLET and, when the distortion models agree, as an
//!   alternate WCS; SIP, lookup keywords and lookup extensions are replaced.
//!
//! Every change to an exposure happens in one `driz_fits::update_file` call after all
//! checks, and a headerlet file is written through `FitsWriter`: a failure leaves every
//! file as it was. The WCSCORR table (§2.5) is not written.

#![allow(clippy::needless_range_loop)] // index loops mirror the keyword numbering

use crate::altwcs;
use crate::error::{Error, Result};
use crate::names::{self, NameInputs, g14};
use driz_fits::{Fits, FitsWriter, is_structural};
use driz_header::{Card, Header, Value};
use driz_wcs::{HstWcs, LookupTable, TableKind, WcsError};
use ndarray::Array2;
use std::path::{Path, PathBuf};

/// One extension of a headerlet: a `SIPWCS` header (no data) or a lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct HletHdu {
    pub extname: String,
    pub extver: i64,
    /// Non-structural cards.
    pub header: Header,
    /// The table of a `WCSDVARR`/`D2IMARR` extension.
    pub data: Option<Array2<f32>>,
}

/// A headerlet in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Headerlet {
    /// Non-structural cards of the primary HDU.
    pub primary: Header,
    /// Extensions in file order.
    pub hdus: Vec<HletHdu>,
}

fn text(h: &Header, k: &str) -> Option<String> {
    match h.get(k) {
        Some(Value::Text(s)) => Some(s.trim().to_string()),
        Some(v) if v.as_f64().is_some() => h.get_f64(k).ok().flatten().map(|x| x.to_string()),
        _ => None,
    }
}

fn non_structural(h: &Header) -> Header {
    let mut out = h.clone();
    out.retain(|c| c.keyword == "CONTINUE" || !is_structural(&c.keyword) || c.is_hierarch());
    out
}

impl Headerlet {
    /// Read a headerlet file.
    pub fn from_file(path: &Path) -> Result<Headerlet> {
        let mut fits = Fits::open(path)?;
        let primary = non_structural(fits.primary_header());
        let mut hdus = Vec::new();
        for i in 1..fits.hdus().len() {
            let hdu = fits.hdu(i).clone();
            let data = match hdu.extname.as_str() {
                "WCSDVARR" | "D2IMARR" => Some(fits.read_image::<f32>(i)?),
                _ => None,
            };
            hdus.push(HletHdu { extname: hdu.extname, extver: hdu.extver, header: non_structural(&hdu.header), data });
        }
        let h = Headerlet { primary, hdus };
        h.verify().map_err(|m| Error::file(path, format!("not a valid headerlet: {m}")))?;
        Ok(h)
    }

    /// Read a headerlet from the bytes of a FITS file (the data of a HDRLET extension;
    /// gzip-compressed bytes are accepted). `label` names the source in errors.
    pub fn from_bytes(bytes: &[u8], label: &Path) -> Result<Headerlet> {
        let dir = tempfile::tempdir().map_err(|e| Error::file(label, format!("temporary directory: {e}")))?;
        let tmp = dir.path().join("headerlet.fits");
        std::fs::write(&tmp, bytes).map_err(|e| Error::file(label, format!("temporary file: {e}")))?;
        Headerlet::from_file(&tmp).map_err(|e| match e {
            Error::File { message, .. } => Error::file(label, message),
            Error::Fits(f) => Error::file(label, f.to_string().replace(&tmp.display().to_string(), "headerlet")),
        })
    }

    /// stwcs `hverify` plus what applying needs: non-blank `DESTIM` and `HDRNAME`,
    /// `UPWCSVER` present, at least one SIPWCS, every referenced lookup table present.
    pub fn verify(&self) -> std::result::Result<(), String> {
        for k in ["DESTIM", "HDRNAME"] {
            if text(&self.primary, k).is_none_or(|s| s.is_empty()) {
                return Err(format!("primary header has no {k}"));
            }
        }
        if !self.primary.contains("UPWCSVER") {
            return Err("primary header has no UPWCSVER".into());
        }
        if self.sipwcs().next().is_none() {
            return Err("no SIPWCS extension".into());
        }
        for (ver, h) in self.sipwcs() {
            for (kind, rec) in [("WCSDVARR", "DP"), ("D2IMARR", "D2IM")] {
                for j in 1..=2 {
                    if let Ok(Some(v)) = h.record(&format!("{rec}{j}"), "EXTVER")
                        && self.table(kind, v as i64).is_none()
                    {
                        return Err(format!("[SIPWCS,{ver}] {rec}{j}.EXTVER = {v} but there is no {kind},{v}"));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn hdrname(&self) -> String {
        text(&self.primary, "HDRNAME").unwrap_or_default()
    }
    pub fn wcsname(&self) -> String {
        text(&self.primary, "WCSNAME").unwrap_or_default()
    }
    pub fn destim(&self) -> String {
        text(&self.primary, "DESTIM").unwrap_or_default()
    }
    pub fn distname(&self) -> String {
        text(&self.primary, "DISTNAME").unwrap_or_default()
    }

    /// `(EXTVER, header)` of every SIPWCS extension.
    pub fn sipwcs(&self) -> impl Iterator<Item = (i64, &Header)> {
        self.hdus.iter().filter(|h| h.extname == "SIPWCS").map(|h| (h.extver, &h.header))
    }

    pub fn table(&self, extname: &str, extver: i64) -> Option<&HletHdu> {
        self.hdus.iter().find(|h| h.extname == extname && h.extver == extver && h.data.is_some())
    }

    /// The science extension a SIPWCS targets (`TG_ENAME`, `TG_EVER`; default SCI, EXTVER).
    pub fn target(&self, sipwcs_extver: i64, h: &Header) -> (String, i64) {
        let name = text(h, "TG_ENAME").filter(|s| !s.is_empty()).unwrap_or_else(|| "SCI".into());
        let ver = h.get_i64("TG_EVER").ok().flatten().unwrap_or(sipwcs_extver);
        (name.to_ascii_uppercase(), ver)
    }

    /// The complete WCS of SIPWCS `extver` (SIP, NPOL, D2IM included).
    pub fn wcs(&self, extver: i64) -> std::result::Result<HstWcs, WcsError> {
        let h = self
            .sipwcs()
            .find(|(v, _)| *v == extver)
            .map(|(_, h)| h)
            .ok_or_else(|| WcsError::Invalid(format!("no SIPWCS,{extver}")))?;
        let mut tables = |kind: TableKind, ver: i64| -> std::result::Result<LookupTable, WcsError> {
            let t = self.table(kind.extname(), ver).ok_or_else(|| WcsError::BadTable("extension is missing".into()))?;
            let data = t.data.as_ref().expect("tables have data");
            let (ny, nx) = data.dim();
            LookupTable::new(&t.header, [nx, ny], data.iter().copied().collect())
        };
        HstWcs::from_header(h, ' ', &mut tables)
    }

    /// Write the headerlet as a FITS file (atomically; an existing file is replaced).
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut w = FitsWriter::create(path)?;
        w.primary(&self.primary)?;
        for hdu in &self.hdus {
            match &hdu.data {
                Some(d) => w.image(&hdu.header, d.view())?,
                None => w.header_only(&hdu.header)?,
            }
        }
        w.finish()?;
        Ok(())
    }

    /// The headerlet file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let dir = tempfile::tempdir().map_err(|e| Error::file("headerlet", format!("temporary directory: {e}")))?;
        let tmp = dir.path().join("headerlet.fits");
        self.write(&tmp)?;
        std::fs::read(&tmp).map_err(|e| Error::file(&tmp, e.to_string()))
    }
}

/// Byte offsets of the extension headers of a FITS file in memory (astropy's `XINDn`).
fn extension_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut first = true;
    while at + 2880 <= bytes.len() {
        if !first {
            out.push(at);
        }
        first = false;
        let (mut bitpix, mut naxis, mut pcount, mut gcount) = (8i64, 0i64, 0i64, 1i64);
        let mut dims: Vec<i64> = Vec::new();
        let mut end = None;
        'blocks: for block in (at..bytes.len()).step_by(2880) {
            for c in 0..36 {
                let s = block + 80 * c;
                let Some(card) = bytes.get(s..s + 80) else { break 'blocks };
                let card = String::from_utf8_lossy(card);
                let key = card.get(..8).unwrap_or("").trim().to_string();
                let value =
                    || card.get(10..).and_then(|v| v.split('/').next()).and_then(|v| v.trim().parse::<i64>().ok());
                match key.as_str() {
                    "END" => {
                        end = Some(block + 2880);
                        break 'blocks;
                    }
                    "BITPIX" => bitpix = value().unwrap_or(8),
                    "NAXIS" => naxis = value().unwrap_or(0),
                    "PCOUNT" => pcount = value().unwrap_or(0),
                    "GCOUNT" => gcount = value().unwrap_or(1),
                    k if k.starts_with("NAXIS") => dims.push(value().unwrap_or(0)),
                    _ => {}
                }
            }
        }
        let Some(data_start) = end else { break };
        let n: i64 = if naxis == 0 { 0 } else { dims.iter().take(naxis as usize).product() };
        let size = (bitpix.unsigned_abs() as i64 / 8) * gcount * (pcount + n);
        at = data_start + (size as usize).div_ceil(2880) * 2880;
    }
    out
}

/// The header of a HDRLET extension holding `hlet` as `bytes` (astropy `FitsHDU` +
/// stwcs `HeaderletHDU.fromheaderlet`).
pub fn hdrlet_extension_header(hlet: &Headerlet, bytes: &[u8], extver: i64) -> Header {
    let p = &hlet.primary;
    let mut h = Header::new();
    for (i, off) in extension_offsets(bytes).iter().enumerate() {
        h.append(Card::new(&format!("XIND{}", i + 1), *off as i64, &format!("byte offset of extension {}", i + 1)));
    }
    h.append(Card::new("COMPRESS", false, "Uses gzip compression"));
    let copy = |h: &mut Header, k: &str, comment: &str| {
        let v = p.get(k).cloned().unwrap_or(Value::Text(String::new()));
        let c = p.card(k).map(|c| c.comment.clone()).filter(|c| !c.is_empty()).unwrap_or(comment.to_string());
        h.append(Card::new(k, v, &c));
    };
    copy(&mut h, "HDRNAME", "Headerlet name");
    copy(&mut h, "DATE", "Date FITS file was generated");
    let sipname = p.get("SIPNAME").or_else(|| p.get("WCSNAME")).cloned().unwrap_or(Value::Text(String::new()));
    h.append(Card::new("SIPNAME", sipname, "SIP distortion model name"));
    h.append(Card::new("WCSNAME", p.get("WCSNAME").cloned().unwrap_or(Value::Text(String::new())), "WCS name"));
    h.append(Card::new(
        "DISTNAME",
        p.get("DISTNAME").cloned().unwrap_or(Value::Text(String::new())),
        "Distortion model name",
    ));
    copy(&mut h, "NPOLFILE", "origin of non-polynmial distortion model");
    copy(&mut h, "D2IMFILE", "origin of detector to image correction");
    h.append(Card::new("EXTNAME", "HDRLET", "Extension name"));
    h.append(Card::new("EXTVER", extver, ""));
    h
}

/// What to put into a new headerlet (stwcs `create_headerlet` arguments).
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    /// HDRNAME; default `HDRNAME<key>` of the first SCI, else its `WCSNAME<key>`.
    pub hdrname: Option<String>,
    /// WCSNAME; default `WCSNAME<key>` of the first SCI, else the HDRNAME.
    pub wcsname: Option<String>,
    /// WCS key to save: `' '` (primary, the default) or an alternate letter other than `O`.
    pub key: Option<char>,
    pub author: Option<String>,
    pub descrip: Option<String>,
    pub nmatch: Option<i64>,
    pub catalog: Option<String>,
}

/// The rootname stwcs compares with `DESTIM`: `ROOTNAME`, else the file name up to `.fits`.
fn dest_root(path: &Path, primary: &Header) -> String {
    match text(primary, "ROOTNAME") {
        Some(r) => r,
        None => {
            let s = path.display().to_string();
            s.split(".fits").next().unwrap_or(&s).to_string()
        }
    }
}

fn sfx(key: char) -> String {
    if key == ' ' { String::new() } else { key.to_string() }
}

const SIP_ORDER_COMMENTS: [(&str, &str); 4] = [
    ("A", "SIP polynomial order, axis 0, detector to sky"),
    ("B", "SIP polynomial order, axis 1, detector to sky"),
    ("AP", "SIP polynomial order, axis 0, sky to detector"),
    ("BP", "SIP polynomial order, axis 1, sky to detector"),
];

fn is_sip_keyword(k: &str) -> bool {
    ["A_", "B_", "AP_", "BP_"].iter().any(|p| {
        k.strip_prefix(p).is_some_and(|r| {
            r == "ORDER"
                || r.split_once('_').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && a.bytes().all(|c| c.is_ascii_digit())
                        && b.bytes().all(|c| c.is_ascii_digit())
                })
        })
    })
}

/// The SIPWCS header of one chip (key `key`) as stwcs writes it, and the lookup tables it
/// references as `(extname, extver, source HDU index)`.
fn sipwcs_header(
    path: &Path,
    sci: &driz_fits::Hdu,
    key: char,
    wcsname: &str,
    nd2i: &mut i64,
) -> Result<(Header, Vec<(&'static str, i64)>)> {
    let h = &sci.header;
    let label = sci.label();
    let c = driz_wcs::Celestial::from_header(h, key).map_err(|e| Error::file(path, format!("[{label}] {e}")))?;
    let mut o = Header::new();
    let sip = c.ctype_has_sip();
    o.append(Card::new("WCSAXES", 2i64, "Number of coordinate axes"));
    for i in 0..2 {
        o.append(Card::new(&format!("CRPIX{}", i + 1), g14(c.crpix[i]), "Pixel coordinate of reference point"));
    }
    for i in 1..=2 {
        o.append(Card::new(&format!("CUNIT{i}"), "deg", "Units of coordinate increment and value"));
    }
    let ctype_comment = |i: usize| {
        if sip {
            "TAN (gnomonic) projection + SIP distortions"
        } else if i == 0 {
            "Right ascension, gnomonic projection"
        } else {
            "Declination, gnomonic projection"
        }
    };
    for i in 0..2 {
        o.append(Card::new(&format!("CTYPE{}", i + 1), c.ctype[i].as_str(), ctype_comment(i)));
    }
    for i in 0..2 {
        o.append(Card::new(&format!("CRVAL{}", i + 1), g14(c.crval[i]), "[deg] Coordinate value at reference point"));
    }
    let s = sfx(key);
    for i in 1..=2 {
        if let Ok(Some(v)) = h.get_f64(&format!("CRDER{i}{s}")) {
            o.append(Card::new(&format!("CRDER{i}"), g14(v), "[deg] Random error in coordinate"));
        }
    }
    o.append(Card::new("WCSNAME", wcsname, "Coordinate system title"));
    o.append(Card::new("MJDREF", 0.0, "[d] MJD of fiducial time"));
    let radesys = c.radesys.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "ICRS".into());
    o.append(Card::new("RADESYS", radesys.as_str(), "Equatorial coordinate system"));
    // SIP: orders and non-zero coefficients, sorted by (p, q), values unchanged.
    for (prefix, comment) in SIP_ORDER_COMMENTS {
        let Ok(Some(order)) = h.get_i64(&format!("{prefix}_ORDER")) else { continue };
        if !sip {
            continue;
        }
        o.append(Card::new(&format!("{prefix}_ORDER"), order, comment));
        for p in 0..=order {
            for q in 0..=(order - p) {
                let k = format!("{prefix}_{p}_{q}");
                if let Ok(Some(v)) = h.get_f64(&k)
                    && v != 0.0
                {
                    o.append(Card::new(&k, v, "SIP distortion coefficient"));
                }
            }
        }
    }
    let mut tables = Vec::new();
    let mut has_d2im = false;
    let mut has_npol = false;
    for (kind, dis, rec, fname, what) in [
        ("D2IMARR", "D2IMDIS", "D2IM", "D2IM", "Detector to image correction type"),
        ("WCSDVARR", "CPDIS", "DP", "CPDIS", "Prior distortion function type"),
    ] {
        for j in 1..=2 {
            if !h.contains(&format!("{dis}{j}")) {
                continue;
            }
            let ver = match h.record(&format!("{rec}{j}"), "EXTVER") {
                Ok(Some(v)) => v as i64,
                _ if kind == "D2IMARR" => {
                    // Old-style D2IM without EXTVER: stwcs numbers them in order.
                    let v = *nd2i;
                    *nd2i += 1;
                    v
                }
                _ => {
                    return Err(Error::file(path, format!("[{label}] {dis}{j} is set but {rec}{j}.EXTVER is missing")));
                }
            };
            o.append(Card::new(&format!("{dis}{j}"), "LOOKUP", what));
            o.append(Card::new(&format!("{rec}{j}"), format!("EXTVER: {ver}"), "Version number of WCSDVARR extension"));
            o.append(Card::new(
                &format!("{rec}{j}"),
                "NAXES: 2",
                &format!("Number of independent variables in {fname} function"),
            ));
            o.append(Card::new(
                &format!("{rec}{j}"),
                "AXIS.1: 1",
                &format!("Axis number of the 1st variable in a {fname} function"),
            ));
            o.append(Card::new(
                &format!("{rec}{j}"),
                "AXIS.2: 2",
                &format!("Axis number of the 2nd variable in a {fname} function"),
            ));
            tables.push((kind, ver));
            if kind == "D2IMARR" {
                has_d2im = true;
            } else {
                has_npol = true;
            }
        }
    }
    // WCSDVARR before D2IMARR, as stwcs appends them.
    tables.sort_by_key(|(k, _)| *k != "WCSDVARR");
    o.append(Card::new(
        "ORIENTAT",
        c.cd[0][1].atan2(c.cd[1][1]).to_degrees(),
        "positions angle of image y axis (deg. e of n)",
    ));
    o.append(Card::new("TG_ENAME", sci.extname.as_str(), "Target science data extname"));
    o.append(Card::new("TG_EVER", sci.extver, "Target science data extver"));
    let comments = [
        ["partial of first axis coordinate w.r.t. x", "partial of first axis coordinate w.r.t. y"],
        ["partial of second axis coordinate w.r.t. x", "partial of second axis coordinate w.r.t. y"],
    ];
    for i in 0..2 {
        for j in 0..2 {
            o.append(Card::new(&format!("CD{}_{}", i + 1, j + 1), g14(c.cd[i][j]), comments[i][j]));
        }
    }
    for k in ["OCX10", "OCX11", "OCY10", "OCY11", "IDCSCALE"] {
        if let Some(card) = h.card(k) {
            let comment = if k == "IDCSCALE" {
                "pixel scale from the IDCTAB reference file"
            } else {
                "original linear term from IDCTAB"
            };
            o.append(Card::new(k, card.value.clone().unwrap_or(Value::Undefined), comment));
        }
    }
    let copy = |o: &mut Header, pred: &dyn Fn(&str) -> bool| {
        for card in h.cards().iter().filter(|c| !c.is_commentary() && pred(&c.keyword)) {
            o.append(card.clone());
        }
    };
    if has_d2im {
        copy(&mut o, &|k| k == "D2IMEXT");
        copy(&mut o, &|k| k.starts_with("D2IMERR"));
    }
    if has_npol {
        copy(&mut o, &|k| k.starts_with("CPERR"));
        copy(&mut o, &|k| k == "NPOLEXT");
    }
    o.append(Card::new("EXTNAME", "SIPWCS", "extension name"));
    o.append(Card::new("EXTVER", sci.extver, "extension value"));
    Ok((o, tables))
}

/// The header stwcs/astropy gives a lookup table inside a headerlet.
fn table_header(src: &Header, extname: &str, extver: i64) -> Header {
    let mut o = Header::new();
    o.append(Card::new("EXTNAME", extname, "extension name"));
    let f = |k: &str, d: f64| src.get_f64(k).ok().flatten().unwrap_or(d);
    for (k, c, d) in [
        ("CRPIX", "Coordinate system reference pixel", 0.0),
        ("CRVAL", "Coordinate system value at reference pixel", 0.0),
        ("CDELT", "Coordinate increment along axis", 1.0),
    ] {
        for j in 1..=2 {
            o.append(Card::new(&format!("{k}{j}"), f(&format!("{k}{j}"), d), c));
        }
    }
    o.append(Card::new("EXTVER", extver, "extension value"));
    o
}

/// A headerlet of a WCS of an open exposure (stwcs `create_headerlet` on all SCI
/// extensions).
pub fn create_from(fits: &mut Fits, options: &CreateOptions) -> Result<Headerlet> {
    let path = fits.path().to_path_buf();
    let key = options.key.unwrap_or(' ').to_ascii_uppercase();
    if key == 'O' {
        return Err(Error::file(&path, "'O' is reserved for the original WCS; it cannot be saved as a headerlet"));
    }
    let sci: Vec<usize> = fits.hdus().iter().filter(|h| h.extname == "SCI").map(|h| h.index).collect();
    let sci = if sci.is_empty() { vec![0] } else { sci };
    let first = fits.hdu(sci[0]).header.clone();
    let s = sfx(key);
    if key != ' ' && !altwcs::has_key(&first, key) {
        return Err(Error::file(&path, format!("no WCS with key {key} in [{}]", fits.hdu(sci[0]).label())));
    }
    let primary_in = fits.primary_header().clone();
    let hdr_kw = text(&first, &format!("HDRNAME{s}")).filter(|x| !x.is_empty());
    let wcs_kw = text(&first, &format!("WCSNAME{s}")).filter(|x| !x.is_empty());
    let hdrname =
        options.hdrname.clone().filter(|x| !x.trim().is_empty()).or_else(|| hdr_kw.clone()).or_else(|| wcs_kw.clone());
    let Some(hdrname) = hdrname else {
        return Err(Error::file(
            &path,
            format!("no HDRNAME{s} or WCSNAME{s} in the SCI header; give a headerlet name"),
        ));
    };
    let wcsname =
        options.wcsname.clone().filter(|x| !x.trim().is_empty()).or(wcs_kw).unwrap_or_else(|| hdrname.clone());
    let destim = dest_root(&path, &primary_in);
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let rootname = text(&primary_in, "ROOTNAME").unwrap_or(file_name);
    let str_kw = |k: &str| primary_in.get_str(k).ok().flatten().map(str::to_string);
    let idctab = str_kw("IDCTAB");
    let npolfile = str_kw("NPOLFILE");
    let d2imfile = str_kw("D2IMFILE");
    let (sipname, distname) = names::sip_and_dist_names(&NameInputs {
        idctab: idctab.as_deref(),
        npolfile: npolfile.as_deref(),
        d2imfile: d2imfile.as_deref(),
        sipname: str_kw("SIPNAME").as_deref(),
        rootname: &rootname,
        ext1_has_sip: fits.hdus().get(1).is_some_and(|h| h.header.contains("A_ORDER") || h.header.contains("B_ORDER")),
    });
    let num = |k: &str| first.get(&format!("{k}{s}")).filter(|v| v.as_f64().is_some()).cloned();
    let mut p = Header::new();
    p.append(Card::new("DESTIM", destim.as_str(), "Destination observation root name"));
    p.append(Card::new("HDRNAME", hdrname.as_str(), "Headerlet name"));
    p.append(Card::new("DATE", driz_fits::utc_now_iso(), "Date FITS file was generated"));
    p.append(Card::new("WCSNAME", wcsname.as_str(), "Coordinate system title"));
    p.append(Card::new("DISTNAME", distname.as_str(), "Distortion model name"));
    p.append(Card::new("SIPNAME", sipname.as_str(), "origin of SIP polynomial distortion model"));
    p.append(Card::new("NPOLFILE", npolfile.as_deref().unwrap_or(" "), "origin of non-polynmial distortion model"));
    p.append(Card::new("D2IMFILE", d2imfile.as_deref().unwrap_or("N/A"), "origin of detector to image correction"));
    p.append(Card::new("IDCTAB", idctab.as_deref().unwrap_or("N/A"), "origin of Polynomial Distortion"));
    p.append(Card::new("AUTHOR", options.author.as_deref().unwrap_or(""), "headerlet created by this user"));
    p.append(Card::new("DESCRIP", options.descrip.as_deref().unwrap_or(""), "Short description of headerlet solution"));
    p.append(Card::new(
        "RMS_RA",
        num("CRDER1").unwrap_or(Value::Integer(0)),
        "RMS in RA at ref pix of headerlet solution",
    ));
    p.append(Card::new(
        "RMS_DEC",
        num("CRDER2").unwrap_or(Value::Integer(0)),
        "RMS in Dec at ref pix of headerlet solution",
    ));
    let nmatch = options.nmatch.map(Value::Integer).or_else(|| num("NMATCH")).unwrap_or(Value::Integer(0));
    p.append(Card::new("NMATCH", nmatch, "Number of sources used for headerlet solution"));
    let catalog = options.catalog.clone().or_else(|| text(&first, &format!("CATALOG{s}"))).unwrap_or_default();
    p.append(Card::new("CATALOG", catalog, "Astrometric catalog used for headerlet solution"));
    for k in ["UPWCSVER", "PYWCSVER"] {
        let v = primary_in.get(k).cloned().unwrap_or(Value::Text(String::new()));
        let what = if k == "UPWCSVER" { "STWCS" } else { "PYWCS" };
        p.append(Card::new(k, v, &format!("Version of {what} used to update the WCS")));
    }

    let mut hdus = Vec::new();
    let mut nd2i = 1;
    for &i in &sci {
        let hdu = fits.hdu(i).clone();
        if key != ' ' && !altwcs::has_key(&hdu.header, key) {
            return Err(Error::file(&path, format!("no WCS with key {key} in [{}]", hdu.label())));
        }
        let (header, tables) = sipwcs_header(&path, &hdu, key, &wcsname, &mut nd2i)?;
        hdus.push(HletHdu { extname: "SIPWCS".into(), extver: hdu.extver, header, data: None });
        for (kind, ver) in tables {
            let idx = fits.position(kind, ver).ok_or_else(|| {
                Error::file(&path, format!("[{}] refers to {kind},{ver}, which is not in the file", hdu.label()))
            })?;
            let src = fits.hdu(idx).header.clone();
            let data = fits.read_image::<f32>(idx)?;
            hdus.push(HletHdu {
                extname: kind.into(),
                extver: ver,
                header: table_header(&src, kind, ver),
                data: Some(data),
            });
        }
    }
    let h = Headerlet { primary: p, hdus };
    h.verify().map_err(|m| Error::file(&path, m))?;
    Ok(h)
}

/// [`create_from`] on a file.
pub fn create(exposure: &Path, options: &CreateOptions) -> Result<Headerlet> {
    let mut fits = Fits::open(exposure)?;
    create_from(&mut fits, options)
}

/// stwcs `write_headerlet(filename, hdrname, output, wcskey='PRIMARY', attach=False,
/// clobber=True)`: write a headerlet of the exposure's primary WCS (see [`output_name`]
/// for the file name; runastrodriz passes `output = "flt"`). Returns the path written.
pub fn write_headerlet(exposure: &Path, output: Option<&str>, options: &CreateOptions) -> Result<PathBuf> {
    let hlet = create(exposure, options)?;
    let out = output_name(exposure, output);
    hlet.write(&out)?;
    Ok(out)
}

/// The headerlet file name stwcs `write_headerlet` uses: with no `output`,
/// `<rootname>_hlet.fits` next to the exposure (the rootname is the file name cut at its
/// `_flt.fits`/`_flc.fits`/… suffix); an `output` ending in `.fits` as given; any other
/// `output` gives `<rootname>_<output>_hlet.fits` (`"flt"` → `j94f05bgq_flt_hlet.fits`).
pub fn output_name(exposure: &Path, output: Option<&str>) -> PathBuf {
    let name = exposure.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let root = names::extract_rootname(&name, "");
    let dir = exposure.parent().map(Path::to_path_buf).unwrap_or_default();
    match output {
        None => dir.join(format!("{root}_hlet.fits")),
        Some(o) if o.ends_with(".fits") => PathBuf::from(o),
        Some(o) => dir.join(format!("{root}_{o}_hlet.fits")),
    }
}

/// One HDRLET extension of an exposure, from its own header.
#[derive(Debug, Clone, PartialEq)]
pub struct HdrletInfo {
    pub index: usize,
    pub extver: i64,
    pub hdrname: String,
    pub wcsname: String,
    pub distname: String,
    pub sipname: String,
    pub date: String,
    pub compressed: bool,
}

fn is_hdrlet(hdu: &driz_fits::Hdu) -> bool {
    let x = text(&hdu.header, "XTENSION").unwrap_or_default();
    x.eq_ignore_ascii_case("HDRLET") || (hdu.extname == "HDRLET" && !x.eq_ignore_ascii_case("IMAGE"))
}

fn hdrlet_infos(fits: &Fits) -> Vec<HdrletInfo> {
    fits.hdus()
        .iter()
        .filter(|h| is_hdrlet(h))
        .map(|h| {
            let s = |k: &str| text(&h.header, k).unwrap_or_default();
            HdrletInfo {
                index: h.index,
                extver: h.extver,
                hdrname: s("HDRNAME"),
                wcsname: s("WCSNAME"),
                distname: s("DISTNAME"),
                sipname: s("SIPNAME"),
                date: s("DATE"),
                compressed: h.header.get_bool("COMPRESS").ok().flatten().unwrap_or(false),
            }
        })
        .collect()
}

/// The HDRLET extensions of an exposure, in file order.
pub fn list(exposure: &Path) -> Result<Vec<HdrletInfo>> {
    Ok(hdrlet_infos(&Fits::open(exposure)?))
}

/// The headerlet stored in HDRLET extension `extver` of an exposure.
pub fn read_extension(exposure: &Path, extver: i64) -> Result<Headerlet> {
    let mut fits = Fits::open(exposure)?;
    let info = hdrlet_infos(&fits)
        .into_iter()
        .find(|i| i.extver == extver)
        .ok_or_else(|| Error::file(exposure, format!("no HDRLET extension with EXTVER {extver}")))?;
    let bytes = fits.read_bytes(info.index)?;
    Headerlet::from_bytes(&bytes, &exposure.join(format!("[HDRLET,{extver}]")))
        .map_err(|e| Error::file(exposure, format!("[HDRLET,{extver}] {}", strip_path(&e))))
}

fn strip_path(e: &Error) -> String {
    match e {
        Error::File { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Attach `hlet` to an exposure as a HDRLET extension (stwcs `attach_to_file`):
/// `DESTIM` must equal the exposure's ROOTNAME and `HDRNAME` must be new. Atomic.
/// Returns the new extension's EXTVER.
pub fn attach(exposure: &Path, hlet: &Headerlet) -> Result<i64> {
    hlet.verify().map_err(|m| Error::file(exposure, format!("not a valid headerlet: {m}")))?;
    let fits = Fits::open(exposure)?;
    check_dest(exposure, fits.primary_header(), hlet)?;
    let infos = hdrlet_infos(&fits);
    if infos.iter().any(|i| i.hdrname == hlet.hdrname()) {
        return Err(Error::file(
            exposure,
            format!("already has a headerlet with HDRNAME '{}'; nothing was attached", hlet.hdrname()),
        ));
    }
    let extver = infos.len() as i64 + 1;
    let bytes = hlet.to_bytes()?;
    let header = hdrlet_extension_header(hlet, &bytes, extver);
    let mut primary = fits.primary_header().clone();
    let nhdus = fits.hdus().len();
    drop(fits);
    driz_fits::update_file(exposure, |u| {
        u.append_nonstandard("HDRLET", &header, &bytes)?;
        if primary.contains("NEXTEND") {
            primary.set("NEXTEND", nhdus as i64);
            u.set_header(0, &primary)?;
        }
        Ok(())
    })?;
    Ok(extver)
}

fn check_dest(exposure: &Path, primary: &Header, hlet: &Headerlet) -> Result<()> {
    let root = dest_root(exposure, primary);
    if root != hlet.destim() {
        return Err(Error::file(
            exposure,
            format!(
                "headerlet '{}' is for DESTIM = '{}', but this exposure's ROOTNAME is '{root}'; nothing was changed",
                hlet.hdrname(),
                hlet.destim()
            ),
        ));
    }
    Ok(())
}

/// How to apply a headerlet (stwcs `apply_headerlet_as_primary` arguments).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApplyOptions {
    /// Attach the applied headerlet as a HDRLET extension (skipped, as in stwcs, when its
    /// HDRNAME is already attached).
    pub attach: bool,
    /// Keep the current primary WCS as a HDRLET and, with equal distortion models, as an
    /// alternate WCS.
    pub archive: bool,
    /// Apply even when the headerlet's DISTNAME differs from the exposure's.
    pub force: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions { attach: true, archive: true, force: false }
    }
}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplyReport {
    pub hdrname: String,
    pub wcsname: String,
    /// The previous primary archived as an alternate: `(key, name)`.
    pub archived_key: Option<(char, String)>,
    /// HDRNAMEs of HDRLETs made from the previous WCSs and attached.
    pub archived_hdrlets: Vec<String>,
    /// EXTVER of the applied headerlet's own HDRLET, when attached.
    pub attached: Option<i64>,
    pub chips: Vec<(String, i64)>,
    /// Alternate keys deleted (forced application with a different distortion model).
    pub deleted_keys: Vec<char>,
}

/// The exposure's DISTNAME: primary `DISTNAME`, else built from its reference files.
fn exposure_distname(path: &Path, fits: &Fits) -> String {
    let p = fits.primary_header();
    if let Some(d) = text(p, "DISTNAME") {
        return d;
    }
    let str_kw = |k: &str| p.get_str(k).ok().flatten().map(str::to_string);
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let rootname = text(p, "ROOTNAME").unwrap_or(file_name);
    names::sip_and_dist_names(&NameInputs {
        idctab: str_kw("IDCTAB").as_deref(),
        npolfile: str_kw("NPOLFILE").as_deref(),
        d2imfile: str_kw("D2IMFILE").as_deref(),
        sipname: None,
        rootname: &rootname,
        ext1_has_sip: fits.hdus().get(1).is_some_and(|h| h.header.contains("A_ORDER") || h.header.contains("B_ORDER")),
    })
    .1
}

/// Remove the primary WCS, SIP, lookup keywords, IDC coefficients and fit values of a
/// science header (stwcs `_del_dest_WCS` for one extension).
fn remove_dest_wcs(h: &mut Header) {
    // D2IM and NPOL (the reference files are marked N/A in the extension, as stwcs does).
    for (dis, rec, err, ext, file) in
        [("D2IMDIS", "D2IM", "D2IMERR", "D2IMEXT", "D2IMFILE"), ("CPDIS", "DP", "CPERR", "NPOLEXT", "NPOLFILE")]
    {
        if h.contains(&format!("{dis}1")) || h.contains(&format!("{dis}2")) {
            for j in 1..=2 {
                h.remove(&format!("{dis}{j}"));
                h.remove(&format!("{rec}{j}"));
                h.remove(&format!("{err}{j}"));
            }
            h.set(file, "N/A");
            h.remove(ext);
        }
    }
    let sip: Vec<String> = h.cards().iter().filter(|c| is_sip_keyword(&c.keyword)).map(|c| c.keyword.clone()).collect();
    for k in sip {
        h.remove(&k);
    }
    h.set("IDCTAB", "N/A");
    for base in ["CD1_", "CD2_", "CRVAL", "CTYPE", "CRPIX", "CDELT", "CUNIT"] {
        for i in 1..=2 {
            h.remove(&format!("{base}{i}"));
        }
    }
    h.remove("WCSAXES");
    h.remove("WCSNAME");
    for k in ["OCX10", "OCX11", "OCY10", "OCY11", "IDCSCALE"] {
        h.remove(k);
    }
    for key in altwcs::keys(h).into_iter().filter(|&k| k != 'O') {
        for base in ["NMATCH", "CATALOG"] {
            h.remove(&format!("{base}{}", sfx(key)));
        }
    }
}

/// The cards a SIPWCS puts into its science header (stwcs: the SIPWCS WCS as astropy
/// writes it, IDC coefficients, CRDER, WCSNAME, WCSAXES, HDRNAME, lookup errors and
/// reference names).
fn write_dest_wcs(h: &mut Header, sip: &Header, hlet: &Headerlet) {
    const SKIP: [&str; 6] = ["ORIENTAT", "TG_ENAME", "TG_EVER", "EXTNAME", "EXTVER", "CDELT1"];
    for card in sip.cards() {
        let k = card.keyword.as_str();
        if card.is_commentary() || SKIP.contains(&k) || k == "CDELT2" || k == "HDRNAME" {
            continue;
        }
        let record = (k.starts_with("DP") || k.starts_with("D2IM"))
            && k[if k.starts_with("DP") { 2 } else { 4 }..].bytes().all(|b| b.is_ascii_digit())
            && matches!(card.value, Some(Value::Text(ref t)) if t.contains(':'));
        if record || !h.contains(k) {
            h.append(card.clone());
        } else {
            h.set_with_comment(k, card.value.clone().unwrap_or(Value::Undefined), &card.comment);
        }
    }
    h.set_with_comment("WCSNAME", hlet.wcsname().as_str(), "Coordinate system title");
    h.set_with_comment("HDRNAME", hlet.hdrname().as_str(), "");
}

/// Apply `hlet` as the primary WCS of `exposure` (stwcs `Headerlet.apply_as_primary`;
/// see the module documentation). Atomic.
pub fn apply_as_primary(exposure: &Path, hlet: &Headerlet, options: &ApplyOptions) -> Result<ApplyReport> {
    hlet.verify().map_err(|m| Error::file(exposure, format!("not a valid headerlet: {m}")))?;
    let mut fits = Fits::open(exposure)?;
    check_dest(exposure, fits.primary_header(), hlet)?;
    let dest_dist = exposure_distname(exposure, &fits);
    let equal_models = dest_dist == hlet.distname();
    if !equal_models && !options.force {
        return Err(Error::file(
            exposure,
            format!(
                "distortion models differ: headerlet DISTNAME = '{}', exposure DISTNAME = '{dest_dist}' (use force to apply anyway); nothing was changed",
                hlet.distname()
            ),
        ));
    }
    let n = fits.hdus().len();
    let mut headers: Vec<Header> = fits.hdus().iter().map(|h| h.header.clone()).collect();
    let infos = hdrlet_infos(&fits);
    let mut hdrlet_names: Vec<String> = infos.iter().map(|i| i.hdrname.to_ascii_uppercase()).collect();
    let mut numhlt = infos.len() as i64;

    // Targets of the SIPWCS extensions.
    let mut targets = Vec::new();
    for (ver, sh) in hlet.sipwcs() {
        let (name, tver) = hlet.target(ver, sh);
        let idx = fits.position(&name, tver).ok_or_else(|| {
            Error::file(exposure, format!("headerlet SIPWCS,{ver} targets [{name},{tver}], which is not in the file"))
        })?;
        targets.push((idx, sh, name, tver));
    }
    let mut report = ApplyReport {
        hdrname: hlet.hdrname(),
        wcsname: hlet.wcsname(),
        chips: targets.iter().map(|t| (t.2.clone(), t.3)).collect(),
        ..Default::default()
    };

    // Archive.
    let mut new_hdrlets: Vec<(Header, Vec<u8>)> = Vec::new();
    if options.archive {
        let first = &headers[targets[0].0];
        let (hdrname, wcsname) = match text(first, "WCSNAME") {
            Some(w) => (w.clone(), Some(w)),
            None => (format!("{}_orig", text(&headers[0], "ROOTNAME").unwrap_or_default()), None),
        };
        if !hdrlet_names.contains(&hdrname.to_ascii_uppercase()) {
            let orig = create_from(
                &mut fits,
                &CreateOptions { hdrname: Some(hdrname.clone()), wcsname: wcsname.clone(), ..Default::default() },
            )?;
            numhlt += 1;
            let bytes = orig.to_bytes()?;
            new_hdrlets.push((hdrlet_extension_header(&orig, &bytes, numhlt), bytes));
            hdrlet_names.push(hdrname.to_ascii_uppercase());
            report.archived_hdrlets.push(hdrname.clone());
        }
        let alt_names: Vec<String> = driz_wcs::wcs_keys(first)
            .into_iter()
            .filter(|k| k.key != ' ')
            .filter_map(|k| k.name.map(|n| n.to_ascii_uppercase()))
            .collect();
        if equal_models {
            let hw = hlet.wcsname().to_ascii_uppercase();
            let cur_wcs = text(first, "WCSNAME").map(|w| w.to_ascii_uppercase());
            let archive_wcs = match (text(first, "HDRNAME"), &cur_wcs) {
                (Some(h), cur) => {
                    !hlet.hdrname().eq_ignore_ascii_case(&h)
                        || cur.as_ref().is_some_and(|w| *w != hw && !alt_names.contains(w))
                }
                (None, Some(w)) => *w != hw && !alt_names.contains(w),
                (None, None) => match text(first, "IDCTAB") {
                    Some(idc) => !alt_names
                        .contains(&format!("IDC_{}", names::extract_rootname(&idc, "_idc")).to_ascii_uppercase()),
                    None => true,
                },
            };
            if archive_wcs {
                // archive_wcs(OVERWRITE_KEY | AUTO_RENAME) without a key: the key already
                // holding that name, else the next free one.
                let name = text(first, "WCSNAME").filter(|s| !s.is_empty()).unwrap_or_else(|| "ARCHIVED_WCS".into());
                let key = altwcs::key_of_name(first, &name)
                    .filter(|&k| k != 'O')
                    .or_else(|| altwcs::next_free_key(first))
                    .ok_or_else(|| Error::file(exposure, "no free WCS key A-Z to archive the primary WCS"))?;
                for (idx, ..) in &targets {
                    altwcs::archive(&mut headers[*idx], key, &name).map_err(|e| {
                        Error::file(exposure, format!("[{}] {}", fits.hdu(*idx).label(), strip_path(&e)))
                    })?;
                }
                report.archived_key = Some((key, name));
            }
        } else {
            // Forced with another distortion model: every alternate (except O) becomes
            // a HDRLET and is deleted.
            for k in driz_wcs::wcs_keys(first).into_iter().filter(|k| k.key != ' ' && k.key != 'O') {
                let hname = k.name.clone().unwrap_or_default();
                if !hname.is_empty() && !hdrlet_names.contains(&hname.to_ascii_uppercase()) {
                    let alt = create_from(
                        &mut fits,
                        &CreateOptions {
                            hdrname: Some(hname.clone()),
                            wcsname: Some(hname.clone()),
                            key: Some(k.key),
                            ..Default::default()
                        },
                    )?;
                    numhlt += 1;
                    let bytes = alt.to_bytes()?;
                    new_hdrlets.push((hdrlet_extension_header(&alt, &bytes, numhlt), bytes));
                    hdrlet_names.push(hname.to_ascii_uppercase());
                    report.archived_hdrlets.push(hname);
                }
                for (idx, ..) in &targets {
                    altwcs::delete(&mut headers[*idx], k.key);
                }
                report.deleted_keys.push(k.key);
            }
        }
    }

    // Replace the WCS of every target.
    for (idx, sh, ..) in &targets {
        remove_dest_wcs(&mut headers[*idx]);
        write_dest_wcs(&mut headers[*idx], sh, hlet);
    }
    // Primary: reference files from the headerlet, versions.
    let p = &mut headers[0];
    for k in ["IDCTAB", "NPOLFILE", "D2IMFILE", "SIPNAME", "DISTNAME"] {
        let card = hlet.primary.card(k);
        let v = card.and_then(|c| c.value.clone()).unwrap_or(Value::Text("N/A".into()));
        let c = card.map(|c| c.comment.clone()).unwrap_or_default();
        p.set_with_comment(k, v, &c);
    }
    for (k, c) in [
        ("PYWCSVER", "Version of PYWCS used to updated the WCS"),
        ("UPWCSVER", "Version of STWCS used to updated the WCS"),
    ] {
        match hlet.primary.card(k) {
            Some(card) => p.set_with_comment(k, card.value.clone().unwrap_or(Value::Undefined), &card.comment),
            None => p.set_with_comment(k, " ", c),
        }
    }
    // This headerlet's own HDRLET.
    if options.attach && !hdrlet_names.contains(&hlet.hdrname().to_ascii_uppercase()) {
        numhlt += 1;
        let bytes = hlet.to_bytes()?;
        new_hdrlets.push((hdrlet_extension_header(hlet, &bytes, numhlt), bytes));
        report.attached = Some(numhlt);
    }

    let delete: Vec<usize> =
        fits.hdus().iter().filter(|h| h.extname == "WCSDVARR" || h.extname == "D2IMARR").map(|h| h.index).collect();
    let appended: usize = hlet.hdus.iter().filter(|h| h.data.is_some()).count();
    let nextend = n - 1 - delete.len() + appended + new_hdrlets.len();
    if headers[0].contains("NEXTEND") {
        headers[0].set("NEXTEND", nextend as i64);
    }
    let changed: Vec<(usize, Header)> =
        headers.into_iter().enumerate().filter(|(i, h)| fits.hdu(*i).header != *h).collect();
    drop(fits);
    driz_fits::update_file(exposure, |u| {
        for (i, h) in &changed {
            u.set_header(*i, h)?;
        }
        for i in delete.iter().rev() {
            u.delete_hdu(*i)?;
        }
        for (idx, sh, ..) in &targets {
            let _ = idx;
            for (kind, rec) in [("WCSDVARR", "DP"), ("D2IMARR", "D2IM")] {
                for j in 1..=2 {
                    if let Ok(Some(v)) = sh.record(&format!("{rec}{j}"), "EXTVER") {
                        let t = hlet.table(kind, v as i64).expect("verified");
                        u.append_image(&t.header, t.data.as_ref().expect("table").view())?;
                    }
                }
            }
        }
        for (h, bytes) in &new_hdrlets {
            u.append_nonstandard("HDRLET", h, bytes)?;
        }
        Ok(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sip_keyword_names() {
        for k in ["A_ORDER", "B_2_0", "AP_1_1", "BP_ORDER", "A_10_0"] {
            assert!(is_sip_keyword(k), "{k}");
        }
        for k in ["A_", "AB_1_1", "A_1", "A_x_1", "B_1_", "APERTURE"] {
            assert!(!is_sip_keyword(k), "{k}");
        }
    }

    #[test]
    fn output_names_as_stwcs() {
        let e = Path::new("/d/j94f05bgq_flt.fits");
        assert_eq!(output_name(e, None), PathBuf::from("/d/j94f05bgq_hlet.fits"));
        assert_eq!(output_name(e, Some("flt")), PathBuf::from("/d/j94f05bgq_flt_hlet.fits"));
        assert_eq!(output_name(e, Some("x.fits")), PathBuf::from("x.fits"));
        assert_eq!(output_name(Path::new("a_flc.fits"), Some("flc")), PathBuf::from("a_flc_hlet.fits"));
    }

    #[test]
    fn utc_dates_look_right() {
        let d = driz_fits::utc_now_iso();
        assert_eq!(d.len(), 19, "{d}");
        assert!(d.starts_with("20") && &d[4..5] == "-" && &d[10..11] == "T", "{d}");
    }
}
