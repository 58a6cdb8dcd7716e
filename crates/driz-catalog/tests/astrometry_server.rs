//! The astrometry database and guide-star clients against the local test server, compared
//! with what stwcs 1.7.7 requested and parsed from the same recorded answers.

mod common;

use common::{fixture_bytes, fixture_dir, fixture_text, reference, target_of};
use driz_catalog::test_server::{Reply, Route, TestServer, closed_port_url};
use driz_catalog::{AstrometryDb, DbError, GsOffsets, TransportFailure, gsc_offsets, gsc_offsets_url};
use std::time::{Duration, Instant};

const ROOT: &str = "ia1d23dmq";

fn db_routes() -> Vec<Route> {
    vec![
        Route::new("/availability", Reply::ok("text/xml", "<available/>")),
        Route::new(
            &format!("/observation/read/{ROOT}"),
            Reply::ok("application/fits", fixture_bytes("headerlet_fit.fits")),
        )
        .with_query("wcsname=IDC_w3m18525i-FIT_REL_GAIAeDR3"),
        Route::new(
            &format!("/observation/read/{ROOT}"),
            Reply::ok("application/fits", fixture_bytes("headerlet_opus.fits")),
        )
        .with_query("wcsname=IDC_w3m18525i"),
        Route::new(
            &format!("/observation/read/{ROOT}"),
            Reply::ok("text/xml", fixture_text("observation_two_solutions.xml")),
        ),
    ]
}

fn db(server: &TestServer) -> AstrometryDb {
    AstrometryDb::new(&format!("{}/", server.base_url())).with_timeout(Duration::from_secs(5)).with_availability(
        3,
        Duration::ZERO,
        Duration::from_secs(2),
    )
}

#[test]
fn observation_and_headerlets_follow_stwcs() {
    let server = TestServer::start(db_routes());
    let client = db(&server);
    assert!(client.available());
    let obs = client.observation(&format!("{ROOT}_flt")).unwrap();
    let reference = reference();
    let expected = &reference["astrometry_db"];
    let solutions: Vec<Vec<(String, String)>> = expected["solutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|kv| (kv[0].as_str().unwrap().into(), kv[1].as_str().unwrap().into()))
                .collect()
        })
        .collect();
    assert_eq!(obs.solutions.iter().map(|s| s.fields.clone()).collect::<Vec<_>>(), solutions);
    assert!(!obs.new_observation);
    assert_eq!(obs.best_wcs_name(), expected["best_wcs_name"].as_str());
    for solution in &obs.solutions {
        let bytes = client.headerlet_bytes(ROOT, &solution.wcs_name).unwrap();
        let file = if solution.wcs_name.contains("FIT") { "headerlet_fit.fits" } else { "headerlet_opus.fits" };
        assert_eq!(bytes, fixture_bytes(file), "{}", solution.wcs_name);
    }
    // Same requests, in the same order, with the same Content-Type headers as stwcs.
    let base = reference["db_base_url"].as_str().unwrap();
    let sent: Vec<(String, Option<String>)> =
        server.requests().iter().map(|r| (r.target.clone(), r.header("content-type").map(str::to_string))).collect();
    let stwcs: Vec<(String, Option<String>)> = expected["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (target_of(r["url"].as_str().unwrap(), base), r["headers"]["Content-Type"].as_str().map(str::to_string))
        })
        .collect();
    assert_eq!(sent, stwcs);
}

#[test]
fn not_found_is_a_new_observation() {
    let server = TestServer::start(vec![Route::new(
        "/observation/read/j8bt06nyq",
        Reply::status(404, "text/plain", "not found"),
    )]);
    let obs = db(&server).observation("j8bt06nyq").unwrap();
    assert!(obs.new_observation && obs.solutions.is_empty() && obs.best_solution_id.is_none());
}

