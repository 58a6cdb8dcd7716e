//! Reading real HST files, writing and re-reading every supported type, atomic updates,
//! and clear errors for malformed files.

mod common;

use driz_fits::{
    AsnMember, Column, Exposure, Fits, FitsWriter, HduKind, HduSpec, asn_columns, prepare_update, read_asn, update_file,
};
use driz_header::{Card, Header};
use ndarray::Array2;
use std::path::PathBuf;

fn header(cards: &[(&str, driz_header::Value)]) -> Header {
    let mut h = Header::new();
    for (k, v) in cards {
        h.append(Card::new(k, v.clone(), ""));
    }
    h
}

#[test]
fn reads_an_hst_flc_layout() {
    let path = common::testdata().join("hst/sample_flc_header.fits");
    let fits = Fits::open(&path).unwrap();
    let names: Vec<String> = fits.hdus().iter().map(|h| h.label()).collect();
    assert!(names.contains(&"SCI,2".to_string()), "{names:?}");
    assert!(names.contains(&"WCSDVARR,4".to_string()), "{names:?}");
    let exposure = Exposure::from_fits(&fits).unwrap();
    assert_eq!(exposure.rootname, "jbt122x8q");
    assert_eq!(exposure.instrument, "ACS");
    assert_eq!(exposure.detector, "WFC");
    assert_eq!(exposure.chips.len(), 2);
    assert!(exposure.filters.iter().any(|f| f == "F814W"), "{:?}", exposure.filters);
    let chip = &exposure.chips[0];
    assert_eq!(chip.extver, 1);
    assert!(chip.err.is_some() && chip.dq.is_some());
    assert_eq!(chip.ccdchip, Some(2));
    assert!(chip.wcs_keys.iter().any(|k| k.key == ' ' && k.name.as_deref().is_some_and(|n| n.contains("FIT_IMG"))));
    assert!(chip.wcs_keys.iter().any(|k| k.key == 'O'));
}

#[test]
fn reads_real_pixels_and_selectors() {
    let path = common::testdata().join("hst/test_drizzlepac_flt.fits");
    let mut fits = Fits::open(&path).unwrap();
    let sci = fits.find(&HduSpec::Name("SCI".into(), 1)).unwrap();
    assert_eq!(sci, fits.find(&HduSpec::Index(1)).unwrap());
    let data = fits.read_image::<f32>(sci).unwrap();
    assert_eq!(data.dim(), (11, 11));
    assert!(data.iter().any(|&v| v != 0.0));
    let dq = fits.find(&HduSpec::Name("dq".into(), 1)).unwrap();
    let dq_data = fits.read_image::<u16>(dq).unwrap();
    assert_eq!(dq_data.dim(), (11, 11));
    let rows = fits.read_image_rows::<f32>(sci, 3, 2).unwrap();
    assert_eq!(rows.row(0), data.row(3));
    let err = fits.find(&HduSpec::Name("SCI".into(), 7)).unwrap_err().to_string();
    assert!(err.contains("test_drizzlepac_flt.fits") && err.contains("[SCI,7]"), "{err}");
}

