//! Arbitrary bytes as an answer of the astrometric catalog service, the astrometry
//! database (observation XML) and the guide-star service (GSCconvert XML): parsing may
//! fail with an error, never panic; a parsed catalog must be sorted faint to bright.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["GAIAeDR3", "GSC242", "2MASS", "PS1DR2", "OTHER"] {
        if let Ok(cat) = driz_catalog::parse_service_csv(&text, name) {
            let mags: Vec<f64> = cat.stars.iter().map(|s| s.mag).collect();
            assert!(mags.windows(2).all(|w| w[0].total_cmp(&w[1]).is_ge()), "not sorted faint to bright");
        }
    }
    if let Ok(obs) = driz_catalog::parse_observation_xml(&text, "fuzz") {
        let _ = obs.best_wcs_name();
    }
    let _ = driz_catalog::parse_gsc_xml(&text, "fuzz");
    let _ = driz_catalog::decimal_year(&text, None);
});
