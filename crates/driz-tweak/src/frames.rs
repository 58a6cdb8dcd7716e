//! The coordinate frames of tweakwcs's `FITSWCSCorrector`, on 0-based pixels: detector,
//! world (full distortion model), and the chip's tangent plane (its distortion-free
//! "focal-plane" pixel grid, reached from the sky with the linear WCS alone).

use driz_wcs::{Celestial, HstWcs};

/// `all_pix2world(x, y, 0)`.
pub fn det_to_world(wcs: &HstWcs, x: f64, y: f64) -> (f64, f64) {
    wcs.pix2world(x + 1.0, y + 1.0)
}

/// `pix2foc(x, y, 0)`: D2IM, SIP and NPOL applied, still in pixels.
pub fn det_to_tanp(wcs: &HstWcs, x: f64, y: f64) -> (f64, f64) {
    let (xf, yf) = wcs.pix2foc(x + 1.0, y + 1.0);
    (xf - 1.0, yf - 1.0)
}

/// `wcs_world2pix(ra, dec, 0)` of the linear WCS; NaN for points behind the tangent plane.
pub fn world_to_tanp(lin: &Celestial, ra: f64, dec: f64) -> (f64, f64) {
    match lin.world2foc(ra, dec) {
        Some((x, y)) => (x - 1.0, y - 1.0),
        None => (f64::NAN, f64::NAN),
    }
}

/// `wcs_pix2world(x, y, 0)` of the linear WCS.
pub fn tanp_to_world(lin: &Celestial, x: f64, y: f64) -> (f64, f64) {
    lin.foc2world(x + 1.0, y + 1.0)
}

/// Square root of the tangent-plane area of the detector pixel centred on `(x, y)`
/// (tweakwcs `tanp_pixel_scale`).
pub fn tanp_pixel_scale(wcs: &HstWcs, x: f64, y: f64) -> f64 {
    let xs = [x - 0.5, x - 0.5, x + 0.5, x + 0.5];
    let ys = [y - 0.5, y + 0.5, y + 0.5, y - 0.5];
    let mut xt = [0.0; 4];
    let mut yt = [0.0; 4];
    for k in 0..4 {
        (xt[k], yt[k]) = det_to_tanp(wcs, xs[k], ys[k]);
    }
    let area = 0.5
        * (xt[0] * yt[1] + xt[1] * yt[2] + xt[2] * yt[3] + xt[3] * yt[0]
            - xt[1] * yt[0]
            - xt[2] * yt[1]
            - xt[3] * yt[2]
            - xt[0] * yt[3])
            .abs();
    area.sqrt()
}

/// tweakwcs `FITSWCSCorrector.tanp_center_pixel_scale`: the pixel scale at `(CRPIX1,
/// CRPIX2)` taken as a 0-based position (one pixel off the reference point, as in the
/// reference).
pub fn tanp_center_pixel_scale(wcs: &HstWcs) -> f64 {
    let [cx, cy] = wcs.celestial.crpix;
    tanp_pixel_scale(wcs, cx, cy)
}
