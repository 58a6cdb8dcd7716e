//! drizzlepac's `find_fwhm`: iterative PSF photometry of a normalised PSF cut-out with a
//! pixel-integrated circular Gaussian (photutils `IterativePSFPhotometry` with
//! `DAOStarFinder(threshold=2.5·MMM, fwhm)`, `fit_shape=sub_shape=11×11`,
//! `aperture_radius=1.5·fwhm`, `maxiters=2`, mode "new").
//!
//! Reproduced: the finder (both iterations, the second on the residual image), the trimmed
//! 11×11 fit regions, an unweighted least-squares fit of (flux, x₀, y₀, σ) per source, the
//! flags that decide success (1: fit region trimmed, 2: fitted position outside the image,
//! 4: flux ≤ 0, 8: `max_nfev` reached), "at least one flag-0 row", and the choice of the
//! row with the largest flux. The fit is scipy's bounded TRF as astropy's `TRFLSQFitter`
//! runs it (see [`crate::trf`]) from the exact-aperture initial flux, because fits of
//! off-centre sources are ill-posed and their end point depends on the path.
//! Approximated: the residual image is searched in float32 and flag 16 (missing
//! covariance) is never raised.

use ndarray::{Array2, ArrayView2};

use crate::daofind::{dao_find, gaussian_fwhm_to_sigma};
use crate::erf::erf;
use crate::numpy_sum::{median_f32, nan_stats_f32};
use crate::sigma_clip::clip_noaxis_f32;
use crate::trf::least_squares_trf;

const FIT_SIZE: usize = 11;
const MAX_ITERATIONS: usize = 2;
/// photutils' lower bound of the Gaussian σ (`np.finfo(np.float32).tiny`).
const SIGMA_LOWER_BOUND: f64 = 1.175_494_350_822_287_5e-38;
/// astropy `TRFLSQFitter` defaults as PSFPhotometry uses them.
const FIT_ACCURACY: f64 = 1e-7;
const FIT_MAX_EVALUATIONS: usize = 100;

/// One fitted source of the PSF photometry.
#[derive(Clone, Debug)]
pub struct PsfFit {
    pub flux: f64,
    pub x: f64,
    pub y: f64,
    pub sigma: f64,
    pub flags: u32,
    pub iteration: usize,
}

/// photutils `MMMBackground()` of a float32 array: 3·median − 2·mean of the 3σ-clipped values.
pub fn mmm_background(values: &[f32]) -> f32 {
    let kept = clip_noaxis_f32(values, 3.0, 10);
    let mut scratch = Vec::new();
    let stats = nan_stats_f32(&kept, &mut scratch);
    let mut sorted = kept.clone();
    let median = median_f32(&mut sorted);
    3.0f32 * median - 2.0f32 * stats.mean
}

/// Trimmed cut-out range `[start, stop)` of `size` pixels centred on `pos` (astropy
/// `overlap_slices`, `mode='trim'`).
fn trimmed_range(pos: f64, size: usize, len: usize) -> Option<(usize, usize)> {
    let start = (pos - size as f64 / 2.0).ceil();
    let stop = (pos + size as f64 / 2.0).ceil();
    let start = start.max(0.0);
    let stop = stop.min(len as f64);
    if stop - start <= 0.0 { None } else { Some((start as usize, stop as usize)) }
}

/// photutils `CircularGaussianSigmaPRF.evaluate` (pixel-integrated circular Gaussian),
/// parameters (flux, x0, y0, σ), with astropy's operation order.
fn model(p: &[f64; 4], x: f64, y: f64) -> f64 {
    let s = std::f64::consts::SQRT_2 * p[3];
    let ex = erf((x - p[1] + 0.5) / s) - erf((x - p[1] - 0.5) / s);
    let ey = erf((y - p[2] + 0.5) / s) - erf((y - p[2] - 0.5) / s);
    p[0] / 4.0 * (ex * ey)
}

/// Area of the intersection of the pixel square [x0,x1]×[y0,y1] with the circle of radius r
/// centred on the origin (exact, by integrating the circle's half-height piecewise).
fn circle_rect_overlap(x0: f64, x1: f64, y0: f64, y1: f64, r: f64) -> f64 {
    let half_height_integral = |x: f64| {
        let x = x.clamp(-r, r);
        0.5 * (x * (r * r - x * x).max(0.0).sqrt() + r * r * (x / r).asin())
    };
    let mut cuts = vec![x0, x1, -r, r];
    for y in [y0, y1] {
        if y.abs() < r {
            let c = (r * r - y * y).sqrt();
            cuts.push(c);
            cuts.push(-c);
        }
    }
    cuts.retain(|&c| c >= x0 && c <= x1);
    cuts.sort_by(|a, b| a.total_cmp(b));
    let mut area = 0.0;
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mid = 0.5 * (a + b);
        if b <= a || mid.abs() >= r {
            continue;
        }
        let s = (r * r - mid * mid).sqrt();
        if s.min(y1) <= (-s).max(y0) {
            continue;
        }
        let arc = half_height_integral(b) - half_height_integral(a);
        let top = if s < y1 { arc } else { y1 * (b - a) };
        let bottom = if -s > y0 { -arc } else { y0 * (b - a) };
        area += top - bottom;
    }
    area
}

