//! driz updatewcs against stwcs 1.7.7 `updatewcs(use_db=False)` on the ACS/WFC exposure
//! j94f05bgq (shared data) and on the committed synthetic WFC3 fixtures.

mod common;

use driz_fits::Fits;
use driz_updatewcs::{Options, updatewcs};
use driz_wcs::pix2world_points;

/// Relative difference, absolute for values near zero.
fn rel(a: f64, b: f64) -> f64 {
    let d = (a - b).abs();
    if b.abs() < 1e-300 { d } else { d / b.abs() }
}

fn numeric_keywords(h: &driz_header::Header) -> Vec<(String, f64)> {
    let wanted = |k: &str| {
        (k.starts_with("A_") || k.starts_with("B_"))
            || ["CPERR1", "CPERR2", "D2IMERR1", "D2IMERR2", "OCX10", "OCX11", "OCY10", "OCY11", "IDCSCALE", "IDCTHETA"]
                .contains(&k)
            || k.starts_with("IDCV")
            || k.starts_with("IDCXREF")
            || k.starts_with("IDCYREF")
            || k == "TDDALPHA"
            || k == "TDDBETA"
    };
    h.cards()
        .iter()
        .filter(|c| wanted(&c.keyword))
        .filter_map(|c| Some((c.keyword.clone(), c.value.as_ref()?.as_f64()?)))
        .collect()
}

#[test]
fn j94f05bgq_agrees_with_stwcs() {
    let Some(shared) = common::shared_hst() else {
        common::skip_notice("j94f05bgq_agrees_with_stwcs");
        return;
    };
    let (_dir, flt) = common::j94_workdir(&shared);
    let report = updatewcs(&flt, &Options::default()).unwrap();
    assert_eq!(report.wcsname, "IDC_postsm4");
    assert_eq!(report.distname, "j94f05bgq_postsm4-qbu16424j-new_wfc");
    assert_eq!(report.corrections, ["DET2IMCorr", "TDDCorr", "MakeWCS", "CompSIP", "VACorr", "NPOLCorr"]);
    assert_eq!((report.d2im_extensions, report.npol_extensions), (2, 4));

    let mut ours = Fits::open(&flt).unwrap();
    let mut theirs = Fits::open(common::testdata().join("hst/j94f05bgq_updatewcs_flt.fits.gz")).unwrap();
    assert_eq!(ours.hdus().len(), theirs.hdus().len());
    assert_eq!(ours.primary_header().get_i64("NEXTEND").unwrap(), Some(12));
    for key in ["DISTNAME", "SIPNAME"] {
        assert_eq!(ours.primary_header().get_str(key).unwrap(), theirs.primary_header().get_str(key).unwrap());
    }
    for extver in [1, 2] {
        let (i, j) = (ours.position("SCI", extver).unwrap(), theirs.position("SCI", extver).unwrap());
        let w1 = ours.wcs(i, ' ').unwrap();
        let w2 = theirs.wcs(j, ' ').unwrap();
        let grid = common::chip_grid(4096, 2048, 40);
        let mas = common::max_sep_mas(&pix2world_points(&w1, &grid), &pix2world_points(&w2, &grid));
        let (h1, h2) = (ours.hdu(i).header.clone(), theirs.hdu(j).header.clone());
        let mut worst = (String::new(), 0.0);
        let theirs_kw = numeric_keywords(&h2);
        for (k, v) in numeric_keywords(&h1) {
            let t = theirs_kw.iter().find(|(n, _)| *n == k).unwrap_or_else(|| panic!("stwcs has no {k}")).1;
            if rel(v, t) > worst.1 {
                worst = (k.clone(), rel(v, t));
            }
        }
        assert_eq!(numeric_keywords(&h1).len(), theirs_kw.len(), "SCI,{extver} keyword sets differ");
        for k in ["WCSNAME", "WCSNAMEO", "CTYPE1", "CTYPE1O", "D2IMEXT", "NPOLEXT", "IDCTAB"] {
            assert_eq!(h1.get(k), h2.get(k), "SCI,{extver} {k}");
        }
        for k in ["CRVAL1", "CRVAL2", "CD1_1", "CD1_2", "CD2_1", "CD2_2", "CRPIX1", "CRPIX2"] {
            let (a, b) = (h1.get_f64(k).unwrap().unwrap(), h2.get_f64(k).unwrap().unwrap());
            let tol = if k.starts_with("CD") { 1e-13 } else { 1e-11 };
            assert!((a - b).abs() <= tol, "SCI,{extver} {k}: {a} vs {b}");
            let (a, b) =
                (h1.get_f64(&format!("{k}O")).unwrap().unwrap(), h2.get_f64(&format!("{k}O")).unwrap().unwrap());
            assert_eq!(a, b, "SCI,{extver} {k}O");
        }
        eprintln!(
            "SCI,{extver}: pixel->sky max difference {mas:.3e} mas over {} points; worst keyword {} rel {:.2e}",
            grid.len(),
            worst.0,
            worst.1
        );
        assert!(mas <= 0.05, "SCI,{extver}: {mas} mas");
        assert!(worst.1 <= 1e-10, "SCI,{extver}: {worst:?}");
    }
    // Lookup tables: same data, bit for bit.
    for (name, vers) in [("D2IMARR", 1..=2), ("WCSDVARR", 1..=4)] {
        for v in vers {
            let (i, j) = (ours.position(name, v).unwrap(), theirs.position(name, v).unwrap());
            let (a, b) = (ours.read_image::<f32>(i).unwrap(), theirs.read_image::<f32>(j).unwrap());
            let differ = a.iter().zip(b.iter()).filter(|(x, y)| x.to_bits() != y.to_bits()).count();
            let maxdiff = a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
            eprintln!("{name},{v}: {differ} of {} values differ (max {maxdiff:e})", a.len());
            assert!(maxdiff <= 1e-7, "{name},{v}");
            for k in ["CDELT1", "CDELT2", "CRPIX1", "CRVAL1", "CCDCHIP"] {
                assert_eq!(
                    ours.hdu(i).header.get(k).map(|v| v.to_string()),
                    theirs.hdu(j).header.get(k).map(|v| v.to_string()),
                    "{name},{v} {k}"
                );
            }
        }
    }
    // ERR/DQ carry the SCI WCS without SIP, as stwcs writes it.
    for (name, v) in [("ERR", 1), ("DQ", 2)] {
        let (i, j) = (ours.position(name, v).unwrap(), theirs.position(name, v).unwrap());
        let (a, b) = (&ours.hdu(i).header, &theirs.hdu(j).header);
        for k in ["CTYPE1", "CTYPE2", "WCSNAME", "RADESYS", "CUNIT1"] {
            assert_eq!(a.get(k), b.get(k), "{name},{v} {k}");
        }
        for k in ["CD1_1", "CD1_2", "CD2_1", "CD2_2", "CRVAL1", "CRVAL2", "CRPIX1"] {
            let (x, y) = (a.get_f64(k).unwrap().unwrap(), b.get_f64(k).unwrap().unwrap());
            assert!((x - y).abs() <= 1e-11 * y.abs().max(1e-2), "{name},{v} {k}: {x} vs {y}");
        }
    }
}

