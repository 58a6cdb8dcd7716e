//! The whole chain (`detect_image`) on sub-images of the simulated ACS/WFC FLC and WFC3/IR
//! FLT (and a synthetic ACS/SBC FLT), against drizzlepac's `AlignmentTable` + `find_alignment_sources` on the same
//! sub-images (testdata/scripts/make_detect_fixtures.py).

mod common;

use common::*;
use driz_detect::detect_image;
use ndarray::Array2;

fn run(name: &str) {
    let fx = fixture(name);
    let mut sci = Vec::new();
    let mut dq = Vec::new();
    let mut err = Vec::new();
    for chip in fx["chips"].as_array().unwrap() {
        let shape = shape(&chip["shape"]);
        sci.push(f32_array(&chip["sci_f32"], shape));
        let mut d = Array2::<u16>::zeros(shape);
        let flat = d.as_slice_mut().unwrap();
        for (i, v) in chip["dq_index"].as_array().unwrap().iter().zip(chip["dq_value"].as_array().unwrap()) {
            flat[i.as_u64().unwrap() as usize] = v.as_u64().unwrap() as u16;
        }
        dq.push(d);
        err.push(Array2::<f32>::ones(shape));
    }
    let (chips, params) = chip_images(&fx, &sci, &err, &dq);
    let result = detect_image(&chips, &params, None).unwrap();
    let want_fwhm = fx["kernel_fwhm_px"].as_f64().unwrap();
    let fwhm_diff = rel_diff(result.kernel_fwhm_px, want_fwhm);
    // the kernel FWHM comes from a TRF fit stopped at xtol 1e-7
    assert!(fwhm_diff <= 1e-7, "kernel FWHM {} vs {want_fwhm}", result.kernel_fwhm_px);
    let mut worst_xy = 0.0f64;
    let mut worst_rel = 0.0f64;
    for (got, want) in result.chips.iter().zip(fx["chips"].as_array().unwrap()) {
        let n = want["x"].as_array().unwrap().len();
        assert_eq!(got.len(), n, "{name}: source count");
        for (i, s) in got.iter().enumerate() {
            worst_xy = worst_xy.max((s.x - want["x"][i].as_f64().unwrap()).abs());
            worst_xy = worst_xy.max((s.y - want["y"][i].as_f64().unwrap()).abs());
            for (g, key) in [(s.flux, "flux"), (s.peak, "peak"), (s.mag, "mag")] {
                worst_rel = worst_rel.max(rel_diff(g, want[key][i].as_f64().unwrap()));
            }
        }
    }
    eprintln!(
        "{name}: FWHM rel diff {fwhm_diff:.2e}, max position diff {worst_xy:.2e} px, max flux/peak/mag rel diff {worst_rel:.2e}"
    );
    assert!(worst_xy <= 1e-6 && worst_rel <= 1e-6);
}

#[test]
fn acs_wfc_subimage_matches_drizzlepac() {
    run("e2e_acs.json");
}

#[test]
fn wfc3_ir_subimage_matches_drizzlepac() {
    run("e2e_ir.json");
}

/// A synthetic ACS/SBC exposure (photon counts, sharp core + halo PSFs): the SBC branch of
/// drizzlepac's `SBCHAPImage.find_alignment_sources`.
#[test]
fn acs_sbc_image_matches_drizzlepac() {
    run("e2e_sbc.json");
}
