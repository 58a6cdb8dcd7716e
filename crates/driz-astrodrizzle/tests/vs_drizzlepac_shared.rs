//! The ACS/HRC single-exposure run of the spec (drizzle-algorithms.md Part 2 §12.1,
//! numbers verified with drizzlepac 3.11.0) on `shared/data/hst/drizzle-testdata-deb/
//! input1.fits`. Skipped with a notice when the shared data are absent.

#[path = "../../driz-fits/tests/common/mod.rs"]
mod common;

use driz_astrodrizzle::{Silent, UserParams, astrodrizzle};
use driz_fits::Fits;

#[test]
fn acs_hrc_single_exposure_matches_drizzlepac() {
    let Some(hst) = common::shared_hst() else {
        common::skip_notice("AstroDrizzle ACS/HRC run against drizzlepac 3.11.0 (spec §12.1)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("j8bt06nyq_flt.fits");
    std::fs::copy(hst.join("drizzle-testdata-deb/input1.fits"), &input).unwrap();
    let user = UserParams {
        file: None,
        settings: [("output", "hrc"), ("mdriztab", "False"), ("build", "True"), ("num_cores", "1")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        prefer_mdriztab: false,
    };
    let outcome = astrodrizzle("j8bt06nyq_flt.fits", &user, dir.path(), &Silent).unwrap();
    assert_eq!(outcome.skipped, ["median", "blot", "driz_cr"]);
    // One static mask named with an empty output root, as drizzlepac names it.
    assert!(dir.path().join("_1024x1024_1_staticMask.fits").exists());
    // Sky: localmin on the median, written to SCI,1.
    let mut f = Fits::open(&input).unwrap();
    let sky = f.hdu(1).header.get_f64("MDRIZSKY").unwrap().unwrap();
    assert!((sky - 230.1465).abs() < 5e-4, "MDRIZSKY {sky}");
    let product = outcome.product.unwrap();
    assert_eq!(product, dir.path().join("hrc_drz.fits"));
    f = Fits::open(&product).unwrap();
    let p = f.primary_header().clone();
    assert_eq!(p.get_f64("EXPTIME").unwrap(), Some(60.0));
    assert_eq!(p.get_f64("TEXPTIME").unwrap(), Some(60.0));
    assert_eq!(p.get_i64("NDRIZIM").unwrap(), Some(1));
    let h = f.hdu(1).header.clone();
    assert_eq!(h.get_str("BUNIT").unwrap(), Some("ELECTRONS/S"));
    assert_eq!(h.get_i64("NAXIS1").unwrap(), Some(1163));
    assert_eq!(h.get_i64("NAXIS2").unwrap(), Some(1137));
    let close = |k: &str, v: f64, tol: f64| {
        let got = h.get_f64(k).unwrap().unwrap();
        assert!((got - v).abs() <= tol * v.abs().max(1e-300), "{k}: {got} vs {v}");
    };
    close("CRPIX1", 581.5, 0.0);
    close("CRPIX2", 568.5, 0.0);
    close("CRVAL1", 6.027212021944473, 1e-13);
    close("CRVAL2", -72.08349629460626, 1e-13);
    close("CD1_1", -6.691491889494934e-06, 1e-12);
    close("CD1_2", 1.8572142942586967e-06, 1e-12);
    close("CD2_1", 1.8572142942586967e-06, 1e-12);
    close("CD2_2", 6.691491889494934e-06, 1e-12);
    let sci = f.read_image::<f32>(1).unwrap();
    let wht = f.read_image::<f32>(2).unwrap();
    let ctx = f.read_image::<i32>(3).unwrap();
    let nan = sci.iter().filter(|v| v.is_nan()).count();
    let sum: f64 = sci.iter().filter(|v| v.is_finite()).map(|&v| v as f64).sum();
    let wsum: f64 = wht.iter().map(|&v| v as f64).sum();
    let zero_wht = wht.iter().filter(|&&w| w == 0.0).count();
    // drizzlepac: 140830 NaN, Σ 18042794.08, ΣWHT 61175820.0, 170526 WHT = 0 (masked
    // pixels keep a value with WHT 0, as cdriz writes them).
    assert_eq!(nan, 140830, "NaN pixels");
    assert!((sum / 18042794.08 - 1.0).abs() < 1e-9, "sum of SCI {sum}");
    assert!((wsum / 61175820.0 - 1.0).abs() < 1e-9, "sum of WHT {wsum}");
    assert_eq!(zero_wht, 170526, "zero-weight pixels");
    let mut w: Vec<f32> = wht.iter().copied().filter(|&w| w > 0.0).collect();
    w.sort_by(|a, b| a.total_cmp(b));
    let median = w[w.len() / 2];
    assert!((median - 53.3574).abs() < 1e-4, "median WHT {median}");
    assert!(ctx.iter().all(|&c| c == 0 || c == 1));
}
