//! The two convolutions of the reference: astropy's `convolve` (segmentation image) and
//! `scipy.ndimage.convolve` (DAOStarFinder's zero-sum kernel).

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::DetectError;
use crate::numpy_sum::pairwise_sum_f64;

/// astropy `convolve(image, kernel)` with its defaults (`boundary='fill'`, `fill_value=0`,
/// `normalize_kernel=True`, `nan_treatment='interpolate'`) on a float32 image: float64
/// accumulation in astropy's loop order, result rounded back to float32. Without NaNs the
/// sum is divided by the kernel sum; with NaNs each pixel is divided by the kernel weight of
/// its non-NaN neighbours (out-of-image pixels count as zeros, not NaN).
pub fn astropy_convolve(image: ArrayView2<f32>, kernel: ArrayView2<f64>) -> Result<Array2<f32>, DetectError> {
    let (kh, kw) = kernel.dim();
    if kh % 2 == 0 || kw % 2 == 0 {
        return Err(DetectError::InvalidInput("kernel size must be odd in all axes".into()));
    }
    let kernel = kernel.as_standard_layout();
    let kvals = kernel.as_slice().expect("standard layout");
    let kernel_sum = pairwise_sum_f64(kvals);
    let image = image.as_standard_layout();
    let (h, w) = image.dim();
    let pix = image.as_slice().expect("standard layout");
    // astropy detects NaNs through the (pairwise float64) sum of the image
    let nan_interpolate = rows_sum_is_nan(pix);
    if kernel_sum.abs() <= 1e-8 || kernel_sum < 1.0 / 100.0 {
        return Err(DetectError::InvalidInput("kernel sum is too close to zero to normalise".into()));
    }
    let ry = kh / 2;
    let rx = kw / 2;
    // zero-padded float64 copy: astropy's boundary='fill' with fill_value=0
    let pw = w + 2 * rx;
    let mut padded = vec![0.0f64; (h + 2 * ry) * pw];
    for y in 0..h {
        let dst = &mut padded[(y + ry) * pw + rx..(y + ry) * pw + rx + w];
        for (d, &v) in dst.iter_mut().zip(&pix[y * w..(y + 1) * w]) {
            *d = v as f64;
        }
    }
    let mut out = Array2::<f32>::zeros((h, w));
    out.axis_iter_mut(ndarray::Axis(0)).into_par_iter().enumerate().for_each(|(y, mut row)| {
        // per output pixel the taps are added in astropy's order (kernel rows, then columns,
        // both flipped); vectorised across the pixels of the row
        let mut top = vec![0.0f64; w];
        let mut bot = vec![0.0f64; if nan_interpolate { w } else { 0 }];
        for ii in 0..kh {
            let src = &padded[(y + ii) * pw..(y + ii + 1) * pw];
            let krow = (kh - 1 - ii) * kw;
            for jj in 0..kw {
                let ker = kvals[krow + kw - 1 - jj];
                let window = &src[jj..jj + w];
                if nan_interpolate {
                    for ((t, b), &val) in top.iter_mut().zip(bot.iter_mut()).zip(window) {
                        if !val.is_nan() {
                            *t += val * ker;
                            *b += ker;
                        }
                    }
                } else {
                    for (t, &val) in top.iter_mut().zip(window) {
                        *t += val * ker;
                    }
                }
            }
        }
        for (x, o) in row.iter_mut().enumerate() {
            let value = if nan_interpolate {
                if bot[x] == 0.0 { pix[y * w + x] as f64 } else { top[x] / bot[x] }
            } else {
                top[x] / kernel_sum
            };
            *o = value as f32;
        }
    });
    Ok(out)
}

fn rows_sum_is_nan(pix: &[f32]) -> bool {
    // Only NaN-ness matters: any NaN, or +inf together with -inf, makes the sum NaN.
    let mut pos_inf = false;
    let mut neg_inf = false;
    for &v in pix {
        if v.is_nan() {
            return true;
        }
        if v == f32::INFINITY {
            pos_inf = true;
        } else if v == f32::NEG_INFINITY {
            neg_inf = true;
        }
    }
    pos_inf && neg_inf
}

/// `scipy.ndimage.convolve(data, kernel, mode='constant', cval=0)` on float32 data with an
/// odd-sized kernel: float64 sum over the kernel taps whose |weight| exceeds the float64
/// epsilon, in the raster order of the flipped kernel, rounded to float32.
pub fn ndimage_convolve(data: ArrayView2<f32>, kernel: ArrayView2<f64>) -> Array2<f32> {
    let (h, w) = data.dim();
    let (kh, kw) = kernel.dim();
    // convolution = correlation with the flipped kernel
    let cy = (kh / 2) as isize;
    let cx = (kw / 2) as isize;
    let mut taps: Vec<(isize, isize, f64)> = Vec::new();
    for a in 0..kh {
        for b in 0..kw {
            let weight = kernel[[kh - 1 - a, kw - 1 - b]];
            if weight.abs() > f64::EPSILON {
                taps.push((a as isize - cy, b as isize - cx, weight));
            }
        }
    }
    let mut out = Array2::<f32>::zeros((h, w));
    for y in 0..h {
        for x in 0..w {
            let mut t = 0.0f64;
            for &(dy, dx, wgt) in &taps {
                let yy = y as isize + dy;
                let xx = x as isize + dx;
                if yy >= 0 && xx >= 0 && (yy as usize) < h && (xx as usize) < w {
                    t += data[[yy as usize, xx as usize]] as f64 * wgt;
                }
            }
            *out.get_mut([y, x]).expect("in bounds") = t as f32;
        }
    }
    out
}
