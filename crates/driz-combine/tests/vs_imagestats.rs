//! imagestats, the static mask and the sky statistic against stsci.imagestats 1.8.4,
//! drizzlepac 3.11.0 `staticMask` and skypac `SkyStats` (fixtures from
//! `testdata/scripts/make_combine_fixtures.py`). Every field must equal the reference
//! exactly (float32 fields bit for bit, mode/midpt as the reference's float64).

mod common;

use common::*;
use driz_combine::{
    Fields, SkyStat, SkyStatConfig, StatsConfig, apply_static_mask, image_stats, sky_statistic, sky_statistic_f64,
    static_mask_stats,
};
use ndarray::Array2;

fn config(case: &serde_json::Value) -> StatsConfig {
    StatsConfig {
        lower: opt_num(&case["lower"]).map(|v| v as f32),
        upper: opt_num(&case["upper"]).map(|v| v as f32),
        nclip: case["nclip"].as_u64().unwrap() as u32,
        lsig: num(&case["lsig"]) as f32,
        usig: num(&case["usig"]) as f32,
        binwidth: num(&case["binwidth"]) as f32,
    }
}

#[test]
fn imagestats_matches_reference() {
    let fixture = fixture("imagestats.json");
    let mut failures = vec![];
    let cases = fixture["cases"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let data = f32_bits(&case["data_bits"]);
        let field_names = case["fields"].as_str().unwrap();
        let fields = Fields {
            median: field_names.contains("median"),
            mode: field_names.contains("mode"),
            midpt: field_names.contains("midpt"),
        };
        let got = image_stats(&data, &config(case), fields);
        if case.get("error").is_some() {
            if got.is_some() {
                failures.push(format!("{name}: reference raises, got {got:?}"));
            }
            continue;
        }
        let Some(got) = got else {
            failures.push(format!("{name}: got None"));
            continue;
        };
        let exp = &case["expected"];
        let mut check = |field: &str, value: f64| {
            let want = opt_num(&exp[field]).unwrap_or(f64::NAN);
            if !same(value, want) {
                let rel = ((value - want) / want).abs();
                failures.push(format!("{name}.{field}: got {value:?}, reference {want:?} (rel {rel:e})"));
            }
        };
        check("npix", got.npix as f64);
        check("mean", got.mean.into());
        check("stddev", got.stddev.into());
        check("min", got.min.into());
        check("max", got.max.into());
        check("mode", got.mode_f64);
        check("midpt", got.midpt_f64);
        check("median", got.median.into());
        if let Some(nbins) = exp["nbins"].as_u64() {
            check("nbins", got.nbins as f64);
            assert_eq!(nbins as usize, got.nbins, "{name}");
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert!(cases.len() >= 30);
}

#[test]
fn static_mask_matches_reference() {
    let fixture = fixture("static_mask.json");
    let shape = shape(&fixture["shape"]);
    let static_sig = num(&fixture["static_sig"]) as f32;
    let mut static_mask = Array2::from_elem(shape, true);
    for chip in fixture["chips"].as_array().unwrap() {
        let sci = f32_bits(&chip["sci_bits"]);
        let stats = static_mask_stats(&sci).expect("reference computes stats");
        assert_eq!(stats.mode_f64, num(&chip["mode"]));
        assert_eq!(f64::from(stats.sigma), num(&chip["sigma"]));
        assert_eq!(stats.usable, chip["nbins"].as_u64().unwrap() >= 2);
        apply_static_mask(array(shape, sci).view(), &stats, static_sig, &mut static_mask);
    }
    let want = mask(&fixture["mask_after_both"]);
    assert_eq!(static_mask.iter().copied().collect::<Vec<_>>(), want);
    assert!(want.iter().any(|&g| !g), "the fixture must mask something");

    let flat = &fixture["flat"];
    let sci = f32_bits(&flat["sci_bits"]);
    let stats = static_mask_stats(&sci).unwrap();
    assert!(!stats.usable);
    assert_eq!(stats.mode_f64, num(&flat["mode"]));
    let mut flat_mask = Array2::from_elem(shape, true);
    apply_static_mask(array(shape, sci).view(), &stats, static_sig, &mut flat_mask);
    assert_eq!(flat_mask.iter().copied().collect::<Vec<_>>(), mask(&fixture["flat_mask"]));
}

#[test]
fn sky_statistic_matches_reference() {
    let fixture = fixture("sky.json");
    let mut failures = vec![];
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let data = f32_bits(&fixture["arrays"][case["data"].as_str().unwrap()]);
        let cfg = SkyStatConfig {
            stat: case["stat"].as_str().unwrap().parse::<SkyStat>().unwrap(),
            lower: opt_num(&case["lower"]).map(|v| v as f32),
            upper: opt_num(&case["upper"]).map(|v| v as f32),
            nclip: case["nclip"].as_u64().unwrap() as u32,
            lsigma: num(&case["lsigma"]) as f32,
            usigma: num(&case["usigma"]) as f32,
            binwidth: num(&case["binwidth"]) as f32,
        };
        let got = sky_statistic_f64(&data, &cfg);
        let exp = &case["expected"];
        match (got, exp.get("sky")) {
            (None, None) => {}
            (Some(value), Some(want)) if same(value, num(want)) => {
                assert_eq!(sky_statistic(&data, &cfg), Some(value as f32));
            }
            (got, want) => failures.push(format!("{name}: got {got:?}, reference {want:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sky_defaults_are_astrodrizzles() {
    let d = SkyStatConfig::default();
    assert_eq!(
        (d.stat, d.lower, d.upper, d.nclip, d.lsigma, d.usigma, d.binwidth),
        (SkyStat::Median, None, None, 5, 4.0, 4.0, 0.1)
    );
    assert!("bogus".parse::<SkyStat>().is_err());
}
