//! The drizzle kernels: how one input pixel's value and weight are spread over output
//! pixels. Each kernel first computes the pixel's geometry in the output frame (its
//! candidate output rows are needed to schedule work), then emits (ii, jj, weight)
//! contributions in drizzle's order: output rows ascending, then columns.

use crate::overlap::Quad;
use crate::pixmap::{MapLookup, PixelMap};
use crate::small_box;
use std::fmt;
use std::str::FromStr;

/// A drizzle kernel. `Tophat` exists only in drizzlepac's `cdriz` (not in drizzle 3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    Square,
    Point,
    Turbo,
    Gaussian,
    Lanczos2,
    Lanczos3,
    Tophat,
}

impl FromStr for Kernel {
    type Err = String;
    fn from_str(s: &str) -> Result<Kernel, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "square" => Kernel::Square,
            "point" => Kernel::Point,
            "turbo" => Kernel::Turbo,
            "gaussian" => Kernel::Gaussian,
            "lanczos2" => Kernel::Lanczos2,
            "lanczos3" => Kernel::Lanczos3,
            "tophat" => Kernel::Tophat,
            other => {
                return Err(format!(
                    "unknown kernel {other:?} (square, point, turbo, gaussian, lanczos2, lanczos3, tophat)"
                ));
            }
        })
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Kernel::Square => "square",
            Kernel::Point => "point",
            Kernel::Turbo => "turbo",
            Kernel::Gaussian => "gaussian",
            Kernel::Lanczos2 => "lanczos2",
            Kernel::Lanczos3 => "lanczos3",
            Kernel::Tophat => "tophat",
        };
        f.write_str(s)
    }
}

impl Kernel {
    /// Kernels whose output weights do not sum to the input weight.
    pub fn conserves_flux(self) -> bool {
        matches!(self, Kernel::Square | Kernel::Point | Kernel::Turbo)
    }

    /// Kernels whose size is given in input pixels and converted with the pixel-scale ratio.
    pub fn uses_scale_ratio(self) -> bool {
        matches!(self, Kernel::Turbo | Kernel::Gaussian | Kernel::Lanczos2 | Kernel::Lanczos3 | Kernel::Tophat)
    }
}

const LUT_DELTA: f64 = 0.003;

/// Lanczos look-up table at 0.003-pixel steps (drizzle 3.0's, in float64).
pub(crate) fn lanczos_lut(order: usize) -> Vec<f64> {
    let n = (order as f64 / LUT_DELTA).ceil() as usize + 1;
    let order = order as f64;
    let mut lut = vec![0.0; n];
    lut[0] = 1.0;
    for (i, v) in lut.iter_mut().enumerate().skip(1) {
        let x = i as f64 * LUT_DELTA;
        if x <= order {
            let poff = std::f64::consts::PI * x;
            let r = poff / order;
            *v = poff.sin() * r.sin() / (poff * r);
        }
    }
    lut
}

/// Per-call constants of a kernel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Spread {
    Square { dh: f64 },
    Point,
    Turbo { pfo: f64, dover_scale: f64 },
    Gaussian { pfo: f64, efac: f64, es: f64 },
    Lanczos { pfo: f64, sdp: f64, lut: Vec<f64> },
    Tophat { pfo: f64 },
}

impl Spread {
    pub fn new(kernel: Kernel, pixfrac: f64, psr: f32) -> Spread {
        let psr = psr as f64;
        match kernel {
            Kernel::Square => Spread::Square { dh: 0.5 * pixfrac },
            Kernel::Point => Spread::Point,
            Kernel::Turbo => {
                let ac = 1.0 / (pixfrac * pixfrac);
                Spread::Turbo { pfo: pixfrac / psr / 2.0, dover_scale: ac * psr * psr }
            }
            Kernel::Gaussian => {
                let mut pfo = 2.5 * pixfrac / 2.3548 / psr;
                if pfo < 1.2 / psr {
                    pfo = 1.2 / psr;
                }
                let ac = 1.0 / (pixfrac * pixfrac);
                let efac = (2.3548 * 2.3548) * (psr * psr) * ac / 2.0;
                Spread::Gaussian { pfo, efac, es: efac / std::f64::consts::PI }
            }
            Kernel::Lanczos2 | Kernel::Lanczos3 => {
                let order = if kernel == Kernel::Lanczos2 { 2 } else { 3 };
                Spread::Lanczos { pfo: order as f64 / psr, sdp: psr / LUT_DELTA, lut: lanczos_lut(order) }
            }
            Kernel::Tophat => Spread::Tophat { pfo: pixfrac / psr / 2.0 },
        }
    }
}

/// Where one input pixel lands: the candidate output box and what the kernel needs.
pub(crate) struct Geometry {
    pub ii: (i64, i64),
    pub jj: (i64, i64),
    shape: Shape,
}

