//! The IDCTAB reference file: the polynomial distortion model of each chip and filter
//! combination (stwcs `mutil.readIDCtab`), with the ACS/WFC time-dependent-distortion
//! coefficients of its primary header.

use crate::error::{Error, Result};
use driz_fits::{Column, Fits};
use driz_header::Header;
use std::path::{Path, PathBuf};

/// Time-dependent distortion coefficients of an ACS/WFC IDCTAB (for one chip).
#[derive(Debug, Clone, PartialEq)]
pub enum TddCoeffs {
    /// `TDD_CTB1` present (2015 calibration): linear-term rates per chip.
    Y2015 {
        date: f64,
        cta: Option<f64>,
        ctb: Option<f64>,
        cya: Option<f64>,
        cyb: Option<f64>,
        cxa: Option<f64>,
        cxb: Option<f64>,
    },
    /// `TDD_CYB1` present (2014 calibration).
    Y2014 { date: f64, cy_beta: Option<f64>, cy_alpha: Option<f64>, cx_beta: Option<f64>, cx_alpha: Option<f64> },
    /// `TDDORDER` with `TDD_A*`/`TDD_B*` (J. Anderson's skew model).
    Anderson { date: f64, a: Vec<f64>, b: Vec<f64> },
}

/// One chip's model from the IDCTAB (after the binning rule of stwcs `IDCModel`).
#[derive(Debug, Clone, PartialEq)]
pub struct IdcModel {
    /// `max(3, NORDER)`: size of the coefficient arrays and the SIP order.
    pub order: usize,
    /// `cx[i][j]` multiplies `dx^j dy^(i-j)`; arcsec.
    pub cx: Vec<Vec<f64>>,
    pub cy: Vec<Vec<f64>>,
    pub xref: f64,
    pub yref: f64,
    pub xsize: f64,
    pub ysize: f64,
    pub v2ref: f64,
    pub v3ref: f64,
    pub theta: f64,
    /// `round(SCALE, 8) * binned`.
    pub pscale: f64,
    /// The values astropy writes to `IDCXREF`, `IDCYREF`, `IDCV2REF`, `IDCV3REF`,
    /// `IDCTHETA` (shortest decimals of the float32 table values).
    pub header_xref: f64,
    pub header_yref: f64,
    pub header_v2ref: f64,
    pub header_v3ref: f64,
    pub header_theta: f64,
    /// ACS/WFC only; `None` also when the table has no TDD keywords at all.
    pub tdd: Option<TddCoeffs>,
    /// 1-based row of the table the model came from.
    pub row: usize,
}

/// An IDCTAB read into memory.
#[derive(Debug, Clone)]
pub struct IdcTable {
    pub path: PathBuf,
    pub primary: Header,
    columns: Vec<(String, Column)>,
    rows: usize,
}

/// The chip and filters a model is wanted for.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection<'a> {
    pub chip: i64,
    pub filter1: Option<&'a str>,
    pub filter2: Option<&'a str>,
    pub binned: f64,
}

impl IdcTable {
    pub fn open(path: &Path) -> Result<IdcTable> {
        let mut fits = Fits::open(path)?;
        if fits.hdus().len() < 2 {
            return Err(Error::file(path, "IDCTAB has no table extension"));
        }
        let primary = fits.primary_header().clone();
        let names = fits.column_names(1);
        let mut columns = Vec::new();
        for name in names {
            let col = fits.read_column(1, &name)?;
            columns.push((name.to_ascii_uppercase(), col));
        }
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        Ok(IdcTable { path: path.to_path_buf(), primary, columns, rows })
    }

    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    fn text(&self, name: &str, row: usize) -> Option<String> {
        match self.column(name)? {
            Column::Text(v) => Some(v[row].trim_end().to_string()),
            _ => None,
        }
    }

