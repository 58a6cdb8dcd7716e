//! The focus index of runastrodriz's verification (`build_focus_dict` and `evaluate_focus`,
//! spec §5.1–§5.2): the peak |LoG| of each single-exposure drizzle and of the combined product
//! inside the region every exposure covers, and the test that the product's peak lies within
//! the spread of the exposures' peaks.

use ndarray::{Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;

use crate::VerifyError;
use crate::gaussian::gaussian_laplace_f32;
use crate::morphology::{and_in_place, binary_erosion_cross};
use crate::numpy_sum::pairwise_sum;
use crate::similarity::nan_to_num;

/// Erosions applied to each exposure's coverage mask (`compute_zero_mask(iterations=8)`).
const COVERAGE_EROSIONS: usize = 8;

/// Per-detector LoG sigma for the focus index (runastrodriz `focus_pars`); the key is
/// `INSTRUME/DETECTOR` of the `_single_sci` header (case-insensitive here).
pub fn focus_sigma(instrument: &str, detector: &str) -> Option<f64> {
    let key = format!("{}/{}", instrument.trim().to_ascii_uppercase(), detector.trim().to_ascii_uppercase());
    match key.as_str() {
        "WFC3/IR" | "ACS/SBC" => Some(2.0),
        "WFC3/UVIS" | "ACS/WFC" | "ACS/HRC" | "WFPC2/PC" => Some(1.5),
        _ => None,
    }
}

/// The numbers of the focus dict. `exp_pos` holds each exposure's (row, col) peak position;
/// drizzlepac's dict keeps only the last of them (its `exp_pos` is overwritten per exposure).
#[derive(Debug, Clone, PartialEq)]
pub struct FocusValues {
    pub exp: Vec<f64>,
    pub exp_pos: Vec<[usize; 2]>,
    pub prod: f64,
    pub prod_pos: [usize; 2],
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
}

/// Peak of |LoG(img)| and its first row-major position (`determine_focus_index`).
pub(crate) fn focus_index(img: ArrayView2<f32>, sigma: f64) -> Result<(f32, [usize; 2]), VerifyError> {
    let log = gaussian_laplace_f32(img, sigma);
    let row_peaks: Vec<(f32, usize)> = log
        .axis_iter(Axis(0))
        .into_par_iter()
        .map(|row| {
            let mut best = (f32::NEG_INFINITY, 0);
            for (c, v) in row.iter().enumerate() {
                let a = v.abs();
                if a.is_nan() {
                    return (f32::NAN, c);
                }
                if a > best.0 {
                    best = (a, c);
                }
            }
            best
        })
        .collect();
    let mut best: Option<(f32, [usize; 2])> = None;
    for (r, &(v, c)) in row_peaks.iter().enumerate() {
        if v.is_nan() {
            // np.max is NaN and np.where(x == NaN) finds nothing: the reference raises.
            return Err(VerifyError::NonFiniteFilter);
        }
        if best.is_none_or(|(b, _)| v > b) {
            best = Some((v, [r, c]));
        }
    }
    best.ok_or(VerifyError::EmptyRegion)
}

/// Zero outside `mask`, NaN → 0 (±inf → ±f32::MAX, as `np.nan_to_num`).
fn masked_copy(img: ArrayView2<f32>, mask: &Array2<bool>) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros(img.dim());
    Zip::from(&mut out).and(img).and(mask).par_for_each(|o, &v, &m| *o = if m { nan_to_num(v) } else { 0.0 });
    out
}

