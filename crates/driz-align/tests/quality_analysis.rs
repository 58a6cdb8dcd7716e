//! runastrodriz's quality-analysis JSON files against drizzlepac 3.11's own
//! (testdata/qa, made by testdata/scripts/make_qa_fixtures.py): fed the sources, headers and
//! fit drizzlepac used, the port must write the same documents line for line — identical
//! text except numbers computed through the WCS and the fit: to 1e-8 (pixels, degrees; plus
//! 1e-12 relative) where the fit is drizzlepac's, to 3e-5 pixel where driz-tweak refits
//! (its WCS correction linearises the distortion-free map, tweakwcs's the full one, inverted
//! to 1e-6 pixel).

use driz_align::quality_analysis::{
    ExposureSources, QaChip, QaExposure, QaKind, SelectedChip, SelectedFit, determine_alignment_residuals,
    determine_gaia_residuals, diagnostic_document, json_file_name, run_quality_analysis_at,
};
use driz_align::{Json, JsonTimestamp};
use driz_header::Header;
use driz_tweak::{ChipFit, FitGeom, FitStatus, LinearFit, RefCatalog};
use driz_wcs::{Celestial, HstWcs, LookupTable, TableKind, WcsError};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn qa_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/qa").join(case)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The time stamp the fixture script wrote in place of the run's.
fn timestamp() -> JsonTimestamp {
    JsonTimestamp { local: "01/02/2024T03:04:05".into(), seconds_since_epoch: 1704164645.25 }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn pair(v: &Value) -> [f64; 2] {
    let f = floats(v);
    [f[0], f[1]]
}

fn header(v: &Value) -> Header {
    let cards: Vec<&str> = v.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    Header::from_card_images(cards).unwrap()
}

/// The chip WCS from its header and the recorded distortion tables.
fn chip_wcs(sci: &Header, tables: &Value) -> HstWcs {
    let mut fetch = |kind: TableKind, extver: i64| -> Result<LookupTable, WcsError> {
        let name = match kind {
            TableKind::D2im => "D2IMARR",
            TableKind::Npol => "WCSDVARR",
        };
        let t = tables
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["extname"] == name && t["extver"].as_i64() == Some(extver))
            .ok_or_else(|| WcsError::BadTable(format!("{name} {extver} not recorded")))?;
        let naxis = [t["naxis"][0].as_u64().unwrap() as usize, t["naxis"][1].as_u64().unwrap() as usize];
        let data: Vec<f32> = floats(&t["data"]).into_iter().map(|v| v as f32).collect();
        LookupTable::new(&header(&t["header"]), naxis, data)
    };
    HstWcs::from_header(sci, ' ', &mut fetch).unwrap()
}

fn exposures(inputs: &Value) -> Vec<(QaExposure, Header)> {
    inputs["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let primary = header(&e["primary"]);
            let mut wcsname = None;
            let chips = e["chips"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let sci = header(&c["header"]);
                    let extver = c["extver"].as_i64().unwrap();
                    if extver == 1 {
                        wcsname = sci.get_str("WCSNAME").unwrap().map(|s| s.trim().to_string());
                    }
                    let naxis = [
                        sci.get_i64("NAXIS1").unwrap().unwrap() as usize,
                        sci.get_i64("NAXIS2").unwrap().unwrap() as usize,
                    ];
                    QaChip {
                        extver,
                        wcs: chip_wcs(&sci, &inputs["tables"]),
                        naxis,
                        x: floats(&c["x"]),
                        y: floats(&c["y"]),
                    }
                })
                .collect();
            let name = e["name"].as_str().unwrap().to_string();
            (QaExposure { name, primary: primary.clone(), wcsname, chips }, primary)
        })
        .collect()
}

fn is_number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|_| !s.is_empty() && !s.starts_with('"'))
}