    fn number(&self, name: &str, row: usize) -> Result<Option<f64>> {
        Ok(match self.column(name) {
            None => None,
            Some(Column::Float(v)) => Some(v[row]),
            Some(Column::Integer(v)) => Some(v[row] as f64),
            Some(_) => return Err(Error::file(&self.path, format!("IDCTAB column {name} is not numeric"))),
        })
    }

    fn detector(&self) -> String {
        if let Ok(Some(d)) = self.primary.get_str("DETECTOR") {
            return d.trim().to_string();
        }
        match self.primary.get("CAMERA") {
            Some(v) => v.to_string().trim().to_string(),
            None => "1".into(),
        }
    }

    /// The model for a chip and filter combination, exactly as stwcs selects it: the first
    /// forward row whose filters and chip match.
    pub fn model(&self, sel: &Selection) -> Result<IdcModel> {
        let norm = |f: Option<&str>| match f {
            None => "CLEAR".to_string(),
            Some(s) if s.trim().is_empty() || s.starts_with("CLEAR") => "CLEAR".to_string(),
            Some(s) => s.to_string(),
        };
        let (mut filter1, mut filter2) = (norm(sel.filter1), norm(sel.filter2));
        let detector = self.detector();
        if detector == "SBC" {
            if filter1 == "CLEAR" {
                filter1 = "F115LP".into();
                filter2 = "N/A".into();
            }
            if filter2 == "CLEAR" {
                filter2 = "N/A".into();
            }
        }
        let clear5 = |s: String| if s.contains("CLEAR") { s.chars().take(5).collect() } else { s };
        let has = |n: &str| self.column(n).is_some();
        let mut found = None;
        for i in 0..self.rows {
            let (filt1, filt2) = if has("FILTER1") && has("FILTER2") {
                (
                    clear5(self.text("FILTER1", i).unwrap_or_default()),
                    clear5(self.text("FILTER2", i).unwrap_or_default()),
                )
            } else if has("FILTER") {
                (clear5(self.text("FILTER", i).unwrap_or_default()), "CLEAR".to_string())
            } else {
                (filter1.clone(), filter2.clone())
            };
            // stwcs: a DETCHIP whose text is not all digits (e.g. -999) counts as chip 1.
            let detchip = match self.column("DETCHIP") {
                Some(Column::Integer(v)) if v[i] >= 0 => v[i],
                _ => 1,
            };
            let direction = self.text("DIRECTION", i).map_or("forward".to_string(), |d| d.trim().to_lowercase());
            if filt1 == filter1.trim() && filt2 == filter2.trim() && direction == "forward" && detchip == sel.chip {
                found = Some(i);
                break;
            }
        }
        let row = found.ok_or_else(|| {
            Error::file(
                &self.path,
                format!("IDCTAB has no forward row for chip {}, filters {filter1}/{filter2}", sel.chip),
            )
        })?;
        let norder = self
            .primary
            .get_i64("NORDER")
            .map_err(|e| Error::file(&self.path, e.to_string()))?
            .ok_or_else(|| Error::file(&self.path, "IDCTAB primary header has no NORDER"))?;
        if !(1..=9).contains(&norder) {
            return Err(Error::file(&self.path, format!("IDCTAB NORDER = {norder} is out of range")));
        }
        let norder = norder as usize;
        let order = norder.max(3);
        let (xs, ys) = if has("CX10") { ("CX", "CY") } else { ("A", "B") };
        let mut cx = vec![vec![0.0; order + 1]; order + 1];
        let mut cy = cx.clone();
        for i in 1..=norder {
            for j in 0..=i {
                let get = |p: &str| -> Result<f64> {
                    let name = format!("{p}{i}{j}");
                    self.number(&name, row)?
                        .ok_or_else(|| Error::file(&self.path, format!("IDCTAB has no column {name}")))
                };
                cx[i][j] = get(xs)?;
                cy[i][j] = get(ys)?;
            }
        }
        let need = |name: &str| -> Result<f64> {
            self.number(name, row)?.ok_or_else(|| Error::file(&self.path, format!("IDCTAB has no column {name}")))
        };
        let (xref, yref, xsize, ysize) = (need("XREF")?, need("YREF")?, need("XSIZE")?, need("YSIZE")?);
        let v2ref = self.number("V2REF", row)?.unwrap_or(0.0);
        let v3ref = self.number("V3REF", row)?.unwrap_or(0.0);
        let theta = self.number("THETA", row)?.unwrap_or(0.0);
        let scale = need("SCALE")?;
        let pscale: f64 = format!("{scale:.8}").parse().expect("formatted number");
        if cx[1][1] == 1.0 && pscale != 1.0 {
            for r in cx.iter_mut().chain(cy.iter_mut()) {
                for v in r.iter_mut() {
                    *v *= pscale;
                }
            }
        }
        let tdd = if self.primary.str_or("INSTRUME", "").unwrap_or("") == "ACS" && detector == "WFC" {
            self.tdd_coeffs(sel.chip)?
        } else {
            None
        };
        let b = sel.binned;
        for r in cx.iter_mut().chain(cy.iter_mut()) {
            for v in r.iter_mut() {
                *v *= b;
            }
        }
        let f32dec = |v: f64| crate::names::f32_decimal(v as f32);
        Ok(IdcModel {
            order,
            cx,
            cy,
            xref: xref / b,
            yref: yref / b,
            xsize: xsize / b,
            ysize: ysize / b,
            v2ref,
            v3ref,
            theta,
            pscale: pscale * b,
            header_xref: f32dec(xref / b),
            header_yref: f32dec(yref / b),
            header_v2ref: f32dec(v2ref),
            header_v3ref: f32dec(v3ref),
            header_theta: f32dec(theta),
            tdd,
            row: row + 1,
        })
    }

