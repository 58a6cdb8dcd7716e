//! `updatewcs` for one file: the pipeline-default WCS of every SCI extension from the
//! IDCTAB, D2IMFILE and NPOLFILE named in the primary header (stwcs 1.7.7
//! `updatewcs(use_db=False)`, `wcs-alignment.md` §1).
//!
//! Everything is computed from the file as read; the file is then changed in one atomic
//! `driz_fits::update_file` call. Any error (missing reference file, no IDCTAB row, no
//! PA_V3, …) happens before that call, so a failed update leaves the file byte-identical.

use crate::altwcs;
use crate::error::{Error, Result};
use crate::idctab::{IdcModel, IdcTable, Selection};
use crate::lookup::{self, Axis, Kind, LookupExt, RefFile};
use crate::model::{self, ChipGeometry, LinearWcs};
use crate::names::{self, NameInputs, g14, is_blank_ref};
use crate::refs;
use driz_fits::Fits;
use driz_header::{Card, Header, Value};
use std::path::{Path, PathBuf};

/// Which corrections to allow (stwcs's arguments) and whether to rebuild lookup tables
/// that are already in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub vacorr: bool,
    pub tddcorr: bool,
    pub npolcorr: bool,
    pub d2imcorr: bool,
    /// Rebuild D2IM/NPOL extensions even when `D2IMEXT`/`NPOLEXT` already name the
    /// current reference file (stwcs skips them then).
    pub force: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { vacorr: true, tddcorr: true, npolcorr: true, d2imcorr: true, force: false }
    }
}

/// What was done to one SCI extension.
#[derive(Debug, Clone, PartialEq)]
pub struct ChipReport {
    pub extver: i64,
    pub chip: i64,
    /// 1-based IDCTAB row used, if a model was built.
    pub idc_row: Option<usize>,
    pub crpix: [f64; 2],
    pub crval: [f64; 2],
    pub cd: [[f64; 2]; 2],
    /// `(TDDALPHA, TDDBETA)` when the skew model was applied.
    pub tdd_alpha_beta: Option<(f64, f64)>,
}

/// What `updatewcs` did to a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub path: PathBuf,
    /// Corrections applied, in stwcs's names and order.
    pub corrections: Vec<&'static str>,
    pub wcsname: String,
    pub sipname: String,
    pub distname: String,
    pub chips: Vec<ChipReport>,
    pub d2im_extensions: usize,
    pub npol_extensions: usize,
    /// Alternate WCSs deleted because the IDCTAB changed.
    pub new_idctab: bool,
}

/// Instrument-specific attributes (stwcs `wcsutil/instruments.py`).
#[derive(Debug, Clone)]
struct Instrument {
    name: String,
    detector: String,
    parity: [f64; 2],
}

impl Instrument {
    fn chip(&self, sci: &Header) -> i64 {
        sci.get_i64("CCDCHIP").ok().flatten().unwrap_or(1)
    }

    /// Chip number used to pick reference-file tables (`get_ccdchip`).
    fn table_chip(&self, sci: &Header) -> i64 {
        if (self.name == "ACS" && self.detector == "WFC") || (self.name == "WFC3" && self.detector == "UVIS") {
            self.chip(sci)
        } else {
            1
        }
    }

    fn filters<'a>(&self, primary: &'a Header) -> (Option<&'a str>, Option<&'a str>) {
        let s = |k: &str| primary.get_str(k).ok().flatten().map(str::trim);
        if self.name == "WFC3" { (s("FILTER"), Some("CLEAR")) } else { (s("FILTER1"), s("FILTER2")) }
    }
}

fn instrument(path: &Path, primary: &Header) -> Result<Instrument> {
    let s = |k: &str| primary.get_str(k).ok().flatten().map(|v| v.trim().to_string()).unwrap_or_default();
    let (name, detector) = (s("INSTRUME"), s("DETECTOR"));
    let parity = match (name.as_str(), detector.as_str()) {
        ("ACS", "WFC") => [1.0, -1.0],
        ("ACS", "HRC") | ("ACS", "SBC") | ("WFC3", "UVIS") | ("WFC3", "IR") => [-1.0, 1.0],
        ("", _) => return Err(Error::file(path, "primary header has no INSTRUME")),
        _ => {
            return Err(Error::file(
                path,
                format!(
                    "INSTRUME/DETECTOR = {name}/{detector} is not supported (ACS WFC/HRC/SBC and WFC3 UVIS/IR are)"
                ),
            ));
        }
    };
    Ok(Instrument { name, detector, parity })
}

