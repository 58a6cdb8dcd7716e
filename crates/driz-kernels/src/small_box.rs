//! The square kernel's overlaps when a drop's box spans at most 3×3 output pixels,
//! which at output scales near the input's is almost every drop.
//!
//! `boxer` clips every edge against both sides of a pixel in x and in y, once per
//! pixel. Here the quadrilateral lies inside its box, so a pixel's outer sides clip
//! nothing: a pixel's area is the integral of the edges over the pixel's column,
//! clamped on one side only (below or above an interior row boundary; a middle row is
//! the difference of two such), and the points where edges cross the interior column
//! boundaries are shared between neighbouring pixels.
//!
//! The result agrees with `boxer` to rounding (~1e-16). What must agree exactly is
//! whether an overlap is zero, because drizzle only accumulates (and sets the context
//! bit) for non-zero overlaps. A pixel the quadrilateral does not enter gets exactly 0
//! here (every clamped term is 0), and also from `boxer`: its edge terms there are zero
//! or whole-width terms that cancel exactly, as long as the coordinates are at least 2
//! (all multiples of 2⁻⁵¹, so the widths and their sums are exact; the caller checks
//! that). Values that are non-zero but tiny, where rounding could decide the sign, are
//! left to `boxer` by the caller ([`NEAR_ZERO`]).

/// Below this magnitude an overlap is recomputed by `boxer` itself: the two agree to
/// ~1e-15 everywhere, so above it both have the same sign.
pub(crate) const NEAR_ZERO: f64 = 1e-12;

/// Whether a box of `nc` columns × `nr` rows is handled here.
#[inline]
pub(crate) fn fits(nc: i64, nr: i64) -> bool {
    (1..=3).contains(&nc) && (1..=3).contains(&nr)
}

/// Lowest first column / row of a box handled here: the quadrilateral's coordinates
/// are then ≥ 2.5 (see the module notes).
pub(crate) const MIN_FIRST_PIXEL: i64 = 3;

/// dy/dx of horizontal edges: finite, so that the unused crossing terms stay finite
/// (they are then multiplied by zero).
const HORIZONTAL_ISLOPE: f64 = 1e300;

