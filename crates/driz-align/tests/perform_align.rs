//! The a posteriori stage on a small simulated ACS/WFC association (four exposures, FLC
//! and FLT, a known 0.5″ pointing error) against a loopback catalog service: the solution
//! reaches the truth and is written with drizzlepac's keywords; a slow service, too few
//! reference stars or a garbage answer leave every file as it was. A WFC3/IR association
//! checks driz's group match and centroids against drizzlepac's.

use driz_align::{AposterioriConfig, CatalogSource, Centering, CoincidentSources, perform_align};
use driz_catalog::test_server::{Reply, Route, TestServer};
use driz_fits::Fits;
use driz_simulate::{Config, Instrument, simulate};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The simulated data with the pipeline-default WCS, made once.
fn dataset() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut cfg = Config::new(Instrument::AcsWfc, 4, 11);
        cfg.small = true;
        cfg.scene.star_density = 2500.0;
        make_dataset(&cfg, "align-acs", "jref")
    })
}

/// A full-frame WFC3/IR association: few Gaia stars (about 45) measured on an
/// undersampled PSF (DAOStarFinder's centroid σ near 0.1 px, the windowed one's 0.015 px).
fn ir_dataset() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| make_dataset(&Config::new(Instrument::Wfc3Ir, 4, 1), "align-ir", "iref"))
}

fn make_dataset(cfg: &Config, name: &str, ref_var: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    simulate(cfg, &dir).unwrap();
    // SAFETY: each variable is set once, before any other thread of this binary reads it.
    unsafe { std::env::set_var(ref_var, format!("{}/", dir.join("ref").display())) };
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let n = p.file_name().unwrap().to_string_lossy().to_string();
        if n.ends_with("_flc.fits") || n.ends_with("_flt.fits") {
            driz_updatewcs::updatewcs(&p, &driz_updatewcs::Options::default()).unwrap();
        }
    }
    dir
}

struct Work {
    _dir: tempfile::TempDir,
    flc: Vec<PathBuf>,
    flt: Vec<PathBuf>,
    path: PathBuf,
}

fn work() -> Work {
    work_on(dataset())
}

fn work_on(src: &Path) -> Work {
    let dir = tempfile::tempdir().unwrap();
    let (mut flc, mut flt) = (Vec::new(), Vec::new());
    let mut names: Vec<String> =
        std::fs::read_dir(src).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for n in names {
        if n.ends_with("_flc.fits") || n.ends_with("_flt.fits") {
            let to = dir.path().join(&n);
            std::fs::copy(src.join(&n), &to).unwrap();
            if n.ends_with("_flc.fits") { flc.push(to) } else { flt.push(to) }
        }
    }
    let path = dir.path().to_path_buf();
    Work { _dir: dir, flc, flt, path }
}

/// The simulated Gaia stars as the service returns them for the observation epoch.
fn service_csv(limit: Option<usize>) -> String {
    service_csv_of(dataset(), limit)
}

fn service_csv_of(src: &Path, limit: Option<usize>) -> String {
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("truth.json")).unwrap()).unwrap();
    let cat = driz_catalog::read_catalog_file_at(
        &src.join("gaia_catalog.csv"),
        Some("GAIAeDR3"),
        Some(truth["epoch"].as_f64().unwrap()),
    )
    .unwrap();
    let mut text = format!("{} sources\r\nra,dec,mag,objID\r\n", cat.stars.len());
    for s in cat.stars.iter().take(limit.unwrap_or(usize::MAX)) {
        text.push_str(&format!("{:.12},{:.12},{},{}\r\n", s.ra, s.dec, s.mag, s.obj_id));
    }
    text
}

fn config(base: &str) -> AposterioriConfig {
    let mut c = AposterioriConfig::from_env(false);
    c.catalogs = ["GAIAeDR3", "GSC242", "2MASS"]
        .iter()
        .map(|n| CatalogSource::Service { base_url: base.to_string(), name: n.to_string() })
        .collect();
    c
}

fn sci1(file: &Path) -> driz_header::Header {
    let fits = Fits::open(file).unwrap();
    fits.hdu(fits.position("SCI", 1).unwrap()).header.clone()
}

/// RMS (mas) between a file's WCS and the true one over a grid of every chip.
fn rms_to_truth(file: &Path) -> f64 {
    let (sum, n) = squares_to_truth(dataset(), file);
    (sum / n).sqrt()
}

