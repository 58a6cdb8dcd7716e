//! Which input pixels a drizzle call processes: the input box is mapped to the output
//! frame, clipped by the output image, mapped back, and scanned row by row (drizzle's
//! image scanner). Reproduced exactly, because it decides which pixels at the output
//! edges contribute.

use crate::pixmap::{MAX_INV_ERR, MapLookup, Section, invert, map_point};
use crate::polygon::{Polygon, VERTEX_ATOL, Vertex};

#[derive(Debug, Clone, Copy)]
struct Edge {
    v2: Vertex,
    m: f64,
    c: f64,
}

impl Edge {
    /// `side` is −1 for a left edge, +1 for a right edge; `c` is shifted so that whole
    /// pixels fit inside the edge.
    fn new(v1: Vertex, v2: Vertex, side: f64) -> Edge {
        let m = (v2.x - v1.x) / (v2.y - v1.y);
        let b = (v1.x * v2.y - v1.y * v2.x) / (v2.y - v1.y);
        let c = b - (0.5 + 0.5 * m.abs()).copysign(side);
        Edge { v2, m, c }
    }
}

/// The rows to process and, for each, the inclusive column range.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScanPlan {
    pub rows: Vec<(usize, usize, usize)>,
    /// The scanner polygon in the input frame (used to estimate the pixel-scale ratio).
    pub polygon: Polygon,
}

struct Scanner {
    left: Vec<Edge>,
    right: Vec<Edge>,
    il: Option<usize>,
    ir: Option<usize>,
    min_y: f64,
    max_y: f64,
    bbox: Section,
}

fn wrap(a: i64, n: usize) -> usize {
    (a + n as i64).rem_euclid(n as i64) as usize
}

impl Scanner {
    fn new(p: &Polygon, bbox: Section) -> Option<Scanner> {
        let v = &p.v;
        let n = v.len();
        if n < 3 {
            return None;
        }
        let mut min_y = v[0].y;
        let mut min_left = 0usize;
        for (k, p) in v.iter().enumerate().skip(1) {
            if p.y < min_y {
                min_left = k;
                min_y = p.y;
            }
        }
        let (i1, i2) = (wrap(min_left as i64 - 1, n), wrap(min_left as i64 + 1, n));
        let mut min_right = if v[i1].y < v[i2].y { i1 } else { i2 };
        if v[min_right].y <= min_y * (1.0 + VERTEX_ATOL.copysign(min_y)) {
            if v[min_left].x > v[min_right].x {
                std::mem::swap(&mut min_left, &mut min_right);
            }
        } else {
            min_right = min_left;
        }
        let mut max_y = v[0].y;
        let mut max_right = 0usize;
        for (k, p) in v.iter().enumerate().skip(1) {
            if p.y > max_y {
                max_right = k;
                max_y = p.y;
            }
        }
        let (i1, i2) = (wrap(max_right as i64 - 1, n), wrap(max_right as i64 + 1, n));
        let mut max_left = if v[i1].y > v[i2].y { i1 } else { i2 };
        if v[max_left].y >= max_y * (1.0 - VERTEX_ATOL.copysign(max_y)) {
            if v[max_left].x > v[max_right].x {
                std::mem::swap(&mut max_left, &mut max_right);
            }
        } else {
            max_left = max_right;
        }
        let mut min_left = min_left as i64;
        if max_left as i64 > min_left {
            min_left += n as i64;
        }
        let nleft = min_left - max_left as i64;
        let left = (0..nleft.max(0))
            .map(|k| {
                let i1 = wrap(min_left - k, n);
                let i2 = wrap(i1 as i64 - 1, n);
                Edge::new(v[i1], v[i2], -1.0)
            })
            .collect::<Vec<_>>();
        let mut max_right = max_right as i64;
        if max_right < min_right as i64 {
            max_right += n as i64;
        }
        let nright = max_right - min_right as i64;
        let right = (0..nright.max(0))
            .map(|k| {
                let i1 = wrap(min_right as i64 + k, n);
                let i2 = wrap(i1 as i64 + 1, n);
                Edge::new(v[i1], v[i2], 1.0)
            })
            .collect::<Vec<_>>();
        let il = (!left.is_empty()).then_some(0);
        let ir = (!right.is_empty()).then_some(0);
        Some(Scanner { left, right, il, ir, min_y, max_y, bbox })
    }

    fn end(&mut self) -> Limits {
        self.il = None;
        self.ir = None;
        Limits::Ended
    }

