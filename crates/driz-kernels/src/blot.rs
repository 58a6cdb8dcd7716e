//! Blot: resample a drizzled image back onto an input frame with drizzle 3.0's
//! interpolants (nearest, linear, poly3, poly5, lanczos3, lanczos5), in float32 as the
//! reference computes them. Each output pixel is independent: parallel over rows.

use crate::KernelError;
use crate::kernels::lanczos_lut;
use crate::pixmap::PixelMap;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interp {
    Nearest,
    Linear,
    Poly3,
    Poly5,
    Lanczos3,
    Lanczos5,
}

impl FromStr for Interp {
    type Err = String;
    fn from_str(s: &str) -> Result<Interp, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "nearest" => Interp::Nearest,
            "linear" => Interp::Linear,
            "poly3" => Interp::Poly3,
            "poly5" => Interp::Poly5,
            "lanczos3" | "lan3" => Interp::Lanczos3,
            "lanczos5" | "lan5" => Interp::Lanczos5,
            other => {
                return Err(format!(
                    "unknown interpolant {other:?} (nearest, linear, poly3, poly5, lanczos3, lanczos5)"
                ));
            }
        })
    }
}

/// Blot `data` onto the frame described by `map` (shape of the output; each entry is the
/// 0-based position in `data`). Values are multiplied by `iscale`; points outside `data`
/// get `fillval`. A NaN in the map is an error, as in drizzle 3.0.
pub fn blot(
    data: ArrayView2<f32>,
    map: &PixelMap,
    interp: Interp,
    iscale: f32,
    fillval: f32,
) -> Result<Array2<f32>, KernelError> {
    if !(iscale > 0.0 && iscale.is_finite()) {
        return Err(KernelError::Parameter(format!("iscale must be positive and finite, got {iscale}")));
    }
    let (ny, nx) = data.dim();
    let min = match interp {
        Interp::Poly3 => 3,
        Interp::Poly5 => 4,
        _ => 1,
    };
    if nx < min || ny < min {
        return Err(KernelError::Shape(format!("{nx}x{ny} image is too small for {interp:?} interpolation")));
    }
    if let Some(k) = map.xy.iter().position(|p| p[0].is_nan() || p[1].is_nan()) {
        return Err(KernelError::Parameter(format!("NaN in the pixel map at x {}, y {}", k % map.nx, k / map.nx)));
    }
    let data = data.as_standard_layout();
    let src = Source { d: data.as_slice().expect("standard layout"), nx, ny };
    let lut = match interp {
        Interp::Lanczos3 => lanczos_lut(3),
        Interp::Lanczos5 => lanczos_lut(5),
        _ => Vec::new(),
    };
    let order = if interp == Interp::Lanczos5 { 5.0 } else { 3.0 };
    let mut out = Array2::<f32>::zeros((map.ny, map.nx));
    let s = iscale;
    let width = map.nx.max(1);
    let octets = (interp == Interp::Poly5).then(|| Poly5Octets::new(&src)).flatten();
    out.as_slice_mut().expect("fresh array").par_chunks_mut(width * TILE).enumerate().for_each(|(band, rows)| {
        let n_rows = rows.len() / width;
        for x0 in (0..width).step_by(TILE) {
            let x1 = (x0 + TILE).min(width);
            for r in 0..n_rows {
                let j = band * TILE + r;
                let mut first = x0;
                if let Some(octets) = &octets {
                    // Eight pixels at a time while all eight are interior; from the first
                    // octet that is not (near an edge) to the tile's end, one by one below.
                    while first + 8 <= x1 {
                        let at = (j - map.row0) * map.nx + first;
                        let Some(values) = octets.interpolate(&map.xy[at..at + 8]) else { break };
                        for (o, v) in rows[r * width + first..][..8].iter_mut().zip(values) {
                            *o = v * s;
                        }
                        first += 8;
                    }
                }
                for i in first..x1 {
                    let p = map.at(i, j);
                    let (x, y) = (p[0] as f32, p[1] as f32);
                    rows[r * width + i] = if x >= 0.0 && x < nx as f32 && y >= 0.0 && y < ny as f32 {
                        let v = match interp {
                            Interp::Nearest => src.nearest(x, y),
                            Interp::Linear => src.linear(x, y),
                            Interp::Poly3 => src.poly3(x, y),
                            Interp::Poly5 => src.poly5(x, y),
                            Interp::Lanczos3 | Interp::Lanczos5 => src.lanczos(x, y, order, &lut),
                        };
                        v * s
                    } else {
                        fillval
                    };
                }
            }
        }
    });
    Ok(out)
}

