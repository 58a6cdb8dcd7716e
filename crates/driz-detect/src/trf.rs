//! scipy's `least_squares(method='trf')` for bounded problems with the 'exact' trust-region
//! solver and a forward-difference Jacobian, as astropy's `TRFLSQFitter` drives it
//! (`xtol=1e-7`, `ftol=gtol=1e-8`, `diff_step=√ε`, `x_scale=1`). PSF fits of faint or
//! off-centre sources are ill-posed, so which optimum is reached depends on the path; the
//! path is reproduced step for step (Coleman–Li scaling, reflective steps, radius updates).

/// Outcome of a fit: parameters and scipy's termination status (0 = `max_nfev` reached).
pub struct TrfResult<const N: usize> {
    pub x: [f64; N],
    pub status: i32,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Thin SVD of an m×N matrix (rows) by one-sided Jacobi: (U columns, s descending, V).
fn svd<const N: usize>(a: &[[f64; N]]) -> (Vec<[f64; N]>, [f64; N], [[f64; N]; N]) {
    let m = a.len();
    let mut u: Vec<[f64; N]> = a.to_vec();
    let mut v = [[0.0; N]; N];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..N {
            for q in p + 1..N {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for row in u.iter() {
                    alpha += row[p] * row[p];
                    beta += row[q] * row[q];
                    gamma += row[p] * row[q];
                }
                if gamma.abs() <= 1e-15 * (alpha * beta).sqrt() || gamma == 0.0 {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for row in u.iter_mut() {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
                for row in v.iter_mut() {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut sv = [0.0; N];
    for (j, s) in sv.iter_mut().enumerate() {
        *s = u.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt();
    }
    let mut order: Vec<usize> = (0..N).collect();
    order.sort_by(|&i, &j| sv[j].total_cmp(&sv[i]));
    let mut s_sorted = [0.0; N];
    let mut v_sorted = [[0.0; N]; N];
    let mut u_sorted = vec![[0.0; N]; m];
    for (k, &j) in order.iter().enumerate() {
        s_sorted[k] = sv[j];
        for r in 0..N {
            v_sorted[r][k] = v[r][j];
        }
        for (r, row) in u.iter().enumerate() {
            u_sorted[r][k] = if sv[j] > 0.0 { row[j] / sv[j] } else { 0.0 };
        }
    }
    (u_sorted, s_sorted, v_sorted)
}

fn solve_lsq_trust_region<const N: usize>(
    m: usize,
    uf: &[f64; N],
    s: &[f64; N],
    v: &[[f64; N]; N],
    delta: f64,
    initial_alpha: f64,
) -> ([f64; N], f64) {
    let suf: Vec<f64> = (0..N).map(|i| s[i] * uf[i]).collect();
    let full_rank = m >= N && s[N - 1] > f64::EPSILON * m as f64 * s[0];
    let vdot = |w: &[f64]| -> [f64; N] {
        let mut p = [0.0; N];
        for (r, pr) in p.iter_mut().enumerate() {
            *pr = -(0..N).map(|k| v[r][k] * w[k]).sum::<f64>();
        }
        p
    };
    if full_rank {
        let w: Vec<f64> = (0..N).map(|i| uf[i] / s[i]).collect();
        let p = vdot(&w);
        if norm(&p) <= delta {
            return (p, 0.0);
        }
    }
    let phi_and_derivative = |alpha: f64| -> (f64, f64) {
        let denom: Vec<f64> = (0..N).map(|i| s[i] * s[i] + alpha).collect();
        let q: Vec<f64> = (0..N).map(|i| suf[i] / denom[i]).collect();
        let p_norm = norm(&q);
        let phi = p_norm - delta;
        let phi_prime = -(0..N).map(|i| suf[i] * suf[i] / denom[i].powi(3)).sum::<f64>() / p_norm;
        (phi, phi_prime)
    };
    let mut alpha_upper = norm(&suf) / delta;
    let mut alpha_lower = if full_rank {
        let (phi, phi_prime) = phi_and_derivative(0.0);
        -phi / phi_prime
    } else {
        0.0
    };
    let mut alpha = if !full_rank && initial_alpha == 0.0 {
        (0.001 * alpha_upper).max((alpha_lower * alpha_upper).sqrt())
    } else {
        initial_alpha
    };
    for _ in 0..10 {
        if alpha < alpha_lower || alpha > alpha_upper {
            alpha = (0.001 * alpha_upper).max((alpha_lower * alpha_upper).sqrt());
        }
        let (phi, phi_prime) = phi_and_derivative(alpha);
        if phi < 0.0 {
            alpha_upper = alpha;
        }
        let ratio = phi / phi_prime;
        alpha_lower = alpha_lower.max(alpha - ratio);
        alpha -= (phi + delta) * ratio / delta;
        if phi.abs() < 0.01 * delta {
            break;
        }
    }
    let w: Vec<f64> = (0..N).map(|i| suf[i] / (s[i] * s[i] + alpha)).collect();
    let mut p = vdot(&w);
    let scale = delta / norm(&p);
    for x in p.iter_mut() {
        *x *= scale;
    }
    (p, alpha)
}

fn step_size_to_bound<const N: usize>(x: &[f64; N], s: &[f64; N], lb: &[f64; N], ub: &[f64; N]) -> (f64, [i32; N]) {
    let mut steps = [f64::INFINITY; N];
    for i in 0..N {
        if s[i] != 0.0 {
            steps[i] = ((lb[i] - x[i]) / s[i]).max((ub[i] - x[i]) / s[i]);
        }
    }
    let min = steps.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hits = [0; N];
    for i in 0..N {
        if steps[i] == min {
            hits[i] = if s[i] > 0.0 {
                1
            } else if s[i] < 0.0 {
                -1
            } else {
                0
            };
        }
    }
    (min, hits)
}

fn intersect_trust_region(x: &[f64], s: &[f64], delta: f64) -> (f64, f64) {
    let a = dot(s, s);
    let b = dot(x, s);
    let c = dot(x, x) - delta * delta;
    let d = (b * b - a * c).sqrt();
    let q = -(b + d.copysign(b));
    let t1 = q / a;
    let t2 = c / q;
    if t1 < t2 { (t1, t2) } else { (t2, t1) }
}

struct Quadratic<'a, const N: usize> {
    j: &'a [[f64; N]],
    g: &'a [f64; N],
    diag: &'a [f64; N],
}

impl<const N: usize> Quadratic<'_, N> {
    fn jdot(&self, s: &[f64; N]) -> Vec<f64> {
        self.j.iter().map(|row| dot(row, s)).collect()
    }
    fn evaluate(&self, s: &[f64; N]) -> f64 {
        let js = self.jdot(s);
        let mut q = dot(&js, &js);
        q += (0..N).map(|i| s[i] * self.diag[i] * s[i]).sum::<f64>();
        0.5 * q + dot(s, self.g)
    }
    fn build_1d(&self, s: &[f64; N], s0: Option<&[f64; N]>) -> (f64, f64, f64) {
        let v = self.jdot(s);
        let mut a = dot(&v, &v);
        a += (0..N).map(|i| s[i] * self.diag[i] * s[i]).sum::<f64>();
        a *= 0.5;
        let mut b = dot(self.g, s);
        let mut c = 0.0;
        if let Some(s0) = s0 {
            let u = self.jdot(s0);
            b += dot(&u, &v);
            c = 0.5 * dot(&u, &u) + dot(self.g, s0);
            b += (0..N).map(|i| s0[i] * self.diag[i] * s[i]).sum::<f64>();
            c += 0.5 * (0..N).map(|i| s0[i] * self.diag[i] * s0[i]).sum::<f64>();
        }
        (a, b, c)
    }
}

fn minimize_quadratic_1d(a: f64, b: f64, lb: f64, ub: f64, c: f64) -> (f64, f64) {
    let mut t = vec![lb, ub];
    if a != 0.0 {
        let extremum = -0.5 * b / a;
        if lb < extremum && extremum < ub {
            t.push(extremum);
        }
    }
    let mut best = (t[0], t[0] * (a * t[0] + b) + c);
    for &ti in &t[1..] {
        let y = ti * (a * ti + b) + c;
        if y < best.1 {
            best = (ti, y);
        }
    }
    best
}

fn in_bounds<const N: usize>(x: &[f64; N], lb: &[f64; N], ub: &[f64; N]) -> bool {
    (0..N).all(|i| x[i] >= lb[i] && x[i] <= ub[i])
}

#[allow(clippy::too_many_arguments)]
fn select_step<const N: usize>(
    x: &[f64; N],
    quad: &Quadratic<N>,
    p: [f64; N],
    p_h: [f64; N],
    d: &[f64; N],
    delta: f64,
    lb: &[f64; N],
    ub: &[f64; N],
    theta: f64,
) -> ([f64; N], [f64; N], f64) {
    let add = |a: &[f64; N], b: &[f64; N]| -> [f64; N] { std::array::from_fn(|i| a[i] + b[i]) };
    if in_bounds(&add(x, &p), lb, ub) {
        return (p, p_h, -quad.evaluate(&p_h));
    }
    let (p_stride, hits) = step_size_to_bound(x, &p, lb, ub);
    let mut r_h = p_h;
    for i in 0..N {
        if hits[i] != 0 {
            r_h[i] *= -1.0;
        }
    }
    let mut r: [f64; N] = std::array::from_fn(|i| d[i] * r_h[i]);
    let mut p = p.map(|v| v * p_stride);
    let mut p_h = p_h.map(|v| v * p_stride);
    let x_on_bound = add(x, &p);
    let (_, to_tr) = intersect_trust_region(&p_h, &r_h, delta);
    let (to_bound, _) = step_size_to_bound(&x_on_bound, &r, lb, ub);
    let r_stride = to_bound.min(to_tr);
    let (r_stride_l, r_stride_u) = if r_stride > 0.0 {
        let l = (1.0 - theta) * p_stride / r_stride;
        let u = if r_stride == to_bound { theta * to_bound } else { to_tr };
        (l, u)
    } else {
        (0.0, -1.0)
    };
    let r_value = if r_stride_l <= r_stride_u {
        let (a, b, c) = quad.build_1d(&r_h, Some(&p_h));
        let (stride, value) = minimize_quadratic_1d(a, b, r_stride_l, r_stride_u, c);
        for i in 0..N {
            r_h[i] = r_h[i] * stride + p_h[i];
            r[i] = r_h[i] * d[i];
        }
        value
    } else {
        f64::INFINITY
    };
    p = p.map(|v| v * theta);
    p_h = p_h.map(|v| v * theta);
    let p_value = quad.evaluate(&p_h);
    let mut ag_h: [f64; N] = quad.g.map(|v| -v);
    let mut ag: [f64; N] = std::array::from_fn(|i| d[i] * ag_h[i]);
    let to_tr = delta / norm(&ag_h);
    let (to_bound, _) = step_size_to_bound(x, &ag, lb, ub);
    let ag_stride = if to_bound < to_tr { theta * to_bound } else { to_tr };
    let (a, b, _) = quad.build_1d(&ag_h, None);
    let (ag_stride, ag_value) = minimize_quadratic_1d(a, b, 0.0, ag_stride, 0.0);
    ag_h = ag_h.map(|v| v * ag_stride);
    ag = ag.map(|v| v * ag_stride);
    if p_value < r_value && p_value < ag_value {
        (p, p_h, -p_value)
    } else if r_value < p_value && r_value < ag_value {
        (r, r_h, -r_value)
    } else {
        (ag, ag_h, -ag_value)
    }
}

fn make_strictly_feasible<const N: usize>(x: &[f64; N], lb: &[f64; N], ub: &[f64; N], rstep: f64) -> [f64; N] {
    let mut out = *x;
    for i in 0..N {
        // scipy's find_active_constraints
        let (lower, upper) = if rstep == 0.0 {
            (x[i] <= lb[i], x[i] >= ub[i] && x[i] > lb[i])
        } else {
            let lower_dist = x[i] - lb[i];
            let upper_dist = ub[i] - x[i];
            let lower = lb[i].is_finite() && lower_dist <= upper_dist.min(rstep * lb[i].abs().max(1.0));
            let upper = ub[i].is_finite() && upper_dist <= lower_dist.min(rstep * ub[i].abs().max(1.0));
            (lower && !upper, upper)
        };
        if rstep == 0.0 {
            if upper {
                out[i] = next_toward(ub[i], lb[i]);
            } else if lower {
                out[i] = next_toward(lb[i], ub[i]);
            }
        } else if upper {
            out[i] = ub[i] - rstep * ub[i].abs().max(1.0);
        } else if lower {
            out[i] = lb[i] + rstep * lb[i].abs().max(1.0);
        }
        if out[i] < lb[i] || out[i] > ub[i] {
            out[i] = 0.5 * (lb[i] + ub[i]);
        }
    }
    out
}

fn next_toward(from: f64, to: f64) -> f64 {
    if from == to || from.is_nan() || to.is_nan() {
        return from;
    }
    if from == 0.0 {
        return if to > 0.0 { f64::from_bits(1) } else { -f64::from_bits(1) };
    }
    let bits = from.to_bits();
    let up = (to > from) == (from > 0.0);
    f64::from_bits(if up { bits + 1 } else { bits - 1 })
}

/// Forward-difference Jacobian as scipy's `approx_derivative(method='2-point',
/// rel_step=diff_step)` with one-sided bound adjustment.
fn jacobian<const N: usize, F>(
    fun: &F,
    x: &[f64; N],
    f0: &[f64],
    lb: &[f64; N],
    ub: &[f64; N],
    rel: f64,
) -> Vec<[f64; N]>
where
    F: Fn(&[f64; N]) -> Vec<f64>,
{
    let m = f0.len();
    let mut jac = vec![[0.0; N]; m];
    for i in 0..N {
        let sign = if x[i] >= 0.0 { 1.0 } else { -1.0 };
        let mut h = rel * sign * x[i].abs();
        if (x[i] + h) - x[i] == 0.0 {
            h = f64::EPSILON.sqrt() * sign * x[i].abs().max(1.0);
        }
        if lb[i].is_finite() || ub[i].is_finite() {
            let lower_dist = x[i] - lb[i];
            let upper_dist = ub[i] - x[i];
            let xt = x[i] + h;
            let violated = xt < lb[i] || xt > ub[i];
            let fitting = h.abs() <= lower_dist.max(upper_dist);
            if violated && fitting {
                h = -h;
            } else if !fitting {
                h = if upper_dist >= lower_dist { upper_dist } else { -lower_dist };
            }
        }
        let mut x1 = *x;
        x1[i] = x[i] + h;
        let dx = x1[i] - x[i];
        let f1 = fun(&x1);
        for r in 0..m {
            jac[r][i] = (f1[r] - f0[r]) / dx;
        }
    }
    jac
}

/// `least_squares(fun, x0, bounds=(lb, ub), method='trf', xtol, ftol, gtol, max_nfev,
/// diff_step)` for a residual function of N parameters.
#[allow(clippy::too_many_arguments)]
pub fn least_squares_trf<const N: usize, F>(
    fun: F,
    x0: [f64; N],
    lb: [f64; N],
    ub: [f64; N],
    ftol: f64,
    xtol: f64,
    gtol: f64,
    max_nfev: usize,
    diff_step: f64,
) -> TrfResult<N>
where
    F: Fn(&[f64; N]) -> Vec<f64>,
{
    let mut x = make_strictly_feasible(&x0, &lb, &ub, 1e-10);
    let mut f = fun(&x);
    let m = f.len();
    let mut jac = jacobian(&fun, &x, &f, &lb, &ub, diff_step);
    let mut nfev = 1;
    let mut cost = 0.5 * dot(&f, &f);
    let grad = |jac: &[[f64; N]], f: &[f64]| -> [f64; N] {
        std::array::from_fn(|i| jac.iter().zip(f).map(|(row, fr)| row[i] * fr).sum())
    };
    let mut g = grad(&jac, &f);
    let cl_scaling = |x: &[f64; N], g: &[f64; N]| -> ([f64; N], [f64; N]) {
        let mut v = [1.0; N];
        let mut dv = [0.0; N];
        for i in 0..N {
            if g[i] < 0.0 && ub[i].is_finite() {
                v[i] = ub[i] - x[i];
                dv[i] = -1.0;
            }
            if g[i] > 0.0 && lb[i].is_finite() {
                v[i] = x[i] - lb[i];
                dv[i] = 1.0;
            }
        }
        (v, dv)
    };
    let (v0, _) = cl_scaling(&x, &g);
    let mut delta = norm(&(0..N).map(|i| x[i] / v0[i].sqrt()).collect::<Vec<_>>());
    if delta == 0.0 {
        delta = 1.0;
    }
    let mut alpha = 0.0;
    let mut status: Option<i32> = None;
    loop {
        let (v, dv) = cl_scaling(&x, &g);
        let g_norm = (0..N).map(|i| (g[i] * v[i]).abs()).fold(0.0, f64::max);
        if g_norm < gtol {
            status = Some(1);
        }
        if status.is_some() || nfev == max_nfev {
            break;
        }
        let d: [f64; N] = std::array::from_fn(|i| v[i].sqrt());
        let diag_h: [f64; N] = std::array::from_fn(|i| g[i] * dv[i]);
        let g_h: [f64; N] = std::array::from_fn(|i| d[i] * g[i]);
        let j_h: Vec<[f64; N]> = jac.iter().map(|row| std::array::from_fn(|i| row[i] * d[i])).collect();
        let mut augmented = j_h.clone();
        for i in 0..N {
            let mut row = [0.0; N];
            row[i] = diag_h[i].sqrt();
            augmented.push(row);
        }
        let (u, s, vmat) = svd(&augmented);
        let uf: [f64; N] = std::array::from_fn(|k| (0..m).map(|r| u[r][k] * f[r]).sum());
        let theta = 0.995f64.max(1.0 - g_norm);
        let quad = Quadratic { j: &j_h, g: &g_h, diag: &diag_h };
        let mut actual_reduction = -1.0;
        let mut accepted: Option<([f64; N], Vec<f64>, f64)> = None;
        while actual_reduction <= 0.0 && nfev < max_nfev {
            let (p_h, new_alpha) = solve_lsq_trust_region(m, &uf, &s, &vmat, delta, alpha);
            alpha = new_alpha;
            let p: [f64; N] = std::array::from_fn(|i| d[i] * p_h[i]);
            let (step, step_h, predicted) = select_step(&x, &quad, p, p_h, &d, delta, &lb, &ub, theta);
            let trial: [f64; N] = std::array::from_fn(|i| x[i] + step[i]);
            let x_new = make_strictly_feasible(&trial, &lb, &ub, 0.0);
            let f_new = fun(&x_new);
            nfev += 1;
            let step_h_norm = norm(&step_h);
            if !f_new.iter().all(|v| v.is_finite()) {
                delta = 0.25 * step_h_norm;
                continue;
            }
            let cost_new = 0.5 * dot(&f_new, &f_new);
            actual_reduction = cost - cost_new;
            let ratio = if predicted > 0.0 {
                actual_reduction / predicted
            } else if predicted == 0.0 && actual_reduction == 0.0 {
                1.0
            } else {
                0.0
            };
            let delta_new = if ratio < 0.25 {
                0.25 * step_h_norm
            } else if ratio > 0.75 && step_h_norm > 0.95 * delta {
                delta * 2.0
            } else {
                delta
            };
            let step_norm = norm(&step);
            let ftol_ok = actual_reduction < ftol * cost && ratio > 0.25;
            let xtol_ok = step_norm < xtol * (xtol + norm(&x));
            status = match (ftol_ok, xtol_ok) {
                (true, true) => Some(4),
                (true, false) => Some(2),
                (false, true) => Some(3),
                _ => None,
            };
            accepted = Some((x_new, f_new, cost_new));
            if status.is_some() {
                break;
            }
            alpha *= delta / delta_new;
            delta = delta_new;
        }
        if actual_reduction > 0.0 {
            let (x_new, f_new, cost_new) = accepted.expect("a trial step was evaluated");
            x = x_new;
            f = f_new;
            cost = cost_new;
            jac = jacobian(&fun, &x, &f, &lb, &ub, diff_step);
            g = grad(&jac, &f);
        }
    }
    TrfResult { x, status: status.unwrap_or(0) }
}