/// What the file-level pruning decided for a lookup kind.
enum LookupPlan {
    Off,
    Remove,
    Apply(RefFile, String),
}

fn ctx<'a>(path: &'a Path, hdu: &str) -> impl Fn(driz_header::HeaderError) -> Error + 'a {
    let hdu = hdu.to_string();
    move |e| Error::file(path, format!("[{hdu}] {e}"))
}

fn linear(path: &Path, h: &Header, label: &str) -> Result<LinearWcs> {
    let c = driz_wcs::Celestial::from_header(h, ' ').map_err(|e| Error::file(path, format!("[{label}] {e}")))?;
    Ok(LinearWcs { crpix: c.crpix, crval: c.crval, cd: c.cd })
}

/// Run updatewcs on one file (see the module documentation).
pub fn updatewcs(path: impl AsRef<Path>, options: &Options) -> Result<Report> {
    let path = path.as_ref();
    let plan = plan(path, options)?;
    driz_fits::update_file(path, |u| {
        for (i, h) in &plan.headers {
            u.set_header(*i, h)?;
        }
        let mut del = plan.delete.clone();
        del.sort_unstable();
        del.dedup();
        for i in del.into_iter().rev() {
            u.delete_hdu(i)?;
        }
        for ext in &plan.append {
            u.append_image(&ext.header, ext.data.view())?;
        }
        Ok(())
    })?;
    Ok(plan.report)
}

struct Plan {
    headers: Vec<(usize, Header)>,
    delete: Vec<usize>,
    append: Vec<LookupExt>,
    report: Report,
}

fn lookup_plan(path: &Path, primary: &Header, ext1: &Header, kind: Kind, options: &Options) -> Result<LookupPlan> {
    let (file_kw, ext_kw, enabled) = match kind {
        Kind::D2im => ("D2IMFILE", "D2IMEXT", options.d2imcorr),
        Kind::Npol => ("NPOLFILE", "NPOLEXT", options.npolcorr),
    };
    let Some(value) = primary.get(file_kw) else { return Ok(LookupPlan::Off) };
    let value = value.as_str().map(str::to_string).unwrap_or_default();
    if !enabled {
        return Ok(LookupPlan::Off);
    }
    if is_blank_ref(&value) {
        return Ok(LookupPlan::Remove);
    }
    let file = refs::resolve(&value, path, file_kw)?;
    if !options.force
        && let Ok(Some(ext)) = ext1.get_str(ext_kw)
        && refs::expand(ext, path).is_ok_and(|p| p.is_file())
        && refs::same_reference(ext, &value, path)
    {
        return Ok(LookupPlan::Off);
    }
    let reference = RefFile::open(&file).map_err(|e| Error::file(path, format!("{file_kw} = '{value}': {e}")))?;
    if kind == Kind::Npol
        && let Some([nx, ny]) = reference.first_size()
    {
        let sx = ext1.get_i64("NAXIS1").ok().flatten().unwrap_or(0) as usize;
        let sy = ext1.get_i64("NAXIS2").ok().flatten().unwrap_or(0) as usize;
        if (sx > 0 && nx >= sx) || (sy > 0 && ny >= sy) {
            // An old full-size DGEO-style file: stwcs skips it.
            return Ok(LookupPlan::Off);
        }
    }
    Ok(LookupPlan::Apply(reference, value))
}