#[test]
fn writes_and_rereads_every_type_and_header_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roundtrip.fits");
    let long = "a very long string value ".repeat(8);
    let mut primary =
        header(&[("INSTRUME", "ACS".into()), ("EXPTIME", 507.0.into()), ("ROOTNAME", "j8bt06nyq".into())]);
    primary.set_with_comment("DESCRIP", long.as_str(), "continued over cards");
    primary.append(Card::new("STSCI PIPELINE VERSION", "3.11.0", "HIERARCH keyword"));
    primary.add_history("first history line");
    primary.append(Card::commentary("COMMENT", "a comment card"));

    let f32_data = Array2::from_shape_fn((5, 7), |(y, x)| (y * 7 + x) as f32 * 0.5 - 3.25);
    let i16_data = Array2::from_shape_fn((5, 7), |(y, x)| (y as i16 - 2) * 1000 + x as i16);
    let u16_data = Array2::from_shape_fn((5, 7), |(y, x)| (y * 7 + x) as u16 * 1500);
    let i32_data = Array2::from_shape_fn((5, 7), |(y, x)| (y as i32 - 2) * 100_000 + x as i32);
    let sci = header(&[("EXTNAME", "SCI".into()), ("EXTVER", 1.into()), ("BUNIT", "ELECTRONS".into())]);
    let err = header(&[("EXTNAME", "ERR".into()), ("EXTVER", 1.into())]);
    let dq = header(&[("EXTNAME", "DQ".into()), ("EXTVER", 1.into())]);
    let ctx = header(&[("EXTNAME", "CTX".into()), ("EXTVER", 1.into())]);

    let members = vec![
        AsnMember { name: "J8BT06NYQ".into(), kind: "EXP-DTH".into(), present: true },
        AsnMember { name: "J8BT06O1Q".into(), kind: "EXP-DTH".into(), present: false },
        AsnMember { name: "J8BT06010".into(), kind: "PROD-DTH".into(), present: true },
    ];
    let mut w = FitsWriter::create(&path).unwrap();
    w.primary(&primary).unwrap();
    w.image(&sci, f32_data.view()).unwrap();
    w.image(&err, i16_data.view()).unwrap();
    w.image(&dq, u16_data.view()).unwrap();
    w.image(&ctx, i32_data.view()).unwrap();
    w.table(&header(&[("EXTNAME", "ASN".into())]), &asn_columns(&members)).unwrap();
    let idc_columns = vec![
        ("DETCHIP".to_string(), Column::Integer(vec![1, 2])),
        ("FILTER1".to_string(), Column::Text(vec!["F606W".into(), "CLEAR1L".into()])),
        ("SCALE".to_string(), Column::Float(vec![0.05, 0.05])),
        ("CX".to_string(), Column::FloatVector(vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]])),
    ];
    w.table(&header(&[("EXTNAME", "IDC".into())]), &idc_columns).unwrap();
    assert!(!path.exists(), "nothing appears before finish");
    w.finish().unwrap();

    if let Some(keep) = std::env::var_os("DRIZ_KEEP_TEST_OUTPUT") {
        // testdata/scripts/check_driz_files_with_astropy.py reads this copy with astropy.
        std::fs::copy(&path, PathBuf::from(keep).join("roundtrip.fits")).unwrap();
    }
    let mut fits = Fits::open(&path).unwrap();
    let p = fits.primary_header();
    assert_eq!(p.get_str("DESCRIP").unwrap(), Some(long.trim_end()));
    assert_eq!(p.card("DESCRIP").unwrap().comment, "continued over cards");
    assert_eq!(p.get_str("STSCI PIPELINE VERSION").unwrap(), Some("3.11.0"));
    assert_eq!(p.commentary("HISTORY"), vec!["first history line"]);
    assert_eq!(p.get_f64("EXPTIME").unwrap(), Some(507.0));
    let order: Vec<&str> = p.cards().iter().map(|c| c.keyword.as_str()).collect();
    let pos = |k: &str| order.iter().position(|&o| o == k).unwrap();
    assert!(pos("INSTRUME") < pos("EXPTIME") && pos("EXPTIME") < pos("ROOTNAME") && pos("ROOTNAME") < pos("DESCRIP"));

    let sci_i = fits.find(&HduSpec::Name("SCI".into(), 1)).unwrap();
    assert_eq!(fits.read_image::<f32>(sci_i).unwrap(), f32_data);
    assert_eq!(fits.hdu(sci_i).header.get_str("BUNIT").unwrap(), Some("ELECTRONS"));
    let err_i = fits.find(&HduSpec::Name("ERR".into(), 1)).unwrap();
    assert_eq!(fits.read_image::<i16>(err_i).unwrap(), i16_data);
    let dq_i = fits.find(&HduSpec::Name("DQ".into(), 1)).unwrap();
    assert!(matches!(fits.hdu(dq_i).kind, HduKind::Image { bitpix: 20, .. }), "{:?}", fits.hdu(dq_i).kind);
    assert_eq!(fits.hdu(dq_i).header.get_f64("BZERO").unwrap(), Some(32768.0));
    assert_eq!(fits.read_image::<u16>(dq_i).unwrap(), u16_data);
    // Reading as float applies BZERO.
    assert_eq!(fits.read_image::<f32>(dq_i).unwrap()[(4, 6)], 34.0 * 1500.0);
    let ctx_i = fits.find(&HduSpec::Name("CTX".into(), 1)).unwrap();
    assert_eq!(fits.read_image::<i32>(ctx_i).unwrap(), i32_data);

    assert_eq!(read_asn(&path).unwrap(), members);
    let idc = fits.find(&HduSpec::Name("IDC".into(), 1)).unwrap();
    assert_eq!(fits.column_names(idc), ["DETCHIP", "FILTER1", "SCALE", "CX"]);
    for (name, column) in &idc_columns {
        assert_eq!(&fits.read_column(idc, name).unwrap(), column, "{name}");
    }
}