/// `build_focus_dict(singles, product, sigma)`: `singles` are the `_single_sci` arrays, `product`
/// the product's SCI array, all on the same grid.
pub fn build_focus(
    singles: &[ArrayView2<f32>],
    product: ArrayView2<f32>,
    sigma: f64,
) -> Result<FocusValues, VerifyError> {
    let Some(first) = singles.first() else {
        return Err(VerifyError::NoExposures);
    };
    let shape = first.dim();
    if let Some(bad) = singles.iter().map(|s| s.dim()).chain([product.dim()]).find(|&d| d != shape) {
        return Err(VerifyError::ShapeMismatch { expected: shape, found: bad });
    }
    // Region covered by every exposure: non-zero pixels (NaN and negative count as covered),
    // eroded so that edge pixels do not dominate the LoG.
    let eroded: Vec<Array2<bool>> = singles
        .par_iter()
        .map(|single| binary_erosion_cross(single.mapv(|v| v != 0.0).view(), COVERAGE_EROSIONS))
        .collect();
    let mut eroded = eroded.into_iter();
    let mut common = eroded.next().ok_or(VerifyError::NoExposures)?;
    for mask in eroded {
        and_in_place(&mut common, &mask);
    }

    let mut exp = Vec::with_capacity(singles.len());
    let mut exp_pos = Vec::with_capacity(singles.len());
    for single in singles {
        let (value, pos) = focus_index(masked_copy(*single, &common).view(), sigma)?;
        exp.push(f64::from(value));
        exp_pos.push(pos);
    }
    let (prod, prod_pos) = focus_index(masked_copy(product, &common).view(), sigma)?;

    let n = exp.len() as f64;
    let mean = pairwise_sum(&exp) / n;
    let squares: Vec<f64> = exp.iter().map(|v| (v - mean) * (v - mean)).collect();
    let std = (pairwise_sum(&squares) / n).sqrt();
    let min = exp.iter().copied().fold(f64::INFINITY, f64::min);
    let max = exp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(FocusValues { exp, exp_pos, prod: f64::from(prod), prod_pos, mean, std, min, max })
}

/// Smallest z for which scipy's `norm.cdf(z)` rounds to exactly 1.0 (so `norm.ppf` gives +inf);
/// found by bisection on scipy 1.17's `ndtr` (testdata/verify fixture checks it).
pub const Z_CDF_ONE: f64 = 8.292_361_075_813_597;
/// cephes `erfc(x)` underflows to 0 once x² > MAXLOG, so `norm.cdf(z)` is 0 (ppf −inf) for
/// z < 0 with (z·√½)² > MAXLOG.
const MAXLOG: f64 = 7.097_827_128_933_84e2;

/// `norm.ppf(norm.cdf(v, m, s))`, the reference's `compute_prob`: the z-score (v − m)/s, +∞
/// where the cdf rounds to 1, −∞ where it underflows to 0, NaN when s ≤ 0 or anything is NaN.
/// Between those limits the round trip is the z-score up to its rounding (≲1e-10 near the upper
/// limit), so only exact ties at the comparison bounds could decide differently.
pub fn normal_round_trip(v: f64, m: f64, s: f64) -> f64 {
    if s.is_nan() || s <= 0.0 {
        return f64::NAN;
    }
    let z = (v - m) / s;
    if z.is_nan() {
        return f64::NAN;
    }
    if z >= Z_CDF_ONE {
        return f64::INFINITY;
    }
    let x = z * std::f64::consts::FRAC_1_SQRT_2;
    if z < 0.0 && x * x > MAXLOG {
        return f64::NEG_INFINITY;
    }
    z
}

/// `evaluate_focus(focus_dict, tolerance)`: false when the product's z-score falls below that of
/// `min(m − 3s, tolerance·m)` or above that of `m + 3s`, or when s exceeds the smallest value.
pub fn evaluate_focus(f: &FocusValues, tolerance: f64) -> bool {
    let (m, s) = (f.mean, f.std);
    let (a, b) = (m - 3.0 * s, tolerance * m);
    // Python's min(a, b) keeps a unless b < a.
    let lo = if b < a { b } else { a };
    let hi = m + 3.0 * s;
    let z_lo = normal_round_trip(lo, m, s);
    let z_hi = normal_round_trip(hi, m, s);
    let z_prod = normal_round_trip(f.prod, m, s);
    !(z_prod < z_lo || z_prod > z_hi || s > f.min)
}