fn plan(path: &Path, options: &Options) -> Result<Plan> {
    let fits = Fits::open(path)?;
    let n = fits.hdus().len();
    let mut hdrs: Vec<Header> = fits.hdus().iter().map(|h| h.header.clone()).collect();
    let extnames: Vec<String> = fits.hdus().iter().map(|h| h.extname.clone()).collect();
    let extvers: Vec<i64> = fits.hdus().iter().map(|h| h.extver).collect();
    let primary = hdrs[0].clone();
    let inst = instrument(path, &primary)?;
    let sci: Vec<usize> = (0..n).filter(|&i| extnames[i] == "SCI").collect();
    if sci.is_empty() || n < 2 {
        return Err(Error::file(path, "no SCI extension"));
    }
    let pctx = ctx(path, "PRIMARY");

    // --- which corrections run (apply_corrections.setCorrections) ---
    let idctab_value = primary.get_str("IDCTAB").map_err(&pctx)?.map(str::trim).map(str::to_string);
    let idc_path = match &idctab_value {
        Some(v) if !is_blank_ref(v) => Some(refs::resolve(v, path, "IDCTAB")?),
        _ => None,
    };
    let tdd_on = idc_path.is_some()
        && options.tddcorr
        && inst.name == "ACS"
        && inst.detector == "WFC"
        && primary.str_or("TDDCORR", "PERFORM").map_err(&pctx)? == "PERFORM";
    let d2im = lookup_plan(path, &primary, &hdrs[1], Kind::D2im, options)?;
    let npol = lookup_plan(path, &primary, &hdrs[1], Kind::Npol, options)?;
    let mut corrections = Vec::new();
    if matches!(d2im, LookupPlan::Apply(..)) {
        corrections.push("DET2IMCorr");
    }
    if tdd_on {
        corrections.push("TDDCorr");
    }
    if idc_path.is_some() {
        corrections.extend(["MakeWCS", "CompSIP"]);
    }
    if options.vacorr {
        corrections.push("VACorr");
    }
    if matches!(npol, LookupPlan::Apply(..)) {
        corrections.push("NPOLCorr");
    }
    let table = match &idc_path {
        Some(p) => Some(
            IdcTable::open(p)
                .map_err(|e| Error::file(path, format!("IDCTAB = '{}': {e}", idctab_value.as_deref().unwrap_or(""))))?,
        ),
        None => None,
    };

    // New IDCTAB: every alternate WCS goes (stwcs cleanWCS deletes O too).
    let new_idctab = idc_path.is_some()
        && match hdrs[1].get_str("IDCTAB") {
            Ok(Some(old)) => !refs::same_reference(old, idctab_value.as_deref().unwrap_or(""), path),
            _ => false,
        };
    if new_idctab {
        for h in hdrs.iter_mut().skip(1) {
            for k in altwcs::keys(h) {
                altwcs::delete(h, k);
            }
        }
    }

    // --- reference chip ---
    let refext = if (inst.name == "ACS" && inst.detector == "WFC") || (inst.name == "WFC3" && inst.detector == "UVIS") {
        sci.iter().copied().find(|&i| hdrs[i].get_i64("CCDCHIP").ok().flatten() == Some(2)).unwrap_or(sci[0])
    } else {
        1
    };
    let rlabel = format!("{},{}", extnames[refext], extvers[refext]);
    if altwcs::has_key(&hdrs[refext], 'O') {
        altwcs::restore(&mut hdrs[refext], 'O').map_err(|e| Error::file(path, format!("[{rlabel}] {e}")))?;
    }
    let ref_opus = linear(path, &hdrs[refext], &rlabel)?;
    let (filter1, filter2) = inst.filters(&primary);
    let binned_of = |h: &Header| h.get_f64("BINAXIS1").ok().flatten().unwrap_or(1.0);
    let ref_model = match &table {
        Some(t) => Some(t.model(&Selection {
            chip: inst.chip(&hdrs[refext]),
            filter1,
            filter2,
            binned: binned_of(&hdrs[refext]),
        })?),
        None => None,
    };
    let ref_ltv = ltv(&hdrs[refext], ref_model.as_ref());
    let ref_chip = inst.chip(&hdrs[refext]);
    let rday = if tdd_on {
        let d = primary.get_str("DATE-OBS").map_err(&pctx)?.ok_or_else(|| {
            Error::file(path, "primary header has no DATE-OBS (needed for the time-dependent distortion)")
        })?;
        Some(
            model::decimal_year(d)
                .ok_or_else(|| Error::file(path, format!("DATE-OBS = '{d}' is not a YYYY-MM-DD date")))?,
        )
    } else {
        None
    };
    let pa_v3 = if idc_path.is_some() {
        Some(primary.get_f64("PA_V3").map_err(&pctx)?.ok_or_else(|| {
            Error::file(path, "primary header has no PA_V3 (needed to build the WCS from the IDCTAB)")
        })?)
    } else {
        None
    };
    let radesys = match primary.str_or("REFFRAME", "").map_err(&pctx)? {
        "GSC1" => Some("FK5"),
        "ICRS" => Some("ICRS"),
        _ => None,
    };

    let mut append: Vec<LookupExt> = Vec::new();
    let mut delete: Vec<usize> = Vec::new();
    let existing = |extname: &str, extver: i64| (0..n).find(|&i| extnames[i] == extname && extvers[i] == extver);

    // --- D2IM for all SCI ---
    let mut d2im_count = 0;
    match &d2im {
        LookupPlan::Apply(reference, value) => {
            let mut k = 1;
            for &i in &sci {
                let chip = inst.table_chip(&hdrs[i]);
                for axis in [Axis::Dx, Axis::Dy] {
                    let Some(t) = reference.table(axis, chip) else { continue };
                    lookup::set_sci_keywords(&mut hdrs[i], Kind::D2im, axis, k, lookup::max_value(&t.data));
                    let header = lookup::extension_header(
                        Kind::D2im,
                        k,
                        axis,
                        reference.naxis,
                        &t.header,
                        &hdrs[i],
                        &reference.primary,
                    );
                    if let Some(e) = existing("D2IMARR", k) {
                        delete.push(e);
                    }
                    append.push(LookupExt { kind: Kind::D2im, extver: k, header, data: t.data.clone() });
                    k += 1;
                    d2im_count += 1;
                }
            }
            hdrs[1].set("D2IMEXT", value.as_str());
        }
        LookupPlan::Remove => {
            for &i in &sci {
                lookup::remove_sci_keywords(&mut hdrs[i], Kind::D2im);
            }
            delete.extend((0..n).filter(|&i| extnames[i] == "D2IMARR"));
        }
        LookupPlan::Off => {}
    }

    // --- per extension ---
    let mut chips = Vec::new();
    let mut last_sci: Option<(i64, usize)> = None;
    let wcsname = names::default_wcsname(idctab_value.as_deref().unwrap_or(" "));
    for i in 1..n {
        let label = format!("{},{}", extnames[i], extvers[i]);
        match extnames[i].as_str() {
            "SCI" => {
                let h = &mut hdrs[i];
                if altwcs::has_key(h, 'O') {
                    altwcs::restore(h, 'O').map_err(|e| Error::file(path, format!("[{label}] {e}")))?;
                }
                let opus = linear(path, h, &label)?;
                if let Some(r) = radesys
                    && !h.contains("RADESYS")
                {
                    h.set("RADESYS", r);
                }
                altwcs::archive(h, 'O', "OPUS").map_err(|e| Error::file(path, format!("[{label}] {e}")))?;
                let chip = inst.chip(h);
                let binned = binned_of(h);
                let mut report = ChipReport {
                    extver: extvers[i],
                    chip,
                    idc_row: None,
                    crpix: opus.crpix,
                    crval: opus.crval,
                    cd: opus.cd,
                    tdd_alpha_beta: None,
                };
                let mut result = opus;
                let mut reference_plane = ref_opus;
                if let (Some(t), Some(rm)) = (&table, &ref_model) {
                    let mut m = t.model(&Selection { chip, filter1, filter2, binned })?;
                    report.idc_row = Some(m.row);
                    write_idc_keywords(h, &m);
                    let mut rm = rm.clone();
                    let (mut zero_point, mut ref_zero_point) = (None, None);
                    if let Some(rday) = rday {
                        let tdd = model::apply_tdd(&mut m, rday);
                        let rtdd = model::apply_tdd(&mut rm, rday);
                        write_tdd_keywords(h, &tdd);
                        report.tdd_alpha_beta = tdd.alpha_beta;
                        if tdd.zero_point {
                            zero_point = tdd.alpha_beta;
                        }
                        if rtdd.zero_point {
                            ref_zero_point = rtdd.alpha_beta;
                        }
                    }
                    let ext = ChipGeometry { opus, model: &m, ltv: ltv(h, Some(&m)), chip, zero_point };
                    let refc = ChipGeometry {
                        opus: ref_opus,
                        model: &rm,
                        ltv: ref_ltv,
                        chip: ref_chip,
                        zero_point: ref_zero_point,
                    };
                    let (made, shifted) = model::make_wcs(&ext, &refc, pa_v3.unwrap_or(0.0), inst.parity);
                    result = made.chip;
                    reference_plane = made.reference;
                    write_linear(h, &result);
                    h.set("IDCTAB", idctab_value.as_deref().unwrap_or(""));
                    write_ocx(h, &shifted);
                    write_sip(h, &shifted, binned);
                }
                let h = &mut hdrs[i];
                if options.vacorr {
                    let va = h.get_f64("VAFACTOR").map_err(ctx(path, &label))?.unwrap_or(1.0);
                    result = model::va_corr(&result, &reference_plane, va);
                    write_cd_crval(h, &result);
                }
                h.set_with_comment("WCSNAME", wcsname.as_str(), "Coordinate system title");
                report.crpix = result.crpix;
                report.crval = result.crval;
                report.cd = result.cd;
                chips.push(report);
                last_sci = Some((extvers[i], i));
            }
            "ERR" | "DQ" | "SDQ" | "SAMP" | "TIME" => {
                if let Some((ver, s)) = last_sci
                    && ver == extvers[i]
                {
                    let sci_h = hdrs[s].clone();
                    copy_wcs_without_sip(&sci_h, &mut hdrs[i])
                        .map_err(|m| Error::file(path, format!("[{label}] {m}")))?;
                }
            }
            _ => {}
        }
    }

    // --- NPOL ---
    let mut npol_count = 0;
    match &npol {
        LookupPlan::Apply(reference, value) => {
            for &i in &sci {
                let chip = inst.table_chip(&hdrs[i]);
                let e = extvers[i];
                let (Some(tx), Some(ty)) = (reference.table(Axis::Dx, chip), reference.table(Axis::Dy, chip)) else {
                    return Err(Error::file(
                        path,
                        format!("NPOLFILE = '{value}' has no DX/DY tables for chip {chip} ([SCI,{e}])"),
                    ));
                };
                if tx.data.dim() != ty.data.dim() {
                    return Err(Error::file(
                        path,
                        format!("NPOLFILE = '{value}': DX and DY of chip {chip} differ in size"),
                    ));
                }
                let h = &hdrs[i];
                let g = |k: &str| h.get_f64(k).ok().flatten();
                let (dx, dy) = match (g("OCX10"), g("OCX11"), g("OCY10"), g("OCY11")) {
                    (Some(a), Some(b), Some(c), Some(d)) => {
                        let m = model::npol_matrix(a, b, c, d, g("IDCSCALE").unwrap_or(1.0));
                        let (x, y) = model::npol_transform(
                            m,
                            tx.data.as_slice().expect("standard layout"),
                            ty.data.as_slice().expect("standard layout"),
                        );
                        let shape = tx.data.dim();
                        (
                            ndarray::Array2::from_shape_vec(shape, x).expect("same size"),
                            ndarray::Array2::from_shape_vec(shape, y).expect("same size"),
                        )
                    }
                    _ => (tx.data.clone(), ty.data.clone()),
                };
                for (axis, data, t) in [(Axis::Dx, dx, tx), (Axis::Dy, dy, ty)] {
                    let ver = if axis == Axis::Dx { 2 * e - 1 } else { 2 * e };
                    lookup::set_sci_keywords(&mut hdrs[i], Kind::Npol, axis, ver, lookup::max_value(&data));
                    let header = lookup::extension_header(
                        Kind::Npol,
                        ver,
                        axis,
                        reference.naxis,
                        &t.header,
                        &hdrs[i],
                        &reference.primary,
                    );
                    if let Some(x) = existing("WCSDVARR", ver) {
                        delete.push(x);
                    }
                    append.push(LookupExt { kind: Kind::Npol, extver: ver, header, data });
                    npol_count += 1;
                }
            }
            hdrs[1].set("NPOLEXT", value.as_str());
        }
        LookupPlan::Remove => {
            for &i in &sci {
                lookup::remove_sci_keywords(&mut hdrs[i], Kind::Npol);
            }
            delete.extend((0..n).filter(|&i| extnames[i] == "WCSDVARR"));
        }
        LookupPlan::Off => {}
    }

    // --- primary header ---
    let mut deleted = delete.clone();
    deleted.sort_unstable();
    deleted.dedup();
    let nextend = n - deleted.len() + append.len() - 1;
    let p = &mut hdrs[0];
    set_version_keywords(p);
    let rootname = primary.str_or("ROOTNAME", "").map_err(&pctx)?.to_string();
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let existing_sipname = primary.get_str("SIPNAME").map_err(&pctx)?.map(str::to_string);
    let npolfile = primary.get_str("NPOLFILE").map_err(&pctx)?.map(str::to_string);
    let d2imfile = primary.get_str("D2IMFILE").map_err(&pctx)?.map(str::to_string);
    let (sipname, distname) = names::sip_and_dist_names(&NameInputs {
        idctab: idctab_value.as_deref(),
        npolfile: npolfile.as_deref(),
        d2imfile: d2imfile.as_deref(),
        sipname: existing_sipname.as_deref(),
        rootname: if rootname.is_empty() { &file_name } else { &rootname },
        ext1_has_sip: hdrs[1].contains("A_ORDER") || hdrs[1].contains("B_ORDER"),
    });
    let p = &mut hdrs[0];
    p.set("DISTNAME", distname.as_str());
    p.set("SIPNAME", sipname.as_str());
    p.set("NEXTEND", nextend as i64);

    let headers: Vec<(usize, Header)> =
        hdrs.into_iter().enumerate().filter(|(i, h)| fits.hdu(*i).header != *h).collect();
    let report = Report {
        path: path.to_path_buf(),
        corrections,
        wcsname,
        sipname,
        distname,
        chips,
        d2im_extensions: d2im_count,
        npol_extensions: npol_count,
        new_idctab,
    };
    Ok(Plan { headers, delete, append, report })
}

