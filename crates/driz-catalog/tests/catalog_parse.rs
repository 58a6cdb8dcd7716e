//! Parsing of recorded catalog answers and files, compared with drizzlepac's own parse of
//! the same text (create_astrometric_catalog with requests.get replaced), and the request
//! URL compared with the one drizzlepac built.

mod common;

use common::{fixture_dir, fixture_text, reference, reference_rows, target_of};
use driz_catalog::{CatalogError, CatalogQuery, CatalogService, RefCatalog, parse_service_csv, read_catalog_file};

fn assert_same_rows(ours: &RefCatalog, expected: &[(f64, f64, f64, String)], what: &str) {
    assert_eq!(ours.stars.len(), expected.len(), "{what}: row count");
    for (i, (star, (ra, dec, mag, id))) in ours.stars.iter().zip(expected).enumerate() {
        assert_eq!((star.ra, star.dec, star.mag), (*ra, *dec, *mag), "{what}: row {i}");
        assert_eq!(&star.obj_id, id, "{what}: row {i} id");
    }
}

#[test]
fn service_answers_parse_like_drizzlepac() {
    let reference = reference();
    // (The 2MASS answer, which has magnitude ties, is compared in the next test.)
    for (key, catalog) in [("gaiaedr3", "GAIAeDR3"), ("gsc242", "GSC242"), ("empty", "GAIAeDR3")] {
        let text = fixture_text(&format!("{key}_answer.csv"));
        assert!(text.contains("\r\n"), "{key}: the recorded answer is CRLF");
        let ours = parse_service_csv(&text, catalog).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(ours.name, catalog);
        assert_same_rows(&ours, &reference_rows(&reference, key), key);
    }
}

#[test]
fn ties_differ_from_drizzlepac_only_in_order_within_the_tie() {
    // The 2MASS answer has exact magnitude ties. drizzlepac's order within a tie comes from
    // numpy's CPU-dependent unstable argsort; ours keeps file order. Everything else agrees:
    // the magnitude sequence, and the set of rows within each tie.
    let reference = reference();
    let mut expected = reference_rows(&reference, "twomass");
    let mags: Vec<f64> = expected.iter().map(|r| r.2).collect();
    assert!(mags.windows(2).any(|w| w[0] == w[1]), "fixture must contain ties");
    let ours = parse_service_csv(&fixture_text("twomass_answer.csv"), "2MASS").unwrap();
    let our_mags: Vec<f64> = ours.stars.iter().map(|s| s.mag).collect();
    assert_eq!(our_mags, mags);
    // Within each tie, ours is in file order (the ids are increasing in the file).
    for w in ours.stars.windows(2) {
        if w[0].mag == w[1].mag {
            assert!(w[0].obj_id < w[1].obj_id, "{w:?}");
        }
    }
    let key = |r: &(f64, f64, f64, String)| (r.2.to_bits(), r.3.clone());
    expected.sort_by_key(key);
    let mut ours_rows: Vec<_> = ours.stars.iter().map(|s| (s.ra, s.dec, s.mag, s.obj_id.clone())).collect();
    ours_rows.sort_by_key(key);
    assert_eq!(ours_rows, expected);
}

#[test]
fn error_first_line_is_a_service_error() {
    let err = parse_service_csv(&fixture_text("error_answer.csv"), "GAIAeDR3").unwrap_err();
    assert!(matches!(&err, CatalogError::Service { message, .. } if message.starts_with("Error")), "{err}");
}

#[test]
fn malformed_answers_are_errors_not_panics() {
    for (text, what) in [
        ("summary\r\nra,dec,mag\r\n1,2\r\n", "short row"),
        ("summary\r\nra,dec,mag\r\nx,2,3\r\n", "non-numeric RA"),
        ("summary\r\nfoo,bar\r\n1,2\r\n", "missing columns"),
        ("<html>\r\n<head><title>Error</title></head>\r\n<body>Service Unavailable</body>\r\n</html>\r\n", "HTML page"),
    ] {
        assert!(parse_service_csv(text, "GAIAeDR3").is_err(), "{what}");
    }
    // As astropy's Table.read of no lines: an empty table, which drizzlepac returns as is.
    assert!(parse_service_csv("", "GAIAeDR3").unwrap().stars.is_empty());
    assert!(parse_service_csv("0 objects\r\n", "GAIAeDR3").unwrap().stars.is_empty());
}