/// Line-by-line comparison of two `json.dump(indent=4)` texts: same lines, except numbers
/// that may differ by `tol` + 1e-12·|value|.
fn assert_same_document(ours: &str, reference: &str, what: &str, tol: f64) {
    let a: Vec<&str> = ours.lines().collect();
    let b: Vec<&str> = reference.lines().collect();
    assert_eq!(a.len(), b.len(), "{what}: {} lines, reference {}", a.len(), b.len());
    let mut worst = 0.0f64;
    for (k, (x, y)) in a.iter().zip(&b).enumerate() {
        if x == y {
            continue;
        }
        let split = |s: &str| -> (String, String) {
            let s = s.trim_end_matches(',');
            match s.rfind(": ") {
                Some(i) => (s[..i + 2].to_string(), s[i + 2..].to_string()),
                None => (String::new(), s.trim().to_string()),
            }
        };
        let ((kx, vx), (ky, vy)) = (split(x), split(y));
        assert_eq!(kx, ky, "{what} line {}: {x} vs {y}", k + 1);
        assert_eq!(x.ends_with(','), y.ends_with(','), "{what} line {}", k + 1);
        match (is_number(&vx), is_number(&vy)) {
            (Some(p), Some(q)) => {
                let diff = (p - q).abs();
                worst = worst.max(diff);
                assert!(diff <= tol + 1e-12 * q.abs(), "{what} line {}: {p} vs reference {q}", k + 1);
            }
            _ => panic!("{what} line {}: {x} vs reference {y}", k + 1),
        }
    }
    eprintln!("{what}: largest number difference {worst:.2e}");
}

fn reference_text(case: &str, name: &str) -> String {
    std::fs::read_to_string(qa_dir(case).join(name)).unwrap()
}