#[test]
fn failures_are_typed_errors() {
    let server = TestServer::start(vec![
        Route::new("/observation/read/aaa", Reply::status(500, "text/plain", "boom")),
        Route::new("/observation/read/bbb", Reply::ok("text/xml", "<observation><solution>")),
        Route::new("/observation/read/ccc", Reply::Garbage),
        Route::new("/observation/read/ddd", Reply::ok("text/xml", "<x/>").delayed(Duration::from_secs(3))),
        Route::new("/observation/read/eee", Reply::status(404, "text/plain", "no")).with_query("wcsname="),
    ]);
    let client = db(&server).with_timeout(Duration::from_millis(300));
    assert!(matches!(client.observation("aaa"), Err(DbError::Status { status: 500, .. })));
    let xml = client.observation("bbb").unwrap_err();
    assert!(matches!(xml, DbError::Xml { .. }) && xml.to_string().contains("/observation/read/bbb"), "{xml}");
    assert!(matches!(client.observation("ccc"), Err(DbError::Transport { .. })));
    let start = Instant::now();
    assert!(matches!(client.observation("ddd"), Err(DbError::Transport { failure: TransportFailure::Timeout, .. })));
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(matches!(client.headerlet_bytes("eee", "IDC_x"), Err(DbError::Status { status: 404, .. })));
}

#[test]
fn availability_retries_then_gives_up() {
    let server = TestServer::start(vec![Route::new("/availability", Reply::status(503, "text/plain", "maintenance"))]);
    let err = db(&server).availability().unwrap_err();
    assert!(matches!(err, DbError::Unavailable { attempts: 3, .. }), "{err}");
    assert!(err.to_string().contains("503") && err.to_string().contains("/availability"), "{err}");
    assert_eq!(server.requests().len(), 3);

    let refused = AstrometryDb::new(&format!("{}/", closed_port_url())).with_availability(
        2,
        Duration::ZERO,
        Duration::from_secs(1),
    );
    assert!(!refused.available());

    let slow = TestServer::start(vec![Route::new(
        "/availability",
        Reply::ok("text/xml", "<ok/>").delayed(Duration::from_secs(3)),
    )]);
    let client = AstrometryDb::new(&format!("{}/", slow.base_url())).with_availability(
        1,
        Duration::ZERO,
        Duration::from_millis(200),
    );
    let start = Instant::now();
    assert!(!client.available());
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn disabled_step_makes_no_request() {
    let server = TestServer::start(db_routes());
    let client = db(&server).with_enabled(false);
    assert!(!client.available());
    assert!(matches!(client.observation(ROOT), Err(DbError::Disabled)));
    assert!(server.requests().is_empty());
}

#[test]
fn env_lookup_follows_stwcs_rules() {
    let env = |k: &str| match k {
        "ASTROMETRY_STEP_CONTROL" => Some("Off".to_string()),
        "RAISE_PIPELINE_ERRORS" => Some("TRUE".to_string()),
        "ASTROMETRY_SERVICE_URL" => Some("http://db.invalid/".to_string()),
        _ => None,
    };
    let db = AstrometryDb::from_lookup(&env).unwrap();
    assert!(!db.enabled() && db.raise_errors());
    assert_eq!(db.base_url(), Some("http://db.invalid/"));
    let defaults = AstrometryDb::from_lookup(&|_: &str| None).unwrap();
    assert!(defaults.enabled() && !defaults.raise_errors());
    assert_eq!(defaults.base_url(), Some(driz_catalog::DEFAULT_ASTROMETRY_URL));
    for (name, value) in
        [("ASTROMETRY_STEP_CONTROL", "yes"), ("RAISE_PIPELINE_ERRORS", "on"), ("ASTROMETRY_STEP_CONTROL", " on")]
    {
        let bad = move |k: &str| (k == name).then(|| value.to_string());
        let err = AstrometryDb::from_lookup(&bad).unwrap_err();
        assert_eq!(err.name, name);
    }
}

#[test]
fn offline_directory_plays_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let obs_dir = dir.path().join(ROOT);
    std::fs::create_dir(&obs_dir).unwrap();
    std::fs::copy(fixture_dir().join("headerlet_opus.fits"), obs_dir.join("a_opus.fits")).unwrap();
    std::fs::copy(fixture_dir().join("headerlet_fit.fits"), obs_dir.join("b_fit.fits")).unwrap();
    std::fs::write(obs_dir.join("best.txt"), "IDC_w3m18525i-FIT_REL_GAIAeDR3\n").unwrap();
    let db = AstrometryDb::offline(dir.path());
    assert!(db.available());
    let obs = db.observation(&format!("{ROOT}_flc")).unwrap();
    let names: Vec<&str> = obs.solutions.iter().map(|s| s.wcs_name.as_str()).collect();
    assert_eq!(names, ["IDC_w3m18525i", "IDC_w3m18525i-FIT_REL_GAIAeDR3"]);
    assert_eq!(obs.best_wcs_name(), Some("IDC_w3m18525i-FIT_REL_GAIAeDR3"));
    assert_eq!(db.headerlet_bytes(ROOT, "IDC_w3m18525i").unwrap(), fixture_bytes("headerlet_opus.fits"));
    assert!(matches!(db.headerlet_bytes(ROOT, "IDC_nothing"), Err(DbError::HeaderletNotFound { .. })));
    let new = db.observation("j8bt06nyq").unwrap();
    assert!(new.new_observation);
    assert!(!AstrometryDb::offline(&dir.path().join("missing")).available());
}