/// Overlaps of quadrilateral `x, y` with the pixels of the box whose first pixel is
/// (`i0`, `j0`), `nc` × `nr` pixels (`fits(nc, nr)`), the quadrilateral lying inside
/// the box. Pixel (i0 + a, j0 + b) is at index `3 * b + a`; signed like `boxer`.
///
/// Pixel areas are sums over the edges of ∫ max(s·(y − r), 0) dx over the pixel's
/// column, s = −1 below a row boundary r and +1 above it (Green's theorem: the part of
/// the boundary on y = r adds nothing), times s/2 after a factor 2 left out of the
/// trapezoids.
#[inline(always)]
pub(crate) fn areas(x: &[f64; 4], y: &[f64; 4], i0: i64, j0: i64, nc: usize, nr: usize) -> [f64; 9] {
    let (ox, oy) = (i0 as f64 - 0.5, j0 as f64 - 0.5);
    let (mut u, mut v) = ([0.0; 4], [0.0; 4]);
    for k in 0..4 {
        (u[k], v[k]) = (x[k] - ox, y[k] - oy);
    }
    // The lowest interior row boundary (or the box's bottom, which nothing crosses).
    let r = if nr >= 2 { 1.0 } else { 0.0 };
    let mut v1 = [0.0; 4];
    let mut v1_upper = [0.0; 4];
    let mut sgn = [0.0; 4];
    let mut slope = [0.0; 4];
    let mut cross = [0.0; 4];
    let mut cross_upper = [0.0; 4];
    // Ends of each edge's stretch inside each column: the edge's own ends and its
    // crossings of the interior column boundaries; y there relative to r and r + 1.
    let mut at_u = [[0.0; 4]; 4];
    let mut at_v = [[0.0; 4]; 4];
    let mut at_v_upper = [[0.0; 4]; 4];
    for k in 0..4 {
        let m = (k + 1) & 3;
        let du = u[m] - u[k];
        let dv = v[m] - v[k];
        sgn[k] = if du < 0.0 {
            -1.0
        } else if du > 0.0 {
            1.0
        } else {
            0.0
        };
        slope[k] = if du != 0.0 { dv / du } else { 0.0 };
        let islope = if dv != 0.0 { du / dv } else { HORIZONTAL_ISLOPE };
        v1[k] = v[k] - r;
        v1_upper[k] = v[k] - (r + 1.0);
        cross[k] = u[k] - v1[k] * islope;
        cross_upper[k] = u[k] - v1_upper[k] * islope;
        let ulo = if u[k] < u[m] { u[k] } else { u[m] };
        let uhi = if u[k] > u[m] { u[k] } else { u[m] };
        at_u[0][k] = ulo;
        at_u[nc][k] = uhi;
        for (c, at) in at_u.iter_mut().enumerate().take(nc).skip(1) {
            let clipped = if uhi < c as f64 { uhi } else { c as f64 };
            at[k] = if ulo > clipped { ulo } else { clipped };
        }
    }
    for c in 0..=nc {
        for k in 0..4 {
            let run = at_u[c][k] - u[k];
            at_v[c][k] = v1[k] + slope[k] * run;
            at_v_upper[c][k] = v1_upper[k] + slope[k] * run;
        }
    }
    // Twice the edges' integral of max(s·v, 0) over [ua, ub], summed.
    let integral = |ua: &[f64; 4], ub: &[f64; 4], va: &[f64; 4], vb: &[f64; 4], cross: &[f64; 4], s: f64| {
        let mut t = [0.0; 4];
        for k in 0..4 {
            let (sa, sb) = (s * va[k], s * vb[k]);
            let pa = if sa >= 0.0 { ua[k] } else { cross[k] };
            let pb = if sb >= 0.0 { ub[k] } else { cross[k] };
            let fa = if sa > 0.0 { sa } else { 0.0 };
            let fb = if sb > 0.0 { sb } else { 0.0 };
            let g = (pb - pa) * (fa + fb);
            t[k] = if ub[k] > ua[k] { sgn[k] * g } else { 0.0 };
        }
        (t[0] + t[1]) + (t[2] + t[3])
    };
    let mut out = [0.0; 9];
    for col in 0..nc {
        let (ua, ub) = (&at_u[col], &at_u[col + 1]);
        let (va, vb) = (&at_v[col], &at_v[col + 1]);
        if nr == 1 {
            out[col] = 0.5 * integral(ua, ub, va, vb, &cross, 1.0);
            continue;
        }
        out[col] = -0.5 * integral(ua, ub, va, vb, &cross, -1.0);
        let above = integral(ua, ub, va, vb, &cross, 1.0);
        if nr == 2 {
            out[3 + col] = 0.5 * above;
        } else {
            let top = integral(ua, ub, &at_v_upper[col], &at_v_upper[col + 1], &cross_upper, 1.0);
            out[3 + col] = 0.5 * (above - top);
            out[6 + col] = 0.5 * top;
        }
    }
    out
}

#[cfg(target_arch = "x86_64")]
pub(crate) use avx::areas_avx;

#[cfg(target_arch = "x86_64")]
mod avx {
    use super::HORIZONTAL_ISLOPE;
    use std::arch::x86_64::*;

    /// Each edge's term of twice the integral of max(s·v, 0) over [ua, ub]: the lanes
    /// [`areas`](super::areas)'s closure sums, operation for operation.
    #[inline]
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    fn integral(
        ua: __m256d,
        ub: __m256d,
        va: __m256d,
        vb: __m256d,
        cross: __m256d,
        sgn: __m256d,
        hit: __m256d,
        s: f64,
    ) -> __m256d {
        let zero = _mm256_setzero_pd();
        let sv = _mm256_set1_pd(s);
        let (sa, sb) = (_mm256_mul_pd(sv, va), _mm256_mul_pd(sv, vb));
        let pa = _mm256_blendv_pd(cross, ua, _mm256_cmp_pd::<_CMP_GE_OQ>(sa, zero));
        let pb = _mm256_blendv_pd(cross, ub, _mm256_cmp_pd::<_CMP_GE_OQ>(sb, zero));
        let fa = _mm256_max_pd(sa, zero);
        let fb = _mm256_max_pd(sb, zero);
        let g = _mm256_mul_pd(_mm256_sub_pd(pb, pa), _mm256_add_pd(fa, fb));
        _mm256_and_pd(hit, _mm256_mul_pd(sgn, g))
    }

