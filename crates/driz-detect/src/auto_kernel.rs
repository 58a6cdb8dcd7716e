//! drizzlepac's `build_auto_kernel`: a detection kernel cut from the brightest suitable star
//! of the (background-subtracted, all chips stacked) image, or a Gaussian fallback.

use ndarray::{Array2, ArrayView2, s};

use crate::daofind::{find_peaks_box, gaussian_fwhm_to_sigma};
use crate::numpy_sum::{pairwise_sum_f32, pairwise_sum_f64};
use crate::psf_fwhm::find_fwhm;
use crate::sigma_clip::clip_noaxis_f32;

const SOURCE_BOX: usize = 7;
const ISOLATION_SIZE: usize = 11;
const WEIGHT_BOX: usize = 2;
const GOOD_FWHM: (f64, f64) = (1.0, 4.0);
const MAX_FWHM_ATTEMPTS: usize = 30;

/// The detection kernel and its FWHM (pixels).
#[derive(Clone, Debug)]
pub struct DetectionKernel {
    /// Normalised kernel (float32 values when cut from the image).
    pub kernel: Array2<f64>,
    pub fwhm: f64,
    /// True when the kernel is a measured PSF, false for the Gaussian fallback.
    pub from_psf: bool,
}

/// astropy `Gaussian2DKernel(fwhm·gaussian_fwhm_to_sigma, x_size=n, y_size=n)`, normalised.
pub fn gaussian_kernel(fwhm: f64, size: usize) -> Array2<f64> {
    let sigma = fwhm * gaussian_fwhm_to_sigma();
    let amplitude = 1.0 / (2.0 * std::f64::consts::PI * sigma * sigma);
    let half = (size / 2) as f64;
    let a = 0.5 / (sigma * sigma);
    let raw = Array2::from_shape_fn((size, size), |(y, x)| {
        let dx = x as f64 - half;
        let dy = y as f64 - half;
        amplitude * (-(a * dx * dx + a * dy * dy)).exp()
    });
    let sum = pairwise_sum_f64(raw.as_slice().expect("standard layout"));
    raw.mapv(|v| v / sum)
}

/// astropy `sigma_clipped_stats(data)[2]` (σ=3, 5 iterations) of a float32 image.
fn clipped_std(data: ArrayView2<f32>) -> f32 {
    let values: Vec<f32> = data.iter().copied().collect();
    let kept = clip_noaxis_f32(&values, 3.0, 5);
    let mut scratch = Vec::new();
    crate::numpy_sum::nan_stats_f32(&kept, &mut scratch).std
}

/// `build_auto_kernel(image, weight, fwhm=default_fwhm, threshold)`; `image` is SCI − bkg
/// of all chips stacked vertically, `threshold` the stacked detection threshold.
pub fn build_auto_kernel(
    image: ArrayView2<f32>,
    weight: ArrayView2<f32>,
    threshold: ArrayView2<f32>,
    default_fwhm: f64,
) -> DetectionKernel {
    let (h, w) = image.dim();
    let edge = SOURCE_BOX * 2;
    let mut kern_img = image.to_owned();
    for (y, mut row) in kern_img.rows_mut().into_iter().enumerate() {
        if y < edge || y + edge >= h {
            row.fill(0.0);
        } else {
            let n = row.len();
            row.slice_mut(s![..edge.min(n)]).fill(0.0);
            row.slice_mut(s![n.saturating_sub(edge)..]).fill(0.0);
        }
    }
    let scaled = threshold.mapv(|t| t * 5.0);
    let mut peaks = find_peaks_box(kern_img.view(), scaled.view(), ISOLATION_SIZE);
    if peaks.is_empty() {
        let flat_t = threshold.as_standard_layout();
        let flat_k = kern_img.as_standard_layout();
        let tmean = pairwise_sum_f32(flat_t.as_slice().expect("standard")) / threshold.len() as f32;
        let kmean = pairwise_sum_f32(flat_k.as_slice().expect("standard")) / kern_img.len() as f32;
        peaks = if tmean > kmean {
            let std = clipped_std(kern_img.view());
            let t = Array2::from_elem(kern_img.dim(), std);
            find_peaks_box(kern_img.view(), t.view(), ISOLATION_SIZE)
        } else {
            find_peaks_box(kern_img.view(), threshold, ISOLATION_SIZE)
        };
    }
    // numpy argsort (ascending) reversed; ties keep the later peak first
    let mut order: Vec<usize> = (0..peaks.len()).collect();
    order.sort_by(|&a, &b| peaks[a].2.total_cmp(&peaks[b].2));
    order.reverse();
    let mut attempts = 0;
    for idx in order {
        let (py, px, _) = peaks[idx];
        let y0 = py as isize - SOURCE_BOX as isize;
        let x0 = px as isize - SOURCE_BOX as isize;
        let wy0 = py as isize - WEIGHT_BOX as isize;
        let wx0 = px as isize - WEIGHT_BOX as isize;
        if y0 < 0 || x0 < 0 || wy0 < 0 || wx0 < 0 {
            continue;
        }
        let y1 = (py + SOURCE_BOX + 1).min(h);
        let x1 = (px + SOURCE_BOX + 1).min(w);
        let cut = image.slice(s![y0 as usize..y1, x0 as usize..x1]);
        let wcut =
            weight.slice(s![wy0 as usize..(py + WEIGHT_BOX + 1).min(h), wx0 as usize..(px + WEIGHT_BOX + 1).min(w)]);
        let min_size = cut.nrows().min(cut.ncols());
        if wcut.iter().any(|&v| v == 0.0) || min_size <= 11 {
            continue;
        }
        let clipped = cut.mapv(|v| if v < 0.0 { 0.0 } else { v });
        let total = pairwise_sum_f32(clipped.as_standard_layout().as_slice().expect("standard"));
        if total.is_nan() || total <= 0.0 {
            continue;
        }
        let psf = clipped.mapv(|v| v / total);
        let measured = find_fwhm(psf.view(), default_fwhm);
        attempts += 1;
        if let Some(fwhm) = measured.filter(|&f| f > GOOD_FWHM.0 && f < GOOD_FWHM.1) {
            return DetectionKernel { kernel: psf.mapv(|v| v as f64), fwhm, from_psf: true };
        }
        if attempts == MAX_FWHM_ATTEMPTS {
            break;
        }
    }
    DetectionKernel { kernel: gaussian_kernel(default_fwhm, SOURCE_BOX), fwhm: default_fwhm, from_psf: false }
}