#[test]
fn updates_are_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exposure_flt.fits");
    std::fs::copy(common::testdata().join("hst/test_drizzlepac_flt.fits"), &path).unwrap();
    let before = std::fs::read(&path).unwrap();

    // A failing edit leaves the file byte-identical and no temporary files behind.
    let result: driz_fits::Result<()> = update_file(&path, |u| {
        let mut h = u.fits().hdu(1).header.clone();
        h.set("WCSNAME", "HALF-WRITTEN");
        u.set_header(1, &h)?;
        Err(driz_fits::FitsError::invalid(&path, "", "simulated failure"))
    });
    assert!(result.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A successful edit keeps card order and comments, changes only what was asked.
    update_file(&path, |u| {
        let mut h = u.fits().hdu(1).header.clone();
        h.set("CRVAL1", 150.25);
        h.set_with_comment("NEWKEY", "added", "appended by the test");
        u.set_header(1, &h)?;
        let data = Array2::<f32>::from_elem((11, 11), 7.0);
        u.write_image(1, data.view())
    })
    .unwrap();
    let original = Fits::open(common::testdata().join("hst/test_drizzlepac_flt.fits")).unwrap();
    let mut updated = Fits::open(&path).unwrap();
    let (old, new) = (&original.hdu(1).header, &updated.hdu(1).header);
    assert_eq!(new.get_f64("CRVAL1").unwrap(), Some(150.25));
    assert_eq!(new.card("CRVAL1").unwrap().comment, old.card("CRVAL1").unwrap().comment);
    assert_eq!(new.card("NEWKEY").unwrap().comment, "appended by the test");
    let keys = |h: &Header| h.cards().iter().map(|c| c.keyword.clone()).collect::<Vec<_>>();
    let mut expected = keys(old);
    expected.push("NEWKEY".into());
    assert_eq!(keys(new), expected);
    assert_eq!(updated.read_image::<f32>(1).unwrap()[(5, 5)], 7.0);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A prepared update changes nothing until committed; dropped, it leaves no copy behind.
    let edit = |value: &'static str| {
        move |u: &mut driz_fits::FitsUpdate| {
            let mut h = u.fits().hdu(1).header.clone();
            h.set("PREPARED", value);
            u.set_header(1, &h)
        }
    };
    let before = std::fs::read(&path).unwrap();
    let ((), pending) = prepare_update(&path, edit("dropped")).unwrap();
    assert_eq!(pending.target(), path.as_path());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "the synced copy waits beside the file");
    drop(pending);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let ((), pending) = prepare_update(&path, edit("committed")).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    pending.commit().unwrap();
    assert_eq!(Fits::open(&path).unwrap().hdu(1).header.get_str("PREPARED").unwrap(), Some("committed"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn compressed_files_are_not_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.fits.gz");
    std::fs::copy(common::testdata().join("hst/2chipA.fits.gz"), &path).unwrap();
    let err = update_file(&path, |_| Ok(())).unwrap_err().to_string();
    assert!(err.contains("gzip") && err.contains("a.fits.gz"), "{err}");
}

#[test]
fn malformed_files_give_named_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(common::testdata().join("hst/test_drizzlepac_flt.fits")).unwrap();

    let missing = dir.path().join("nope.fits");
    let e = Fits::open(&missing).err().unwrap().to_string();
    assert!(e.contains("nope.fits") && e.contains("no such file"), "{e}");

    // Cut inside a data unit or inside a later header: the file must be refused on open,
    // not read with the missing bytes as fill. (A file missing only the last block's fill
    // is read, as astropy does.)
    let second_header = good.windows(8).skip(2880).position(|w| w == b"XTENSION").unwrap() + 2880;
    for cut in [good.len() / 3, second_header + 1000] {
        let truncated = dir.path().join("truncated.fits");
        std::fs::write(&truncated, &good[..cut]).unwrap();
        let e = Fits::open(&truncated).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("truncated.fits") && e.contains("truncated"), "cut at {cut}: {e}");
    }

    let garbage = dir.path().join("garbage.fits");
    std::fs::write(&garbage, b"this is not a FITS file at all".repeat(100)).unwrap();
    let e = Fits::open(&garbage).err().unwrap().to_string();
    assert!(e.contains("garbage.fits") && e.contains("cannot open as FITS"), "{e}");

    // A garbled WCS keyword: the error names the file, the HDU and the keyword.
    let garbled = dir.path().join("garbled.fits");
    std::fs::write(&garbled, &good).unwrap();
    update_file(&garbled, |u| {
        let mut h = u.fits().hdu(1).header.clone();
        h.set("CD1_1", "not a number");
        u.set_header(1, &h)
    })
    .unwrap();
    let e = Fits::open(&garbled).unwrap().wcs(1, ' ').unwrap_err().to_string();
    assert!(e.contains("garbled.fits[SCI,1]") && e.contains("CD1_1"), "{e}");

    // A missing WCS keyword.
    let nokey = dir.path().join("nokey.fits");
    std::fs::write(&nokey, &good).unwrap();
    update_file(&nokey, |u| {
        let mut h = u.fits().hdu(1).header.clone();
        h.remove("CRVAL1");
        u.set_header(1, &h)
    })
    .unwrap();
    let e = Fits::open(&nokey).unwrap().wcs(1, ' ').unwrap_err().to_string();
    assert!(e.contains("nokey.fits[SCI,1]") && e.contains("CRVAL1"), "{e}");

    // A NaN SIP coefficient.
    let nan = dir.path().join("nan.fits");
    std::fs::write(&nan, &good).unwrap();
    update_file(&nan, |u| {
        let mut h = u.fits().hdu(1).header.clone();
        h.set("A_2_0", f64::NAN);
        u.set_header(1, &h)
    })
    .unwrap();
    let e = Fits::open(&nan).unwrap().wcs(1, ' ').unwrap_err().to_string();
    assert!(e.contains("nan.fits[SCI,1]") && e.contains("A_2_0") && e.contains("not finite"), "{e}");

    // A missing lookup-table extension.
    let lost = dir.path().join("lost_table.fits");
    let src = common::testdata().join("hst/sample_flc_header.fits");
    std::fs::copy(&src, &lost).unwrap();
    update_file(&lost, |u| {
        let i = u.fits().position("WCSDVARR", 1).unwrap();
        u.delete_hdu(i)
    })
    .unwrap();
    let e = Fits::open(&lost).unwrap().wcs(1, ' ').unwrap_err().to_string();
    assert!(e.contains("lost_table.fits[SCI,1]") && e.contains("WCSDVARR 1"), "{e}");
}

