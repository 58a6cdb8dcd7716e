//! The pixel map: for every input pixel centre, its position in the output frame
//! (0-based, drizzle's convention), and the bilinear interpolation drizzle uses for any
//! other input position (pixel corners, polygon vertices).

use crate::KernelError;

/// A borrowed pixel map of an `nx` × `ny` input image, row-major `[x, y]` pairs: the
/// whole map, or the rows from `row0` on (a band, see [`PixelMap::rows`]). Pixels are
/// always addressed by their row in the whole image.
#[derive(Clone, Copy)]
pub struct PixelMap<'a> {
    pub nx: usize,
    pub ny: usize,
    /// The image row of the first map row held.
    pub row0: usize,
    pub xy: &'a [[f64; 2]],
}

/// The larger of a running maximum and `v`, `v` left out when NaN (`f64::max` without
/// its NaN handling of `acc`, which is never NaN here).
#[inline(always)]
fn larger(acc: f64, v: f64) -> f64 {
    if v > acc { v } else { acc }
}

/// How the mapped centres spread in output y: see [`PixelMap::y_spread`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YSpread {
    pub max_neighbour_dy: f64,
    /// Smallest and largest finite-or-infinite centre y (NaN left out); +∞ / −∞ when
    /// there is none.
    pub min_y: f64,
    pub max_y: f64,
}

/// Any pixel's entry of a whole pixel map, and drizzle's interpolation between them:
/// what a drizzle plan looks up. A [`PixelMap`] of the whole image is one; a map worked
/// out pixel by pixel from something smaller ([`MapFn`]) is another, so that a plan needs
/// no whole map in memory.
pub trait MapLookup: Sync {
    /// The image's size, `(nx, ny)`.
    fn size(&self) -> (usize, usize);

    /// The entry of pixel (i, j), which must be within the image.
    fn entry(&self, i: usize, j: usize) -> [f64; 2];

    /// The mapped centre of pixel (i, j), or `None` when either coordinate is NaN.
    #[inline]
    fn centre(&self, i: usize, j: usize) -> Option<[f64; 2]> {
        let p = self.entry(i, j);
        (!p[0].is_nan() && !p[1].is_nan()).then_some(p)
    }

    /// Bilinear interpolation at an arbitrary input position, extrapolating linearly
    /// beyond the edge pixels (drizzle's `interpolate_point`). Needs nx, ny ≥ 2.
    #[inline]
    fn interpolate(&self, x: f64, y: f64) -> Option<[f64; 2]> {
        let (nx, ny) = self.size();
        let i0 = (x as i64).clamp(0, nx as i64 - 2) as usize;
        let j0 = (y as i64).clamp(0, ny as i64 - 2) as usize;
        let u = x - i0 as f64;
        let v = y - j0 as f64;
        let (u1, v1) = (1.0 - u, 1.0 - v);
        let p00 = self.entry(i0, j0);
        let p10 = self.entry(i0 + 1, j0);
        let p01 = self.entry(i0, j0 + 1);
        let p11 = self.entry(i0 + 1, j0 + 1);
        let xo = p00[0] * u1 * v1 + p10[0] * u * v1 + p01[0] * u1 * v + p11[0] * u * v;
        let yo = p00[1] * u1 * v1 + p10[1] * u * v1 + p01[1] * u1 * v + p11[1] * u * v;
        (!xo.is_nan() && !yo.is_nan()).then_some([xo, yo])
    }
}

/// A whole `nx` × `ny` pixel map given by a function of the pixel, `entry(i, j)`: a map
/// computed on demand (from the coarse grid AstroDrizzle evaluates its WCS on, say).
pub struct MapFn<F> {
    pub nx: usize,
    pub ny: usize,
    pub entry: F,
}