enum Shape {
    /// `small`: the box is unclipped and small enough for [`crate::small_box`].
    Quad {
        x: [f64; 4],
        y: [f64; 4],
        jaco: f64,
        small: bool,
    },
    Centre {
        ox: f64,
        oy: f64,
    },
}

/// `x.round() as i64` (half away from zero) without the libm call `round` compiles to
/// on baseline x86-64; exact for |x| < 2^52, saturating beyond like the cast.
#[inline]
fn nint(x: f64) -> i64 {
    // From 2^52 on every float is an integer (or infinite, or NaN): the cast alone rounds.
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x as i64;
    }
    // SAFETY: |x| < 2^52 < 2^63 and not NaN. Branch-free rounding: the fractions are random.
    let t: i64 = unsafe { x.to_int_unchecked() };
    let frac = x - t as f64;
    t + (frac >= 0.5) as i64 - (frac <= -0.5) as i64
}

/// The length of [`lo`, `hi`] inside pixel `k` (negative when apart): a turbo box's side
/// clipped to the pixel's. The coordinates are not NaN (the centre is valid) and a pixel's
/// sides are never zero, so plain comparisons give f64::min/max's values.
#[inline(always)]
fn turbo_overlap(lo: f64, hi: f64, k: i64) -> f64 {
    let (side_lo, side_hi) = (k as f64 - 0.5, k as f64 + 0.5);
    (if hi < side_hi { hi } else { side_hi }) - (if lo > side_lo { lo } else { side_lo })
}

/// A point drop of weight `wgt` at mapped centre (`x`, `y`) (not NaN), for the output
/// rows `rows` of a frame of `frame` = (columns, rows): what [`Spread::geometry`] then
/// [`Spread::spread`] give, without their general way.
#[inline(always)]
pub(crate) fn point_drop(
    x: f64,
    y: f64,
    wgt: f32,
    frame: (i64, i64),
    rows: (i64, i64),
    mut emit: impl FnMut(usize, usize, f32),
) {
    let (ii, jj) = (nint(x), nint(y));
    if ii >= 0 && ii < frame.0 && jj >= 0 && jj < frame.1 && jj >= rows.0 && jj <= rows.1 {
        emit(ii as usize, jj as usize, wgt);
    }
}

/// A turbo drop (`Spread::Turbo { pfo, dover_scale }`) of weight `wgt` at mapped centre
/// (`x`, `y`) (not NaN), for the output rows `rows` of a frame of `frame` = (columns,
/// rows), when its box
/// lies inside the frame and spans at most 2 × 2 pixels (nearly every drop at output
/// scales near the input's): the same contributions in the same order as
/// [`Spread::geometry`] then [`Spread::spread`], unrolled. `false`: a bigger or clipped
/// box, nothing emitted, for the general way.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn small_turbo_drop<const AVX: bool>(
    pfo: f64,
    dover_scale: f64,
    x: f64,
    y: f64,
    wgt: f32,
    frame: (i64, i64),
    rows: (i64, i64),
    mut emit: impl FnMut(usize, usize, f32),
) -> bool {
    let (xxi, xxa, yyi, yya) = (x - pfo, x + pfo, y - pfo, y + pfo);
    let [i0, i1, j0, j1] = nint4::<AVX>([xxi, xxa, yyi, yya]);
    if !(i0 >= 0 && i1 < frame.0 && j0 >= 0 && j1 < frame.1 && i1 - i0 <= 1 && j1 - j0 <= 1) {
        return false;
    }
    let w = wgt as f64;
    let (dx0, dx1) = (turbo_overlap(xxi, xxa, i0), turbo_overlap(xxi, xxa, i0 + 1));
    // One row of the box: skipped outside the band or where the drop misses it, as
    // `spread` skips it.
    let mut row = |jj: i64| {
        if jj < rows.0 || jj > rows.1 {
            return;
        }
        let dy = turbo_overlap(yyi, yya, jj);
        if dy <= 0.0 {
            return;
        }
        if dx0 > 0.0 {
            emit(i0 as usize, jj as usize, (dx0 * dy * dover_scale * w) as f32);
        }
        // (A box of one column, i1 = i0, has xxa < i0 + ½ and so dx1 < 0.)
        if dx1 > 0.0 {
            emit(i0 as usize + 1, jj as usize, (dx1 * dy * dover_scale * w) as f32);
        }
    };
    row(j0);
    if j1 > j0 {
        row(j1);
    }
    true
}

