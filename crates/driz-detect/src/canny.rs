//! scikit-image 0.26 `feature.canny(image, sigma, low_threshold, high_threshold, mask)` for a
//! float32 image with the default `mode='constant'`, `cval=0`, `use_quantiles=False`.
//!
//! The steps and the arithmetic that decides which pixels survive, as the reference runs them:
//! - smoothing: scipy `gaussian_filter` (truncate 4, zero padding), axis 0 then axis 1, float32
//!   storage between the passes, each 1-D correlation accumulated in float64 with the farthest
//!   taps first. Because the padding is zeros (or a mask is given), the result is divided by
//!   the same filter applied to the mask (all ones without a mask) plus float32 epsilon, which
//!   undoes the darkening near the border and near masked pixels.
//! - gradients: scipy `sobel` (reflect mode) along each axis, float32 output.
//! - magnitude `sqrt(gᵢ² + gⱼ²)` in float32.
//! - non-maximum suppression with skimage's bilinear interpolation between the two neighbours
//!   along the gradient, in the mixed float/double arithmetic of its Cython loop; a zero low
//!   threshold becomes 1e-14 so that flat pixels never count as edges.
//! - hysteresis: 8-connected components of the surviving pixels, kept when any of their pixels
//!   reaches the high threshold.
//!
//! Pixels of the image border (or next to a masked pixel) are never edges.

use ndarray::{Array2, ArrayView2, Axis, Zip};
use rayon::prelude::*;

use crate::DetectError;
use crate::numpy_sum::pairwise_sum_f64;
use crate::segmentation::{Connectivity, label_components};

/// scipy's Gaussian truncation (`truncate=4.0`).
const TRUNCATE: f64 = 4.0;

/// `scipy.ndimage._filters._gaussian_kernel1d(sigma, 0, radius)`: centre weight and the
/// weights of offsets 1..=radius (the kernel is exactly symmetric).
fn gaussian_taps(sigma: f64) -> (f64, Vec<f64>) {
    let radius = (TRUNCATE * sigma + 0.5) as i64;
    let scale = -0.5 / (sigma * sigma);
    let phi: Vec<f64> = (-radius..=radius).map(|x| (scale * (x * x) as f64).exp()).collect();
    let total = pairwise_sum_f64(&phi);
    let r = radius as usize;
    (phi[r] / total, phi[r + 1..].iter().map(|p| p / total).collect())
}

/// Symmetric correlation along axis 0 (zero padded), output row by output row so that memory
/// is read along rows: `w₀·x₀ + Σ_{j=R..1} (x₋ⱼ + x₊ⱼ)·wⱼ` in float64, rounded to float32.
fn correlate_columns_zero_padded(input: &Array2<f32>, centre: f64, taps: &[f64]) -> Array2<f32> {
    let (h, w) = input.dim();
    let mut out = Array2::<f32>::zeros((h, w));
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each(|(r, mut out_row)| {
        let mut acc: Vec<f64> = input.row(r).iter().map(|&v| v as f64 * centre).collect();
        for j in (1..=taps.len()).rev() {
            let up = r.checked_sub(j).map(|i| input.row(i));
            let down = (r + j < h).then(|| input.row(r + j));
            for (x, a) in acc.iter_mut().enumerate() {
                let u = up.as_ref().map_or(0.0, |row| row[x] as f64);
                let d = down.as_ref().map_or(0.0, |row| row[x] as f64);
                *a += (u + d) * taps[j - 1];
            }
        }
        for (o, a) in out_row.iter_mut().zip(&acc) {
            *o = *a as f32;
        }
    });
    out
}

/// Symmetric correlation along axis 1 (zero padded), in place, row by row.
fn correlate_rows_zero_padded(data: &mut Array2<f32>, centre: f64, taps: &[f64]) {
    let r = taps.len();
    data.axis_iter_mut(Axis(0)).into_par_iter().for_each(|mut row| {
        let n = row.len();
        let mut line = vec![0.0f64; n + 2 * r];
        for (slot, &v) in line[r..r + n].iter_mut().zip(row.iter()) {
            *slot = v as f64;
        }
        for (i, o) in row.iter_mut().enumerate() {
            let c = i + r;
            let mut acc = line[c] * centre;
            for j in (1..=r).rev() {
                acc += (line[c - j] + line[c + j]) * taps[j - 1];
            }
            *o = acc as f32;
        }
    });
}

