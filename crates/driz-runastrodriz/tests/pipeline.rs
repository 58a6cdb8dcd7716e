//! runastrodriz end to end on a small simulated ACS/WFC association (FLT and FLC, four
//! exposures with a known pointing error) with the catalog service and the astrometry
//! database played by a local HTTP server: the a posteriori solution must reach the truth,
//! and every failure of the service must end in the pipeline-default WCS with products.
//!
//! Environment variables steer the pipeline, so the scenarios run one after the other in
//! a single test.

use driz_catalog::test_server::{Reply, Route, TestServer, closed_port_url};
use driz_fits::Fits;
use driz_runastrodriz::{Options, process};
use driz_simulate::{Config, Instrument, simulate};
use std::path::{Path, PathBuf};

fn dataset() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("runastrodriz-acs");
    let _ = std::fs::remove_dir_all(&dir);
    let mut cfg = Config::new(Instrument::AcsWfc, 4, 11);
    cfg.small = true;
    // Enough Gaia stars in the 512×512 cut-outs for the pipeline's 12-match minimum.
    cfg.scene.star_density = 2500.0;
    simulate(&cfg, &dir).unwrap();
    dir
}

fn workdir(src: &Path, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() && p.extension().is_some_and(|e| e == "fits") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn wcsname(file: &Path) -> String {
    let fits = Fits::open(file).unwrap();
    let i = fits.position("SCI", 1).unwrap();
    fits.hdu(i).header.get_str("WCSNAME").unwrap().unwrap_or("").trim().to_string()
}

/// RMS (mas) over a grid of chip pixels between a file's WCS and the true one.
fn rms_to_truth(file: &Path, truth: &Path) -> f64 {
    let mut a = Fits::open(file).unwrap();
    let mut t = Fits::open(truth).unwrap();
    let mut sum = 0.0;
    let mut n = 0.0;
    for extver in [1, 2] {
        let ia = a.position("SCI", extver).unwrap();
        let [nx, ny] = a.hdu(ia).image_size().unwrap();
        let wa = a.wcs(ia, ' ').unwrap();
        let it = t.position("SCI", extver).unwrap();
        let wt = t.wcs(it, ' ').unwrap();
        for gy in 0..=8 {
            for gx in 0..=8 {
                let (x, y) = (1.0 + (nx - 1) as f64 * gx as f64 / 8.0, 1.0 + (ny - 1) as f64 * gy as f64 / 8.0);
                let (r1, d1) = wa.pix2world(x, y);
                let (r2, d2) = wt.pix2world(x, y);
                let dra = (r1 - r2) * d2.to_radians().cos();
                sum += (dra * dra + (d1 - d2) * (d1 - d2)) * 3.6e6 * 3.6e6;
                n += 1.0;
            }
        }
    }
    (sum / n).sqrt()
}

/// The simulated Gaia catalog as the service answers a request with `EPOCH=epoch`: the
/// service propagates proper motions; the file holds epoch-2016.0 positions.
fn catalog_at_epoch(csv: &str, epoch: f64) -> String {
    let mut lines = csv.split("\r\n");
    let mut out = format!("{}\r\n", lines.next().unwrap());
    let header = lines.next().unwrap();
    out.push_str(header);
    out.push_str("\r\n");
    let cols: Vec<&str> = header.split(',').collect();
    let at = |n: &str| cols.iter().position(|c| *c == n).unwrap();
    let (ira, idec, ipmra, ipmdec) = (at("ra"), at("dec"), at("pmra"), at("pmdec"));
    for line in lines.filter(|l| !l.is_empty()) {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        let num = |i: usize| f[i].parse::<f64>().unwrap();
        let dt = epoch - 2016.0;
        let dec = num(idec) + num(ipmdec) * dt / 3.6e6;
        let ra = num(ira) + num(ipmra) * dt / 3.6e6 / num(idec).to_radians().cos();
        f[ira] = format!("{ra:.10}");
        f[idec] = format!("{dec:.10}");
        out.push_str(&f.join(","));
        out.push_str("\r\n");
    }
    out
}

fn set(name: &str, value: &str) {
    // SAFETY: the only test of this binary; no other thread reads the environment.
    unsafe { std::env::set_var(name, value) }
}

#[test]
fn runastrodriz_scenarios() {
    let src = dataset();
    let truth = |root: &str| src.join("truth").join(format!("{root}_truewcs.fits"));
    set("jref", &format!("{}/", src.join("ref").display()));
    let truth_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("truth.json")).unwrap()).unwrap();
    let epoch = truth_json["epoch"].as_f64().unwrap();
    let gaia = catalog_at_epoch(&std::fs::read_to_string(src.join("gaia_catalog.csv")).unwrap(), epoch);
    let asn = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("_asn.fits"))
        .unwrap();
    let roots: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix("_flc.fits").map(str::to_string))
        .collect();
    assert_eq!(roots.len(), 4);
    let options = Options { num_cores: Some(2), ..Options::default() };

    // 1. The service answers with the field's Gaia stars; the database knows nothing (404).
    let server = TestServer::start(vec![
        Route::new("/vo/CatalogSearch.aspx", Reply::ok("text/csv", gaia.clone())),
        Route::new("/astrometryDB/availability", Reply::ok("text/xml", "<ok/>")),
    ]);
    set("ASTROMETRIC_CATALOG_URL", &server.base_url());
    set("ASTROMETRY_SERVICE_URL", &format!("{}/astrometryDB/", server.base_url()));
    // No database solution: the guide-star-offset fallback asks the same loopback server (404).
    set("GSSS_WEBSERVICES_URL", &server.base_url());
    let dir = workdir(&src, "runastrodriz-aligned");
    set("PIPELINE_QUALITY_TESTING", "on");
    let report = process(dir.join(&asn).to_str().unwrap(), &options, &driz_astrodrizzle::Silent).unwrap();
    set("PIPELINE_QUALITY_TESTING", "off");
    assert!(report.aposteriori_applied, "{report:?}");
    // PIPELINE_QUALITY_TESTING: the Gaia-fit residuals of every aligned FLC.
    for root in &roots {
        let path = dir.join(format!("{root}_cal_qa_gaia_fit_resids.json"));
        let qa: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(qa["general information"]["imgname"], format!("{root}_flc.fits"));
        let fit = &qa["data"]["gaia_fit_results"]["data"];
        assert_eq!(fit["aligned_to"], "GAIAeDR3");
        assert!(fit["nmatches"].as_i64().unwrap() >= 6, "{fit}");
        let residuals = &qa["data"]["gaia_fit_residuals"]["data"];
        let column = |name: &str| residuals[name]["data"].as_array().map_or(0, Vec::len);
        assert!(column("img_x") > 0 && column("img_x") == column("ref_x"), "{residuals}");
    }
    assert_eq!(report.products.len(), 2, "{report:?}");
    for p in &report.products {
        assert!(p.is_file(), "{}", p.display());
    }
    for root in &roots {
        for kind in ["flc", "flt"] {
            let f = dir.join(format!("{root}_{kind}.fits"));
            let name = wcsname(&f);
            assert!(name.contains("-FIT_") && name.ends_with("_GAIAeDR3"), "{}: {name}", f.display());
            let rms = rms_to_truth(&f, &truth(root));
            eprintln!("{root}_{kind}: {name}, {rms:.2} mas from the truth");
            assert!(rms <= 5.0, "{root}_{kind}: {rms} mas from the truth");
        }
        assert!(dir.join(format!("{root}_flt_hlet.fits")).is_file());
    }
    let trailer = std::fs::read_to_string(&report.trailer).unwrap();
    for line in [
        "Starting alignment with bad-pixel identification",
        "Starting alignment with a priori solutions",
        "Starting a posteriori alignment",
        "Creating final combined,corrected product based on best alignment",
        "*** Drizzlepac Processing Version 3.11.0***",
        "astrodrizzle completed",
    ] {
        assert!(trailer.contains(line), "trailer lacks {line:?}");
    }
    assert!(server.requests().iter().any(|r| r.target.contains("CatalogSearch") && r.target.contains("CAT=GAIAeDR3")));
    assert!(!dir.join(format!("{}_aposteriori", asn.trim_end_matches("_asn.fits"))).exists());
    drop(server);

    // 2. Failures of the service: down, empty, garbage. Each keeps the previous WCS.
    let failures: Vec<(&str, Option<TestServer>)> = vec![
        ("down", None),
        (
            "empty",
            Some(TestServer::start(vec![Route::new(
                "/vo/CatalogSearch.aspx",
                Reply::ok("text/csv", "0 sources\r\nra,dec,mag,objID,epoch\r\n"),
            )])),
        ),
        (
            "garbage",
            Some(TestServer::start(vec![Route::new(
                "/vo/CatalogSearch.aspx",
                Reply::ok("text/csv", "\u{0}\u{1}<html>oops"),
            )])),
        ),
    ];
    set("ASTROMETRY_APPLY_APRIORI", "off");
    for (what, server) in failures {
        let url = server.as_ref().map_or_else(closed_port_url, |s| s.base_url());
        set("ASTROMETRIC_CATALOG_URL", &url);
        let dir = workdir(&src, &format!("runastrodriz-{what}"));
        let report = process(dir.join(&asn).to_str().unwrap(), &options, &driz_astrodrizzle::Silent).unwrap();
        assert!(!report.aposteriori_applied, "{what}");
        assert_eq!(report.products.len(), 2, "{what}");
        for root in &roots {
            let flc = dir.join(format!("{root}_flc.fits"));
            let name = wcsname(&flc);
            assert!(name.starts_with("IDC_") && !name.contains("FIT"), "{what}: {name}");
            eprintln!("{what}: {root}_flc keeps {name}, {:.1} mas from the truth", rms_to_truth(&flc, &truth(root)));
        }
    }

    // 3. Drizzle only, processed in another directory (newpath), with a manifest and no
    //    headerlet files (-b -m).
    set("ASTROMETRY_COMPUTE_APOSTERIORI", "off");
    let dir = workdir(&src, "runastrodriz-newpath");
    let scratch = dir.join("scratch");
    let opts = Options {
        newpath: Some(scratch.to_string_lossy().into_owned()),
        make_manifest: true,
        headerlets: false,
        ..options.clone()
    };
    let report = process(dir.join(&asn).to_str().unwrap(), &opts, &driz_astrodrizzle::Silent).unwrap();
    assert!(report.verifications.is_empty(), "{report:?}");
    let root = asn.trim_end_matches("_asn.fits");
    for p in &report.products {
        assert_eq!(p.parent().unwrap(), dir.as_path(), "products moved back");
        assert!(p.is_file());
    }
    assert!(!scratch.join(root).exists(), "working directory removed");
    assert!(!dir.join(format!("{}_flt_hlet.fits", roots[0])).exists(), "-b: no headerlet files");
    let manifest = std::fs::read_to_string(dir.join(format!("{root}_manifest.txt"))).unwrap();
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines[0], format!("{root}_drz.fits"));
    assert_eq!(*lines.last().unwrap(), format!("{root}.tra"));
    assert!(lines.contains(&format!("{}_flc.fits", roots[0]).as_str()));
    assert!(!dir.join(format!("{root}_pipeline_asn.fits")).exists(), "pipeline ASN copies deleted");

    // 4. A single exposure named by its RAW: FLT and FLC drizzled, DRIZCORR=COMPLETE.
    let dir = workdir(&src, "runastrodriz-single");
    let raw = dir.join(format!("{}_raw.fits", roots[0]));
    let report = process(raw.to_str().unwrap(), &options, &driz_astrodrizzle::Silent).unwrap();
    let names: Vec<String> =
        report.products.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, [format!("{}_drz.fits", roots[0]), format!("{}_drc.fits", roots[0])]);
    let flt = Fits::open(dir.join(format!("{}_flt.fits", roots[0]))).unwrap();
    assert_eq!(flt.primary_header().get_str("DRIZCORR").unwrap(), Some("COMPLETE"));
    assert!(dir.join(format!("{}_flt_hlet.fits", roots[0])).is_file(), "wrap-up headerlet");

    // 5. Guiding verification (-v): one exposure's FLC reports a guide-star failure, so
    //    alignment is turned off (no verification stage runs) and the products are made
    //    from the whole association, as drizzlepac does.
    set("ASTROMETRY_COMPUTE_APOSTERIORI", "on");
    set("ASTROMETRIC_CATALOG_URL", &closed_port_url());
    let dir = workdir(&src, "runastrodriz-guiding");
    let flagged = dir.join(format!("{}_flc.fits", roots[1]));
    driz_fits::update_file(&flagged, |u| {
        let mut h = u.fits().primary_header().clone();
        h.set("QUALITY", "GSFAIL");
        u.set_header(0, &h)
    })
    .unwrap();
    let opts = Options { do_verify_guiding: true, ..options.clone() };
    let report = process(dir.join(&asn).to_str().unwrap(), &opts, &driz_astrodrizzle::Silent).unwrap();
    assert!(report.verifications.is_empty(), "alignment is off after bad guiding: {report:?}");
    assert_eq!(report.products.len(), 2, "{report:?}");
    let trailer = std::fs::read_to_string(&report.trailer).unwrap();
    assert!(trailer.contains(&format!("{}_flc.fits's QUALITY keywords report GUIDING: BAD", roots[1])), "{trailer}");
    assert!(!trailer.contains("Starting a posteriori alignment"));
    let checked = trailer.matches("was not affected by guiding problems").count();
    assert_eq!(checked, 4, "each exposure is checked once, on its FLC");
    assert!(trailer.contains("_flc.fits was not affected"), "the FLC is the file checked");
}