/// Poly5 for eight output pixels at once, one per AVX2 lane: every lane runs the
/// operations of [`Source::poly5`]'s usual case in the same order, so each gives the same
/// bits as that pixel alone.
struct Poly5Octets<'a> {
    src: &'a Source<'a>,
}

impl<'a> Poly5Octets<'a> {
    /// `None` without AVX2.
    fn new(src: &'a Source<'a>) -> Option<Poly5Octets<'a>> {
        #[cfg(target_arch = "x86_64")]
        {
            if std::env::var_os("DRIZ_NO_AVX2").is_none() && std::is_x86_feature_detected!("avx2") {
                return Some(Poly5Octets { src });
            }
        }
        let _ = src;
        None
    }

    /// The eight values at `xy`, or `None` when any point's block is not wholly inside the
    /// image or needs the rare rounded-up block coordinate (those take the one-pixel path).
    fn interpolate(&self, xy: &[[f64; 2]]) -> Option<[f32; 8]> {
        let x: [f32; 8] = std::array::from_fn(|k| xy[k][0] as f32);
        let y: [f32; 8] = std::array::from_fn(|k| xy[k][1] as f32);
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `new` checked AVX2.
            unsafe { poly5_avx2(self.src, &x, &y) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        None
    }
}

/// [`Source::poly5`]'s usual case in eight lanes, `None` unless every lane is in it.
///
/// Gathering the 36 block values lane by lane is slow (a gather per value); instead each
/// pixel's block rows are loaded whole (eight columns wide, so the widened block must also
/// lie inside the image), and each row of the eight blocks is transposed from
/// one-vector-per-pixel to one-vector-per-column.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn poly5_avx2(src: &Source, x: &[f32; 8], y: &[f32; 8]) -> Option<[f32; 8]> {
    use std::arch::x86_64::*;
    let (d, width) = (src.d, src.nx);
    // Offsets in 32 bits; larger images take the one-pixel path.
    i32::try_from(d.len()).ok()?;
    let last_corner = d.len().checked_sub(5 * width + 8)? as i32;
    let (nx, ny) = (i32::try_from(src.nx).ok()?, i32::try_from(src.ny).ok()?);
    // SAFETY: eight floats each.
    let (x, y) = unsafe { (_mm256_loadu_ps(x.as_ptr()), _mm256_loadu_ps(y.as_ptr())) };
    // The bounds test of `blot` first: it also keeps NaN and huge values out.
    let zero = _mm256_setzero_ps();
    let inside = _mm256_and_ps(
        _mm256_and_ps(_mm256_cmp_ps::<_CMP_GE_OQ>(x, zero), _mm256_cmp_ps::<_CMP_LT_OQ>(x, _mm256_set1_ps(nx as f32))),
        _mm256_and_ps(_mm256_cmp_ps::<_CMP_GE_OQ>(y, zero), _mm256_cmp_ps::<_CMP_LT_OQ>(y, _mm256_set1_ps(ny as f32))),
    );
    let (i, j) = (_mm256_cvttps_epi32(x), _mm256_cvttps_epi32(y));
    let three = _mm256_set1_ps(3.0);
    let (xval, yval) = (
        _mm256_add_ps(three, _mm256_sub_ps(x, _mm256_cvtepi32_ps(i))),
        _mm256_add_ps(three, _mm256_sub_ps(y, _mm256_cvtepi32_ps(j))),
    );
    let two = _mm256_set1_epi32(2);
    let corner =
        _mm256_add_epi32(_mm256_mullo_epi32(_mm256_sub_epi32(j, two), _mm256_set1_epi32(nx)), _mm256_sub_epi32(i, two));
    // i ≥ 2, i + 3 < nx, j ≥ 2, j + 4 ≤ ny, both block coordinates below 4, and the
    // widened block inside the image.
    let block = _mm256_andnot_si256(
        _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpgt_epi32(two, i), _mm256_cmpgt_epi32(i, _mm256_set1_epi32(nx - 4))),
            _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpgt_epi32(two, j), _mm256_cmpgt_epi32(j, _mm256_set1_epi32(ny - 4))),
                _mm256_cmpgt_epi32(corner, _mm256_set1_epi32(last_corner)),
            ),
        ),
        _mm256_castps_si256(_mm256_and_ps(
            _mm256_cmp_ps::<_CMP_LT_OQ>(xval, _mm256_set1_ps(4.0)),
            _mm256_cmp_ps::<_CMP_LT_OQ>(yval, _mm256_set1_ps(4.0)),
        )),
    );
    if _mm256_movemask_ps(_mm256_and_ps(inside, _mm256_castsi256_ps(block))) != 0xff {
        return None;
    }
    let mut corners = [0i32; 8];
    // SAFETY: eight ints.
    unsafe { _mm256_storeu_si256(corners.as_mut_ptr().cast(), corner) };
    let (sx, sy) = (_mm256_sub_ps(xval, three), _mm256_sub_ps(yval, three));
    let mut z = [_mm256_setzero_ps(); 6];
    for (r, zr) in z.iter_mut().enumerate() {
        // SAFETY: every corner is at most `last_corner`, so its widened rows are inside `d`.
        let rows: [__m256; 8] =
            std::array::from_fn(|p| unsafe { _mm256_loadu_ps(d.as_ptr().add(corners[p] as usize + r * width)) });
        let mut a = transpose_first_six(&rows);
        if r == 5 {
            // The reference's no-op reflection of the last row (it only matters for inf).
            for v in &mut a {
                *v = _mm256_sub_ps(_mm256_mul_ps(*v, _mm256_set1_ps(2.0)), *v);
            }
        }
        *zr = everett5_avx2(&a, sx);
    }
    let mut out = [0f32; 8];
    // SAFETY: eight floats.
    unsafe { _mm256_storeu_ps(out.as_mut_ptr(), everett5_avx2(&z, sy)) };
    Some(out)
}