    /// The sums (t0 + t1) + (t2 + t3), as the scalar build adds, of four lane vectors.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sum4(a: __m256d, b: __m256d, c: __m256d, d: __m256d) -> [f64; 4] {
        // [a0+a1, b0+b1, a2+a3, b2+b3] and the same for c, d.
        let (ab, cd) = (_mm256_hadd_pd(a, b), _mm256_hadd_pd(c, d));
        let low = _mm256_permute2f128_pd::<0x20>(ab, cd);
        let high = _mm256_permute2f128_pd::<0x31>(ab, cd);
        let mut out = [0.0; 4];
        // SAFETY: `out` holds four f64 (unaligned store).
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), _mm256_add_pd(low, high)) };
        out
    }

    /// [`areas`](super::areas) of an `NC` × `NR` box, operation for operation, the four
    /// edges in one register (one function per box size: loops unrolled, arrays in
    /// registers).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn areas_avx<const NC: usize, const NR: usize>(
        x: &[f64; 4],
        y: &[f64; 4],
        i0: i64,
        j0: i64,
    ) -> [f64; 9] {
        let (nc, nr) = (NC, NR);
        // SAFETY: each array holds exactly four f64 (unaligned loads).
        let (x, y) = unsafe { (_mm256_loadu_pd(x.as_ptr()), _mm256_loadu_pd(y.as_ptr())) };
        let u = _mm256_sub_pd(x, _mm256_set1_pd(i0 as f64 - 0.5));
        let v = _mm256_sub_pd(y, _mm256_set1_pd(j0 as f64 - 0.5));
        let r = if nr >= 2 { 1.0 } else { 0.0 };
        // Lane k of the rotated vectors holds vertex k + 1 (mod 4): each edge's end.
        const NEXT: i32 = 0b00_11_10_01;
        let (u2, v2) = (_mm256_permute4x64_pd::<NEXT>(u), _mm256_permute4x64_pd::<NEXT>(v));
        let zero = _mm256_setzero_pd();
        let du = _mm256_sub_pd(u2, u);
        let dv = _mm256_sub_pd(v2, v);
        let left = _mm256_cmp_pd::<_CMP_LT_OQ>(du, zero);
        let right = _mm256_cmp_pd::<_CMP_GT_OQ>(du, zero);
        let sgn = _mm256_or_pd(_mm256_and_pd(left, _mm256_set1_pd(-1.0)), _mm256_and_pd(right, _mm256_set1_pd(1.0)));
        let du_zero = _mm256_cmp_pd::<_CMP_EQ_OQ>(du, zero);
        let dv_zero = _mm256_cmp_pd::<_CMP_EQ_OQ>(dv, zero);
        let slope = _mm256_blendv_pd(_mm256_div_pd(dv, du), zero, du_zero);
        let islope = _mm256_blendv_pd(_mm256_div_pd(du, dv), _mm256_set1_pd(HORIZONTAL_ISLOPE), dv_zero);
        let v1 = _mm256_sub_pd(v, _mm256_set1_pd(r));
        let v1_upper = _mm256_sub_pd(v, _mm256_set1_pd(r + 1.0));
        let cross = _mm256_sub_pd(u, _mm256_mul_pd(v1, islope));
        let cross_upper = _mm256_sub_pd(u, _mm256_mul_pd(v1_upper, islope));
        let ulo = _mm256_min_pd(u, u2);
        let uhi = _mm256_max_pd(u, u2);
        let mut at_u = [zero; 4];
        at_u[0] = ulo;
        at_u[nc] = uhi;
        // (An index loop: the iterator adapters are not inlined into this AVX2 function,
        // and every call would spill the vector registers.)
        #[allow(clippy::needless_range_loop)]
        for c in 1..nc {
            at_u[c] = _mm256_max_pd(ulo, _mm256_min_pd(uhi, _mm256_set1_pd(c as f64)));
        }
        let mut at_v = [zero; 4];
        let mut at_v_upper = [zero; 4];
        for c in 0..=nc {
            let run = _mm256_sub_pd(at_u[c], u);
            at_v[c] = _mm256_add_pd(v1, _mm256_mul_pd(slope, run));
            at_v_upper[c] = _mm256_add_pd(v1_upper, _mm256_mul_pd(slope, run));
        }
        // Per column: the integral below the lowest row boundary, above it, and above the
        // next one (as many as the rows need), summed four at a time.
        let per_col = if nr == 1 { 1 } else { nr };
        let mut terms = [zero; 12];
        for col in 0..nc {
            let (ua, ub) = (at_u[col], at_u[col + 1]);
            let (va, vb) = (at_v[col], at_v[col + 1]);
            let hit = _mm256_cmp_pd::<_CMP_GT_OQ>(ub, ua);
            let t = &mut terms[per_col * col..];
            if nr == 1 {
                t[0] = integral(ua, ub, va, vb, cross, sgn, hit, 1.0);
                continue;
            }
            t[0] = integral(ua, ub, va, vb, cross, sgn, hit, -1.0);
            t[1] = integral(ua, ub, va, vb, cross, sgn, hit, 1.0);
            if nr == 3 {
                t[2] = integral(ua, ub, at_v_upper[col], at_v_upper[col + 1], cross_upper, sgn, hit, 1.0);
            }
        }
        let mut sums = [0.0; 12];
        for q in 0..(per_col * nc).div_ceil(4) {
            let t = &terms[4 * q..4 * q + 4];
            sums[4 * q..4 * q + 4].copy_from_slice(&sum4(t[0], t[1], t[2], t[3]));
        }
        let mut out = [0.0; 9];
        for col in 0..nc {
            let t = &sums[per_col * col..];
            if nr == 1 {
                out[col] = 0.5 * t[0];
                continue;
            }
            out[col] = -0.5 * t[0];
            if nr == 2 {
                out[3 + col] = 0.5 * t[1];
            } else {
                out[3 + col] = 0.5 * (t[1] - t[2]);
                out[6 + col] = 0.5 * t[2];
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::pixel_box;
    use crate::overlap::Quad;

    /// Compare every pixel of the box with `boxer`'s general path; `false` when the box
    /// is not one handled here.
    fn check(x: &[f64; 4], y: &[f64; 4]) -> bool {
        let (i0, i1, j0, j1) = pixel_box(x, y);
        let (nc, nr) = (i1 - i0 + 1, j1 - j0 + 1);
        if !fits(nc, nr) || i0 < MIN_FIRST_PIXEL || j0 < MIN_FIRST_PIXEL {
            return false;
        }
        let fast = areas(x, y, i0, j0, nc as usize, nr as usize);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is available.
            let vector = unsafe { areas_avx_any(x, y, i0, j0, nc as usize, nr as usize) };
            for (a, b) in fast.iter().zip(&vector) {
                assert_eq!(a.to_bits(), b.to_bits(), "AVX {b} vs {a} for {x:?} {y:?}");
            }
        }
        let quad = Quad::new(x, y);
        for jj in j0..=j1 {
            for ii in i0..=i1 {
                let reference = quad.area_in_pixel(ii as f64, jj as f64);
                let a = fast[(3 * (jj - j0) + ii - i0) as usize];
                assert!((a - reference).abs() <= 1e-13, "{a} vs {reference} at ({ii},{jj}) for {x:?} {y:?}");
                // What the kernel uses: tiny values recomputed by boxer, zeros skipped.
                let used = if a != 0.0 && a.abs() < NEAR_ZERO { reference } else { a };
                assert_eq!(used == 0.0, reference == 0.0, "{a} vs {reference} at ({ii},{jj}) for {x:?} {y:?}");
                if used != 0.0 {
                    assert_eq!(used > 0.0, reference > 0.0, "{a} vs {reference} at ({ii},{jj}) for {x:?} {y:?}");
                }
            }
        }
        true
    }

    /// [`areas_avx`] of any box size.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn areas_avx_any(x: &[f64; 4], y: &[f64; 4], i0: i64, j0: i64, nc: usize, nr: usize) -> [f64; 9] {
        match (nc, nr) {
            (1, 1) => areas_avx::<1, 1>(x, y, i0, j0),
            (1, 2) => areas_avx::<1, 2>(x, y, i0, j0),
            (1, 3) => areas_avx::<1, 3>(x, y, i0, j0),
            (2, 1) => areas_avx::<2, 1>(x, y, i0, j0),
            (2, 2) => areas_avx::<2, 2>(x, y, i0, j0),
            (2, 3) => areas_avx::<2, 3>(x, y, i0, j0),
            (3, 1) => areas_avx::<3, 1>(x, y, i0, j0),
            (3, 2) => areas_avx::<3, 2>(x, y, i0, j0),
            _ => areas_avx::<3, 3>(x, y, i0, j0),
        }
    }

    #[test]
    fn small_boxes_agree_with_boxer() {
        let mut next = crate::test_rng::uniform(5);
        let mut checked = 0;
        let mut shapes = std::collections::HashSet::new();
        for n in 0..200_000 {
            // Drops of about one output pixel, any rotation, some flipped, far from and
            // near the frame's origin.
            let base = if n % 3 == 0 { 3.0 } else { 1000.0 + 3000.0 * next() };
            let (cx, cy) = (base + 2.0 * next(), base + 2.0 * next());
            let (theta, s) = (next() * 6.3, 0.3 + 1.0 * next());
            let (c, sn) = (theta.cos() * s * 0.5, theta.sin() * s * 0.5);
            let mut x = [cx - c + sn, cx + c + sn, cx + c - sn, cx - c - sn];
            let mut y = [cy + sn + c, cy - sn + c, cy - sn - c, cy + sn - c];
            for k in 0..4 {
                x[k] += 0.2 * (next() - 0.5);
                y[k] += 0.2 * (next() - 0.5);
            }
            if next() < 0.2 {
                x.swap(1, 3);
                y.swap(1, 3);
            }
            // Vertical and horizontal edges, vertices on pixel corners and boundaries.
            if next() < 0.15 {
                x[1] = x[0];
            }
            if next() < 0.15 {
                y[3] = y[2];
            }
            if next() < 0.15 {
                x[2] = x[2].round() + 0.5;
                y[2] = y[2].round() + 0.5;
            }
            if next() < 0.1 {
                x[0] = x[0].round() + 0.5;
            }
            if check(&x, &y) {
                let (i0, i1, j0, j1) = pixel_box(&x, &y);
                shapes.insert((i1 - i0, j1 - j0));
                checked += 1;
            }
        }
        assert!(checked > 100_000, "{checked}");
        assert!(shapes.len() >= 8 && shapes.contains(&(2, 2)) && shapes.contains(&(1, 2)), "{shapes:?}");
    }

    #[test]
    fn drops_on_the_grid_keep_exact_zeros() {
        // Unit and half-pixel squares on the grid, integer and half-integer shifts,
        // axis-aligned rectangles spanning two or three pixels, 90° and 45° rotations.
        let mut next = crate::test_rng::uniform(9);
        let mut checked = 0;
        for n in 0..20_000 {
            let (cx, cy) = ((5 + n % 50) as f64, (7 + n % 37) as f64);
            let (cx, cy) = (cx + 0.5 * (next() * 3.0).floor(), cy + 0.5 * (next() * 3.0).floor());
            let (hx, hy) = (0.25 * (1.0 + (next() * 4.0).floor()), 0.25 * (1.0 + (next() * 4.0).floor()));
            let quads = [
                ([cx - hx, cx + hx, cx + hx, cx - hx], [cy + hy, cy + hy, cy - hy, cy - hy]),
                ([cx + hx, cx + hx, cx - hx, cx - hx], [cy + hy, cy - hy, cy - hy, cy + hy]),
                ([cx - hx, cx, cx + hx, cx], [cy, cy + hy, cy, cy - hy]),
                ([cx - hx, cx - hx, cx + hx, cx + hx], [cy + hy, cy - hy, cy - hy, cy + hy]),
            ];
            for (x, y) in quads {
                checked += check(&x, &y) as usize;
            }
        }
        assert!(checked > 60_000, "{checked}");
    }
}