#[test]
fn request_url_is_drizzlepacs() {
    let reference = reference();
    let q = &reference["query"];
    let base = reference["catalog_base_url"].as_str().unwrap();
    let service = CatalogService::new(base);
    for (key, catalog) in [("gaiaedr3", "GAIAeDR3"), ("gsc242", "GSC242"), ("twomass", "2MASS")] {
        let query = CatalogQuery {
            ra: q["ra"].as_f64().unwrap(),
            dec: q["dec"].as_f64().unwrap(),
            radius_deg: q["radius"].as_f64().unwrap(),
            epoch: Some(q["epoch"].as_f64().unwrap()),
            catalog: catalog.to_string(),
        };
        let expected = reference["catalogs"][key]["requests"][0]["url"].as_str().unwrap();
        assert_eq!(service.request_url(&query), expected);
        assert_eq!(target_of(expected, base), target_of(&service.request_url(&query), base));
    }
}

#[test]
fn offline_files_read_like_the_service_answer() {
    let reference = reference();
    let expected = reference_rows(&reference, "gaiaedr3");
    let dir = fixture_dir();
    // The answer as saved, drizzlepac's ECSV and align.py's commented-header table.
    for (file, name) in [
        ("gaiaedr3_answer.csv", Some("GAIAeDR3")),
        ("gaiaedr3_ref_cat.ecsv", None),
        ("gaiaedr3_refcatalog.cat", Some("GAIAeDR3")),
    ] {
        let ours = read_catalog_file(&dir.join(file), name).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(ours.name, "GAIAeDR3", "{file}");
        assert_same_rows(&ours, &expected, file);
    }
}

#[test]
fn offline_plain_csv_with_upper_case_names() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("mine.csv");
    let reference = reference();
    let expected = reference_rows(&reference, "gaiaedr3");
    // Same rows, shuffled into file order by reversing, with astropy-style upper-case names.
    let mut text = String::from("RA,DEC,MAG,OBJID\n");
    for (ra, dec, mag, id) in expected.iter().rev() {
        text.push_str(&format!("{ra},{dec},{mag},{id}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let ours = read_catalog_file(&path, None).unwrap();
    assert_eq!(ours.name, "mine");
    assert_same_rows(&ours, &expected, "plain csv");
}

#[test]
fn offline_file_errors_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.csv");
    let err = read_catalog_file(&missing, None).unwrap_err();
    assert!(err.to_string().contains("nope.csv"), "{err}");
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "x,y\n1,2\n").unwrap();
    let err = read_catalog_file(&bad, None).unwrap_err();
    assert!(err.to_string().contains("bad.csv"), "{err}");
}

#[test]
fn no_epoch_or_zero_epoch_omits_the_parameter_like_drizzlepac() {
    // drizzlepac's retry URL is its URL without EPOCH (`if epoch` is false for None and 0).
    let reference = reference();
    let q = &reference["query"];
    let base = reference["catalog_base_url"].as_str().unwrap();
    let expected = reference["catalogs"]["error_then_gaia"]["requests"][1]["url"].as_str().unwrap();
    for epoch in [None, Some(0.0)] {
        let query = CatalogQuery {
            ra: q["ra"].as_f64().unwrap(),
            dec: q["dec"].as_f64().unwrap(),
            radius_deg: q["radius"].as_f64().unwrap(),
            epoch,
            catalog: "GAIAeDR3".to_string(),
        };
        assert_eq!(CatalogService::new(base).request_url(&query), expected);
    }
}
