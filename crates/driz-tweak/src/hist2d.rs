//! Initial offset between two catalogs from the 2-D histogram of all pair offsets within
//! the search radius (tweakwcs `_estimate_2dhist_shift` and `_find_peak`).
//!
//! Bins are one tangent-plane pixel wide (coordinates divided by the plane's pixel scale
//! `p`) and centred on integers `k − n`, `n = ceil(searchrad / p)`; the peak position in bin
//! units is converted back with `p · index − searchrad`. Because `n` and `searchrad / p`
//! differ when `p ≠ 1`, the estimate is biased by `p · n − searchrad` (about +1 px on both
//! axes for ACS/WFC chips with `p` just below 1): kept, as in the reference.

use crate::error::MatchError;
use crate::linalg::lstsq_min_norm;

/// Largest histogram (cells) built before giving up: a search radius far beyond any HST
/// use (the reference would try to allocate it).
const MAX_CELLS: usize = 1 << 28;

/// The offset `image − reference` (tangent-plane units) at the peak of the pair-offset
/// histogram; `(0, 0)` when no pair lies within `searchrad`.
pub fn estimate_2dhist_shift(
    img: &[[f64; 2]],
    reference: &[[f64; 2]],
    searchrad: f64,
    pscale: f64,
) -> Result<[f64; 2], MatchError> {
    let r = searchrad / pscale;
    let n = r.ceil();
    let side = 2.0 * n + 1.0;
    if !(side.is_finite() && side >= 1.0 && side * side <= MAX_CELLS as f64) {
        return Err(MatchError::SearchRadiusTooLarge { searchrad, pscale });
    }
    let n = n as i64;
    let side = side as usize;
    let hist = histogram(img, reference, pscale, r, n, side);

    let nonzero = hist.iter().filter(|&&c| c > 0).count();
    let (xp, yp) = match nonzero {
        0 => return Ok([0.0, 0.0]),
        1 => {
            let k = hist.iter().position(|&c| c > 0).unwrap_or(0);
            ((k % side) as f64, (k / side) as f64)
        }
        _ => match find_peak(&hist, side) {
            Some(p) => p,
            None => return Ok([0.0, 0.0]),
        },
    };
    Ok([pscale * xp - searchrad, pscale * yp - searchrad])
}

/// Counts of pair offsets `d = img/p − ref/p` with `−r − 0.5 ≤ d < r + 0.5` on both axes,
/// in unit bins over `[−n − 0.5, n + 0.5]`; row-major, rows = y offset.
fn histogram(img: &[[f64; 2]], reference: &[[f64; 2]], pscale: f64, r: f64, n: i64, side: usize) -> Vec<u32> {
    let scale = |p: &[f64; 2]| [p[0] / pscale, p[1] / pscale];
    let mut refs: Vec<[f64; 2]> = reference.iter().map(scale).collect();
    refs.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let half = r + 0.5;
    let mut hist = vec![0u32; side * side];
    for p in img.iter().map(scale) {
        // Reference x window (a superset of the kept range; the exact test is below).
        let lo = refs.partition_point(|q| q[0] < p[0] - half - 1.0);
        for q in &refs[lo..] {
            if q[0] > p[0] + half + 1.0 {
                break;
            }
            let dx = p[0] - q[0];
            let dy = p[1] - q[1];
            if dx < half && dx >= -half && dy < half && dy >= -half {
                hist[bin(dy, n, side) * side + bin(dx, n, side)] += 1;
            }
        }
    }
    hist
}

/// numpy's bin of `v` for the edges `k − n − 0.5`, `k = 0..=side` (exact half-integers).
fn bin(v: f64, n: i64, side: usize) -> usize {
    let edge = |k: i64| (k - n) as f64 - 0.5;
    let mut k = (v + n as f64 + 0.5).floor() as i64;
    k = k.clamp(0, side as i64 - 1);
    while k > 0 && edge(k) > v {
        k -= 1;
    }
    while k + 1 < side as i64 && edge(k + 1) <= v {
        k += 1;
    }
    k as usize
}

const BOX: usize = 5;