impl Spread {
    /// The output footprint of input pixel (i, j) in an `onx` × `ony` output, or `None`
    /// when its map entries are invalid or it misses the output.
    #[inline(always)]
    pub fn geometry<const AVX: bool>(
        &self,
        map: &PixelMap,
        i: usize,
        j: usize,
        onx: i64,
        ony: i64,
    ) -> Option<Geometry> {
        let g = match self {
            Spread::Square { dh } => {
                let dh = *dh;
                let interior = i > 0 && i + 2 < map.nx && j > 0 && j + 2 < map.ny;
                let (x, y) = if interior {
                    map.four_corners(i, j, dh)?
                } else {
                    let (fi, fj) = (i as f64, j as f64);
                    let xin = [fi - dh, fi + dh, fi + dh, fi - dh];
                    let yin = [fj + dh, fj + dh, fj - dh, fj - dh];
                    let mut x = [0.0; 4];
                    let mut y = [0.0; 4];
                    for k in 0..4 {
                        [x[k], y[k]] = map.interpolate(xin[k], yin[k])?;
                    }
                    (x, y)
                };
                return quad_geometry::<false>(x, y, onx, ony);
            }
            Spread::Point => {
                let [ox, oy] = map.centre(i, j)?;
                let (ii, jj) = (nint(ox), nint(oy));
                if ii < 0 || ii >= onx || jj < 0 || jj >= ony {
                    return None;
                }
                Geometry { ii: (ii, ii), jj: (jj, jj), shape: Shape::Centre { ox, oy } }
            }
            Spread::Turbo { pfo, .. } | Spread::Gaussian { pfo, .. } | Spread::Tophat { pfo } => {
                let [ox, oy] = map.centre(i, j)?;
                let [i0, i1, j0, j1] = nint4::<AVX>([ox - pfo, ox + pfo, oy - pfo, oy + pfo]);
                Geometry {
                    ii: (i0.max(0), i1.min(onx - 1)),
                    jj: (j0.max(0), j1.min(ony - 1)),
                    shape: Shape::Centre { ox, oy },
                }
            }
            Spread::Lanczos { pfo, .. } => {
                let [ox, oy] = map.centre(i, j)?;
                // (`as` saturates a far centre: the + 1 must too.)
                Geometry {
                    ii: (
                        ((ox - pfo).floor() as i64).saturating_add(1).max(0),
                        ((ox + pfo).floor() as i64).min(onx - 1),
                    ),
                    jj: (
                        ((oy - pfo).floor() as i64).saturating_add(1).max(0),
                        ((oy + pfo).floor() as i64).min(ony - 1),
                    ),
                    shape: Shape::Centre { ox, oy },
                }
            }
        };
        (g.ii.0 <= g.ii.1 && g.jj.0 <= g.jj.1).then_some(g)
    }

    /// How far (in output rows) a pixel's footprint can reach from its mapped centre,
    /// given `max_dy`, the largest output-y difference between neighbouring centres
    /// ([`PixelMap::y_spread`]): an upper bound, so that the rows an input pixel
    /// can touch are found from its centre alone.
    ///
    /// A square drop's corner is the bilinear interpolation (extrapolation at the image
    /// edge) of four centres at fractions within [−h, 1 + h], whose weights add up in
    /// absolute value to at most (1 + 2h)², each centre at most D pixels from the drop's
    /// own (D = 1 for h ≤ ½, ⌈h⌉ + 1 beyond), so within D · `max_dy` of it in y; the
    /// other kernels reach `pfo` from the centre; one more row covers the rounding to the
    /// nearest pixel.
    pub fn reach(&self, max_dy: f64) -> f64 {
        match self {
            Spread::Square { dh } => {
                let span = if *dh <= 0.5 { 1.0 } else { dh.ceil() + 1.0 };
                (1.0 + 2.0 * dh) * (1.0 + 2.0 * dh) * span * max_dy + 1.0
            }
            Spread::Point => 1.0,
            Spread::Turbo { pfo, .. }
            | Spread::Gaussian { pfo, .. }
            | Spread::Lanczos { pfo, .. }
            | Spread::Tophat { pfo } => pfo + 1.0,
        }
    }

    /// Whether a drop lands about within the 3×3 output pixels around its centre's
    /// nearest, where the drizzle loop's prefetch asks for the cells: point drops, square
    /// drops up to pixfrac 1 and turbo drops up to two output pixels across, at output
    /// scales near the input's. (The other kernels' drops reach further and are not
    /// prefetched.)
    pub fn lands_near_centre(&self) -> bool {
        match self {
            Spread::Square { dh } => *dh <= 0.5,
            Spread::Point => true,
            Spread::Turbo { pfo, .. } => *pfo <= 1.0,
            Spread::Gaussian { .. } | Spread::Lanczos { .. } | Spread::Tophat { .. } => false,
        }
    }

    /// Whether the square kernel's drops have their corners at the midpoints between
    /// pixel centres (pixfrac 1), so that neighbouring input pixels share corners:
    /// [`PixelMap::shared_corners`] then gives them, and [`quad_geometry`] the rest.
    pub fn shares_corners(&self) -> bool {
        matches!(self, Spread::Square { dh } if *dh == 0.5)
    }