/// Sum of squared distances (mas²) between a file's WCS and the true one over a 9×9 grid
/// per chip, and the number of grid points.
fn squares_to_truth(src: &Path, file: &Path) -> (f64, f64) {
    let root = driz_fits::file_rootname(file);
    let truth = src.join("truth").join(format!("{root}_truewcs.fits"));
    let (mut a, mut t) = (Fits::open(file).unwrap(), Fits::open(&truth).unwrap());
    let (mut sum, mut n) = (0.0, 0.0);
    for extver in 1..=2 {
        let Some(ia) = a.position("SCI", extver) else { continue };
        let [nx, ny] = a.hdu(ia).image_size().unwrap();
        let (wa, wt) = (a.wcs(ia, ' ').unwrap(), t.wcs(t.position("SCI", extver).unwrap(), ' ').unwrap());
        for g in 0..81 {
            let (x, y) = (1.0 + (nx - 1) as f64 * (g % 9) as f64 / 8.0, 1.0 + (ny - 1) as f64 * (g / 9) as f64 / 8.0);
            let ((r1, d1), (r2, d2)) = (wa.pix2world(x, y), wt.pix2world(x, y));
            let dra = (r1 - r2) * d2.to_radians().cos();
            sum += (dra * dra + (d1 - d2) * (d1 - d2)) * 1.296e13;
            n += 1.0;
        }
    }
    (sum, n)
}

#[test]
fn aligns_to_the_truth_and_writes_the_keywords() {
    let server =
        TestServer::start(vec![Route::new("/vo/CatalogSearch.aspx", Reply::ok("text/csv", service_csv(None)))]);
    let w = work();
    let before: Vec<f64> = w.flc.iter().map(|f| rms_to_truth(f)).collect();
    let outcome = perform_align(&w.flc, &w.flt, &config(&server.base_url())).unwrap().unwrap();
    assert!(outcome.all_aligned(), "{:?}", outcome.rows);
    assert_eq!(outcome.selected.as_ref().unwrap().0, "GAIAeDR3");
    for (k, (flc, flt)) in w.flc.iter().zip(&w.flt).enumerate() {
        let rms = rms_to_truth(flc);
        eprintln!("{}: {:.1} mas before, {rms:.2} mas after", flc.display(), before[k]);
        assert!(rms <= 5.0 && before[k] > 100.0, "{rms} mas");
        let flt_rms = rms_to_truth(flt);
        assert!((flt_rms - rms).abs() < 1e-3, "the FLT carries the FLC solution: {flt_rms} vs {rms} mas");
        let h = sci1(flc);
        let name = h.get_str("WCSNAME").unwrap().unwrap().to_string();
        assert!(name.starts_with("IDC_") && name.ends_with("-FIT_REL_GAIAeDR3"), "{name}");
        assert_eq!(h.get_str("FITGEOM").unwrap(), Some("rscale"));
        assert!(h.get_i64("NMATCHES").unwrap().unwrap() >= 12);
        let (ra, crder) = (h.get_f64("RMS_RA").unwrap().unwrap(), h.get_f64("CRDER1").unwrap().unwrap());
        assert!(ra > 0.0 && (crder - ra / 3.6e6).abs() < 1e-15);
        assert!(
            h.get_str("WCSTYPE").unwrap().unwrap().contains("a posteriori solution relatively aligned to GAIAEDR3")
        );
        let root = driz_fits::file_rootname(flc);
        assert_eq!(h.get_str("HDRNAME").unwrap().unwrap(), format!("{root}_flc_{name}-hlet.fits"));
        assert_eq!(h.get_str("RELREFIM").unwrap().unwrap(), driz_fits::file_rootname(&w.flc[0]));
        assert_eq!(sci1(flt).get_str("WCSNAME").unwrap().unwrap(), name);
        // The previous WCS archived, the headerlet written and attached.
        let listed = driz_updatewcs::altwcs::list_file(flc).unwrap();
        assert!(listed.iter().any(|l| l.key != ' ' && l.name.starts_with("IDC_") && !l.name.contains("FIT")));
        assert!(w.path.join(format!("{root}_flt_hlet.fits")).is_file());
        assert!(driz_updatewcs::headerlet::list(flc).unwrap().iter().any(|h| h.wcsname.trim() == name));
    }
    assert!(outcome.headerlets.len() == 4);
}