/// LTV1/LTV2 of a SCI header; treated as 0 when the image has the model's full size
/// (stwcs `resetLTV`, polarizer/ramp data).
fn ltv(h: &Header, model: Option<&IdcModel>) -> [f64; 2] {
    let g = |k: &str| h.get_f64(k).ok().flatten().unwrap_or(0.0);
    let l = [g("LTV1"), g("LTV2")];
    if let Some(m) = model
        && (l[0] != 0.0 || l[1] != 0.0)
        && g("NAXIS1") == m.xsize
        && g("NAXIS2") == m.ysize
    {
        return [0.0, 0.0];
    }
    l
}

const OCX_COMMENT: &str = "original linear term from IDCTAB";

fn write_ocx(h: &mut Header, m: &IdcModel) {
    h.set_with_comment("OCX10", m.cx[1][0], OCX_COMMENT);
    h.set_with_comment("OCX11", m.cx[1][1], OCX_COMMENT);
    h.set_with_comment("OCY10", m.cy[1][0], OCX_COMMENT);
    h.set_with_comment("OCY11", m.cy[1][1], OCX_COMMENT);
}

/// HSTWCS `_updatehdr`: the model's linear terms and reference geometry.
fn write_idc_keywords(h: &mut Header, m: &IdcModel) {
    write_ocx(h, m);
    h.set_with_comment("IDCSCALE", m.pscale, "pixel scale from the IDCTAB reference file");
    h.set_with_comment("IDCTHETA", m.header_theta, "orientation of detector's Y-axis w.r.t. V3 axis");
    h.set_with_comment("IDCXREF", m.header_xref, "reference pixel location in X");
    h.set_with_comment("IDCYREF", m.header_yref, "reference pixel location in Y");
    h.set_with_comment("IDCV2REF", m.header_v2ref, "reference pixel's V2 position");
    h.set_with_comment("IDCV3REF", m.header_v3ref, "reference pixel's V3 position");
}

