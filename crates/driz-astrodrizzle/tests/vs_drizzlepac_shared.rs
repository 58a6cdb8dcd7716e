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

/// splitmix64, as the spec's construction script (numpy uint64, wrapping).
fn splitmix64(x: u64) -> u64 {
    let x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The spec's constructed WFC3/IR sky variant (Part 2 §12.2, appendix A.2): the grizli
/// FLTs with float32 SCI + known sky + deterministic noise, float32 ERR, int16 DQ.
fn construct_ir_sky_variant(hst: &std::path::Path, dir: &std::path::Path) -> Vec<String> {
    let skies = [("ib6o23rtq", 1.00f64), ("ib6o23rwq", 1.10), ("ib6o23rzq", 1.25), ("ib6o23s2q", 0.95)];
    let mut names = Vec::new();
    for (k, (root, sky)) in skies.iter().enumerate() {
        let mut src = Fits::open(hst.join(format!("grizli-wfc3ir/{root}_flt.fits.gz"))).unwrap();
        let sci = src.read_image::<f64>(1).unwrap();
        let (ny, nx) = sci.dim();
        let mut out = ndarray::Array2::<f32>::zeros((ny, nx));
        for i in 0..ny {
            for j in 0..nx {
                let base = ((k as u64) << 32).wrapping_add((i as u64).wrapping_mul(nx as u64)).wrapping_add(j as u64);
                let mut s = 0.0f64;
                for m in 0..4u64 {
                    s += (splitmix64(base.wrapping_mul(4).wrapping_add(m)) >> 11) as f64 * 2f64.powi(-53);
                }
                let noise = (s - 2.0) * 3f64.sqrt() * 0.05;
                out[(i, j)] = (sci[(i, j)] + sky + noise) as f32;
            }
        }
        let err = src.read_image::<f32>(2).unwrap();
        let dq = src.read_image::<i16>(3).unwrap();
        let name = format!("{root}_flt.fits");
        let mut w = driz_fits::FitsWriter::create(dir.join(&name)).unwrap();
        w.primary(src.primary_header()).unwrap();
        let headers: Vec<_> = (1..6).map(|i| src.hdu(i).header.clone()).collect();
        w.image(&headers[0], out.view()).unwrap();
        w.image(&headers[1], err.view()).unwrap();
        w.image(&headers[2], dq.view()).unwrap();
        w.copy_hdu(&mut src, 4).unwrap();
        w.copy_hdu(&mut src, 5).unwrap();
        w.finish().unwrap();
        names.push(name);
    }
    names
}

#[test]
fn wfc3_ir_sky_variant_matches_drizzlepac() {
    let Some(hst) = common::shared_hst() else {
        common::skip_notice("AstroDrizzle WFC3/IR sky variant against drizzlepac 3.11.0 (spec §12.2)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let names = construct_ir_sky_variant(&hst, dir.path());
    let user = UserParams {
        file: None,
        settings: [("output", "irsky"), ("mdriztab", "False"), ("build", "True"), ("num_cores", "2")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        prefer_mdriztab: false,
    };
    let outcome = astrodrizzle(&names.join(","), &user, dir.path(), &Silent).unwrap();
    let expected_sky = [1.0000217, 1.0999949, 1.2499492, 0.9500578];
    for ((_, _, sky), want) in outcome.sky.iter().zip(expected_sky) {
        assert!((sky - want).abs() < 1e-6, "MDRIZSKY {sky} vs {want}");
    }
    let crs: Vec<usize> = outcome.cosmic_rays.iter().map(|(_, _, n)| *n).collect();
    // Flagged on quantized (uint8) sources: a regression check rather than a physical
    // rate, and a sensitive one (blot's pixel-scale ratio from a skewed CD matters).
    assert_eq!(crs, [12163usize, 21228, 13051, 11530], "CR pixels");
    let mut f = Fits::open(outcome.product.unwrap()).unwrap();
    let p = f.primary_header().clone();
    assert!((p.get_f64("EXPTIME").unwrap().unwrap() - 811.731688).abs() < 1e-5);
    assert_eq!(p.get_i64("NDRIZIM").unwrap(), Some(4));
    assert_eq!(p.get_str("D001DATA").unwrap(), Some("ib6o23rtq_flt.fits[sci,1]"));
    let h = f.hdu(1).header.clone();
    assert_eq!(h.get_i64("NAXIS1").unwrap(), Some(1228));
    assert_eq!(h.get_i64("NAXIS2").unwrap(), Some(1044));
    assert_eq!(h.get_i64("NCOMBINE").unwrap(), Some(4));
    let sci = f.read_image::<f32>(1).unwrap();
    let wht = f.read_image::<f32>(2).unwrap();
    let nan = sci.iter().filter(|v| v.is_nan()).count();
    let sum: f64 = sci.iter().filter(|v| v.is_finite()).map(|&v| v as f64).sum();
    let wsum: f64 = wht.iter().map(|&v| v as f64).sum();
    let zero = wht.iter().filter(|&&w| w == 0.0).count();
    eprintln!("irsky: NaN {nan}, ΣSCI {sum}, ΣWHT {wsum}, WHT=0 {zero}, CR {crs:?}");
    assert_eq!(nan, 6288, "NaN pixels");
    assert_eq!(zero, 6802, "zero-weight pixels");
    assert!((sum / 32124.538 - 1.0).abs() < 1e-6, "ΣSCI {sum}");
    assert!((wsum / 814787824.48 - 1.0).abs() < 1e-9, "ΣWHT {wsum}");
}
