//! photutils 2.3 `DAOStarFinder(threshold, fwhm)` with the defaults drizzlepac relies on
//! (`ratio=1, theta=0, sigma_radius=1.5, sharplo=0.2, sharphi=1.0, roundlo=-1, roundhi=1,
//! exclude_border=False`), and `find_peaks`.
//!
//! In photutils 2.3 `flux` is the plain sum of the data in the kernel-sized box around the
//! peak (no sky subtraction), `mag = −2.5·log10(flux)` and `peak` the data value at the peak
//! pixel; the float32 columns (`flux`, `peak`, `mag`, `roundness1`) are rounded as numpy does.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::convolve::ndimage_convolve;
use crate::numpy_sum::{pairwise_sum_f32, pairwise_sum_f64, window_sum_f32};

/// `gaussian_fwhm_to_sigma` of astropy.
pub fn gaussian_fwhm_to_sigma() -> f64 {
    1.0 / (2.0 * (2.0 * 2.0f64.ln()).sqrt())
}

/// photutils' `_StarFinderKernel` for a circular Gaussian (ratio 1, theta 0).
#[derive(Clone, Debug)]
pub struct DaoKernel {
    pub nx: usize,
    pub ny: usize,
    pub xsigma: f64,
    pub ysigma: f64,
    /// Zero-sum, masked kernel used for the convolution.
    pub data: Array2<f64>,
    pub mask: Array2<bool>,
    pub gaussian_unmasked: Array2<f64>,
    pub npixels: usize,
    pub relerr: f64,
}

impl DaoKernel {
    pub fn new(fwhm: f64, sigma_radius: f64) -> DaoKernel {
        let xsigma = fwhm * gaussian_fwhm_to_sigma();
        let ysigma = xsigma;
        let (cost, sint) = (1.0f64, 0.0f64);
        let xsigma2 = xsigma * xsigma;
        let ysigma2 = ysigma * ysigma;
        let a = (cost * cost / (2.0 * xsigma2)) + (sint * sint / (2.0 * ysigma2));
        let b = 0.5 * cost * sint * ((1.0 / xsigma2) - (1.0 / ysigma2));
        let c = (sint * sint / (2.0 * xsigma2)) + (cost * cost / (2.0 * ysigma2));
        let f = sigma_radius * sigma_radius / 2.0;
        let denom = a * c - b * b;
        let nx = 2 * ((c * f / denom).sqrt().max(2.0) as usize) + 1;
        let ny = 2 * ((a * f / denom).sqrt().max(2.0) as usize) + 1;
        let xc = (nx / 2) as f64;
        let yc = (ny / 2) as f64;
        let mut mask = Array2::from_elem((ny, nx), false);
        let mut gaussian_unmasked = Array2::<f64>::zeros((ny, nx));
        for y in 0..ny {
            for x in 0..nx {
                let dx = x as f64 - xc;
                let dy = y as f64 - yc;
                let circular = (dx * dx + dy * dy).sqrt();
                let elliptical = a * dx.powi(2) + 2.0 * b * dx * dy + c * dy.powi(2);
                mask[[y, x]] = elliptical <= f || circular <= 2.0;
                gaussian_unmasked[[y, x]] = (-elliptical).exp();
            }
        }
        let npixels = mask.iter().filter(|&&m| m).count();
        let gaussian: Vec<f64> =
            gaussian_unmasked.iter().zip(mask.iter()).map(|(&g, &m)| if m { g } else { 0.0 }).collect();
        let squares: Vec<f64> = gaussian.iter().map(|g| g * g).collect();
        let gsum = pairwise_sum_f64(&gaussian);
        let denom = pairwise_sum_f64(&squares) - gsum * gsum / npixels as f64;
        let relerr = 1.0 / denom.sqrt();
        let mean = gsum / npixels as f64;
        let data = Array2::from_shape_fn((ny, nx), |(y, x)| {
            let g = gaussian[y * nx + x];
            let m = if mask[[y, x]] { 1.0 } else { 0.0 };
            ((g - mean) / denom) * m
        });
        DaoKernel { nx, ny, xsigma, ysigma, data, mask, gaussian_unmasked, npixels, relerr }
    }
}

/// One `DAOStarFinder` row (0-based pixel coordinates of the input array).
#[derive(Clone, Debug, PartialEq)]
pub struct DaoStar {
    pub xcentroid: f64,
    pub ycentroid: f64,
    pub sharpness: f64,
    pub roundness1: f32,
    pub roundness2: f64,
    pub npix: usize,
    pub peak: f32,
    pub flux: f32,
    pub mag: f32,
}

