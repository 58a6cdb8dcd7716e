//! Small convex-polygon geometry for the image scanner: orientation, Sutherland–Hodgman
//! clipping, vertex de-duplication and simplification, with drizzle's tolerances.

pub(crate) const VERTEX_ATOL: f64 = 1.0e-12;
const APPROX_ZERO: f64 = 1.0e3 * f64::MIN_POSITIVE;
/// drizzle's fixed polygon capacity (2 × IMAGE_OUTLINE_NPTS).
const MAX_VERTICES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Vertex {
    pub x: f64,
    pub y: f64,
}

fn area(a: Vertex, b: Vertex) -> f64 {
    a.x * b.y - a.y * b.x
}

fn equal(a: Vertex, b: Vertex) -> bool {
    (a.x - b.x).abs() < VERTEX_ATOL && (a.y - b.y).abs() < VERTEX_ATOL
}

/// `(v − v_) × (pt − v_) > 0`, evaluated as drizzle does.
fn strictly_inside(pt: Vertex, v_: Vertex, v: Vertex) -> bool {
    area(v, pt) - area(v_, pt) - area(v, v_) > 0.0
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Polygon {
    pub v: Vec<Vertex>,
}

impl Polygon {
    /// Append unless equal (within 1e-12) to the last or the first vertex, or full.
    pub fn append(&mut self, v: Vertex) {
        if let Some(&last) = self.v.last()
            && (equal(last, v) || equal(self.v[0], v))
        {
            return;
        }
        if self.v.len() < MAX_VERTICES {
            self.v.push(v);
        }
    }

    /// Reverse the vertex order if the polygon is clockwise (judged from its first two
    /// vertices relative to the vertex mean).
    pub fn orient_ccw(&mut self) {
        let n = self.v.len();
        if n < 3 {
            return;
        }
        let (mut cx, mut cy) = (0.0, 0.0);
        for p in &self.v {
            cx += p.x;
            cy += p.y;
        }
        cx /= n as f64;
        cy /= n as f64;
        let v1 = Vertex { x: self.v[0].x - cx, y: self.v[0].y - cy };
        let v2 = Vertex { x: self.v[1].x - cx, y: self.v[1].y - cy };
        if area(v1, v2) < 0.0 {
            self.v.reverse();
        }
    }

    /// Drop vertices lying on the line through their neighbours.
    fn simplify(&mut self) {
        let n = self.v.len();
        if n < 3 {
            return;
        }
        let mut kept = Vec::with_capacity(n);
        let mut prev = self.v[n - 1];
        for k in 0..n {
            let cur = self.v[k];
            let next = self.v[(k + 1) % n];
            let dp = Vertex { x: next.x - prev.x, y: next.y - prev.y };
            let dq = Vertex { x: cur.x - prev.x, y: cur.y - prev.y };
            if area(dp, dq).abs() > APPROX_ZERO && (dp.x * dp.x + dp.y * dp.y).sqrt() > VERTEX_ATOL {
                kept.push(cur);
            }
            prev = cur;
        }
        self.v = kept;
    }

    /// Sutherland–Hodgman clip of `self` by the convex `window`; `None` when either has
    /// fewer than 3 vertices. Both are re-oriented counter-clockwise first.
    pub fn clip(&mut self, window: &mut Polygon) -> Option<Polygon> {
        if self.v.len() < 3 || window.v.len() < 3 {
            return None;
        }
        self.orient_ccw();
        window.orient_ccw();
        let mut current = self.clone();
        let nw = window.v.len();
        for k in 0..nw {
            let wv_ = window.v[(k + nw - 1) % nw];
            let wv = window.v[k];
            let dw = Vertex { x: wv.x - wv_.x, y: wv.y - wv_.y };
            let mut out = Polygon::default();
            let n = current.v.len();
            for j in 0..n {
                let pv_ = current.v[(j + n - 1) % n];
                let pv = current.v[j];
                let dp = Vertex { x: pv.x - pv_.x, y: pv.y - pv_.y };
                let in1 = strictly_inside(wv_, wv, pv_);
                let in2 = strictly_inside(wv_, wv, pv);
                if in1 != in2 {
                    let d = area(dp, dw);
                    let app_ = area(pv, pv_);
                    let aww_ = area(wv, wv_);
                    let vi = Vertex { x: (app_ * dw.x - aww_ * dp.x) / d, y: (app_ * dw.y - aww_ * dp.y) / d };
                    if vi.x.is_finite() && vi.y.is_finite() {
                        out.append(vi);
                    }
                    if in2 {
                        out.append(pv);
                    }
                } else if in1 {
                    out.append(pv);
                }
            }
            current = out;
        }
        current.orient_ccw();
        current.simplify();
        Some(current)
    }

    /// Signed area (shoelace).
    fn area(&self) -> f64 {
        let n = self.v.len();
        let mut a = 0.0;
        let mut j = n.wrapping_sub(1);
        for k in 0..n {
            a += (self.v[j].x + self.v[k].x) * (self.v[j].y - self.v[k].y);
            j = k;
        }
        0.5 * a
    }

    pub fn centroid(&self) -> Option<(f64, f64)> {
        let a = self.area();
        if a.abs() < APPROX_ZERO || self.v.len() < 3 {
            return None;
        }
        let n = self.v.len();
        let (mut sx, mut sy) = (0.0, 0.0);
        let mut j = n - 1;
        for k in 0..n {
            let f = self.v[j].x * self.v[k].y - self.v[k].x * self.v[j].y;
            sx += (self.v[j].x + self.v[k].x) * f;
            sy += (self.v[j].y + self.v[k].y) * f;
            j = k;
        }
        Some((sx / (6.0 * a), sy / (6.0 * a)))
    }
}
