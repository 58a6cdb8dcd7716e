//! The per-image bad-pixel masks of the median step (`createMedian._median`,
//! `median_newmasks=True`, spec §6.1).

use ndarray::{Array2, ArrayView2};

use crate::imagestats::{Fields, StatsConfig, image_stats};

/// `ImageStats(wht, lower=1e-8, fields="mean", nclip=0).mean * maskpt`, or 0 when
/// imagestats raises (no weight above 1e-8). Values in row-major order.
pub fn weight_mask_threshold(wht: &[f32], maskpt: f64) -> f64 {
    let cfg = StatsConfig { lower: Some(1e-8), nclip: 0, ..StatsConfig::default() };
    image_stats(wht, &cfg, Fields::BASIC).map_or(0.0, |stats| f64::from(stats.mean)) * maskpt
}

/// `wht < threshold`, compared in float64 (numpy promotes the float32 weights).
pub fn low_weight_mask(wht: ArrayView2<f32>, threshold: f64) -> Array2<bool> {
    wht.mapv(|w| f64::from(w) < threshold)
}
