//! Building blocks against photutils 2.3 / astropy / scipy / drizzlepac outputs
//! (testdata/scripts/make_detect_fixtures.py).

mod common;

use common::*;
use driz_detect::*;
use ndarray::Array2;

#[test]
fn background_2d_matches_photutils() {
    for case in fixture("background.json").as_array().unwrap() {
        let shape = shape(&case["shape"]);
        let data = f32_array(&case["data_f32"], shape);
        let estimator = match case["estimator"].as_str().unwrap() {
            "SExtractor" => BackgroundEstimator::SExtractor,
            _ => BackgroundEstimator::Median,
        };
        let box_size = case["box"].as_u64().unwrap() as usize;
        let pct = case["percentile"].as_f64().unwrap();
        let result = background_2d(data.view(), box_size, 3, pct, estimator);
        if case["raises"].as_bool() == Some(true) {
            assert!(result.is_err());
            continue;
        }
        let bkg = result.unwrap();
        let (db, nb) = compare_f32(bkg.background.as_slice().unwrap(), &f32_vec(&case["background_f32"]));
        let (dr, nr) = compare_f32(bkg.background_rms.as_slice().unwrap(), &f32_vec(&case["rms_f32"]));
        eprintln!(
            "{shape:?} box {box_size} {estimator:?} p{pct}: bkg max rel {db:.2e} ({nb} differ), rms {dr:.2e} ({nr} differ)"
        );
        assert!(db <= 1e-6 && dr <= 1e-6, "background differs: {db:e} {dr:e}");
    }
}

#[test]
fn astropy_convolve_matches() {
    let fx = fixture("convolve.json");
    for case in fx["astropy"].as_array().unwrap() {
        let shape = shape(&case["shape"]);
        let data = f32_array(&case["data_f32"], shape);
        let kernel = f64_array(&case["kernel"], common::shape(&case["kshape"]));
        let got = astropy_convolve(data.view(), kernel.view()).unwrap();
        let (d, n) = compare_f32(got.as_slice().unwrap(), &f32_vec(&case["result_f32"]));
        eprintln!("astropy convolve: max rel {d:.2e}, {n} values differ");
        assert!(d <= 1e-6);
    }
    for case in fx["ndimage"].as_array().unwrap() {
        let data = f32_array(&case["data_f32"], shape(&case["shape"]));
        let fwhm = case["fwhm"].as_f64().unwrap();
        let dk = DaoKernel::new(fwhm, 1.5);
        let want_k = f64_vec(&case["kernel"]);
        let max_k = dk.data.iter().zip(&want_k).map(|(a, b)| rel_diff(*a, *b)).fold(0.0, f64::max);
        assert!(max_k <= 1e-13, "DAO kernel differs {max_k:e}");
        assert!(rel_diff(dk.relerr, case["relerr"].as_f64().unwrap()) <= 1e-13);
        let got = ndimage_convolve(data.view(), dk.data.view());
        let (d, n) = compare_f32(got.as_slice().unwrap(), &f32_vec(&case["result_f32"]));
        eprintln!("ndimage convolve: max rel {d:.2e}, {n} values differ");
        assert!(d <= 1e-6);
    }
    for case in fx["gaussian"].as_array().unwrap() {
        let k = gaussian_kernel(case["fwhm"].as_f64().unwrap(), case["size"].as_u64().unwrap() as usize);
        let want = f64_vec(&case["kernel"]);
        let d = k.iter().zip(&want).map(|(a, b)| rel_diff(*a, *b)).fold(0.0, f64::max);
        assert!(d <= 1e-14, "gaussian kernel differs {d:e}");
    }
}

