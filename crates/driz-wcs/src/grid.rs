//! Whole-image evaluation, parallel over rows. Each pixel is computed independently, so
//! results are bit-identical for any number of threads.

use crate::WcsError;
use crate::celestial::FocalTransfer;
use crate::hst::HstWcs;
use rayon::prelude::*;

/// Sky coordinates of every pixel centre of an `nx` × `ny` image (1-based pixel
/// `(i + 1, j + 1)` at index `j * nx + i`): two row-major arrays, RA and Dec in degrees.
pub fn pix2world_grid(wcs: &HstWcs, nx: usize, ny: usize) -> (Vec<f64>, Vec<f64>) {
    let mut ra = vec![0.0; nx * ny];
    let mut dec = vec![0.0; nx * ny];
    if nx == 0 {
        return (ra, dec);
    }
    let xs = column_coordinates(nx);
    ra.par_chunks_mut(nx).zip(dec.par_chunks_mut(nx)).enumerate().for_each(|(j, (ra_row, dec_row))| {
        let ys = vec![(j + 1) as f64; nx];
        wcs.pix2world_many(&xs, &ys, ra_row, dec_row);
    });
    (ra, dec)
}

/// `pix2world` of many points, in parallel.
pub fn pix2world_points(wcs: &HstWcs, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    points.par_iter().with_min_len(4096).map(|&(x, y)| wcs.pix2world(x, y)).collect()
}

/// `world2pix` of many points, in parallel; each point succeeds or fails on its own.
pub fn world2pix_points(wcs: &HstWcs, points: &[(f64, f64)]) -> Vec<Result<(f64, f64), WcsError>> {
    points.par_iter().with_min_len(1024).map(|&(ra, dec)| wcs.world2pix(ra, dec)).collect()
}

/// The drizzle pixel map: for every pixel of an `nx` × `ny` input image, its position in
/// the output image, both 0-based (drizzle's convention), row-major `[x, y]` pairs.
/// Points that cannot be mapped (behind the output tangent plane, or not converging) are NaN.
/// The two focal planes are linked directly ([`FocalTransfer`](crate::FocalTransfer)),
/// which agrees with `output.world2pix(input.pix2world(..))` to ~1e-9 pixel.
pub fn pixel_map(input: &HstWcs, output: &HstWcs, nx: usize, ny: usize) -> Vec<[f64; 2]> {
    let mut map = vec![[f64::NAN; 2]; nx * ny];
    if nx == 0 {
        return map;
    }
    let xs = column_coordinates(nx);
    let transfer = input.celestial.transfer_to(&output.celestial);
    map.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        map_row(input, output, &transfer, &xs, (j + 1) as f64, row);
        for out in row.iter_mut() {
            *out = [out[0] - 1.0, out[1] - 1.0];
        }
    });
    map
}

/// 1-based input pixels `(x, y)` for every `x` in `xs` → 1-based output pixels in `row`
/// (left NaN where the output cannot be reached).
fn map_row(input: &HstWcs, output: &HstWcs, transfer: &FocalTransfer, xs: &[f64], y: f64, row: &mut [[f64; 2]]) {
    let ys = vec![y; xs.len()];
    let (mut xf, mut yf) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
    input.pix2foc_many(xs, &ys, &mut xf, &mut yf);
    for ((out, &xf), &yf) in row.iter_mut().zip(&xf).zip(&yf) {
        if let Some((xo, yo)) = transfer.apply(xf, yf).and_then(|(x, y)| output.foc2pix(x, y)) {
            *out = [xo, yo];
        }
    }
}

/// The pixel map as AstroDrizzle computes it (drizzlepac's `DefaultWCSMapping`): the
/// exact mapping evaluated on a grid of 1-based pixel positions `(i·step, j·step)`,
/// `i = 0..nx/step+1`, `j = 0..ny/step+1` (starting one pixel before the image), and every
/// pixel bilinearly interpolated in that grid. `step = 0` is the exact [`pixel_map`].
/// About `step²` times fewer WCS evaluations; the interpolation error is bounded by the
/// curvature of the distortion over one grid cell (measured in the tests).
pub fn pixel_map_stepped(input: &HstWcs, output: &HstWcs, nx: usize, ny: usize, step: usize) -> Vec<[f64; 2]> {
    if step == 0 || nx == 0 || ny == 0 {
        return pixel_map(input, output, nx, ny);
    }
    let (gnx, gny) = (nx / step + 2, ny / step + 2);
    let xs: Vec<f64> = (0..gnx).map(|i| (i * step) as f64).collect();
    let mut grid = vec![[f64::NAN; 2]; gnx * gny];
    let transfer = input.celestial.transfer_to(&output.celestial);
    grid.par_chunks_mut(gnx).enumerate().for_each(|(j, row)| {
        map_row(input, output, &transfer, &xs, (j * step) as f64, row);
    });
    let step_f = step as f64;
    let mut map = vec![[f64::NAN; 2]; nx * ny];
    map.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        let v = (j + 1) as f64 / step_f;
        let jv = (v.floor() as usize).min(gny - 2);
        let fv = v - jv as f64;
        let (g0, g1) = (&grid[jv * gnx..(jv + 1) * gnx], &grid[(jv + 1) * gnx..(jv + 2) * gnx]);
        for (i, out) in row.iter_mut().enumerate() {
            let u = (i + 1) as f64 / step_f;
            let iu = (u.floor() as usize).min(gnx - 2);
            let fu = u - iu as f64;
            for k in 0..2 {
                let lower = (1.0 - fu) * g0[iu][k] + fu * g0[iu + 1][k];
                let upper = (1.0 - fu) * g1[iu][k] + fu * g1[iu + 1][k];
                out[k] = (1.0 - fv) * lower + fv * upper - 1.0;
            }
        }
    });
    map
}

/// The 1-based x coordinates of a row of `nx` pixels.
fn column_coordinates(nx: usize) -> Vec<f64> {
    (1..=nx).map(|i| i as f64).collect()
}
