//! The area of a drop's quadrilateral inside an output pixel: the square kernel's inner
//! loop. drizzle's `boxer` (Sparks' signed areas between each edge and the pixel's
//! bottom) rewritten as four straight-line lanes, one per edge, with the divisions
//! hoisted out of the per-pixel work; an AVX build of the same arithmetic runs where
//! the CPU has it. Both builds give identical results; they agree with `boxer` to
//! rounding.

/// A drop's quadrilateral prepared for many overlap queries: `boxer`'s arithmetic
/// rewritten without branches, the four edges as four independent lanes (vectorised
/// where the CPU allows), and the divisions done once per drop instead of once per
/// output pixel.
#[derive(Clone, Copy)]
pub(crate) struct Quad {
    x1: [f64; 4],
    y1: [f64; 4],
    /// Each edge's x extent, ascending.
    xlo: [f64; 4],
    xhi: [f64; 4],
    /// Direction of the edge along x; 0 for vertical edges, which enclose no area.
    sgn: [f64; 4],
    slope: [f64; 4],
    /// dx/dy; a huge finite stand-in for horizontal edges keeps the crossings finite.
    islope: [f64; 4],
}

impl Quad {
    #[inline]
    pub fn new(x: &[f64; 4], y: &[f64; 4]) -> Quad {
        let mut q =
            Quad { x1: *x, y1: *y, xlo: [0.0; 4], xhi: [0.0; 4], sgn: [0.0; 4], slope: [0.0; 4], islope: [0.0; 4] };
        for k in 0..4 {
            let m = (k + 1) & 3;
            let dx = x[m] - x[k];
            let dy = y[m] - y[k];
            q.sgn[k] = if dx < 0.0 {
                -1.0
            } else if dx > 0.0 {
                1.0
            } else {
                0.0
            };
            q.xlo[k] = x[k].min(x[m]);
            q.xhi[k] = x[k].max(x[m]);
            q.slope[k] = if dx != 0.0 { dy / dx } else { 0.0 };
            q.islope[k] = if dy != 0.0 { dx / dy } else { HORIZONTAL_ISLOPE };
        }
        q
    }

    /// Area of the quadrilateral inside output pixel (is, js), signed like `boxer`
    /// and equal to it up to rounding.
    ///
    /// boxer's per-edge cases (no x overlap, edge below the pixel, edge above it,
    /// clipped at the bottom and/or top) are all evaluated and the right one selected,
    /// so that the four edges run as straight-line lanes; the branches they replace
    /// mispredict about half the time.
    #[inline(always)]
    pub fn area_in_pixel(&self, is: f64, js: f64) -> f64 {
        let (is, js) = (is - 0.5, js - 0.5);
        let mut a = [0.0; 4];
        for (k, a) in a.iter_mut().enumerate() {
            let x1 = self.x1[k] - is;
            let y1 = self.y1[k] - js;
            let (xlo_raw, xhi_raw) = (self.xlo[k] - is, self.xhi[k] - is);
            let misses = xlo_raw >= 1.0 || xhi_raw <= 0.0;
            let xlo = xlo_raw.max(0.0);
            let xhi = xhi_raw.min(1.0);
            let (slope, islope) = (self.slope[k], self.islope[k]);
            let ylo = y1 + slope * (xlo - x1);
            let yhi = y1 + slope * (xhi - x1);
            let below = ylo <= 0.0 && yhi <= 0.0;
            let above = ylo >= 1.0 && yhi >= 1.0;
            let at_bottom = x1 - y1 * islope;
            let xtop = x1 + (1.0 - y1) * islope;
            let (xl, yl) = if ylo < 0.0 { (at_bottom, 0.0) } else { (xlo, ylo) };
            let (xh, yh) = if yhi < 0.0 { (at_bottom, 0.0) } else { (xhi, yhi) };
            let inside = 0.5 * (xh - xl) * (yh + yl);
            let exits_top = 0.5 * (xtop - xl) * (1.0 + yl) + xh - xtop;
            let enters_top = 0.5 * (xh - xtop) * (1.0 + yh) + xtop - xl;
            let partial = if yl <= 1.0 { if yh <= 1.0 { inside } else { exits_top } } else { enters_top };
            let area = if below {
                0.0
            } else if above {
                xhi - xlo
            } else {
                partial
            };
            *a = if misses { 0.0 } else { self.sgn[k] * area };
        }
        // boxer's summation order, so that its exact cancellations stay exact.
        ((a[0] + a[1]) + a[2]) + a[3]
    }
}

