//! Pillow 13's filled-polygon rasteriser (`ImageDraw.polygon(xy, fill=1, outline=1)` on an `L`
//! image; the outline equals the fill ink, so Pillow draws only the fill), which drizzlepac's
//! `SkyFootprint.build` uses for each chip footprint. Reproduced step for step: the edge list
//! with merged runs of collinear horizontal edges, horizontal edges drawn as lines, a scan line
//! per integer row with float32 intersections, the "corner connection" adjustment, and spans
//! from round-half-up of the left to round-half-down of the right intersection.

use std::collections::BTreeSet;

use ndarray::Array2;

#[derive(Debug, Clone, Copy)]
struct Edge {
    xmin: i32,
    xmax: i32,
    ymin: i32,
    ymax: i32,
    x0: i32,
    y0: i32,
    dx: f32,
}

impl Edge {
    fn new(x0: i32, y0: i32, x1: i32, y1: i32) -> Edge {
        let dx = if y0 == y1 { 0.0 } else { (x1 - x0) as f32 / (y1 - y0) as f32 };
        Edge { xmin: x0.min(x1), xmax: x0.max(x1), ymin: y0.min(y1), ymax: y0.max(y1), x0, y0, dx }
    }

    /// Intersection with row `y`, in Pillow's float32 arithmetic.
    fn x_at(&self, y: i32) -> f32 {
        (y - self.y0) as f32 * self.dx + self.x0 as f32
    }
}

/// Pillow's edge list: consecutive horizontal edges running the same way are merged.
fn edge_list(xy: &[(i32, i32)]) -> Vec<Edge> {
    let mut edges: Vec<Edge> = Vec::with_capacity(xy.len());
    let count = xy.len();
    for i in 0..count.saturating_sub(1) {
        let (x0, y0) = xy[i];
        let (x1, y1) = xy[i + 1];
        if y0 == y1 && i != 0 && y0 == xy[i - 1].1 {
            let prev_x = xy[i - 1].0;
            if let Some(last) = edges.last_mut() {
                if x1 > x0 && x0 > prev_x {
                    last.xmax = x1;
                    continue;
                } else if x1 < x0 && x0 < prev_x {
                    last.xmin = x1;
                    continue;
                }
            }
        }
        edges.push(Edge::new(x0, y0, x1, y1));
    }
    if let (Some(&last), Some(&first)) = (xy.last(), xy.first())
        && last != first
    {
        edges.push(Edge::new(last.0, last.1, first.0, first.1));
    }
    edges
}

/// Pillow's `ROUND_UP` / `ROUND_DOWN`: the non-negative branch adds ±0.5 in float32, the negative
/// one goes through C's double `fabs`, so it adds in float64.
fn round_up(f: f32) -> i32 {
    if f >= 0.0 { (f + 0.5).floor() as i32 } else { -((f64::from(f).abs() + 0.5).floor() as i32) }
}
fn round_down(f: f32) -> i32 {
    if f >= 0.0 { (f - 0.5).ceil() as i32 } else { -((f64::from(f).abs() - 0.5).ceil() as i32) }
}

/// Pillow's `hline8`: set pixels x0..=x1 of row y, clipped to the image.
fn hline(img: &mut Array2<u8>, x0: i32, y: i32, x1: i32) {
    let (ny, nx) = (img.nrows() as i32, img.ncols() as i32);
    if y < 0 || y >= ny || x1 < 0 || x0 >= nx {
        return;
    }
    let (a, b) = (x0.max(0), x1.min(nx - 1));
    for x in a..=b {
        img[[y as usize, x as usize]] = 1;
    }
}

/// Fill the polygon with vertices `xy` (x, y integer pixel positions) into `img` (rows = y).
pub fn fill_polygon(img: &mut Array2<u8>, xy: &[(i32, i32)]) {
    if xy.is_empty() {
        return;
    }
    let edges = edge_list(xy);
    let ysize = img.nrows() as i32;
    let mut ymin = ysize - 1;
    let mut ymax = 0;
    let mut table: Vec<Edge> = Vec::with_capacity(edges.len());
    for e in &edges {
        ymin = ymin.min(e.ymin);
        ymax = ymax.max(e.ymax);
        if e.ymin == e.ymax {
            hline(img, e.xmin, e.ymin, e.xmax);
        } else {
            table.push(*e);
        }
    }
    let ymin = ymin.max(0);
    let ymax = ymax.min(ysize);
    if ymin > ymax {
        return;
    }
    // Edges crossing each row, kept in table order (the order Pillow scans them in).
    let mut by_start: Vec<usize> = (0..table.len()).collect();
    by_start.sort_by_key(|&i| table[i].ymin);
    let mut next_start = 0;
    let mut active: BTreeSet<usize> = BTreeSet::new();
    let mut xx: Vec<f32> = Vec::with_capacity(2 * table.len());
    for y in ymin..=ymax {
        while next_start < by_start.len() && table[by_start[next_start]].ymin <= y {
            active.insert(by_start[next_start]);
            next_start += 1;
        }
        active.retain(|&i| table[i].ymax >= y);
        xx.clear();
        for &i in &active {
            let cur = table[i];
            xx.push(cur.x_at(y));
            if y == cur.ymax && y < ymax {
                // A vertex where an edge ends counts twice, for consistent spans.
                xx.push(cur.x_at(y));
            } else if (y == cur.ymin || y == cur.ymax) && cur.dx != 0.0 {
                connect_corner(&table, &active, i, y, &mut xx);
            }
        }
        xx.sort_by(f32::total_cmp);
        for pair in xx.chunks_exact(2) {
            hline(img, round_up(pair[0]), y, round_down(pair[1]));
        }
    }
}

/// Pillow's adjustment of an intersection at a vertex shared with an earlier slanted edge, so
/// that discontiguous corners are joined: pulls the intersection to one pixel beyond the nearer
/// of the two edges' intersections with the neighbouring row.
fn connect_corner(table: &[Edge], active: &BTreeSet<usize>, i: usize, y: i32, xx: &mut [f32]) {
    let cur = table[i];
    let last = xx.len() - 1;
    for &k in active.range(..i) {
        let other = table[k];
        if (y != other.ymin && y != other.ymax) || other.dx == 0.0 {
            continue;
        }
        if xx[last].round() != other.x_at(y).round() {
            continue;
        }
        let offset = if y == cur.ymax { -1 } else { 1 };
        let adjacent = cur.x_at(y + offset);
        if y + offset >= other.ymin && y + offset <= other.ymax {
            let adjacent_other = other.x_at(y + offset);
            if xx[last] > adjacent + 1.0 && xx[last] > adjacent_other + 1.0 {
                xx[last] = adjacent.max(adjacent_other).round() + 1.0;
            } else if xx[last] < adjacent - 1.0 && xx[last] < adjacent_other - 1.0 {
                xx[last] = adjacent.min(adjacent_other).round() - 1.0;
            }
            break;
        }
    }
}