fn write_tdd_keywords(h: &mut Header, tdd: &model::TddResult) {
    let v = |x: Option<f64>| x.map_or(Value::Undefined, Value::Float);
    h.set_with_comment("TDDALPHA", v(tdd.alpha_beta.map(|a| a.0)), "time-dependent y-skew offset (pre-2014 IDCTAB)");
    h.set_with_comment("TDDBETA", v(tdd.alpha_beta.map(|a| a.1)), "time-dependent y-skew rate (pre-2014 IDCTAB)");
    let names = [
        ("TDD_CTA", "time-dependent x-skew rate (>2015 IDCTAB)"),
        ("TDD_CTB", "time-dependent y-skew rate (>2015 IDCTAB)"),
        ("TDD_CYA", "time-dependent y-skew offset (2014 IDCTAB)"),
        ("TDD_CYB", "time-dependent y-scale rate (>2015 IDCTAB)"),
        ("TDD_CXA", "time-dependent x-skew offset (2014 IDCTAB)"),
        ("TDD_CXB", "time-dependent x-scale rate (>2015 IDCTAB)"),
    ];
    for ((k, c), x) in names.iter().zip(tdd.terms) {
        h.set_with_comment(k, v(x), c);
    }
}

fn write_cd_crval(h: &mut Header, w: &LinearWcs) {
    for i in 0..2 {
        for j in 0..2 {
            h.set(&format!("CD{}_{}", i + 1, j + 1), w.cd[i][j]);
        }
    }
    h.set("CRVAL1", w.crval[0]);
    h.set("CRVAL2", w.crval[1]);
}

