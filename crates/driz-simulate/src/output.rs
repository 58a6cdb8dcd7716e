//! Writing a simulated association: reference files, true WCSs (through `driz-updatewcs`
//! on a skeleton file), the scene rendered per chip, FLT/FLC/RAW/ASN files and the truth.

use crate::instrument::{ChipSpec, InstrumentSpec};
use crate::reffiles::{self, RefNames};
use crate::render::{self, Detector, Placed, PlacedShape, Psf};
use crate::rng::Rng;
use crate::scene::{self, Shape, Source};
use crate::{Config, Error, Result};
use driz_fits::{AsnMember, Fits, FitsWriter, asn_columns};
use driz_header::{Card, Header};
use driz_updatewcs::idctab::{IdcModel, IdcTable, Selection};
use driz_updatewcs::model::{self, ChipGeometry, LinearWcs};
use driz_wcs::{Celestial, HstWcs};
use ndarray::Array2;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tracing::info;

/// What was written.
#[derive(Debug, Clone)]
pub struct Summary {
    pub out: PathBuf,
    pub asn: PathBuf,
    pub rootnames: Vec<String>,
    pub files: Vec<PathBuf>,
    pub n_sources: usize,
    pub seconds: f64,
}

/// A telescope pointing: sky position of the reference chip's IDC reference pixel, PA_V3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pointing {
    pub ra: f64,
    pub dec: f64,
    pub pa_v3: f64,
}

fn parity(spec: &InstrumentSpec) -> [f64; 2] {
    if spec.instrume == "ACS" && spec.detector == "WFC" { [1.0, -1.0] } else { [-1.0, 1.0] }
}

/// `LTV1, LTV2` of a chip's written region.
fn ltv(region: [usize; 4], chip: &ChipSpec) -> [f64; 2] {
    if region[2] == chip.full[0] && region[3] == chip.full[1] {
        [0.0, 0.0]
    } else {
        [-(region[0] as f64), -(region[1] as f64)]
    }
}

/// The OPUS-like linear WCS of every chip for a pointing: what MakeWCS gives (no VA).
pub fn opus_wcs(spec: &InstrumentSpec, models: &[IdcModel], small: bool, p: Pointing) -> Vec<LinearWcs> {
    let r = spec.reference_chip();
    let geo = |k: usize| {
        let c = &spec.chips[k];
        let l = ltv(spec.region(c, small), c);
        let m = &models[k];
        let s = m.pscale / 3600.0;
        (LinearWcs { crpix: [m.xref + l[0], m.yref + l[1]], crval: [p.ra, p.dec], cd: [[-s, 0.0], [0.0, s]] }, l)
    };
    let (ref_opus, ref_ltv) = geo(r);
    let refc =
        ChipGeometry { opus: ref_opus, model: &models[r], ltv: ref_ltv, chip: spec.chips[r].ccdchip, zero_point: None };
    (0..spec.chips.len())
        .map(|k| {
            let (opus, l) = geo(k);
            let ext = ChipGeometry { opus, model: &models[k], ltv: l, chip: spec.chips[k].ccdchip, zero_point: None };
            model::make_wcs(&ext, &refc, p.pa_v3, parity(spec)).0.chip
        })
        .collect()
}

/// The IDC models of every chip from the written IDCTAB.
pub fn read_models(spec: &InstrumentSpec, idctab: &Path) -> Result<Vec<IdcModel>> {
    let table = IdcTable::open(idctab)?;
    let f = |k: &str| spec.filters.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let (f1, f2) = if spec.instrume == "WFC3" { (f("FILTER"), Some("CLEAR")) } else { (f("FILTER1"), f("FILTER2")) };
    spec.chips
        .iter()
        .map(|c| Ok(table.model(&Selection { chip: c.ccdchip, filter1: f1, filter2: f2, binned: 1.0 })?))
        .collect()
}

/// Per-exposure bookkeeping.
#[derive(Debug, Clone)]
struct ExposureInfo {
    root: String,
    expstart: f64,
    exptime: f64,
    truth: Pointing,
    header: Pointing,
    postarg: [f64; 2],
}

fn mjd_to_date(mjd: f64) -> (String, String) {
    // Civil date from MJD (Fliegel–Van Flandern on the JDN).
    let jd = mjd.floor() as i64 + 2_400_001;
    let l = jd + 68569;
    let n = 4 * l / 146_097;
    let l = l - (146_097 * n + 3) / 4;
    let i = 4000 * (l + 1) / 1_461_001;
    let l = l - 1461 * i / 4 + 31;
    let j = 80 * l / 2447;
    let day = l - 2447 * j / 80;
    let l = j / 11;
    let month = j + 2 - 12 * l;
    let year = 100 * (n - 49) + i + l;
    let secs = ((mjd - mjd.floor()) * 86400.0).round() as i64;
    (format!("{year:04}-{month:02}-{day:02}"), format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60))
}