/// Columns 0–5 of an 8×8 block given as eight row vectors: vector k holds element k of
/// every row.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn transpose_first_six(rows: &[std::arch::x86_64::__m256; 8]) -> [std::arch::x86_64::__m256; 6] {
    use std::arch::x86_64::*;
    let [r0, r1, r2, r3, r4, r5, r6, r7] = *rows;
    let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
    let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
    let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
    let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
    let (u0, u1) = (_mm256_shuffle_ps::<0x44>(t0, t2), _mm256_shuffle_ps::<0xEE>(t0, t2));
    let (u2, u3) = (_mm256_shuffle_ps::<0x44>(t1, t3), _mm256_shuffle_ps::<0xEE>(t1, t3));
    let (u4, u5) = (_mm256_shuffle_ps::<0x44>(t4, t6), _mm256_shuffle_ps::<0xEE>(t4, t6));
    let (u6, u7) = (_mm256_shuffle_ps::<0x44>(t5, t7), _mm256_shuffle_ps::<0xEE>(t5, t7));
    [
        _mm256_permute2f128_ps::<0x20>(u0, u4),
        _mm256_permute2f128_ps::<0x20>(u1, u5),
        _mm256_permute2f128_ps::<0x20>(u2, u6),
        _mm256_permute2f128_ps::<0x20>(u3, u7),
        _mm256_permute2f128_ps::<0x31>(u0, u4),
        _mm256_permute2f128_ps::<0x31>(u1, u5),
    ]
}

