//! The catalog client against the local test server playing recorded answers.

mod common;

use common::{fixture_text, reference, reference_rows, target_of};
use driz_catalog::test_server::{Reply, Route, TestServer, closed_port_url};
use driz_catalog::{CatalogError, CatalogQuery, CatalogService, TransportFailure};
use std::time::{Duration, Instant};

const SEARCH: &str = "/vo/CatalogSearch.aspx";

fn query(catalog: &str) -> CatalogQuery {
    let reference = reference();
    let q = &reference["query"];
    CatalogQuery {
        ra: q["ra"].as_f64().unwrap(),
        dec: q["dec"].as_f64().unwrap(),
        radius_deg: q["radius"].as_f64().unwrap(),
        epoch: Some(q["epoch"].as_f64().unwrap()),
        catalog: catalog.to_string(),
    }
}

fn service(server: &TestServer) -> CatalogService {
    CatalogService::new(&server.base_url()).with_timeout(Duration::from_secs(5)).with_retries(0, Duration::ZERO)
}

fn csv_reply(file: &str) -> Reply {
    Reply::ok("text/csv", fixture_text(file))
}

#[test]
fn success_returns_drizzlepacs_rows_and_sends_its_request() {
    let server = TestServer::start(vec![Route::new(SEARCH, csv_reply("gaiaedr3_answer.csv"))]);
    let catalog = service(&server).fetch(&query("GAIAeDR3")).unwrap();
    let reference = reference();
    let expected = reference_rows(&reference, "gaiaedr3");
    let ours: Vec<_> = catalog.stars.iter().map(|s| (s.ra, s.dec, s.mag, s.obj_id.clone())).collect();
    assert_eq!(ours, expected);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &reference["catalogs"]["gaiaedr3"]["requests"][0];
    let base = reference["catalog_base_url"].as_str().unwrap();
    assert_eq!(requests[0].target, target_of(sent["url"].as_str().unwrap(), base));
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].header("content-type"), sent["headers"]["Content-Type"].as_str());
}

#[test]
fn error_first_line_retries_without_epoch_like_drizzlepac() {
    let server = TestServer::start(vec![
        Route::new(SEARCH, csv_reply("error_answer.csv")).with_query("EPOCH="),
        Route::new(SEARCH, csv_reply("gaiaedr3_answer.csv")),
    ]);
    let catalog = service(&server).fetch(&query("GAIAeDR3")).unwrap();
    let reference = reference();
    let case = &reference["catalogs"]["error_then_gaia"];
    let base = reference["catalog_base_url"].as_str().unwrap();
    let expected_targets: Vec<String> =
        case["requests"].as_array().unwrap().iter().map(|r| target_of(r["url"].as_str().unwrap(), base)).collect();
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, expected_targets);
    assert!(targets[0].contains("&EPOCH=") && !targets[1].contains("EPOCH"));
    let ours: Vec<_> = catalog.stars.iter().map(|s| (s.ra, s.dec, s.mag, s.obj_id.clone())).collect();
    assert_eq!(ours, reference_rows(&reference, "error_then_gaia"));
}