/// Images with long headers, whose cards the writer puts in before CFITSIO places the data
/// unit (a speed fix, measured in the AstroDrizzle benchmark): every card and pixel comes
/// back, and the file is exactly its header blocks plus its data blocks.
#[test]
fn long_headers_on_images_and_cubes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.fits");
    let mut h = Header::new();
    for k in 0..300 {
        h.append(Card::new(&format!("KEY{k:05}"), driz_header::Value::Float(k as f64 * 0.5), "a card"));
    }
    let image = Array2::from_shape_fn((300, 200), |(y, x)| (y * 1000 + x) as f32);
    let cube = ndarray::Array3::from_shape_fn((2, 30, 20), |(z, y, x)| (z * 10000 + y * 100 + x) as i32);
    let mut w = FitsWriter::create(&path).unwrap();
    w.primary_image(&h, image.view()).unwrap();
    w.image(&h, image.view()).unwrap();
    w.cube(&h, cube.view()).unwrap();
    w.finish().unwrap();
    let mut f = Fits::open(&path).unwrap();
    for index in 0..3 {
        let hdr = &f.hdu(index).header;
        assert_eq!(hdr.get_f64("KEY00299").unwrap(), Some(149.5), "HDU {index}");
        assert_eq!(hdr.cards().iter().filter(|c| c.keyword.starts_with("KEY")).count(), 300, "HDU {index}");
    }
    assert_eq!(f.read_image::<f32>(0).unwrap(), image);
    assert_eq!(f.read_image::<f32>(1).unwrap(), image);
    let blocks = |bytes: usize| bytes.div_ceil(2880) * 2880;
    // 300 cards + the structural ones fit in 9 header blocks of 36 cards.
    let header_bytes = 9 * 2880;
    let expected = 2 * (header_bytes + blocks(300 * 200 * 4)) + header_bytes + blocks(2 * 30 * 20 * 4);
    assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, expected);
}

