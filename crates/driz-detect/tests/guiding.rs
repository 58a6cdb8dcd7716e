//! Guiding verification against the reference (testdata/guiding, made by
//! testdata/scripts/make_guiding_fixtures.py): scikit-image 0.26 `canny` and
//! `probabilistic_hough_line`, drizzlepac 3.11.0 `verify_guiding` on synthetic frames.

use driz_detect::{
    GUIDING_MIN_LENGTH, GUIDING_MIN_LINES, GuidingInput, GuidingReason, HoughLine, canny, count_guiding_sources,
    default_hough_angles, guiding_image, judge_lines, probabilistic_hough_line, probabilistic_hough_line_ordered,
    verify_guiding, verify_guiding_seeded,
};
use ndarray::{Array2, ArrayView2, s};
use serde_json::Value;

mod common;

use common::{base64_decode, shape};

fn fixture(name: &str) -> Value {
    common::fixture_in("guiding", name)
}

fn u16_vec(v: &Value) -> Vec<u16> {
    base64_decode(v.as_str().unwrap()).chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
}

fn f64_vec(v: &Value) -> Vec<f64> {
    base64_decode(v.as_str().unwrap()).chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
}

/// `np.packbits` of a boolean map (first pixel in the most significant bit).
fn unpack(v: &Value, shape: (usize, usize)) -> Array2<bool> {
    let bytes = base64_decode(v.as_str().unwrap());
    Array2::from_shape_fn(shape, |(y, x)| {
        let i = y * shape.1 + x;
        bytes[i / 8] & (0x80 >> (i % 8)) != 0
    })
}

fn frame_u16(fx: &Value, name: &str) -> Array2<u16> {
    let f = &fx["frames"][name];
    Array2::from_shape_vec(shape(&f["shape"]), u16_vec(&f["u16"])).unwrap()
}

fn reference_lines(run: &Value) -> Vec<HoughLine> {
    run["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let v: Vec<i64> = l.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
            HoughLine { start: (v[0], v[1]), end: (v[2], v[3]) }
        })
        .collect()
}

fn fnv1a(values: ArrayView2<f32>) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for v in values.iter() {
        for b in v.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01B3);
        }
    }
    format!("{h:016x}")
}

fn differing(a: &Array2<bool>, b: &Array2<bool>) -> usize {
    a.iter().zip(b.iter()).filter(|(x, y)| x != y).count()
}

/// The SCI array the fixture script wrote: the integer frame, divided by EXPTIME in float32
/// for count-rate units.
fn sci_for(fx: &Value, case: &Value) -> Array2<f32> {
    let frame = frame_u16(fx, case["frame"].as_str().unwrap()).mapv(|v| v as f32);
    if case["bunit"].as_str().unwrap().ends_with("/S") {
        let exptime = case["exptime"].as_f64().unwrap() as f32;
        frame.mapv(|v| v / exptime)
    } else {
        frame
    }
}

fn dq_for(fx: &Value, case: &Value) -> Option<Array2<u16>> {
    case["has_dq"].as_bool().unwrap().then(|| {
        let name = case["frame"].as_str().unwrap();
        Array2::from_shape_vec(shape(&fx["frames"][name]["shape"]), u16_vec(&fx["dq"][name])).unwrap()
    })
}

#[test]
fn canny_matches_skimage_on_raw_frames() {
    let fx = fixture("canny.json");
    let frames = fixture("frames.json");
    let mask = unpack(&fx["mask"], (256, 256));
    for t in fx["tests"].as_array().unwrap() {
        let img = frame_u16(&frames, t["frame"].as_str().unwrap()).mapv(|v| v as f32);
        let (h, w) = img.dim();
        let m = t["masked"].as_bool().unwrap().then(|| mask.slice(s![..h, ..w]).to_owned());
        let edges = canny(
            img.view(),
            t["sigma"].as_f64().unwrap(),
            t["low"].as_f64().unwrap() as f32,
            t["high"].as_f64().unwrap() as f32,
            m.as_ref().map(|m| m.view()),
        )
        .unwrap();
        let want = unpack(&t["edges"], (h, w));
        assert_eq!(want.iter().filter(|&&e| e).count() as u64, t["edge_count"].as_u64().unwrap());
        assert_eq!(differing(&edges, &want), 0, "{t:?}", t = (&t["frame"], &t["sigma"], &t["masked"]));
    }
}