#[test]
fn error_on_both_requests_is_a_service_error() {
    let server = TestServer::start(vec![Route::new(SEARCH, csv_reply("error_answer.csv"))]);
    let err = service(&server).fetch(&query("GAIAeDR3")).unwrap_err();
    match &err {
        CatalogError::Service { url, message } => {
            assert!(!url.contains("EPOCH") && url.contains("CatalogSearch.aspx"), "{url}");
            assert!(message.starts_with("Error"), "{message}");
        }
        other => panic!("{other}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn empty_answer_is_an_empty_catalog() {
    let server = TestServer::start(vec![Route::new(SEARCH, csv_reply("empty_answer.csv"))]);
    let catalog = service(&server).fetch(&query("GAIAeDR3")).unwrap();
    assert!(catalog.stars.is_empty());
    assert_eq!(catalog.name, "GAIAeDR3");
}

#[test]
fn http_errors_are_typed_and_name_the_url() {
    for status in [404u16, 500] {
        let server =
            TestServer::start(vec![Route::new(SEARCH, Reply::status(status, "text/html", "<html>oops</html>"))]);
        let err = service(&server).fetch(&query("GSC242")).unwrap_err();
        assert!(matches!(err, CatalogError::Status { status: s, .. } if s == status), "{err}");
        assert!(err.to_string().contains("CAT=GSC242") && err.to_string().contains(&status.to_string()), "{err}");
    }
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times() {
    let server = TestServer::start(vec![Route::new(SEARCH, Reply::status(503, "text/plain", "busy"))]);
    let client = service(&server).with_retries(2, Duration::from_millis(10));
    assert!(matches!(client.fetch(&query("GSC242")), Err(CatalogError::Status { status: 503, .. })));
    assert_eq!(server.requests().len(), 3);
    // A 404 is not retried.
    let server = TestServer::start(vec![Route::new(SEARCH, Reply::status(404, "text/plain", "no"))]);
    let client = service(&server).with_retries(2, Duration::from_millis(10));
    assert!(client.fetch(&query("GSC242")).is_err());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn slow_service_times_out() {
    let server =
        TestServer::start(vec![Route::new(SEARCH, csv_reply("gaiaedr3_answer.csv").delayed(Duration::from_secs(3)))]);
    let client = service(&server).with_timeout(Duration::from_millis(300));
    let start = Instant::now();
    let err = client.fetch(&query("GAIAeDR3")).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert!(matches!(err, CatalogError::Transport { failure: TransportFailure::Timeout, .. }), "{err}");
}

#[test]
fn refused_connection_is_a_transport_error() {
    let client =
        CatalogService::new(&closed_port_url()).with_timeout(Duration::from_secs(2)).with_retries(0, Duration::ZERO);
    let err = client.fetch(&query("GAIAeDR3")).unwrap_err();
    assert!(matches!(err, CatalogError::Transport { failure: TransportFailure::Connect(_), .. }), "{err}");
}

#[test]
fn garbage_and_hangups_are_transport_errors() {
    for reply in [Reply::Garbage, Reply::CloseWithoutAnswer] {
        let server = TestServer::start(vec![Route::new(SEARCH, reply.clone())]);
        let err = service(&server).fetch(&query("GAIAeDR3")).unwrap_err();
        assert!(matches!(err, CatalogError::Transport { .. }), "{reply:?}: {err}");
    }
    // A 200 whose body is binary junk.
    let server = TestServer::start(vec![Route::new(SEARCH, Reply::ok("text/csv", vec![0xff, 0xfe, 0x00, 0x41]))]);
    assert!(matches!(service(&server).fetch(&query("GAIAeDR3")), Err(CatalogError::Parse { .. })));
}

#[test]
fn cache_is_written_then_used_without_the_server() {
    let cache = tempfile::tempdir().unwrap();
    let q = query("GAIAeDR3");
    let (base, first) = {
        let server = TestServer::start(vec![Route::new(SEARCH, csv_reply("gaiaedr3_answer.csv"))]);
        let client = service(&server).with_cache(cache.path().to_path_buf());
        let catalog = client.fetch(&q).unwrap();
        assert!(client.cache_path(&q).unwrap().is_file());
        (server.base_url(), catalog)
    };
    // The server is gone (its port is closed): only the cache can answer.
    let client = CatalogService::new(&base).with_timeout(Duration::from_secs(2)).with_retries(0, Duration::ZERO);
    assert!(client.fetch(&q).is_err(), "without the cache the request must fail");
    let again = client.with_cache(cache.path().to_path_buf()).fetch(&q).unwrap();
    assert_eq!(again, first);
}

#[test]
fn error_answers_are_not_cached() {
    let cache = tempfile::tempdir().unwrap();
    let server = TestServer::start(vec![Route::new(SEARCH, csv_reply("error_answer.csv"))]);
    let client = service(&server).with_cache(cache.path().to_path_buf());
    assert!(client.fetch(&query("GAIAeDR3")).is_err());
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
}

#[test]
fn from_lookup_reads_url_timeout_and_cache() {
    let env = |k: &str| match k {
        "ASTROMETRIC_CATALOG_URL" => Some("http://example.invalid/ws".to_string()),
        "DRIZ_CATALOG_TIMEOUT" => Some("7.5".to_string()),
        "DRIZ_CATALOG_CACHE" => Some("/tmp/x".to_string()),
        _ => None,
    };
    let s = CatalogService::from_lookup(&env);
    assert_eq!(s.base_url(), "http://example.invalid/ws");
    assert_eq!(s.timeout(), Duration::from_secs_f64(7.5));
    assert!(s.cache_path(&query("GAIAeDR3")).unwrap().starts_with("/tmp/x"));
    let none = |_: &str| None;
    let d = CatalogService::from_lookup(&none);
    assert_eq!(d.base_url(), driz_catalog::DEFAULT_CATALOG_URL);
    assert_eq!(d.timeout(), driz_catalog::DEFAULT_CATALOG_TIMEOUT);
    assert!(d.cache_path(&query("GAIAeDR3")).is_none());
}
