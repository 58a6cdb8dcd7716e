//! The synthetic reference files: IDCTAB (`_idc`), D2IMFILE (`_d2i`), NPOLFILE (`_npl`) and
//! MDRIZTAB (`_mdz`), in the layouts of the real HST files (binary-table TFORMs `1I`, `1J`,
//! `1E`, `1L`, `nA` as in CDBS tables, which drizzlepac's MDRIZTAB reader requires).

use crate::instrument::{InstrumentSpec, idc_terms};
use driz_fits::FitsWriter;
use driz_header::{Card, Header};
use ndarray::Array2;
use std::path::Path;

/// A binary-table column with an explicit FITS type.
#[derive(Debug, Clone)]
pub enum TableColumn {
    Text(Vec<String>),
    Short(Vec<i16>),
    Int(Vec<i32>),
    Float(Vec<f32>),
    Logical(Vec<bool>),
}

impl TableColumn {
    fn len(&self) -> usize {
        match self {
            TableColumn::Text(v) => v.len(),
            TableColumn::Short(v) => v.len(),
            TableColumn::Int(v) => v.len(),
            TableColumn::Float(v) => v.len(),
            TableColumn::Logical(v) => v.len(),
        }
    }

    fn width(&self) -> usize {
        match self {
            TableColumn::Text(v) => v.iter().map(String::len).max().unwrap_or(1).max(1),
            TableColumn::Short(_) => 2,
            TableColumn::Int(_) | TableColumn::Float(_) => 4,
            TableColumn::Logical(_) => 1,
        }
    }

    fn tform(&self) -> String {
        match self {
            TableColumn::Text(_) => format!("{}A", self.width()),
            TableColumn::Short(_) => "1I".into(),
            TableColumn::Int(_) => "1J".into(),
            TableColumn::Float(_) => "1E".into(),
            TableColumn::Logical(_) => "1L".into(),
        }
    }

    fn put(&self, row: usize, out: &mut Vec<u8>) {
        match self {
            TableColumn::Text(v) => {
                let mut b = v[row].as_bytes().to_vec();
                b.resize(self.width(), b' ');
                out.extend(b);
            }
            TableColumn::Short(v) => out.extend(v[row].to_be_bytes()),
            TableColumn::Int(v) => out.extend(v[row].to_be_bytes()),
            TableColumn::Float(v) => out.extend(v[row].to_be_bytes()),
            TableColumn::Logical(v) => out.push(if v[row] { b'T' } else { b'F' }),
        }
    }
}

fn pad(out: &mut Vec<u8>, fill: u8) {
    while !out.len().is_multiple_of(2880) {
        out.push(fill);
    }
}

/// Write `primary` (extra cards after SIMPLE…EXTEND) and one binary table to `path`.
pub fn write_bintable(
    path: &Path,
    primary: &Header,
    extname: &str,
    columns: &[(&str, TableColumn)],
) -> std::io::Result<()> {
    let rows = columns.first().map_or(0, |(_, c)| c.len());
    assert!(columns.iter().all(|(_, c)| c.len() == rows), "columns of different lengths");
    let mut p = Header::new();
    p.append(Card::new("SIMPLE", true, "conforms to FITS standard"));
    p.append(Card::new("BITPIX", 8i64, "array data type"));
    p.append(Card::new("NAXIS", 0i64, "number of array dimensions"));
    p.append(Card::new("EXTEND", true, ""));
    for c in primary.cards() {
        p.append(c.clone());
    }
    let row_bytes: usize = columns.iter().map(|(_, c)| c.width()).sum();
    let mut t = Header::new();
    t.append(Card::new("XTENSION", "BINTABLE", "binary table extension"));
    t.append(Card::new("BITPIX", 8i64, "array data type"));
    t.append(Card::new("NAXIS", 2i64, "number of array dimensions"));
    t.append(Card::new("NAXIS1", row_bytes as i64, "length of dimension 1"));
    t.append(Card::new("NAXIS2", rows as i64, "length of dimension 2"));
    t.append(Card::new("PCOUNT", 0i64, "number of group parameters"));
    t.append(Card::new("GCOUNT", 1i64, "number of groups"));
    t.append(Card::new("TFIELDS", columns.len() as i64, "number of table fields"));
    for (k, (name, col)) in columns.iter().enumerate() {
        t.append(Card::new(&format!("TTYPE{}", k + 1), *name, ""));
        t.append(Card::new(&format!("TFORM{}", k + 1), col.tform().as_str(), ""));
    }
    if !extname.is_empty() {
        t.append(Card::new("EXTNAME", extname, "extension name"));
    }
    let mut out = p.to_bytes();
    out.extend(t.to_bytes());
    let start = out.len();
    for r in 0..rows {
        for (_, c) in columns {
            c.put(r, &mut out);
        }
    }
    debug_assert_eq!(out.len() - start, rows * row_bytes);
    pad(&mut out, 0);
    let tmp = path.with_extension("fits.part");
    std::fs::write(&tmp, out)?;
    std::fs::rename(&tmp, path)
}

