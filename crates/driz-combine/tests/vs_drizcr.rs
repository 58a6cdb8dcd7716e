//! driz_cr masks and the quick derivative against drizzlepac 3.11.0 (`drizCR._driz_cr` on
//! mocked in-memory image objects, `quickDeriv.qderiv`; fixtures from
//! `testdata/scripts/make_combine_fixtures.py`). Masks must be identical.

mod common;

use common::*;
use driz_combine::{CrChip, CrParams, cr_mask, quick_derivative};

fn pair(text: &serde_json::Value) -> (f64, f64) {
    let v: Vec<f64> = text.as_str().unwrap().split_whitespace().map(|s| s.parse().unwrap()).collect();
    (v[0], v[1])
}

#[test]
fn cr_masks_match_reference() {
    let fixture = fixture("drizcr.json");
    let shape = shape(&fixture["shape"]);
    let mut failures = vec![];
    let runs = fixture["runs"].as_array().unwrap();
    for run in runs {
        let scene = &fixture["scenes"][run["scene"].as_str().unwrap()];
        let sci = array(shape, f32_bits(&scene["sci_bits"]));
        let blot = array(shape, f32_bits(&scene["blot_bits"]));
        let chip = CrChip {
            sci: sci.view(),
            blot: blot.view(),
            conversion: num(&run["conversion"]),
            gain: num(&run["gain"]),
            readnoise: num(&run["readnoise"]),
            subtracted_sky: num(&run["subtracted_sky"]),
            cte_dir: run["cte_dir"].as_i64().unwrap() as i32,
        };
        let (snr1, snr2) = pair(&run["snr"]);
        let (mult1, mult2) = pair(&run["scale"]);
        let params = CrParams {
            snr1,
            snr2,
            mult1,
            mult2,
            grow: run["grow"].as_u64().unwrap() as usize,
            ctegrow: run["ctegrow"].as_u64().unwrap() as usize,
        };
        let got: Vec<bool> = cr_mask(&chip, &params).iter().map(|&v| v == 1).collect();
        let want = mask(&run["crmask"]);
        let differing: Vec<usize> = (0..want.len()).filter(|&i| got[i] != want[i]).collect();
        if !differing.is_empty() {
            let cells: Vec<_> = differing.iter().take(10).map(|i| (i / shape.1, i % shape.1)).collect();
            failures.push(format!("{run}: {} pixels differ, e.g. {cells:?}", differing.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(runs.len() >= 20);
}

#[test]
fn quick_derivative_matches_reference() {
    let fixture = fixture("drizcr.json");
    for case in fixture["qderiv"].as_array().unwrap() {
        let shape = shape(&case["shape"]);
        let a = array(shape, case["a"].as_array().unwrap().iter().map(num).collect());
        let got = quick_derivative(a.view());
        let want = f32_bits(&case["expected_bits"]);
        for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
            assert!(same(g.into(), w.into()), "shape {shape:?} pixel {i}: got {g}, reference {w}");
        }
    }
}
