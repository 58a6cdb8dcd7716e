//! `scipy.ndimage.zoom(mesh, box, order=3, mode='reflect', grid_mode=True)` for a float32
//! mesh, as photutils' `BkgZoomInterpolator` expands the background mesh.
//!
//! The mesh is prefiltered into cubic B-spline coefficients in float64 (axis 0 then axis 1,
//! half-sample-symmetric boundary), output pixel k samples the mesh at
//! `(k + 0.5) · (n_in / n_out) − 0.5`, reflected about −0.5 and n_in − 0.5 when outside, and
//! the result is rounded to float32.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

const POLE: f64 = -0.267_949_192_431_122_7; // sqrt(3) - 2

/// Half-sample-symmetric ("reflect") index folding for integer positions.
fn reflect_index(idx: i64, len: i64) -> usize {
    if len <= 1 {
        return 0;
    }
    let period = 2 * len;
    let mut i = idx;
    if i < 0 {
        if i < -period {
            i += period * ((-i) / period);
        }
        i = if i < -len { i + period } else { -i - 1 };
    } else if i > len - 1 {
        i -= period * (i / period);
        if i >= len {
            i = period - i - 1;
        }
    }
    i as usize
}

/// scipy's mapping of a real coordinate into the "reflect" domain.
fn reflect_coordinate(x: f64, len: usize) -> f64 {
    let len_f = len as f64;
    if len <= 1 {
        return 0.0;
    }
    let period = 2 * len as i64;
    let mut c = x;
    if c < 0.0 {
        if c < -(period as f64) {
            c += (period * ((-c / period as f64) as i64)) as f64;
        }
        c = if c < -len_f { c + period as f64 } else { (if c > -1e-15 { 1e-15 } else { -c }) - 1.0 };
    } else if c > len_f - 1.0 {
        c -= (period * ((c / period as f64) as i64)) as f64;
        if c >= len_f {
            c = period as f64 - c - 1.0;
        }
    }
    c
}

/// In-place cubic B-spline prefilter of one line with the "reflect" boundary initialisation.
fn prefilter_line(c: &mut [f64]) {
    let n = c.len();
    if n <= 1 {
        return;
    }
    let z = POLE;
    let gain = (1.0 - z) * (1.0 - 1.0 / z);
    for v in c.iter_mut() {
        *v *= gain;
    }
    // causal initialisation
    let z_n = z.powf(n as f64);
    let c0 = c[0];
    let mut acc = c[0] + z_n * c[n - 1];
    let mut z_i = z;
    for i in 1..n {
        // scipy accumulates in c[0] itself, so its last term reads the running sum
        let mirrored = if n - 1 - i == 0 { acc } else { c[n - 1 - i] };
        acc += z_i * (c[i] + z_n * mirrored);
        z_i *= z;
    }
    c[0] = acc * (z / (1.0 - z_n * z_n)) + c0;
    for i in 1..n {
        c[i] += z * c[i - 1];
    }
    c[n - 1] *= z / (z - 1.0);
    for i in (0..n - 1).rev() {
        c[i] = z * (c[i + 1] - c[i]);
    }
}

fn cubic_weights(x: f64) -> [f64; 4] {
    let t = x - x.floor();
    let y = t;
    let z = 1.0 - t;
    let w1 = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
    let w2 = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
    let w0 = z * z * z / 6.0;
    let w3 = 1.0 - w0 - w1 - w2;
    [w0, w1, w2, w3]
}

struct AxisPlan {
    indices: Vec<[usize; 4]>,
    weights: Vec<[f64; 4]>,
}

fn plan_axis(n_in: usize, n_out: usize, keep: usize) -> AxisPlan {
    let zoom = n_in as f64 / n_out as f64;
    let mut indices = Vec::with_capacity(keep);
    let mut weights = Vec::with_capacity(keep);
    for k in 0..keep {
        let c = reflect_coordinate(((k as f64) + 0.5) * zoom - 0.5, n_in);
        let start = c.floor() as i64 - 1;
        let mut idx = [0usize; 4];
        for (h, slot) in idx.iter_mut().enumerate() {
            *slot = reflect_index(start + h as i64, n_in as i64);
        }
        indices.push(idx);
        weights.push(cubic_weights(c));
    }
    AxisPlan { indices, weights }
}

/// Spline coefficients of the whole mesh (float64), filtered along axis 0 then axis 1.
fn spline_coefficients(mesh: ArrayView2<f32>) -> Array2<f64> {
    let (ny, nx) = mesh.dim();
    let mut coef = mesh.mapv(|v| v as f64);
    let mut column = vec![0.0; ny];
    for x in 0..nx {
        for y in 0..ny {
            column[y] = coef[[y, x]];
        }
        prefilter_line(&mut column);
        for y in 0..ny {
            coef[[y, x]] = column[y];
        }
    }
    for mut row in coef.rows_mut() {
        let line = row.as_slice_mut().expect("owned standard layout");
        prefilter_line(line);
    }
    coef
}

/// Zooms `mesh` by `box_size` per axis and keeps the first `shape` rows/columns.
pub fn zoom_mesh(mesh: ArrayView2<f32>, box_size: (usize, usize), shape: (usize, usize)) -> Array2<f32> {
    let (ny, nx) = mesh.dim();
    let coef = spline_coefficients(mesh);
    let plan_y = plan_axis(ny, ny * box_size.0, shape.0);
    let plan_x = plan_axis(nx, nx * box_size.1, shape.1);
    let mut out = Array2::<f32>::zeros(shape);
    out.axis_iter_mut(ndarray::Axis(0)).into_par_iter().enumerate().for_each(|(oy, mut row)| {
        let iy = &plan_y.indices[oy];
        let wy = &plan_y.weights[oy];
        for (ox, o) in row.iter_mut().enumerate() {
            let ix = &plan_x.indices[ox];
            let wx = &plan_x.weights[ox];
            let mut t = 0.0;
            for a in 0..4 {
                for b in 0..4 {
                    t += coef[[iy[a], ix[b]]] * wy[a] * wx[b];
                }
            }
            *o = t as f32;
        }
    });
    out
}
