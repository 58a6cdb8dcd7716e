//! Catalog matching in a common tangent plane: tweakwcs `XYXYMatch` (initial offset from
//! the 2-D histogram or given by the user) followed by stsci.stimage's `xyxymatch` with the
//! "tolerance" algorithm.

use crate::error::MatchError;
use crate::hist2d::estimate_2dhist_shift;

/// `XYXYMatch` parameters, lengths in tangent-plane units (pixels of the plane's chip).
/// tweakwcs defaults: searchrad 3, separation 0.5, tolerance 1, use2dhist true.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchParams {
    pub searchrad: f64,
    pub separation: f64,
    pub tolerance: f64,
    pub use2dhist: bool,
    /// Initial offset `image − reference`, used only when `use2dhist` is false.
    pub xoffset: f64,
    pub yoffset: f64,
}

impl Default for MatchParams {
    fn default() -> MatchParams {
        MatchParams { searchrad: 3.0, separation: 0.5, tolerance: 1.0, use2dhist: true, xoffset: 0.0, yoffset: 0.0 }
    }
}

/// Matched pairs as parallel index arrays into the two input lists, in stimage's output
/// order (reference sources sorted by `(y, x)`); `offset` is the initial offset used.
/// `img_pos` is the image position each pair was matched with: the image point itself,
/// or, from [`xyxy_match_merged`], the mean of the coincident detections it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Matches {
    pub ref_idx: Vec<usize>,
    pub img_idx: Vec<usize>,
    pub img_pos: Vec<[f64; 2]>,
    pub offset: [f64; 2],
}

fn check_params(params: &MatchParams) -> Result<(), MatchError> {
    if params.searchrad.is_nan() || params.searchrad <= 0.0 {
        return Err(MatchError::NotPositive("searchrad"));
    }
    if params.separation.is_nan() || params.separation <= 0.0 {
        return Err(MatchError::NotPositive("separation"));
    }
    if params.tolerance.is_nan() || params.tolerance <= 0.0 {
        return Err(MatchError::NotPositive("tolerance"));
    }
    Ok(())
}

/// tweakwcs `XYXYMatch(...)(refcat, imcat, tp_pscale)`: match image tangent-plane
/// positions to reference ones. `tp_pscale` is the pixel scale of the plane
/// (`tanp_center_pixel_scale` of the group's first chip), used for the histogram bins.
pub fn xyxy_match(
    ref_tp: &[[f64; 2]],
    img_tp: &[[f64; 2]],
    params: &MatchParams,
    tp_pscale: f64,
) -> Result<Matches, MatchError> {
    let offset = initial_offset(ref_tp, img_tp, params, tp_pscale)?;
    let pairs = xyxymatch_tolerance(img_tp, ref_tp, offset, params.tolerance, params.separation)?;
    let (ref_idx, img_idx): (Vec<usize>, Vec<usize>) = pairs.into_iter().unzip();
    let img_pos = img_idx.iter().map(|&i| img_tp[i]).collect();
    Ok(Matches { ref_idx, img_idx, img_pos, offset })
}

/// [`xyxy_match`] for a catalog that merges several catalogs (`source[i]` tells which one
/// point `i` came from) and so holds one detection of a star per catalog. Where stimage
/// keeps only the first of coincident points in `(y, x)` order (the detection lying
/// lowest, which biases a fit by about one centroid σ), this keeps the same point but
/// moves it to the mean of its coincident detections, one per other catalog (the nearest
/// one). The 2-D histogram still sees every detection. Pairs report the kept point's index
/// and the mean position.
pub fn xyxy_match_merged(
    ref_tp: &[[f64; 2]],
    img_tp: &[[f64; 2]],
    source: &[usize],
    params: &MatchParams,
    tp_pscale: f64,
) -> Result<Matches, MatchError> {
    if source.len() != img_tp.len() {
        return Err(MatchError::SourceLabels { points: img_tp.len(), labels: source.len() });
    }
    let offset = initial_offset(ref_tp, img_tp, params, tp_pscale)?;
    let (kept, merged) = merge_coincident(img_tp, source, params.separation);
    let pairs = match_tolerance(&merged, ref_tp, offset, params.tolerance, params.separation, img_tp.len())?;
    let mut m = Matches { ref_idx: Vec::new(), img_idx: Vec::new(), img_pos: Vec::new(), offset };
    for (r, k) in pairs {
        m.ref_idx.push(r);
        m.img_idx.push(kept[k]);
        m.img_pos.push(merged[k]);
    }
    Ok(m)
}

fn initial_offset(
    ref_tp: &[[f64; 2]],
    img_tp: &[[f64; 2]],
    params: &MatchParams,
    tp_pscale: f64,
) -> Result<[f64; 2], MatchError> {
    check_params(params)?;
    if ref_tp.is_empty() {
        return Err(MatchError::EmptyCatalog("Reference"));
    }
    if img_tp.is_empty() {
        return Err(MatchError::EmptyCatalog("Image"));
    }
    Ok(if params.use2dhist {
        estimate_2dhist_shift(img_tp, ref_tp, params.searchrad, tp_pscale)?
    } else {
        [params.xoffset, params.yoffset]
    })
}