/// scipy `gaussian_filter(image, sigma, mode='constant', cval=0)` of a float32 image (rows are
/// processed in parallel; each value's arithmetic is fixed, so threads do not change it).
fn gaussian_constant(image: ArrayView2<f32>, sigma: f64) -> Array2<f32> {
    let image = image.to_owned();
    if sigma <= 1e-15 {
        return image;
    }
    let (centre, taps) = gaussian_taps(sigma);
    let mut out = correlate_columns_zero_padded(&image, centre, &taps);
    correlate_rows_zero_padded(&mut out, centre, &taps);
    out
}

/// Half-sample symmetric extension (`… b a | a b c | c b …`), scipy's `reflect`.
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let m = i.rem_euclid(2 * n);
    (if m >= n { 2 * n - 1 - m } else { m }) as usize
}

/// One 3-tap pass of scipy's `sobel` along `axis` (reflect mode), float32 output:
/// the difference `x₊₁ − x₋₁` or the smoothing `2·x₀ + (x₋₁ + x₊₁)`.
fn sobel_pass(input: &Array2<f32>, axis: usize, derivative: bool) -> Array2<f32> {
    let (h, w) = input.dim();
    let combine = |left: f32, centre: f32, right: f32| -> f32 {
        let (l, c, r) = (left as f64, centre as f64, right as f64);
        if derivative { (r - l) as f32 } else { (c * 2.0 + (l + r)) as f32 }
    };
    let mut out = Array2::<f32>::zeros((h, w));
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each(|(y, mut out_row)| {
        if axis == 0 {
            let (up, row, down) =
                (input.row(reflect(y as isize - 1, h)), input.row(y), input.row(reflect(y as isize + 1, h)));
            for (x, o) in out_row.iter_mut().enumerate() {
                *o = combine(up[x], row[x], down[x]);
            }
        } else {
            let row = input.row(y);
            for (x, o) in out_row.iter_mut().enumerate() {
                *o = combine(row[reflect(x as isize - 1, w)], row[x], row[reflect(x as isize + 1, w)]);
            }
        }
    });
    out
}

/// scipy `sobel(image, axis)`: central difference along `axis`, then [1, 2, 1] smoothing along
/// the other axis, float32 after each pass.
fn sobel(image: &Array2<f32>, axis: usize) -> Array2<f32> {
    sobel_pass(&sobel_pass(image, axis, true), 1 - axis, false)
}

/// `scipy.ndimage.binary_erosion(mask, 3×3 full structure, border_value=0)`.
fn erode_full(mask: ArrayView2<bool>) -> Array2<bool> {
    let (h, w) = mask.dim();
    Array2::from_shape_fn((h, w), |(y, x)| {
        y > 0 && x > 0 && y + 1 < h && x + 1 < w && (y - 1..=y + 1).all(|yy| (x - 1..=x + 1).all(|xx| mask[[yy, xx]]))
    })
}

/// skimage's `_nonmaximum_suppression_bilinear`: the magnitude where it is a local maximum
/// along the gradient direction and at least the low threshold, 0 elsewhere.
fn nonmaximum_suppression(
    isobel: &Array2<f32>,
    jsobel: &Array2<f32>,
    magnitude: &Array2<f32>,
    eroded: &Array2<bool>,
    low_threshold: f32,
) -> Array2<f32> {
    let low = if low_threshold == 0.0 { 1e-14f32 } else { low_threshold };
    let (h, w) = magnitude.dim();
    let mut out = Array2::<f32>::zeros((h, w));
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each(|(x, mut out_row)| {
        for y in 0..w {
            let m = magnitude[[x, y]];
            if !(eroded[[x, y]] && m >= low) {
                continue;
            }
            let gi = isobel[[x, y]];
            let gj = jsobel[[x, y]];
            let (down, up, left, right) = (gi <= 0.0, gi >= 0.0, gj <= 0.0, gj >= 0.0);
            let same_sign = (up && right) || (down && left);
            let opposite_sign = (down && right) || (up && left);
            let (ai, aj) = (gi.abs(), gj.abs());
            let mag = |a: usize, b: usize| magnitude[[a, b]];
            let (w8, n11, n12, n21, n22) = if same_sign {
                if ai > aj {
                    (aj / ai, mag(x + 1, y), mag(x + 1, y + 1), mag(x - 1, y), mag(x - 1, y - 1))
                } else {
                    (ai / aj, mag(x, y + 1), mag(x + 1, y + 1), mag(x, y - 1), mag(x - 1, y - 1))
                }
            } else if opposite_sign {
                if ai < aj {
                    (ai / aj, mag(x, y + 1), mag(x - 1, y + 1), mag(x, y - 1), mag(x + 1, y - 1))
                } else {
                    (aj / ai, mag(x - 1, y), mag(x - 1, y + 1), mag(x + 1, y), mag(x + 1, y - 1))
                }
            } else {
                continue; // a NaN gradient
            };
            // The Cython expression `n2 * w + n1 * (1.0 - w)`: the first product in float, the
            // rest in double because of the double literal.
            let interpolate = |near: f32, far: f32| (far * w8) as f64 + near as f64 * (1.0 - w8 as f64);
            if interpolate(n11, n12) <= m as f64 && interpolate(n21, n22) <= m as f64 {
                out_row[y] = m;
            }
        }
    });
    out
}

