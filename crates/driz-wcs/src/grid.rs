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
    if step == 0 {
        let transfer = input.celestial.transfer_to(&output.celestial);
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
    StepGrid::for_rows(input, output, nx, ny, step, rows.clone()).rows(rows)
}

/// The exact pixel map on AstroDrizzle's coarse grid (1-based pixel positions
/// `(i·step, j·step)`, drizzlepac's `DefaultWCSMapping`), from which any pixel's entry or
/// any band of rows of [`pixel_map_stepped`] is interpolated, with the same values. The
/// grid of an ACS/WFC chip at step 10 is 1.3 MB where the whole map is 134 MB: held
/// instead of the map, it answers the map's lookups while the map is made a band at a
/// time.
#[derive(Debug, Clone)]
pub struct StepGrid {
    nx: usize,
    ny: usize,
    step: f64,
    /// Grid points per grid row, and the grid rows of the image.
    gnx: usize,
    gny: usize,
    /// The first grid row held in `grid`.
    g_first: usize,
    grid: Vec<[f64; 2]>,
    /// Each image column's grid cell and fraction within it (the same for every row).
    columns: Vec<(usize, f64)>,
}

impl StepGrid {
    /// The grid of the whole `nx` × `ny` image; `step` ≥ 1.
    pub fn new(input: &HstWcs, output: &HstWcs, nx: usize, ny: usize, step: usize) -> StepGrid {
        StepGrid::for_rows(input, output, nx, ny, step, 0..ny)
    }

    /// The grid rows that image rows `rows` (within the image) interpolate from; the first
    /// two grid rows when `rows` is empty.
    fn for_rows(
        input: &HstWcs,
        output: &HstWcs,
        nx: usize,
        ny: usize,
        step: usize,
        rows: std::ops::Range<usize>,
    ) -> StepGrid {
        assert!(step >= 1, "a grid step of at least one pixel");
        let (gnx, gny) = (nx / step + 2, ny / step + 2);
        let step_f = step as f64;
        let mut grid = StepGrid { nx, ny, step: step_f, gnx, gny, g_first: 0, grid: Vec::new(), columns: Vec::new() };
        let (g_first, g_last) =
            if rows.is_empty() { (0, 1) } else { (grid.grid_row(rows.start).0, grid.grid_row(rows.end - 1).0 + 1) };
        let transfer = input.celestial.transfer_to(&output.celestial);
        let xs: Vec<f64> = (0..gnx).map(|i| (i * step) as f64).collect();
        let mut points = vec![[f64::NAN; 2]; gnx * (g_last + 1 - g_first)];
        points.par_chunks_mut(gnx).zip(g_first..g_last + 1).for_each(|(row, jg)| {
            map_row(input, output, &transfer, &xs, (jg * step) as f64, row);
        });
        grid.g_first = g_first;
        grid.grid = points;
        grid.columns = (0..nx).map(|i| grid.grid_column(i)).collect();
        grid
    }

    /// The image's size, `(nx, ny)`.
    pub fn size(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// The grid column left of image column `i` (0-based), and the fraction past it.
    #[inline]
    fn grid_column(&self, i: usize) -> (usize, f64) {
        let u = (i + 1) as f64 / self.step;
        // The quotient is positive: the truncating cast is the floor (and no libm call).
        let iu = (u as usize).min(self.gnx - 2);
        (iu, u - iu as f64)
    }

    /// The grid row below image row `j` (0-based), and the fraction past it.
    #[inline]
    fn grid_row(&self, j: usize) -> (usize, f64) {
        let v = (j + 1) as f64 / self.step;
        let jv = (v as usize).min(self.gny - 2);
        (jv, v - jv as f64)
    }

    #[inline]
    fn grid_points(&self, jg: usize) -> &[[f64; 2]] {
        &self.grid[(jg - self.g_first) * self.gnx..(jg - self.g_first + 1) * self.gnx]
    }

    /// The map entry of pixel (i, j), 0-based: [`pixel_map_stepped`]'s value there.
    /// Panics when the pixel is outside the image (or, for a grid made for some rows,
    /// outside those rows).
    #[inline]
    pub fn at(&self, i: usize, j: usize) -> [f64; 2] {
        assert!(i < self.nx && j < self.ny, "pixel ({i}, {j}) outside a {}x{} map", self.nx, self.ny);
        let ((iu, fu), (jv, fv)) = (self.columns[i], self.grid_row(j));
        let (g0, g1) = (self.grid_points(jv), self.grid_points(jv + 1));
        interpolate(g0[iu], g0[iu + 1], g1[iu], g1[iu + 1], fu, fv)
    }

    /// Rows `rows` of the map (clamped to the image), row-major.
    pub fn rows(&self, rows: std::ops::Range<usize>) -> Vec<[f64; 2]> {
        let (nx, rows) = (self.nx, rows.start.min(self.ny)..rows.end.min(self.ny));
        // Every entry is written below: zeroed memory (which the allocator hands out
        // without writing it) rather than a fill pass.
        let mut map = vec![[0.0; 2]; nx * rows.len()];
        if nx == 0 {
            return map;
        }
        map.par_chunks_mut(nx).zip(rows).for_each(|(row, j)| {
            let (jv, fv) = self.grid_row(j);
            let (g0, g1) = (self.grid_points(jv), self.grid_points(jv + 1));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                unsafe { interpolate_row_avx2(g0, g1, &self.columns, fv, row) };
                return;
            }
            for (out, &(iu, fu)) in row.iter_mut().zip(&self.columns) {
                *out = interpolate(g0[iu], g0[iu + 1], g1[iu], g1[iu + 1], fu, fv);
            }
        });
        map
    }
}