/// `find_peaks(data, threshold, footprint=...)` for a float32 image: local maxima of a
/// zero-padded maximum filter strictly above `threshold`, in raster order.
pub fn find_peaks<F>(data: ArrayView2<f32>, threshold: F, footprint: ArrayView2<bool>) -> Vec<(usize, usize, f32)>
where
    F: Fn(usize, usize) -> f64,
{
    let (h, w) = data.dim();
    let Some(nanmin) = peak_search_floor(&data) else {
        return Vec::new();
    };
    let value = |y: usize, x: usize| {
        let v = data[[y, x]];
        if v.is_nan() { nanmin } else { v }
    };
    let (fh, fw) = footprint.dim();
    let offsets: Vec<(isize, isize)> = footprint
        .indexed_iter()
        .filter(|(_, m)| **m)
        .map(|((a, b), _)| (a as isize - (fh / 2) as isize, b as isize - (fw / 2) as isize))
        .collect();
    let mut peaks = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let v = value(y, x);
            let mut max = f32::NEG_INFINITY;
            for &(dy, dx) in &offsets {
                let yy = y as isize + dy;
                let xx = x as isize + dx;
                let n = if yy < 0 || xx < 0 || yy as usize >= h || xx as usize >= w {
                    0.0
                } else {
                    value(yy as usize, xx as usize)
                };
                if n > max {
                    max = n;
                }
            }
            if v == max && (v as f64) > threshold(y, x) {
                peaks.push((y, x, v));
            }
        }
    }
    peaks
}

/// photutils finds no peaks in an empty or constant image; otherwise NaNs are searched as
/// the smallest finite value, returned here.
fn peak_search_floor(data: &ArrayView2<f32>) -> Option<f32> {
    let first = *data.first()?;
    if data.iter().all(|&v| v == first) {
        return None;
    }
    Some(data.iter().copied().filter(|v| !v.is_nan()).fold(f32::INFINITY, f32::min))
}

/// `find_peaks` with a square `box_size` footprint and a per-pixel float32 threshold.
pub fn find_peaks_box(data: ArrayView2<f32>, threshold: ArrayView2<f32>, box_size: usize) -> Vec<(usize, usize, f32)> {
    let (h, w) = data.dim();
    let Some(nanmin) = peak_search_floor(&data) else {
        return Vec::new();
    };
    let clean = data.mapv(|v| if v.is_nan() { nanmin } else { v });
    let clean = clean.as_slice().expect("owned standard layout");
    let threshold = threshold.as_standard_layout();
    let thr = threshold.as_slice().expect("standard layout");
    // separable maximum filter, zero padded (scipy mode='constant', cval=0)
    let half = box_size / 2;
    let after = box_size - 1 - half;
    let mut rows = vec![0.0f32; h * w];
    rows.par_chunks_mut(w).enumerate().for_each(|(y, out)| {
        let src = &clean[y * w..(y + 1) * w];
        for (x, o) in out.iter_mut().enumerate() {
            let lo = x.saturating_sub(half);
            let hi = (x + after).min(w - 1);
            let mut m = src[lo..=hi].iter().copied().fold(f32::NEG_INFINITY, f32::max);
            if x < half || x + after >= w {
                m = m.max(0.0);
            }
            *o = m;
        }
    });
    let per_row: Vec<Vec<(usize, usize, f32)>> = (0..h)
        .into_par_iter()
        .map(|y| {
            let lo = y.saturating_sub(half);
            let hi = (y + after).min(h - 1);
            let pad = y < half || y + after >= h;
            let mut found = Vec::new();
            for x in 0..w {
                let v = clean[y * w + x];
                let t = thr[y * w + x];
                if v.is_nan() || t.is_nan() || v <= t {
                    continue;
                }
                let mut m = if pad { 0.0f32 } else { f32::NEG_INFINITY };
                for yy in lo..=hi {
                    m = m.max(rows[yy * w + x]);
                }
                if v == m {
                    found.push((y, x, v));
                }
            }
            found
        })
        .collect();
    per_row.into_iter().flatten().collect()
}

/// `extract_array(data, shape, (y, x), mode='partial', fill_value=0)` for odd shapes.
fn cutout(data: ArrayView2<f32>, ny: usize, nx: usize, y: usize, x: usize) -> Array2<f32> {
    let (h, w) = data.dim();
    Array2::from_shape_fn((ny, nx), |(a, b)| {
        let yy = y as isize + a as isize - (ny / 2) as isize;
        let xx = x as isize + b as isize - (nx / 2) as isize;
        if yy < 0 || xx < 0 || yy as usize >= h || xx as usize >= w { 0.0 } else { data[[yy as usize, xx as usize]] }
    })
}

