//! wcs-alignment.md §8.7 (worked example 4, verified there against tweakwcs 0.9.3): an exact
//! rscale transform of a TAN-SIP chip, fitted by `align_wcs` and applied to the WCS.

use driz_header::Header;
use driz_tweak::{
    AlignOptions, ChipCatalog, CoincidentSources, FitGeom, FitStatus, MatchParams, RefCatalog, align_wcs, det_to_tanp,
    det_to_world, tanp_to_world,
};
use driz_wcs::{HstWcs, LookupTable, TableKind, WcsError};

fn example_wcs() -> HstWcs {
    let cards = [
        "CTYPE1  = 'RA---TAN-SIP'",
        "CTYPE2  = 'DEC--TAN-SIP'",
        "RADESYS = 'ICRS'",
        "CRPIX1  =               2048.0",
        "CRPIX2  =               1024.0",
        "CRVAL1  =        5.63056810618",
        "CRVAL2  =      -72.05457184279",
        "CD1_1   = 1.29055156992758E-05",
        "CD1_2   = 5.95250078565221E-06",
        "CD2_1   = 5.02263821027651E-06",
        "CD2_2   = -1.2644844109546E-05",
        "A_ORDER =                    2",
        "B_ORDER =                    2",
        "A_2_0   =  8.5512775825565E-06",
        "A_1_1   = -5.1974576466834E-06",
        "A_0_2   = 2.16615952976212E-06",
        "B_2_0   = -1.7464918770586E-06",
        "B_1_1   = 6.18443235774478E-06",
        "B_0_2   = -7.2168814507744E-06",
    ];
    let header = Header::from_card_images(cards).unwrap();
    let mut no_tables =
        |_: TableKind, _: i64| -> Result<LookupTable, WcsError> { Err(WcsError::BadTable("none".into())) };
    HstWcs::from_header(&header, ' ', &mut no_tables).unwrap()
}

#[test]
fn spec_worked_example_rscale_fit_and_correction() {
    let wcs = example_wcs();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for yy in [100.0, 550.0, 1000.0, 1450.0, 1900.0] {
        for xx in [200.0, 1000.0, 1800.0, 2600.0, 3400.0] {
            x.push(xx);
            y.push(yy);
        }
    }
    let th = 0.01f64.to_radians();
    let m = 1.00002;
    let f = [[m * th.cos(), m * th.sin()], [-m * th.sin(), m * th.cos()]];
    let t = [3.25, -1.75];
    let (mut ra, mut dec) = (Vec::new(), Vec::new());
    for (k, (&xx, &yy)) in x.iter().zip(&y).enumerate() {
        let (u, v) = det_to_tanp(&wcs, xx, yy);
        if k == 0 {
            assert!((u - 222.15679238429163).abs() < 1e-9 && (v - 98.43683407396712).abs() < 1e-9, "{u} {v}");
        }
        let (a, d) = tanp_to_world(&wcs.celestial, f[0][0] * u + f[0][1] * v + t[0], f[1][0] * u + f[1][1] * v + t[1]);
        if k == 0 {
            assert!((a - 5.536386522250086).abs() < 1e-11 && (d + 72.05198469440427).abs() < 1e-11, "{a} {d}");
        }
        ra.push(a);
        dec.push(d);
    }
    let chip =
        ChipCatalog { wcs, naxis: [4096, 2048], x: x.clone(), y: y.clone(), group_id: 0, name: "example".into() };
    let options = AlignOptions {
        match_params: MatchParams {
            searchrad: 10.0,
            separation: 4.0,
            tolerance: 2.0,
            use2dhist: true,
            xoffset: 0.0,
            yoffset: 0.0,
        },
        minobj: 4,
        fitgeom: FitGeom::RScale,
        nclip: 1,
        sigma: 3.0,
        expand_refcat: false,
        coincident: CoincidentSources::FirstInOrder,
    };
    let refcat = RefCatalog { ra: ra.clone(), dec: dec.clone() };
    let (fits, _) = align_wcs(std::slice::from_ref(&chip), Some(&refcat), &options).unwrap();
    let r = &fits[0];
    assert_eq!(r.status, FitStatus::Success);
    assert_eq!(r.nmatches, 25);
    let fit = r.fit.as_ref().unwrap();
    let close = |what: &str, got: f64, want: f64, tol: f64| {
        assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}, diff {:e}", (got - want).abs());
    };
    close("center x", fit.center[0], 1812.3162539507566, 1e-9);
    close("center y", fit.center[1], 994.7664177163192, 1e-9);
    let want_m = [[1.000019984768796, 1.745364149244316e-04], [-1.745364149244316e-04, 1.000019984768796]];
    for (got, want) in fit.matrix.iter().flatten().zip(want_m.iter().flatten()) {
        close("matrix", *got, *want, 1e-8);
    }
    close("shift x", fit.shift[0], 3.250000000385481, 1e-8);
    close("shift y", fit.shift[1], -1.750000000038531, 1e-8);
    close("proper_rot", fit.proper_rot, 0.009999999997285014, 1e-8);
    close("<scale>", fit.mean_scale, 1.000019999999971, 1e-8);
    assert!(fit.rmse < 1e-8, "rmse {}", fit.rmse);

    let new = r.new_wcs.as_ref().unwrap();
    close("CRVAL1", new.celestial.crval[0], 5.630673111260655, 1e-11);
    close("CRVAL2", new.celestial.crval[1], -72.05452802926101, 1e-11);
    let want_cd = [[1.290472592334035e-05, 5.954894272097147e-06], [5.024968070359076e-06, -1.264420979744875e-05]];
    for (got, want) in new.celestial.cd.iter().flatten().zip(want_cd.iter().flatten()) {
        close("CD", *got, *want, 1e-14);
    }
    assert_eq!(new.celestial.crpix, chip.wcs.celestial.crpix);
    assert_eq!(new.distortion, chip.wcs.distortion);
    // The corrected WCS puts the sources on their reference positions (spec: 5.3e-5 mas).
    let mut worst_mas: f64 = 0.0;
    for k in 0..x.len() {
        let (a, d) = det_to_world(new, x[k], y[k]);
        let dra = (a - ra[k]) * d.to_radians().cos();
        worst_mas = worst_mas.max(dra.hypot(d - dec[k]) * 3.6e6);
    }
    assert!(worst_mas < 1e-3, "corrected positions off by {worst_mas} mas");
    eprintln!("worked example: corrected positions within {worst_mas:e} mas");
}
