//! runastrodriz's quality statistics (drizzlepac `haputils.quality_analysis.run_all`, run
//! when PIPELINE_QUALITY_TESTING is on and DRIZCORR=PERFORM): the relative alignment
//! residuals between the calibrated exposures (`<root>_cal_qa_astrometry_resids.json`)
//! and the residuals of the selected a posteriori fit to the reference catalog
//! (`<root>_cal_qa_gaia_fit_resids.json`).
//!
//! Reference quirks kept on purpose:
//! * the "any fit succeeded" test of the relative residuals reads `'-FIT' in wcsname` with
//!   `wcsname` left over from the loop that read the files' WCSNAMEs: the last file's
//!   WCSNAME decides for all;
//! * per exposure only its last chip's results survive (the per-group entry is reset for
//!   every chip, and the selected fit's entries are overwritten chip after chip); the
//!   relative residuals select the matched pairs by a group-catalog index below the chip's
//!   own source count;
//! * the absolute-fit file describes every pair of the fit (for the relative method: the
//!   pairs of all exposures), with the relative file's description and column notes.
//!
//! Differences: drizzlepac's retry without the 2-D histogram starts from WCSs the failed
//! first attempt may already have corrected; here it starts from the files' WCSs. Without
//! an a posteriori alignment table drizzlepac extracts point sources itself
//! (`extract_point_sources`), which is not ported: no relative residuals then.

use crate::diagnostic::{Json, JsonTimestamp, dict_item, header_sections, table_item};
use crate::error::{AlignError, Result};
use driz_fits::Fits;
use driz_header::Header;
use driz_tweak::{
    AlignOptions, ChipCatalog, ChipFit, CoincidentSources, FitGeom, FitStatus, MatchParams, RefCatalog, align_wcs,
};
use driz_tweak::{det_to_world, world_to_tanp};
use driz_wcs::HstWcs;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// Sources found on one chip (0-based pixel positions), as drizzlepac keeps them in
/// `AlignmentTable.extracted_sources`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChipSources {
    pub extver: i64,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// One exposure's sources; `name` is the file name as perform_align was given it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureSources {
    pub name: String,
    pub chips: Vec<ChipSources>,
}

/// One chip of the selected a posteriori fit (an item of `AlignmentTable.selected_fit`):
/// its fit as tweakwcs reported it, with the corrected WCS in `fit.new_wcs`.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedChip {
    pub name: String,
    pub extver: i64,
    pub fit: ChipFit,
}

/// The fit perform_align kept and the reference catalog it was made against.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectedFit {
    pub catalog: String,
    pub chips: Vec<SelectedChip>,
    pub reference: RefCatalog,
}

/// What the quality analysis reads from the a posteriori alignment (drizzlepac's
/// `AlignmentTable`, runastrodriz's `aposteriori_table`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QaCatalogs {
    pub extracted_sources: Vec<ExposureSources>,
    pub selected_fit: Option<SelectedFit>,
}

