//! Headerlets: write one from an updated exposure, apply it to an altered copy, attach and
//! list HDRLET extensions, read the real stwcs headerlets, and failures that leave every
//! file byte-identical.

mod common;

use driz_fits::Fits;
use driz_updatewcs::headerlet::{self, ApplyOptions, CreateOptions, Headerlet};
use std::path::{Path, PathBuf};

/// The updated j94f05bgq exposure, uncompressed, in a fresh directory.
fn j94() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let flt = dir.path().join("j94f05bgq_flt.fits");
    common::fits_copy(&common::testdata().join("hst/j94f05bgq_updatewcs_flt.fits.gz"), &flt);
    (dir, flt)
}

/// Pixel→sky of every SCI chip on a grid.
fn sky(path: &Path) -> Vec<Vec<(f64, f64)>> {
    let mut fits = Fits::open(path).unwrap();
    let sci: Vec<usize> = fits.hdus().iter().filter(|h| h.extname == "SCI").map(|h| h.index).collect();
    sci.into_iter()
        .map(|i| {
            let [nx, ny] = fits.hdu(i).image_size().unwrap_or([4096, 2048]);
            let w = fits.wcs(i, ' ').unwrap();
            common::chip_grid(nx, ny, 16).into_iter().map(|(x, y)| w.pix2world(x, y)).collect()
        })
        .collect()
}

fn max_deg(a: &[Vec<(f64, f64)>], b: &[Vec<(f64, f64)>]) -> f64 {
    a.iter().zip(b).map(|(p, q)| common::max_sep_mas(p, q) / 3.6e6).fold(0.0, f64::max)
}

fn edit(path: &Path, f: impl Fn(usize, &mut driz_header::Header)) {
    let fits = Fits::open(path).unwrap();
    let hs: Vec<(usize, driz_header::Header)> = fits
        .hdus()
        .iter()
        .map(|h| {
            let mut x = h.header.clone();
            f(h.index, &mut x);
            (h.index, x)
        })
        .collect();
    drop(fits);
    driz_fits::update_file(path, |u| {
        for (i, h) in &hs {
            u.set_header(*i, h)?;
        }
        Ok(())
    })
    .unwrap();
}

fn hlet_options() -> CreateOptions {
    CreateOptions {
        hdrname: Some("j94f05bgq_flt_hlet.fits".into()),
        author: Some("OPUS".into()),
        descrip: Some("undistorted not aligned".into()),
        ..Default::default()
    }
}

#[test]
fn written_headerlet_has_stwcs_layout() {
    let (_dir, flt) = j94();
    let out = headerlet::write_headerlet(&flt, Some("flt"), &hlet_options()).unwrap();
    assert_eq!(out.file_name().unwrap(), "j94f05bgq_flt_hlet.fits");
    let fits = Fits::open(&out).unwrap();
    let labels: Vec<String> = fits.hdus().iter().skip(1).map(|h| h.label()).collect();
    assert_eq!(
        labels,
        ["SIPWCS,1", "WCSDVARR,1", "WCSDVARR,2", "D2IMARR,1", "SIPWCS,2", "WCSDVARR,3", "WCSDVARR,4", "D2IMARR,2"]
    );
    let p = fits.primary_header();
    let keys: Vec<&str> = p.cards().iter().map(|c| c.keyword.as_str()).skip(4).collect();
    assert_eq!(
        keys,
        [
            "DESTIM", "HDRNAME", "DATE", "WCSNAME", "DISTNAME", "SIPNAME", "NPOLFILE", "D2IMFILE", "IDCTAB", "AUTHOR",
            "DESCRIP", "RMS_RA", "RMS_DEC", "NMATCH", "CATALOG", "UPWCSVER", "PYWCSVER"
        ]
    );
    assert_eq!(p.get_str("DESTIM").unwrap(), Some("j94f05bgq"));
    assert_eq!(p.get_str("WCSNAME").unwrap(), Some("IDC_postsm4"));
    assert_eq!(p.get_str("DISTNAME").unwrap(), Some("j94f05bgq_postsm4-qbu16424j-new_wfc"));
    assert_eq!(p.get_str("SIPNAME").unwrap(), Some("j94f05bgq_postsm4"));
    let s2 = &fits.hdu(5).header;
    assert_eq!(s2.record("D2IM1", "EXTVER").unwrap(), Some(2.0));
    assert_eq!(s2.record("DP2", "EXTVER").unwrap(), Some(4.0));
    assert_eq!(s2.get_i64("TG_EVER").unwrap(), Some(2));
    assert_eq!(s2.get_f64("A_0_2").unwrap(), Some(2.26194131157622E-06));
    assert_eq!(s2.get_f64("CRVAL2").unwrap(), Some(-72.080675764272));
    // The headerlet's own WCS is the exposure's.
    let hlet = Headerlet::from_file(&out).unwrap();
    let before = sky(&flt);
    let mut fits = Fits::open(&flt).unwrap();
    let [nx, ny] = fits.hdu(1).image_size().unwrap();
    for (chip, extver) in [(0, 1), (1, 2)] {
        let w = hlet.wcs(extver).unwrap();
        let pts: Vec<(f64, f64)> = common::chip_grid(nx, ny, 16).into_iter().map(|(x, y)| w.pix2world(x, y)).collect();
        let d = common::max_sep_mas(&pts, &before[chip]) / 3.6e6;
        assert!(d <= 1e-9, "SIPWCS,{extver}: {d:e} deg");
    }
    let _ = fits.wcs(1, ' ').unwrap();
}

