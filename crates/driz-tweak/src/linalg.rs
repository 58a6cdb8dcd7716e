//! Small dense linear algebra: compensated sums (tweakwcs sums in 80-bit long double), a
//! Gauss-Jordan inverse with full pivoting (tweakwcs's `linalg.inv`) and a minimum-norm
//! least-squares solve (numpy's `lstsq`, SVD based, which does not fail on rank deficiency).

/// Neumaier-compensated sum: close to the long-double sums of the reference.
pub(crate) fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut s = 0.0f64;
    let mut c = 0.0f64;
    for v in values {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

pub(crate) fn mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut n = 0usize;
    let s = sum(values.into_iter().inspect(|_| n += 1));
    s / n as f64
}

/// Inverse of a square matrix by Gauss-Jordan elimination with full pivoting; `None` when
/// a pivot is below the smallest normal double (the reference's singularity test) or the
/// result is not finite.
pub(crate) fn inverse<const N: usize>(m: [[f64; N]; N]) -> Option<[[f64; N]; N]> {
    let mut a = m;
    let mut inv = [[0.0; N]; N];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    // Column order after pivoting: col_of[k] is the original column now at position k.
    let mut col_of: [usize; N] = std::array::from_fn(|k| k);
    for k in 0..N {
        let (mut pi, mut pj, mut best) = (k, k, -1.0);
        for (i, row) in a.iter().enumerate().skip(k) {
            for (j, v) in row.iter().enumerate().skip(k) {
                if v.abs() > best {
                    (pi, pj, best) = (i, j, v.abs());
                }
            }
        }
        if best < f64::MIN_POSITIVE {
            return None;
        }
        a.swap(k, pi);
        inv.swap(k, pi);
        if pj != k {
            for row in a.iter_mut() {
                row.swap(k, pj);
            }
            col_of.swap(k, pj);
        }
        let pivot = a[k][k];
        for j in 0..N {
            a[k][j] /= pivot;
            inv[k][j] /= pivot;
        }
        for i in 0..N {
            if i != k {
                let f = a[i][k];
                if f != 0.0 {
                    for j in 0..N {
                        a[i][j] -= f * a[k][j];
                        inv[i][j] -= f * inv[k][j];
                    }
                }
            }
        }
    }
    // Row k of `inv` belongs to unknown col_of[k]: undo the column permutation.
    let mut out = [[0.0; N]; N];
    for k in 0..N {
        out[col_of[k]] = inv[k];
    }
    out.iter().flatten().all(|v| v.is_finite()).then_some(out)
}

pub(crate) fn mat_vec<const N: usize>(m: &[[f64; N]; N], v: &[f64; N]) -> [f64; N] {
    std::array::from_fn(|i| (0..N).map(|j| m[i][j] * v[j]).sum())
}

/// Minimum-norm least-squares solution of `A c = d` (`A` is `rows × N`), singular values
/// below `eps · max(rows, N) · σ_max` treated as zero, like numpy's `lstsq(rcond=None)`.
/// One-sided Jacobi SVD: accurate, and plenty fast for the 25 × 6 systems of the peak fit.
pub(crate) fn lstsq_min_norm<const N: usize>(a: &[[f64; N]], d: &[f64]) -> Option<[f64; N]> {
    let rows = a.len();
    let mut cols: Vec<Vec<f64>> = (0..N).map(|j| a.iter().map(|r| r[j]).collect()).collect();
    let mut v = [[0.0; N]; N];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut rotated = false;
        for p in 0..N {
            for q in p + 1..N {
                let alpha: f64 = cols[p].iter().map(|x| x * x).sum();
                let beta: f64 = cols[q].iter().map(|x| x * x).sum();
                let gamma: f64 = cols[p].iter().zip(&cols[q]).map(|(x, y)| x * y).sum();
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                let (cp, cq) = split_pair(&mut cols, p, q);
                for (x, y) in cp.iter_mut().zip(cq.iter_mut()) {
                    let (xp, xq) = (*x, *y);
                    *x = c * xp - s * xq;
                    *y = s * xp + c * xq;
                }
                for row in v.iter_mut() {
                    let (xp, xq) = (row[p], row[q]);
                    row[p] = c * xp - s * xq;
                    row[q] = s * xp + c * xq;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let sigma2: Vec<f64> = cols.iter().map(|c| c.iter().map(|x| x * x).sum()).collect();
    let smax = sigma2.iter().cloned().fold(0.0f64, f64::max).sqrt();
    let cutoff = f64::EPSILON * rows.max(N) as f64 * smax;
    let mut out = [0.0; N];
    for j in 0..N {
        if sigma2[j].sqrt() > cutoff {
            let w = cols[j].iter().zip(d).map(|(x, y)| x * y).sum::<f64>() / sigma2[j];
            for (o, row) in out.iter_mut().zip(&v) {
                *o += row[j] * w;
            }
        }
    }
    out.iter().all(|x| x.is_finite()).then_some(out)
}

fn split_pair(cols: &mut [Vec<f64>], p: usize, q: usize) -> (&mut Vec<f64>, &mut Vec<f64>) {
    let (lo, hi) = cols.split_at_mut(q);
    (&mut lo[p], &mut hi[0])
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // matrix entries compared by (row, column)
mod tests {
    use super::*;

    #[test]
    fn inverse_with_pivoting_and_singular() {
        let m = [[0.0, 2.0, 1.0], [1.0, 0.0, 3.0], [4.0, -1.0, 0.5]];
        let inv = inverse(m).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| m[i][k] * inv[k][j]).sum();
                assert!((p - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14, "{i} {j} {p}");
            }
        }
        assert!(inverse([[1.0, 2.0], [2.0, 4.0]]).is_none());
    }

    #[test]
    fn lstsq_full_rank_and_rank_deficient() {
        // Exact quadratic: recovered.
        let c = [0.5, -1.0, 2.0, 0.25, -0.75, 0.125];
        let mut a = Vec::new();
        let mut d = Vec::new();
        for y in 1..=5 {
            for x in 1..=5 {
                let (x, y) = (x as f64, y as f64);
                let row = [1.0, x, y, x * y, x * x, y * y];
                d.push(row.iter().zip(&c).map(|(r, c)| r * c).sum());
                a.push(row);
            }
        }
        let got = lstsq_min_norm(&a, &d).unwrap();
        for (g, e) in got.iter().zip(&c) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        // Two identical columns: the minimum-norm solution splits the weight evenly.
        let a = [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let got = lstsq_min_norm(&a, &[2.0, 4.0, 6.0]).unwrap();
        assert!((got[0] - 1.0).abs() < 1e-14 && (got[1] - 1.0).abs() < 1e-14, "{got:?}");
    }
}