/// The writer starts a file without HDUs and makes the primary with its first write: an
/// extension or a table first gets an empty primary before it, an unused writer still leaves
/// a valid file, and a primary set twice keeps only the second.
#[test]
fn the_first_write_makes_the_primary_whatever_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let image = Array2::from_shape_fn((3, 4), |(y, x)| (y * 4 + x) as f32);
    let sci = header(&[("EXTNAME", "SCI".into())]);

    let empty = dir.path().join("empty.fits");
    FitsWriter::create(&empty).unwrap().finish().unwrap();
    let f = Fits::open(&empty).unwrap();
    assert_eq!(f.hdus().len(), 1);
    assert!(matches!(f.hdu(0).kind, HduKind::Image { bitpix: 8, .. }), "{:?}", f.hdu(0).kind);
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 2880);

    let extension_first = dir.path().join("extension_first.fits");
    let mut w = FitsWriter::create(&extension_first).unwrap();
    w.image(&sci, image.view()).unwrap();
    w.table(&header(&[("EXTNAME", "TAB".into())]), &[("N".to_string(), Column::Integer(vec![1, 2]))]).unwrap();
    w.finish().unwrap();
    let mut f = Fits::open(&extension_first).unwrap();
    assert_eq!(f.hdus().len(), 3);
    assert_eq!(f.hdu(0).image_size(), None);
    assert_eq!(f.read_image::<f32>(f.find(&HduSpec::Name("SCI".into(), 1)).unwrap()).unwrap(), image);

    let primary_twice = dir.path().join("primary_twice.fits");
    let mut w = FitsWriter::create(&primary_twice).unwrap();
    w.primary(&header(&[("FIRST", 1.into())])).unwrap();
    w.primary_image(&header(&[("SECOND", 2.into())]), image.view()).unwrap();
    w.image(&sci, image.view()).unwrap();
    w.finish().unwrap();
    let mut f = Fits::open(&primary_twice).unwrap();
    assert_eq!(f.hdus().len(), 2);
    assert!(!f.primary_header().contains("FIRST"));
    assert_eq!(f.primary_header().get_i64("SECOND").unwrap(), Some(2));
    assert_eq!(f.read_image::<f32>(0).unwrap(), image);
    assert_eq!(f.read_image::<f32>(1).unwrap(), image);
}
