//! SkyFootprint's overlap-count image and max_overlap_diff against drizzlepac
//! (testdata/verify/overlap.json, overlap_diff.json).

mod common;

use common::*;
use driz_verify::{edge_pixels, max_overlap_diff, overlap_count};
use ndarray::Array2;

fn points(v: &serde_json::Value) -> Vec<[f64; 2]> {
    let a = f64_2d(v);
    a.rows().into_iter().map(|r| [r[0], r[1]]).collect()
}

#[test]
fn overlap_count_matches_sky_footprint() {
    let fx = fixture("overlap.json");
    let shape = (fx["shape"][0].as_u64().unwrap() as usize, fx["shape"][1].as_u64().unwrap() as usize);
    let chips: Vec<Vec<[f64; 2]>> = fx["chips"].as_array().unwrap().iter().map(points).collect();
    let total = overlap_count(&chips, shape);
    let expected: Array2<i16> = i16_array(&fx["total_mask"]).into_dimensionality().unwrap();
    assert_eq!(total, expected);
    for (k, case) in fx["synthetic"].as_array().unwrap().iter().enumerate() {
        let mask = overlap_count(&[points(&case["edges"])], shape);
        assert_eq!(mask.mapv(|v| v != 0), bool_2d(&case["mask"]), "quadrilateral {k}");
    }
}

#[test]
fn edge_pixels_follow_the_reference_order() {
    let e = edge_pixels(3, 2);
    let expected = [[0., 0.], [0., 1.], [2., 0.], [2., 1.], [0., 0.], [1., 0.], [2., 0.], [0., 1.], [1., 1.], [2., 1.]];
    assert_eq!(e, expected);
}

#[test]
fn max_overlap_diff_matches_drizzlepac() {
    let fx = fixture("overlap_diff.json");
    let singles: Vec<Array2<f32>> = fx["singles"].as_array().unwrap().iter().map(f32_2d).collect();
    let exptimes: Vec<f64> = fx["exptimes"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let inputs: Vec<_> = singles.iter().zip(&exptimes).map(|(s, &t)| (s.view(), t)).collect();
    let product = f32_2d(&fx["product"]);
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let total: Array2<i16> = i16_array(&case["total_mask"]).into_dimensionality().unwrap();
        let diff = max_overlap_diff(product.view(), &inputs, total.view()).unwrap();
        for (k, (ours, reference)) in diff.distances.iter().zip(case["distances"].as_array().unwrap()).enumerate() {
            let reference = reference.as_f64().unwrap();
            let rel = (ours - reference).abs() / reference.abs().max(1e-300);
            assert!(rel <= 1e-15, "{name} exposure {k}: {ours} vs {reference}");
            match &diff.regions[k] {
                None => assert!(case["yslice"][k].is_null()),
                Some(region) => {
                    assert_eq!(region.rows.0 as u64, case["yslice"][k][0].as_u64().unwrap());
                    assert_eq!(region.rows.1 as u64, case["yslice"][k][1].as_u64().unwrap());
                    assert_eq!(region.cols.0 as u64, case["xslice"][k][0].as_u64().unwrap());
                    assert_eq!(region.cols.1 as u64, case["xslice"][k][1].as_u64().unwrap());
                    assert_eq!(region.num_sources as u64, case["num_sources"][k].as_u64().unwrap());
                    assert_eq!(region.product_num_sources as u64, case["product_num_sources"][k].as_u64().unwrap());
                }
            }
        }
        assert_eq!(diff.max_distance, case["max"].as_f64().unwrap(), "{name}");
    }
}

#[test]
fn max_overlap_diff_rejects_mismatched_mask() {
    let p = Array2::<f32>::ones((10, 12));
    let t = Array2::<i16>::ones((10, 11));
    assert!(max_overlap_diff(p.view(), &[(p.view(), 1.0)], t.view()).is_err());
}