#[test]
fn rerunning_is_idempotent() {
    let Some(shared) = common::shared_hst() else {
        common::skip_notice("rerunning_is_idempotent");
        return;
    };
    let (_dir, flt) = common::j94_workdir(&shared);
    updatewcs(&flt, &Options::default()).unwrap();
    let first = Fits::open(&flt).unwrap().hdus().iter().map(|h| h.header.clone()).collect::<Vec<_>>();
    let report = updatewcs(&flt, &Options::default()).unwrap();
    assert!(!report.corrections.contains(&"NPOLCorr") && !report.corrections.contains(&"DET2IMCorr"));
    let second = Fits::open(&flt).unwrap();
    assert_eq!(second.hdus().len(), 13);
    for (a, b) in first.iter().zip(second.hdus()) {
        for k in ["CRVAL1", "CRVAL2", "CD1_1", "CD2_2", "A_2_0", "B_4_0", "CPERR1", "WCSNAMEO", "CRVAL1O"] {
            assert_eq!(a.get(k), b.header.get(k), "HDU {} {k}", b.index);
        }
    }
    // --force rebuilds the lookup tables without adding extensions.
    let report = updatewcs(&flt, &Options { force: true, ..Options::default() }).unwrap();
    assert!(report.corrections.contains(&"NPOLCorr"));
    assert_eq!(Fits::open(&flt).unwrap().hdus().len(), 13);
}