#[test]
fn detect_sources_labels_match() {
    for case in fixture("convolve.json")["segmentation"].as_array().unwrap() {
        let shape = shape(&case["shape"]);
        let data = f32_array(&case["data_f32"], shape);
        let thr = f32_array(&case["threshold_f32"], shape);
        let conn = if case["connectivity"].as_u64() == Some(4) { Connectivity::Four } else { Connectivity::Eight };
        let segm = detect_sources(data.view(), thr.view(), 7, conn).unwrap();
        let want: Vec<u32> = case["labels"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
        assert_eq!(segm.labels.as_slice().unwrap(), &want[..]);
        let areas: Vec<usize> = segm.segments.iter().map(|s| s.area).collect();
        let want_areas: Vec<usize> =
            case["areas"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(areas, want_areas);
    }
}

#[test]
fn dao_star_finder_matches() {
    let fx = fixture("daofind.json");
    for case in fx["dao"].as_array().unwrap() {
        let data = f32_array(&case["data_f32"], shape(&case["shape"]));
        let stars = dao_find(data.view(), case["threshold"].as_f64().unwrap(), case["fwhm"].as_f64().unwrap());
        let t = &case["table"];
        let n = t["xcentroid"].as_array().unwrap().len();
        assert_eq!(stars.len(), n);
        let mut worst = [0.0f64; 8];
        for (i, s) in stars.iter().enumerate() {
            let got = [
                s.xcentroid,
                s.ycentroid,
                s.sharpness,
                s.roundness1 as f64,
                s.roundness2,
                s.peak as f64,
                s.flux as f64,
                s.mag as f64,
            ];
            for (k, name) in ["xcentroid", "ycentroid", "sharpness", "roundness1", "roundness2", "peak", "flux", "mag"]
                .iter()
                .enumerate()
            {
                let want = t[name][i].as_f64().unwrap();
                let d = if k < 2 { (got[k] - want).abs() } else { rel_diff(got[k], want) };
                worst[k] = worst[k].max(d);
            }
        }
        eprintln!(
            "DAOStarFinder {n} rows: max diffs x/y (px) {:.1e} {:.1e}, rel sharp {:.1e} r1 {:.1e} r2 {:.1e} peak {:.1e} flux {:.1e} mag {:.1e}",
            worst[0], worst[1], worst[2], worst[3], worst[4], worst[5], worst[6], worst[7]
        );
        assert!(worst.iter().all(|&d| d <= 1e-6), "{worst:?}");
    }
    let pk = &fx["peaks"];
    let shape = shape(&pk["shape"]);
    let data = f32_array(&pk["data_f32"], shape);
    let thr = f32_array(&pk["threshold_f32"], shape);
    let peaks = find_peaks_box(data.view(), thr.view(), 11);
    let xs: Vec<u64> = peaks.iter().map(|p| p.1 as u64).collect();
    let ys: Vec<u64> = peaks.iter().map(|p| p.0 as u64).collect();
    let want_x: Vec<u64> = pk["x"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let want_y: Vec<u64> = pk["y"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!((xs, ys), (want_x, want_y));
}

#[test]
fn dq_mask_matches_build_dqmask() {
    let fx = fixture("dqmask.json");
    let shape = shape(&fx["shape"]);
    let dq: Vec<u16> = fx["dq"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u16).collect();
    let dq = Array2::from_shape_vec(shape, dq).unwrap();
    let want: Vec<bool> = fx["bad"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() == 1).collect();
    assert_eq!(bad_pixel_mask(dq.view()).as_slice().unwrap(), &want[..]);
}

#[test]
fn classifier_and_cr_clean_match() {
    let fx = fixture("classify.json");
    let shape = shape(&fx["shape"]);
    let data = f32_array(&fx["data_f32"], shape);
    let kernel = f64_array(&fx["kernel"], (7, 7));
    let fwhm = fx["fwhm"].as_f64().unwrap();
    let thr = Array2::from_elem(shape, fx["threshold"].as_f64().unwrap() as f32);
    let bkg = Array2::from_elem(shape, fx["background"].as_f64().unwrap() as f32);
    let convolved = astropy_convolve(data.view(), kernel.view()).unwrap();
    let segm = detect_sources(convolved.view(), thr.view(), 7, Connectivity::Four).unwrap();
    let want_labels: Vec<u32> = fx["labels"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
    assert_eq!(segm.labels.as_slice().unwrap(), &want_labels[..]);
    let props = &fx["props"];
    let mut worst = 0.0f64;
    for (i, sg) in segm.segments.iter().enumerate() {
        let p = segment_properties(data.view(), segm.labels.view(), sg.label, sg.bbox);
        let real = fx["real"][i].as_u64().unwrap() == 1;
        assert_eq!(is_real_source(&p, fwhm), real, "segment {}", sg.label);
        for (name, got) in [
            ("xcentroid", p.xcentroid),
            ("ycentroid", p.ycentroid),
            ("semiminor_sigma", p.semiminor_sigma),
            ("elongation", p.elongation),
            ("segment_flux", p.segment_flux),
            ("max_value", p.max_value),
            ("area", p.area as f64),
        ] {
            worst = worst.max(rel_diff(got, props[name][i].as_f64().unwrap()));
        }
        let mu = &props["moments_central"][i];
        for pq in 0..16 {
            let want = mu[pq].as_f64().unwrap();
            let got = p.moments_central[pq / 4][pq % 4];
            // near-zero odd moments: compare against the scale of the zeroth moment
            worst = worst.max((got - want).abs() / p.moments_central[0][0].abs().max(want.abs()).max(1e-300) * 1e-3);
        }
    }
    eprintln!("segment properties: max rel diff {worst:.2e}");
    assert!(worst <= 1e-9);
    let mut cleaned = data.clone();
    let k = KernelArray { values: kernel.clone(), is_f32: false };
    crclean_chip(&mut cleaned, thr.view(), &k, fwhm, bkg.view(), 7).unwrap();
    assert_eq!(cleaned.as_slice().unwrap(), &f32_vec(&fx["cleaned_f32"])[..]);
}

#[test]
fn find_fwhm_matches_drizzlepac() {
    let mut worst = 0.0f64;
    for (i, rec) in fixture("fwhm.json").as_array().unwrap().iter().enumerate() {
        let psf = f32_array(&rec["psf_f32"], shape(&rec["shape"]));
        let got = find_fwhm(psf.view(), rec["default_fwhm"].as_f64().unwrap());
        let want = rec["fwhm"].as_f64();
        match (got, want) {
            (None, None) => {}
            (Some(g), Some(w)) => worst = worst.max(rel_diff(g, w)),
            _ => panic!("cut-out {i}: find_fwhm {got:?}, drizzlepac {want:?}"),
        }
    }
    eprintln!("find_fwhm: max rel diff {worst:.2e}");
    assert!(worst <= 1e-5);
}