/// WFC3/IR, where drizzlepac's group fit lands 10–15 mas off: it keeps the lowest of each
/// star's four detections, and its DAOStarFinder centroids have pixel-phase errors of
/// ~0.1 px on the undersampled PSF. driz's defaults (averaged detections, windowed
/// centroids) put every exposure within 5 mas of the truth; averaging alone, with DAO
/// centroids, meets 5 mas over the association only; matching as tweakwcs does with DAO
/// centroids reproduces the reference's offset.
#[test]
fn wfc3_ir_group_fit_reaches_the_truth() {
    let src = ir_dataset();
    let server =
        TestServer::start(vec![Route::new("/vo/CatalogSearch.aspx", Reply::ok("text/csv", service_csv_of(src, None)))]);
    let cases = [
        (CoincidentSources::Average, Centering::Windowed),
        (CoincidentSources::Average, Centering::Dao),
        (CoincidentSources::FirstInOrder, Centering::Dao),
    ];
    let defaults = config(&server.base_url());
    assert_eq!((defaults.coincident, defaults.centering), cases[0], "driz's defaults");
    let mut association_rms = Vec::new();
    for (coincident, centering) in cases {
        let w = work_on(src);
        let mut cfg = config(&server.base_url());
        cfg.coincident = coincident;
        cfg.centering = centering;
        let outcome = perform_align(&w.flt, &[], &cfg).unwrap().unwrap();
        assert!(outcome.all_aligned(), "{:?}", outcome.rows);
        let (mut sum, mut n) = (0.0, 0.0);
        let mut each = Vec::new();
        for flt in &w.flt {
            let name = sci1(flt).get_str("WCSNAME").unwrap().unwrap().to_string();
            assert!(name.ends_with("-FIT_REL_GAIAeDR3"), "{name}");
            let (s, k) = squares_to_truth(src, flt);
            each.push((s / k).sqrt());
            sum += s;
            n += k;
        }
        eprintln!(
            "{coincident:?}, {centering:?}: per exposure {each:.2?} mas, association {:.2} mas",
            (sum / n).sqrt()
        );
        match (coincident, centering) {
            (CoincidentSources::Average, Centering::Windowed) => assert!(each.iter().all(|&r| r <= 5.0), "{each:?}"),
            (CoincidentSources::Average, Centering::Dao) => assert!(each.iter().all(|&r| r <= 8.0), "{each:?}"),
            _ => {}
        }
        association_rms.push((sum / n).sqrt());
    }
    assert!(association_rms[0] <= 5.0 && association_rms[1] <= 5.0, "{association_rms:?}");
    assert!(association_rms[2] >= 8.0, "tweakwcs's choice is expected to be biased: {association_rms:?}");
}

#[test]
fn failures_leave_the_files_untouched() {
    let cases: Vec<(&str, Vec<Route>, Option<Duration>)> = vec![
        (
            "slow",
            vec![Route::new(
                "/vo/CatalogSearch.aspx",
                Reply::ok("text/csv", service_csv(None)).delayed(Duration::from_secs(3)),
            )],
            Some(Duration::from_millis(300)),
        ),
        (
            "too few stars",
            vec![Route::new("/vo/CatalogSearch.aspx", Reply::ok("text/csv", service_csv(Some(6))))],
            None,
        ),
        ("garbage", vec![Route::new("/vo/CatalogSearch.aspx", Reply::Garbage)], None),
        ("server error", vec![Route::new("/vo/CatalogSearch.aspx", Reply::status(500, "text/plain", "boom"))], None),
    ];
    for (what, routes, timeout) in cases {
        let server = TestServer::start(routes);
        let w = work();
        let before: Vec<Vec<u8>> = w.flc.iter().chain(&w.flt).map(|f| std::fs::read(f).unwrap()).collect();
        let mut cfg = config(&server.base_url());
        cfg.timeout = timeout;
        let started = std::time::Instant::now();
        let outcome = perform_align(&w.flc, &w.flt, &cfg).unwrap();
        assert!(!outcome.as_ref().is_some_and(|o| o.all_aligned()), "{what}");
        let after: Vec<Vec<u8>> = w.flc.iter().chain(&w.flt).map(|f| std::fs::read(f).unwrap()).collect();
        assert!(before == after, "{what}: files changed");
        eprintln!("{what}: no solution, files untouched ({:.1} s)", started.elapsed().as_secs_f64());
    }
}