/// One chip prepared for the relative residuals (`astrometric_utils.build_wcscat`).
#[derive(Debug, Clone)]
pub struct QaChip {
    pub extver: i64,
    pub wcs: HstWcs,
    /// `[NAXIS1, NAXIS2]`.
    pub naxis: [usize; 2],
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// One calibrated exposure as the relative residuals read it.
#[derive(Debug, Clone)]
pub struct QaExposure {
    /// File name (the JSON file is named after its part before the first `_`).
    pub name: String,
    pub primary: Header,
    /// WCSNAME of `('SCI', 1)`; `None` when the keyword is missing.
    pub wcsname: Option<String>,
    pub chips: Vec<QaChip>,
}

impl QaExposure {
    /// Read `path` (its SCI extensions 1..n) and attach `sources` to the chips; a chip
    /// without a catalog entry is an error, an exposure without any gets empty catalogs.
    pub fn load(path: &Path, sources: &ExposureSources) -> Result<QaExposure> {
        let mut fits = Fits::open(path)?;
        let primary = fits.primary_header().clone();
        let nsci = fits.hdus().iter().filter(|h| h.extname == "SCI").count() as i64;
        let mut chips = Vec::new();
        let mut wcsname = None;
        for extver in 1..=nsci {
            let index =
                fits.position("SCI", extver).ok_or_else(|| AlignError::file(path, format!("no SCI,{extver}")))?;
            let header = &fits.hdu(index).header;
            if extver == 1 {
                wcsname = header.get_str("WCSNAME").ok().flatten().map(|s| s.trim().to_string());
            }
            let naxis = [
                header.get_i64("NAXIS1").ok().flatten().unwrap_or(0).max(0) as usize,
                header.get_i64("NAXIS2").ok().flatten().unwrap_or(0).max(0) as usize,
            ];
            let wcs = fits.wcs(index, ' ')?;
            let (x, y) = if sources.chips.is_empty() {
                (Vec::new(), Vec::new())
            } else {
                let c = sources.chips.iter().find(|c| c.extver == extver).ok_or_else(|| {
                    AlignError::file(path, format!("no source catalog for chip {extver} (KeyError: {extver})"))
                })?;
                (c.x.clone(), c.y.clone())
            };
            chips.push(QaChip { extver, wcs, naxis, x, y });
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(QaExposure { name, primary, wcsname, chips })
    }
}

/// Residuals of one exposure, ready for its JSON file: the `fit_results` entries in the
/// reference's key order (`group_id` already dropped) and the matched-source columns.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageResiduals {
    pub image: String,
    pub fit_results: Vec<(String, Json)>,
    pub sources: Vec<(String, Vec<f64>)>,
}

impl ImageResiduals {
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.fit_results.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

fn mean(a: &[f64]) -> f64 {
    driz_detect::pairwise_sum_f64(a) / a.len() as f64
}

fn median(a: &[f64]) -> f64 {
    let n = a.len();
    if n == 0 {
        return f64::NAN;
    }
    let mut work = a.to_vec();
    work.sort_by(f64::total_cmp);
    if n % 2 == 1 { work[n / 2] } else { (work[n / 2 - 1] + work[n / 2]) / 2.0 }
}

fn std(a: &[f64]) -> f64 {
    let m = mean(a);
    let squares: Vec<f64> = a.iter().map(|&v| (v - m) * (v - m)).collect();
    (driz_detect::pairwise_sum_f64(&squares) / a.len() as f64).sqrt()
}

/// `astropy.stats.sigma_clipped_stats(data)[2]`: 3σ around the median, at most 5 passes,
/// population standard deviation of what is left (NaN when nothing is).
pub fn sigma_clipped_std(data: &[f64]) -> f64 {
    let mut kept: Vec<f64> = data.iter().copied().filter(|v| v.is_finite()).collect();
    for _ in 0..5 {
        if kept.is_empty() {
            break;
        }
        let before = kept.len();
        let (centre, spread) = (median(&kept), std(&kept));
        let (lo, hi) = (centre - 3.0 * spread, centre + 3.0 * spread);
        kept.retain(|&v| v >= lo && v <= hi);
        if kept.len() == before {
            break;
        }
    }
    if kept.is_empty() { f64::NAN } else { std(&kept) }
}

fn options(use2dhist: bool) -> AlignOptions {
    AlignOptions {
        match_params: MatchParams {
            searchrad: 5.0,
            separation: 4.0,
            tolerance: 1.0,
            use2dhist,
            ..MatchParams::default()
        },
        minobj: 6,
        fitgeom: FitGeom::General,
        nclip: 3,
        sigma: 3.0,
        expand_refcat: false,
        coincident: CoincidentSources::FirstInOrder,
    }
}

fn pair(v: [f64; 2]) -> Json {
    Json::floats(&v)
}

/// `quality_analysis.determine_alignment_residuals` on prepared exposures: every chip's
/// group is its exposure, the first exposure the reference, aligned with tweakwcs
/// defaults (`general`, 3 clipping passes) and XYXYMatch(searchrad=5, separation=4,
/// tolerance=1). `Ok(empty)` when the reference returns no file; `Err` where it raises.
pub fn determine_alignment_residuals(exposures: &[QaExposure]) -> Result<Vec<ImageResiduals>> {
    let counts: Vec<usize> = exposures.iter().map(|e| e.chips.iter().map(|c| c.x.len()).sum()).collect();
    if counts.iter().copied().max().is_none_or(|m| m <= 3) {
        warn!("Not enough sources identified in input images for comparison");
        return Ok(Vec::new());
    }
    let mut chips = Vec::new();
    let mut owner = Vec::new();
    for (i, e) in exposures.iter().enumerate() {
        for c in &e.chips {
            chips.push(ChipCatalog {
                wcs: c.wcs.clone(),
                naxis: c.naxis,
                x: c.x.clone(),
                y: c.y.clone(),
                group_id: i,
                name: format!("{}[SCI,{}]", e.name, c.extver),
            });
            owner.push(i);
        }
    }
    let fits = match align_wcs(&chips, None, &options(true)) {
        Ok((fits, _)) => fits,
        Err(_) => match align_wcs(&chips, None, &options(false)) {
            Ok((fits, _)) => fits,
            Err(_) => {
                warn!("Problem encountered during matching of sources");
                return Ok(Vec::new());
            }
        },
    };
    for (fit, chip) in fits.iter().zip(&chips) {
        if let FitStatus::Failed(why) = &fit.status {
            info!("{}: {}", chip.name, FitStatus::Failed(why.clone()).as_tweakwcs());
        }
    }

    // The reference reads every file's WCSNAME; a missing one raises.
    let mut wcsname = String::new();
    for e in exposures {
        wcsname =
            e.wcsname.clone().ok_or_else(|| AlignError::Fit(format!("{}: keyword 'WCSNAME' not found", e.name)))?;
    }
    let success = fits.iter().any(|f| f.status == FitStatus::Success) && wcsname.contains("-FIT");
    if !success {
        return Ok(Vec::new());
    }
    extract_residuals(exposures, &chips, &owner, &fits)
}

/// `quality_analysis.extract_residuals` for the relative fit.
fn extract_residuals(
    exposures: &[QaExposure],
    chips: &[ChipCatalog],
    owner: &[usize],
    fits: &[ChipFit],
) -> Result<Vec<ImageResiduals>> {
    let mut out: Vec<ImageResiduals> = Vec::new();
    let mut ref_ra: Vec<f64> = Vec::new();
    let mut ref_dec: Vec<f64> = Vec::new();
    let mut align_ref: Option<String> = None;
    for ((chip, fit), &i) in chips.iter().zip(fits).zip(owner) {
        let name = &exposures[i].name;
        if fit.status == FitStatus::Reference {
            align_ref = Some(name.clone());
            for (&x, &y) in chip.x.iter().zip(&chip.y) {
                let (ra, dec) = det_to_world(&chip.wcs, x, y);
                ref_ra.push(ra);
                ref_dec.push(dec);
            }
            continue;
        }
        if ref_ra.is_empty() {
            return Err(AlignError::Fit("no reference positions for the relative residuals".into()));
        }
        let aligned_to = align_ref.clone().ok_or_else(|| AlignError::Fit("no reference image".into()))?;
        let wcsname = exposures[i].wcsname.clone().unwrap_or_default();
        let mut results = vec![
            ("rms_x".to_string(), Json::Null),
            ("rms_y".into(), Json::Null),
            ("wcsname".into(), Json::Str(wcsname)),
            ("aligned_to".into(), Json::Str(aligned_to)),
        ];
        let mut columns: Vec<(String, Vec<f64>)> =
            ["x", "y", "ref_x", "ref_y"].iter().map(|c| (c.to_string(), Vec::new())).collect();
        match (&fit.status, &fit.fit, &fit.new_wcs) {
            (FitStatus::Success, Some(lf), Some(wcs)) => {
                // Pairs kept by the fit; fit_RA/fit_DEC are already restricted to them.
                let kept: Vec<usize> = (0..fit.matched_input_idx.len()).filter(|&k| lf.fitmask[k]).collect();
                let count = chip.x.len();
                let chip_pairs: Vec<usize> =
                    (0..kept.len()).filter(|&j| fit.matched_input_idx[kept[j]] < count).collect();
                let lin = &wcs.celestial;
                let mut dx = Vec::new();
                let mut dy = Vec::new();
                for &j in &chip_pairs {
                    let (x, y) = world_to_tanp(lin, fit.fit_ra[j], fit.fit_dec[j]);
                    let r = fit.matched_ref_idx[kept[j]];
                    let (rx, ry) = world_to_tanp(lin, ref_ra[r], ref_dec[r]);
                    for (col, v) in columns.iter_mut().zip([x, y, rx, ry]) {
                        col.1.push(v);
                    }
                    dx.push(x - rx);
                    dy.push(y - ry);
                }
                results.extend(fit_entries(lf, fit.nmatches));
                set(&mut results, "rms_x", Json::Float(sigma_clipped_std(&dx)));
                set(&mut results, "rms_y", Json::Float(sigma_clipped_std(&dy)));
            }
            _ => {
                results.extend([
                    ("xsh".to_string(), Json::Null),
                    ("ysh".into(), Json::Null),
                    ("rot".into(), Json::Null),
                    ("scale".into(), Json::Null),
                    ("rot_fit".into(), Json::Null),
                    ("scale_fit".into(), Json::Null),
                    ("nmatches".into(), Json::Int(-1)),
                    ("skew".into(), Json::Null),
                ]);
                set(&mut results, "rms_x", Json::Int(-1));
                set(&mut results, "rms_y", Json::Int(-1));
            }
        }
        let entry = ImageResiduals { image: name.clone(), fit_results: results, sources: columns };
        match out.iter_mut().find(|r| r.image == *name) {
            Some(slot) => *slot = entry,
            None => out.push(entry),
        }
    }
    Ok(out)
}

fn set(results: &mut [(String, Json)], key: &str, value: Json) {
    if let Some(slot) = results.iter_mut().find(|(k, _)| k == key) {
        slot.1 = value;
    }
}

fn fit_entries(lf: &driz_tweak::LinearFit, nmatches: usize) -> Vec<(String, Json)> {
    vec![
        ("xsh".to_string(), Json::Float(lf.shift[0])),
        ("ysh".into(), Json::Float(lf.shift[1])),
        ("rot".into(), Json::Float(lf.mean_rot)),
        ("scale".into(), Json::Float(lf.mean_scale)),
        ("rot_fit".into(), pair(lf.rot)),
        ("scale_fit".into(), pair(lf.scale)),
        ("nmatches".into(), Json::Int(nmatches as i64)),
        ("skew".into(), Json::Float(lf.skew)),
    ]
}

/// `quality_analysis.determine_gaia_residuals`: per exposure (its last chip) the pairs of
/// the selected fit, image and reference positions in the chip's corrected tangent plane.
pub fn determine_gaia_residuals(selected: &SelectedFit) -> Result<Vec<ImageResiduals>> {
    let first = selected.chips.first().ok_or_else(|| AlignError::Fit("the selected fit has no chips".into()))?;
    if !matches!(first.fit.status, FitStatus::Success) {
        return Err(AlignError::Fit(format!("{}: the selected fit has no catalog ('catalog')", first.name)));
    }
    let mut out: Vec<ImageResiduals> = Vec::new();
    for chip in &selected.chips {
        let fit = &chip.fit;
        let (Some(lf), Some(wcs)) = (&fit.fit, &fit.new_wcs) else {
            return Err(AlignError::Fit(format!("{}[SCI,{}]: no fit ('matched_ref_idx')", chip.name, chip.extver)));
        };
        let lin = &wcs.celestial;
        let mut columns: Vec<(String, Vec<f64>)> =
            ["img_x", "img_y", "img_RA", "img_DEC", "ref_x", "ref_y", "ref_RA", "ref_DEC"]
                .iter()
                .map(|c| (c.to_string(), Vec::new()))
                .collect();
        let kept: Vec<usize> = (0..fit.matched_ref_idx.len()).filter(|&k| lf.fitmask[k]).collect();
        let (mut dx, mut dy) = (Vec::new(), Vec::new());
        for (j, &k) in kept.iter().enumerate() {
            let r = fit.matched_ref_idx[k];
            let (gra, gdec) = (
                selected.reference.ra.get(r).copied().unwrap_or(f64::NAN),
                selected.reference.dec.get(r).copied().unwrap_or(f64::NAN),
            );
            let (ira, idec) = (fit.fit_ra[j], fit.fit_dec[j]);
            let (ix, iy) = world_to_tanp(lin, ira, idec);
            let (rx, ry) = world_to_tanp(lin, gra, gdec);
            for (col, v) in columns.iter_mut().zip([ix, iy, ira, idec, rx, ry, gra, gdec]) {
                col.1.push(v);
            }
            dx.push(ix - rx);
            dy.push(iy - ry);
        }
        let mut results =
            vec![("aligned_to".to_string(), Json::str(&selected.catalog)), ("wcsname".into(), Json::str(""))];
        results.extend(fit_entries(lf, fit.nmatches));
        results.push(("rms_x".into(), Json::Float(sigma_clipped_std(&dx))));
        results.push(("rms_y".into(), Json::Float(sigma_clipped_std(&dy))));
        let entry = ImageResiduals { image: chip.name.clone(), fit_results: results, sources: columns };
        match out.iter_mut().find(|r| r.image == chip.name) {
            Some(slot) => *slot = entry,
            None => out.push(entry),
        }
    }
    Ok(out)
}

/// Which of the two analyses a file belongs to (`generate_output_files` arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QaKind {
    Relative,
    Gaia,
}

const DESCRIPTION: &str = concat!(
    "X and Y residuals from ",
    "                                                            ",
    "relative alignment "
);

fn descriptions() -> Json {
    let items = [
        ("aligned_to", "Reference image for relative alignment"),
        ("rms_x", "RMS in X for fit"),
        ("rms_y", "RMS in Y for fit"),
        ("xsh", "X offset from fit"),
        ("ysh", "Y offset from fit"),
        ("rot", "Average Rotation from fit"),
        ("scale", "Average Scale change from fit"),
        ("rot_fit", "Rotation of each axis from fit"),
        ("scale_fit", "Scale of each axis from fit"),
        ("nmatches", "Number of matched sources used in fit"),
        ("skew", "Skew between axes from fit"),
        ("wcsname", "WCSNAME for image"),
    ];
    Json::object(items.map(|(k, v)| (k, Json::str(v))))
}

fn units() -> Json {
    let items = [
        ("aligned_to", "unitless"),
        ("rms_x", "pixels"),
        ("rms_y", "pixels"),
        ("xsh", "pixels"),
        ("ysh", "pixels"),
        ("rot", "degrees"),
        ("scale", "unitless"),
        ("rot_fit", "degrees"),
        ("scale_fit", "unitless"),
        ("nmatches", "unitless"),
        ("skew", "unitless"),
        ("wcsname", "unitless"),
    ];
    Json::object(items.map(|(k, v)| (k, Json::str(v))))
}

fn source_notes() -> (Json, Json) {
    let d = [
        ("x", "X position from source image on tangent plane"),
        ("y", "Y position from source image on tangent plane"),
        ("ref_x", "X position from ref image on tangent plane"),
        ("ref_y", "Y position from ref image on tangent plane"),
    ];
    let u = [("x", "pixels"), ("y", "pixels"), ("ref_x", "pixels"), ("ref_y", "pixels")];
    (Json::object(d.map(|(k, v)| (k, Json::str(v)))), Json::object(u.map(|(k, v)| (k, Json::str(v)))))
}

/// The JSON file name of `image` (`<part before the first '_'>_cal_qa_<kind>.json`).
pub fn json_file_name(image: &str, kind: QaKind) -> String {
    let root = image.split('_').next().unwrap_or(image);
    let tail = match kind {
        QaKind::Relative => "astrometry_resids",
        QaKind::Gaia => "gaia_fit_resids",
    };
    format!("{root}_cal_qa_{tail}.json")
}

/// The complete document `generate_output_files` writes for one exposure; `primary` is
/// the exposure's primary header, `catalog` the reference catalog name (absolute fit).
pub fn diagnostic_document(
    residuals: &ImageResiduals,
    primary: &Header,
    kind: QaKind,
    catalog: &str,
    timestamp: &JsonTimestamp,
) -> Result<Json> {
    let (calling, section, section_description, resids_name) = match kind {
        QaKind::Relative => (
            "determine_alignment_residuals",
            "fit_results",
            "Fit results for relative alignment of input exposures".to_string(),
            "residuals",
        ),
        QaKind::Gaia => (
            "determine_gaia_residuals",
            "gaia_fit_results",
            format!("Fit results for absolute alignment of input exposures to {catalog}"),
            "gaia_fit_residuals",
        ),
    };
    let mut doc = header_sections(primary, &format!("quality_analysis.{calling}"), DESCRIPTION, timestamp)
        .map_err(|e| AlignError::Fit(format!("{}: {e}", residuals.image)))?;
    let (col_descriptions, col_units) = source_notes();
    let data = Json::object([
        (
            section,
            dict_item(&section_description, Json::Object(residuals.fit_results.clone()), descriptions(), units()),
        ),
        (
            resids_name,
            table_item(
                "Matched source positions from input exposures",
                &residuals.sources,
                col_descriptions,
                col_units,
            ),
        ),
    ]);
    doc.push(("data".into(), data));
    Ok(Json::Object(doc))
}

/// A name not yet taken in `dir`: `HapDiagnostic.write_json_file` never overwrites and
/// adds `_XXXX` (4 random upper-case letters or digits) instead.
fn unused_name(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    if !path.exists() {
        return path;
    }
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id());
    loop {
        let mut tag = String::new();
        for _ in 0..4 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            tag.push(ALPHABET[((seed >> 33) % ALPHABET.len() as u64) as usize] as char);
        }
        let candidate = dir.join(name.replace(".json", &format!("_{tag}.json")));
        if !candidate.exists() {
            return candidate;
        }
    }
}