struct Marginal {
    dx: f64,
    hx: f64,
}

fn marginal_fit(kernel: &DaoKernel, cut: &Array2<f32>, along_x: bool) -> Marginal {
    let (ny, nx) = (kernel.ny, kernel.nx);
    let ycen = (ny - 1) / 2;
    let xcen = (nx - 1) / 2;
    let xx: Vec<f64> = (0..nx).map(|i| xcen as f64 - (i as f64 - xcen as f64).abs() + 1.0).collect();
    let yy: Vec<f64> = (0..ny).map(|i| ycen as f64 - (i as f64 - ycen as f64).abs() + 1.0).collect();
    let (size, center, sigma) = if along_x { (nx, xcen, kernel.xsigma) } else { (ny, ycen, kernel.ysigma) };
    let wt: Vec<f64> = if along_x { xx.clone() } else { yy.clone() };
    let dxx: Vec<f64> =
        (0..size).map(|i| if along_x { center as f64 - i as f64 } else { i as f64 - center as f64 }).collect();
    let dx: Vec<f64> = (0..size).map(|i| center as f64 - i as f64).collect();
    let wt_sum = pairwise_sum_f64(&wt);
    // kernel and data marginals: along x, sum over rows weighted by yy (sequential, numpy's
    // axis-0 reduction); along y, sum over columns weighted by xx (pairwise per row)
    let mut kern_1d = vec![0.0f64; size];
    let mut data_1d = vec![0.0f64; size];
    if along_x {
        for c in 0..nx {
            let mut k = 0.0;
            let mut d = 0.0;
            for r in 0..ny {
                let kv = kernel.gaussian_unmasked[[r, c]] * yy[r];
                let dv = cut[[r, c]] as f64 * yy[r];
                if r == 0 {
                    k = kv;
                    d = dv;
                } else {
                    k += kv;
                    d += dv;
                }
            }
            kern_1d[c] = k;
            data_1d[c] = d;
        }
    } else {
        let mut krow = vec![0.0; nx];
        let mut drow = vec![0.0; nx];
        for r in 0..ny {
            for c in 0..nx {
                krow[c] = kernel.gaussian_unmasked[[r, c]] * xx[c];
                drow[c] = cut[[r, c]] as f64 * xx[c];
            }
            kern_1d[r] = pairwise_sum_f64(&krow);
            data_1d[r] = pairwise_sum_f64(&drow);
        }
    }
    let prod = |f: &dyn Fn(usize) -> f64| -> f64 {
        let v: Vec<f64> = (0..size).map(f).collect();
        pairwise_sum_f64(&v)
    };
    let kern_sum = prod(&|i| kern_1d[i] * wt[i]);
    let kern2_sum = prod(&|i| kern_1d[i].powi(2) * wt[i]);
    let dkern: Vec<f64> = (0..size).map(|i| kern_1d[i] * dx[i]).collect();
    let dkern_dx_sum = prod(&|i| dkern[i] * wt[i]);
    let dkern_dx2_sum = prod(&|i| dkern[i].powi(2) * wt[i]);
    let kern_dkern_dx_sum = prod(&|i| kern_1d[i] * dkern[i] * wt[i]);
    let data_sum = prod(&|i| data_1d[i] * wt[i]);
    let data_kern_sum = prod(&|i| data_1d[i] * kern_1d[i] * wt[i]);
    let data_dkern_dx_sum = prod(&|i| data_1d[i] * dkern[i] * wt[i]);
    let data_dx_sum = prod(&|i| data_1d[i] * dxx[i] * wt[i]);
    let hx_numer = data_kern_sum - (data_sum * kern_sum) / wt_sum;
    let hx_denom = kern2_sum - (kern_sum.powi(2) / wt_sum);
    let invalid = hx_numer <= 0.0 || hx_denom <= 0.0;
    let hx = hx_numer / hx_denom;
    let mut shift =
        (kern_dkern_dx_sum - (data_dkern_dx_sum - dkern_dx_sum * data_sum)) / (hx * dkern_dx2_sum / sigma.powi(2));
    let dx2 = data_dx_sum / data_sum;
    let hsize = size as f64 / 2.0;
    if shift.abs() > hsize {
        shift = if data_sum == 0.0 { 0.0 } else { dx2 };
    }
    if shift.abs() > hsize {
        shift = 0.0;
    }
    if invalid {
        return Marginal { dx: f64::NAN, hx: f64::NAN };
    }
    Marginal { dx: shift, hx }
}