#[test]
fn guide_star_offsets_match_stwcs() {
    let reference = reference();
    let expected = &reference["gsc"]["success"];
    let path = "/GSCConvert/GSCconvert.aspx";
    let server = TestServer::start(vec![
        Route::new(path, Reply::ok("text/xml", fixture_text("gscconvert_success.xml")))
            .with_query("IPPPSSOOT=J94F05BGQ"),
        Route::new(path, Reply::ok("text/xml", fixture_text("gscconvert_failure.xml")))
            .with_query("IPPPSSOOT=J8DI67A2Q"),
        Route::new(path, Reply::status(403, "text/plain", "Forbidden")).with_query("IPPPSSOOT=J8BT06NYQ"),
        Route::new(path, Reply::ok("text/xml", "<gsReference><msg>Success</msg><deltaRA>x</deltaRA></gsReference>"))
            .with_query("IPPPSSOOT=J8BT05NJQ"),
    ]);
    let base = server.base_url();
    let t = Duration::from_secs(5);
    let offsets = gsc_offsets(&base, "j94f05bgq", t).unwrap();
    let num = |k: &str| expected[k].as_f64().unwrap();
    assert_eq!(
        (offsets.delta_ra, offsets.delta_dec, offsets.delta_roll, offsets.delta_scale),
        (num("delta_ra"), num("delta_dec"), num("roll"), num("scale"))
    );
    assert_eq!(offsets.gs_input, (num("dGSinputRA"), num("dGSinputDEC")));
    assert_eq!(offsets.gs_output, (num("dGSoutputRA"), num("dGSoutputDEC")));
    assert_eq!(offsets.output_catalog.as_deref(), expected["catalog"].as_str());
    assert_eq!(offsets.message, expected["message"].as_str().unwrap());
    assert!(offsets.has_shift());
    let gsss = reference["gsss_base_url"].as_str().unwrap();
    assert_eq!(server.requests()[0].target, target_of(expected["requests"][0]["url"].as_str().unwrap(), gsss));
    assert_eq!(gsc_offsets_url(gsss, "j94f05bgq"), expected["requests"][0]["url"].as_str().unwrap());

    // stwcs falls back to zero offsets for a non-Success msg and for HTTP errors.
    let failure = &reference["gsc"]["failure"];
    let fallback = GsOffsets::unavailable();
    assert_eq!(
        (fallback.delta_ra, fallback.delta_dec, fallback.delta_roll, fallback.delta_scale),
        (
            failure["delta_ra"].as_f64().unwrap(),
            failure["delta_dec"].as_f64().unwrap(),
            failure["roll"].as_f64().unwrap(),
            failure["scale"].as_f64().unwrap()
        )
    );
    assert!(failure["catalog"].is_null() && fallback.output_catalog.is_none() && !fallback.has_shift());
    let rejected = gsc_offsets(&base, "j8di67a2q", t).unwrap_err();
    assert!(
        matches!(&rejected, DbError::GscRejected { message, .. } if message == failure["message"].as_str().unwrap()),
        "{rejected}"
    );
    assert!(matches!(gsc_offsets(&base, "j8bt06nyq", t), Err(DbError::Status { status: 403, .. })));
    assert!(matches!(gsc_offsets(&base, "j8bt05njq", t), Err(DbError::Xml { .. })));
    assert!(matches!(gsc_offsets(&closed_port_url(), "j94f05bgq", t), Err(DbError::Transport { .. })));
}