/// dx/dy of horizontal edges: finite, so that the unused crossing terms stay finite.
const HORIZONTAL_ISLOPE: f64 = 1e300;

#[cfg(target_arch = "x86_64")]
pub(crate) use avx::QuadAvx;

#[cfg(target_arch = "x86_64")]
mod avx {
    use super::HORIZONTAL_ISLOPE;
    use std::arch::x86_64::*;

    /// [`Quad`] in AVX registers.
    pub(crate) struct QuadAvx {
        x1: __m256d,
        y1: __m256d,
        xlo: __m256d,
        xhi: __m256d,
        sgn: __m256d,
        slope: __m256d,
        islope: __m256d,
    }

    impl QuadAvx {
        /// [`Quad::new`], operation for operation, with the eight divisions in two
        /// vector instructions.
        #[inline]
        #[target_feature(enable = "avx2")]
        pub(crate) fn new(x: &[f64; 4], y: &[f64; 4]) -> QuadAvx {
            // SAFETY: each array holds exactly four f64 (unaligned loads).
            let (x1, y1) = unsafe { (_mm256_loadu_pd(x.as_ptr()), _mm256_loadu_pd(y.as_ptr())) };
            // Lane k of the rotated vectors holds vertex k + 1 (mod 4): each edge's end.
            const NEXT: i32 = 0b00_11_10_01;
            let (x2, y2) = (_mm256_permute4x64_pd::<NEXT>(x1), _mm256_permute4x64_pd::<NEXT>(y1));
            let zero = _mm256_setzero_pd();
            let dx = _mm256_sub_pd(x2, x1);
            let dy = _mm256_sub_pd(y2, y1);
            let left = _mm256_cmp_pd::<_CMP_LT_OQ>(dx, zero);
            let right = _mm256_cmp_pd::<_CMP_GT_OQ>(dx, zero);
            let sgn =
                _mm256_or_pd(_mm256_and_pd(left, _mm256_set1_pd(-1.0)), _mm256_and_pd(right, _mm256_set1_pd(1.0)));
            let dx_zero = _mm256_cmp_pd::<_CMP_EQ_OQ>(dx, zero);
            let dy_zero = _mm256_cmp_pd::<_CMP_EQ_OQ>(dy, zero);
            let slope = _mm256_blendv_pd(_mm256_div_pd(dy, dx), zero, dx_zero);
            let islope = _mm256_blendv_pd(_mm256_div_pd(dx, dy), _mm256_set1_pd(HORIZONTAL_ISLOPE), dy_zero);
            QuadAvx { x1, y1, xlo: _mm256_min_pd(x1, x2), xhi: _mm256_max_pd(x1, x2), sgn, slope, islope }
        }