    /// Emit `(ii, jj, dow)` for the output rows `rows` of a pixel with input weight `wgt`.
    ///
    /// `AVX`: the caller has checked that the CPU has AVX2 (the square kernel's overlaps
    /// then use it; results are the same either way).
    #[inline(always)]
    pub fn spread<const AVX: bool>(
        &self,
        g: &Geometry,
        wgt: f32,
        rows: (i64, i64),
        mut emit: impl FnMut(usize, usize, f32),
    ) {
        let (j0, j1) = (g.jj.0.max(rows.0), g.jj.1.min(rows.1));
        let (i0, i1) = g.ii;
        match (self, &g.shape) {
            (Spread::Square { .. }, Shape::Quad { x, y, jaco, small }) => {
                let w = wgt as f64 / jaco;
                if *small {
                    // The box is unclipped: g.ii, g.jj are the whole box. The common sizes
                    // get code of their own (loops unrolled, arrays in registers).
                    let (nc, nr) = (i1 - i0 + 1, g.jj.1 - g.jj.0 + 1);
                    let (rows, base) = ((j0, j1), (i0, g.jj.0));
                    match (nc, nr) {
                        (1, 1) => small_drop::<AVX, 1, 1>(x, y, base, rows, w, emit),
                        (1, 2) => small_drop::<AVX, 1, 2>(x, y, base, rows, w, emit),
                        (1, 3) => small_drop::<AVX, 1, 3>(x, y, base, rows, w, emit),
                        (2, 1) => small_drop::<AVX, 2, 1>(x, y, base, rows, w, emit),
                        (2, 2) => small_drop::<AVX, 2, 2>(x, y, base, rows, w, emit),
                        (2, 3) => small_drop::<AVX, 2, 3>(x, y, base, rows, w, emit),
                        (3, 1) => small_drop::<AVX, 3, 1>(x, y, base, rows, w, emit),
                        (3, 2) => small_drop::<AVX, 3, 2>(x, y, base, rows, w, emit),
                        _ => small_drop::<AVX, 3, 3>(x, y, base, rows, w, emit),
                    }
                    return;
                }
                #[cfg(target_arch = "x86_64")]
                if AVX {
                    // SAFETY: AVX2 is available (the caller's contract).
                    let quad = unsafe { crate::overlap::QuadAvx::new(x, y) };
                    for jj in j0..j1 + 1 {
                        for ii in i0..i1 + 1 {
                            // SAFETY: as above.
                            let dover = unsafe { quad.area_in_pixel(ii as f64, jj as f64) };
                            if dover != 0.0 {
                                emit(ii as usize, jj as usize, (dover * w) as f32);
                            }
                        }
                    }
                    return;
                }
                let quad = Quad::new(x, y);
                for jj in j0..j1 + 1 {
                    for ii in i0..i1 + 1 {
                        let dover = quad.area_in_pixel(ii as f64, jj as f64);
                        if dover != 0.0 {
                            emit(ii as usize, jj as usize, (dover * w) as f32);
                        }
                    }
                }
            }
            (Spread::Point, _) => {
                if j0 <= j1 {
                    emit(i0 as usize, j0 as usize, wgt);
                }
            }
            (Spread::Turbo { pfo, dover_scale }, Shape::Centre { ox, oy }) => {
                let w = wgt as f64;
                let (xxi, xxa, yyi, yya) = (ox - pfo, ox + pfo, oy - pfo, oy + pfo);
                // (Exclusive ranges: an inclusive range's iterator costs a flag and a test
                // a step.)
                for jj in j0..j1 + 1 {
                    let dy = turbo_overlap(yyi, yya, jj);
                    // (Not NaN: see turbo_overlap.)
                    if dy <= 0.0 {
                        continue;
                    }
                    for ii in i0..i1 + 1 {
                        let dx = turbo_overlap(xxi, xxa, ii);
                        if dx > 0.0 {
                            let dover = dx * dy * dover_scale;
                            emit(ii as usize, jj as usize, (dover * w) as f32);
                        }
                    }
                }
            }
            (Spread::Gaussian { efac, es, .. }, Shape::Centre { ox, oy }) => {
                let w = wgt as f64;
                for jj in j0..j1 + 1 {
                    let ddy = oy - jj as f64;
                    for ii in i0..i1 + 1 {
                        let ddx = ox - ii as f64;
                        let dover = es * (-(ddx * ddx + ddy * ddy) * efac).exp();
                        emit(ii as usize, jj as usize, (dover * w) as f32);
                    }
                }
            }
            (Spread::Lanczos { sdp, lut, .. }, Shape::Centre { ox, oy }) => {
                let w = wgt as f64;
                for jj in j0..j1 + 1 {
                    let iy = ((oy - jj as f64) * sdp).abs().round() as usize;
                    for ii in i0..i1 + 1 {
                        let ix = ((ox - ii as f64) * sdp).abs().round() as usize;
                        if ix >= lut.len() || iy >= lut.len() {
                            continue;
                        }
                        emit(ii as usize, jj as usize, (lut[ix] * lut[iy] * w) as f32);
                    }
                }
            }
            (Spread::Tophat { pfo }, Shape::Centre { ox, oy }) => {
                // drizzlepac's tophat: every output pixel whose centre lies within the
                // radius gets the full weight.
                let r2 = pfo * pfo;
                for jj in j0..j1 + 1 {
                    let ddy = oy - jj as f64;
                    for ii in i0..i1 + 1 {
                        let ddx = ox - ii as f64;
                        if ddx * ddx + ddy * ddy <= r2 {
                            emit(ii as usize, jj as usize, wgt);
                        }
                    }
                }
            }
            _ => unreachable!("geometry shape always matches its kernel"),
        }
    }
}