/// [`everett5`] lane by lane, operation for operation (no fused multiply-adds).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn everett5_avx2(a: &[std::arch::x86_64::__m256; 6], s: std::arch::x86_64::__m256) -> std::arch::x86_64::__m256 {
    use std::arch::x86_64::*;
    let (add, sub, mul, k) = (_mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_set1_ps);
    let one = k(1.0);
    let t = sub(one, s);
    let (s2, t2) = (mul(s, s), mul(t, t));
    let (two, four, six) = (k(2.0), k(4.0), k(6.0));
    let cd20 = mul(k(1.0f32 / 6.0), add(sub(a[3], mul(two, a[2])), a[1]));
    let cd21 = mul(k(1.0f32 / 6.0), add(sub(a[4], mul(two, a[3])), a[2]));
    let cd40 = mul(k(1.0f32 / 120.0), add(sub(add(sub(a[0], mul(four, a[1])), mul(six, a[2])), mul(four, a[3])), a[4]));
    let cd41 = mul(k(1.0f32 / 120.0), add(sub(add(sub(a[1], mul(four, a[2])), mul(six, a[3])), mul(four, a[4])), a[5]));
    let high = mul(s, add(a[3], mul(sub(s2, one), add(cd21, mul(sub(s2, four), cd41)))));
    let low = mul(t, add(a[2], mul(sub(t2, one), add(cd20, mul(sub(t2, four), cd40)))));
    add(high, low)
}

/// Output rows (and columns) blotted together: a tile maps onto a compact patch of the
/// source, so the interpolation blocks stay in cache (rows of the output cut across it).
const TILE: usize = 64;

struct Source<'a> {
    d: &'a [f32],
    nx: usize,
    ny: usize,
}

