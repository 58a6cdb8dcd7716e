//! End-to-end checks of `driz simulate` on `--small` associations.

use driz_fits::{Fits, read_asn};
use driz_simulate::{Config, Instrument, simulate};
use std::path::Path;

fn small(instrument: Instrument, n: usize, seed: u64) -> Config {
    let mut c = Config::new(instrument, n, seed);
    c.small = true;
    c
}

fn truth(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap()
}

#[test]
fn same_seed_same_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = small(Instrument::Wfc3Ir, 2, 11);
    let sa = simulate(&cfg, a.path()).unwrap();
    simulate(&cfg, b.path()).unwrap();
    for f in &sa.files {
        let rel = f.strip_prefix(a.path()).unwrap();
        // The true-WCS files name the reference files by absolute path (D2IMEXT, NPOLEXT).
        if rel.to_string_lossy().ends_with("_truewcs.fits") {
            continue;
        }
        let (x, y) = (std::fs::read(f).unwrap(), std::fs::read(b.path().join(rel)).unwrap());
        assert!(x == y, "{} differs between runs", rel.display());
    }
    let c = tempfile::tempdir().unwrap();
    simulate(&small(Instrument::Wfc3Ir, 2, 12), c.path()).unwrap();
    let f = format!("{}_flt.fits", sa.rootnames[0]);
    assert_ne!(std::fs::read(a.path().join(&f)).unwrap(), std::fs::read(c.path().join(&f)).unwrap());
}

#[test]
fn layout_keywords_and_asn() {
    let d = tempfile::tempdir().unwrap();
    let s = simulate(&small(Instrument::AcsWfc, 2, 3), d.path()).unwrap();
    let members = read_asn(&s.asn).unwrap();
    assert_eq!(members.len(), 3);
    assert_eq!(members.iter().filter(|m| m.kind == "EXP-DTH" && m.present).count(), 2);
    assert_eq!(members.iter().filter(|m| m.kind == "PROD-DTH").count(), 1);
    for root in &s.rootnames {
        assert_eq!(members.iter().filter(|m| m.name == root.to_uppercase()).count(), 1);
        for kind in ["flt", "flc"] {
            let f = Fits::open(d.path().join(format!("{root}_{kind}.fits"))).unwrap();
            let names: Vec<String> = f.hdus().iter().skip(1).map(|h| format!("{},{}", h.extname, h.extver)).collect();
            assert_eq!(names, ["SCI,1", "ERR,1", "DQ,1", "SCI,2", "ERR,2", "DQ,2"]);
            let p = f.primary_header();
            for k in [
                "INSTRUME", "DETECTOR", "FILTER1", "FILTER2", "EXPTIME", "EXPSTART", "DATE-OBS", "TIME-OBS", "PA_V3",
                "RA_TARG", "DEC_TARG", "ROOTNAME", "ASN_ID", "IDCTAB", "D2IMFILE", "NPOLFILE", "MDRIZTAB", "DRIZCORR",
                "CCDGAIN", "ATODGNA", "READNSEA", "SUBARRAY", "APERTURE",
            ] {
                assert!(p.contains(k), "{kind} primary lacks {k}");
            }
            assert!(p.get_str("IDCTAB").unwrap().unwrap().starts_with("jref$"));
            assert_eq!(p.get_bool("SUBARRAY").unwrap(), Some(true));
            let sci = &f.hdu(1).header;
            for k in
                ["CCDCHIP", "LTV1", "LTV2", "LTM1_1", "VAFACTOR", "ORIENTAT", "NGOODPIX", "BUNIT", "CD1_1", "CRVAL1"]
            {
                assert!(sci.contains(k), "SCI lacks {k}");
            }
            assert_eq!(sci.get_i64("CCDCHIP").unwrap(), Some(2));
            assert_eq!(sci.get_str("CTYPE1").unwrap(), Some("RA---TAN"));
            assert!(!sci.contains("A_ORDER"), "FLT must be pre-updatewcs");
        }
        let raw = Fits::open(d.path().join(format!("{root}_raw.fits"))).unwrap();
        assert_eq!(raw.primary_header().get_str("DRIZCORR").unwrap(), Some("PERFORM"));
        assert!(d.path().join(format!("truth/{root}_crmask.fits")).is_file());
    }
    for f in [
        "ref/simacs_idc.fits",
        "ref/simacs_d2i.fits",
        "ref/simacs_npl.fits",
        "ref/simacs_mdz.fits",
        "ref/env.sh",
        "truth.json",
        "truth_sources.csv",
        "gaia_catalog.csv",
    ] {
        assert!(d.path().join(f).is_file(), "{f}");
    }
    let cat = std::fs::read_to_string(d.path().join("gaia_catalog.csv")).unwrap();
    let mut lines = cat.split("\r\n");
    lines.next();
    assert!(lines.next().unwrap().contains("ra,dec"));
}

