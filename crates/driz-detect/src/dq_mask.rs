//! drizzlepac's `HAPImage.build_dqmask` and the pseudo-weight image built from ERR and DQ.

use ndarray::{Array2, ArrayView2, Zip};
use rayon::prelude::*;

const SATURATION_BITS: u16 = 256 | 2048;
const SATURATION_ITERATIONS: usize = 5;

/// One iteration of `scipy.ndimage.binary_erosion`/`binary_dilation` with the 3×3 cross and
/// `border_value=0` (pixels outside the image are false).
fn cross_step(mask: &Array2<bool>, erode: bool) -> Array2<bool> {
    let (h, w) = mask.dim();
    let src = mask.as_slice().expect("owned standard layout");
    let mut out = vec![false; h * w];
    out.par_chunks_mut(w.max(1)).enumerate().for_each(|(y, row)| {
        let cur = &src[y * w..(y + 1) * w];
        let up = (y > 0).then(|| &src[(y - 1) * w..y * w]);
        let down = (y + 1 < h).then(|| &src[(y + 1) * w..(y + 2) * w]);
        for x in 0..w {
            let n = [
                cur[x],
                up.is_some_and(|r| r[x]),
                down.is_some_and(|r| r[x]),
                x > 0 && cur[x - 1],
                x + 1 < w && cur[x + 1],
            ];
            row[x] = if erode { n.iter().all(|&v| v) } else { n.iter().any(|&v| v) };
        }
    });
    Array2::from_shape_vec((h, w), out).expect("shape")
}

/// True where a pixel is excluded from detection: any flag other than 256/2048, or inside the
/// core of a saturated area (non-saturated pixels eroded once then dilated five times, so
/// saturated areas first grow by one pixel and then shrink by five).
pub fn bad_pixel_mask(dq: ArrayView2<u16>) -> Array2<bool> {
    let not_saturated = dq.as_standard_layout().mapv(|v| v & SATURATION_BITS == 0);
    let mut grown = cross_step(&not_saturated, true);
    for _ in 0..SATURATION_ITERATIONS {
        grown = cross_step(&grown, false);
    }
    let mut bad = Array2::from_elem(dq.dim(), false);
    Zip::from(&mut bad).and(&dq).and(&grown).for_each(|b, &v, &g| {
        let other_ok = v & !SATURATION_BITS == 0;
        *b = !(other_ok && g);
    });
    bad
}

/// `max(ERR)/ERR` with non-finite results set to 0 and bad pixels set to 0, in float32 as the
/// reference computes it; only its zeros matter (they veto PSF candidates).
pub fn pseudo_weight(err: Option<ArrayView2<f32>>, bad: &Array2<bool>) -> Array2<f32> {
    let mut wht = match err {
        Some(err) => {
            let max = err
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, |m, v| if v.is_nan() || m.is_nan() { f32::NAN } else { m.max(v) });
            err.mapv(|e| {
                let r = max / e;
                if r.is_finite() { r } else { 0.0 }
            })
        }
        None => Array2::from_elem(bad.dim(), 1.0f32),
    };
    Zip::from(&mut wht).and(bad).for_each(|w, &b| {
        if b {
            *w = 0.0;
        }
    });
    wht
}