/// skimage 0.26 `canny(image, sigma, low_threshold, high_threshold, mask)` (float image, so the
/// thresholds are used as given; `mode='constant'`, `cval=0`). `mask`: true for the pixels to use.
pub fn canny(
    image: ArrayView2<f32>,
    sigma: f64,
    low_threshold: f32,
    high_threshold: f32,
    mask: Option<ArrayView2<bool>>,
) -> Result<Array2<bool>, DetectError> {
    if high_threshold < low_threshold {
        return Err(DetectError::InvalidInput("canny: low_threshold should be lower than high_threshold".into()));
    }
    if !(sigma >= 0.0 && sigma.is_finite()) {
        return Err(DetectError::InvalidInput(format!("canny: invalid sigma {sigma}")));
    }
    if let Some(m) = mask
        && m.dim() != image.dim()
    {
        return Err(DetectError::InvalidInput("canny: mask shape differs from image shape".into()));
    }
    let (h, w) = image.dim();
    if h == 0 || w == 0 {
        return Ok(Array2::from_elem((h, w), false));
    }
    let (weights, masked_image, eroded) = match mask {
        None => {
            let eroded = Array2::from_shape_fn((h, w), |(y, x)| y > 0 && x > 0 && y + 1 < h && x + 1 < w);
            (Array2::<f32>::ones((h, w)), image.to_owned(), eroded)
        }
        Some(m) => {
            let masked = Zip::from(image).and(m).map_collect(|&v, &keep| if keep { v } else { 0.0 });
            (m.mapv(|keep| if keep { 1.0f32 } else { 0.0 }), masked, erode_full(m))
        }
    };
    let bleed_over = gaussian_constant(weights.view(), sigma).mapv(|v| v + f32::EPSILON);
    let mut smoothed = gaussian_constant(masked_image.view(), sigma);
    smoothed /= &bleed_over;

    let jsobel = sobel(&smoothed, 1);
    let isobel = sobel(&smoothed, 0);
    let magnitude = Zip::from(&isobel).and(&jsobel).map_collect(|&i, &j| (i * i + j * j).sqrt());

    let candidates = nonmaximum_suppression(&isobel, &jsobel, &magnitude, &eroded, low_threshold);
    let low_mask = candidates.mapv(|v| v > 0.0);
    let (labels, count) = label_components(low_mask.view(), Connectivity::Eight);
    if count == 0 {
        return Ok(low_mask);
    }
    let mut strong = vec![false; count as usize + 1];
    Zip::from(&labels).and(&candidates).for_each(|&l, &v| {
        if l > 0 && v >= high_threshold {
            strong[l as usize] = true;
        }
    });
    Ok(labels.mapv(|l| l > 0 && strong[l as usize]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_extends_half_sample_symmetric() {
        let idx: Vec<usize> = (-3..6).map(|i| reflect(i, 3)).collect();
        assert_eq!(idx, vec![2, 1, 0, 0, 1, 2, 2, 1, 0]);
    }

    #[test]
    fn gaussian_kernel_is_normalised_with_scipy_radius() {
        let (centre, taps) = gaussian_taps(2.5);
        assert_eq!(taps.len(), 10);
        let total = centre + 2.0 * taps.iter().sum::<f64>();
        assert!((total - 1.0).abs() < 1e-15);
    }

    #[test]
    fn square_outline_is_found_and_flat_image_has_none() {
        let mut img = Array2::<f32>::zeros((40, 40));
        img.slice_mut(ndarray::s![10..30, 10..30]).fill(100.0);
        let edges = canny(img.view(), 1.0, 0.0, 25.0, None).unwrap();
        // edges lie on the square's outline, not inside or far outside it
        assert!(edges.iter().any(|&e| e));
        for ((y, x), &e) in edges.indexed_iter() {
            if e {
                let near_outline =
                    (8..=31).contains(&y) && (8..=31).contains(&x) && !((12..28).contains(&y) && (12..28).contains(&x));
                assert!(near_outline, "edge at {y},{x}");
            }
        }
        let flat = Array2::<f32>::from_elem((20, 20), 7.0);
        assert!(!canny(flat.view(), 2.5, 0.0, 25.0, None).unwrap().iter().any(|&e| e));
        assert!(canny(flat.view(), 2.5, 30.0, 25.0, None).is_err());
    }
}