impl<F: Fn(usize, usize) -> [f64; 2] + Sync> MapLookup for MapFn<F> {
    fn size(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    #[inline]
    fn entry(&self, i: usize, j: usize) -> [f64; 2] {
        (self.entry)(i, j)
    }
}

impl MapLookup for PixelMap<'_> {
    fn size(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    #[inline]
    fn entry(&self, i: usize, j: usize) -> [f64; 2] {
        self.at(i, j)
    }
}

impl<'a> PixelMap<'a> {
    pub fn new(nx: usize, ny: usize, xy: &'a [[f64; 2]]) -> Result<PixelMap<'a>, KernelError> {
        if xy.len() != nx * ny {
            return Err(KernelError::Shape(format!("pixel map has {} entries for a {nx}x{ny} image", xy.len())));
        }
        Ok(PixelMap { nx, ny, row0: 0, xy })
    }

    /// Rows `row0 ..` of the map of an `nx` × `ny` image (`xy` holds whole rows). Only
    /// pixels of those rows may be looked up.
    pub fn rows(nx: usize, ny: usize, row0: usize, xy: &'a [[f64; 2]]) -> Result<PixelMap<'a>, KernelError> {
        if nx == 0 || !xy.len().is_multiple_of(nx) || row0 + xy.len() / nx > ny {
            return Err(KernelError::Shape(format!(
                "pixel map band of {} entries from row {row0} does not fit a {nx}x{ny} image",
                xy.len()
            )));
        }
        Ok(PixelMap { nx, ny, row0, xy })
    }

    /// Whether the whole image's map is held.
    pub fn is_whole(&self) -> bool {
        self.row0 == 0 && self.xy.len() == self.nx * self.ny
    }

    #[inline]
    pub fn at(&self, i: usize, j: usize) -> [f64; 2] {
        self.xy[(j - self.row0) * self.nx + i]
    }

    /// The mapped centres of image row `j` (a row held).
    #[inline]
    pub fn row(&self, j: usize) -> &'a [[f64; 2]] {
        &self.xy[(j - self.row0) * self.nx..][..self.nx]
    }

    /// Over the rows held: the largest difference in output y between the centres of
    /// two neighbouring pixels (sideways, up or diagonal), and the range of the centres'
    /// output y. NaN entries are left out; an infinite one makes the difference infinite.
    pub fn y_spread(&self) -> YSpread {
        use rayon::prelude::*;
        let nx = self.nx;
        let held = self.xy.len() / nx.max(1);
        let none = YSpread { max_neighbour_dy: 0.0, min_y: f64::INFINITY, max_y: f64::NEG_INFINITY };
        if nx == 0 || held == 0 {
            return none;
        }
        let of_row = |r: usize| -> YSpread {
            let row = &self.xy[r * nx..(r + 1) * nx];
            // Straight loops without branches, one per kind of neighbour: the whole map is
            // read each time a chip is drizzled. The comparisons leave NaN out (as f64::max
            // would) and compile to one vector max each.
            let mut dy = 0.0f64;
            for pair in row.windows(2) {
                dy = larger(dy, (pair[0][1] - pair[1][1]).abs());
            }
            if r + 1 < held {
                let next = &self.xy[(r + 1) * nx..(r + 2) * nx];
                for (a, b) in row.iter().zip(next) {
                    dy = larger(dy, (a[1] - b[1]).abs());
                }
                for (a, b) in row.iter().zip(&next[1..]) {
                    dy = larger(dy, (a[1] - b[1]).abs());
                }
                for (a, b) in row[1..].iter().zip(next) {
                    dy = larger(dy, (a[1] - b[1]).abs());
                }
            }
            let (mut min_y, mut max_y, mut infinite) = (f64::INFINITY, f64::NEG_INFINITY, false);
            for p in row {
                min_y = if p[1] < min_y { p[1] } else { min_y };
                max_y = larger(max_y, p[1]);
                infinite |= p[1].is_infinite();
            }
            // Every pixel has a neighbour (the map is at least 2 pixels): an infinite
            // centre makes its differences infinite, or NaN against another infinity.
            if infinite && (nx > 1 || held > 1) {
                dy = f64::INFINITY;
            }
            YSpread { max_neighbour_dy: dy, min_y, max_y }
        };
        (0..held).into_par_iter().with_min_len(64).map(of_row).reduce(
            || none,
            |a, b| YSpread {
                max_neighbour_dy: a.max_neighbour_dy.max(b.max_neighbour_dy),
                min_y: a.min_y.min(b.min_y),
                max_y: a.max_y.max(b.max_y),
            },
        )
    }

    /// The four corners (i∓h, j±h) of an interior pixel's drop, from its 3×3
    /// neighbourhood (drizzle's `interpolate_four_points`; same result as four
    /// [`interpolate`](Self::interpolate) calls up to rounding). Order: (−h,+h), (+h,+h),
    /// (+h,−h), (−h,−h). Requires 1 ≤ i ≤ nx−3 and 1 ≤ j ≤ ny−3.
    #[inline(always)]
    pub fn four_corners(&self, i: usize, j: usize, h: f64) -> Option<([f64; 4], [f64; 4])> {
        let mut f = [[0.0; 3]; 3];
        let mut g = [[0.0; 3]; 3];
        let centre = (1.0 - h) * (1.0 - h);
        let edge = (1.0 - h) * h;
        let diag = h * h;
        for dj in 0..3 {
            for di in 0..3 {
                let p = self.at(i + di - 1, j + dj - 1);
                let fac = if di == 1 && dj == 1 {
                    centre
                } else if di == 1 || dj == 1 {
                    edge
                } else {
                    diag
                };
                f[di][dj] = p[0] * fac;
                g[di][dj] = p[1] * fac;
            }
        }
        let x = [
            f[0][1] + f[1][1] + f[0][2] + f[1][2],
            f[1][1] + f[2][1] + f[1][2] + f[2][2],
            f[1][0] + f[2][0] + f[1][1] + f[2][1],
            f[0][0] + f[1][0] + f[0][1] + f[1][1],
        ];
        let y = [
            g[0][1] + g[1][1] + g[0][2] + g[1][2],
            g[1][1] + g[2][1] + g[1][2] + g[2][2],
            g[1][0] + g[2][0] + g[1][1] + g[2][1],
            g[0][0] + g[1][0] + g[0][1] + g[1][1],
        ];
        (!x.iter().chain(y.iter()).any(|v| v.is_nan())).then_some((x, y))
    }

    /// Into `out[c]` for every `c` in `cols`: the corner (c + ½, r + ½) shared by pixels
    /// (c, r) … (c + 1, r + 1), as [`four_corners`](Self::four_corners) computes it with
    /// h = ½ for each of the four (the same operations on the same values), so that it
    /// can be computed once for all of them; a row of corners from two rows of the map.
    /// Requires `cols.end` ≤ nx − 1 and r ≤ ny − 2 (unless `cols` is empty).
    #[inline(always)]
    pub fn shared_corners(&self, r: usize, cols: std::ops::Range<usize>, out: &mut [[f64; 2]]) {
        const QUARTER: f64 = 0.25;
        if cols.is_empty() {
            return;
        }
        let start = (r - self.row0) * self.nx + cols.start;
        let n = cols.len();
        let (below, above) = (&self.xy[start..start + n + 1], &self.xy[start + self.nx..start + self.nx + n + 1]);
        let out = &mut out[cols];
        for (k, o) in out.iter_mut().enumerate() {
            let (p00, p10, p01, p11) = (below[k], below[k + 1], above[k], above[k + 1]);
            for (q, o) in o.iter_mut().enumerate() {
                *o = p00[q] * QUARTER + p10[q] * QUARTER + p01[q] * QUARTER + p11[q] * QUARTER;
            }
        }
    }
}

/// Map a point of the input frame: exact pixel centres are read directly (when
/// inside the processed box), anything else interpolated (drizzle's `map_point`).
pub(crate) fn map_point(map: &(impl MapLookup + ?Sized), x: f64, y: f64, bbox: &Section) -> Option<[f64; 2]> {
    let (i, j) = (x as i64, y as i64);
    if i as f64 == x && j as f64 == y {
        if i >= bbox.xmin && i <= bbox.xmax && j >= bbox.ymin && j <= bbox.ymax {
            map.centre(i as usize, j as usize)
        } else {
            None
        }
    } else {
        map.interpolate(x, y)
    }
}

/// Output→input inversion by a 2-D golden-section search over the processed box, as
/// drizzle does it (to 0.03 input pixels, at most 50 iterations).
pub(crate) fn invert(map: &(impl MapLookup + ?Sized), xout: f64, yout: f64, bbox: &Section) -> Option<[f64; 2]> {
    const GR: f64 = 0.618_033_988_749_894_8;
    let mut xmin = bbox.xmin as f64 - 0.5;
    let mut xmax = bbox.xmax as f64 + 0.5;
    let mut ymin = bbox.ymin as f64 - 0.5;
    let mut ymax = bbox.ymax as f64 + 0.5;
    let mut dx = xmax - xmin;
    let mut dy = ymax - ymin;
    let dist2 = |x: f64, y: f64| -> Option<f64> {
        let [xo, yo] = map.interpolate(x, y)?;
        let (a, b) = (xo - xout, yo - yout);
        Some(a * a + b * b)
    };
    let mut niter = 0;
    while (dx > MAX_INV_ERR || dy > MAX_INV_ERR) && niter < 50 {
        niter += 1;
        let x1 = xmax - GR * dx;
        let x2 = xmin + GR * dx;
        let y1 = ymax - GR * dy;
        let y2 = ymin + GR * dy;
        let d11 = dist2(x1, y1)?;
        let d12 = dist2(x1, y2)?;
        let d21 = dist2(x2, y1)?;
        let d22 = dist2(x2, y2)?;
        if d11 < d12 && d11 < d21 && d11 < d22 {
            xmax = x2;
            ymax = y2;
        } else if d12 < d11 && d12 < d21 && d12 < d22 {
            xmax = x2;
            ymin = y1;
        } else if d21 < d11 && d21 < d12 && d21 < d22 {
            xmin = x1;
            ymax = y2;
        } else {
            xmin = x1;
            ymin = y1;
        }
        dx = xmax - xmin;
        dy = ymax - ymin;
    }
    if niter == 50 {
        return None;
    }
    Some([0.5 * (xmin + xmax), 0.5 * (ymin + ymax)])
}

/// Tolerance of the pixel-map inversion and of the scanner, input pixels.
pub(crate) const MAX_INV_ERR: f64 = 0.03;

/// An inclusive box of input pixels to process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub xmin: i64,
    pub xmax: i64,
    pub ymin: i64,
    pub ymax: i64,
}

impl Section {
    /// Tighten the box to the rows and columns that have valid (non-NaN) map entries,
    /// as drizzle's `shrink_image_section`; `None` when fewer than two valid columns or
    /// rows remain.
    pub(crate) fn shrink(self, map: &(impl MapLookup + ?Sized)) -> Option<Section> {
        let valid = |i: i64, j: i64| map.centre(i as usize, j as usize).is_some();
        let mut imin = self.xmax;
        let mut jmin = self.ymax;
        for j in self.ymin..=self.ymax {
            if let Some(i) = (self.xmin..=self.xmax).find(|&i| valid(i, j)) {
                imin = imin.min(i);
                jmin = jmin.min(j);
            }
        }
        let mut imax = imin;
        let mut jmax = jmin;
        for j in (self.ymin..=self.ymax).rev() {
            if let Some(i) = (self.xmin..=self.xmax).rev().find(|&i| valid(i, j)) {
                imax = imax.max(i);
                jmax = jmax.max(j);
            }
        }
        (imin < imax && jmin < jmax).then_some(Section { xmin: imin, xmax: imax, ymin: jmin, ymax: jmax })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_spread_is_the_largest_difference_over_all_neighbours() {
        let (nx, ny) = (13, 9);
        let mut next = crate::test_rng::uniform(5);
        let mut xy: Vec<[f64; 2]> = (0..nx * ny).map(|k| [k as f64, next() * 10.0]).collect();
        xy[17][1] = f64::NAN;
        let brute = |xy: &[[f64; 2]]| {
            let mut dy = 0.0f64;
            for j in 0..ny {
                for i in 0..nx {
                    for (di, dj) in [(1i64, 0i64), (-1, 1), (0, 1), (1, 1)] {
                        let (i2, j2) = (i as i64 + di, j as i64 + dj);
                        if i2 >= 0 && (i2 as usize) < nx && (j2 as usize) < ny {
                            let d = (xy[j * nx + i][1] - xy[j2 as usize * nx + i2 as usize][1]).abs();
                            if d > dy {
                                dy = d;
                            }
                        }
                    }
                }
            }
            dy
        };
        let got = PixelMap::new(nx, ny, &xy).unwrap().y_spread();
        assert_eq!(got.max_neighbour_dy, brute(&xy));
        assert!(got.max_neighbour_dy > 5.0);
        // y = 3(i + j) and 3(i − j): sideways and vertical neighbours differ by 3, the
        // largest difference (6) is along one diagonal only, in each direction.
        for sign in [1.0, -1.0] {
            let tilted: Vec<[f64; 2]> =
                (0..nx * ny).map(|k| [0.0, 3.0 * ((k % nx) as f64 + sign * (k / nx) as f64)]).collect();
            let got = PixelMap::new(nx, ny, &tilted).unwrap().y_spread();
            assert_eq!(got.max_neighbour_dy, 6.0);
            assert_eq!(brute(&tilted), 6.0);
        }
    }

    #[test]
    fn shared_corners_are_the_four_corners_of_pixfrac_one() {
        let (nx, ny) = (9, 7);
        let mut next = crate::test_rng::uniform(3);
        let xy: Vec<[f64; 2]> = (0..nx * ny)
            .map(|k| {
                let jitter = next();
                let (i, j) = ((k % nx) as f64, (k / nx) as f64);
                [1000.3 + 0.93 * i - 0.43 * j + jitter * 0.1, 2000.7 + 0.36 * i + 0.91 * j - jitter * 0.05]
            })
            .collect();
        let map = PixelMap::new(nx, ny, &xy).unwrap();
        // Every row of corners, and rows filled in two pieces (the band loop fills only
        // the corners it does not keep from the row before).
        let rows: Vec<Vec<[f64; 2]>> = (0..ny - 1)
            .map(|r| {
                let mut whole = vec![[f64::NAN; 2]; nx];
                map.shared_corners(r, 0..nx - 1, &mut whole);
                let mut pieces = vec![[f64::NAN; 2]; nx];
                map.shared_corners(r, 0..3, &mut pieces);
                map.shared_corners(r, 3..nx - 1, &mut pieces);
                assert_eq!(format!("{whole:?}"), format!("{pieces:?}"));
                whole
            })
            .collect();
        for j in 1..ny - 2 {
            for i in 1..nx - 2 {
                let (x, y) = map.four_corners(i, j, 0.5).unwrap();
                let corners = [(i - 1, j), (i, j), (i, j - 1), (i - 1, j - 1)].map(|(c, r)| rows[r][c]);
                for k in 0..4 {
                    assert_eq!(x[k].to_bits(), corners[k][0].to_bits(), "x corner {k} of ({i},{j})");
                    assert_eq!(y[k].to_bits(), corners[k][1].to_bits(), "y corner {k} of ({i},{j})");
                }
            }
        }
    }
}
