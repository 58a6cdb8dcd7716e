//! photutils 2.3 `Background2D(data, box_size, filter_size=3, bkg_estimator,
//! bkgrms_estimator=StdBackgroundRMS(), exclude_percentile=p)` with the default
//! `SigmaClip(sigma=3, maxiters=10)`, `edge_method='pad'` and `BkgZoomInterpolator()`.
//!
//! Per box: non-finite pixels are dropped, the box is sigma clipped (astropy's compiled
//! float64 path; the bottom-right partial corner box goes through astropy's Python path in
//! float32), and the estimators run in float32 with numpy's summation order. Boxes with no
//! more than `(1 − p/100)·box²` surviving pixels are excluded and refilled by inverse distance
//! weighting of the 10 nearest good boxes (mesh index units, chosen among equidistant boxes
//! as scipy's cKDTree chooses them). The mesh is 3×3 median
//! filtered (NaN-padded), zoomed by a cubic spline and clipped to the mesh range.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::DetectError;
use crate::kdtree::KdTree;
use crate::numpy_sum::{median_f64, nan_stats_f32, pairwise_sum_f64};
use crate::sigma_clip::{clip_in_place_fast, clip_noaxis_f32};
use crate::spline_zoom::zoom_mesh;

const CLIP_SIGMA: f64 = 3.0;
const CLIP_MAXITERS: usize = 10;
const IDW_NEIGHBORS: usize = 10;
/// photutils' `ShepardIDWInterpolator` builds its cKDTree with leafsize 10.
const IDW_LEAFSIZE: usize = 10;

/// photutils background estimator used for the mesh values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackgroundEstimator {
    /// `SExtractorBackground`: 2.5·median − 1.5·mean, or the median when
    /// |mean − median|/σ ≥ 0.3, or the mean when σ = 0.
    SExtractor,
    /// `MedianBackground`.
    Median,
}

/// Full-resolution background and RMS (`StdBackgroundRMS`) maps, plus the filtered meshes.
#[derive(Clone, Debug)]
pub struct Background2d {
    pub background: Array2<f32>,
    pub background_rms: Array2<f32>,
    pub background_mesh: Array2<f32>,
    pub background_rms_mesh: Array2<f32>,
}

struct BoxStats {
    bkg: f32,
    rms: f32,
    ngood: usize,
}

fn estimate(values: &[f32], estimator: BackgroundEstimator, scratch: &mut Vec<f32>) -> BoxStats {
    let stats = nan_stats_f32(values, scratch);
    let bkg = match estimator {
        BackgroundEstimator::Median => stats.median,
        BackgroundEstimator::SExtractor => {
            if stats.std == 0.0 {
                stats.mean
            } else if (stats.mean - stats.median).abs() / stats.std >= 0.3f32 {
                stats.median
            } else {
                2.5f32 * stats.median - 1.5f32 * stats.mean
            }
        }
    };
    BoxStats { bkg, rms: stats.std, ngood: stats.count }
}

/// Statistics of one box whose values are given in numpy's order (NaN = unusable).
fn box_stats_axis(values: &mut [f32], estimator: BackgroundEstimator, scratch: &mut Vec<f32>) -> BoxStats {
    clip_in_place_fast(values, CLIP_SIGMA, CLIP_MAXITERS);
    estimate(values, estimator, scratch)
}

fn box_stats_corner(values: &[f32], estimator: BackgroundEstimator, scratch: &mut Vec<f32>) -> BoxStats {
    let kept = clip_noaxis_f32(values, CLIP_SIGMA as f32, CLIP_MAXITERS);
    estimate(&kept, estimator, scratch)
}