/// `updatewcs` with the simulated reference files, on files without pointing errors,
/// gives the true WCS; with the default errors it is off by about the error.
#[test]
fn updatewcs_reproduces_the_true_wcs() {
    for inst in [Instrument::Wfc3Ir, Instrument::AcsWfc, Instrument::Wfc3Uvis] {
        let d = tempfile::tempdir().unwrap();
        let mut cfg = small(inst, 2, 5);
        cfg.shift_error = 0.0;
        cfg.roll_error = 0.0;
        cfg.noise = false;
        let s = simulate(&cfg, d.path()).unwrap();
        let t = truth(d.path());
        let spec = inst.spec();
        // The headers name prefix$file: resolve by absolute names instead of the environment.
        for (ei, root) in s.rootnames.iter().enumerate() {
            let flt = d.path().join(format!("{root}_flt.fits"));
            driz_fits::update_file(&flt, |u| {
                let mut p = u.fits().primary_header().clone();
                for k in ["IDCTAB", "D2IMFILE", "NPOLFILE"] {
                    let v = p.get_str(k).unwrap().unwrap().to_string();
                    let name = v.split_once('$').unwrap().1.to_string();
                    p.set(k, d.path().join("ref").join(name).to_string_lossy().as_ref());
                }
                u.set_header(0, &p)
            })
            .unwrap();
            let r = driz_updatewcs::updatewcs(&flt, &driz_updatewcs::Options::default()).unwrap();
            assert_eq!(r.npol_extensions, 2 * spec.chips.len());
            assert_eq!(r.d2im_extensions, 2 * spec.chips.len());
            let mut f = Fits::open(&flt).unwrap();
            for (k, chip) in t["exposures"][ei]["chips"].as_array().unwrap().iter().enumerate() {
                let idx = f.position("SCI", k as i64 + 1).unwrap();
                let w = f.wcs(idx, ' ').unwrap();
                let crval: Vec<f64> = chip["crval"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
                let crpix: Vec<f64> = chip["crpix"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
                let (x, y) = w.world2pix(crval[0], crval[1]).unwrap();
                let (x0, y0) = w.world2pix(w.celestial.crval[0], w.celestial.crval[1]).unwrap();
                assert!((x - x0).abs() < 1e-6 && (y - y0).abs() < 1e-6, "{inst:?} chip {k}: {x} {y} vs {x0} {y0}");
                assert!(
                    (crpix[0] - w.celestial.crpix[0]).abs() < 1e-9 && (crpix[1] - w.celestial.crpix[1]).abs() < 1e-9
                );
                let cd = &chip["cd"];
                for i in 0..2 {
                    for j in 0..2 {
                        let v = cd[i][j].as_f64().unwrap();
                        // CD differences × chip size ≪ 1e-6 px
                        assert!((v - w.celestial.cd[i][j]).abs() * 4096.0 / 1.4e-5 < 1e-6, "{inst:?} CD{i}{j}");
                    }
                }
            }
        }
    }
}

/// Stars are where the truth says, with the flux it says: noiseless single exposures,
/// centroids and sums in boxes around isolated unsaturated stars through the true WCS.
#[test]
fn stars_are_at_their_true_positions() {
    for inst in [Instrument::Wfc3Ir, Instrument::AcsWfc, Instrument::Wfc3Uvis] {
        let d = tempfile::tempdir().unwrap();
        let mut cfg = small(inst, 1, 9);
        cfg.noise = false;
        cfg.cosmic_rays = false;
        cfg.hot_pixels = false;
        cfg.scene.galaxy_density = 0.0;
        cfg.scene.saturated = 0;
        cfg.scene.star_mag = [19.0, 22.0];
        let s = simulate(&cfg, d.path()).unwrap();
        let spec = inst.spec();
        let t = truth(d.path());
        let mut f = Fits::open(d.path().join(format!("{}_flt.fits", s.rootnames[0]))).unwrap();
        let csv = std::fs::read_to_string(d.path().join("truth_sources.csv")).unwrap();
        let stars: Vec<(f64, f64, f64)> = csv
            .lines()
            .skip(1)
            .map(|l| {
                let v: Vec<&str> = l.split(',').collect();
                (v[2].parse().unwrap(), v[3].parse().unwrap(), v[5].parse().unwrap())
            })
            .collect();
        let mut checked = 0;
        for (k, chip) in t["exposures"][0]["chips"].as_array().unwrap().iter().enumerate() {
            let _ = chip;
            let idx = f.position("SCI", k as i64 + 1).unwrap();
            let sci = f.read_image::<f32>(idx).unwrap();
            let w = true_wcs(d.path(), &s.rootnames[0], k);
            let (ny, nx) = sci.dim();
            let scale = if spec.count_rate { 1.0 } else { spec.exptime };
            let sky = spec.sky_rate * scale;
            for &(ra, dec, rate) in &stars {
                let (x, y) = w.world2pix(ra, dec).unwrap();
                let r = 10.0;
                if x < r + 2.0 || y < r + 2.0 || x > nx as f64 - r - 2.0 || y > ny as f64 - r - 2.0 {
                    continue;
                }
                // isolated: no other star within 25 px
                if stars.iter().any(|&(r2, d2, _)| {
                    (r2, d2) != (ra, dec)
                        && w.world2pix(r2, d2).map(|(a, b)| (a - x).hypot(b - y) < 25.0).unwrap_or(false)
                }) {
                    continue;
                }
                let (mut sx, mut sy, mut sf) = (0.0, 0.0, 0.0);
                let (i0, j0) = (x.round() as usize - 1, y.round() as usize - 1);
                for j in j0 - 10..=j0 + 10 {
                    for i in i0 - 10..=i0 + 10 {
                        let v = sci[[j, i]] as f64 - sky;
                        sx += v * (i as f64 + 1.0);
                        sy += v * (j as f64 + 1.0);
                        sf += v;
                    }
                }
                let (cx, cy) = (sx / sf, sy / sf);
                assert!((cx - x).abs() < 0.02 && (cy - y).abs() < 0.02, "{inst:?}: {cx} {cy} vs {x} {y}");
                let expected = rate * scale;
                assert!((sf / expected - 1.0).abs() < 0.01, "{inst:?}: flux {sf} vs {expected}");
                checked += 1;
            }
        }
        assert!(checked >= 3, "{inst:?}: only {checked} isolated stars checked");
    }
}

/// The true WCS of chip `k` (full distortion model) from `truth/<root>_truewcs.fits`.
fn true_wcs(dir: &Path, root: &str, k: usize) -> driz_wcs::HstWcs {
    let mut f = Fits::open(dir.join(format!("truth/{root}_truewcs.fits"))).unwrap();
    let idx = f.position("SCI", k as i64 + 1).unwrap();
    f.wcs(idx, ' ').unwrap()
}

/// Issue 3 acceptance: drizzling the simulated exposures with their *true* WCS puts the
/// injected stars where the truth says (≤ 0.02 output px) with the flux it says (≤ 1 %).
///
/// A noiseless `--small` WFC3/IR association of 4 dithered exposures (no CRs, hot pixels,
/// galaxies or saturated stars), every chip's header WCS replaced by the true WCS of
/// `truth/<root>_truewcs.fits`, drizzled with `driz_steps::drizzle_chips` (square kernel,
/// pixfrac 1, default frame at the native scale). For each isolated star (no other within 18 px) fully inside every
/// exposure: background = median of an annulus (11–14 px), centroid = first moments and
/// flux = sum in a 21×21 box around the star's true output position.
///
/// Flux convention: the truth `flux` is the star's count rate (e-/s) and the simulator puts
/// `flux · EXPTIME` electrons into the FLT (the FLT is *not* pixel-area corrected: a star has
/// the same FLT counts wherever it lands). Drizzle scales values by the ratio of the output
/// pixel to the chip's *linear* pixel (`linear_pixel_scale`), so a star landing on input
/// pixels of sky area `A_loc` comes out with `flux · A_loc / A_lin`, A_lin = linear scale².
/// The expected product flux (SCI is e-/s) is `flux` times that ratio, averaged over the
/// exposures (equal exposure-time weights).
#[test]
fn drizzle_with_true_wcs_reproduces_stars() {
    drizzled_stars_match_truth(Instrument::Wfc3Ir);
}

/// The same on a WFC3/UVIS association (two chips, electrons, a skewed pixel grid).
#[test]
fn drizzle_with_true_wcs_reproduces_stars_uvis() {
    drizzled_stars_match_truth(Instrument::Wfc3Uvis);
}

fn drizzled_stars_match_truth(instrument: Instrument) {
    use driz_steps::{DrizzleOptions, chips_of, drizzle_chips};
    let d = tempfile::tempdir().unwrap();
    let mut cfg = small(instrument, 4, 21);
    cfg.noise = false;
    cfg.cosmic_rays = false;
    cfg.hot_pixels = false;
    cfg.scene.galaxy_density = 0.0;
    cfg.scene.saturated = 0;
    cfg.scene.star_mag = [19.0, 22.5];
    // per arcmin²: the small UVIS chips cover a third of the small IR field
    cfg.scene.star_density = if instrument == Instrument::Wfc3Uvis { 600.0 } else { 200.0 };
    let s = simulate(&cfg, d.path()).unwrap();
    let mut exposures = Vec::new();
    for root in &s.rootnames {
        let mut c = chips_of(&d.path().join(format!("{root}_flt.fits")), None).unwrap();
        for (k, chip) in c.iter_mut().enumerate() {
            chip.wcs = true_wcs(d.path(), root, k);
        }
        exposures.push(c);
    }
    let chips: Vec<_> = exposures.iter().flatten().cloned().collect();
    let product = drizzle_chips(&chips, &DrizzleOptions::default()).unwrap();
    let out = driz_wcs::HstWcs::undistorted(product.frame.wcs.clone());
    let (ony, onx) = product.sci.dim();
    let csv = std::fs::read_to_string(d.path().join("truth_sources.csv")).unwrap();
    let stars: Vec<(f64, f64, f64)> = csv
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1) == Some("star"))
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (v[2].parse().unwrap(), v[3].parse().unwrap(), v[5].parse().unwrap())
        })
        .collect();
    // Sky area of an input pixel at (x, y) over the linear pixel area, through the true WCS.
    let area_ratio = |chip: &driz_steps::ChipInfo, x: f64, y: f64| {
        let w = &chip.wcs;
        let (r0, d0) = w.pix2world(x, y);
        let (r1, d1) = w.pix2world(x + 0.5, y);
        let (r2, d2) = w.pix2world(x, y + 0.5);
        let c = d0.to_radians().cos();
        let (ax, ay) = ((r1 - r0) * c * 2.0, (d1 - d0) * 2.0);
        let (bx, by) = ((r2 - r0) * c * 2.0, (d2 - d0) * 2.0);
        let local = (ax * by - ay * bx).abs() * 3600.0 * 3600.0;
        let lin = driz_wcs::linear_pixel_scale(w, &chip.reference).unwrap();
        local / (lin * lin)
    };
    let (r, margin) = (10usize, 14usize);
    let (mut checked, mut worst_pos, mut worst_flux) = (0, 0.0f64, 0.0f64);
    for &(ra, dec, rate) in &stars {
        let (x, y) = out.world2pix(ra, dec).unwrap();
        if x < margin as f64 + 1.0 || y < margin as f64 + 1.0 || x > (onx - margin) as f64 || y > (ony - margin) as f64
        {
            continue;
        }
        // isolated: no other star within 18 output px
        let crowded = stars.iter().any(|&(r2, d2, _)| {
            (r2, d2) != (ra, dec) && out.world2pix(r2, d2).map(|(a, b)| (a - x).hypot(b - y) < 18.0).unwrap_or(false)
        });
        if crowded {
            continue;
        }
        // fully inside one chip of every exposure (so every output pixel of the box has all
        // exposures)
        let mut ratio = 0.0;
        let mut inside = true;
        for exposure in &exposures {
            let m = margin as f64;
            let on_chip = exposure.iter().find_map(|chip| {
                let (cx, cy) = chip.wcs.world2pix(ra, dec).unwrap();
                let inside = cx >= m && cy >= m && cx <= chip.size[0] as f64 - m && cy <= chip.size[1] as f64 - m;
                inside.then(|| area_ratio(chip, cx, cy))
            });
            match on_chip {
                Some(r) => ratio += r / exposures.len() as f64,
                None => {
                    inside = false;
                    break;
                }
            }
        }
        if !inside {
            continue;
        }
        let (i0, j0) = (x.round() as usize - 1, y.round() as usize - 1);
        let mut annulus = Vec::new();
        for j in j0 - margin..=j0 + margin {
            for i in i0 - margin..=i0 + margin {
                let rr = (i as f64 - i0 as f64).hypot(j as f64 - j0 as f64);
                if (11.0..=14.0).contains(&rr) {
                    annulus.push(product.sci[[j, i]] as f64);
                }
            }
        }
        annulus.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let sky = annulus[annulus.len() / 2];
        let (mut sx, mut sy, mut sf) = (0.0, 0.0, 0.0);
        for j in j0 - r..=j0 + r {
            for i in i0 - r..=i0 + r {
                let v = product.sci[[j, i]] as f64 - sky;
                assert!(v.is_finite(), "NaN at ({i}, {j}) near star at {x} {y}");
                sx += v * (i as f64 + 1.0);
                sy += v * (j as f64 + 1.0);
                sf += v;
            }
        }
        let (cx, cy) = (sx / sf, sy / sf);
        let expected = rate * ratio;
        let (dpos, dflux) = ((cx - x).hypot(cy - y), sf / expected - 1.0);
        eprintln!(
            "star {ra:.6} {dec:.6} rate {rate:.2}: dx {:+.4} dy {:+.4} flux {dflux:+.4} (area {ratio:.4})",
            cx - x,
            cy - y
        );
        assert!((cx - x).abs() <= 0.02 && (cy - y).abs() <= 0.02, "centroid {cx} {cy} vs true {x} {y}");
        assert!(dflux.abs() <= 0.01, "flux {sf} vs expected {expected} (truth {rate} × area ratio {ratio})");
        worst_pos = worst_pos.max(dpos);
        worst_flux = worst_flux.max(dflux.abs());
        checked += 1;
    }
    eprintln!("{checked} stars, worst |Δpos| {worst_pos:.4} px, worst |Δflux| {:.3} %", worst_flux * 100.0);
    assert!(checked >= 10, "only {checked} isolated stars checked");
}