/// Write `doc` as `dir/name` (temporary file then rename).
fn write_json(dir: &Path, name: &str, doc: &Json) -> Result<PathBuf> {
    let path = unused_name(dir, name);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, doc.to_python_json()).map_err(|e| AlignError::file(&tmp, e.to_string()))?;
    std::fs::rename(&tmp, &path).map_err(|e| AlignError::file(&path, e.to_string()))?;
    info!("Wrote json file {}", path.display());
    Ok(path)
}

/// `generate_output_files`: one file per exposure, named after it, in `dir`; the headers
/// come from `dir/<image>`. Returns the nominal file names (the reference reports these
/// even when a name was taken and a suffixed one written) with the files written.
pub fn write_output_files(
    residuals: &[ImageResiduals],
    kind: QaKind,
    catalog: &str,
    dir: &Path,
    timestamp: &JsonTimestamp,
) -> Result<Vec<(String, PathBuf)>> {
    let mut names = Vec::new();
    for r in residuals {
        let image = dir.join(&r.image);
        if !image.exists() {
            return Err(AlignError::Fit(format!("Invalid input. File {} does not exist.", r.image)));
        }
        let primary = Fits::open(&image)?.primary_header().clone();
        let doc = diagnostic_document(r, &primary, kind, catalog, timestamp)?;
        warn!("Problem encountered getting git revision ID");
        let name = json_file_name(&r.image, kind);
        let path = write_json(dir, &name, &doc)?;
        info!("Generated relative astrometric residuals for {} as:\n    {name}.", r.image);
        names.push((name, path));
    }
    Ok(names)
}

