//! The maximum overlap difference (`astrometric_utils.max_overlap_diff` and
//! `evaluate_overlap_diffs`, spec §5.3), runastrodriz's main alignment check: in the region
//! where most exposures overlap, compare the point-source map of each single-exposure drizzle
//! with that of the product.

use ndarray::{Array2, ArrayView2, Zip, s};

use crate::VerifyError;
use crate::point_sources::detect_point_sources_counted;
use crate::similarity::{nan_to_num, similarity_index_f32};

/// Detection threshold (in clipped standard deviations) and LoG sigma of the source maps.
const NSIGMA: f64 = 4.0;
const LOG_SIGMA: f64 = 3.0;
/// Largest accepted distance (`evaluate_overlap_diffs(limit=1.0)`).
pub const OVERLAP_LIMIT: f64 = 1.0;

/// Region compared for one exposure: rows `rows.0..rows.1`, columns `cols.0..cols.1` of the
/// product grid (the bounding box of the overlap with its last row and column dropped, as the
/// reference slices), and the number of sources found in each crop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverlapRegion {
    pub rows: (usize, usize),
    pub cols: (usize, usize),
    pub num_sources: usize,
    pub product_num_sources: usize,
}

/// Distances per exposure (−1 for an exposure without positive pixels), their maximum as
/// Python's `max` gives it, and the compared regions (`None` for the −1 entries).
#[derive(Debug, Clone, PartialEq)]
pub struct OverlapDiff {
    pub distances: Vec<f64>,
    pub max_distance: f64,
    pub regions: Vec<Option<OverlapRegion>>,
}

impl OverlapDiff {
    /// `evaluate_overlap_diffs`: verified iff the largest distance is at most 1 (NaN fails).
    pub fn verified(&self) -> bool {
        self.max_distance <= OVERLAP_LIMIT
    }
}

/// `np.nan_to_num(img * mask)` as float32.
fn masked(img: ArrayView2<f32>, mask: ArrayView2<bool>) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros(img.dim());
    Zip::from(&mut out).and(img).and(mask).par_for_each(|o, &v, &m| *o = if m { nan_to_num(v) } else { 0.0 });
    out
}

/// Rows and columns spanned by the true pixels: (min, max) each, `None` when there are none.
fn bounding_box(mask: &Array2<bool>) -> Option<((usize, usize), (usize, usize))> {
    let mut rows: Option<(usize, usize)> = None;
    let mut cols: Option<(usize, usize)> = None;
    for ((r, c), &m) in mask.indexed_iter() {
        if m {
            rows = Some(rows.map_or((r, r), |(a, b)| (a.min(r), b.max(r))));
            cols = Some(cols.map_or((c, c), |(a, b)| (a.min(c), b.max(c))));
        }
    }
    rows.zip(cols)
}

/// `max_overlap_diff(total_mask, singlefiles, prodfile, scale=1)`: `product` is the product's SCI
/// array, `singles` the `_single_sci` arrays with their primary-header `EXPTIME`, `overlap` the
/// overlap-count image T of [`crate::overlap_count`]. The per-region focus values the reference
/// also records (for information only) are not computed.
pub fn max_overlap_diff(
    product: ArrayView2<f32>,
    singles: &[(ArrayView2<f32>, f64)],
    overlap: ArrayView2<i16>,
) -> Result<OverlapDiff, VerifyError> {
    let shape = product.dim();
    if overlap.dim() != shape {
        return Err(VerifyError::ShapeMismatch { expected: shape, found: overlap.dim() });
    }
    if let Some(bad) = singles.iter().map(|(s, _)| s.dim()).find(|&d| d != shape) {
        return Err(VerifyError::ShapeMismatch { expected: shape, found: bad });
    }
    if singles.is_empty() {
        return Err(VerifyError::NoExposures);
    }
    let most = overlap.iter().copied().max().ok_or(VerifyError::EmptyRegion)?;
    let max_overlap = overlap.mapv(|t| t == most);
    let min_overlap = overlap.mapv(|t| t > 1);
    // numpy's max propagates NaN.
    let longest = singles
        .iter()
        .map(|(_, t)| *t)
        .fold(f64::NEG_INFINITY, |m, t| if m.is_nan() || t.is_nan() { f64::NAN } else { m.max(t) });

    let mut distances = Vec::with_capacity(singles.len());
    let mut regions = Vec::with_capacity(singles.len());
    for (single, exptime) in singles {
        let weight = exptime / longest;
        let exposed = single.mapv(|v| v > 0.0);
        if !exposed.iter().any(|&e| e) {
            distances.push(-1.0);
            regions.push(None);
            continue;
        }
        let mut region = &exposed & &max_overlap;
        if !region.iter().any(|&e| e) {
            // An exposure outside the deepest overlap is compared where it overlaps any other.
            region = &exposed & &min_overlap;
        }
        let ((r0, r1), (c0, c1)) = bounding_box(&region).ok_or(VerifyError::EmptyRegion)?;
        let crop = s![r0..r1, c0..c1];
        let region_crop = region.slice(crop);
        let product_crop = masked(product.slice(crop), region_crop);
        let single_crop = masked(single.slice(crop), region_crop);

        let product_sources = detect_point_sources_counted(product_crop.view(), NSIGMA, LOG_SIGMA)?;
        let single_sources = detect_point_sources_counted(single_crop.view(), NSIGMA, LOG_SIGMA)?;
        let differing =
            Zip::from(&product_sources.map).and(&single_sources.map).fold(0usize, |n, &a, &b| n + usize::from(a != b));
        let single_count = single_sources.map.iter().filter(|&&m| m).count();
        // Hamming distance per source pixel of the single map (0/0 → NaN, x/0 → inf).
        let hamming = (differing as f64 / single_count as f64) * weight;
        let sim = similarity_index_f32(single_crop.view(), product_crop.view()).map_or(f64::NAN, f64::from) * 2.0;
        // Python's min(hamming, sim): the first argument unless the second is smaller.
        distances.push(if sim < hamming { sim } else { hamming });
        regions.push(Some(OverlapRegion {
            rows: (r0, r1),
            cols: (c0, c1),
            num_sources: single_sources.count,
            product_num_sources: product_sources.count,
        }));
    }
    // Python's max keeps the first value unless a later one is larger (NaN never replaces).
    let max_distance = distances.iter().skip(1).fold(distances[0], |m, &d| if d > m { d } else { m });
    Ok(OverlapDiff { distances, max_distance, regions })
}