impl Source<'_> {
    #[inline]
    fn at(&self, i: i64, j: i64) -> f32 {
        self.d[j as usize * self.nx + i as usize]
    }

    /// Nearest pixel. The reference indexes past the row end for x ≥ NX − 0.5 (reading
    /// the next row); we clamp to the last column and row instead (docs/compatibility.md).
    fn nearest(&self, x: f32, y: f32) -> f32 {
        let i = ((x as f64 + 0.5) as i64).min(self.nx as i64 - 1);
        let j = ((y as f64 + 0.5) as i64).min(self.ny as i64 - 1);
        self.at(i, j)
    }

    fn linear(&self, x: f32, y: f32) -> f32 {
        let (nx, ny) = (x as i64, y as i64);
        let (lx, ly) = (self.nx as i64 - 1, self.ny as i64 - 1);
        let f00 = self.at(nx, ny);
        if nx == lx {
            if ny == ly {
                return f00;
            }
            let sy = y - ny as f32;
            return (1.0 - sy) * f00 + sy * self.at(nx, ny + 1);
        }
        if ny == ly {
            let sx = x - nx as f32;
            return (1.0 - sx) * f00 + sx * self.at(nx + 1, ny);
        }
        let sx = x - nx as f32;
        let tx = 1.0 - sx;
        let sy = y - ny as f32;
        let ty = 1.0 - sy;
        tx * ty * f00
            + sx * ty * self.at(nx + 1, ny)
            + sy * tx * self.at(nx, ny + 1)
            + sx * sy * self.at(nx + 1, ny + 1)
    }

    /// Row `j` of the interpolation block, columns `nx - half ..`, reflecting columns
    /// outside the image through the edge pixel.
    fn block_row(&self, j: i64, first: i64, out: &mut [f32]) {
        let last = self.nx as i64 - 1;
        for (k, o) in out.iter_mut().enumerate() {
            let i = first + k as i64;
            *o = if i < 0 {
                2.0 * self.at(0, j) - self.at(-i, j)
            } else if i > last {
                2.0 * self.at(last, j) - self.at(2 * last - i, j)
            } else {
                self.at(i, j)
            };
        }
    }

    fn poly3(&self, x: f32, y: f32) -> f32 {
        let (nx, ny) = (x as i64, y as i64);
        let nyi = self.ny as i64;
        let mut c = [[0f32; 4]; 4];
        if nx >= 1 && nx + 2 < self.nx as i64 && ny >= 1 && ny + 3 <= nyi {
            // The whole block is inside the image: no reflection but the reference's
            // no-op one of the last row.
            for (r, row) in c.iter_mut().enumerate() {
                let start = (ny - 1 + r as i64) as usize * self.nx + (nx - 1) as usize;
                row.copy_from_slice(&self.d[start..start + 4]);
            }
            c[3] = reflect(&c[3], &c[3]);
            return bipoly3(&c, 2.0f32 + (x - nx as f32), 2.0f32 + (y - ny as f32));
        }
        self.poly3_reflected(x, y)
    }

    /// [`poly3`](Self::poly3) with the block gathered row by row, reflecting through the
    /// image edges: the general case, also right (if slower) inside the image.
    fn poly3_reflected(&self, x: f32, y: f32) -> f32 {
        let (nx, ny) = (x as i64, y as i64);
        let nyi = self.ny as i64;
        let mut c = [[0f32; 4]; 4];
        for (r, jj) in (ny - 1..=ny + 2).enumerate() {
            if jj >= 0 && jj < nyi {
                self.block_row(jj, nx - 1, &mut c[r]);
            } else if jj == ny + 2 {
                self.block_row(nyi - 3, nx - 1, &mut c[r]);
            }
        }
        let firstw = (1 - ny).max(0) as usize;
        for r in 0..firstw {
            c[r] = reflect(&c[firstw], &c[2 * firstw - r]);
        }
        let lastrw = (nyi - ny).min(3) as usize;
        if lastrw < 3 {
            for r in lastrw + 1..=3 {
                // For y in (NY−1, NY) the reference reads outside its block (undefined
                // behaviour); we reflect through the first row instead.
                let src = if 2 * lastrw >= r { c[2 * lastrw - r] } else { c[0] };
                c[r] = reflect(&c[lastrw], &src);
            }
        } else {
            // The reference's no-op reflection of the last row (it only matters for inf).
            c[3] = reflect(&c[3], &c[3]);
        }
        let xval = 2.0f32 + (x - nx as f32);
        let yval = 2.0f32 + (y - ny as f32);
        bipoly3(&c, xval, yval)
    }

    fn poly5(&self, x: f32, y: f32) -> f32 {
        let (nx, ny) = (x as i64, y as i64);
        let nyi = self.ny as i64;
        let mut c = [[0f32; 6]; 6];
        if nx >= 2 && nx + 3 < self.nx as i64 && ny >= 2 && ny + 4 <= nyi {
            // The whole block is inside the image: no reflection but the reference's
            // no-op one of the last row.
            let (xval, yval) = (3.0f32 + (x - nx as f32), 3.0f32 + (y - ny as f32));
            let first = (ny - 2) as usize * self.nx + (nx - 2) as usize;
            if xval < 4.0 && yval < 4.0 {
                // The usual case: the block's columns, one lane per row.
                let mut columns = [[0f32; 8]; 6];
                for r in 0..6 {
                    let row = &self.d[first + r * self.nx..][..6];
                    for (column, &value) in columns.iter_mut().zip(row) {
                        column[r] = value;
                    }
                }
                // The reference's no-op reflection of the last row (it only matters for inf).
                for column in &mut columns {
                    column[5] = column[5] * 2.0 - column[5];
                }
                return bipoly5_by_columns(&columns, xval, yval);
            }
            for (r, row) in c.iter_mut().enumerate() {
                row.copy_from_slice(&self.d[first + r * self.nx..][..6]);
            }
            c[5] = reflect(&c[5], &c[5]);
            return bipoly5(&c, xval, yval);
        }
        self.poly5_reflected(x, y)
    }

    /// [`poly5`](Self::poly5) with the block gathered row by row, reflecting through the
    /// image edges: the general case, also right (if slower) inside the image.
    fn poly5_reflected(&self, x: f32, y: f32) -> f32 {
        let (nx, ny) = (x as i64, y as i64);
        let nyi = self.ny as i64;
        let mut c = [[0f32; 6]; 6];
        for (r, jj) in (ny - 2..=ny + 3).enumerate() {
            if jj >= 0 && jj < nyi {
                self.block_row(jj, nx - 2, &mut c[r]);
            } else if jj == ny + 3 {
                self.block_row(nyi - 4, nx - 2, &mut c[r]);
            }
        }
        let firstw = (2 - ny).max(0) as usize;
        if firstw > 0 {
            for r in 0..=firstw {
                c[r] = reflect(&c[firstw], &c[2 * firstw - r]);
            }
        }
        let lastrw = (nyi - ny + 1).min(5) as usize;
        if lastrw < 5 {
            for r in lastrw + 1..=4 {
                c[r] = reflect(&c[lastrw], &c[2 * lastrw - r]);
            }
        } else {
            c[5] = reflect(&c[5], &c[5]);
        }
        let xval = 3.0f32 + (x - nx as f32);
        let yval = 3.0f32 + (y - ny as f32);
        bipoly5(&c, xval, yval)
    }

    fn lanczos(&self, x: f32, y: f32, order: f32, lut: &[f64]) -> f32 {
        // (`as` saturates a far point: the + 1 must too.)
        let ixs = ((x - order).floor() as i64).saturating_add(1).max(0);
        let ixe = ((x + order).floor() as i64).min(self.nx as i64 - 1);
        let iys = ((y - order).floor() as i64).saturating_add(1).max(0);
        let iye = ((y + order).floor() as i64).min(self.ny as i64 - 1);
        let mut sum = 0.0f64;
        for j in iys..=iye {
            let yoff = ((y as f64 - j as f64) / 0.003).abs() as usize;
            if yoff >= lut.len() {
                continue;
            }
            let luty = lut[yoff];
            for i in ixs..=ixe {
                let xoff = ((x as f64 - i as f64) / 0.003).abs() as usize;
                if xoff >= lut.len() {
                    continue;
                }
                sum += self.at(i, j) as f64 * lut[xoff] * luty;
            }
        }
        sum as f32
    }
}