    /// stwcs `read_tdd_coeffs` for one chip; `None` when the table has no TDD keywords.
    fn tdd_coeffs(&self, chip: i64) -> Result<Option<TddCoeffs>> {
        let h = &self.primary;
        let err = |e: driz_header::HeaderError| Error::file(&self.path, e.to_string());
        let num = |k: &str| -> Result<Option<f64>> {
            match h.get(k) {
                Some(driz_header::Value::Text(t)) if t.trim() == "N/A" => Ok(None),
                _ => h.get_f64(k).map_err(err),
            }
        };
        let date = || -> Result<f64> {
            num("TDD_DATE")?.ok_or_else(|| Error::file(&self.path, "IDCTAB has TDD coefficients but no TDD_DATE"))
        };
        if h.contains("TDD_CTB1") {
            let k = |s: &str| num(&format!("{s}{chip}"));
            return Ok(Some(TddCoeffs::Y2015 {
                date: date()?,
                cta: k("TDD_CTA")?,
                ctb: k("TDD_CTB")?,
                cya: k("TDD_CYA")?,
                cyb: k("TDD_CYB")?,
                cxa: k("TDD_CXA")?,
                cxb: k("TDD_CXB")?,
            }));
        }
        if h.contains("TDD_CYB1") {
            let k = |s: &str| num(&format!("{s}{chip}"));
            let nonzero = |v: Option<f64>| v.filter(|x| *x != 0.0);
            return Ok(Some(TddCoeffs::Y2014 {
                date: date()?,
                cy_beta: k("TDD_CYB")?,
                cy_alpha: nonzero(k("TDD_CYA")?),
                cx_beta: k("TDD_CXB")?,
                cx_alpha: nonzero(k("TDD_CXA")?),
            }));
        }
        let Some(n) = h.get_i64("TDDORDER").map_err(err)? else { return Ok(None) };
        let n = n.max(0) as usize;
        let mut a = vec![0.0; n + 1];
        let mut b = vec![0.0; n + 1];
        for i in 0..=n {
            a[i] = num(&format!("TDD_A{i}"))?.unwrap_or(0.0);
            b[i] = num(&format!("TDD_B{i}"))?.unwrap_or(0.0);
        }
        Ok(Some(TddCoeffs::Anderson { date: date()?, a, b }))
    }
}
