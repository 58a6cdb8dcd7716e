//! astropy's sigma_clipped_stats on float32 data (testdata/verify/sigma_clip.json).

mod common;

use common::*;
use driz_verify::sigma_clipped_stats;

#[test]
fn sigma_clipped_stats_is_bit_identical_to_astropy() {
    let fx = fixture("sigma_clip.json");
    for case in fx.as_array().unwrap() {
        let data = f32_array(&case["input"]);
        for result in case["results"].as_array().unwrap() {
            let maxiters = result["maxiters"].as_i64().unwrap();
            let expected = f32_array(&result["stats"]);
            let ours = sigma_clipped_stats(data.iter().copied(), 3.0, maxiters);
            let got = [ours.mean, ours.median, ours.std];
            for (g, e) in got.iter().zip(expected.iter()) {
                assert_eq!(g.to_bits(), e.to_bits(), "maxiters {maxiters}: {got:?} vs {expected:?}");
            }
        }
    }
}
