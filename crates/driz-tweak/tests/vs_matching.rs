//! 2-D histogram offsets and xyxymatch pairs against tweakwcs 0.9.3 / stsci.stimage 0.3.2
//! (testdata/tweak/hist2d.json, xyxymatch.json from make_tweak_fixtures.py).

mod common;
use common::*;
use driz_tweak::{MatchError, MatchParams, estimate_2dhist_shift, xyxy_match, xyxymatch_tolerance};

#[test]
fn hist2d_offsets_match_tweakwcs() {
    let cases = fixture("hist2d.json");
    let mut worst: f64 = 0.0;
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let img = points(&case["img"]);
        let reference = points(&case["ref"]);
        let want = pair(&case["offset"]);
        let got = estimate_2dhist_shift(&img, &reference, f(&case["searchrad"]), f(&case["pscale"])).unwrap();
        for k in 0..2 {
            let d = (got[k] - want[k]).abs();
            worst = worst.max(d);
            assert!(d <= 1e-10, "{name}: got {got:?}, want {want:?}");
        }
    }
    eprintln!("hist2d: max |offset diff| = {worst:e}");
}

#[test]
fn p_below_one_biases_the_offset_by_one_pixel() {
    // The reference quirk, seen in the fixture: same catalogs, p = 1 vs p = 0.99994.
    let cases = fixture("hist2d.json");
    let by_name = |n: &str| cases.as_array().unwrap().iter().find(|c| c["name"] == n).unwrap().clone();
    let (a, b) = (by_name("shift_p1"), by_name("shift_p_lt_1"));
    let (oa, ob) = (pair(&a["offset"]), pair(&b["offset"]));
    assert!((ob[0] - oa[0] - 1.0).abs() < 0.01 && (ob[1] - oa[1] - 1.0).abs() < 0.01, "{oa:?} {ob:?}");
}

#[test]
fn xyxymatch_pairs_match_stimage() {
    let fx = fixture("xyxymatch.json");
    for case in fx["xyxymatch"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = xyxymatch_tolerance(
            &points(&case["img"]),
            &points(&case["ref"]),
            pair(&case["origin"]),
            f(&case["tolerance"]),
            f(&case["separation"]),
        );
        if let Some(err) = case.get("error") {
            let got = got.expect_err(name);
            assert!(matches!(got, MatchError::SourceConfusion(_)), "{name}: {got}");
            assert_eq!(got.to_string(), err.as_str().unwrap(), "{name}");
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let (r, i): (Vec<usize>, Vec<usize>) = got.into_iter().unzip();
        assert_eq!(r, indices(&case["ref_idx"]), "{name}: reference indices");
        assert_eq!(i, indices(&case["input_idx"]), "{name}: input indices");
    }
}

#[test]
fn several_reference_sources_can_share_one_image_source() {
    let fx = fixture("xyxymatch.json");
    let case = fx["xyxymatch"].as_array().unwrap().iter().find(|c| c["name"] == "several_to_one").unwrap();
    let input = indices(&case["input_idx"]);
    let mut unique = input.clone();
    unique.sort();
    unique.dedup();
    assert!(unique.len() < input.len(), "the fixture must exercise the quirk: {input:?}");
}

#[test]
fn xyxy_match_calls_match_tweakwcs() {
    let fx = fixture("xyxymatch.json");
    for case in fx["xyxy_full"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let params = MatchParams {
            searchrad: f(&case["searchrad"]),
            separation: f(&case["separation"]),
            tolerance: f(&case["tolerance"]),
            use2dhist: case["use2dhist"].as_bool().unwrap(),
            xoffset: f(&case["xoffset"]),
            yoffset: f(&case["yoffset"]),
        };
        let m = xyxy_match(&points(&case["ref"]), &points(&case["img"]), &params, f(&case["pscale"])).unwrap();
        assert_eq!(m.ref_idx, indices(&case["ref_idx"]), "{name}");
        assert_eq!(m.img_idx, indices(&case["input_idx"]), "{name}");
    }
}

#[test]
fn bad_parameters_and_empty_catalogs_are_errors() {
    let p = MatchParams::default();
    let pts = [[1.0, 2.0]];
    assert!(xyxy_match(&[], &pts, &p, 1.0).is_err());
    assert!(xyxy_match(&pts, &[], &p, 1.0).is_err());
    assert!(xyxy_match(&pts, &pts, &MatchParams { tolerance: 0.0, ..p }, 1.0).is_err());
    assert!(xyxy_match(&pts, &pts, &MatchParams { searchrad: 1e9, ..p }, 1.0).is_err());
}