#[test]
fn relative_residuals_of_two_chip_exposures_match_drizzlepac() {
    let inputs = read_json(&qa_dir("acs4s").join("inputs.json"));
    let exps = exposures(&inputs);
    let list: Vec<QaExposure> = exps.iter().map(|(e, _)| e.clone()).collect();
    let residuals = determine_alignment_residuals(&list).unwrap();
    let names: Vec<String> = residuals.iter().map(|r| json_file_name(&r.image, QaKind::Relative)).collect();
    let mut expected: Vec<String> = std::fs::read_dir(qa_dir("acs4s"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_cal_qa_astrometry_resids.json"))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for (r, name) in residuals.iter().zip(&names) {
        let primary = &exps.iter().find(|(e, _)| e.name == r.image).unwrap().1;
        let doc = diagnostic_document(r, primary, QaKind::Relative, "", &timestamp()).unwrap();
        assert_same_document(&doc.to_python_json(), &reference_text("acs4s", name), name, 3e-5);
    }
    // The last file's WCSNAME let the residuals through; each file still reports its own.
    let first = residuals.first().unwrap();
    assert_eq!(first.get("wcsname"), Some(&Json::str(list[1].wcsname.as_deref().unwrap())));
    assert!(!list[1].wcsname.as_deref().unwrap().contains("-FIT"));
}

#[test]
fn relative_residuals_need_a_fit_name_on_the_last_file() {
    let inputs = read_json(&qa_dir("acs4s").join("inputs.json"));
    let mut list: Vec<QaExposure> = exposures(&inputs).into_iter().map(|(e, _)| e).collect();
    let last = list.len() - 1;
    list[last].wcsname = list[0].wcsname.clone();
    assert!(determine_alignment_residuals(&list).unwrap().is_empty());
    // A FIT name on any other file does not help.
    list[0].wcsname = Some("IDC_x-FIT_REL_GAIAeDR3".into());
    assert!(determine_alignment_residuals(&list).unwrap().is_empty());
}

#[test]
fn relative_residuals_of_ir_fail_to_match_as_in_drizzlepac() {
    // Tangent-plane scale below 1: the 2-D histogram is off by a pixel, the tolerance is one
    // pixel, so no exposure gets a fit and drizzlepac writes no astrometry file.
    let inputs = read_json(&qa_dir("ir4").join("inputs.json"));
    let list: Vec<QaExposure> = exposures(&inputs).into_iter().map(|(e, _)| e).collect();
    assert!(list.last().unwrap().wcsname.as_deref().unwrap().contains("-FIT"));
    assert!(determine_alignment_residuals(&list).unwrap().is_empty());
    let written: Vec<_> = std::fs::read_dir(qa_dir("ir4"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("astrometry_resids"))
        .collect();
    assert!(written.is_empty());
}

fn selected_fit(inputs: &Value) -> SelectedFit {
    let reference = RefCatalog { ra: floats(&inputs["reference"]["ra"]), dec: floats(&inputs["reference"]["dec"]) };
    let chips = inputs["selected_fit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["status"], "SUCCESS");
            let w = &c["wcs"];
            let cd = [pair(&w["cd"][0]), pair(&w["cd"][1])];
            let ctype = [w["ctype"][0].as_str().unwrap(), w["ctype"][1].as_str().unwrap()];
            let celestial = Celestial::new(pair(&w["crpix"]), pair(&w["crval"]), cd, ctype).unwrap();
            let fitmask: Vec<bool> = c["fitmask"].as_array().unwrap().iter().map(|b| b.as_bool().unwrap()).collect();
            let idx = |key: &str| -> Vec<usize> {
                c[key].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect()
            };
            let fit = LinearFit {
                fitgeom: FitGeom::RScale,
                matrix: [pair(&c["matrix"][0]), pair(&c["matrix"][1])],
                shift: pair(&c["shift"]),
                center: [0.0, 0.0],
                rot: pair(&c["rot"]),
                mean_rot: c["mean_rot"].as_f64().unwrap(),
                proper_rot: c["mean_rot"].as_f64().unwrap(),
                proper: true,
                scale: pair(&c["scale"]),
                mean_scale: c["mean_scale"].as_f64().unwrap(),
                skew: c["skew"].as_f64().unwrap(),
                rmse: 0.0,
                mae: 0.0,
                fitmask,
                resids: Vec::new(),
                eff_nclip: 1,
            };
            let chip_fit = ChipFit {
                status: FitStatus::Success,
                fit: Some(fit),
                nmatches: c["nmatches"].as_u64().unwrap() as usize,
                matched_ref_idx: idx("matched_ref_idx"),
                matched_input_idx: idx("matched_input_idx"),
                fit_ra: floats(&c["fit_ra"]),
                fit_dec: floats(&c["fit_dec"]),
                ref_ra: Vec::new(),
                ref_dec: Vec::new(),
                new_wcs: Some(HstWcs::undistorted(celestial)),
                tanp_center_pixel_scale: 1.0,
            };
            SelectedChip {
                name: c["name"].as_str().unwrap().into(),
                extver: c["chip"].as_i64().unwrap(),
                fit: chip_fit,
            }
        })
        .collect();
    SelectedFit { catalog: inputs["catalog"].as_str().unwrap().into(), chips, reference }
}

#[test]
fn gaia_fit_residuals_match_drizzlepac() {
    let inputs = read_json(&qa_dir("ir4").join("inputs.json"));
    let selected = selected_fit(&inputs);
    let residuals = determine_gaia_residuals(&selected).unwrap();
    assert_eq!(residuals.len(), 4);
    let exps = exposures(&inputs);
    for r in &residuals {
        let name = json_file_name(&r.image, QaKind::Gaia);
        let primary = &exps.iter().find(|(e, _)| e.name == r.image).unwrap().1;
        let doc = diagnostic_document(r, primary, QaKind::Gaia, &selected.catalog, &timestamp()).unwrap();
        assert_same_document(&doc.to_python_json(), &reference_text("ir4", &name), &name, 1e-8);
    }
}

#[test]
fn quality_analysis_without_inputs_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let none = run_quality_analysis_at("x_asn.fits", &[], None, dir.path(), &timestamp());
    assert!(none.is_empty());
    // A table without a selected fit: the absolute residuals fail, quietly.
    let table = driz_align::quality_analysis::QaCatalogs {
        extracted_sources: vec![ExposureSources { name: "missing_flt.fits".into(), chips: Vec::new() }],
        selected_fit: None,
    };
    let files = [dir.path().join("missing_flt.fits")];
    assert!(run_quality_analysis_at("x_asn.fits", &files, Some(&table), dir.path(), &timestamp()).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