fn reflect<const N: usize>(a: &[f32; N], b: &[f32; N]) -> [f32; N] {
    let mut c = [0f32; N];
    for k in 0..N {
        c[k] = a[k] * 2.0 - b[k];
    }
    c
}

/// Everett central-difference cubic through a 4×4 block, at block coordinates (x, y).
fn bipoly3(c: &[[f32; 4]; 4], x: f32, y: f32) -> f32 {
    let nx = x as i64;
    let ny = y as i64;
    let sx = x - nx as f32;
    // Block column of x is nx (= 2 unless rounding pushed 2 + frac up to 3).
    let col = nx as usize;
    let base_row = ny as usize - 2;
    let z: [f32; 4] = if col == 2 && base_row == 0 {
        // The usual case: the four values of a row are the block's row itself.
        std::array::from_fn(|r| everett3(c[r], sx))
    } else {
        // 2 + frac rounded up to 3: the reference's flat indexing runs into the next row.
        std::array::from_fn(|r| everett3(std::array::from_fn(|k| flat4(c, base_row + r, col + k - 2)), sx))
    };
    everett3(z, y - ny as f32)
}

/// Everett's central-difference cubic through four equally spaced values a(−1) … a(2)
/// at fraction `s` past a(0), in the reference's float32 operations.
#[inline(always)]
fn everett3(a: [f32; 4], s: f32) -> f32 {
    let sixth = 1.0f32 / 6.0;
    let t = 1.0 - s;
    let cd20 = sixth * (a[2] - 2.0 * a[1] + a[0]);
    let cd21 = sixth * (a[3] - 2.0 * a[2] + a[1]);
    s * (a[2] + (s * s - 1.0) * cd21) + t * (a[1] + (t * t - 1.0) * cd20)
}