/// Peak of the histogram in bin coordinates (tweakwcs `_find_peak` with a 5×5 box and the
/// non-zero bins as the mask); `None` for its "ERROR" outcomes.
fn find_peak(hist: &[u32], side: usize) -> Option<(f64, f64)> {
    let (nx, ny) = (side, side);
    let at = |x: usize, y: usize| hist[y * nx + x];
    // First maximum in row-major order among the non-zero bins.
    let mut best = 0u32;
    let (mut imax, mut jmax) = (0usize, 0usize);
    for (k, &c) in hist.iter().enumerate() {
        if c > best {
            (best, imax, jmax) = (c, k % nx, k / nx);
        }
    }
    if best < 1 {
        return None;
    }
    let mut x1 = imax.saturating_sub(BOX / 2);
    let mut x2 = nx.min(x1 + BOX);
    let mut y1 = jmax.saturating_sub(BOX / 2);
    let mut y2 = ny.min(y1 + BOX);
    if imax == x1 || imax == x2 - 1 || jmax == y1 || jmax == y2 - 1 {
        return Some((imax as f64, jmax as f64));
    }
    if x2 - x1 < BOX {
        if x1 == 0 {
            x2 = nx.min(x1 + BOX);
        }
        if x2 == nx {
            x1 = x2.saturating_sub(BOX);
        }
    }
    if y2 - y1 < BOX {
        if y1 == 0 {
            y2 = ny.min(y1 + BOX);
        }
        if y2 == ny {
            y1 = y2.saturating_sub(BOX);
        }
    }

    // Box bins with counts, in local coordinates starting at 1.
    let mut design: Vec<[f64; 6]> = Vec::with_capacity(BOX * BOX);
    let mut data: Vec<f64> = Vec::with_capacity(BOX * BOX);
    for y in y1..y2 {
        for x in x1..x2 {
            let c = at(x, y);
            if c > 0 {
                let (lx, ly) = ((x + 1 - x1) as f64, (y + 1 - y1) as f64);
                design.push([1.0, lx, ly, lx * ly, lx * lx, ly * ly]);
                data.push(f64::from(c));
            }
        }
    }
    let (fx1, fx2, fy1, fy2) = (x1 as f64, x2 as f64, y1 as f64, y2 as f64);
    let center_of_mass = || {
        let total: f64 = data.iter().sum();
        if total == 0.0 {
            return None;
        }
        let xc = design.iter().zip(&data).map(|(v, d)| v[1] * d).sum::<f64>() / total;
        let yc = design.iter().zip(&data).map(|(v, d)| v[2] * d).sum::<f64>() / total;
        Some((fx1 + xc - 1.0, fy1 + yc - 1.0))
    };
    if data.len() < 6 {
        return center_of_mass();
    }
    let Some(c) = lstsq_min_norm(&design, &data) else {
        return center_of_mass();
    };
    let [_, c10, c01, c11, c20, c02] = c;
    let det = 4.0 * c02 * c20 - c11 * c11;
    if det <= 0.0 || (c20 > 0.0 && c02 >= 0.0) || (c20 >= 0.0 && c02 > 0.0) {
        return center_of_mass();
    }
    let xm = (c01 * c11 - 2.0 * c02 * c10) / det + fx1 - 1.0;
    let ym = (c10 * c11 - 2.0 * c01 * c20) / det + fy1 - 1.0;
    if fx1 <= xm && xm <= fx2 - 1.0 && fy1 <= ym && ym <= fy2 - 1.0 { Some((xm, ym)) } else { center_of_mass() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_follow_half_integer_edges() {
        // n = 3: edges -3.5, -2.5, ..., 3.5; bin k holds [edge k, edge k+1).
        assert_eq!(bin(-3.5, 3, 7), 0);
        assert_eq!(bin(-2.5, 3, 7), 1);
        assert_eq!(bin(-2.5000000000000004, 3, 7), 0);
        assert_eq!(bin(0.49999999999999994, 3, 7), 3);
        assert_eq!(bin(0.5, 3, 7), 4);
        assert_eq!(bin(3.4999, 3, 7), 6);
    }

    #[test]
    fn exact_shift_with_unit_scale() {
        let reference: Vec<[f64; 2]> = (0..30).map(|i| [37.0 * i as f64 % 500.0, 11.0 * i as f64]).collect();
        let img: Vec<[f64; 2]> = reference.iter().map(|p| [p[0] + 2.0, p[1] - 1.0]).collect();
        let off = estimate_2dhist_shift(&img, &reference, 8.0, 1.0).unwrap();
        assert_eq!(off, [2.0, -1.0]);
    }
}