fn write_linear(h: &mut Header, w: &LinearWcs) {
    write_cd_crval(h, w);
    h.set("CRPIX1", w.crpix[0]);
    h.set("CRPIX2", w.crpix[1]);
}

/// CompSIP keywords: orders, every coefficient of degree 2..=order (zeros included) in
/// stwcs's order, CTYPE with `-SIP`. Coefficients beyond the new order are removed.
fn write_sip(h: &mut Header, m: &IdcModel, binned: f64) {
    let (a, b) = model::comp_sip(m, binned);
    let order = m.order;
    let stale: Vec<String> = h
        .cards()
        .iter()
        .filter_map(|c| {
            let k = &c.keyword;
            let rest = k.strip_prefix("A_").or_else(|| k.strip_prefix("B_"))?;
            let (p, q) = rest.split_once('_')?;
            let (p, q): (usize, usize) = (p.parse().ok()?, q.parse().ok()?);
            (p + q > order).then(|| k.clone())
        })
        .collect();
    for k in stale {
        h.remove(&k);
    }
    h.set_with_comment("A_ORDER", order as i64, "SIP polynomial order, axis 1, detector to sky");
    h.set_with_comment("B_ORDER", order as i64, "SIP polynomial order, axis 2, detector to sky");
    for n in 2..=order {
        for mm in 0..=n {
            h.set_with_comment(&format!("A_{}_{}", mm, n - mm), a[mm][n - mm], "SIP distortion coefficient");
            h.set_with_comment(&format!("B_{}_{}", mm, n - mm), b[mm][n - mm], "SIP distortion coefficient");
        }
    }
    h.set("CTYPE1", "RA---TAN-SIP");
    h.set("CTYPE2", "DEC--TAN-SIP");
}

