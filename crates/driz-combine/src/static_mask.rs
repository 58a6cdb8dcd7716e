//! The static mask of `drizzlepac/staticMask.py` (spec Part 2 §3): flag pixels far below
//! the sky mode of a chip.

use ndarray::{Array2, ArrayView2, Zip};

use crate::imagestats::{Fields, StatsConfig, image_stats};
use crate::python_float::python_float;

/// The per-chip statistics the static mask needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticMaskStats {
    /// `mode_f64` rounded to f32 (for logs and headers).
    pub mode: f32,
    /// imagestats' clipped σ of the last pass.
    pub sigma: f32,
    /// The histogram had at least 2 bins; otherwise the chip does not change the mask.
    pub usable: bool,
    /// The mode as the reference holds it (a Python float); the threshold uses this.
    pub mode_f64: f64,
}

/// imagestats on the whole chip (values in row-major order) with nclip=3, lsig=usig=3,
/// binwidth=0.1 and lower/upper = nanmin/nanmax. `None` if imagestats raises (an all-NaN
/// chip, or a NaN first pixel, which leaves no pixel inside the clip range after the first
/// pass; the reference aborts there).
pub fn static_mask_stats(sci: &[f32]) -> Option<StaticMaskStats> {
    let (lower, upper) = nan_min_max(sci)?;
    let cfg = StatsConfig { lower: Some(lower), upper: Some(upper), nclip: 3, lsig: 3.0, usig: 3.0, binwidth: 0.1 };
    let stats = image_stats(sci, &cfg, Fields { mode: true, ..Fields::BASIC })?;
    Some(StaticMaskStats { mode: stats.mode, sigma: stats.stddev, usable: stats.nbins >= 2, mode_f64: stats.mode_f64 })
}

/// The value below which pixels are masked, `mode − static_sig·σ`, computed in float64 and
/// rounded to float32 as numpy does when comparing the float32 chip with a Python float.
/// `None` when the chip is not usable.
pub fn static_mask_threshold(stats: &StaticMaskStats, static_sig: f32) -> Option<f32> {
    stats.usable.then(|| (stats.mode_f64 - python_float(static_sig) * f64::from(stats.sigma)) as f32)
}

/// `mask &= !(sci < threshold)`: NaN pixels stay good. A chip whose histogram had a single
/// bin leaves the mask unchanged. Every chip with the same signature is ANDed into one mask.
///
/// # Panics
/// If `sci` and `mask` differ in shape.
pub fn apply_static_mask(sci: ArrayView2<f32>, stats: &StaticMaskStats, static_sig: f32, mask: &mut Array2<bool>) {
    let Some(threshold) = static_mask_threshold(stats, static_sig) else {
        return;
    };
    Zip::from(mask).and(&sci).par_for_each(|good, &value| {
        // Written as a negated `<` on purpose: `>=` would clear NaN pixels.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        let keep = !(value < threshold);
        *good &= keep;
    });
}

/// `np.nanmin`, `np.nanmax`; `None` if every value is NaN.
fn nan_min_max(values: &[f32]) -> Option<(f32, f32)> {
    let mut finite = values.iter().copied().filter(|v| !v.is_nan());
    let first = finite.next()?;
    Some(finite.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
}