/// Python's `repr` of a list of strings.
fn python_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// runastrodriz's final `quality_analysis.run_all(input, calfiles, catalogs=aposteriori_table)`:
/// `cal_files` are the FLCs when there are any, else the FLTs (paths in `out_dir`, where
/// the JSON files go); `aposteriori` is the a posteriori alignment's table when every
/// exposure was aligned, else `None`. Never fails: problems are logged as the reference
/// logs them. Returns the files written.
pub fn run_quality_analysis(
    input: &str,
    cal_files: &[PathBuf],
    aposteriori: Option<&QaCatalogs>,
    out_dir: &Path,
) -> Vec<PathBuf> {
    run_quality_analysis_at(input, cal_files, aposteriori, out_dir, &JsonTimestamp::now())
}

/// [`run_quality_analysis`] with a given time stamp (reproducible files).
pub fn run_quality_analysis_at(
    input: &str,
    cal_files: &[PathBuf],
    aposteriori: Option<&QaCatalogs>,
    out_dir: &Path,
    timestamp: &JsonTimestamp,
) -> Vec<PathBuf> {
    let _ = input; // Named in the reference's signature; the file names come from the exposures.
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    let relative = (|| -> Result<Vec<(String, PathBuf)>> {
        let Some(tables) = aposteriori else {
            warn!(
                "Quality analysis without an a posteriori alignment table needs drizzlepac's point-source \
                 extraction, which driz does not implement: no relative alignment residuals"
            );
            return Ok(Vec::new());
        };
        let mut exposures = Vec::new();
        for f in cal_files {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(sources) = tables.extracted_sources.iter().find(|s| s.name == name) {
                exposures.push(QaExposure::load(f, sources)?);
            }
        }
        let residuals = determine_alignment_residuals(&exposures)?;
        write_output_files(&residuals, QaKind::Relative, "", out_dir, timestamp)
    })();
    match relative {
        Ok(n) => names.extend(n),
        Err(e) => {
            warn!("Alignment residuals determination encountered a problem.");
            warn!("{e}");
            warn!("Continuing to next test...");
        }
    }
    if let Some(tables) = aposteriori {
        let gaia = (|| -> Result<Vec<(String, PathBuf)>> {
            let selected = tables.selected_fit.as_ref().ok_or_else(|| {
                AlignError::Fit("no fit was selected ('NoneType' object is not subscriptable)".into())
            })?;
            let residuals = determine_gaia_residuals(selected)?;
            write_output_files(&residuals, QaKind::Gaia, &selected.catalog, out_dir, timestamp)
        })();
        match gaia {
            Ok(n) => names.extend(n),
            Err(e) => {
                warn!("GAIA residuals determination encountered a problem.");
                warn!("{e}");
                warn!("Continuing to next test...");
            }
        }
    }
    if names.is_empty() {
        info!("No quality statistics were generated");
    } else {
        let nominal: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
        info!("Generated quality statistics as {}", python_list(&nominal));
    }
    names.into_iter().map(|(_, path)| path).collect()
}
