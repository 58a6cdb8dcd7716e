//! The guide-star-offset a priori WCS against stwcs 1.7.7 (`AstrometryDB.updateObs` →
//! `apply_new_apriori`) on a small simulated ACS/WFC exposure: fixture
//! `testdata/gs_offset/gs_offset.json` from `testdata/scripts/make_gs_offset_fixtures.py`.
//! Every branch: a real shift (through the a priori stage with a loopback astrometry
//! database that knows nothing and a loopback guide-star service), zero deltas, a rejected
//! request and no service at all.

use driz_align::apriori::apply_with;
use driz_align::gs_offset::{self, GuideStarService};
use driz_catalog::AstrometryDb;
use driz_catalog::test_server::{Reply, Route, TestServer, closed_port_url};
use driz_fits::Fits;
use driz_header::Header;
use driz_simulate::{Config, Instrument, simulate};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// CRVAL agreement (degrees); the reference writes 14 significant digits (1e-11° here).
const CRVAL_TOL: f64 = 1e-10;
/// CD agreement (relative). stwcs's 5-point derivative (steps of 1–2.6 pixels) works on
/// sky coordinates in degrees, whose f64 rounding (3e-14° at RA 150°, 2e-9 pixel) leaves
/// ~1e-8 relative noise in its CD: applying a zero shift changes its CD by up to 8e-9.
const CD_TOL: f64 = 3e-8;

fn fixture() -> &'static Json {
    static F: OnceLock<Json> = OnceLock::new();
    F.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/gs_offset/gs_offset.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn num(v: &Json) -> f64 {
    v.as_str().map(|s| s.parse().unwrap()).or_else(|| v.as_f64()).unwrap()
}

/// The fixture's exposure with the pipeline-default WCS, made once.
fn dataset() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let f = fixture();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gs-offset-acs");
        let _ = std::fs::remove_dir_all(&dir);
        let mut cfg = Config::new(Instrument::AcsWfc, 1, f["seed"].as_u64().unwrap());
        cfg.small = true;
        simulate(&cfg, &dir).unwrap();
        // SAFETY: set once, before any other thread of this binary reads it.
        unsafe { std::env::set_var("jref", format!("{}/", dir.join("ref").display())) };
        let flc = dir.join(format!("{}_flc.fits", f["rootname"].as_str().unwrap()));
        driz_updatewcs::updatewcs(&flc, &driz_updatewcs::Options::default()).unwrap();
        dir
    })
}