/// File names of the reference files, relative to the `ref/` directory.
#[derive(Debug, Clone, PartialEq)]
pub struct RefNames {
    pub idctab: String,
    pub d2imfile: String,
    pub npolfile: String,
    pub mdriztab: String,
}

impl RefNames {
    pub fn new(spec: &InstrumentSpec) -> RefNames {
        let r = spec.ref_root;
        RefNames {
            idctab: format!("{r}_idc.fits"),
            d2imfile: format!("{r}_d2i.fits"),
            npolfile: format!("{r}_npl.fits"),
            mdriztab: format!("{r}_mdz.fits"),
        }
    }

    /// `(keyword, 'prefix$name')` for the primary header.
    pub fn keywords(&self, spec: &InstrumentSpec) -> Vec<(&'static str, String)> {
        let p = spec.prefix;
        vec![
            ("IDCTAB", format!("{p}${}", self.idctab)),
            ("D2IMFILE", format!("{p}${}", self.d2imfile)),
            ("NPOLFILE", format!("{p}${}", self.npolfile)),
            ("MDRIZTAB", format!("{p}${}", self.mdriztab)),
        ]
    }
}

fn ref_primary(spec: &InstrumentSpec, filename: &str, filetype: &str, descrip: &str) -> Header {
    let mut h = Header::new();
    h.append(Card::new("TELESCOP", "HST", "telescope used to acquire data"));
    h.append(Card::new("INSTRUME", spec.instrume, "identifier for instrument used to acquire data"));
    h.append(Card::new("DETECTOR", spec.detector, ""));
    h.append(Card::new("FILENAME", filename, "name of file"));
    h.append(Card::new("FILETYPE", filetype, "type of data found in data file"));
    h.append(Card::new("USEAFTER", "Jan 01 2002 00:00:00", ""));
    h.append(Card::new("PEDIGREE", "DUMMY", ""));
    h.append(Card::new("DESCRIP", descrip, ""));
    h.append(Card::commentary("HISTORY", "Synthetic reference file written by driz simulate."));
    h
}

type IdcRowRef<'a> = (i16, &'a str, &'a Vec<&'a str>, &'a crate::instrument::ChipSpec);

/// Every reference file in `dir`; returns their names.
pub fn write_all(dir: &Path, spec: &InstrumentSpec) -> Result<RefNames, crate::Error> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let names = RefNames::new(spec);
    write_idctab(&dir.join(&names.idctab), spec)?;
    write_lookup(&dir.join(&names.d2imfile), spec, LookupKind::D2im)?;
    write_lookup(&dir.join(&names.npolfile), spec, LookupKind::Npol)?;
    write_mdriztab(&dir.join(&names.mdriztab), spec)?;
    let env = format!(
        "# Source this file: points the {p}$ prefix of the simulated headers at this directory.\nexport {p}=\"$(cd \"$(dirname \"${{BASH_SOURCE[0]:-$0}}\")\" && pwd)/\"\n",
        p = spec.prefix
    );
    std::fs::write(dir.join("env.sh"), env).map_err(|e| crate::Error::io(dir, e))?;
    Ok(names)
}

