//! End-to-end runs of the step chain on small simulated associations (`driz simulate
//! --small`): products, keywords, input updates, cosmic rays against the injected ones,
//! in-memory ≡ file mode, MDRIZTAB parameters, and inputs untouched on failure.

use driz_astrodrizzle::{Silent, UserParams, astrodrizzle, astrodrizzle_with, effective_params, interpret};
use driz_fits::Fits;
use driz_simulate::{Config, Instrument, simulate};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A simulated association with the pipeline-default WCS, made once per test binary;
/// `jref`/`iref` point at its reference files.
fn dataset(instrument: Instrument) -> &'static Path {
    static ACS: OnceLock<PathBuf> = OnceLock::new();
    static IR: OnceLock<PathBuf> = OnceLock::new();
    let cell = match instrument {
        Instrument::AcsWfc => &ACS,
        _ => &IR,
    };
    cell.get_or_init(|| {
        // Under cargo's scratch directory for integration tests, replaced on every run.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("astrodrizzle-{instrument:?}"));
        let _ = std::fs::remove_dir_all(&dir);
        let mut cfg = Config::new(instrument, 4, 7);
        cfg.small = true;
        simulate(&cfg, &dir).unwrap();
        let refdir = format!("{}/", dir.join("ref").display());
        // SAFETY: set before any thread reads them; every dataset uses the same layout,
        // and tests only read the variables through reference names of their dataset.
        unsafe {
            std::env::set_var(if instrument == Instrument::AcsWfc { "jref" } else { "iref" }, &refdir);
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with("_flt.fits") || name.ends_with("_flc.fits") {
                driz_updatewcs::updatewcs(&p, &driz_updatewcs::Options::default()).unwrap();
            }
        }
        dir
    })
}

/// A fresh working copy with the FLT files and the association only.
fn workdir(instrument: Instrument) -> (tempfile::TempDir, String) {
    let src = dataset(instrument);
    let dir = tempfile::tempdir().unwrap();
    let mut asn = String::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with("_flt.fits") || name.ends_with("_asn.fits") {
            std::fs::copy(&p, dir.path().join(&name)).unwrap();
        }
        if name.ends_with("_asn.fits") {
            asn = name;
        }
    }
    (dir, asn)
}

fn settings(pairs: &[(&str, &str)]) -> UserParams {
    UserParams {
        file: None,
        settings: pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        prefer_mdriztab: false,
    }
}

fn no_mdz() -> Vec<(&'static str, &'static str)> {
    vec![("mdriztab", "False"), ("num_cores", "2"), ("build", "True")]
}

