//! The lookup-table extensions of the distortion paper built from HST reference files:
//! `D2IMARR` from a D2IMFILE (`_d2i`) and `WCSDVARR` from an NPOLFILE (`_npl`), with the
//! record-valued SCI keywords that point at them (stwcs `det2im`, `npol`).

use crate::error::{Error, Result};
use crate::names::f32_decimal;
use driz_fits::Fits;
use driz_header::{Card, Header, Value};
use ndarray::Array2;
use std::path::{Path, PathBuf};

/// One `DX`/`DY` table of a reference file.
#[derive(Debug, Clone)]
pub struct RefTable {
    pub axis: Axis,
    pub ccdchip: i64,
    pub header: Header,
    pub data: Array2<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Dx,
    Dy,
}

impl Axis {
    pub fn name(self) -> &'static str {
        match self {
            Axis::Dx => "DX",
            Axis::Dy => "DY",
        }
    }
    /// 1 for DX, 2 for DY.
    pub fn j(self) -> usize {
        match self {
            Axis::Dx => 1,
            Axis::Dy => 2,
        }
    }
}

/// A D2IM or NPOL reference file in memory.
#[derive(Debug, Clone)]
pub struct RefFile {
    pub path: PathBuf,
    pub primary: Header,
    /// NAXIS of the file's extension 1 (stwcs takes it from there for every table).
    pub naxis: usize,
    pub tables: Vec<RefTable>,
}

impl RefFile {
    pub fn open(path: &Path) -> Result<RefFile> {
        let mut fits = Fits::open(path)?;
        let primary = fits.primary_header().clone();
        let naxis = if fits.hdus().len() > 1 {
            fits.hdu(1).header.get_i64("NAXIS").ok().flatten().unwrap_or(2).max(1) as usize
        } else {
            return Err(Error::file(path, "reference file has no extensions"));
        };
        let mut tables = Vec::new();
        for i in 1..fits.hdus().len() {
            let h = fits.hdu(i).header.clone();
            let axis = match fits.hdu(i).extname.as_str() {
                "DX" => Axis::Dx,
                "DY" => Axis::Dy,
                _ => continue,
            };
            let ccdchip = h.get_i64("CCDCHIP").ok().flatten().unwrap_or(1);
            let data = fits.read_image::<f32>(i)?;
            tables.push(RefTable { axis, ccdchip, header: h, data });
        }
        Ok(RefFile { path: path.to_path_buf(), primary, naxis, tables })
    }

    /// The chip's table for an axis (the last one in the file wins, as in stwcs).
    pub fn table(&self, axis: Axis, chip: i64) -> Option<&RefTable> {
        self.tables.iter().rev().find(|t| t.axis == axis && t.ccdchip == chip)
    }

    /// NAXIS1/NAXIS2 of extension 1 (the "old style" full-size test).
    pub fn first_size(&self) -> Option<[usize; 2]> {
        self.tables.first().map(|t| [t.data.ncols(), t.data.nrows()])
    }
}

/// Which kind of lookup extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    D2im,
    Npol,
}

impl Kind {
    pub fn extname(self) -> &'static str {
        match self {
            Kind::D2im => "D2IMARR",
            Kind::Npol => "WCSDVARR",
        }
    }
}

/// A new lookup extension: header (non-structural cards) and data.
#[derive(Debug, Clone)]
pub struct LookupExt {
    pub kind: Kind,
    pub extver: i64,
    pub header: Header,
    pub data: Array2<f32>,
}