/// The square kernel's footprint of the drop with (non-NaN) corners `x, y` (drizzle's
/// order), or `None` when the drop misses the output.
///
/// `AVX`: the caller has checked that the CPU has AVX2 (the box is then found in AVX
/// registers; the same box either way).
#[inline(always)]
pub(crate) fn quad_geometry<const AVX: bool>(x: [f64; 4], y: [f64; 4], onx: i64, ony: i64) -> Option<Geometry> {
    let jaco = 0.5 * ((x[1] - x[3]) * (y[0] - y[2]) - (x[0] - x[2]) * (y[1] - y[3]));
    #[cfg(target_arch = "x86_64")]
    let (i0, i1, j0, j1) = if AVX {
        // SAFETY: AVX2 is available (the caller's contract).
        unsafe { pixel_box_avx(&x, &y) }
    } else {
        pixel_box(&x, &y)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (i0, i1, j0, j1) = pixel_box(&x, &y);
    // (Bounds first: the saturated nint of a huge coordinate must not overflow.)
    let small = i0 >= small_box::MIN_FIRST_PIXEL
        && j0 >= small_box::MIN_FIRST_PIXEL
        && i1 < onx
        && j1 < ony
        && small_box::fits(i1 - i0 + 1, j1 - j0 + 1);
    let g = Geometry {
        ii: (i0.max(0), i1.min(onx - 1)),
        jj: (j0.max(0), j1.min(ony - 1)),
        shape: Shape::Quad { x, y, jaco, small },
    };
    (g.ii.0 <= g.ii.1 && g.jj.0 <= g.jj.1).then_some(g)
}

/// Emit the square kernel's contributions of a drop whose whole box, `NC` × `NR` pixels
/// from `base`, is handled by [`small_box`], for the output rows `rows`.
#[inline(always)]
fn small_drop<const AVX: bool, const NC: usize, const NR: usize>(
    x: &[f64; 4],
    y: &[f64; 4],
    base: (i64, i64),
    rows: (i64, i64),
    w: f64,
    mut emit: impl FnMut(usize, usize, f32),
) {
    let (i0, jb) = base;
    #[cfg(target_arch = "x86_64")]
    let areas = if AVX {
        // SAFETY: AVX2 is available (the caller's contract).
        unsafe { small_box::areas_avx::<NC, NR>(x, y, i0, jb) }
    } else {
        small_box::areas(x, y, i0, jb, NC, NR)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let areas = small_box::areas(x, y, i0, jb, NC, NR);
    // Over the box's NR rows (a constant: unrolled, no loop exit to mispredict), the
    // rows outside `rows` (a band's edge) skipped.
    for r in 0..NR {
        let jj = jb + r as i64;
        if jj < rows.0 || jj > rows.1 {
            continue;
        }
        for c in 0..NC {
            let ii = i0 + c as i64;
            let mut dover = areas[3 * r + c];
            // Large overlaps (the common case) pass one test.
            if dover.abs() < small_box::NEAR_ZERO {
                if dover == 0.0 {
                    continue;
                }
                dover = boxer::<AVX>(x, y, ii, jj);
                if dover == 0.0 {
                    continue;
                }
            }
            emit(ii as usize, jj as usize, (dover * w) as f32);
        }
    }
}

/// The nearest pixels of the quadrilateral's extreme coordinates: first and last
/// column, first and last row.
#[inline(always)]
pub(crate) fn pixel_box(x: &[f64; 4], y: &[f64; 4]) -> (i64, i64, i64, i64) {
    let (xmin, xmax) = min_max(x);
    let (ymin, ymax) = min_max(y);
    (nint(xmin), nint(xmax), nint(ymin), nint(ymax))
}

/// Beyond this a pixel index means "far outside any output frame" (any such value
/// gives the same footprint); within it the AVX conversion to i32 is exact.
#[cfg(target_arch = "x86_64")]
const FAR: f64 = 1e9;

/// [`pixel_box`] with the four extremes and their rounding in one register, the
/// coordinates first clamped to ±[`FAR`]: the same footprint for any frame smaller
/// than that (an index beyond it is out of the frame either way).
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn pixel_box_avx(x: &[f64; 4], y: &[f64; 4]) -> (i64, i64, i64, i64) {
    use std::arch::x86_64::*;
    // SAFETY: each array holds exactly four f64 (unaligned loads).
    let (x, y) = unsafe { (_mm256_loadu_pd(x.as_ptr()), _mm256_loadu_pd(y.as_ptr())) };
    // Vertices (0, 2) against (1, 3), then the two halves: [xmin, ymin, xmax, ymax].
    let (even, odd) = (_mm256_unpacklo_pd(x, y), _mm256_unpackhi_pd(x, y));
    let (lo, hi) = (_mm256_min_pd(even, odd), _mm256_max_pd(even, odd));
    let (a, b) = (_mm256_permute2f128_pd::<0x20>(lo, hi), _mm256_permute2f128_pd::<0x31>(lo, hi));
    let [xmin, ymin, xmax, ymax] = nint_avx(_mm256_blend_pd::<0b1100>(_mm256_min_pd(a, b), _mm256_max_pd(a, b)));
    (xmin, xmax, ymin, ymax)
}

/// [`nint`] of four coordinates, first clamped to ±[`FAR`], in one register.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn nint_avx(v: std::arch::x86_64::__m256d) -> [i64; 4] {
    use std::arch::x86_64::*;
    let v = _mm256_max_pd(_mm256_min_pd(v, _mm256_set1_pd(FAR)), _mm256_set1_pd(-FAR));
    // nint: half away from zero, as the scalar build.
    let t = _mm256_round_pd::<{ _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC }>(v);
    let frac = _mm256_sub_pd(v, t);
    let one = _mm256_set1_pd(1.0);
    let up = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(frac, _mm256_set1_pd(0.5)), one);
    let down = _mm256_and_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(frac, _mm256_set1_pd(-0.5)), one);
    let n = _mm256_cvttpd_epi32(_mm256_sub_pd(_mm256_add_pd(t, up), down));
    [_mm_cvtsi128_si32(n), _mm_extract_epi32::<1>(n), _mm_extract_epi32::<2>(n), _mm_extract_epi32::<3>(n)]
        .map(i64::from)
}