/// drizzlepac's bilinear interpolation between grid points `a0`, `a1` (the lower grid
/// row) and `b0`, `b1` (the upper), 1-based, to a 0-based map entry: along the grid row
/// first, then between the rows.
#[inline(always)]
fn interpolate(a0: [f64; 2], a1: [f64; 2], b0: [f64; 2], b1: [f64; 2], fu: f64, fv: f64) -> [f64; 2] {
    let mut out = [0.0; 2];
    for k in 0..2 {
        let lower = (1.0 - fu) * a0[k] + fu * a1[k];
        let upper = (1.0 - fu) * b0[k] + fu * b1[k];
        out[k] = (1.0 - fv) * lower + fv * upper - 1.0;
    }
    out
}

/// [`interpolate`] along one image row, two pixels per AVX register, operation for
/// operation (the same bits): each pixel's two grid points of a grid row are one load.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn interpolate_row_avx2(g0: &[[f64; 2]], g1: &[[f64; 2]], columns: &[(usize, f64)], fv: f64, row: &mut [[f64; 2]]) {
    use std::arch::x86_64::*;
    let one = _mm256_set1_pd(1.0);
    let (wv0, wv1) = (_mm256_set1_pd(1.0 - fv), _mm256_set1_pd(fv));
    // [(1 − fu) a0x, (1 − fu) a0y, fu a1x, fu a1y] for the pixel in column `c`.
    let weighted = |g: &[[f64; 2]], (iu, fu): (usize, f64)| {
        let w = _mm256_setr_pd(1.0 - fu, 1.0 - fu, fu, fu);
        // Both points exist (iu ≤ gnx − 2): read as one run of four numbers.
        let pair = &g[iu..iu + 2];
        // SAFETY: `pair` holds two [f64; 2], four contiguous f64 (unaligned load).
        _mm256_mul_pd(unsafe { _mm256_loadu_pd(pair.as_ptr().cast()) }, w)
    };
    let mut pairs = row.chunks_exact_mut(2);
    let mut cols = columns.chunks_exact(2);
    for (out, col) in (&mut pairs).zip(&mut cols) {
        let (a_p, a_q) = (weighted(g0, col[0]), weighted(g0, col[1]));
        let (b_p, b_q) = (weighted(g1, col[0]), weighted(g1, col[1]));
        // Lower: [(1 − fu) a0 + fu a1] of both pixels, upper likewise.
        let lower = _mm256_add_pd(_mm256_permute2f128_pd::<0x20>(a_p, a_q), _mm256_permute2f128_pd::<0x31>(a_p, a_q));
        let upper = _mm256_add_pd(_mm256_permute2f128_pd::<0x20>(b_p, b_q), _mm256_permute2f128_pd::<0x31>(b_p, b_q));
        let v = _mm256_sub_pd(_mm256_add_pd(_mm256_mul_pd(wv0, lower), _mm256_mul_pd(wv1, upper)), one);
        // SAFETY: `out` holds two [f64; 2], four contiguous f64 (unaligned store).
        unsafe { _mm256_storeu_pd(out.as_mut_ptr().cast(), v) };
    }
    for (out, &(iu, fu)) in pairs.into_remainder().iter_mut().zip(cols.remainder()) {
        *out = interpolate(g0[iu], g0[iu + 1], g1[iu], g1[iu + 1], fu, fv);
    }
}

/// The 1-based x coordinates of a row of `nx` pixels.
fn column_coordinates(nx: usize) -> Vec<f64> {
    (1..=nx).map(|i| i as f64).collect()
}
