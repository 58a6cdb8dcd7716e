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
    pixel_map_rows(input, output, nx, ny, 0, 0..ny)
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
/// then bilinearly interpolated at every pixel. `step` 0 is the exact map.
pub fn pixel_map_stepped(input: &HstWcs, output: &HstWcs, nx: usize, ny: usize, step: usize) -> Vec<[f64; 2]> {
    pixel_map_rows(input, output, nx, ny, step, 0..ny)
}

/// Rows `rows` (0-based) of [`pixel_map_stepped`] of an `nx` × `ny` image, with the same
/// values as the whole map: each row depends only on its own y (and, with a step, on the
/// grid rows around it), so a map can be made and used a band of rows at a time.
pub fn pixel_map_rows(
    input: &HstWcs,
    output: &HstWcs,
    nx: usize,
    ny: usize,
    step: usize,
    rows: std::ops::Range<usize>,
) -> Vec<[f64; 2]> {
    let rows = rows.start.min(ny)..rows.end.min(ny);
    if nx == 0 || rows.is_empty() {
        return vec![[f64::NAN; 2]; nx * rows.len()];
    }
    let transfer = input.celestial.transfer_to(&output.celestial);
    if step == 0 {
        // Points that cannot be mapped keep the NaN.
        let mut map = vec![[f64::NAN; 2]; nx * rows.len()];
        let xs = column_coordinates(nx);
        map.par_chunks_mut(nx).zip(rows).for_each(|(row, j)| {
            map_row(input, output, &transfer, &xs, (j + 1) as f64, row);
            for out in row.iter_mut() {
                *out = [out[0] - 1.0, out[1] - 1.0];
            }
        });
        return map;
    }
    let (gnx, gny) = (nx / step + 2, ny / step + 2);
    let step_f = step as f64;
    // The grid row below a map row, as the interpolation picks it. The quotients here are
    // positive, so the truncating cast is the floor (and no libm call).
    let grid_row = |j: usize| (((j + 1) as f64 / step_f) as usize).min(gny - 2);
    let (g_first, g_last) = (grid_row(rows.start), grid_row(rows.end - 1) + 1);
    let xs: Vec<f64> = (0..gnx).map(|i| (i * step) as f64).collect();
    let mut grid = vec![[f64::NAN; 2]; gnx * (g_last + 1 - g_first)];
    grid.par_chunks_mut(gnx).zip(g_first..g_last + 1).for_each(|(row, jg)| {
        map_row(input, output, &transfer, &xs, (jg * step) as f64, row);
    });
    // Every row interpolates at the same columns: their grid cell and fraction, once.
    let columns: Vec<(usize, f64)> = (0..nx)
        .map(|i| {
            let u = (i + 1) as f64 / step_f;
            let iu = (u as usize).min(gnx - 2);
            (iu, u - iu as f64)
        })
        .collect();
    // Every entry is written below: zeroed memory (which the allocator hands out without
    // writing it) rather than a fill pass over the whole map.
    let mut map = vec![[0.0; 2]; nx * rows.len()];
    map.par_chunks_mut(nx).zip(rows).for_each(|(row, j)| {
        let v = (j + 1) as f64 / step_f;
        let jv = grid_row(j);
        let fv = v - jv as f64;
        let at = |jg: usize| &grid[(jg - g_first) * gnx..(jg - g_first + 1) * gnx];
        let (g0, g1) = (at(jv), at(jv + 1));
        for (out, &(iu, fu)) in row.iter_mut().zip(&columns) {
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