#[test]
fn acs_association_end_to_end() {
    let (dir, asn) = workdir(Instrument::AcsWfc);
    let outcome = astrodrizzle(&asn, &settings(&no_mdz()), dir.path(), &Silent).unwrap();
    let product = outcome.product.clone().unwrap();
    assert!(product.file_name().unwrap().to_string_lossy().ends_with("_drz.fits"));
    let mut f = Fits::open(&product).unwrap();
    let names: Vec<String> = f.hdus().iter().skip(1).map(|h| h.extname.clone()).collect();
    assert_eq!(names, ["SCI", "WHT", "CTX", "HDRTAB"]);
    // HDRTAB: one row per drizzled chip, as fitsblender writes it.
    match f.read_column(4, "ROOTNAME").unwrap() {
        driz_fits::Column::Text(roots) => {
            assert_eq!(roots.len(), 8);
            let inputs: Vec<String> = outcome
                .sky
                .iter()
                .map(|(file, _, _)| {
                    Fits::open(file).unwrap().primary_header().get_str("ROOTNAME").unwrap().unwrap().to_string()
                })
                .collect();
            let trimmed: Vec<&str> = roots.iter().map(|r| r.trim()).collect();
            assert_eq!(trimmed, inputs.iter().map(|r| r.trim()).collect::<Vec<_>>());
        }
        other => panic!("ROOTNAME column {other:?}"),
    }
    assert_eq!(f.primary_header().get_i64("NEXTEND").unwrap(), Some(4));
    // CCDCHIP = '-999' (a string, as drizzlepac writes it) reads as chip -999.
    let exposure = driz_fits::Exposure::open(&product).unwrap();
    assert_eq!(exposure.chips[0].ccdchip, Some(-999));
    let p = f.primary_header().clone();
    assert_eq!(p.get_i64("NDRIZIM").unwrap(), Some(8));
    let texp = p.get_f64("TEXPTIME").unwrap().unwrap();
    let mut sum = 0.0;
    for (file, chip, _) in &outcome.sky {
        if *chip == 1 {
            sum += Fits::open(file).unwrap().primary_header().get_f64("EXPTIME").unwrap().unwrap();
        }
    }
    assert!((texp - sum).abs() < 1e-9, "TEXPTIME {texp} is the sum of the exposures' {sum}");
    assert_eq!(p.get_str("D001KERN").unwrap(), Some("square"));
    assert!(p.get_str("D008DATA").unwrap().unwrap().ends_with("[sci,2]"));
    let sci = f.read_image::<f32>(1).unwrap();
    let wht = f.read_image::<f32>(2).unwrap();
    let ctx = f.read_image::<i32>(3).unwrap();
    assert_eq!(sci.dim(), wht.dim());
    assert!(ctx.iter().any(|&c| c.count_ones() >= 2), "overlapping chips give several context bits");
    assert!(ctx.iter().all(|&c| c < 256));
    // The sky was subtracted: the median of the covered pixels is near zero in e-/s.
    let mut v: Vec<f32> =
        sci.iter().zip(wht.iter()).filter(|(s, w)| **w > 0.0 && s.is_finite()).map(|(s, _)| *s).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let median = v[v.len() / 2];
    assert!(median.abs() < 0.05, "median of the drizzled sky {median}");
    // Inputs: MDRIZSKY written, CR flags set where cosmic rays were injected.
    let mut injected = 0usize;
    let mut recovered = 0usize;
    for (file, chip, sky) in &outcome.sky {
        let mut inp = Fits::open(file).unwrap();
        let sci_index = inp.position("SCI", *chip).unwrap();
        let written = inp.hdu(sci_index).header.get_f64("MDRIZSKY").unwrap().unwrap();
        // Written as the float32 it is, in its shortest form (as astropy writes numpy's).
        assert_eq!(written as f32, *sky as f32);
        assert_eq!(written, (*sky as f32).to_string().parse::<f64>().unwrap());
        assert!(*sky > 10.0 && *sky < 200.0, "ACS sky in electrons: {sky}");
        let dq = inp.read_image::<i32>(inp.position("DQ", *chip).unwrap()).unwrap();
        let root = driz_fits::file_rootname(file);
        let mut t = Fits::open(dataset(Instrument::AcsWfc).join("truth").join(format!("{root}_crmask.fits"))).unwrap();
        let ti = t.position("CRMASK", *chip).unwrap();
        let truth_cr = t.read_image::<u8>(ti).unwrap();
        let sci = inp.read_image::<f32>(sci_index).unwrap();
        for ((q, c), s) in dq.iter().zip(truth_cr.iter()).zip(sci.iter()) {
            // Bright hits only: faint track ends are within the noise.
            if *c != 0 && (*s - *sky as f32) > 200.0 && *q & !4096 == 0 {
                injected += 1;
                if q & 4096 != 0 {
                    recovered += 1;
                }
            }
        }
    }
    assert!(injected > 500, "{injected} injected cosmic-ray pixels");
    let rate = recovered as f64 / injected as f64;
    assert!(rate > 0.95, "recovered {recovered} of {injected} bright cosmic-ray pixels");
    // Intermediates are kept (clean=False by default).
    for name in outcome.written.iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()) {
        assert!(dir.path().join(&name).exists(), "{name}");
    }
    assert!(outcome.written.iter().any(|p| p.to_string_lossy().ends_with("_med.fits")));
    assert!(outcome.written.iter().any(|p| p.to_string_lossy().ends_with("_staticMask.fits")));
}

#[test]
fn in_memory_gives_the_same_product() {
    let (a, asn) = workdir(Instrument::Wfc3Ir);
    let (b, _) = workdir(Instrument::Wfc3Ir);
    let ra = astrodrizzle(&asn, &settings(&no_mdz()), a.path(), &Silent).unwrap();
    let mut s = no_mdz();
    s.push(("in_memory", "True"));
    let rb = astrodrizzle(&asn, &settings(&s), b.path(), &Silent).unwrap();
    let (mut fa, mut fb) = (Fits::open(ra.product.unwrap()).unwrap(), Fits::open(rb.product.unwrap()).unwrap());
    for ext in 1..=3 {
        if ext == 3 {
            assert_eq!(fa.read_image::<i32>(ext).unwrap(), fb.read_image::<i32>(ext).unwrap());
        } else {
            let (x, y) = (fa.read_image::<f32>(ext).unwrap(), fb.read_image::<f32>(ext).unwrap());
            assert!(x.iter().zip(y.iter()).all(|(p, q)| p.to_bits() == q.to_bits()), "extension {ext} differs");
        }
    }
    assert_eq!(
        ra.cosmic_rays,
        rb.cosmic_rays.iter().map(|(f, c, n)| (a.path().join(f.file_name().unwrap()), *c, *n)).collect::<Vec<_>>()
    );
    assert!(!b.path().join(format!("{}_med.fits", asn.trim_end_matches("_asn.fits"))).exists());
    // With its intermediate files kept, AstroDrizzle writes each chip's input weights (EXP:
    // the exposure time on good pixels, else 0) as `_single_mask` and `_final_mask` files,
    // the latter named by the product's DnnnMASK; in memory it writes none.
    let masks = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with("_mask.fits") && !n.contains("static"))
            .collect();
        v.sort();
        v
    };
    let written = masks(a.path());
    assert_eq!(written.len(), 8, "{written:?}");
    assert!(masks(b.path()).is_empty());
    let d001 = fa.primary_header().get_str("D001MASK").unwrap().unwrap().trim().to_string();
    assert!(written.contains(&d001), "{d001} not in {written:?}");
    for name in &written {
        assert!(ra.written.contains(&a.path().join(name)), "{name} not reported");
        let root = name.split('_').next().unwrap();
        let exptime =
            Fits::open(a.path().join(format!("{root}_flt.fits"))).unwrap().primary_header().get_f64("EXPTIME");
        let exptime = exptime.unwrap().unwrap() as f32;
        let w = Fits::open(a.path().join(name)).unwrap().read_image::<f32>(0).unwrap();
        let good = w.iter().filter(|&&v| v == exptime).count();
        assert!(w.iter().all(|&v| v == 0.0 || v == exptime), "{name}: values other than 0 and EXPTIME");
        assert!(good > w.len() / 2, "{name}: only {good} good pixels");
    }
}