/// A fresh copy of the FLC in its own directory.
fn work() -> (tempfile::TempDir, PathBuf) {
    let name = format!("{}_flc.fits", fixture()["rootname"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join(&name);
    std::fs::copy(dataset().join(&name), &to).unwrap();
    (dir, to)
}

fn text(h: &Header, k: &str) -> Option<String> {
    h.get_str(k).ok().flatten().map(|s| s.trim().to_string())
}

fn f64_of(h: &Header, k: &str) -> f64 {
    h.get_f64(k).unwrap().unwrap_or_else(|| panic!("{k} missing"))
}

fn relative(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// Compare a chip-like header's linear WCS with a fixture entry; returns (max |ΔCRVAL|°,
/// max relative ΔCD).
fn compare_wcs(h: &Header, e: &Json, what: &str) -> (f64, f64) {
    let mut dv: f64 = 0.0;
    let mut dcd: f64 = 0.0;
    for i in 0..2 {
        dv = dv.max((f64_of(h, &format!("CRVAL{}", i + 1)) - num(&e["crval"][i])).abs());
        assert_eq!(f64_of(h, &format!("CRPIX{}", i + 1)), num(&e["crpix"][i]), "{what}: CRPIX{}", i + 1);
        for j in 0..2 {
            dcd = dcd.max(relative(f64_of(h, &format!("CD{}_{}", i + 1, j + 1)), num(&e["cd"][i][j])));
        }
    }
    assert!(dv <= CRVAL_TOL, "{what}: CRVAL differs by {dv}°");
    assert!(dcd <= CD_TOL, "{what}: CD differs by {dcd} (relative)");
    (dv, dcd)
}

fn compare_headerlet_keys(p: &Header, e: &Json, what: &str) {
    let e = e.as_object().unwrap();
    for k in ["DESTIM", "HDRNAME", "WCSNAME", "AUTHOR", "DESCRIP", "CATALOG"] {
        assert_eq!(text(p, k).unwrap_or_default(), e.get(k).and_then(Json::as_str).unwrap_or(""), "{what}: {k}");
    }
    assert_eq!(p.get_i64("NMATCH").unwrap(), e.get("NMATCH").and_then(Json::as_i64), "{what}: NMATCH");
    for k in ["D_RA", "D_DEC", "D_ROLL", "D_SCALE"] {
        match e.get(k) {
            Some(v) => assert_eq!(f64_of(p, k), num(v), "{what}: {k}"),
            None => assert!(!p.contains(k), "{what}: {k} should be absent"),
        }
    }
}

/// The file and its headerlet files against the reference's outcome of `scenario`.
fn compare_with_reference(file: &Path, scenario: &str) -> (f64, f64) {
    let expected = &fixture()["scenarios"][scenario];
    let out = &expected["output"];
    let mut fits = Fits::open(file).unwrap();
    // The port writes no WCSCORR table (stwcs creates one in `updatewcs_with_shift`).
    let reference_hdus: Vec<&str> =
        out["extnames"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).filter(|n| *n != "WCSCORR").collect();
    let hdus: Vec<&str> =
        fits.hdus().iter().map(|h| if h.index == 0 { "PRIMARY" } else { h.extname.as_str() }).collect();
    assert_eq!(hdus, reference_hdus, "{scenario}: HDUs (WCSCORR aside)");
    assert_eq!(fits.primary_header().get_i64("NEXTEND").unwrap(), Some(hdus.len() as i64 - 1), "{scenario}: NEXTEND");
    let (mut dv, mut dcd) = (0.0f64, 0.0f64);
    for e in out["chips"].as_array().unwrap() {
        let extver = e["extver"].as_i64().unwrap();
        let h = &fits.hdu(fits.position("SCI", extver).unwrap()).header;
        let what = format!("{scenario} SCI,{extver}");
        let (a, b) = compare_wcs(h, e, &what);
        (dv, dcd) = (dv.max(a), dcd.max(b));
        for k in ["wcsname", "wcstype", "hdrname"] {
            assert_eq!(text(h, &k.to_uppercase()).as_deref(), e[k].as_str(), "{what}: {k}");
        }
        let alternates: BTreeMap<String, String> = driz_updatewcs::altwcs::keys(h)
            .into_iter()
            .filter(|k| *k != ' ')
            .map(|k| (k.to_string(), text(h, &format!("WCSNAME{k}")).unwrap_or_default()))
            .collect();
        let expected_alt: BTreeMap<String, String> =
            e["alternates"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().into())).collect();
        assert_eq!(alternates, expected_alt, "{what}: alternate WCSs");
    }
    let hdrlets: Vec<_> = fits.hdus().iter().filter(|h| h.extname == "HDRLET").map(|h| (h.index, h.extver)).collect();
    let expected_hdrlets = out["hdrlets"].as_array().unwrap();
    assert_eq!(hdrlets.len(), expected_hdrlets.len(), "{scenario}: HDRLET count");
    for ((index, extver), e) in hdrlets.into_iter().zip(expected_hdrlets) {
        let what = format!("{scenario} HDRLET {index}");
        // stwcs numbers the a priori HDRLET by its HDU index (one more there: WCSCORR).
        let reference_extver = e["extver"].as_i64().unwrap();
        if reference_extver == e["index"].as_i64().unwrap() {
            assert_eq!(extver, index as i64, "{what}: EXTVER = HDU index");
        } else {
            assert_eq!(extver, reference_extver, "{what}: EXTVER");
        }
        let h = fits.hdu(index).header.clone();
        assert_eq!(text(&h, "HDRNAME").as_deref(), e["hdrname"].as_str(), "{what}: HDRNAME");
        assert_eq!(text(&h, "WCSNAME").as_deref(), e["wcsname"].as_str(), "{what}: WCSNAME");
        let bytes = fits.read_bytes(index).unwrap();
        let hlet = driz_updatewcs::headerlet::Headerlet::from_bytes(&bytes, file).unwrap();
        compare_headerlet_keys(&hlet.primary, &e["primary"], &what);
        for ((_, sip), es) in hlet.sipwcs().zip(e["sipwcs"].as_array().unwrap()) {
            compare_wcs(sip, es, &what);
        }
    }
    let dir = file.parent().unwrap();
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_hlet.fits"))
        .collect();
    files.sort();
    let expected_files: Vec<String> = expected["hlet_files"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(files, expected_files, "{scenario}: headerlet files");
    for (name, e) in expected["hlet_files"].as_object().unwrap() {
        let hlet = driz_updatewcs::headerlet::Headerlet::from_file(&dir.join(name)).unwrap();
        let what = format!("{scenario} {name}");
        compare_headerlet_keys(&hlet.primary, &e["primary"], &what);
        for ((_, sip), es) in hlet.sipwcs().zip(e["sipwcs"].as_array().unwrap()) {
            compare_wcs(sip, es, &what);
        }
    }
    (dv, dcd)
}

fn gsc_route(scenario: &str) -> Route {
    let xml = fixture()["gsc_xml"][scenario].as_str().unwrap().to_string();
    Route::new("/GSCConvert/GSCconvert.aspx", Reply::ok("text/xml", xml)).with_query("IPPPSSOOT=JSM001A1Q")
}

#[test]
fn simulated_input_is_the_reference_input() {
    let (_dir, file) = work();
    let fits = Fits::open(&file).unwrap();
    for e in fixture()["input"]["chips"].as_array().unwrap() {
        let extver = e["extver"].as_i64().unwrap();
        let h = &fits.hdu(fits.position("SCI", extver).unwrap()).header;
        let (dv, dcd) = compare_wcs(h, e, &format!("input SCI,{extver}"));
        eprintln!("input SCI,{extver}: ΔCRVAL {dv:.1e}°, ΔCD {dcd:.1e}");
        assert_eq!(text(h, "WCSNAME").as_deref(), e["wcsname"].as_str());
    }
}

#[test]
fn combined_wcs_and_pixel_shift_match_find_gsc_offset() {
    let (_dir, file) = work();
    let frame = gs_offset::reference_frame(&file).unwrap();
    let expected = &fixture()["scenarios"]["success"];
    let e = &expected["expwcs"];
    assert_eq!(frame.size, [e["naxis"][0].as_u64().unwrap() as usize, e["naxis"][1].as_u64().unwrap() as usize]);
    for i in 0..2 {
        assert!((frame.wcs.crval[i] - num(&e["crval"][i])).abs() < 1e-12, "CRVAL{}", i + 1);
        assert_eq!(frame.wcs.crpix[i], num(&e["crpix"][i]));
        for j in 0..2 {
            assert!(relative(frame.wcs.cd[i][j], num(&e["cd"][i][j])) < 1e-12, "CD{}_{}", i + 1, j + 1);
        }
    }
    let xml = fixture()["gsc_xml"]["success"].as_str().unwrap();
    let offsets = driz_catalog::parse_gsc_xml(xml, "fixture").unwrap();
    let shift = gs_offset::pixel_shift(&frame.wcs, &offsets).unwrap();
    let o = &expected["offsets"];
    let (dx, dy) = (shift[0] - num(&o["delta_x"]), shift[1] - num(&o["delta_y"]));
    eprintln!("pixel shift {shift:?}: Δ {dx:.1e}, {dy:.1e} pixels");
    assert!(dx.abs() < 1e-7 && dy.abs() < 1e-7, "{dx} {dy}");
}

#[test]
fn a_priori_stage_without_database_solution_applies_guide_star_offsets() {
    let server = TestServer::start(vec![
        Route::new("/astrometryDB/availability", Reply::ok("text/xml", "<available/>")),
        gsc_route("success"),
    ]);
    // SAFETY: the only test of this binary reading GSSS_WEBSERVICES_URL.
    unsafe { std::env::set_var("GSSS_WEBSERVICES_URL", server.base_url()) };
    let db = AstrometryDb::new(&format!("{}/astrometryDB/", server.base_url())).with_availability(
        1,
        Duration::ZERO,
        Duration::from_secs(5),
    );
    let (_dir, file) = work();
    apply_with(&db, std::slice::from_ref(&file), &[]).unwrap();
    let (dv, dcd) = compare_with_reference(&file, "success");
    eprintln!("success: max ΔCRVAL {dv:.1e}°, max relative ΔCD {dcd:.1e}");
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert!(targets.iter().any(|t| t.starts_with("/astrometryDB/observation/read/jsm001a1q")), "{targets:?}");
    assert!(targets.iter().any(|t| t == "/GSCConvert/GSCconvert.aspx?IPPPSSOOT=JSM001A1Q"), "{targets:?}");
}

#[test]
fn zero_deltas_and_a_rejected_request_follow_the_reference() {
    let server = TestServer::start(vec![gsc_route("zero")]);
    let rejecting = TestServer::start(vec![gsc_route("rejected")]);
    for (scenario, base) in [("zero", server.base_url()), ("rejected", rejecting.base_url())] {
        let (_dir, file) = work();
        let service = GuideStarService { base_url: base, timeout: Duration::from_secs(5) };
        let outcome = gs_offset::apply_guide_star_apriori(&file, &service).unwrap();
        assert_eq!(outcome.delta_pix, [0.0, 0.0]);
        let (dv, dcd) = compare_with_reference(&file, scenario);
        eprintln!("{scenario}: {}, max ΔCRVAL {dv:.1e}°, max relative ΔCD {dcd:.1e}", outcome.wcsname);
    }
}

#[test]
fn without_a_guide_star_service_the_run_goes_on_quickly() {
    let (_dir, file) = work();
    let service = GuideStarService { base_url: closed_port_url(), timeout: Duration::from_secs(30) };
    let start = Instant::now();
    let outcome = gs_offset::apply_guide_star_apriori(&file, &service).unwrap();
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    assert_eq!(outcome.offsets, driz_catalog::GsOffsets::unavailable());
    assert_eq!(outcome.wcsname, "IDC_simacs");
    compare_with_reference(&file, "down");
    // A second run changes nothing that matters: same names, no new HDRLET or file.
    let before = driz_updatewcs::headerlet::list(&file).unwrap().len();
    gs_offset::apply_guide_star_apriori(&file, &service).unwrap();
    assert_eq!(driz_updatewcs::headerlet::list(&file).unwrap().len(), before);
}