/// The reference indexes its block as one flat array; reproduce that so the rare case
/// where `2 + frac` rounds up to 3 reads the same elements.
fn flat4(c: &[[f32; 4]; 4], r: usize, k: usize) -> f32 {
    let idx = r * 4 + k;
    c[(idx / 4).min(3)][idx % 4]
}

fn flat6(c: &[[f32; 6]; 6], r: usize, k: usize) -> f32 {
    let idx = r * 6 + k;
    c[(idx / 6).min(5)][idx % 6]
}

/// Everett's central-difference quintic through six equally spaced values a(−2) … a(3)
/// at fraction `s` past a(0), in the reference's float32 operations.
#[inline(always)]
fn everett5(a: [f32; 6], s: f32) -> f32 {
    let sixth = 1.0f32 / 6.0;
    let r120 = 1.0f32 / 120.0;
    let t = 1.0 - s;
    let (s2, t2) = (s * s, t * t);
    let cd20 = sixth * (a[3] - 2.0 * a[2] + a[1]);
    let cd21 = sixth * (a[4] - 2.0 * a[3] + a[2]);
    let cd40 = r120 * (a[0] - 4.0 * a[1] + 6.0 * a[2] - 4.0 * a[3] + a[4]);
    let cd41 = r120 * (a[1] - 4.0 * a[2] + 6.0 * a[3] - 4.0 * a[4] + a[5]);
    s * (a[3] + (s2 - 1.0) * (cd21 + (s2 - 4.0) * cd41)) + t * (a[2] + (t2 - 1.0) * (cd20 + (t2 - 4.0) * cd40))
}

/// [`bipoly5`] in its usual case (block coordinates below 4, so the block's own rows and
/// columns), from the block's columns with one lane per row (lanes 6 and 7 unused): the
/// six rows' quintics in x are then the same operations lane by lane, which the compiler
/// vectorises. Same operations, so the same result as [`bipoly5`].
fn bipoly5_by_columns(columns: &[[f32; 8]; 6], x: f32, y: f32) -> f32 {
    let sx = x - 3.0;
    let mut z = [0f32; 8];
    for (r, zr) in z.iter_mut().enumerate() {
        *zr = everett5(std::array::from_fn(|k| columns[k][r]), sx);
    }
    everett5([z[0], z[1], z[2], z[3], z[4], z[5]], y - 3.0)
}

