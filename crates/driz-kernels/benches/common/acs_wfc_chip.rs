//! The work the kernel benchmarks time (the criterion bench `drizzle` and the example
//! `kernel_cpu_time`, which include this file): SCI,1 of the committed ACS/WFC chip
//! (4096×2048, SIP + NPOL + D2IM) onto a 4200×4200 north-up 0.05″ TAN frame centred on
//! it, with pseudo-random data.

use driz_fits::{Fits, HduSpec};
use driz_wcs::{Celestial, HstWcs};
use ndarray::Array2;

pub const NX: usize = 4096;
pub const NY: usize = 2048;
pub const OUT: usize = 4200;

/// The chip's WCS and the output frame's.
pub fn input_and_output() -> (HstWcs, HstWcs) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/hst/j94f05bgq_updatewcs_flt.fits.gz");
    let mut fits = Fits::open(path).expect("the committed ACS/WFC chip");
    let sci = fits.find(&HduSpec::Name("SCI".into(), 1)).expect("SCI,1");
    let input = fits.wcs(sci, ' ').expect("its WCS");
    let (ra, dec) = input.pix2world(NX as f64 / 2.0, NY as f64 / 2.0);
    let s = 0.05 / 3600.0;
    let frame = Celestial::new(
        [OUT as f64 / 2.0, OUT as f64 / 2.0],
        [ra, dec],
        [[-s, 0.0], [0.0, s]],
        ["RA---TAN", "DEC--TAN"],
    )
    .expect("a valid TAN frame");
    (input, HstWcs::undistorted(frame))
}

/// The chip's data: uniform in [0, 16777) from a fixed linear congruential sequence.
pub fn data() -> Array2<f32> {
    let mut state = 7u64;
    Array2::from_shape_fn((NY, NX), |_| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 40) as f32 / 1000.0
    })
}
