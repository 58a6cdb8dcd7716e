//! Whole-image evaluation, parallel over rows. Each pixel is computed independently, so
//! results are bit-identical for any number of threads.

use crate::WcsError;
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
pub fn pixel_map(input: &HstWcs, output: &HstWcs, nx: usize, ny: usize) -> Vec<[f64; 2]> {
    let mut map = vec![[f64::NAN; 2]; nx * ny];
    if nx == 0 {
        return map;
    }
    let xs = column_coordinates(nx);
    map.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        let ys = vec![(j + 1) as f64; nx];
        let (mut ra, mut dec) = (vec![0.0; nx], vec![0.0; nx]);
        input.pix2world_many(&xs, &ys, &mut ra, &mut dec);
        for ((out, &ra), &dec) in row.iter_mut().zip(&ra).zip(&dec) {
            if let Ok((xo, yo)) = output.world2pix(ra, dec) {
                *out = [xo - 1.0, yo - 1.0];
            }
        }
    });
    map
}

/// The 1-based x coordinates of a row of `nx` pixels.
fn column_coordinates(nx: usize) -> Vec<f64> {
    (1..=nx).map(|i| i as f64).collect()
}