/// Everett central-difference quintic through a 6×6 block (the image edges and the
/// rare block coordinate rounded up to 4; [`bipoly5_by_columns`] does the rest).
fn bipoly5(c: &[[f32; 6]; 6], x: f32, y: f32) -> f32 {
    let nx = x as i64;
    let ny = y as i64;
    let sx = x - nx as f32;
    // Index of data[nx] in the block is nx - 1 (the reference's firstw = (ny-3)*6 + nx-1);
    // when 3 + frac rounded up to 4, the reference's flat indexing runs into the next row.
    let col = nx as usize - 1;
    let base_row = ny as usize - 3;
    let z: [f32; 6] =
        std::array::from_fn(|r| everett5(std::array::from_fn(|k| flat6(c, base_row + r, col + k - 2)), sx));
    everett5(z, y - ny as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eight lanes give each pixel's own bits, and `blot` with them gives the one-pixel
    /// path's image: random points over and around a small image (edges, outside, the
    /// rounded-up block coordinate), rows that are not whole octets.
    #[test]
    fn poly5_octets_give_the_bits_of_one_pixel_at_a_time() {
        let (nx, ny) = (61usize, 47usize);
        let mut next = crate::test_rng::uniform(9);
        let d: Vec<f32> = (0..nx * ny).map(|_| (next() * 200.0 - 50.0) as f32).collect();
        let src = Source { d: &d, nx, ny };
        let (width, height) = (203usize, 29usize);
        let xy: Vec<[f64; 2]> = (0..width * height)
            .map(|_| {
                let (u, v, w) = (next(), next(), next());
                // Mostly interior, some near or past the edges, some just below an integer.
                let x =
                    if u < 0.9 { 3.0 + u / 0.9 * (nx as f64 - 8.0) } else { (u - 0.9) * 10.0 * (nx + 6) as f64 - 3.0 };
                let y = 3.0 + v * (ny as f64 - 8.0);
                let y = if w < 0.05 { f64::from(f32::from_bits((y.floor() as f32 + 1.0).to_bits() - 1)) } else { y };
                [x, y]
            })
            .collect();
        let map = PixelMap::new(width, height, &xy).unwrap();
        if let Some(octets) = Poly5Octets::new(&src) {
            let mut whole = 0;
            for points in xy.chunks_exact(8) {
                if let Some(values) = octets.interpolate(points) {
                    whole += 1;
                    for (p, v) in points.iter().zip(values) {
                        let (x, y) = (p[0] as f32, p[1] as f32);
                        assert_eq!(v.to_bits(), src.poly5(x, y).to_bits(), "at ({x}, {y})");
                    }
                }
            }
            assert!(whole > xy.len() / 8 / 5, "{whole} octets inside");
        }
        let image = ndarray::ArrayView2::from_shape((ny, nx), &d).unwrap();
        let blotted = blot(image, &map, Interp::Poly5, 1.7, -99.0).unwrap();
        for (k, p) in xy.iter().enumerate() {
            let (x, y) = (p[0] as f32, p[1] as f32);
            let inside = x >= 0.0 && x < nx as f32 && y >= 0.0 && y < ny as f32;
            let want = if inside { src.poly5(x, y) * 1.7 } else { -99.0 };
            assert_eq!(blotted[(k / width, k % width)].to_bits(), want.to_bits(), "pixel {k} at ({x}, {y})");
        }
    }

    #[test]
    fn fast_interior_paths_match_the_reflecting_block_path_bit_for_bit() {
        let (nx, ny) = (23usize, 19usize);
        let mut next = crate::test_rng::uniform(5);
        let d: Vec<f32> = (0..nx * ny).map(|_| (next() * 200.0 - 50.0) as f32).collect();
        let src = Source { d: &d, nx, ny };
        let (mut checked, mut rounded_up) = (0, 0);
        for _ in 0..20_000 {
            // One in ten just below the next integer: near the image's first columns and
            // rows, 2 + frac or 3 + frac then rounds up to an integer in float32.
            let coordinate = |n: usize, u: f64, v: f64| {
                let k = (u * (n - 1) as f64).floor() as f32;
                if v < 0.1 { f32::from_bits((k + 1.0).to_bits() - 1) } else { k + v as f32 }
            };
            let (x, y) = (coordinate(nx, next(), next()), coordinate(ny, next(), next()));
            if !(x < nx as f32 && y < ny as f32) {
                continue;
            }
            rounded_up += usize::from(2.0 + (x - (x as i64) as f32) == 3.0 || 3.0 + (y - (y as i64) as f32) == 4.0);
            assert_eq!(src.poly3(x, y).to_bits(), src.poly3_reflected(x, y).to_bits(), "poly3 at ({x}, {y})");
            assert_eq!(src.poly5(x, y).to_bits(), src.poly5_reflected(x, y).to_bits(), "poly5 at ({x}, {y})");
            checked += 1;
        }
        assert!(checked > 15_000 && rounded_up > 10, "{checked} points, {rounded_up} rounded up");
    }
}