/// Drizzling and blotting a band of chip rows at a time (each band with its own rows of
/// the pixel map, the default) gives the same files, bit for bit, as whole chips: the
/// singles, the blotted images, the CR masks and the product. The simulated frames put
/// chip edges on the frame's edges, where drizzle's scanner cuts rows.
#[test]
fn bands_of_rows_give_the_same_files() {
    let (a, asn) = workdir(Instrument::AcsWfc);
    let (b, _) = workdir(Instrument::AcsWfc);
    let whole = astrodrizzle_with(&asn, &settings(&no_mdz()), a.path(), &Silent, |c| c.band_rows = 0).unwrap();
    // 256-row chips in bands of 24 rows, the last one shorter.
    let banded = astrodrizzle_with(&asn, &settings(&no_mdz()), b.path(), &Silent, |c| c.band_rows = 24).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| {
            ["_single_sci.fits", "_single_wht.fits", "_blt.fits", "_crmask.fits", "_drz.fits"]
                .iter()
                .any(|end| n.ends_with(end))
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 4 + 4 + 8 + 8 + 1, "{names:?}");
    for name in &names {
        let (mut fa, mut fb) = (Fits::open(a.path().join(name)).unwrap(), Fits::open(b.path().join(name)).unwrap());
        for ext in 0..fa.hdus().len() {
            if fa.hdu(ext).image_size().is_none() {
                continue;
            }
            if fa.hdu(ext).extname == "CTX" {
                assert_eq!(fa.read_image::<i32>(ext).unwrap(), fb.read_image::<i32>(ext).unwrap(), "{name} CTX");
            } else {
                let (x, y) = (fa.read_image::<f32>(ext).unwrap(), fb.read_image::<f32>(ext).unwrap());
                assert!(x.iter().zip(y.iter()).all(|(p, q)| p.to_bits() == q.to_bits()), "{name}[{ext}] differs");
            }
        }
    }
    assert_eq!(
        whole.cosmic_rays.iter().map(|(_, c, n)| (*c, *n)).collect::<Vec<_>>(),
        banded.cosmic_rays.iter().map(|(_, c, n)| (*c, *n)).collect::<Vec<_>>()
    );
}

#[test]
fn single_input_skips_the_cosmic_ray_steps() {
    let (dir, _) = workdir(Instrument::Wfc3Ir);
    let first = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .find(|n| n.ends_with("_flt.fits"))
        .unwrap();
    let outcome = astrodrizzle(&first, &settings(&no_mdz()), dir.path(), &Silent).unwrap();
    assert_eq!(outcome.skipped, ["median", "blot", "driz_cr"]);
    assert!(outcome.cosmic_rays.is_empty());
    let root = first.trim_end_matches("_flt.fits");
    assert_eq!(outcome.product.unwrap(), dir.path().join(format!("{root}_drz.fits")));
}

#[test]
fn a_failing_step_leaves_the_inputs_unchanged() {
    let (dir, asn) = workdir(Instrument::Wfc3Ir);
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    let mut s = no_mdz();
    s.push(("final_wcs", "True"));
    s.push(("final_refimage", "does_not_exist.fits[sci,1]"));
    let err = astrodrizzle(&asn, &settings(&s), dir.path(), &Silent).unwrap_err();
    assert!(err.to_string().contains("does_not_exist.fits"), "{err}");
    for (p, b) in before {
        assert!(std::fs::read(&p).unwrap() == b, "{} changed", p.display());
    }
}

