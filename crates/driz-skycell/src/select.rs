//! Which sky cells an exposure overlaps, decided as drizzlepac's `get_sky_cells` does for
//! a single exposure (`GridDefs.get_projection_cells` + `ProjectionCell.find_sky_cells`):
//!
//! 1. Bands: every band whose `[DEC_MIN, DEC_MAX]` holds *all* outline declinations.
//! 2. Candidate projection cells in a band: the cell indices `rint(RA·NBAND/360) mod NBAND`
//!    of the outline points, plus one below the smallest (not below 0: no wrap) and one
//!    above the largest (wrapping to 0), in ascending order; a candidate is kept when its
//!    plane rectangle overlaps the exposure's north-up bounding rectangle with positive area.
//! 3. Sky cells of a kept projection cell: a rough 1-based index range from the outline's
//!    extent (`trunc(p/21954 + 1.5)`, widened by −1/+2, clamped to 1..=21), then every
//!    cell in the range whose pixel box `[0, 21954]²` (sky-cell 0-based pixels) holds a
//!    piece of the outline, X outer, Y inner.
//!
//! Only the outline counts, not the interior: drizzlepac tests the edge pixels of the
//! footprint mask, and a sky cell (~14') is larger than any HST field of view.

use crate::footprint::Footprint;
use crate::grid::{BANDS, Band, ProjectionCell, SKY_CELL_PIXELS, SKY_CELLS_PER_SIDE, sky_cell_start};
use crate::{SkyCellError, SkyCellName};

pub(crate) fn select(footprint: &Footprint) -> Result<Vec<SkyCellName>, SkyCellError> {
    let rectangle = footprint.bounding_rectangle()?;
    let mut names = Vec::new();
    for band in bands(footprint) {
        for index in candidate_indices(footprint, band) {
            let cell = ProjectionCell::new(band, index)?;
            if overlaps_cell(&cell, &rectangle) {
                sky_cells_in(&cell, footprint, &mut names);
            }
        }
    }
    Ok(names)
}

fn bands<'a>(footprint: &'a Footprint) -> impl Iterator<Item = &'static Band> + 'a {
    BANDS.iter().filter(move |b| footprint.points().all(|(_, dec)| dec >= b.dec_min && dec <= b.dec_max))
}

fn candidate_indices(footprint: &Footprint, band: &Band) -> Vec<u32> {
    let nband = i64::from(band.nband);
    let mut indices: Vec<i64> = footprint
        .points()
        .map(|(ra, _)| (ra.rem_euclid(360.0) * nband as f64 / 360.0).round_ties_even() as i64)
        .map(|i| i.rem_euclid(nband))
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let (Some(&low), Some(&high)) = (indices.first(), indices.last()) else { return Vec::new() };
    indices.push((low - 1).max(0));
    indices.push((high + 1).rem_euclid(nband));
    indices.sort_unstable();
    indices.dedup();
    indices.into_iter().map(|i| i as u32).collect()
}

/// Whether the projection cell's footprint (pixel edges, 0-based `[-0.5, N-0.5]`) and the
/// exposure's bounding rectangle overlap with positive area. Both are bounded by great
/// circles, straight lines in the cell's gnomonic plane, so this is a convex-polygon test.
fn overlaps_cell(cell: &ProjectionCell, rectangle: &[(f64, f64); 4]) -> bool {
    let mut quad = [(0.0, 0.0); 4];
    for (q, &(ra, dec)) in quad.iter_mut().zip(rectangle) {
        match cell.pixel(ra, dec) {
            Some(p) => *q = p,
            None => return false,
        }
    }
    let (lo, hi) = (-0.5, f64::from(crate::grid::PROJECTION_CELL_PIXELS) - 0.5);
    let square = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)];
    convex_overlap(&quad, &square)
}

/// Separating-axis test for two convex polygons; touching counts as apart.
fn convex_overlap(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    let separated_by_edges_of = |p: &[(f64, f64)]| {
        (0..p.len()).any(|i| {
            let (x0, y0) = p[i];
            let (x1, y1) = p[(i + 1) % p.len()];
            let axis = (y0 - y1, x1 - x0);
            let project = |q: &[(f64, f64)]| {
                q.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &(x, y)| {
                    let d = x * axis.0 + y * axis.1;
                    (lo.min(d), hi.max(d))
                })
            };
            let ((alo, ahi), (blo, bhi)) = (project(a), project(b));
            ahi <= blo || bhi <= alo
        })
    };
    !separated_by_edges_of(a) && !separated_by_edges_of(b)
}

fn sky_cells_in(cell: &ProjectionCell, footprint: &Footprint, names: &mut Vec<SkyCellName>) {
    let outlines: Vec<Vec<(f64, f64)>> =
        footprint.outlines.iter().map(|o| o.iter().filter_map(|&(ra, dec)| cell.pixel(ra, dec)).collect()).collect();
    let side = f64::from(SKY_CELL_PIXELS);
    // drizzlepac's first guess divides by the sky-cell size (not the step) and truncates.
    let guess = |p: f64| (p / side + 1.5) as i64;
    let (mut gx0, mut gx1, mut gy0, mut gy1) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for &(x, y) in outlines.iter().flatten() {
        gx0 = gx0.min(guess(x));
        gx1 = gx1.max(guess(x));
        gy0 = gy0.min(guess(y));
        gy1 = gy1.max(guess(y));
    }
    if gx0 > gx1 {
        return;
    }
    let n = i64::from(SKY_CELLS_PER_SIDE);
    let (x_first, x_last) = ((gx0 - 1).max(1), (gx1 + 2).min(n));
    let (y_first, y_last) = ((gy0 - 1).max(1), (gy1 + 2).min(n));
    for xi in x_first..=x_last {
        for yi in y_first..=y_last {
            let (x0, y0) = (sky_cell_start(xi as u32), sky_cell_start(yi as u32));
            let bounds = [x0, x0 + side, y0, y0 + side];
            if outlines.iter().any(|o| outline_touches(o, bounds)) {
                names.push(SkyCellName { projection_cell: cell.id, x: xi as u32, y: yi as u32 });
            }
        }
    }
}

/// Whether any point of the closed polyline lies in the box `[x0, x1] × [y0, y1]`.
fn outline_touches(outline: &[(f64, f64)], [x0, x1, y0, y1]: [f64; 4]) -> bool {
    let inside = |(x, y): (f64, f64)| x >= x0 && x <= x1 && y >= y0 && y <= y1;
    if outline.iter().any(|&p| inside(p)) {
        return true;
    }
    (0..outline.len()).any(|i| segment_crosses_box(outline[i], outline[(i + 1) % outline.len()], [x0, x1, y0, y1]))
}

/// Liang–Barsky clipping of the segment a→b against the box.
fn segment_crosses_box(a: (f64, f64), b: (f64, f64), [x0, x1, y0, y1]: [f64; 4]) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [(-dx, a.0 - x0), (dx, x1 - a.0), (-dy, a.1 - y0), (dy, y1 - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}
