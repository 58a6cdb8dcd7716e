//! The overlap-count image T of `cell_utils.SkyFootprint.build` (spec §5.3): every chip's edge
//! pixels, mapped onto the product grid by the caller, are truncated to integers, clipped to the
//! grid and filled as one polygon (Pillow) inside the sub-box they span, whose last row and
//! column are excluded (numpy `slice(min, max)`); the int16 counts are summed.

use ndarray::{Array2, s};

use crate::polygon::fill_polygon;

/// 0-based (x, y) pixel positions of all edge pixels of an `naxis1 × naxis2` chip, in the order
/// `SkyFootprint.build` maps them: the left column (x = 0, y = 0‥naxis2−1), the right column
/// (x = naxis1−1), the bottom row (y = 0, x = 0‥naxis1−1), the top row (y = naxis2−1).
///
/// The caller maps each position through the chip's WCS to world coordinates (origin 0, i.e.
/// `pixel_to_world_values`, distortion included) and back through the product WCS to 0-based
/// product pixels (`world_to_pixel_values`), keeps the order, and passes the result to
/// [`overlap_count`]. For `_single_sci` images the chip is the whole single image.
pub fn edge_pixels(naxis1: usize, naxis2: usize) -> Vec<[f64; 2]> {
    let mut edges = Vec::with_capacity(2 * (naxis1 + naxis2));
    edges.extend((0..naxis2).map(|y| [0.0, y as f64]));
    edges.extend((0..naxis2).map(|y| [naxis1.saturating_sub(1) as f64, y as f64]));
    edges.extend((0..naxis1).map(|x| [x as f64, 0.0]));
    edges.extend((0..naxis1).map(|x| [x as f64, naxis2.saturating_sub(1) as f64]));
    edges
}

/// numpy's `astype(np.int32)` on x86-64: truncation toward zero, out-of-range and NaN give
/// the "integer indefinite" value `i32::MIN`.
fn to_int32(v: f64) -> i32 {
    if v.is_nan() || v >= 2_147_483_648.0 || v <= -2_147_483_649.0 { i32::MIN } else { v.trunc() as i32 }
}

/// T: for each footprint (the mapped edge pixels of one chip, see [`edge_pixels`]), add 1 over
/// the rasterised polygon; `shape` = (rows, cols) of the product. Chips entirely off the grid
/// (all x ≤ 0 or all x beyond the last column, likewise in y) are skipped, as are chips whose
/// clipped sub-box is empty. Counts wrap like numpy int16.
pub fn overlap_count(footprints: &[Vec<[f64; 2]>], shape: (usize, usize)) -> Array2<i16> {
    let (ny, nx) = shape;
    let mut total = Array2::<i16>::zeros(shape);
    if ny == 0 || nx == 0 {
        return total;
    }
    let (last_x, last_y) = ((nx - 1).min(i32::MAX as usize) as i32, (ny - 1).min(i32::MAX as usize) as i32);
    for footprint in footprints {
        if footprint.is_empty() {
            continue;
        }
        let xs: Vec<i32> = footprint.iter().map(|p| to_int32(p[0])).collect();
        let ys: Vec<i32> = footprint.iter().map(|p| to_int32(p[1])).collect();
        let (min_x, max_x) = (xs.iter().copied().min().unwrap_or(0), xs.iter().copied().max().unwrap_or(0));
        let (min_y, max_y) = (ys.iter().copied().min().unwrap_or(0), ys.iter().copied().max().unwrap_or(0));
        if max_x <= 0 || min_x > last_x || max_y <= 0 || min_y > last_y {
            continue;
        }
        let xs: Vec<i32> = xs.into_iter().map(|x| x.clamp(0, last_x)).collect();
        let ys: Vec<i32> = ys.into_iter().map(|y| y.clamp(0, last_y)).collect();
        let (x0, x1) = (*xs.iter().min().unwrap_or(&0), *xs.iter().max().unwrap_or(&0));
        let (y0, y1) = (*ys.iter().min().unwrap_or(&0), *ys.iter().max().unwrap_or(&0));
        let (sub_nx, sub_ny) = ((x1 - x0) as usize, (y1 - y0) as usize);
        if sub_nx == 0 || sub_ny == 0 {
            continue;
        }
        let polygon: Vec<(i32, i32)> = xs.iter().zip(&ys).map(|(&x, &y)| (x - x0, y - y0)).collect();
        let mut blank = Array2::<u8>::zeros((sub_ny, sub_nx));
        fill_polygon(&mut blank, &polygon);
        let mut sub = total.slice_mut(s![y0 as usize..y1 as usize, x0 as usize..x1 as usize]);
        sub.zip_mut_with(&blank, |t, &b| *t = t.wrapping_add(i16::from(b)));
    }
    total
}
