//! Applying a fit to a chip's WCS (tweakwcs `FITSWCSCorrector.set_correction` and
//! `_linearize`): only CRVAL and the CD matrix change; CRPIX and all distortion are kept.

use crate::frames::{tanp_to_world, world_to_tanp};
use crate::linalg::inverse;
use driz_wcs::{Celestial, HstWcs, WcsError};

/// The chip WCS `wcs` (image size `naxis = [NAXIS1, NAXIS2]`) corrected by the fit
/// `reference ≈ matrix · image + shift` defined in the tangent plane of `plane` (the
/// linear WCS of the group's first chip before correction).
///
/// The new CRVAL is the fitted position of the old one; the CD matrix is multiplied by
/// the Jacobian of the full pixel → plane → fit → plane → new pixel map at CRPIX, taken
/// with the 5-point formula and steps `h = max(1, min(10, (CRPIX−1)/100, (NAXIS−CRPIX)/100))`.
pub fn set_correction(
    wcs: &HstWcs,
    naxis: [usize; 2],
    plane: &Celestial,
    matrix: [[f64; 2]; 2],
    shift: [f64; 2],
) -> Result<HstWcs, WcsError> {
    let old = &wcs.celestial;
    let inv = inverse(matrix).ok_or_else(|| WcsError::Invalid("the fit matrix is singular".into()))?;
    // The fit as a shift applied before the matrix: F·(p − t).
    let t = [-(inv[0][0] * shift[0] + inv[0][1] * shift[1]), -(inv[1][0] * shift[0] + inv[1][1] * shift[1])];
    let apply = |x: f64, y: f64| {
        let (dx, dy) = (x - t[0], y - t[1]);
        (dx * matrix[0][0] + dy * matrix[0][1], dx * matrix[1][0] + dy * matrix[1][1])
    };
    let step = |crpix: f64, n: usize| 1f64.max(10f64.min((crpix - 1.0) / 100.0).min((n as f64 - crpix) / 100.0));
    let (hx, hy) = (step(old.crpix[0], naxis[0]), step(old.crpix[1], naxis[1]));

    let (ra0, dec0) = old.foc2world(old.crpix[0], old.crpix[1]);
    let (qx, qy) = world_to_tanp(plane, ra0, dec0);
    let (cx, cy) = apply(qx, qy);
    let crval = tanp_to_world(plane, cx, cy);
    let moved = old.with_reference(old.crpix, [crval.0, crval.1], old.cd)?;

    // Old linear pixel → sky → plane → fit → sky → pixel of the moved WCS (0-based).
    let map = |x: f64, y: f64| -> (f64, f64) {
        let (ra, dec) = old.foc2world(x + 1.0, y + 1.0);
        let (px, py) = world_to_tanp(plane, ra, dec);
        let (fx, fy) = apply(px, py);
        let (ra, dec) = tanp_to_world(plane, fx, fy);
        match moved.world2foc(ra, dec) {
            Some((u, v)) => (u - 1.0, v - 1.0),
            None => (f64::NAN, f64::NAN),
        }
    };
    let (x0, y0) = (old.crpix[0] - 1.0, old.crpix[1] - 1.0);
    let derivative = |minus: (f64, f64), plus: (f64, f64), minus_half: (f64, f64), plus_half: (f64, f64), h: f64| {
        [
            ((minus.0 - plus.0) + 8.0 * (plus_half.0 - minus_half.0)) / (6.0 * h),
            ((minus.1 - plus.1) + 8.0 * (plus_half.1 - minus_half.1)) / (6.0 * h),
        ]
    };
    let ux = derivative(map(x0 - hx, y0), map(x0 + hx, y0), map(x0 - 0.5 * hx, y0), map(x0 + 0.5 * hx, y0), hx);
    let uy = derivative(map(x0, y0 - hy), map(x0, y0 + hy), map(x0, y0 - 0.5 * hy), map(x0, y0 + 0.5 * hy), hy);
    let u = [[ux[0], uy[0]], [ux[1], uy[1]]];
    let cd = old.cd;
    let new_cd = [
        [cd[0][0] * u[0][0] + cd[0][1] * u[1][0], cd[0][0] * u[0][1] + cd[0][1] * u[1][1]],
        [cd[1][0] * u[0][0] + cd[1][1] * u[1][0], cd[1][0] * u[0][1] + cd[1][1] * u[1][1]],
    ];
    if !new_cd.iter().flatten().all(|v| v.is_finite()) {
        return Err(WcsError::Invalid("the corrected CD matrix is not finite".into()));
    }
    let celestial = moved.with_reference(old.crpix, moved.crval, new_cd)?;
    Ok(HstWcs { celestial, distortion: wcs.distortion.clone() })
}