/// The extension header stwcs builds (`createNpolHdr`/`createD2ImHdr`).
pub fn extension_header(
    kind: Kind,
    extver: i64,
    axis: Axis,
    naxis: usize,
    table: &Header,
    sci: &Header,
    ref_primary: &Header,
) -> Header {
    let mut h = Header::new();
    h.append(Card::new("EXTNAME", kind.extname(), "WCS distortion array"));
    h.append(Card::new("EXTVER", extver, "Distortion array version number"));
    h.append(Card::new("CCDCHIP", axis.name(), ""));
    for i in 1..=naxis {
        let num = |h: &Header, k: &str, d: f64| h.get_f64(k).ok().flatten().unwrap_or(d);
        let cdelt = num(table, &format!("CDELT{i}"), 1.0) * num(sci, &format!("LTM{i}_{i}"), 1.0);
        let crpix =
            table.get(&format!("CRPIX{i}")).cloned().filter(|v| v.as_f64().is_some()).unwrap_or(Value::Float(0.0));
        let crval = num(table, &format!("CRVAL{i}"), 0.0) - num(sci, &format!("LTV{i}"), 0.0);
        h.append(Card::new(&format!("CDELT{i}"), cdelt, "Coordinate increment at reference point"));
        h.append(Card::new(&format!("CRPIX{i}"), crpix, "Pixel coordinate of reference point"));
        h.append(Card::new(&format!("CRVAL{i}"), crval, "Coordinate value at reference point"));
    }
    // The reference file's primary cards from FILENAME up to the first blank card.
    if let Some(start) = ref_primary.cards().iter().position(|c| c.keyword == "FILENAME") {
        let cards = ref_primary.cards();
        let end = cards.iter().position(|c| c.keyword.is_empty()).map_or(0, |e| e + 1);
        if end > start {
            for c in &cards[start..end] {
                h.append(c.clone());
            }
        }
    }
    h
}

/// Insert a card before `HISTORY` when the header has one, else append.
fn put(h: &mut Header, card: Card) {
    if h.cards().iter().any(|c| c.keyword == "HISTORY") {
        h.insert_before("HISTORY", card);
    } else {
        h.append(card);
    }
}

/// Set the SCI keywords describing lookup table `axis` of `kind` at extension `extver`,
/// with `error` = the table's maximum value.
pub fn set_sci_keywords(h: &mut Header, kind: Kind, axis: Axis, extver: i64, error: f32) {
    let j = axis.j();
    let (err_kw, dis_kw, rec_kw, what, dis_comment, fname) = match kind {
        Kind::D2im => (
            format!("D2IMERR{j}"),
            format!("D2IMDIS{j}"),
            format!("D2IM{j}"),
            "D2IM",
            "Detector to image correction type",
            "D2IM",
        ),
        Kind::Npol => (
            format!("CPERR{j}"),
            format!("CPDIS{j}"),
            format!("DP{j}"),
            "NPOL",
            "Prior distortion function type",
            "CPDIS",
        ),
    };
    for k in [&err_kw, &dis_kw, &rec_kw] {
        h.remove(k);
    }
    put(h, Card::new(&err_kw, f32_decimal(error), &format!("Maximum error of {what} correction for axis {j}")));
    put(h, Card::new(&dis_kw, "Lookup", dis_comment));
    put(h, Card::new(&rec_kw, format!("EXTVER: {extver}"), "Version number of WCSDVARR extension"));
    put(h, Card::new(&rec_kw, "NAXES: 2", &format!("Number of independent variables in {fname} function")));
    put(h, Card::new(&rec_kw, "AXIS.1: 1", &format!("Axis number of the 1st variable in a {fname} function")));
    put(h, Card::new(&rec_kw, "AXIS.2: 2", &format!("Axis number of the 2nd variable in a {fname} function")));
}

/// Remove every keyword of a lookup kind from a SCI header (stwcs `remove_distortion`).
pub fn remove_sci_keywords(h: &mut Header, kind: Kind) {
    let keys: &[&str] = match kind {
        Kind::D2im => &["D2IMERR1", "D2IMERR2", "D2IM1", "D2IM2", "D2IMDIS1", "D2IMDIS2", "D2IMEXT"],
        Kind::Npol => &["CPERR1", "CPERR2", "DP1", "DP2", "CPDIS1", "CPDIS2", "NPOLEXT"],
    };
    for k in keys {
        h.remove(k);
    }
}

/// Maximum value of a table (stwcs writes the max, not the max |value|).
pub fn max_value(data: &Array2<f32>) -> f32 {
    data.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}
