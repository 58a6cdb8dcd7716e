//! The median step's combination against drizzlepac 3.11.0 `minmed.min_med` and
//! stsci.image 2.3.11 `numcombine.num_combine`, called as createMedian calls them (fixtures
//! from `testdata/scripts/make_combine_fixtures.py`). Outputs must be identical.

mod common;

use common::*;
use driz_combine::{CombineParams, CombineType, StackImage, combine, combine_unmasked, weight_mask_threshold};
use ndarray::Array2;

struct Case {
    name: String,
    params: CombineParams,
    sci: Vec<Array2<f32>>,
    wht: Vec<Array2<f32>>,
    bad: Option<Vec<Array2<bool>>>,
    scalars: Vec<(f64, f64, f64)>,
    expected: Vec<f32>,
}

fn load_cases() -> Vec<Case> {
    let fixture = fixture("combine.json");
    fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let shape = shape(&case["shape"]);
            let sci: Vec<Array2<f32>> =
                case["sci_bits"].as_array().unwrap().iter().map(|b| array(shape, f32_bits(b))).collect();
            let n = sci.len();
            let wht = match case["wht_bits"].as_array() {
                Some(w) => w.iter().map(|b| array(shape, f32_bits(b))).collect(),
                None => vec![Array2::zeros(shape); n],
            };
            let bad = case["masks"].as_array().map(|m| m.iter().map(|s| array(shape, mask(s))).collect());
            let list =
                |key: &str| -> Vec<f64> { case[key].as_array().map_or(vec![1.0; n], |v| v.iter().map(num).collect()) };
            let (exptime, readnoise, background) = (list("exptime"), list("readnoise"), list("background"));
            assert_eq!(case["expected_dtype"], "float32");
            Case {
                name: case["name"].as_str().unwrap().to_string(),
                params: CombineParams {
                    kind: case["kind"].as_str().unwrap().parse().unwrap(),
                    nlow: case["nlow"].as_u64().unwrap() as usize,
                    nhigh: case["nhigh"].as_u64().unwrap() as usize,
                    nsigma1: num(&case["nsigma1"]) as f32,
                    nsigma2: num(&case["nsigma2"]) as f32,
                    grow: case["grow"].as_u64().unwrap() as usize,
                },
                sci,
                wht,
                bad,
                scalars: (0..n).map(|i| (exptime[i], readnoise[i], background[i])).collect(),
                expected: f32_bits(&case["expected_bits"]),
            }
        })
        .collect()
}

fn run(case: &Case) -> Array2<f32> {
    let empty = Array2::from_elem((0, 0), false);
    let stack: Vec<StackImage> = (0..case.sci.len())
        .map(|i| StackImage {
            sci: case.sci[i].view(),
            wht: case.wht[i].view(),
            bad: case.bad.as_ref().map_or(empty.view(), |b| b[i].view()),
            exptime: case.scalars[i].0,
            readnoise: case.scalars[i].1,
            background: case.scalars[i].2,
        })
        .collect();
    match case.bad {
        Some(_) => combine(&stack, &case.params),
        None => combine_unmasked(&stack, &case.params),
    }
}

#[test]
fn combine_matches_reference() {
    let cases = load_cases();
    let mut failures = vec![];
    for case in &cases {
        let got = run(case);
        let (rows, cols) = got.dim();
        for (i, (&g, &want)) in got.iter().zip(&case.expected).enumerate() {
            if !same(g.into(), want.into()) {
                failures.push(format!("{} ({}, {}): got {g:?}, reference {want:?}", case.name, i / cols, i % cols));
            }
        }
        assert_eq!(rows * cols, case.expected.len(), "{}", case.name);
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    let kinds: Vec<CombineType> = cases.iter().map(|c| c.params.kind).collect();
    for kind in ["median", "imedian", "mean", "imean", "iaverage", "minmed", "iminmed"] {
        assert!(kinds.contains(&kind.parse().unwrap()), "no fixture for {kind}");
    }
}

#[test]
fn spec_12_3_example() {
    let cases = load_cases();
    let case = cases.iter().find(|c| c.name == "spec_12_3_grow1").unwrap();
    let got = run(case);
    let mut want = Array2::from_elem((5, 5), 0.995f32);
    want[[0, 0]] = 1.0;
    want[[1, 3]] = 1.005;
    want[[4, 4]] = -5.0;
    assert_eq!(got, want);
}

#[test]
fn weight_thresholds_match_create_median() {
    let fixture = fixture("combine.json");
    for entry in fixture["weight_thresholds"].as_array().unwrap() {
        for (wht, want) in entry["wht_bits"].as_array().unwrap().iter().zip(entry["threshold"].as_array().unwrap()) {
            assert_eq!(weight_mask_threshold(&f32_bits(wht), 0.3), num(want));
        }
    }
}

#[test]
fn rejection_of_all_pixels_is_reported() {
    let minmed = CombineParams::default();
    assert!(minmed.rejects_all_pixels(1) && !minmed.rejects_all_pixels(2));
    let median = CombineParams { kind: CombineType::Median, nlow: 1, nhigh: 1, ..minmed };
    assert!(median.rejects_all_pixels(2) && !median.rejects_all_pixels(3));
    assert!("minmedian".parse::<CombineType>().is_err());
}