fn date_to_mjd(date: &str) -> Result<f64> {
    let bad = || Error::Invalid(format!("date '{date}' is not YYYY-MM-DD"));
    let mut it = date.split('-').map(|s| s.parse::<i64>());
    let (y, m, d) = match (it.next(), it.next(), it.next()) {
        (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) => (y, m, d),
        _ => return Err(bad()),
    };
    let a = (14 - m) / 12;
    let (yy, mm) = (y + 4800 - a, m + 12 * a - 3);
    let jdn = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 + yy / 400 - 32045;
    Ok(jdn as f64 - 2_400_001.0)
}

/// The FLT primary header (also the RAW's, with another FILENAME).
fn primary_header(
    spec: &InstrumentSpec,
    cfg: &Config,
    e: &ExposureInfo,
    asn: &str,
    refs: &[(&'static str, String)],
    filename: &str,
) -> Header {
    let mut h = Header::new();
    let c = |h: &mut Header, k: &str, v: driz_header::Value, com: &str| h.append(Card::new(k, v, com));
    let (date, time) = mjd_to_date(e.expstart);
    let n_ext = spec.chips.len() * if spec.detector == "IR" { 5 } else { 3 };
    c(&mut h, "NEXTEND", (n_ext as i64).into(), "Number of standard extensions");
    c(&mut h, "DATE", "2024-01-01T00:00:00".into(), "date this file was written (yyyy-mm-dd)");
    c(&mut h, "FILENAME", filename.into(), "name of file");
    c(&mut h, "FILETYPE", "SCI".into(), "type of data found in data file");
    c(&mut h, "TELESCOP", "HST".into(), "telescope used to acquire data");
    c(&mut h, "INSTRUME", spec.instrume.into(), "identifier for instrument used to acquire data");
    c(&mut h, "EQUINOX", 2000.0.into(), "equinox of celestial coord. system");
    h.append(Card::commentary("COMMENT", "Simulated by driz simulate: not a real observation."));
    c(&mut h, "ROOTNAME", e.root.as_str().into(), "rootname of the observation set");
    c(&mut h, "IMAGETYP", "EXT".into(), "type of exposure identifier");
    c(&mut h, "PRIMESI", spec.instrume.into(), "instrument designated as prime");
    c(&mut h, "TARGNAME", "SIMFIELD".into(), "proposer's target name");
    c(&mut h, "RA_TARG", cfg.ra.into(), "right ascension of the target (deg) (J2000)");
    c(&mut h, "DEC_TARG", cfg.dec.into(), "declination of the target (deg) (J2000)");
    c(&mut h, "PROPOSID", 99999i64.into(), "PEP proposal identifier");
    c(&mut h, "LINENUM", "01.001".into(), "proposal logsheet line number");
    c(&mut h, "PR_INV_L", "Simulator".into(), "last name of principal investigator");
    c(&mut h, "DATE-OBS", date.as_str().into(), "UT date of start of observation (yyyy-mm-dd)");
    c(&mut h, "TIME-OBS", time.as_str().into(), "UT time of start of observation (hh:mm:ss)");
    c(&mut h, "EXPSTART", e.expstart.into(), "exposure start time (Modified Julian Date)");
    c(&mut h, "EXPEND", (e.expstart + e.exptime / 86400.0).into(), "exposure end time (Modified Julian Date)");
    c(&mut h, "EXPTIME", e.exptime.into(), "exposure duration (seconds)--calculated");
    c(&mut h, "TEXPTIME", e.exptime.into(), "total exposure time (seconds)");
    c(&mut h, "EXPFLAG", "NORMAL".into(), "Exposure interruption indicator");
    c(&mut h, "QUALCOM1", " ".into(), "");
    c(&mut h, "QUALITY", " ".into(), "data quality summary");
    c(&mut h, "PA_V3", e.header.pa_v3.into(), "position angle of V3-axis of HST (deg)");
    c(&mut h, "SUNANGLE", 120.0.into(), "angle between sun and V1 axis");
    c(&mut h, "MOONANGL", 90.0.into(), "angle between moon and V1 axis");
    c(&mut h, "FGSLOCK", "FINE".into(), "commanded FGS lock (FINE,COARSE,GYROS,UNKNOWN)");
    c(&mut h, "GYROMODE", "T".into(), "number of gyros scheduled, T=3+OBAD");
    c(&mut h, "REFFRAME", "ICRS".into(), "guide star catalog version");
    c(&mut h, "MTFLAG", " ".into(), "moving target flag; T if it is a moving target");
    c(&mut h, "OBSTYPE", "IMAGING".into(), "observation type - imaging or spectroscopic");
    c(&mut h, "OBSMODE", if spec.detector == "IR" { "MULTIACCUM" } else { "ACCUM" }.into(), "operating mode");
    c(&mut h, "SCLAMP", "NONE".into(), "lamp status, NONE or name of lamp which is on");
    c(&mut h, "NRPTEXP", 1i64.into(), "number of repeat exposures in set: default 1");
    c(&mut h, "SUBARRAY", cfg.small.into(), "data from a subarray (T) or full frame (F)");
    c(&mut h, "DETECTOR", spec.detector.into(), "detector in use");
    for (k, v) in &spec.filters {
        c(&mut h, k, (*v).into(), "element selected from filter wheel");
    }
    let aperture = if cfg.small { spec.small_aperture } else { spec.aperture };
    c(&mut h, "APERTURE", aperture.into(), "aperture name");
    c(&mut h, "PROPAPER", aperture.into(), "proposed aperture name");
    c(&mut h, "DIRIMAGE", "NONE".into(), "direct image for grism or prism exposure");
    c(&mut h, "CRSPLIT", 1i64.into(), "number of cosmic ray split exposures");
    if spec.instrume == "WFC3" {
        c(&mut h, "SCAN_TYP", "N".into(), "C:bostrophidon; D:C with dwell; N:N/A");
    }
    if spec.instrume == "WFC3" && spec.detector == "UVIS" {
        // drizzlepac's alignment filter reads it unconditionally for UVIS.
        c(&mut h, "CHINJECT", "NONE".into(), "charge injection mode");
    }
    if spec.detector == "IR" {
        c(&mut h, "SAMP_SEQ", "SPARS25".into(), "MultiAccum exposure time sequence name");
        c(&mut h, "NSAMP", 13i64.into(), "number of MULTIACCUM samples");
        c(&mut h, "SAMPZERO", 2.911756.into(), "sample time of the zeroth read (sec)");
    }
    c(&mut h, "PATTERN1", "BOX".into(), "primary pattern type");
    c(&mut h, "P1_SHAPE", "BOX".into(), "primary pattern shape");
    c(&mut h, "P1_NPTS", (cfg.exposures as i64).into(), "number of points in primary pattern");
    c(&mut h, "POSTARG1", e.postarg[0].into(), "POSTARG in axis 1 direction");
    c(&mut h, "POSTARG2", e.postarg[1].into(), "POSTARG in axis 2 direction");
    c(&mut h, "ASN_ID", asn.to_uppercase().as_str().into(), "unique identifier assigned to association");
    c(&mut h, "ASN_TAB", format!("{asn}_asn.fits").as_str().into(), "name of the association table");
    c(&mut h, "ASN_MTYP", "EXP-DTH".into(), "Role of the Member in the Association");
    c(&mut h, "CCDAMP", "ABCD".into(), "CCD amplifier read out configuration");
    c(&mut h, "CCDGAIN", spec.gain.into(), "commanded gain of CCD");
    c(&mut h, "CCDOFSTA", 1i64.into(), "commanded CCD bias offset for amplifier A");
    for a in ["A", "B", "C", "D"] {
        c(&mut h, &format!("ATODGN{a}"), spec.gain.into(), &format!("calibrated gain for amplifier {a}"));
    }
    for a in ["A", "B", "C", "D"] {
        c(&mut h, &format!("READNSE{a}"), spec.readnoise.into(), &format!("calibrated read noise for amplifier {a}"));
    }
    h.append(Card::commentary("COMMENT", "CALIBRATION SWITCHES: PERFORM, OMIT, COMPLETE"));
    let switches: &[&str] = if spec.detector == "IR" {
        &[
            "DQICORR", "ZSIGCORR", "ZOFFCORR", "DARKCORR", "BLEVCORR", "NLINCORR", "FLATCORR", "CRCORR", "UNITCORR",
            "PHOTCORR",
        ]
    } else {
        &[
            "DQICORR", "ATODCORR", "BLEVCORR", "BIASCORR", "FLSHCORR", "CRCORR", "EXPSCORR", "SHADCORR", "DARKCORR",
            "FLATCORR", "PHOTCORR",
        ]
    };
    for s in switches {
        let v = if *s == "CRCORR" || *s == "ATODCORR" { "OMIT" } else { "COMPLETE" };
        c(&mut h, s, v.into(), "calibration switch");
    }
    if spec.has_flc {
        c(&mut h, "PCTECORR", "COMPLETE".into(), "pixel-based CTE correction");
    }
    c(&mut h, "DRIZCORR", "PERFORM".into(), "drizzle processing");
    h.append(Card::commentary("COMMENT", "CALIBRATION REFERENCE FILES"));
    for (k, v) in refs {
        c(&mut h, k, v.as_str().into(), "reference file");
    }
    c(&mut h, "DGEOFILE", "N/A".into(), "Distortion correction image");
    c(&mut h, "PHOTMODE", spec.photmode.into(), "observation con");
    c(&mut h, "PHOTFLAM", spec.photflam.into(), "inverse sensitivity, ergs/cm2/Ang/electron");
    c(&mut h, "PHOTZPT", (-21.1).into(), "ST magnitude zero point");
    c(&mut h, "PHOTPLAM", spec.photplam.into(), "Pivot wavelength (Angstroms)");
    c(&mut h, "PHOTBW", spec.photbw.into(), "RMS bandwidth of filter plus detector");
    c(&mut h, "CAL_VER", "driz-simulate".into(), "calibration software version");
    h
}

/// Keywords of a SCI/ERR/DQ/SAMP/TIME extension.
#[allow(clippy::too_many_arguments)]
fn ext_header(
    spec: &InstrumentSpec,
    cfg: &Config,
    chip: &ChipSpec,
    extname: &str,
    bunit: &str,
    opus: &LinearWcs,
    region: [usize; 4],
    ngoodpix: Option<i64>,
) -> Header {
    let mut h = Header::new();
    let c = |h: &mut Header, k: &str, v: driz_header::Value, com: &str| h.append(Card::new(k, v, com));
    c(&mut h, "EXTNAME", extname.into(), "extension name");
    c(&mut h, "EXTVER", chip.extver.into(), "extension version number");
    c(&mut h, "INHERIT", true.into(), "inherit the primary header");
    c(&mut h, "ROOTNAME", "".into(), "rootname of the observation set");
    c(&mut h, "EXPNAME", "".into(), "exposure identifier");
    c(&mut h, "BUNIT", bunit.into(), "brightness units");
    c(&mut h, "CCDCHIP", chip.ccdchip.into(), "CCD chip (1 or 2)");
    c(&mut h, "WCSAXES", 2i64.into(), "number of World Coordinate System axes");
    c(&mut h, "CRPIX1", opus.crpix[0].into(), "x-coordinate of reference pixel");
    c(&mut h, "CRPIX2", opus.crpix[1].into(), "y-coordinate of reference pixel");
    c(&mut h, "CRVAL1", opus.crval[0].into(), "first axis value at reference pixel");
    c(&mut h, "CRVAL2", opus.crval[1].into(), "second axis value at reference pixel");
    c(&mut h, "CTYPE1", "RA---TAN".into(), "the coordinate type for the first axis");
    c(&mut h, "CTYPE2", "DEC--TAN".into(), "the coordinate type for the second axis");
    c(&mut h, "CD1_1", opus.cd[0][0].into(), "partial of first axis coordinate w.r.t. x");
    c(&mut h, "CD1_2", opus.cd[0][1].into(), "partial of first axis coordinate w.r.t. y");
    c(&mut h, "CD2_1", opus.cd[1][0].into(), "partial of second axis coordinate w.r.t. x");
    c(&mut h, "CD2_2", opus.cd[1][1].into(), "partial of second axis coordinate w.r.t. y");
    let l = ltv(region, chip);
    c(&mut h, "LTV1", l[0].into(), "offset in X to subsection start");
    c(&mut h, "LTV2", l[1].into(), "offset in Y to subsection start");
    c(&mut h, "LTM1_1", 1.0.into(), "reciprocal of sampling rate in X");
    c(&mut h, "LTM2_2", 1.0.into(), "reciprocal of sampling rate in Y");
    let cel = Celestial::new(opus.crpix, opus.crval, opus.cd, ["RA---TAN", "DEC--TAN"]).expect("valid OPUS WCS");
    let orientat = cel.orientation();
    let (ra_aper, dec_aper) = cel.foc2world(opus.crpix[0], opus.crpix[1]);
    c(&mut h, "PA_APER", orientat.into(), "Position Angle of reference aperture center (de");
    c(&mut h, "VAFACTOR", cfg.vafactor.into(), "velocity aberration plate scale factor");
    c(&mut h, "ORIENTAT", orientat.into(), "position angle of image y axis (deg. e of n)");
    c(&mut h, "RA_APER", ra_aper.into(), "RA of aperture reference position");
    c(&mut h, "DEC_APER", dec_aper.into(), "Declination of aperture reference position");
    if let Some(n) = ngoodpix {
        c(&mut h, "NGOODPIX", n.into(), "number of good pixels");
        c(&mut h, "SDQFLAGS", 31743i64.into(), "serious data quality flags");
        c(&mut h, "SOFTERRS", 0i64.into(), "number of soft error pixels (DQF=1)");
        let dark = if spec.count_rate { 0.05 } else { 0.005 * cfg.exptime.unwrap_or(spec.exptime) };
        c(&mut h, "MEANDARK", dark.into(), "average of the dark values subtracted");
        c(&mut h, "MEANBLEV", 0.0.into(), "average of all bias levels subtracted");
        c(&mut h, "MEANFLSH", 0.0.into(), "Mean number of counts in post flash exposure");
    }
    if spec.instrume == "WFC3" && extname == "SCI" {
        c(&mut h, "PHOTMODE", spec.photmode.into(), "observation con");
        c(&mut h, "PHOTFLAM", spec.photflam.into(), "inverse sensitivity, ergs/cm2/Ang/electron");
        c(&mut h, "PHOTPLAM", spec.photplam.into(), "Pivot wavelength (Angstroms)");
        c(&mut h, "PHOTBW", spec.photbw.into(), "RMS bandwidth of filter plus detector");
    }
    h
}

/// True WCS of every chip: `updatewcs` on a skeleton (zero data) with the true pointing,
/// written to `dir/<root>_truewcs.fits` (reference files named by absolute path, so no
/// environment variable is needed).
fn true_wcs(
    tmp: &Path,
    spec: &InstrumentSpec,
    cfg: &Config,
    e: &ExposureInfo,
    opus: &[LinearWcs],
    refdir: &Path,
    names: &RefNames,
) -> Result<Vec<(HstWcs, Header)>> {
    let abs = |n: &str| refdir.join(n).to_string_lossy().into_owned();
    let refs =
        vec![("IDCTAB", abs(&names.idctab)), ("D2IMFILE", abs(&names.d2imfile)), ("NPOLFILE", abs(&names.npolfile))];
    let path = tmp.join(format!("{}_truewcs.fits", e.root));
    let mut et = e.clone();
    et.header = e.truth;
    let p = primary_header(spec, cfg, &et, "skeleton", &refs, "skeleton_flt.fits");
    let mut w = FitsWriter::create(&path)?;
    w.primary(&p)?;
    for (k, chip) in spec.chips.iter().enumerate() {
        let region = spec.region(chip, cfg.small);
        let h = ext_header(spec, cfg, chip, "SCI", spec.bunit, &opus[k], region, None);
        w.image::<u8>(&h, Array2::zeros((region[3], region[2])).view())?;
    }
    w.finish()?;
    driz_updatewcs::updatewcs(&path, &driz_updatewcs::Options::default())?;
    let mut fits = Fits::open(&path)?;
    let sci: Vec<usize> = (0..fits.hdus().len()).filter(|&i| fits.hdu(i).extname == "SCI").collect();
    let mut out = Vec::new();
    for i in sci {
        let h = fits.hdu(i).header.clone();
        out.push((fits.wcs(i, ' ')?, h));
    }
    Ok(out)
}

fn shift(p: Pointing, arcsec: f64, angle_deg: f64) -> Pointing {
    let (s, c) = angle_deg.to_radians().sin_cos();
    Pointing {
        ra: p.ra + arcsec * s / 3600.0 / p.dec.to_radians().cos(),
        dec: p.dec + arcsec * c / 3600.0,
        pa_v3: p.pa_v3,
    }
}

/// Box pattern offsets (arcsec along the reference chip's axes), continued with half-step
/// offsets for more than four exposures.
fn dither(i: usize, size: f64) -> [f64; 2] {
    let box4 = [[0.0, 0.0], [1.0, 1.0 / 6.0], [7.0 / 6.0, 1.0], [1.0 / 6.0, 7.0 / 6.0]];
    let b = box4[i % 4];
    let cycle = (i / 4) as f64 * 0.25;
    [(b[0] + cycle) * size, (b[1] + cycle) * size]
}

fn sip_json(h: &Header) -> serde_json::Value {
    let order = h.get_i64("A_ORDER").ok().flatten().unwrap_or(0);
    let mut a = Vec::new();
    let mut b = Vec::new();
    for n in 2..=order {
        for p in 0..=n {
            let q = n - p;
            if let Ok(Some(v)) = h.get_f64(&format!("A_{p}_{q}")) {
                a.push(json!([p, q, v]));
            }
            if let Ok(Some(v)) = h.get_f64(&format!("B_{p}_{q}")) {
                b.push(json!([p, q, v]));
            }
        }
    }
    json!({"order": order, "a": a, "b": b})
}

/// Simulate the association described by `cfg` into `out`.
pub fn simulate(cfg: &Config, out: &Path) -> Result<Summary> {
    simulate_with_progress(cfg, out, &mut |_, _| {})
}

/// [`simulate`], calling `chip_done(done, total)` after each chip is rendered (the bulk of
/// the time), for a progress bar.
pub fn simulate_with_progress(cfg: &Config, out: &Path, chip_done: &mut dyn FnMut(usize, usize)) -> Result<Summary> {
    let t0 = Instant::now();
    if cfg.exposures == 0 {
        return Err(Error::Invalid("--exposures must be at least 1".into()));
    }
    let spec = cfg.instrument.spec();
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    // Reference-file names recorded in headers are resolved from other directories
    // (truth/, the user's working directory), so work with an absolute path.
    let absolute = out.canonicalize().map_err(|e| Error::io(out, e))?;
    let out = absolute.as_path();
    let truth_dir = out.join("truth");
    std::fs::create_dir_all(&truth_dir).map_err(|e| Error::io(&truth_dir, e))?;
    let refdir = out.join("ref");
    let names = reffiles::write_all(&refdir, &spec)?;
    let models = read_models(&spec, &refdir.join(&names.idctab))?;
    let ref_keywords = names.keywords(&spec);
    info!("reference files written to {}", refdir.display());

    // Pointings.
    let exptime = cfg.exptime.unwrap_or(spec.exptime);
    let mjd0 = date_to_mjd(&cfg.date_obs)? + 0.25;
    let base = Pointing { ra: cfg.ra, dec: cfg.dec, pa_v3: cfg.pa_v3 };
    let r = spec.reference_chip();
    let base_ref = opus_wcs(&spec, &models, cfg.small, base)[r];
    let mut err_rng = Rng::derive(cfg.seed, &[0xE77]);
    let err_angle = err_rng.range(0.0, 360.0);
    let asn = format!("{}sm001010", spec.letter);
    let mut exposures = Vec::new();
    for i in 0..cfg.exposures {
        let d = dither(i, cfg.dither);
        let s = models[r].pscale;
        let (ra, dec) = base_ref.p2s(base_ref.crpix[0] + d[0] / s, base_ref.crpix[1] + d[1] / s);
        let truth = Pointing { ra, dec, pa_v3: cfg.pa_v3 };
        let mut header = shift(truth, cfg.shift_error, err_angle);
        header.pa_v3 += cfg.roll_error;
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let root = format!("{}sm001{}{}q", spec.letter, letters[(i / 9) % 26] as char, i % 9 + 1);
        exposures.push(ExposureInfo {
            root,
            expstart: mjd0 + i as f64 * (exptime + 120.0) / 86400.0,
            exptime,
            truth,
            header,
            postarg: d,
        });
    }
    let epoch = driz_updatewcs::model::decimal_year(&cfg.date_obs)
        .ok_or_else(|| Error::Invalid(format!("DATE-OBS '{}' is not a date", cfg.date_obs)))?;

    // True WCSs, kept as `truth/<root>_truewcs.fits` (zero data, the full distortion model).
    let mut truths = Vec::new();
    let mut files = Vec::new();
    for e in &exposures {
        let opus = opus_wcs(&spec, &models, cfg.small, e.truth);
        truths.push(true_wcs(&truth_dir, &spec, cfg, e, &opus, &refdir, &names)?);
        files.push(truth_dir.join(format!("{}_truewcs.fits", e.root)));
    }
    info!("true WCSs computed ({:.2} s)", t0.elapsed().as_secs_f64());

    // Scene around the footprint of all exposures.
    let mut corners = Vec::new();
    for t in &truths {
        for (k, (w, _)) in t.iter().enumerate() {
            let reg = spec.region(&spec.chips[k], cfg.small);
            let (nx, ny) = (reg[2] as f64, reg[3] as f64);
            for (x, y) in [(0.5, 0.5), (nx + 0.5, 0.5), (0.5, ny + 0.5), (nx + 0.5, ny + 0.5)] {
                corners.push(w.pix2world(x, y));
            }
        }
    }
    let n = corners.len() as f64;
    let center = (corners.iter().map(|c| c.0).sum::<f64>() / n, corners.iter().map(|c| c.1).sum::<f64>() / n);
    let half = corners
        .iter()
        .map(|c| {
            let dx = (c.0 - center.0) * center.1.to_radians().cos() * 3600.0;
            let dy = (c.1 - center.1) * 3600.0;
            dx.abs().max(dy.abs())
        })
        .fold(0.0, f64::max)
        + 3.0;
    let sources = scene::generate(&mut Rng::derive(cfg.seed, &[0x5CE]), center, half, spec.zeropoint, &cfg.scene);
    info!("scene: {} sources in a {:.0}″ square", sources.len(), 2.0 * half);

    // Hot pixels per chip (a detector property: the same in every exposure).
    let hot: Vec<Vec<(usize, usize, f64)>> = spec
        .chips
        .iter()
        .map(|c| {
            if !cfg.hot_pixels {
                return Vec::new();
            }
            let mut rng = Rng::derive(cfg.seed, &[0x407, c.ccdchip as u64]);
            let n = (spec.hot_fraction * (c.full[0] * c.full[1]) as f64) as usize;
            (0..n).map(|_| (rng.below(c.full[0]), rng.below(c.full[1]), 0.05 * (3.0 * rng.uniform()).exp())).collect()
        })
        .collect();

    let mut ejson = Vec::new();
    for (ei, e) in exposures.iter().enumerate() {
        let opus_hdr = opus_wcs(&spec, &models, cfg.small, e.header);
        let mut chips_out = Vec::new();
        let mut chips_json = Vec::new();
        for (k, chip) in spec.chips.iter().enumerate() {
            let region = spec.region(chip, cfg.small);
            let (nx, ny) = (region[2], region[3]);
            let (wcs, th) = &truths[ei][k];
            let placed: Vec<Placed> = sources
                .iter()
                .filter_map(|s| {
                    let (x, y) = wcs.world2pix(s.ra, s.dec).ok()?;
                    let m = 45.0;
                    if x < -m || y < -m || x > nx as f64 + m || y > ny as f64 + m {
                        return None;
                    }
                    let shape = match s.shape {
                        Shape::Star => PlacedShape::Star,
                        Shape::Galaxy { re, n, q, pa } => PlacedShape::Galaxy { re, n, q, pa },
                    };
                    Some(Placed { x, y, counts: s.rate * e.exptime, shape })
                })
                .collect();
            let ideal = render::ideal_image(nx, ny, spec.sky_rate * e.exptime, &Psf { fwhm: spec.fwhm }, &placed);
            let det = Detector {
                readnoise: spec.readnoise,
                full_well: spec.full_well,
                bleed: spec.bleed,
                noise: cfg.noise,
                cr_rate: if spec.cosmic_rays && cfg.cosmic_rays { 2.5e-6 } else { 0.0 },
                exptime: e.exptime,
            };
            let hot_here: Vec<_> = hot[k]
                .iter()
                .filter(|h| h.0 >= region[0] && h.1 >= region[1] && h.0 < region[0] + nx && h.1 < region[1] + ny)
                .map(|h| (h.0 - region[0], h.1 - region[1], h.2))
                .collect();
            let mut img = render::apply_detector(&ideal, &det, &hot_here, cfg.seed, &[ei as u64, chip.ccdchip as u64]);
            if spec.count_rate {
                img.sci.mapv_inplace(|v| v / e.exptime as f32);
                img.err.mapv_inplace(|v| v / e.exptime as f32);
            }
            info!("{} chip {}: {} sources, {} cosmic rays", e.root, chip.ccdchip, placed.len(), img.n_cosmic_rays);
            chip_done(ei * spec.chips.len() + k + 1, exposures.len() * spec.chips.len());
            let c = Celestial::from_header(th, ' ').map_err(|x| Error::Invalid(x.to_string()))?;
            chips_json.push(json!({
                "extver": chip.extver, "ccdchip": chip.ccdchip, "naxis": [nx, ny],
                "ltv": ltv(region, chip),
                "crpix": c.crpix, "crval": c.crval, "cd": c.cd, "sip": sip_json(th),
                "header_crval": opus_hdr[k].crval,
                "n_cosmic_rays": img.n_cosmic_rays,
            }));
            chips_out.push((img, region));
        }
        // FLT (and FLC).
        let kinds: &[&str] = if spec.has_flc { &["flt", "flc"] } else { &["flt"] };
        for kind in kinds {
            let filename = format!("{}_{kind}.fits", e.root);
            let path = out.join(&filename);
            let mut p = primary_header(&spec, cfg, e, &asn, &ref_keywords, &filename);
            if *kind == "flt" && spec.has_flc {
                p.set("PCTECORR", "OMIT");
            }
            let mut w = FitsWriter::create(&path)?;
            w.primary(&p)?;
            for (k, chip) in spec.chips.iter().enumerate() {
                let (img, region) = &chips_out[k];
                let ngood = img.dq.iter().filter(|&&d| d == 0).count() as i64;
                let hdr = |name: &str, bunit: &str, ng| {
                    let mut h = ext_header(&spec, cfg, chip, name, bunit, &opus_hdr[k], *region, ng);
                    h.set("ROOTNAME", e.root.as_str());
                    h.set("EXPNAME", e.root.as_str());
                    h
                };
                w.image::<f32>(&hdr("SCI", spec.bunit, Some(ngood)), img.sci.view())?;
                w.image::<f32>(&hdr("ERR", spec.bunit, None), img.err.view())?;
                // HST DQ arrays are BITPIX 16 without BZERO (int16), as drizzlepac expects.
                w.image::<i16>(&hdr("DQ", "UNITLESS", None), img.dq.mapv(|d| d as i16).view())?;
                if spec.detector == "IR" {
                    let samp = Array2::<i16>::from_elem(img.sci.dim(), 13);
                    let time = Array2::<f32>::from_elem(img.sci.dim(), e.exptime as f32);
                    w.image::<i16>(&hdr("SAMP", "UNITLESS", None), samp.view())?;
                    w.image::<f32>(&hdr("TIME", "SECONDS", None), time.view())?;
                }
            }
            w.finish()?;
            files.push(path);
        }
        // RAW: the primary header is what the pipeline reads (DRIZCORR).
        let raw = out.join(format!("{}_raw.fits", e.root));
        let mut p = primary_header(&spec, cfg, e, &asn, &ref_keywords, &format!("{}_raw.fits", e.root));
        p.set("NEXTEND", 0i64);
        p.set("FILETYPE", "SCI");
        let mut w = FitsWriter::create(&raw)?;
        w.primary(&p)?;
        w.finish()?;
        files.push(raw);
        // Cosmic-ray truth mask.
        if spec.cosmic_rays && cfg.cosmic_rays {
            let path = truth_dir.join(format!("{}_crmask.fits", e.root));
            let mut w = FitsWriter::create(&path)?;
            let mut p = Header::new();
            p.append(Card::new("ROOTNAME", e.root.as_str(), ""));
            p.append(Card::commentary("COMMENT", "1 = pixel hit by a simulated cosmic ray"));
            w.primary(&p)?;
            for (k, chip) in spec.chips.iter().enumerate() {
                let mut h = Header::new();
                h.append(Card::new("EXTNAME", "CRMASK", ""));
                h.append(Card::new("EXTVER", chip.extver, ""));
                h.append(Card::new("CCDCHIP", chip.ccdchip, ""));
                w.image::<u8>(&h, chips_out[k].0.crmask.view())?;
            }
            w.finish()?;
            files.push(path);
        }
        ejson.push(json!({
            "rootname": e.root, "true_wcs_file": format!("truth/{}_truewcs.fits", e.root), "exptime": e.exptime, "expstart": e.expstart, "postarg": e.postarg,
            "true_pointing": {"ra": e.truth.ra, "dec": e.truth.dec, "pa_v3": e.truth.pa_v3},
            "header_pointing": {"ra": e.header.ra, "dec": e.header.dec, "pa_v3": e.header.pa_v3},
            "chips": chips_json,
        }));
    }

    // ASN.
    let asn_path = out.join(format!("{asn}_asn.fits"));
    let mut members: Vec<AsnMember> = exposures
        .iter()
        .map(|e| AsnMember { name: e.root.to_uppercase(), kind: "EXP-DTH".into(), present: true })
        .collect();
    members.push(AsnMember { name: asn.to_uppercase(), kind: "PROD-DTH".into(), present: true });
    let mut p = Header::new();
    for (k, v) in [
        ("FILENAME", format!("{asn}_asn.fits")),
        ("FILETYPE", "ASN_TABLE".into()),
        ("TELESCOP", "HST".into()),
        ("INSTRUME", spec.instrume.into()),
        ("DETECTOR", spec.detector.into()),
        ("ROOTNAME", asn.clone()),
        ("ASN_ID", asn.to_uppercase()),
        ("ASN_TAB", format!("{asn}_asn.fits")),
        ("TARGNAME", "SIMFIELD".into()),
    ] {
        p.append(Card::new(k, v.as_str(), ""));
    }
    for (k, v) in &spec.filters {
        p.append(Card::new(k, *v, ""));
    }
    p.append(Card::new("RA_TARG", cfg.ra, ""));
    p.append(Card::new("DEC_TARG", cfg.dec, ""));
    p.append(Card::new("DRIZCORR", "PERFORM", ""));
    let mut w = FitsWriter::create(&asn_path)?;
    w.primary(&p)?;
    let mut th = Header::new();
    th.append(Card::new("EXTNAME", "ASN", ""));
    th.append(Card::new("EXTVER", 1i64, ""));
    w.table(&th, &asn_columns(&members))?;
    w.finish()?;
    files.push(asn_path.clone());

    // Truth files.
    let write = |name: &str, text: String| -> Result<PathBuf> {
        let p = out.join(name);
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
        Ok(p)
    };
    files.push(write("truth_sources.csv", scene::truth_csv(&sources))?);
    files.push(write("gaia_catalog.csv", scene::gaia_csv(&sources, epoch, 21.0))?);
    let truth = json!({
        "generator": "driz simulate",
        "instrument": spec.instrument.name(), "seed": cfg.seed, "small": cfg.small,
        "asn": format!("{asn}_asn.fits"), "epoch": epoch,
        "header_error": {"shift_arcsec": cfg.shift_error, "shift_angle_deg": err_angle, "roll_deg": cfg.roll_error},
        "psf_fwhm_pixels": spec.fwhm, "zeropoint": spec.zeropoint, "bunit": spec.bunit,
        "reference_files": {"dir": "ref", "prefix": spec.prefix, "idctab": names.idctab, "d2imfile": names.d2imfile,
            "npolfile": names.npolfile, "mdriztab": names.mdriztab},
        "exposures": ejson,
    });
    files.push(write("truth.json", serde_json::to_string_pretty(&truth).expect("json") + "\n")?);
    let seconds = t0.elapsed().as_secs_f64();
    info!("{} files in {:.2} s", files.len(), seconds);
    Ok(Summary {
        out: out.to_path_buf(),
        asn: asn_path,
        rootnames: exposures.iter().map(|e| e.root.clone()).collect(),
        files,
        n_sources: sources.len(),
        seconds,
    })
}

/// A source's counts rate and pixel position on a chip through a WCS (for tests).
pub fn project(wcs: &HstWcs, s: &Source) -> Option<(f64, f64)> {
    wcs.world2pix(s.ra, s.dec).ok()
}