/// The nearest pixels of four coordinates: [`nint`] each, or (`AVX`: the caller has
/// checked that the CPU has AVX2) [`nint_avx`] of all four, which is the same within
/// ±[`FAR`] and beyond it as far outside any output frame.
#[inline(always)]
fn nint4<const AVX: bool>(v: [f64; 4]) -> [i64; 4] {
    #[cfg(target_arch = "x86_64")]
    if AVX {
        // SAFETY: AVX2 is available (the caller's contract); `v` holds four f64.
        return unsafe { nint_avx(std::arch::x86_64::_mm256_loadu_pd(v.as_ptr())) };
    }
    v.map(nint)
}

/// `boxer`'s overlap of one output pixel, in the build the general path uses.
#[inline(always)]
fn boxer<const AVX: bool>(x: &[f64; 4], y: &[f64; 4], ii: i64, jj: i64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if AVX {
        // SAFETY: AVX2 is available (the caller's contract).
        return unsafe { crate::overlap::QuadAvx::new(x, y).area_in_pixel(ii as f64, jj as f64) };
    }
    Quad::new(x, y).area_in_pixel(ii as f64, jj as f64)
}

fn min_max(v: &[f64; 4]) -> (f64, f64) {
    let mut lo = f64::MAX;
    let mut hi = f64::MIN;
    for &x in v {
        if x < lo {
            lo = x;
        }
        if x > hi {
            hi = x;
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nint_rounds_half_away_from_zero() {
        for x in [
            0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.4999999999999996,
            0.49999999999999994,
            -0.49999999999999994,
            3.7,
            -3.7,
            1e15 + 0.5,
            4503599627370495.5,
            -4503599627370495.5,
            1e17,
            -1e300,
            -7.0,
        ] {
            assert_eq!(nint(x), x.round() as i64, "{x}");
        }
        assert_eq!(nint(f64::NAN), 0);
    }

    /// The vector rounding is the scalar one within ±FAR (half-way cases, both signs,
    /// integers) and beyond it on the same side of any frame.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx_nint_is_the_scalar_one() {
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut next = crate::test_rng::uniform(17);
        let specials = [0.5, -0.5, 1.5, -2.5, 2.4999999999999996, -0.49999999999999994, 7.0, 999_999_999.5, 3e9, -1e12];
        for n in 0..100_000 {
            let mut v = [0.0; 4];
            for (k, x) in v.iter_mut().enumerate() {
                *x = if next() < 0.2 {
                    specials[(n + k) % specials.len()]
                } else {
                    (next() - 0.3) * [1.0, 10.0, 5000.0, 1e10][(n + k) % 4]
                };
            }
            let (scalar, vector) = (nint4::<false>(v), nint4::<true>(v));
            for k in 0..4 {
                if v[k].abs() < FAR {
                    assert_eq!(scalar[k], vector[k], "{}", v[k]);
                } else {
                    let frame = 1 << 20;
                    assert_eq!(scalar[k].clamp(-1, frame), vector[k].clamp(-1, frame), "{}", v[k]);
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx_pixel_box_is_the_scalar_one() {
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut next = crate::test_rng::uniform(11);
        let specials = [0.5, -0.5, 2.5, 2.4999999999999996, 0.49999999999999994, -1.5, 3.0, 1e15 + 0.5];
        for n in 0..200_000 {
            let mut x = [0.0; 4];
            let mut y = [0.0; 4];
            for k in 0..4 {
                let scale = [1.0, 10.0, 5000.0, 1e12][n % 4];
                x[k] = (next() - 0.3) * scale;
                y[k] = (next() - 0.3) * scale;
                if next() < 0.1 {
                    x[k] = specials[n % specials.len()];
                }
            }
            let scalar = pixel_box(&x, &y);
            // SAFETY: AVX2 is available.
            let vector = unsafe { pixel_box_avx(&x, &y) };
            // Beyond FAR only the side of the frame matters: compare the footprints.
            let clip = |(i0, i1, j0, j1): (i64, i64, i64, i64)| {
                let frame = 1 << 20;
                let small = i0 >= 3 && j0 >= 3 && i1 < frame && j1 < frame && small_box::fits(i1 - i0 + 1, j1 - j0 + 1);
                (
                    i0.max(0).min(frame),
                    i1.min(frame - 1).max(-1),
                    j0.max(0).min(frame),
                    j1.min(frame - 1).max(-1),
                    small,
                )
            };
            assert_eq!(clip(scalar), clip(vector), "{x:?} {y:?}");
            if x.iter().chain(&y).all(|v| v.abs() < FAR) {
                assert_eq!(scalar, vector, "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn every_footprint_lies_within_the_reach_of_its_centre() {
        // A rotated, scaled, distorted map with jitter, far from the output's edges so
        // that no footprint is clipped; every pixel, the image edges included.
        let (nx, ny) = (60, 50);
        let mut next = crate::test_rng::uniform(11);
        let (s, c) = 0.7f64.sin_cos();
        let xy: Vec<[f64; 2]> = (0..nx * ny)
            .map(|k| {
                let jitter = next() - 0.5;
                let (u, v) = ((k % nx) as f64 - 30.0, (k / nx) as f64 - 25.0);
                let d = 1.0 + 2e-4 * (u * u + v * v);
                [500.0 + 1.3 * d * (c * u - s * v) + 0.2 * jitter, 400.0 + 1.3 * d * (s * u + c * v) - 0.3 * jitter]
            })
            .collect();
        let map = PixelMap::new(nx, ny, &xy).unwrap();
        let max_dy = map.y_spread().max_neighbour_dy;
        assert!(max_dy > 1.0 && max_dy < 5.0, "max neighbour dy {max_dy}");
        for (kernel, pixfrac) in [
            (Kernel::Square, 0.5),
            (Kernel::Square, 1.0),
            (Kernel::Square, 1.6),
            (Kernel::Square, 3.0),
            (Kernel::Point, 1.0),
            (Kernel::Turbo, 1.0),
            (Kernel::Gaussian, 1.0),
            (Kernel::Lanczos3, 1.0),
            (Kernel::Tophat, 2.0),
        ] {
            let spread = Spread::new(kernel, pixfrac, 1.3);
            let reach = spread.reach(max_dy);
            let mut widest = 0.0f64;
            for j in 0..ny {
                for i in 0..nx {
                    let y = map.at(i, j)[1];
                    let g = spread.geometry::<false>(&map, i, j, 1000, 1000).expect("inside the output");
                    let (lo, hi) = ((y - reach).floor(), (y + reach).floor());
                    assert!(
                        g.jj.0 as f64 >= lo && g.jj.1 as f64 <= hi,
                        "{kernel} pixfrac {pixfrac} pixel ({i}, {j}): rows {:?} beyond {y} ± {reach}",
                        g.jj
                    );
                    widest = widest.max((g.jj.0 as f64 - y).abs()).max((g.jj.1 as f64 - y).abs());
                }
            }
            assert!(widest > 0.4, "{kernel} pixfrac {pixfrac}: the footprints were checked");
        }
    }

    #[test]
    fn neighbour_dy_leaves_out_nan_and_takes_infinity() {
        let mut xy: Vec<[f64; 2]> = (0..12).map(|k| [k as f64, (k / 4) as f64 * 2.0]).collect();
        let spread = |xy: &[[f64; 2]]| PixelMap::new(4, 3, xy).unwrap().y_spread();
        assert_eq!(spread(&xy), crate::pixmap::YSpread { max_neighbour_dy: 2.0, min_y: 0.0, max_y: 4.0 });
        xy[5][1] = f64::NAN;
        xy[11][1] = f64::NAN;
        assert_eq!(spread(&xy), crate::pixmap::YSpread { max_neighbour_dy: 2.0, min_y: 0.0, max_y: 4.0 });
        xy[6][1] = f64::INFINITY;
        assert_eq!(spread(&xy).max_neighbour_dy, f64::INFINITY);
    }

    /// Output pixel (ii, jj) and the bits of the weight, for each contribution.
    type Contributions = Vec<(usize, usize, u32)>;

    /// Every drop of `spread` from the general way (`geometry`, then `spread`) and from
    /// the short one, for the pixels of `map` and the output rows `rows`: the
    /// contributions, bit for bit and in order, and how many drops the short way took
    /// and declined.
    fn general_and_short(
        spread: &Spread,
        map: &PixelMap,
        frame: (i64, i64),
        rows: (i64, i64),
    ) -> (Contributions, Contributions, (usize, usize)) {
        let (mut general, mut short, mut taken) = (vec![], vec![], (0, 0));
        for j in 0..map.ny {
            for i in 0..map.nx {
                let wgt = 0.25 + (i * 7 + j * 3) as f32 / 16.0;
                if let Some(g) = spread.geometry::<true>(map, i, j, frame.0, frame.1)
                    && !(g.jj.1 < rows.0 || g.jj.0 > rows.1)
                {
                    spread.spread::<true>(&g, wgt, rows, |ii, jj, dow| general.push((ii, jj, dow.to_bits())));
                }
                let Some([x, y]) = map.centre(i, j) else { continue };
                let mut emit = |ii, jj, dow: f32| short.push((ii, jj, dow.to_bits()));
                let handled = match *spread {
                    Spread::Point => {
                        point_drop(x, y, wgt, frame, rows, &mut emit);
                        true
                    }
                    Spread::Turbo { pfo, dover_scale } => {
                        small_turbo_drop::<true>(pfo, dover_scale, x, y, wgt, frame, rows, &mut emit)
                    }
                    _ => unreachable!("point and turbo only"),
                };
                if handled {
                    taken.0 += 1;
                    continue;
                }
                taken.1 += 1;
                if let Some(g) = spread.geometry::<true>(map, i, j, frame.0, frame.1)
                    && !(g.jj.1 < rows.0 || g.jj.0 > rows.1)
                {
                    spread.spread::<true>(&g, wgt, rows, emit);
                }
            }
        }
        (general, short, taken)
    }

    /// The point and turbo drops' short ways give the general way's contributions, bit
    /// for bit and in order: centres all over a small frame and beyond its edges (boxes
    /// clipped by the frame), bands of output rows cutting boxes, drops from a quarter
    /// to two pixels across (the short way declines boxes over 2 × 2), NaN centres.
    #[test]
    fn point_and_turbo_short_ways_are_the_general_way() {
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let (nx, ny) = (23, 19);
        let frame = (20i64, 16i64);
        let mut next = crate::test_rng::uniform(11);
        let mut xy: Vec<[f64; 2]> = (0..nx * ny)
            .map(|k| {
                let (i, j) = ((k % nx) as f64, (k / nx) as f64);
                [-2.0 + 0.97 * i - 0.21 * j + next() * 0.3, -2.5 + 0.18 * i + 1.02 * j + next() * 0.3]
            })
            .collect();
        // Exact half-pixel centres (box sides on pixel sides) and NaN ones.
        xy[30] = [5.5, 6.5];
        xy[31] = [6.0, 7.0];
        xy[50] = [f64::NAN, 3.0];
        xy[51] = [4.0, f64::NAN];
        let map = PixelMap::new(nx, ny, &xy).unwrap();
        let (mut short_drops, mut declined, mut contributions) = (0, 0, 0);
        for rows in [(0, frame.1 - 1), (3, 8), (9, 9), (14, 40)] {
            let point = general_and_short(&Spread::Point, &map, frame, rows);
            assert_eq!(point.0, point.1, "point, rows {rows:?}");
            assert!(!point.0.is_empty());
            for pixfrac in [0.5, 0.9, 1.0, 1.3, 2.0] {
                for psr in [0.8f32, 1.0, 1.25] {
                    let spread = Spread::new(Kernel::Turbo, pixfrac, psr);
                    let (general, short, (taken, left)) = general_and_short(&spread, &map, frame, rows);
                    assert_eq!(general, short, "turbo pixfrac {pixfrac} scale ratio {psr}, rows {rows:?}");
                    (short_drops, declined, contributions) =
                        (short_drops + taken, declined + left, contributions + general.len());
                }
            }
        }
        // Both ways were exercised: thousands of drops each (10,844 and 15,256).
        assert!(
            short_drops > 5_000 && declined > 5_000 && contributions > 20_000,
            "{short_drops} {declined} {contributions}"
        );
    }

    #[test]
    fn lanczos_table_sizes() {
        assert_eq!(lanczos_lut(2).len(), 668);
        assert_eq!(lanczos_lut(3).len(), (3.0f64 / 0.003).ceil() as usize + 1);
    }
}