/// The SCI WCS copied to an ERR/DQ/… header as astropy writes it without SIP (stwcs
/// `copyWCS`): 14-digit values, CD matrix, TAN CTYPEs, CUNIT, RADESYS, MJDREF, WCSNAME.
fn copy_wcs_without_sip(sci: &Header, ext: &mut Header) -> std::result::Result<(), String> {
    let c = driz_wcs::Celestial::from_header(sci, ' ').map_err(|e| e.to_string())?;
    let set = |h: &mut Header, k: &str, v: Value| h.set(k, v);
    set(ext, "WCSAXES", Value::Integer(2));
    set(ext, "CRPIX1", g14(c.crpix[0]).into());
    set(ext, "CRPIX2", g14(c.crpix[1]).into());
    for i in 0..2 {
        for j in 0..2 {
            set(ext, &format!("CD{}_{}", i + 1, j + 1), g14(c.cd[i][j]).into());
        }
    }
    set(ext, "CUNIT1", "deg".into());
    set(ext, "CUNIT2", "deg".into());
    set(ext, "CTYPE1", "RA---TAN".into());
    set(ext, "CTYPE2", "DEC--TAN".into());
    set(ext, "CRVAL1", g14(c.crval[0]).into());
    set(ext, "CRVAL2", g14(c.crval[1]).into());
    if let Some(n) = &c.name {
        set(ext, "WCSNAME", n.as_str().into());
    }
    set(ext, "MJDREF", 0.0.into());
    if let Some(r) = &c.radesys {
        set(ext, "RADESYS", r.as_str().into());
    }
    Ok(())
}

/// `UPWCSVER`/`PYWCSVER` (before HISTORY when present, else appended).
fn set_version_keywords(p: &mut Header) {
    for (k, c) in [
        ("UPWCSVER", "Version of STWCS used to updated the WCS"),
        ("PYWCSVER", "Version of PYWCS used to updated the WCS"),
    ] {
        if p.contains(k) {
            p.set_with_comment(k, crate::DRIZ_VERSION, c);
        } else if p.cards().iter().any(|c| c.keyword == "HISTORY") {
            p.insert_before("HISTORY", Card::new(k, crate::DRIZ_VERSION, c));
        } else {
            p.append(Card::new(k, crate::DRIZ_VERSION, c));
        }
    }
}