#[test]
fn round_trip_restores_the_wcs() {
    let (dir, flt) = j94();
    let hlet_path = headerlet::write_headerlet(&flt, Some("flt"), &hlet_options()).unwrap();
    let original = sky(&flt);
    let altered = dir.path().join("altered").join("j94f05bgq_flt.fits");
    std::fs::create_dir(altered.parent().unwrap()).unwrap();
    std::fs::copy(&flt, &altered).unwrap();
    // Shift, rotate and distort differently; drop the D2IM keywords of chip 2; rename.
    edit(&altered, |i, h| {
        if h.get_str("EXTNAME").ok().flatten() == Some("SCI") {
            h.set("CRVAL1", h.get_f64("CRVAL1").unwrap().unwrap() + 0.01);
            h.set("CD1_2", h.get_f64("CD1_2").unwrap().unwrap() * 1.01);
            h.set("A_2_0", 1e-5);
            h.set("WCSNAME", "IDC_postsm4-MYFIT");
            if i == 4 {
                h.remove("D2IMDIS1");
                h.remove("D2IM1");
            }
        }
    });
    let moved = max_deg(&sky(&altered), &original);
    assert!(moved > 1e-3, "the alteration moved the WCS by {moved} deg only");
    let hlet = Headerlet::from_file(&hlet_path).unwrap();
    let report = headerlet::apply_as_primary(&altered, &hlet, &ApplyOptions::default()).unwrap();
    let restored = max_deg(&sky(&altered), &original);
    eprintln!("round trip: altered by {moved:.3e} deg, restored to {restored:.3e} deg");
    assert!(restored <= 1e-9, "restored to {restored:e} deg");
    // The altered WCS was archived (as an alternate and a HDRLET) and the headerlet attached.
    assert_eq!(report.archived_key, Some(('A', "IDC_postsm4-MYFIT".to_string())));
    assert_eq!(report.archived_hdrlets, ["IDC_postsm4-MYFIT"]);
    assert_eq!(report.attached, Some(2));
    let fits = Fits::open(&altered).unwrap();
    let sci = &fits.hdu(1).header;
    assert_eq!(sci.get_str("WCSNAME").unwrap(), Some("IDC_postsm4"));
    assert_eq!(sci.get_str("HDRNAME").unwrap(), Some("j94f05bgq_flt_hlet.fits"));
    assert_eq!(sci.get_str("WCSNAMEA").unwrap(), Some("IDC_postsm4-MYFIT"));
    assert_eq!(fits.hdus().iter().filter(|h| h.extname == "WCSDVARR").count(), 4);
    assert_eq!(fits.hdus().iter().filter(|h| h.extname == "D2IMARR").count(), 2);
    assert_eq!(fits.primary_header().get_i64("NEXTEND").unwrap(), Some(fits.hdus().len() as i64 - 1));
    let listed = headerlet::list(&altered).unwrap();
    let names: Vec<(&str, &str)> = listed.iter().map(|i| (i.hdrname.as_str(), i.wcsname.as_str())).collect();
    assert_eq!(names, [("IDC_postsm4-MYFIT", "IDC_postsm4-MYFIT"), ("j94f05bgq_flt_hlet.fits", "IDC_postsm4")]);
    // The archived HDRLET holds the altered WCS: applying it brings that back.
    let back = headerlet::read_extension(&altered, 1).unwrap();
    assert_eq!(back.hdrname(), "IDC_postsm4-MYFIT");
    let embedded = headerlet::read_extension(&altered, 2).unwrap();
    assert_eq!(embedded.hdus, hlet.hdus, "the attached headerlet differs from the file");
}

