//! drizzlepac's similarity index (`astrometric_utils.compute_similarity`, spec §5.4), in the
//! float32 arithmetic numpy uses for FITS float32 data.

use ndarray::{Array2, ArrayView2};

use crate::numpy_sum::pairwise_sum;

/// `np.nan_to_num` for float32: NaN → 0, ±inf → ±f32::MAX.
#[inline]
pub fn nan_to_num(v: f32) -> f32 {
    if v.is_nan() {
        0.0
    } else if v == f32::INFINITY {
        f32::MAX
    } else if v == f32::NEG_INFINITY {
        f32::MIN
    } else {
        v
    }
}

/// Block sums of the top-left `window × window` corner into `size × size` bins: numpy's
/// `reshape(...).sum(-1).sum(1)`, i.e. each bin sums along its rows first, then down the column,
/// both sequentially in float32.
fn rebin(img: &ArrayView2<f32>, window: usize, size: usize) -> Array2<f32> {
    let b = window / size;
    Array2::from_shape_fn((size, size), |(i, j)| {
        let mut total = 0f32;
        for p in 0..b {
            let row = img.row(i * b + p);
            let mut partial = 0f32;
            for q in 0..b {
                partial += nan_to_num(row[j * b + q]);
            }
            total += partial;
        }
        total
    })
}

/// `compute_similarity(image, reference)`: `|Σ(I − R)| / ΣI` over the rebinned largest
/// power-of-two square both arrays share. Small values mean similar images; the pipeline treats
/// an index above 1 as a failure. NaN when the arrays share no pixel (the reference raises).
pub fn similarity_index(image: ArrayView2<f32>, reference: ArrayView2<f32>) -> f64 {
    similarity_index_f32(image, reference).map_or(f64::NAN, f64::from)
}

/// The float32 value `compute_similarity` returns, `None` for an empty overlap.
pub(crate) fn similarity_index_f32(image: ArrayView2<f32>, reference: ArrayView2<f32>) -> Option<f32> {
    let rows = image.nrows().min(reference.nrows());
    let cols = image.ncols().min(reference.ncols());
    let min_size = rows.min(cols);
    if min_size == 0 {
        return None;
    }
    let window_bit = usize::BITS - 1 - min_size.leading_zeros();
    let window = 1usize << window_bit;
    // Rebin to a quarter of the window when that still leaves more than 64×64 bins.
    let sim_bit = if window_bit > 8 { window_bit - 2 } else { window_bit };
    let size = 1usize << sim_bit;
    let img = rebin(&image, window, size);
    let refr = rebin(&reference, window, size);
    let diffs: Vec<f32> = img.iter().zip(refr.iter()).map(|(a, b)| a - b).collect();
    let img_values: Vec<f32> = img.iter().copied().collect();
    Some(pairwise_sum(&diffs).abs() / pairwise_sum(&img_values))
}