/// IDCTAB: one FORWARD row per chip and filter (the simulated filter and a few others with
/// the same model), plus INVERSE rows for realism (never selected).
fn write_idctab(path: &Path, spec: &InstrumentSpec) -> Result<(), crate::Error> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut p = ref_primary(spec, &name, "DISTORTION COEFFICIENTS", "Synthetic distortion model (driz simulate)");
    p.append(Card::new("NORDER", 4i64, "polynomial order"));
    let acs_wfc = spec.instrume == "ACS" && spec.detector == "WFC";
    if acs_wfc {
        // 2015-style time-dependent terms with zero rates: the model is time independent.
        p.append(Card::new("TDD_DATE", 2004.5, "reference date of the TDD terms"));
        for chip in [1, 2] {
            for k in ["TDD_CTA", "TDD_CTB", "TDD_CYA", "TDD_CYB", "TDD_CXA", "TDD_CXB"] {
                p.append(Card::new(&format!("{k}{chip}"), 0.0, "time-dependent distortion term"));
            }
        }
    }
    let filters: Vec<Vec<&str>> = spec.idctab_filters.iter().map(|f| f.to_vec()).collect();
    let mut rows: Vec<IdcRowRef> = Vec::new();
    for dir in ["FORWARD", "INVERSE"] {
        for f in &filters {
            for c in &spec.chips {
                rows.push((c.ccdchip as i16, dir, f, c));
            }
        }
    }
    let text = |f: &dyn Fn(&IdcRowRef) -> String| TableColumn::Text(rows.iter().map(f).collect());
    let flt = |f: &dyn Fn(&crate::instrument::ChipSpec) -> f64| {
        TableColumn::Float(rows.iter().map(|r| f(r.3) as f32).collect())
    };
    let mut cols: Vec<(String, TableColumn)> = vec![
        ("DETCHIP".into(), TableColumn::Short(rows.iter().map(|r| r.0).collect())),
        ("DIRECTION".into(), text(&|r| format!("{:<8}", r.1))),
    ];
    if acs_wfc {
        cols.push(("FILTER1".into(), text(&|r| format!("{:<8}", r.2[0]))));
        cols.push(("FILTER2".into(), text(&|r| format!("{:<8}", r.2[1]))));
    } else {
        cols.push(("FILTER".into(), text(&|r| format!("{:<8}", r.2[0]))));
    }
    cols.push(("XSIZE".into(), TableColumn::Int(rows.iter().map(|r| r.3.full[0] as i32).collect())));
    cols.push(("YSIZE".into(), TableColumn::Int(rows.iter().map(|r| r.3.full[1] as i32).collect())));
    cols.push(("XREF".into(), flt(&|c| c.idc.xref)));
    cols.push(("YREF".into(), flt(&|c| c.idc.yref)));
    cols.push(("V2REF".into(), flt(&|c| c.idc.v2ref)));
    cols.push(("V3REF".into(), flt(&|c| c.idc.v3ref)));
    cols.push(("SCALE".into(), flt(&|c| c.idc.scale)));
    if !acs_wfc {
        cols.push(("THETA".into(), flt(&|c| c.idc.theta)));
    }
    for (k, (i, j)) in idc_terms().into_iter().enumerate() {
        cols.push((format!("CX{i}{j}"), flt(&|c| c.idc.cx[k])));
    }
    for (k, (i, j)) in idc_terms().into_iter().enumerate() {
        cols.push((format!("CY{i}{j}"), flt(&|c| c.idc.cy[k])));
    }
    let cols: Vec<(&str, TableColumn)> = cols.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    write_bintable(path, &p, "", &cols).map_err(|e| crate::Error::io(path, e))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LookupKind {
    D2im,
    Npol,
}