/// `DAOStarFinder(threshold, fwhm).find_stars(data)` with the defaults listed above.
pub fn dao_find(data: ArrayView2<f32>, threshold: f64, fwhm: f64) -> Vec<DaoStar> {
    dao_find_masked(data, threshold, fwhm, None)
}

/// `find_stars(data, mask)`: as [`dao_find`], with no star whose peak pixel is masked
/// (`true`); masked pixels still count in the convolution and the measurements.
pub fn dao_find_masked(
    data: ArrayView2<f32>,
    threshold: f64,
    fwhm: f64,
    mask: Option<ArrayView2<bool>>,
) -> Vec<DaoStar> {
    let kernel = DaoKernel::new(fwhm, 1.5);
    let threshold_eff = threshold * kernel.relerr;
    let convolved = ndimage_convolve(data, kernel.data.view());
    let mut peaks = find_peaks(convolved.view(), |_, _| threshold_eff, kernel.mask.view());
    if let Some(mask) = mask {
        peaks.retain(|&(y, x, _)| !mask.get((y, x)).copied().unwrap_or(false));
    }
    let (ny, nx) = (kernel.ny, kernel.nx);
    let (cy, cx) = ((ny - 1) / 2, (nx - 1) / 2);
    let mut stars = Vec::new();
    for (py, px, _) in peaks {
        let cut = cutout(data, ny, nx, py, px);
        let conv = cutout(convolved.view(), ny, nx, py, px);
        let data_peak = cut[[cy, cx]];
        let conv_peak = conv[[cy, cx]];
        // roundness1 in float32 on the convolved cutout with its centre zeroed
        let mut cz = conv.clone();
        cz[[cy, cx]] = 0.0;
        let flat = cz.as_slice().expect("standard layout");
        let quad = |y0: usize, y1: usize, x0: usize, x1: usize| -> f32 {
            if y1 <= y0 || x1 <= x0 { 0.0 } else { window_sum_f32(flat, nx, y0 * nx + x0, y1 - y0, x1 - x0) }
        };
        let q1 = quad(0, cy + 1, cx + 1, nx);
        let q2 = quad(0, cy, 0, cx + 1);
        let q3 = quad(cy, ny, 0, cx);
        let q4 = quad(cy + 1, ny, cx, nx);
        let sum2 = -q1 + q2 - q3 + q4;
        let abs: Vec<f32> = flat.iter().map(|v| v.abs()).collect();
        let sum4 = pairwise_sum_f32(&abs);
        let roundness1 = 2.0f32 * sum2 / sum4;
        // sharpness in float64
        let masked: Vec<f64> =
            cut.iter().zip(kernel.mask.iter()).map(|(&v, &m)| if m { v as f64 } else { 0.0 }).collect();
        let data_mean = (pairwise_sum_f64(&masked) - data_peak as f64) / (kernel.npixels - 1) as f64;
        let sharpness = (data_peak as f64 - data_mean) / conv_peak as f64;
        let mx = marginal_fit(&kernel, &cut, true);
        let my = marginal_fit(&kernel, &cut, false);
        let xcentroid = px as f64 + mx.dx;
        let ycentroid = py as f64 + my.dx;
        let roundness2 = 2.0 * (mx.hx - my.hx) / (mx.hx + my.hx);
        let flux = pairwise_sum_f32(cut.as_slice().expect("standard layout"));
        let mag = -2.5f32 * ((flux as f64).log10() as f32);
        let finite = xcentroid.is_finite()
            && ycentroid.is_finite()
            && mx.hx.is_finite()
            && my.hx.is_finite()
            && sharpness.is_finite()
            && roundness1.is_finite()
            && roundness2.is_finite()
            && data_peak.is_finite()
            && (threshold_eff == 0.0 || flux.is_finite());
        if !finite {
            continue;
        }
        let passes = (0.2..=1.0).contains(&sharpness)
            && (-1.0..=1.0).contains(&roundness1)
            && (-1.0..=1.0).contains(&roundness2);
        if !passes {
            continue;
        }
        stars.push(DaoStar {
            xcentroid,
            ycentroid,
            sharpness,
            roundness1,
            roundness2,
            npix: nx * ny,
            peak: data_peak,
            flux,
            mag,
        });
    }
    stars
}