/// Computes the photutils background. `data` non-finite values are ignored.
pub fn background_2d(
    data: ArrayView2<f32>,
    box_size: usize,
    filter_size: usize,
    exclude_percentile: f64,
    estimator: BackgroundEstimator,
) -> Result<Background2d, DetectError> {
    let (height, width) = data.dim();
    if height == 0 || width == 0 || data.iter().all(|v| !v.is_finite()) {
        return Err(DetectError::Background("input data contains no finite values".into()));
    }
    if !(0.0..=100.0).contains(&exclude_percentile) {
        return Err(DetectError::Background("exclude_percentile must be within [0, 100]".into()));
    }
    if filter_size == 0 || filter_size.is_multiple_of(2) {
        return Err(DetectError::Background("filter_size must be odd".into()));
    }
    let by = box_size.clamp(1, height);
    let bx = box_size.clamp(1, width);
    let data = data.as_standard_layout();
    let pix = data.as_slice().expect("standard layout");
    let ny_full = height / by;
    let nx_full = width / bx;
    let extra_rows = height - ny_full * by;
    let extra_cols = width - nx_full * bx;
    let mesh_ny = ny_full + usize::from(extra_rows > 0);
    let mesh_nx = nx_full + usize::from(extra_cols > 0);
    let good_threshold = (1.0 - exclude_percentile / 100.0) * (by * bx) as f64;

    let rows: Vec<Vec<(f32, f32)>> = (0..mesh_ny)
        .into_par_iter()
        .map(|my| {
            let mut scratch = Vec::new();
            let mut values = Vec::with_capacity(by * bx);
            (0..mesh_nx)
                .map(|mx| {
                    let full_row = my < ny_full;
                    let full_col = mx < nx_full;
                    values.clear();
                    let y0 = my * by;
                    let x0 = mx * bx;
                    let y1 = if full_row { y0 + by } else { height };
                    let x1 = if full_col { x0 + bx } else { width };
                    let stats = if full_row && full_col {
                        for y in y0..y1 {
                            values.extend_from_slice(&pix[y * width + x0..y * width + x1]);
                        }
                        box_stats_axis(&mut values, estimator, &mut scratch)
                    } else if full_row || full_col {
                        // partial edge boxes are flattened column by column
                        for x in x0..x1 {
                            for y in y0..y1 {
                                values.push(pix[y * width + x]);
                            }
                        }
                        box_stats_axis(&mut values, estimator, &mut scratch)
                    } else {
                        for y in y0..y1 {
                            values.extend_from_slice(&pix[y * width + x0..y * width + x1]);
                        }
                        box_stats_corner(&values, estimator, &mut scratch)
                    };
                    if stats.ngood as f64 <= good_threshold { (f32::NAN, f32::NAN) } else { (stats.bkg, stats.rms) }
                })
                .collect()
        })
        .collect();
    let mut bkg_mesh = Array2::<f32>::zeros((mesh_ny, mesh_nx));
    let mut rms_mesh = Array2::<f32>::zeros((mesh_ny, mesh_nx));
    for (my, row) in rows.iter().enumerate() {
        for (mx, &(b, r)) in row.iter().enumerate() {
            bkg_mesh[[my, mx]] = b;
            rms_mesh[[my, mx]] = r;
        }
    }
    if bkg_mesh.iter().all(|v| v.is_nan()) {
        return Err(DetectError::Background(format!(
            "all boxes contain <= {good_threshold} unmasked or finite pixels"
        )));
    }
    let bkg_mesh = median_filter_mesh(&fill_excluded_boxes(bkg_mesh), filter_size);
    let rms_mesh = median_filter_mesh(&fill_excluded_boxes(rms_mesh), filter_size);
    let background = expand_mesh(&bkg_mesh, (by, bx), (height, width));
    let background_rms = expand_mesh(&rms_mesh, (by, bx), (height, width));
    Ok(Background2d { background, background_rms, background_mesh: bkg_mesh, background_rms_mesh: rms_mesh })
}

/// photutils' `ShepardIDWInterpolator` fill of excluded (NaN) boxes: the 10 nearest good
/// boxes (scipy cKDTree order), weights 1/distance, float64 arithmetic rounded to float32.
fn fill_excluded_boxes(mesh: Array2<f32>) -> Array2<f32> {
    if !mesh.iter().any(|v| v.is_nan()) {
        return mesh;
    }
    let (ny, nx) = mesh.dim();
    let good: Vec<(usize, usize, f32)> = (0..ny)
        .flat_map(|y| (0..nx).map(move |x| (y, x)))
        .filter_map(|(y, x)| {
            let v = mesh[[y, x]];
            (!v.is_nan()).then_some((y, x, v))
        })
        .collect();
    let tree = KdTree::new(good.iter().map(|&(gy, gx, _)| [gy as f64, gx as f64]).collect(), IDW_LEAFSIZE);
    let mut out = mesh.clone();
    for y in 0..ny {
        for x in 0..nx {
            if !mesh[[y, x]].is_nan() {
                continue;
            }
            let nearest = tree.query([y as f64, x as f64], IDW_NEIGHBORS);
            let weights: Vec<f64> = nearest.iter().map(|&(d, _)| 1.0 / d).collect();
            let total = pairwise_sum_f64(&weights);
            let mut dot = 0.0;
            for (w, &(_, i)) in weights.iter().zip(nearest.iter()) {
                dot += w * good[i].2 as f64;
            }
            out[[y, x]] = if !nearest.is_empty() && total > 0.0 { (dot / total) as f32 } else { f32::NAN };
        }
    }
    out
}

/// `generic_filter(mesh, nanmedian, size=filter_size, mode='constant', cval=nan)`.
fn median_filter_mesh(mesh: &Array2<f32>, filter_size: usize) -> Array2<f32> {
    if filter_size == 1 {
        return mesh.clone();
    }
    let (ny, nx) = mesh.dim();
    let half = (filter_size / 2) as isize;
    let mut out = Array2::<f32>::zeros((ny, nx));
    let mut window = Vec::with_capacity(filter_size * filter_size);
    for y in 0..ny as isize {
        for x in 0..nx as isize {
            window.clear();
            for yy in y - half..=y + half {
                for xx in x - half..=x + half {
                    if yy >= 0 && xx >= 0 && (yy as usize) < ny && (xx as usize) < nx {
                        let v = mesh[[yy as usize, xx as usize]];
                        if !v.is_nan() {
                            window.push(v as f64);
                        }
                    }
                }
            }
            out[[y as usize, x as usize]] = median_f64(&mut window) as f32;
        }
    }
    out
}

/// `BkgZoomInterpolator` (order 3, reflect, grid mode, clipped to the mesh range).
fn expand_mesh(mesh: &Array2<f32>, box_size: (usize, usize), shape: (usize, usize)) -> Array2<f32> {
    let min = mesh.iter().copied().fold(f32::INFINITY, f32::min);
    let max = mesh.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max - min == 0.0 {
        return Array2::from_elem(shape, min);
    }
    let mut out = zoom_mesh(mesh.view(), box_size, shape);
    out.par_mapv_inplace(|v| v.clamp(min, max));
    out
}