/// A small smooth correction (pixels) at full-chip position `(x, y)` of chip `ccdchip`.
pub fn smooth_correction(d2im: bool, axis: usize, ccdchip: i64, x: f64, y: f64, size: [usize; 2]) -> f64 {
    let (u, v) = (x / size[0] as f64, y / size[1] as f64);
    let tau = 2.0 * std::f64::consts::PI;
    let c = ccdchip as f64;
    if d2im {
        let a = 0.015 * (1.0 + 0.1 * c);
        if axis == 0 { a * (tau * 3.0 * u + 0.3 * c).sin() } else { 0.8 * a * (tau * 2.0 * v + 0.7).cos() }
    } else {
        let a = 0.02;
        if axis == 0 {
            a * (tau * u + 0.5 * c).sin() * (tau * 0.5 * v).cos()
        } else {
            a * (tau * v - 0.2 * c).cos() * (tau * 0.7 * u).sin()
        }
    }
}

fn write_lookup(path: &Path, spec: &InstrumentSpec, kind: LookupKind) -> Result<(), crate::Error> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let (ftype, desc) = match kind {
        LookupKind::D2im => ("D2I FILE", "Synthetic column-width (detector to image) correction"),
        LookupKind::Npol => ("DXY GRID", "Synthetic non-polynomial distortion residuals"),
    };
    let mut p = ref_primary(spec, &name, ftype, desc);
    for (k, v) in &spec.filters {
        p.append(Card::new(k, *v, ""));
    }
    p.append(Card::new("NEXTEND", (2 * spec.chips.len()) as i64, "number of extensions"));
    let mut w = FitsWriter::create(path)?;
    w.primary(&p)?;
    let [gx, gy, step] = spec.lookup_grid;
    for (extver, chip) in (1i64..).zip(spec.chips.iter()) {
        for (axis, extname) in ["DX", "DY"].iter().enumerate() {
            let data = Array2::from_shape_fn((gy, gx), |(j, i)| {
                smooth_correction(
                    kind == LookupKind::D2im,
                    axis,
                    chip.ccdchip,
                    (i * step) as f64,
                    (j * step) as f64,
                    chip.full,
                ) as f32
            });
            let mut h = Header::new();
            h.append(Card::new("EXTNAME", *extname, "extension name"));
            h.append(Card::new("EXTVER", extver, "extension version"));
            h.append(Card::new("INHERIT", false, "inherits global header"));
            h.append(Card::new("CCDCHIP", chip.ccdchip, "CCD chip"));
            h.append(Card::new("ONAXIS1", chip.full[0] as i64, "size of the chip"));
            h.append(Card::new("ONAXIS2", chip.full[1] as i64, "size of the chip"));
            h.append(Card::new("CDELT1", step as i64, "grid step size in first coordinate"));
            h.append(Card::new("CDELT2", step as i64, "grid step size in second coordinate"));
            h.append(Card::new("CRPIX1", 0i64, "distortion array reference pixel"));
            h.append(Card::new("CRPIX2", 0i64, "distortion array reference pixel"));
            h.append(Card::new("CRVAL1", 0i64, "image array pixel coordinate"));
            h.append(Card::new("CRVAL2", 0i64, "image array pixel coordinate"));
            w.image::<f32>(&h, data.view())?;
        }
    }
    w.finish()?;
    Ok(())
}

