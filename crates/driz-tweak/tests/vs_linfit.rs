//! `iter_linear_fit` against tweakwcs 0.9.3 (testdata/tweak/linfit.json), shift for origin 0
//! as `fit2ref` reports it.

#![allow(clippy::needless_range_loop)] // matrix entries compared by (row, column)
mod common;
use common::*;
use driz_tweak::{FitError, FitGeom, iter_linear_fit};

#[test]
fn linear_fits_match_tweakwcs() {
    let cases = fixture("linfit.json");
    let (mut worst_m, mut worst_s, mut worst_r) = (0.0f64, 0.0f64, 0.0f64);
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let fitgeom: FitGeom = case["fitgeom"].as_str().unwrap().parse().unwrap();
        let got = iter_linear_fit(
            &points(&case["xy"]),
            &points(&case["uv"]),
            fitgeom,
            case["nclip"].as_u64().unwrap() as usize,
            f(&case["sigma"]),
        );
        if let Some(err) = case.get("error") {
            let e = got.expect_err(name);
            match err.as_str().unwrap() {
                "NotEnoughPointsError" => assert!(matches!(e, FitError::NotEnoughPoints { .. }), "{name}: {e}"),
                "SingularMatrixError" => assert_eq!(e, FitError::SingularMatrix, "{name}"),
                other => panic!("{name}: unexpected reference error {other}"),
            }
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = &case["fit"];
        assert_eq!(got.fitmask, bools(&want["fitmask"]), "{name}: fitmask");
        assert_eq!(got.eff_nclip, want["eff_nclip"].as_u64().unwrap() as usize, "{name}");
        assert_eq!(got.proper, want["proper"].as_bool().unwrap(), "{name}");
        let wm = matrix(&want["matrix"]);
        for i in 0..2 {
            for j in 0..2 {
                worst_m = worst_m.max((got.matrix[i][j] - wm[i][j]).abs());
                assert_close(&format!("{name} matrix[{i}][{j}]"), got.matrix[i][j], wm[i][j], 1e-12);
            }
        }
        let ws = pair(&want["shift"]);
        let wc = pair(&want["center"]);
        for k in 0..2 {
            worst_s = worst_s.max((got.shift[k] - ws[k]).abs());
            assert_close(&format!("{name} shift[{k}]"), got.shift[k], ws[k], 1e-10);
            assert_close(&format!("{name} center[{k}]"), got.center[k], wc[k], 1e-11);
            assert_close(&format!("{name} rot[{k}]"), got.rot[k], pair(&want["rot"])[k], 1e-9);
            assert_close(&format!("{name} scale[{k}]"), got.scale[k], pair(&want["scale"])[k], 1e-12);
        }
        assert_close(&format!("{name} <rot>"), got.mean_rot, f(&want["mean_rot"]), 1e-9);
        assert_close(&format!("{name} proper_rot"), got.proper_rot, f(&want["proper_rot"]), 1e-9);
        assert_close(&format!("{name} <scale>"), got.mean_scale, f(&want["mean_scale"]), 1e-12);
        // Improper rscale fits have skew ±180 exactly: which sign comes out depends on the
        // last bit of long-double rounding noise, so compare on the circle.
        let dskew = (got.skew - f(&want["skew"]) + 180.0).rem_euclid(360.0) - 180.0;
        assert!(dskew.abs() < 1e-9, "{name} skew: got {}, want {}", got.skew, f(&want["skew"]));
        assert_close(&format!("{name} rmse"), got.rmse, f(&want["rmse"]), 1e-11);
        assert_close(&format!("{name} mae"), got.mae, f(&want["mae"]), 1e-11);
        let wr = points(&want["resids"]);
        assert_eq!(got.resids.len(), wr.len(), "{name}");
        for (g, w) in got.resids.iter().zip(&wr) {
            worst_r = worst_r.max((g[0] - w[0]).abs()).max((g[1] - w[1]).abs());
            assert_close(&format!("{name} resid"), g[0], w[0], 1e-10);
            assert_close(&format!("{name} resid"), g[1], w[1], 1e-10);
        }
    }
    eprintln!("linfit: max |matrix diff| {worst_m:e}, |shift diff| {worst_s:e}, |resid diff| {worst_r:e}");
}
