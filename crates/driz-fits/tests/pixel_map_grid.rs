//! The stepsize-grid pixel map (AstroDrizzle's `DefaultWCSMapping`) against the exact map
//! on real distorted chips: its interpolation error, measured and bounded.

mod common;

use driz_fits::Fits;
use driz_wcs::{FrameChip, FrameReference, HstWcs, default_frame, pixel_map, pixel_map_stepped};

#[test]
fn grid_map_error_is_small_on_acs_chips() {
    let Some(hst) = common::shared_hst() else {
        common::skip_notice("stepsize-grid pixel map error on ACS chips");
        return;
    };
    // ACS/HRC with SIP; ACS/WFC j94f05bgq chip 1 (astropy's test file, with its lookup tables).
    let files = [hst.join("drizzle-testdata-deb/input1.fits"), hst.join("astropy/j94f05bgq_flt.fits")];
    for file in files {
        let mut f = Fits::open(&file).unwrap();
        let sci = f.position("SCI", 1).unwrap();
        if f.hdu(sci).image_size().is_none() {
            continue;
        }
        let size = f.hdu(sci).image_size().unwrap();
        let wcs = f.wcs(sci, ' ').unwrap();
        let reference = FrameReference::from_headers(f.primary_header(), &f.hdu(sci).header).unwrap();
        let frame = default_frame(&[FrameChip { wcs: &wcs, size }], &reference).unwrap();
        let out = HstWcs::undistorted(frame.wcs.clone());
        let exact = pixel_map(&wcs, &out, size[0], size[1]);
        for step in [1usize, 10, 20] {
            let grid = pixel_map_stepped(&wcs, &out, size[0], size[1], step);
            let worst = exact
                .iter()
                .zip(&grid)
                .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
                .fold(0.0f64, f64::max);
            eprintln!("{} step {step}: max |grid - exact| = {worst:.3e} px", file.display());
            let bound = match step {
                1 => 1e-9,
                10 => 2e-3,
                _ => 1e-2,
            };
            assert!(worst < bound, "step {step}: {worst} px");
        }
        assert_eq!(pixel_map_stepped(&wcs, &out, size[0], size[1], 0), exact);
    }
}