/// photutils `CircularAperture(r).do_photometry` (exact overlap), the initial flux.
fn aperture_flux(data: ArrayView2<f64>, x: f64, y: f64, r: f64) -> f64 {
    let (h, w) = data.dim();
    let mut total = 0.0;
    for yy in 0..h {
        for xx in 0..w {
            let dx = xx as f64 - x;
            let dy = yy as f64 - y;
            if dx.abs() > r + 1.0 || dy.abs() > r + 1.0 {
                continue;
            }
            let area = circle_rect_overlap(dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5, r);
            if area > 0.0 {
                total += data[[yy, xx]] * area;
            }
        }
    }
    total
}

fn fit_sources(data: ArrayView2<f64>, starts: &[(f64, f64)], fwhm: f64, iteration: usize) -> Vec<PsfFit> {
    let (h, w) = data.dim();
    let sigma0 = gaussian_fwhm_to_sigma() * fwhm;
    let mut fits = Vec::new();
    for &(x0, y0) in starts {
        let (Some((ys, ye)), Some((xs, xe))) = (trimmed_range(y0, FIT_SIZE, h), trimmed_range(x0, FIT_SIZE, w)) else {
            continue;
        };
        let mut pixels = Vec::with_capacity(FIT_SIZE * FIT_SIZE);
        for yy in ys..ye {
            for xx in xs..xe {
                pixels.push((xx as f64, yy as f64, data[[yy, xx]]));
            }
        }
        let flux0 = aperture_flux(data, x0, y0, 1.5 * fwhm);
        let residuals = |p: &[f64; 4]| -> Vec<f64> { pixels.iter().map(|&(x, y, d)| model(p, x, y) - d).collect() };
        let fit = least_squares_trf(
            residuals,
            [flux0, x0, y0, sigma0],
            [f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY, SIGMA_LOWER_BOUND],
            [f64::INFINITY; 4],
            1e-8,
            FIT_ACCURACY,
            1e-8,
            FIT_MAX_EVALUATIONS,
            f64::EPSILON.sqrt(),
        );
        let p = fit.x;
        let mut flags = 0;
        if fit.status == 0 {
            flags |= 8;
        }
        if pixels.len() < FIT_SIZE * FIT_SIZE {
            flags |= 1;
        }
        if p[1] < -0.5 || p[2] < -0.5 || p[1] > w as f64 - 0.5 || p[2] > h as f64 - 0.5 {
            flags |= 2;
        }
        if p[0].is_nan() || p[0] <= 0.0 {
            flags |= 4;
        }
        fits.push(PsfFit { flux: p[0], x: p[1], y: p[2], sigma: p[3], flags, iteration });
    }
    fits
}

fn render_model(shape: (usize, usize), fits: &[PsfFit]) -> Array2<f64> {
    let mut image = Array2::<f64>::zeros(shape);
    for f in fits {
        if ![f.flux, f.x, f.y, f.sigma].iter().all(|v| v.is_finite()) {
            continue;
        }
        let (Some((ys, ye)), Some((xs, xe))) =
            (trimmed_range(f.y, FIT_SIZE, shape.0), trimmed_range(f.x, FIT_SIZE, shape.1))
        else {
            continue;
        };
        let p = [f.flux, f.x, f.y, f.sigma];
        for yy in ys..ye {
            for xx in xs..xe {
                image[[yy, xx]] += model(&p, xx as f64, yy as f64);
            }
        }
    }
    image
}

/// All fitted rows of the iterative PSF photometry (empty when the finder finds nothing).
pub fn iterative_psf_photometry(psf: ArrayView2<f32>, default_fwhm: f64) -> Vec<PsfFit> {
    let values: Vec<f32> = psf.iter().copied().collect();
    let threshold = 2.5f32 * mmm_background(&values);
    let data = psf.mapv(|v| v as f64);
    let found = dao_find(psf, threshold as f64, default_fwhm);
    if found.is_empty() {
        return Vec::new();
    }
    let starts: Vec<(f64, f64)> = found.iter().map(|s| (s.xcentroid, s.ycentroid)).collect();
    let mut all = fit_sources(data.view(), &starts, default_fwhm, 1);
    let mut residual = data.clone();
    let mut latest = all.clone();
    for iteration in 2..=MAX_ITERATIONS {
        residual = &residual - &render_model(residual.dim(), &latest);
        let residual_f32 = residual.mapv(|v| v as f32);
        let found = dao_find(residual_f32.view(), threshold as f64, default_fwhm);
        if found.is_empty() {
            break;
        }
        let starts: Vec<(f64, f64)> = found.iter().map(|s| (s.xcentroid, s.ycentroid)).collect();
        latest = fit_sources(residual.view(), &starts, default_fwhm, iteration);
        all.extend(latest.iter().cloned());
    }
    all
}

/// `find_fwhm(psf, default_fwhm)`: the FWHM (pixels) of the brightest fitted row, or `None`
/// when nothing was found or no row has clean flags.
pub fn find_fwhm(psf: ArrayView2<f32>, default_fwhm: f64) -> Option<f64> {
    let fits = iterative_psf_photometry(psf, default_fwhm);
    if fits.is_empty() || !fits.iter().any(|f| f.flags == 0) {
        return None;
    }
    let flux = |f: &PsfFit| if f.flux.is_nan() { 0.0 } else { f.flux };
    let mut best = 0;
    for (i, f) in fits.iter().enumerate() {
        if flux(f) > flux(&fits[best]) {
            best = i;
        }
    }
    Some(fits[best].sigma * (2.0 * (2.0 * 2.0f64.ln()).sqrt()))
}
