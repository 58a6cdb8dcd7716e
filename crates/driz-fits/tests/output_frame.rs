//! AstroDrizzle's default output frame (spec drizzle-algorithms Part 2 §2.1), on the
//! real files of the verified examples.

mod common;

use driz_fits::{Exposure, Fits};
use driz_wcs::{FrameChip, FrameReference, default_frame};

fn frame_of(paths: &[std::path::PathBuf]) -> driz_wcs::Frame {
    let mut wcs = Vec::new();
    let mut sizes = Vec::new();
    let mut reference = None;
    for path in paths {
        let mut fits = Fits::open(path).unwrap();
        let exposure = Exposure::from_fits(&fits).unwrap();
        for chip in &exposure.chips {
            if reference.is_none() {
                reference =
                    Some(FrameReference::from_headers(fits.primary_header(), &fits.hdu(chip.sci).header).unwrap());
            }
            wcs.push(fits.wcs(chip.sci, ' ').unwrap());
            sizes.push(chip.size.unwrap());
        }
    }
    let chips: Vec<FrameChip> = wcs.iter().zip(&sizes).map(|(w, s)| FrameChip { wcs: w, size: *s }).collect();
    default_frame(&chips, &reference.unwrap()).unwrap()
}

fn check(frame: &driz_wcs::Frame, size: [usize; 2], crpix: [f64; 2], crval: [f64; 2], cd: [[f64; 2]; 2]) {
    assert_eq!(frame.size, size);
    assert_eq!(frame.wcs.crpix, crpix);
    assert!(
        (frame.wcs.crval[0] - crval[0]).abs() < 1e-10 && (frame.wcs.crval[1] - crval[1]).abs() < 1e-10,
        "{:?}",
        frame.wcs.crval
    );
    for (got, want) in frame.wcs.cd.iter().flatten().zip(cd.iter().flatten()) {
        assert!((got - want).abs() < 1e-15, "{:?}", frame.wcs.cd);
    }
}

#[test]
fn acs_hrc_frame_with_idc_geometry() {
    let Some(shared) = common::shared_hst() else {
        return common::skip_notice("output frame of input1.fits");
    };
    let frame = frame_of(&[shared.join("drizzle-testdata-deb/input1.fits")]);
    check(
        &frame,
        [1163, 1137],
        [581.5, 568.5],
        [6.027212021944473, -72.08349629460626],
        [[-6.691491889494934e-06, 1.8572142942586967e-06], [1.8572142942586967e-06, 6.691491889494934e-06]],
    );
}

#[test]
fn wfc3_ir_association_frame_from_cd() {
    let Some(shared) = common::shared_hst() else {
        return common::skip_notice("output frame of IB6O23020");
    };
    let paths: Vec<_> = ["ib6o23rtq", "ib6o23rwq", "ib6o23rzq", "ib6o23s2q"]
        .iter()
        .map(|r| shared.join(format!("grizli-wfc3ir/{r}_flt.fits.gz")))
        .collect();
    let frame = frame_of(&paths);
    check(
        &frame,
        [1228, 1044],
        [614.0, 522.0],
        [53.07091423252214, -27.709334341078236],
        [[3.41898018792809e-05, 1.00140326670886e-05], [1.00140326670886e-05, -3.418980187928e-05]],
    );
}