#[test]
fn attach_and_list() {
    let (_dir, flt) = j94();
    let hlet = headerlet::create(&flt, &hlet_options()).unwrap();
    assert_eq!(headerlet::attach(&flt, &hlet).unwrap(), 1);
    let listed = headerlet::list(&flt).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].hdrname.as_str(), listed[0].wcsname.as_str()), ("j94f05bgq_flt_hlet.fits", "IDC_postsm4"));
    let fits = Fits::open(&flt).unwrap();
    let h = &fits.hdu(listed[0].index).header;
    assert_eq!(h.get_str("XTENSION").unwrap(), Some("HDRLET"));
    assert_eq!(h.get_i64("XIND1").unwrap(), Some(2880));
    assert_eq!(fits.primary_header().get_i64("NEXTEND").unwrap(), Some(fits.hdus().len() as i64 - 1));
    drop(fits);
    let back = headerlet::read_extension(&flt, 1).unwrap();
    assert_eq!(back.primary.card_images(), hlet.primary.card_images());
    assert_eq!(back.hdus.len(), hlet.hdus.len());
    for (a, b) in back.hdus.iter().zip(&hlet.hdus) {
        assert_eq!((&a.extname, a.extver, &a.data), (&b.extname, b.extver, &b.data));
        assert_eq!(a.header.card_images(), b.header.card_images());
    }
    // A second one with the same HDRNAME is refused and changes nothing.
    let before = std::fs::read(&flt).unwrap();
    let e = headerlet::attach(&flt, &hlet).unwrap_err().to_string();
    assert!(e.contains("j94f05bgq_flt.fits") && e.contains("already has a headerlet"), "{e}");
    assert_eq!(std::fs::read(&flt).unwrap(), before);
}

#[test]
fn lists_the_hdrlets_of_the_sample_flc() {
    let path = common::testdata().join("hst/sample_flc_header.fits");
    let listed = headerlet::list(&path).unwrap();
    let got: Vec<(i64, &str, &str)> =
        listed.iter().map(|i| (i.extver, i.hdrname.as_str(), i.wcsname.as_str())).collect();
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[0], (1, "jbt122x8q_flt_OPUS", "OPUS"));
    assert_eq!(got[1], (2, "jbt122x8q_flc_dce75a_hlet.fits", "IDC_4bb1536cj"));
    assert_eq!(got[2].0, 18);
    // Every embedded headerlet decodes and its SIPWCS WCSs evaluate.
    for info in &listed {
        let h = headerlet::read_extension(&path, info.extver).unwrap();
        assert_eq!(h.hdrname(), info.hdrname);
        assert_eq!(h.destim(), "jbt122x8q");
        for (ver, _) in h.sipwcs() {
            let w = h.wcs(ver).unwrap();
            let (ra, dec) = w.pix2world(2048.0, 1024.0);
            assert!(ra.is_finite() && dec.is_finite());
        }
    }
}

#[test]
fn lists_the_hdrlets_of_the_svm_sample() {
    let Some(shared) = common::shared_hst() else {
        common::skip_notice("lists_the_hdrlets_of_the_svm_sample");
        return;
    };
    let path = shared.join("drizzlepac/sample_svm_flc.fits");
    let listed = headerlet::list(&path).unwrap();
    assert_eq!(listed.len(), 10);
    assert!(listed.iter().all(|i| !i.hdrname.is_empty() && !i.wcsname.is_empty()), "{listed:?}");
    for info in &listed {
        let h = headerlet::read_extension(&path, info.extver).unwrap();
        assert_eq!(h.wcsname(), info.wcsname);
    }
}

