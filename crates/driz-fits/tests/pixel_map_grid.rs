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

/// The pixel map links the two focal planes directly; it must equal the trip through
/// (RA, Dec) of the full models, onto an undistorted frame and onto a distorted chip.
#[test]
fn pixel_map_equals_the_trip_through_the_sky() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/hst/j94f05bgq_updatewcs_flt.fits.gz");
    let mut f = Fits::open(path).unwrap();
    let (sci1, sci2) = (f.position("SCI", 1).unwrap(), f.position("SCI", 2).unwrap());
    let chip1 = f.wcs(sci1, ' ').unwrap();
    let chip2 = f.wcs(sci2, ' ').unwrap();
    let (nx, ny) = (4096, 2048);
    let (ra, dec) = chip1.pix2world(2048.0, 1024.0);
    let s = 0.05 / 3600.0;
    let frame =
        driz_wcs::Celestial::new([2100.0, 2100.0], [ra, dec], [[-s, 0.0], [0.0, s]], ["RA---TAN", "DEC--TAN"]).unwrap();
    for (output, what) in [(HstWcs::undistorted(frame), "north-up frame"), (chip2, "the other chip")] {
        let map = pixel_map(&chip1, &output, nx, ny);
        let mut worst = 0.0f64;
        let mut compared = 0;
        for j in (0..ny).step_by(37) {
            for i in (0..nx).step_by(29) {
                let (ra, dec) = chip1.pix2world((i + 1) as f64, (j + 1) as f64);
                let Ok((x, y)) = output.world2pix(ra, dec) else {
                    assert!(map[j * nx + i][0].is_nan(), "{what}: ({i}, {j}) maps but the sky trip fails");
                    continue;
                };
                let got = map[j * nx + i];
                worst = worst.max((got[0] - (x - 1.0)).abs()).max((got[1] - (y - 1.0)).abs());
                compared += 1;
            }
        }
        eprintln!("{what}: {compared} pixels, max |direct - through the sky| = {worst:.2e} px");
        assert!(compared > 5000 && worst < 1e-8, "{what}: {worst} px over {compared} pixels");
    }
}

/// A map made a band of rows at a time has the same values as the whole map, exact and
/// stepped, whatever the band edges (grid rows shared between bands included).
#[test]
fn pixel_map_bands_equal_the_whole_map() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/hst/j94f05bgq_updatewcs_flt.fits.gz");
    let mut f = Fits::open(path).unwrap();
    let chip = f.wcs(f.position("SCI", 1).unwrap(), ' ').unwrap();
    let (nx, ny) = (4096, 2048);
    let (ra, dec) = chip.pix2world(2048.0, 1024.0);
    let s = 0.05 / 3600.0;
    let frame =
        driz_wcs::Celestial::new([2100.0, 2100.0], [ra, dec], [[-s, 0.0], [0.0, s]], ["RA---TAN", "DEC--TAN"]).unwrap();
    let out = HstWcs::undistorted(frame);
    for step in [0usize, 10, 7] {
        let whole = pixel_map_stepped(&chip, &out, nx, ny, step);
        let mut start = 0;
        for rows in [1usize, 9, 10, 11, 256, 3, 1000, 2048] {
            let end = (start + rows).min(ny);
            let band = driz_wcs::pixel_map_rows(&chip, &out, nx, ny, step, start..end);
            let same = band
                .iter()
                .zip(&whole[start * nx..end * nx])
                .all(|(a, b)| a[0].to_bits() == b[0].to_bits() && a[1].to_bits() == b[1].to_bits());
            assert!(same && band.len() == (end - start) * nx, "step {step}, rows {start}..{end}");
            start = end;
        }
        assert_eq!(start, ny);
    }
}

/// The grid answers any pixel's entry with the stepped map's value, bit for bit, and any
/// band of its rows is those rows of the map. Single entries are interpolated by the
/// plain formula and rows in AVX registers where the CPU has them, so this also checks
/// that the two builds agree.
#[test]
fn step_grid_entries_and_rows_are_the_stepped_map() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/hst/j94f05bgq_updatewcs_flt.fits.gz");
    let mut f = Fits::open(path).unwrap();
    let chip = f.wcs(f.position("SCI", 1).unwrap(), ' ').unwrap();
    // A frame smaller than the chip's footprint, so that some grid points are off it.
    let (ra, dec) = chip.pix2world(1000.0, 500.0);
    let s = 0.05 / 3600.0;
    let frame =
        driz_wcs::Celestial::new([2100.0, 2100.0], [ra, dec], [[-s, 0.0], [0.0, s]], ["RA---TAN", "DEC--TAN"]).unwrap();
    let out = HstWcs::undistorted(frame);
    let same = |a: [f64; 2], b: [f64; 2]| a[0].to_bits() == b[0].to_bits() && a[1].to_bits() == b[1].to_bits();
    // Odd sizes: a last column without a partner in the vector loop, partial grid cells.
    for (step, nx, ny) in [(10usize, 4096usize, 2048usize), (7, 4095, 301), (1, 33, 20)] {
        let whole = pixel_map_stepped(&chip, &out, nx, ny, step);
        let grid = driz_wcs::StepGrid::new(&chip, &out, nx, ny, step);
        assert_eq!(grid.size(), (nx, ny));
        for j in (0..ny).step_by(97).chain([ny - 1]) {
            for i in (0..nx).step_by(13).chain([0, nx - 1]) {
                assert!(same(grid.at(i, j), whole[j * nx + i]), "step {step}: pixel ({i}, {j})");
            }
        }
        for rows in [0..1, 5..17, ny - 3..ny, 0..ny] {
            let band = grid.rows(rows.clone());
            assert_eq!(band.len(), rows.len() * nx);
            let all_same = band.iter().zip(&whole[rows.start * nx..rows.end * nx]).all(|(a, b)| same(*a, *b));
            assert!(all_same, "step {step}: rows {rows:?}");
        }
    }
}