#[test]
fn preprocessing_and_source_counts_match_verify_guiding() {
    let fx = fixture("frames.json");
    let mut checked = 0;
    for case in fx["cases"].as_array().unwrap() {
        let reference = &case["reference"];
        if reference.get("stats").is_none() {
            continue;
        }
        let sci = sci_for(&fx, case);
        let dq = dq_for(&fx, case);
        let prepared = guiding_image(
            sci.view(),
            Some(case["bunit"].as_str().unwrap()),
            Some(500.0),
            dq.as_ref().map(|d| d.view()),
        )
        .unwrap();
        let stats = &reference["stats"];
        assert_eq!(stats["dtype"], "float32");
        let bits = |key: &str| f32::from_bits(stats[key].as_u64().unwrap() as u32);
        assert_eq!(prepared.background_median, bits("median_bits"), "{}", case["name"]);
        assert_eq!(prepared.background_std, bits("std_bits"), "{}", case["name"]);
        let (raw, real) = count_guiding_sources(prepared.image.view());
        assert_eq!(raw as u64, reference["raw_sources"].as_u64().unwrap(), "{}", case["name"]);
        assert_eq!(real.map(|r| r as u64), reference["real_sources"].as_u64(), "{}", case["name"]);
        if let Some(fnv) = reference.get("canny_input_fnv") {
            let (h, w) = prepared.image.dim();
            let trimmed = prepared.image.slice(s![2..h - 2, 2..w - 2]);
            assert_eq!(fnv1a(trimmed), fnv.as_str().unwrap(), "{}: image handed to canny", case["name"]);
            let edges = canny(trimmed, 2.5, 0.0, 25.0, None).unwrap();
            let want = unpack(&reference["edges"], shape(&reference["canny_input_shape"]));
            assert_eq!(differing(&edges, &want), 0, "{}: edge map", case["name"]);
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn hough_replays_skimage_lines_exactly_for_its_pixel_order() {
    let fx = fixture("frames.json");
    let mut runs_checked = 0;
    for case in fx["cases"].as_array().unwrap() {
        let reference = &case["reference"];
        let Some(runs) = reference.get("runs") else { continue };
        let edges = unpack(&reference["edges"], shape(&reference["canny_input_shape"]));
        for run in runs.as_array().unwrap() {
            let order: Vec<usize> = u16_vec(&run["order"]).into_iter().map(usize::from).collect();
            let lines = probabilistic_hough_line_ordered(edges.view(), 0, GUIDING_MIN_LENGTH, 0, None, &order).unwrap();
            assert_eq!(lines, reference_lines(run), "{} seed {}", case["name"], run["seed"]);
            runs_checked += 1;
        }
    }
    assert!(runs_checked >= 15);
}

#[test]
fn angle_histogram_gives_the_reference_verdict_for_reference_lines() {
    let fx = fixture("frames.json");
    for case in fx["cases"].as_array().unwrap() {
        let reference = &case["reference"];
        let Some(runs) = reference.get("runs") else { continue };
        let num_sources = reference["real_sources"].as_u64().unwrap() as usize;
        for run in runs.as_array().unwrap() {
            let (bad, _, _) = judge_lines(&reference_lines(run), num_sources, GUIDING_MIN_LINES);
            assert_eq!(bad, run["bad"].as_bool().unwrap(), "{} seed {}", case["name"], run["seed"]);
        }
    }
}

#[test]
fn default_angles_and_their_trigonometry_match_numpy() {
    let fx = fixture("frames.json");
    let theta = default_hough_angles();
    let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
    let (want_theta, want_cos, want_sin) =
        (f64_vec(&fx["hough_theta_f64"]), f64_vec(&fx["hough_cos_f64"]), f64_vec(&fx["hough_sin_f64"]));
    assert_eq!(theta, want_theta);
    for (i, t) in theta.iter().enumerate() {
        assert!(ulps(t.cos(), want_cos[i]) <= 1, "cos {i}");
        assert!(ulps(t.sin(), want_sin[i]) <= 1, "sin {i}");
    }
}

#[test]
fn verify_guiding_gives_the_reference_verdicts() {
    let fx = fixture("frames.json");
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let reference = &case["reference"];
        let sci = sci_for(&fx, case);
        let dq = dq_for(&fx, case);
        let input = GuidingInput {
            quality: Some(case["quality"].as_str().unwrap()),
            sci: sci.view(),
            bunit: Some(case["bunit"].as_str().unwrap()),
            exptime: Some(case["exptime"].as_f64().unwrap()),
            dq: dq.as_ref().map(|d| d.view()),
        };
        for seed in [None, Some(11u64), Some(12), Some(13)] {
            let verdict = match seed {
                None => verify_guiding(&input, GUIDING_MIN_LENGTH),
                Some(seed) => verify_guiding_seeded(&input, GUIDING_MIN_LENGTH, seed),
            }
            .unwrap();
            assert_eq!(verdict.bad_guiding, case["bad"].as_bool().unwrap(), "{name}: {verdict:?}");
            let expected_reason = match name {
                "good" | "empty" => GuidingReason::NoLines,
                "trailed" => GuidingReason::LinesSimilar,
                "gsfail" => GuidingReason::HeaderQuality,
                "bleeds" => GuidingReason::LinesDiverse,
                "blank" => GuidingReason::TooFewSources,
                other => panic!("unexpected case {other}"),
            };
            assert_eq!(verdict.reason, expected_reason, "{name}");
            assert_eq!(verdict.raw_sources.map(|n| n as u64), reference["raw_sources"].as_u64(), "{name}");
            assert_eq!(verdict.sources.map(|n| n as u64), reference["real_sources"].as_u64(), "{name}");
            if let Some(runs) = reference.get("runs") {
                let counts: Vec<usize> =
                    runs.as_array().unwrap().iter().map(|r| r["lines"].as_array().unwrap().len()).collect();
                let (lo, hi) = (*counts.iter().min().unwrap(), *counts.iter().max().unwrap());
                let ours = verdict.lines.as_ref().unwrap().num_lines;
                // the shuffle differs from every reference run: allow the reference's own spread plus a margin
                assert!(ours + 4 >= lo && ours <= hi + 4, "{name}: {ours} lines, reference {counts:?}");
            }
        }
    }
}

/// Fraction of the segments of `a` that have a segment of `b` with both ends within 2 px.
fn agreement(a: &[HoughLine], b: &[HoughLine]) -> f64 {
    let d = |p: (i64, i64), q: (i64, i64)| (p.0 - q.0).abs().max((p.1 - q.1).abs());
    let near = |x: &HoughLine, y: &HoughLine| {
        (d(x.start, y.start) <= 2 && d(x.end, y.end) <= 2) || (d(x.start, y.end) <= 2 && d(x.end, y.start) <= 2)
    };
    a.iter().filter(|x| b.iter().any(|y| near(x, y))).count() as f64 / a.len().max(1) as f64
}

#[test]
fn seeded_hough_agrees_with_skimage_as_well_as_skimage_agrees_with_itself() {
    let fx = fixture("frames.json");
    // (on the bleed columns the reference runs themselves share almost no segment end points)
    for name in ["trailed"] {
        let case = fx["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        let reference = &case["reference"];
        let edges = unpack(&reference["edges"], shape(&reference["canny_input_shape"]));
        let runs: Vec<Vec<HoughLine>> = reference["runs"].as_array().unwrap().iter().map(reference_lines).collect();
        let mut worst_between_runs = 1.0f64;
        for (i, a) in runs.iter().enumerate() {
            for b in runs.iter().skip(i + 1) {
                worst_between_runs = worst_between_runs.min(agreement(a, b)).min(agreement(b, a));
            }
        }
        for seed in [5u64, 6, 7] {
            let ours = probabilistic_hough_line(edges.view(), 0, GUIDING_MIN_LENGTH, 0, None, seed).unwrap();
            for run in &runs {
                let (there, back) = (agreement(&ours, run), agreement(run, &ours));
                assert!(
                    there >= worst_between_runs - 0.1 && back >= worst_between_runs - 0.1,
                    "{name} seed {seed}: agreement {there:.2}/{back:.2}, between reference runs ≥ {worst_between_runs:.2}"
                );
            }
            // and the same dominant direction
            let (_, _, ours_stats) = judge_lines(&ours, 0, 0);
            let (_, _, ref_stats) = judge_lines(&runs[0], 0, 0);
            assert!(
                ours_stats.peak_count.abs_diff(ref_stats.peak_count) <= 4,
                "{name}: {ours_stats:?} vs {ref_stats:?}"
            );
        }
    }
}