/// The inputs' updates are prepared alongside the final drizzle and replace the inputs
/// only once the product is written: a product that cannot be written (a directory in its
/// place) leaves every input byte-identical and no temporary copy behind.
#[test]
fn a_failing_product_write_leaves_the_inputs_unchanged() {
    let (dir, asn) = workdir(Instrument::AcsWfc);
    let snapshot = || -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "fits") && p.is_file())
            .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with("_flt.fits"))
            .map(|p| {
                let b = std::fs::read(&p).unwrap();
                (p, b)
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot();
    assert!(!before.is_empty());
    let product = interpret(&asn, "", dir.path()).unwrap().product;
    let stem = product.strip_suffix(".fits").unwrap_or(&product).to_string();
    for blocked in [product.clone(), format!("{stem}_sci.fits")] {
        std::fs::create_dir(dir.path().join(blocked)).unwrap();
    }
    let err = astrodrizzle(&asn, &settings(&no_mdz()), dir.path(), &Silent).unwrap_err();
    assert!(err.to_string().contains(&stem), "{err}");
    assert!(before == snapshot(), "an input changed");
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn mdriztab_row_sets_parameters_under_the_users() {
    let (dir, asn) = workdir(Instrument::Wfc3Ir);
    let inputs = interpret(&asn, "", dir.path()).unwrap();
    let plain = effective_params(&inputs, &settings(&[("mdriztab", "True")])).unwrap();
    let table = plain.dump_toml();
    let defaults = driz_params::AstroDrizzleParams::default().dump_toml();
    assert_ne!(table, defaults, "the simulated MDRIZTAB row changes some parameters");
    let mine = effective_params(&inputs, &settings(&[("mdriztab", "True"), ("combine_type", "imedian")])).unwrap();
    assert!(mine.dump_toml().contains("imedian"));
    let off = effective_params(&inputs, &settings(&[("mdriztab", "False")])).unwrap();
    assert_eq!(
        off.dump_toml().replace("mdriztab = false", "mdriztab = true"),
        defaults.replace("mdriztab = false", "mdriztab = true")
    );
}

#[test]
fn driz_cr_corr_writes_cleaned_copies() {
    let (dir, asn) = workdir(Instrument::AcsWfc);
    let mut s = no_mdz();
    s.push(("driz_cr_corr", "True"));
    s.push(("driz_combine", "False"));
    let outcome = astrodrizzle(&asn, &settings(&s), dir.path(), &Silent).unwrap();
    assert!(outcome.product.is_none());
    let flagged: usize = outcome.cosmic_rays.iter().map(|(_, _, n)| n).sum();
    assert!(flagged > 100);
    for (file, chip, n) in &outcome.cosmic_rays {
        let root = driz_fits::file_rootname(file);
        let mut clean = Fits::open(dir.path().join(format!("{root}_crclean.fits"))).unwrap();
        let mut orig = Fits::open(file).unwrap();
        let (cs, os) = (clean.position("SCI", *chip).unwrap(), orig.position("SCI", *chip).unwrap());
        let (a, b) = (clean.read_image::<f32>(cs).unwrap(), orig.read_image::<f32>(os).unwrap());
        let changed = a.iter().zip(b.iter()).filter(|(x, y)| x.to_bits() != y.to_bits()).count();
        assert!(changed >= *n, "{root}[sci,{chip}]: {changed} pixels replaced, {n} cosmic-ray pixels");
        let dq = clean.read_image::<i32>(clean.position("DQ", *chip).unwrap()).unwrap();
        assert!(dq.iter().all(|&q| q == 0 || q == 4096));
        // Without the final drizzle the inputs' DQ gets no CR flags (as upstream).
        let odq = orig.read_image::<i32>(orig.position("DQ", *chip).unwrap()).unwrap();
        assert!(odq.iter().all(|&q| q & 4096 == 0));
    }
}

#[test]
fn updatewcs_true_recomputes_the_same_wcs() {
    let (a, asn) = workdir(Instrument::Wfc3Ir);
    let (b, _) = workdir(Instrument::Wfc3Ir);
    let ra = astrodrizzle(&asn, &settings(&no_mdz()), a.path(), &Silent).unwrap();
    let mut s = no_mdz();
    s.push(("updatewcs", "True"));
    let rb = astrodrizzle(&asn, &settings(&s), b.path(), &Silent).unwrap();
    let (mut fa, mut fb) = (Fits::open(ra.product.unwrap()).unwrap(), Fits::open(rb.product.unwrap()).unwrap());
    let (x, y) = (fa.read_image::<f32>(1).unwrap(), fb.read_image::<f32>(1).unwrap());
    let worst = x
        .iter()
        .zip(y.iter())
        .filter(|(p, q)| p.is_finite() && q.is_finite())
        .map(|(p, q)| (p - q).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "updatewcs again changed the product by {worst}");
}