        /// [`Quad::area_in_pixel`](super::Quad::area_in_pixel), operation for operation.
        #[inline]
        #[target_feature(enable = "avx2")]
        pub(crate) fn area_in_pixel(&self, is: f64, js: f64) -> f64 {
            let is = _mm256_set1_pd(is - 0.5);
            let js = _mm256_set1_pd(js - 0.5);
            let zero = _mm256_setzero_pd();
            let one = _mm256_set1_pd(1.0);
            let half = _mm256_set1_pd(0.5);
            let x1 = _mm256_sub_pd(self.x1, is);
            let y1 = _mm256_sub_pd(self.y1, js);
            let xlo_raw = _mm256_sub_pd(self.xlo, is);
            let xhi_raw = _mm256_sub_pd(self.xhi, is);
            let misses =
                _mm256_or_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(xlo_raw, one), _mm256_cmp_pd::<_CMP_LE_OQ>(xhi_raw, zero));
            let xlo = _mm256_max_pd(xlo_raw, zero);
            let xhi = _mm256_min_pd(xhi_raw, one);
            let ylo = _mm256_add_pd(y1, _mm256_mul_pd(self.slope, _mm256_sub_pd(xlo, x1)));
            let yhi = _mm256_add_pd(y1, _mm256_mul_pd(self.slope, _mm256_sub_pd(xhi, x1)));
            let below = _mm256_and_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(ylo, zero), _mm256_cmp_pd::<_CMP_LE_OQ>(yhi, zero));
            let above = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(ylo, one), _mm256_cmp_pd::<_CMP_GE_OQ>(yhi, one));
            let at_bottom = _mm256_sub_pd(x1, _mm256_mul_pd(y1, self.islope));
            let xtop = _mm256_add_pd(x1, _mm256_mul_pd(_mm256_sub_pd(one, y1), self.islope));
            let lo_clip = _mm256_cmp_pd::<_CMP_LT_OQ>(ylo, zero);
            let hi_clip = _mm256_cmp_pd::<_CMP_LT_OQ>(yhi, zero);
            let xl = _mm256_blendv_pd(xlo, at_bottom, lo_clip);
            let yl = _mm256_blendv_pd(ylo, zero, lo_clip);
            let xh = _mm256_blendv_pd(xhi, at_bottom, hi_clip);
            let yh = _mm256_blendv_pd(yhi, zero, hi_clip);
            let inside = _mm256_mul_pd(_mm256_mul_pd(half, _mm256_sub_pd(xh, xl)), _mm256_add_pd(yh, yl));
            let exits_top = _mm256_sub_pd(
                _mm256_add_pd(_mm256_mul_pd(_mm256_mul_pd(half, _mm256_sub_pd(xtop, xl)), _mm256_add_pd(one, yl)), xh),
                xtop,
            );
            let enters_top = _mm256_sub_pd(
                _mm256_add_pd(
                    _mm256_mul_pd(_mm256_mul_pd(half, _mm256_sub_pd(xh, xtop)), _mm256_add_pd(one, yh)),
                    xtop,
                ),
                xl,
            );
            let yl_in = _mm256_cmp_pd::<_CMP_LE_OQ>(yl, one);
            let yh_in = _mm256_cmp_pd::<_CMP_LE_OQ>(yh, one);
            let partial = _mm256_blendv_pd(enters_top, _mm256_blendv_pd(exits_top, inside, yh_in), yl_in);
            let area = _mm256_blendv_pd(_mm256_blendv_pd(partial, _mm256_sub_pd(xhi, xlo), above), zero, below);
            let signed = _mm256_blendv_pd(_mm256_mul_pd(self.sgn, area), zero, misses);
            let mut a = [0.0; 4];
            // SAFETY: `a` holds four f64.
            unsafe { _mm256_storeu_pd(a.as_mut_ptr(), signed) };
            ((a[0] + a[1]) + a[2]) + a[3]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signed area between segment (x1,y1)→(x2,y2) and the x axis, inside the unit square.
    fn sgarea(x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
        let dx = x2 - x1;
        let dy = y2 - y1;
        if dx == 0.0 {
            return 0.0;
        }
        let (sgn, mut xlo, mut xhi) = if dx < 0.0 { (-1.0, x2, x1) } else { (1.0, x1, x2) };
        if xlo >= 1.0 || xhi <= 0.0 {
            return 0.0;
        }
        xlo = xlo.max(0.0);
        xhi = xhi.min(1.0);
        let slope = dy / dx;
        let mut ylo = y1 + slope * (xlo - x1);
        let mut yhi = y1 + slope * (xhi - x1);
        if ylo <= 0.0 && yhi <= 0.0 {
            return 0.0;
        }
        if ylo >= 1.0 && yhi >= 1.0 {
            return sgn * (xhi - xlo);
        }
        let det = x1 * y2 - y1 * x2;
        if ylo < 0.0 {
            ylo = 0.0;
            xlo = det / dy;
        }
        if yhi < 0.0 {
            yhi = 0.0;
            xhi = det / dy;
        }
        if ylo <= 1.0 {
            if yhi <= 1.0 {
                return sgn * 0.5 * (xhi - xlo) * (yhi + ylo);
            }
            let xtop = (dx + det) / dy;
            return sgn * (0.5 * (xtop - xlo) * (1.0 + ylo) + xhi - xtop);
        }
        let xtop = (dx + det) / dy;
        sgn * (0.5 * (xhi - xtop) * (1.0 + yhi) + xtop - xlo)
    }

    /// Area of the quadrilateral `x, y` inside output pixel (is, js) (Sparks' boxer, as
    /// drizzle computes it; [`Quad::area_in_pixel`] is the fast equivalent).
    fn boxer(is: f64, js: f64, x: &[f64; 4], y: &[f64; 4]) -> f64 {
        let (is, js) = (is - 0.5, js - 0.5);
        let px = [x[0] - is, x[1] - is, x[2] - is, x[3] - is];
        let py = [y[0] - js, y[1] - js, y[2] - js, y[3] - js];
        let mut sum = 0.0;
        for k in 0..4 {
            let n = (k + 1) & 3;
            sum += sgarea(px[k], py[k], px[n], py[n]);
        }
        sum
    }

    #[test]
    fn boxer_areas() {
        // A unit square shifted by (0.3, -0.2) over pixel (0,0) and its neighbours.
        let x = [-0.2, 0.8, 0.8, -0.2];
        let y = [0.3, 0.3, -0.7, -0.7];
        let total: f64 =
            (-1..=1).flat_map(|j| (-1..=1).map(move |i| (i, j))).map(|(i, j)| boxer(i as f64, j as f64, &x, &y)).sum();
        assert!((total.abs() - 1.0).abs() < 1e-12, "{total}");
        assert!((boxer(0.0, 0.0, &x, &y).abs() - 0.7 * 0.8).abs() < 1e-12);
    }

    #[test]
    fn prepared_quad_agrees_with_boxer() {
        let mut next = crate::test_rng::uniform(11);
        for _ in 0..20000 {
            let (cx, cy, theta, s) = (next() * 3.0, next() * 3.0, next() * 6.3, 0.2 + 2.0 * next());
            let (c, sn) = (theta.cos() * s * 0.5, theta.sin() * s * 0.5);
            let mut x = [cx - c + sn, cx + c + sn, cx + c - sn, cx - c - sn];
            let mut y = [cy + sn + c, cy - sn + c, cy - sn - c, cy + sn - c];
            for k in 0..4 {
                x[k] += 0.1 * (next() - 0.5);
                y[k] += 0.1 * (next() - 0.5);
            }
            // Vertical and horizontal edges, and vertices on pixel boundaries.
            if next() < 0.1 {
                x[1] = x[0];
            }
            if next() < 0.1 {
                y[3] = y[2];
            }
            if next() < 0.1 {
                x[2] = x[2].round() + 0.5;
                y[2] = y[2].round() + 0.5;
            }
            let quad = Quad::new(&x, &y);
            for j in -1..6 {
                for i in -1..6 {
                    let (a, b) = (boxer(i as f64, j as f64, &x, &y), quad.area_in_pixel(i as f64, j as f64));
                    assert!((a - b).abs() <= 1e-13, "{a} vs {b} at ({i},{j}) for {x:?} {y:?}");
                    // The context bit depends on the sign; the two may differ only where
                    // a vertex sits exactly on a pixel corner and rounding leaves ~1e-33.
                    if a.abs().max(b.abs()) > 1e-20 {
                        assert_eq!(a > 0.0, b > 0.0, "{a} vs {b} at ({i},{j}) for {x:?} {y:?}");
                    }
                    #[cfg(target_arch = "x86_64")]
                    if std::is_x86_feature_detected!("avx2") {
                        // SAFETY: AVX2 is available.
                        let v = unsafe { QuadAvx::new(&x, &y).area_in_pixel(i as f64, j as f64) };
                        assert_eq!(v.to_bits(), b.to_bits(), "AVX {v} vs {b} at ({i},{j}) for {x:?} {y:?}");
                    }
                }
            }
        }
    }
}