    /// Column limits of row `y` (rows must be asked for in increasing order).
    fn limits(&mut self, y: i64) -> Limits {
        if self.bbox.ymax >= self.bbox.ymin && (y < 0 || y > self.bbox.ymax) {
            return Limits::Skip;
        }
        let yf = y as f64;
        let (pyb, pyt) = (yf - 0.5, yf + 0.5);
        if pyt <= self.min_y || pyb >= self.max_y + 1.0 {
            return Limits::Skip;
        }
        let (Some(mut l), Some(mut r)) = (self.il, self.ir) else { return Limits::Ended };
        while pyb > self.left[l].v2.y {
            if l + 1 == self.left.len() {
                return self.end();
            }
            l += 1;
        }
        while pyb > self.right[r].v2.y {
            if r + 1 == self.right.len() {
                return self.end();
            }
            r += 1;
        }
        let mut xlb = self.left[l].m * yf + self.left[l].c - MAX_INV_ERR;
        let mut xrb = self.right[r].m * yf + self.right[r].c + MAX_INV_ERR;
        while pyt > self.left[l].v2.y + 0.5 + MAX_INV_ERR {
            if l + 1 == self.left.len() {
                return self.end();
            }
            l += 1;
        }
        while pyt > self.right[r].v2.y + 0.5 + MAX_INV_ERR {
            if r + 1 == self.right.len() {
                return self.end();
            }
            r += 1;
        }
        self.il = Some(l);
        self.ir = Some(r);
        let mut xlt = self.left[l].m * yf + self.left[l].c - MAX_INV_ERR;
        let mut xrt = self.right[r].m * yf + self.right[r].c + MAX_INV_ERR;
        if self.bbox.xmax >= self.bbox.xmin {
            let (xmin, xmax) = (self.bbox.xmin as f64, self.bbox.xmax as f64);
            xlb = xlb.max(xmin);
            xlt = xlt.max(xmin);
            xrb = xrb.min(xmax);
            xrt = xrt.min(xmax);
        }
        // NaN limits (degenerate edges) compare false everywhere, as in C.
        let (x1, x2) = if xlt >= xrt {
            if xlb >= xrb {
                return Limits::Skip;
            }
            (xlb.round(), xrb.round())
        } else if xlb >= xrb {
            (xlt.round(), xrt.round())
        } else {
            (if xlb > xlt { xlb } else { xlt }.round(), if xrb < xrt { xrb } else { xrt }.round())
        };
        Limits::Columns(x1 as i64, x2 as i64)
    }
}

enum Limits {
    Columns(i64, i64),
    Skip,
    Ended,
}

/// Build the scan plan for input box `bbox` of `map` into an `onx` × `ony` output.
pub(crate) fn plan(map: &(impl MapLookup + ?Sized), bbox: Section, onx: usize, ony: usize) -> ScanPlan {
    let rect = Polygon {
        v: vec![
            Vertex { x: bbox.xmin as f64 - 0.5, y: bbox.ymin as f64 - 0.5 },
            Vertex { x: bbox.xmax as f64 + 0.5, y: bbox.ymin as f64 - 0.5 },
            Vertex { x: bbox.xmax as f64 + 0.5, y: bbox.ymax as f64 + 0.5 },
            Vertex { x: bbox.xmin as f64 - 0.5, y: bbox.ymax as f64 + 0.5 },
        ],
    };
    let polygon = scanner_polygon(map, &rect, bbox, onx, ony);
    let Some(mut scanner) = Scanner::new(&polygon, bbox) else {
        return ScanPlan { rows: Vec::new(), polygon };
    };
    let ymin = ((scanner.min_y + 0.5 + 2.0 * MAX_INV_ERR) as i64).max(0);
    let ymax = bbox.ymax.min((scanner.max_y + 2.0 * MAX_INV_ERR) as i64);
    let mut rows = Vec::new();
    for j in ymin..=ymax {
        match scanner.limits(j) {
            Limits::Ended => break,
            Limits::Skip => continue,
            Limits::Columns(x1, x2) => {
                // Limits are clamped to the box, so they are valid columns.
                if x1 <= x2 && x1 >= 0 && j >= 0 {
                    rows.push((j as usize, x1 as usize, x2 as usize));
                }
            }
        }
    }
    ScanPlan { rows, polygon }
}

/// The input-frame polygon the scanner walks: the box mapped to the output, clipped
/// to the output image and mapped back; the box itself when mapping fails, and a
/// partial polygon when the inversion fails part-way (drizzle 3.0's behaviour).
fn scanner_polygon(map: &(impl MapLookup + ?Sized), rect: &Polygon, bbox: Section, onx: usize, ony: usize) -> Polygon {
    let mut mapped = Polygon::default();
    for v in &rect.v {
        match map_point(map, v.x, v.y, &bbox) {
            Some([x, y]) => mapped.v.push(Vertex { x, y }),
            None => return rect.clone(),
        }
    }
    let (w, h) = (onx as f64 - 0.5, ony as f64 - 0.5);
    let mut window = Polygon {
        v: vec![Vertex { x: -0.5, y: -0.5 }, Vertex { x: w, y: -0.5 }, Vertex { x: w, y: h }, Vertex { x: -0.5, y: h }],
    };
    let Some(clipped) = mapped.clip(&mut window) else { return rect.clone() };
    let mut back = Polygon::default();
    for v in &clipped.v {
        match invert(map, v.x, v.y, &bbox) {
            Some([x, y]) => back.append(Vertex { x, y }),
            None => return back,
        }
    }
    back.orient_ccw();
    back
}