/// The points stimage's thinning keeps (indices, in `(y, x)` order), each moved to the
/// mean of itself and, for every other source catalog, the nearest point of that catalog
/// among those the thinning removes on its account. Points of its own catalog are
/// removed without being averaged: they are different stars.
pub fn merge_coincident(points: &[[f64; 2]], source: &[usize], separation: f64) -> (Vec<usize>, Vec<[f64; 2]>) {
    let order = sorted_yx(points);
    let sep2 = separation * separation;
    let mut deleted = vec![false; order.len()];
    let mut kept = Vec::new();
    let mut merged = Vec::new();
    // Per catalog, the nearest coincident point so far: (catalog, squared distance, point).
    let mut nearest: Vec<(usize, f64, [f64; 2])> = Vec::new();
    for i in 0..order.len() {
        if deleted[i] {
            continue;
        }
        let p = points[order[i]];
        nearest.clear();
        for j in i + 1..order.len() {
            if deleted[j] {
                continue;
            }
            let q = points[order[j]];
            let dy = q[1] - p[1];
            if dy * dy > sep2 {
                break;
            }
            let dx = q[0] - p[0];
            let r2 = dy * dy + dx * dx;
            if r2 > sep2 {
                continue;
            }
            deleted[j] = true;
            let s = source[order[j]];
            if s == source[order[i]] {
                continue;
            }
            match nearest.iter_mut().find(|n| n.0 == s) {
                Some(n) if r2 < n.1 => *n = (s, r2, q),
                Some(_) => {}
                None => nearest.push((s, r2, q)),
            }
        }
        let n = (nearest.len() + 1) as f64;
        let sum = nearest.iter().fold(p, |acc, c| [acc[0] + c.2[0], acc[1] + c.2[1]]);
        kept.push(order[i]);
        merged.push([sum[0] / n, sum[1] / n]);
    }
    (kept, merged)
}

/// stimage `xyxymatch(input, ref, origin, tolerance=, separation=)` with the "tolerance"
/// algorithm: image points shifted by `−origin`, both lists sorted by `(y, x)` and thinned
/// of points closer than `separation` to an earlier kept point, then, for each kept
/// reference point, the nearest kept image point within `tolerance` (ties: the later one).
/// Returns `(reference index, image index)` pairs. An image point can be paired with
/// several reference points; more pairs than image points is
/// [`MatchError::SourceConfusion`].
pub fn xyxymatch_tolerance(
    img: &[[f64; 2]],
    reference: &[[f64; 2]],
    origin: [f64; 2],
    tolerance: f64,
    separation: f64,
) -> Result<Vec<(usize, usize)>, MatchError> {
    match_tolerance(img, reference, origin, tolerance, separation, img.len())
}

/// [`xyxymatch_tolerance`] with stimage's output allocation (`capacity` pairs) given: the
/// number of image points before any merging.
fn match_tolerance(
    img: &[[f64; 2]],
    reference: &[[f64; 2]],
    origin: [f64; 2],
    tolerance: f64,
    separation: f64,
    capacity: usize,
) -> Result<Vec<(usize, usize)>, MatchError> {
    if img.is_empty() {
        return Err(MatchError::EmptyCatalog("The input coordinate list"));
    }
    if reference.is_empty() {
        return Err(MatchError::EmptyCatalog("The reference coordinate list"));
    }
    let shifted: Vec<[f64; 2]> = img.iter().map(|p| [p[0] - origin[0], p[1] - origin[1]]).collect();
    let refs = unique_sorted(reference, separation);
    let imgs = unique_sorted(&shifted, separation);

    let tol2 = tolerance * tolerance;
    let mut pairs = Vec::new();
    let mut start = 0usize;
    for &ri in &refs {
        let r = reference[ri];
        // First image point not more than `tolerance` below the reference point; the
        // pointer only moves forward since the references are sorted by y.
        let mut dy = 0.0;
        while start < imgs.len() {
            dy = r[1] - shifted[imgs[start]][1];
            if dy < tolerance {
                break;
            }
            start += 1;
        }
        if start >= imgs.len() {
            break;
        }
        if dy < -tolerance {
            continue;
        }
        let mut best = tol2;
        let mut found = None;
        for &ii in &imgs[start..] {
            let p = shifted[ii];
            let dy = r[1] - p[1];
            if dy < -tolerance {
                break;
            }
            let dx = r[0] - p[0];
            let d2 = dx * dx + dy * dy;
            if d2 <= best {
                best = d2;
                found = Some(ii);
            }
        }
        if let Some(ii) = found {
            if pairs.len() >= capacity {
                return Err(MatchError::SourceConfusion(capacity));
            }
            pairs.push((ri, ii));
        }
    }
    Ok(pairs)
}

/// Indices sorted by `(y, x)` with points within `separation` of an earlier kept point
/// removed (stimage `xysort` + `xycoincide`).
fn unique_sorted(points: &[[f64; 2]], separation: f64) -> Vec<usize> {
    let order = sorted_yx(points);
    let sep2 = separation * separation;
    let mut deleted = vec![false; order.len()];
    for i in 0..order.len() {
        if deleted[i] {
            continue;
        }
        let p = points[order[i]];
        for j in i + 1..order.len() {
            if deleted[j] {
                continue;
            }
            let q = points[order[j]];
            let dy = q[1] - p[1];
            let mut r2 = dy * dy;
            if r2 > sep2 {
                break;
            }
            let dx = q[0] - p[0];
            r2 += dx * dx;
            if r2 <= sep2 {
                deleted[j] = true;
            }
        }
    }
    order.into_iter().zip(deleted).filter(|&(_, d)| !d).map(|(i, _)| i).collect()
}

/// Indices sorted by `(y, x)` (stimage `xysort`).
fn sorted_yx(points: &[[f64; 2]]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        let (p, q) = (points[a], points[b]);
        p[1].partial_cmp(&q[1])
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(p[0].partial_cmp(&q[0]).unwrap_or(std::cmp::Ordering::Equal))
    });
    order
}