#[test]
fn real_headerlet_file_read_and_applied() {
    let Some(shared) = common::shared_hst() else {
        common::skip_notice("real_headerlet_file_read_and_applied");
        return;
    };
    let hlet = Headerlet::from_file(&shared.join("stwcs/ia1d23dmq_flt_hlet.fits")).unwrap();
    assert_eq!(hlet.hdrname(), "OPUS");
    assert_eq!(hlet.wcsname(), "IDC_w3m18525i");
    assert_eq!(hlet.destim(), "ia1d23dmq");
    assert_eq!(hlet.sipwcs().count(), 1);
    // A WFC3/IR exposure with the same IDCTAB, renamed to the headerlet's DESTIM.
    let dir = tempfile::tempdir().unwrap();
    let flt = dir.path().join("ia1d23dmq_flt.fits");
    std::fs::copy(common::testdata().join("hst/test_drizzlepac_flt.fits"), &flt).unwrap();
    edit(&flt, |i, h| {
        if i == 0 {
            h.set("ROOTNAME", "ia1d23dmq");
        }
    });
    // Different DISTNAME: refused without force, file unchanged.
    let before = std::fs::read(&flt).unwrap();
    let e = headerlet::apply_as_primary(&flt, &hlet, &ApplyOptions::default()).unwrap_err().to_string();
    assert!(e.contains("ia1d23dmq_flt.fits") && e.contains("DISTNAME"), "{e}");
    assert_eq!(std::fs::read(&flt).unwrap(), before);
    let r = headerlet::apply_as_primary(&flt, &hlet, &ApplyOptions { force: true, ..Default::default() }).unwrap();
    assert_eq!(r.chips, [("SCI".to_string(), 1)]);
    let mut fits = Fits::open(&flt).unwrap();
    let got = fits.wcs(1, ' ').unwrap();
    let want = hlet.wcs(1).unwrap();
    let grid = common::chip_grid(1014, 1014, 16);
    let a: Vec<(f64, f64)> = grid.iter().map(|&(x, y)| got.pix2world(x, y)).collect();
    let b: Vec<(f64, f64)> = grid.iter().map(|&(x, y)| want.pix2world(x, y)).collect();
    let d = common::max_sep_mas(&a, &b) / 3.6e6;
    eprintln!("ia1d23dmq headerlet applied: max difference {d:e} deg");
    assert!(d <= 1e-12, "{d:e}");
    let p = fits.primary_header();
    assert_eq!(p.get_str("DISTNAME").unwrap(), Some("ia1d23dmq_w3m18525i-NOMODEL-NOMODEL"));
    assert_eq!(p.get_str("UPWCSVER").unwrap(), Some("1.2.3.dev"));
    assert_eq!(fits.hdu(1).header.get_str("WCSNAME").unwrap(), Some("IDC_w3m18525i"));
}

#[test]
fn failures_leave_files_unchanged() {
    let (dir, flt) = j94();
    let hlet = headerlet::create(&flt, &hlet_options()).unwrap();
    let before = std::fs::read(&flt).unwrap();
    let same = |what: &str| assert_eq!(std::fs::read(&flt).unwrap(), before, "{what} changed the file");

    // Wrong destination.
    let mut other = hlet.clone();
    other.primary.set("DESTIM", "zzzzzzzzz");
    let e = headerlet::apply_as_primary(&flt, &other, &ApplyOptions::default()).unwrap_err().to_string();
    assert!(e.contains("j94f05bgq_flt.fits") && e.contains("DESTIM") && e.contains("zzzzzzzzz"), "{e}");
    same("a wrong DESTIM");
    let e = headerlet::attach(&flt, &other).unwrap_err().to_string();
    assert!(e.contains("DESTIM"), "{e}");
    same("attaching to the wrong file");

    // A SIPWCS aimed at a missing chip.
    let mut other = hlet.clone();
    other.hdus[0].header.set("TG_EVER", 7i64);
    let e = headerlet::apply_as_primary(&flt, &other, &ApplyOptions::default()).unwrap_err().to_string();
    assert!(e.contains("[SCI,7]"), "{e}");
    same("a missing target");

    // A missing lookup table.
    let mut other = hlet.clone();
    other.hdus.retain(|h| !(h.extname == "WCSDVARR" && h.extver == 3));
    let e = headerlet::apply_as_primary(&flt, &other, &ApplyOptions::default()).unwrap_err().to_string();
    assert!(e.contains("not a valid headerlet") && e.contains("WCSDVARR,3"), "{e}");
    same("a missing table");

    // Not a headerlet at all.
    let e = Headerlet::from_file(&flt).unwrap_err().to_string();
    assert!(e.contains("j94f05bgq_flt.fits") && e.contains("DESTIM"), "{e}");
    let junk = dir.path().join("junk_hlet.fits");
    std::fs::write(&junk, b"not FITS").unwrap();
    assert!(Headerlet::from_file(&junk).unwrap_err().to_string().contains("junk_hlet.fits"));

    // No name to give the headerlet: nothing written.
    let bare = dir.path().join("bare_flt.fits");
    std::fs::copy(&flt, &bare).unwrap();
    edit(&bare, |_, h| {
        h.remove("WCSNAME");
    });
    let e = headerlet::write_headerlet(&bare, Some("flt"), &CreateOptions::default()).unwrap_err().to_string();
    assert!(e.contains("bare_flt.fits") && e.contains("WCSNAME"), "{e}");
    assert!(!dir.path().join("bare_flt_hlet.fits").exists());
    // Key O is reserved.
    let e = headerlet::create(&flt, &CreateOptions { key: Some('O'), ..hlet_options() }).unwrap_err().to_string();
    assert!(e.contains("reserved"), "{e}");
    same("creating headerlets");
}