/// MDRIZTAB rows: single image, two images, ≥ 4 images (CR rejection), and a last row for
/// ≥ 4 images with `driz_sep_wcs`/`final_wcs` and the pipeline's final scale and rotation.
fn write_mdriztab(path: &Path, spec: &InstrumentSpec) -> Result<(), crate::Error> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut p = ref_primary(spec, &name, "MULTIDRIZZLE PARAMETERS", "Synthetic AstroDrizzle parameters");
    p.append(Card::new("NEXTEND", 1i64, ""));
    let numimages = [1, 2, 4, 4];
    let n = numimages.len();
    let filt = spec.filter_string();
    let same_t = |s: &str| TableColumn::Text(vec![s.to_string(); n]);
    let same_f = |v: f32| TableColumn::Float(vec![v; n]);
    let same_j = |v: i32| TableColumn::Int(vec![v; n]);
    let same_l = |v: bool| TableColumn::Logical(vec![v; n]);
    let multi =
        |single: bool| TableColumn::Logical(numimages.iter().map(|&k| if single { k == 1 } else { k > 1 }).collect());
    let scale = spec.final_scale as f32;
    let cols: Vec<(&str, TableColumn)> = vec![
        ("filter", same_t(&filt)),
        ("numimages", TableColumn::Int(numimages.to_vec())),
        ("build", same_l(true)),
        ("shiftfile", same_t("INDEF")),
        ("staticfile", same_t("INDEF")),
        ("static", same_l(true)),
        ("static_sig", same_f(4.0)),
        ("subsky", same_l(true)),
        ("skymethod", same_t("localmin")),
        ("skywidth", same_f(0.1)),
        ("skystat", same_t("mode")),
        ("skylower", same_f(-100.0)),
        ("skyupper", TableColumn::Float(vec![f32::NAN; n])),
        ("skyclip", same_j(5)),
        ("skylsigma", same_f(4.0)),
        ("skyusigma", same_f(4.0)),
        ("skyuser", same_t("")),
        ("driz_separate", multi(false)),
        ("driz_sep_wcs", TableColumn::Logical(vec![false, false, false, true])),
        ("driz_sep_kernel", same_t("turbo")),
        ("driz_sep_wt_scl", same_t("exptime")),
        ("driz_sep_scale", TableColumn::Float(vec![f32::NAN, f32::NAN, f32::NAN, scale])),
        ("driz_sep_pixfrac", same_f(1.0)),
        ("driz_sep_rot", TableColumn::Float(vec![f32::NAN, f32::NAN, f32::NAN, 0.0])),
        ("driz_sep_bits", same_j(spec.final_bits as i32)),
        ("median", multi(false)),
        ("median_newmasks", same_l(true)),
        ("combine_maskpt", same_f(0.3)),
        ("combine_type", TableColumn::Text(vec!["minmed".into(), "minmed".into(), "median".into(), "median".into()])),
        ("combine_nsigma", same_t("4 3")),
        ("combine_nlow", same_j(0)),
        ("combine_nhigh", TableColumn::Int(vec![0, 0, 1, 1])),
        ("combine_grow", same_f(1.0)),
        ("blot", multi(false)),
        ("blot_interp", same_t("poly5")),
        ("blot_sinscl", same_f(1.0)),
        ("driz_cr", multi(false)),
        ("driz_cr_corr", same_l(false)),
        ("driz_cr_snr", same_t("3.5 3.0")),
        ("driz_cr_grow", same_j(1)),
        ("driz_cr_ctegrow", same_j(0)),
        ("driz_cr_scale", same_t("1.2 0.7")),
        ("driz_combine", same_l(true)),
        ("final_wht_type", same_t("EXP")),
        ("final_kernel", same_t("square")),
        ("final_wt_scl", same_t("exptime")),
        ("final_pixfrac", same_f(1.0)),
        ("final_wcs", TableColumn::Logical(vec![false, false, false, true])),
        ("final_scale", TableColumn::Float(vec![f32::NAN, f32::NAN, f32::NAN, scale])),
        ("final_rot", TableColumn::Float(vec![f32::NAN, f32::NAN, f32::NAN, 0.0])),
        ("final_bits", same_j(spec.final_bits as i32)),
        ("final_units", same_t("cps")),
        ("crbitval", same_j(4096)),
        ("resetbits", same_j(4096)),
    ];
    write_bintable(path, &p, "", &cols).map_err(|e| crate::Error::io(path, e))
}
