//! driz updatewcs against the committed stwcs fixtures (testdata/updatewcs, made by
//! testdata/scripts/make_updatewcs_fixtures.py): synthetic WFC3/IR, WFC3/UVIS, ACS/HRC and
//! ACS/SBC inputs with constructed IDCTABs, and the spec's worked example (wcs-alignment.md
//! §8.6).

#![allow(clippy::needless_range_loop)]

mod common;

use driz_fits::Fits;
use driz_updatewcs::model::{self, ChipGeometry, LinearWcs};
use driz_updatewcs::{Options, updatewcs};
use driz_wcs::pix2world_points;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let text =
        std::fs::read_to_string(common::testdata().join("updatewcs").join(format!("{name}_stwcs.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn compare(name: &str, inputs: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    for f in inputs {
        std::fs::copy(common::testdata().join("updatewcs").join(f), dir.path().join(f)).unwrap();
    }
    let flt = dir.path().join(inputs[0]);
    updatewcs(&flt, &Options::default()).unwrap();
    let fx = fixture(name);
    let mut fits = Fits::open(&flt).unwrap();
    assert_eq!(fits.primary_header().get_str("DISTNAME").unwrap(), fx["primary"]["DISTNAME"].as_str());
    assert_eq!(fits.primary_header().get_str("SIPNAME").unwrap(), fx["primary"]["SIPNAME"].as_str());
    for chip in fx["chips"].as_array().unwrap() {
        let extver = chip["extver"].as_i64().unwrap();
        let i = fits.position("SCI", extver).unwrap();
        let h = fits.hdu(i).header.clone();
        assert_eq!(h.get_str("WCSNAME").unwrap(), chip["wcsname"].as_str());
        // Every keyword, CD and CRVAL included, within 1e-10 relative. MakeWCS builds CD by
        // differencing two wcslib p2s results one pixel apart, so one ulp of RA near 150 deg
        // would already be 4e-9 of CD: this holds only because driz follows wcslib's
        // operation order and numpy 2's float32 THETA arithmetic (model.rs); on these
        // fixtures CD and CRVAL come out bit-identical.
        let mut worst = (String::new(), 0.0_f64);
        for (k, v) in chip["keywords"].as_object().unwrap() {
            let Some(t) = v.as_f64() else { continue };
            let ours = h.get_f64(k).unwrap().unwrap_or_else(|| panic!("{name} SCI,{extver}: no {k}"));
            let d = (ours - t).abs();
            let r = if t == 0.0 { d } else { d / t.abs() };
            if r > worst.1 {
                worst = (k.clone(), r);
            }
        }
        let w = fits.wcs(i, ' ').unwrap();
        let pix: Vec<(f64, f64)> = chip["pixels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        let sky: Vec<(f64, f64)> =
            chip["sky"].as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
        let mas = common::max_sep_mas(&pix2world_points(&w, &pix), &sky);
        eprintln!(
            "{name} SCI,{extver}: max {mas:.3e} mas on {} points; worst keyword {} rel {:.2e}",
            pix.len(),
            worst.0,
            worst.1
        );
        assert!(mas <= 0.05, "{name} SCI,{extver}: {mas} mas");
        assert!(worst.1 <= 1e-10, "{name} SCI,{extver}: {worst:?}");
    }
}

#[test]
fn wfc3_ir_agrees_with_stwcs() {
    compare("wfc3ir", &["wfc3ir_flt.fits", "wfc3ir_idc.fits"]);
}

#[test]
fn wfc3_uvis_agrees_with_stwcs() {
    compare("wfc3uvis", &["wfc3uvis_flt.fits", "wfc3uvis_idc.fits"]);
}

/// A WFC3/IR subarray (LTV ≠ 0) whose OPUS CRPIX is off the model reference pixel.
#[test]
fn wfc3_ir_subarray_agrees_with_stwcs() {
    compare("wfc3irsub", &["wfc3irsub_flt.fits", "wfc3ir_idc.fits"]);
}

/// ACS/HRC: one chip, FILTER1/FILTER2 table columns, no THETA column, TDD keywords that
/// only ACS/WFC uses. The F606W row is the real j8bt06nyq geometry (see the script).
#[test]
fn acs_hrc_agrees_with_stwcs() {
    compare("acshrc", &["acshrc_flt.fits", "acshrc_idc.fits"]);
}

/// ACS/SBC: FILTER2 = 'N/A' rows, an INVERSE row before the forward one.
#[test]
fn acs_sbc_agrees_with_stwcs() {
    compare("acssbc", &["acssbc_flt.fits", "acssbc_idc.fits"]);
}

/// ACS/SBC with CLEAR filters: stwcs's SBC rule picks the F115LP / N/A row.
#[test]
fn acs_sbc_clear_filters_agree_with_stwcs() {
    compare("acssbc_clear", &["acssbc_clear_flt.fits", "acssbc_idc.fits"]);
}

/// wcs-alignment.md §8.6: MakeWCS + CompSIP + VACorr from the IDCTAB numbers, no files.
#[test]
fn worked_example_8_6() {
    use driz_updatewcs::idctab::{IdcModel, TddCoeffs};
    let m = |cx10: f64, cx11: f64, cy10: f64, cy11: f64, v2: f64, v3: f64| {
        let mut cx = vec![vec![0.0; 5]; 5];
        let mut cy = cx.clone();
        (cx[1][0], cx[1][1], cy[1][0], cy[1][1]) = (cx10, cx11, cy10, cy11);
        IdcModel {
            order: 4,
            cx,
            cy,
            xref: 2048.0,
            yref: 1024.0,
            xsize: 4096.0,
            ysize: 2048.0,
            v2ref: v2,
            v3ref: v3,
            theta: 0.0,
            pscale: 0.05,
            header_xref: 2048.0,
            header_yref: 1024.0,
            header_v2ref: v2,
            header_v3ref: v3,
            header_theta: 0.0,
            tdd: Some(TddCoeffs::Anderson { date: 2006.798432109, a: vec![0.095, 0.036], b: vec![-0.029, -0.012] }),
            row: 6,
        }
    };
    // Row 6 (chip 2) raw linear terms as float32 widened.
    let mut chip2 = m(
        0.0019588018767535686,
        0.04983136057853699,
        0.05027373135089874,
        0.0014875605702400208,
        256.62222_f32 as f64,
        302.2264_f32 as f64,
    );
    let rday = model::decimal_year("2005-03-07").unwrap();
    let t = model::apply_tdd(&mut chip2, rday);
    let (a, b) = t.alpha_beta.unwrap();
    assert!((a - 0.036761577546226366).abs() < 1e-16 && (b - -0.00958719251540879).abs() < 1e-16);
    let want = [0.0019597134820714375, 0.049831224875959285, 0.05027393143048925, 0.0014884753616636506];
    let got = [chip2.cx[1][0], chip2.cx[1][1], chip2.cy[1][0], chip2.cy[1][1]];
    for (g, w) in got.iter().zip(want) {
        assert!(((g - w) / w).abs() < 1e-14, "{g} vs {w}");
    }
    let opus = LinearWcs {
        crpix: [2048.0, 1024.0],
        crval: [5.63056810618, -72.05457184279],
        cd: [[1.290562563339972E-05, 5.953091234198029E-06], [5.0220581265601E-06, -1.26447741482017E-05]],
    };
    let g = ChipGeometry { opus, model: &chip2, ltv: [0.0, 0.0], chip: 2, zero_point: None };
    let (made, _) = model::make_wcs(&g, &g, 337.125305, [1.0, -1.0]);
    let r = made.reference.cd;
    assert!((r[0][0] - 1.27870453e-05).abs() < 1e-13 && (r[0][1] - 5.42150421e-06).abs() < 1e-13);
    let va = model::va_corr(&made.chip, &made.reference, 1.000018683511);
    let cd = [[1.29055156992758e-05, 5.95250078565221e-06], [5.02263821027651e-06, -1.2644844109546e-05]];
    for i in 0..2 {
        for j in 0..2 {
            assert!((va.cd[i][j] - cd[i][j]).abs() < 1e-13, "CD{}_{}: {} vs {}", i + 1, j + 1, va.cd[i][j], cd[i][j]);
        }
    }
    assert!((va.crval[0] - 5.63056810618).abs() < 1e-11 && (va.crval[1] - -72.05457184278998).abs() < 1e-11);
}
