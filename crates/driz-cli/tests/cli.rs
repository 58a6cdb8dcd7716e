//! The command lines as a user runs them: outputs against astropy, exit codes, messages.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn run(bin: &str, args: &[&str], stdin: &str) -> Output {
    let exe = match bin {
        "driz" => env!("CARGO_BIN_EXE_driz"),
        _ => env!("CARGO_BIN_EXE_runastrodriz"),
    };
    let mut child = Command::new(exe)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may exit before reading its input (argument errors): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// (x, y, ra, dec) rows of an astropy fixture.
fn fixture(name: &str) -> Vec<[f64; 4]> {
    std::fs::read_to_string(root().join("testdata/wcs").join(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('x'))
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|s| s.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

fn pairs(out: &str) -> Vec<(f64, f64)> {
    out.lines()
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|s| s.parse().unwrap()).collect();
            (v[0], v[1])
        })
        .collect()
}

#[test]
fn pixtosky_and_skytopix_match_astropy_on_a_full_acs_chip() {
    let image = "testdata/hst/j94f05bgq_updatewcs_flt.fits.gz[sci,2]";
    let rows = fixture("j94f05bgq_updatewcs_flt.sci-2.csv");
    assert!(rows.len() >= 1000);
    let input: String = rows.iter().map(|r| format!("{} {}\n", r[0], r[1])).collect();
    let out = run("driz", &["pixtosky", image], &input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sky = pairs(&text(&out.stdout));
    assert_eq!(sky.len(), rows.len());
    for (r, (ra, dec)) in rows.iter().zip(&sky) {
        let d = ((ra - r[2]) * r[3].to_radians().cos()).hypot(dec - r[3]) * 3.6e6;
        // 12 printed decimals are 3.6e-6 mas; the model agrees to ~1e-7 mas.
        assert!(d < 0.01, "{r:?}: {d} mas");
    }
    // Every line has at least 12 decimals.
    assert!(text(&out.stdout).lines().all(|l| l.split_whitespace().all(|f| f.split('.').nth(1).unwrap().len() >= 12)));

    let coords = std::env::temp_dir().join(format!("driz-cli-sky-{}.txt", std::process::id()));
    std::fs::write(&coords, rows.iter().map(|r| format!("{:.15} {:.15}\n", r[2], r[3])).collect::<String>()).unwrap();
    let out = run("driz", &["skytopix", image, "--coords", coords.to_str().unwrap()], "");
    std::fs::remove_file(&coords).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (r, (x, y)) in rows.iter().zip(pairs(&text(&out.stdout))) {
        assert!((x - r[0]).abs() < 1e-4 && (y - r[1]).abs() < 1e-4, "{r:?} -> {x} {y}");
    }
}

#[test]
fn json_output_and_pixtopix() {
    let out = run("driz", &["pixtosky", "testdata/hst/dist_lookup.fits.gz", "--json"], "10 20\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["x"], 10.0);
    assert!(v[0]["ra"].as_f64().unwrap() > 0.0);

    // The same chip to itself is the identity; SCI,1 (CCDCHIP 2) row 100 lies one chip
    // height plus the inter-chip gap below row 1 of SCI,2.
    let f = "testdata/hst/j94f05bgq_updatewcs_flt.fits.gz";
    let out = run("driz", &["pixtopix", &format!("{f}[sci,1]"), &format!("{f}[sci,1]")], "100 200\n");
    let p = pairs(&text(&out.stdout));
    assert!((p[0].0 - 100.0).abs() < 1e-6 && (p[0].1 - 200.0).abs() < 1e-6, "{p:?}");
    let out = run("driz", &["pixtopix", &format!("{f}[sci,1]"), &format!("{f}[sci,2]"), "--json"], "2048 100\n");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let y_out = v[0]["y_out"].as_f64().unwrap();
    assert!(y_out < 100.0 - 2048.0 && y_out > 100.0 - 2048.0 - 100.0, "{y_out}");
}

#[test]
fn info_reports_chips_wcs_and_footprints() {
    let out = run("driz", &["info", "testdata/hst/j94f05bgq_updatewcs_flt.fits.gz"], "");
    assert!(out.status.success());
    let s = text(&out.stdout);
    for want in [
        "ACS / WFC",
        "F606W",
        "400 s",
        "SCI,2 CCDCHIP 1  4096x2048  distortion D2IM+SIP+NPOL",
        "IDC_postsm4",
        "OPUS",
        "footprint (5.52645",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    let out = run("driz", &["info", "--json", "testdata/hst/sample_flc_header.fits"], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rootname"], "jbt122x8q");
    assert_eq!(v["chips"][0]["wcs"][0]["name"], "IDC_4bb1536cj-FIT_IMG_GAIAeDR3");
}

#[test]
fn bad_input_fails_with_a_message_naming_the_problem() {
    let cases: [(&[&str], &str, &str); 5] = [
        (&["info", "no/such/file.fits"], "", "no/such/file.fits"),
        (&["pixtosky", "testdata/hst/simple.fits[sci,3]"], "1 1\n", "no extension [SCI,3]"),
        (&["pixtosky", "testdata/hst/dist_lookup.fits.gz"], "1 2 3\n", "line 1: expected two numbers"),
        (&["pixtosky", "testdata/hst/dist_lookup.fits.gz[sci"], "", "unbalanced brackets"),
        (&["pixtosky", "README.md"], "1 1\n", "README.md: cannot open as FITS"),
    ];
    for (args, stdin, want) in cases {
        let out = run("driz", args, stdin);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn runastrodriz_command_line_and_errors() {
    let out = run("runastrodriz", &["-h"], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Usage: runastrodriz [-bdahfgimn:v] inputFilename [newpath]"));
    let out = run("runastrodriz", &["-x", "a.fits"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown option -x"));
    let out = run("runastrodriz", &["-bf", "missing_asn.fits"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Input file - missing_asn.fits - does not exist."));
    assert!(!root().join("missing.tra").exists(), "no trailer for a missing input");

    // A real WFC3/IR exposure whose reference files are not here: a clear error naming the
    // file and its IDCTAB, exit 1, the trailer records it, the input stays readable.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("j94f05bgq_flt.fits");
    std::fs::copy(root().join("testdata/hst/test_drizzlepac_flt.fits"), &input).unwrap();
    for bin in ["runastrodriz", "driz"] {
        let args: Vec<&str> = if bin == "driz" {
            vec!["run", "-f", "-n", "2", input.to_str().unwrap()]
        } else {
            vec!["-f", input.to_str().unwrap()]
        };
        let out = run(bin, &args, "");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{bin}: {err}");
        assert!(err.contains("j94f05bgq_flt.fits") && err.contains("IDCTAB"), "{bin}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        driz_fits::Fits::open(&input).unwrap();
    }
    let trailer = std::fs::read_to_string(dir.path().join("j94f05bgq.tra")).unwrap();
    assert!(trailer.contains("[ERROR   ] Cannot run astrodrizzle on"), "{trailer}");
}

#[test]
fn drizzle_then_blot_a_real_wfc3_ir_cutout() {
    let dir = tempfile::tempdir().unwrap();
    let drz = dir.path().join("cutout_drz.fits");
    let input = "testdata/hst/test_drizzlepac_flt.fits";
    let out = run("driz", &["drizzle", "-o", drz.to_str().unwrap(), "--bits", "784", input], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut fits = driz_fits::Fits::open(&drz).unwrap();
    let names: Vec<String> = fits.hdus().iter().map(|h| h.label()).collect();
    assert!(
        names.contains(&"SCI,1".into()) && names.contains(&"WHT,1".into()) && names.contains(&"CTX,1".into()),
        "{names:?}"
    );
    let exptime =
        driz_fits::Fits::open(root().join(input)).unwrap().primary_header().get_f64("EXPTIME").unwrap().unwrap();
    assert_eq!(fits.primary_header().get_f64("EXPTIME").unwrap(), Some(exptime));
    assert_eq!(fits.primary_header().get_i64("NDRIZIM").unwrap(), Some(1));
    assert!(fits.primary_header().get_str("D001DATA").unwrap().unwrap().contains("test_drizzlepac_flt.fits[SCI,1]"));
    let wht = fits.read_image::<f32>(2).unwrap();
    assert!(wht.iter().filter(|&&w| w > 0.0).count() > 60);
    // The product's WCS is a valid undistorted TAN that driz itself can use.
    let wcs = fits.wcs(1, ' ').unwrap();
    assert!(!wcs.has_distortion());

    let blt = dir.path().join("cutout_blt.fits");
    let out =
        run("driz", &["blot", "-o", blt.to_str().unwrap(), drz.to_str().unwrap(), &format!("{input}[sci,1]")], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let blotted = driz_fits::Fits::open(&blt).unwrap().read_image::<f32>(1).unwrap();
    let original = driz_fits::Fits::open(root().join(input)).unwrap().read_image::<f32>(1).unwrap();
    assert_eq!(blotted.dim(), original.dim());
    // Interior pixels come back in counts (rate × EXPTIME) close to the input.
    let (mut sb, mut so) = (0f64, 0f64);
    for j in 3..8 {
        for i in 3..8 {
            sb += blotted[(j, i)] as f64;
            so += original[(j, i)] as f64 * exptime;
        }
    }
    assert!((sb / so - 1.0).abs() < 0.15, "blotted {sb} vs input {so}");

    let out = run("driz", &["drizzle", "-o", drz.to_str().unwrap(), "no/such_flt.fits"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no/such_flt.fits"), "{}", text(&out.stderr));
}

#[test]
fn simulate_updatewcs_drizzle_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let o = run(
        "driz",
        &[
            "simulate",
            "--instrument",
            "wfc3-ir",
            "--exposures",
            "2",
            "--small",
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut flts: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with("_flt.fits"))
        .collect();
    flts.sort();
    assert_eq!(flts.len(), 2);
    // Reference files are found through the iref$ prefix, as in the pipeline.
    let exe = env!("CARGO_BIN_EXE_driz");
    let status = Command::new(exe)
        .arg("updatewcs")
        .args(&flts)
        .env("iref", format!("{}/", out.join("ref").display()))
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", text(&status.stderr));
    let product = out.join("sim_drz.fits");
    let mut args = vec!["drizzle", "--output", product.to_str().unwrap(), "--bits", "768"];
    args.extend(flts.iter().map(String::as_str));
    let o = run("driz", &args, "");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut fits = driz_fits::Fits::open(&product).unwrap();
    assert_eq!(fits.primary_header().get_i64("NDRIZIM").unwrap(), Some(2));
    let wht = fits.read_image::<f32>(2).unwrap();
    assert!(wht.iter().filter(|&&w| w > 0.0).count() > 40_000);
    // The drizzled frame carries the distortion-corrected WCS named after the IDCTAB.
    let sci_header = &fits.hdu(1).header;
    assert!(sci_header.get_str("WCSNAME").unwrap().unwrap().starts_with("IDC_"));
}

#[test]
fn simulate_accepts_a_relative_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_driz"))
        .args(["simulate", "--instrument", "wfc3-ir", "--exposures", "1", "--small", "--out", "rel"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(dir.path().join("rel/ism001010_asn.fits").is_file());
}

#[test]
fn astrodrizzle_runs_an_association_and_rejects_unknown_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_driz");
    let sim = Command::new(exe)
        .args(["simulate", "--instrument", "wfc3-ir", "--exposures", "2", "--small", "--out", "sim"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(sim.status.success(), "{}", text(&sim.stderr));
    let out = dir.path().join("sim");
    let iref = format!("{}/", out.join("ref").display());
    let driz = |args: &[&str]| Command::new(exe).args(args).current_dir(&out).env("iref", &iref).output().unwrap();
    let bad = driz(&["astrodrizzle", "ism001010_asn.fits", "--param", "bogus=1"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("bogus"), "{}", text(&bad.stderr));
    let dump = driz(&["astrodrizzle", "ism001010_asn.fits", "--dump-params"]);
    assert!(dump.status.success(), "{}", text(&dump.stderr));
    // The simulated MDRIZTAB row for 2 images is used by default.
    assert!(text(&dump.stdout).contains("mdriztab = true"), "{}", text(&dump.stdout));
    let o = driz(&["astrodrizzle", "ism001010_asn.fits", "--param", "build=True", "--num-cores", "1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("MDRIZSKY") && stdout.contains("product"), "{stdout}");
    let fits = driz_fits::Fits::open(out.join("ism001010_drz.fits")).unwrap();
    assert_eq!(fits.primary_header().get_i64("NDRIZIM").unwrap(), Some(2));
    assert_eq!(fits.primary_header().get_str("DRIZCORR").unwrap(), Some("COMPLETE"));
}
