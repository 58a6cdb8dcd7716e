//! Simple Imaging Polynomial distortion (`A_p_q`, `B_p_q`, and the optional inverse
//! `AP_p_q`, `BP_p_q`, which we keep for writing but never use to invert).

use crate::WcsError;
use driz_header::Header;

/// A square coefficient array: `coef[p][q]` multiplies `u^p v^q`, for p + q ≤ order.
#[derive(Debug, Clone, PartialEq)]
pub struct Polynomial {
    pub order: usize,
    pub coef: Vec<Vec<f64>>,
}

impl Polynomial {
    pub fn zeros(order: usize) -> Polynomial {
        Polynomial { order, coef: vec![vec![0.0; order + 1]; order + 1] }
    }

    /// Read `{prefix}_ORDER` and `{prefix}_p_q`; `Ok(None)` when the order keyword is absent.
    pub fn from_header(header: &Header, prefix: &str) -> Result<Option<Polynomial>, WcsError> {
        let order_key = format!("{prefix}_ORDER");
        let Some(order) = header.get_i64(&order_key)? else { return Ok(None) };
        if !(0..=20).contains(&order) {
            return Err(WcsError::Invalid(format!("{order_key} = {order} is out of range 0..20")));
        }
        let order = order as usize;
        let mut poly = Polynomial::zeros(order);
        for p in 0..=order {
            for q in 0..=order - p {
                if let Some(v) = header.get_f64(&format!("{prefix}_{p}_{q}"))? {
                    poly.coef[p][q] = v;
                }
            }
        }
        Ok(Some(poly))
    }

    /// Cards for this polynomial, order first then coefficients by total degree, zero
    /// terms omitted (as stwcs writes them).
    pub fn write(&self, header: &mut Header, prefix: &str) {
        header.set(&format!("{prefix}_ORDER"), self.order as i64);
        for degree in 0..=self.order {
            for p in (0..=degree).rev() {
                let q = degree - p;
                let v = self.coef[p][q];
                if v != 0.0 {
                    header.set(&format!("{prefix}_{p}_{q}"), v);
                }
            }
        }
    }

    /// `Σ coef[p][q] u^p v^q` by Horner's rule in u for each power of v.
    #[inline]
    pub fn eval(&self, u: f64, v: f64) -> f64 {
        let n = self.order;
        let mut result = 0.0;
        let mut vpow = 1.0;
        for q in 0..=n {
            let mut inner = 0.0;
            for p in (0..=n - q).rev() {
                inner = inner * u + self.coef[p][q];
            }
            result += inner * vpow;
            vpow *= v;
        }
        result
    }

    /// `out[i] = self.eval(u[i], v[i])` for many points, bit for bit: the same operations
    /// in the same order, but coefficient by coefficient over a batch of points, so each
    /// coefficient is read once per batch and the arithmetic vectorises.
    pub fn eval_many(&self, u: &[f64], v: &[f64], out: &mut [f64]) {
        assert!(u.len() == v.len() && u.len() == out.len(), "eval_many: slices differ in length");
        for ((u, v), out) in u.chunks(BATCH).zip(v.chunks(BATCH)).zip(out.chunks_mut(BATCH)) {
            let n = u.len();
            let (mut inner, mut vpow) = ([0.0; BATCH], [1.0; BATCH]);
            let (inner, vpow) = (&mut inner[..n], &mut vpow[..n]);
            out.fill(0.0);
            let rows = &self.coef[..self.order + 1];
            for q in 0..rows.len() {
                inner.fill(0.0);
                for row in rows[..rows.len() - q].iter().rev() {
                    let c = row[q];
                    for (acc, &u) in inner.iter_mut().zip(u) {
                        *acc = *acc * u + c;
                    }
                }
                for (((r, &inner), vpow), &v) in out.iter_mut().zip(inner.iter()).zip(vpow.iter_mut()).zip(v) {
                    *r += inner * *vpow;
                    *vpow *= v;
                }
            }
        }
    }
}

/// Points per batch in [`Polynomial::eval_many`].
const BATCH: usize = 256;

/// The SIP part of a WCS: forward polynomials, and the inverse ones if the header had them.
#[derive(Debug, Clone, PartialEq)]
pub struct Sip {
    pub a: Polynomial,
    pub b: Polynomial,
    pub ap: Option<Polynomial>,
    pub bp: Option<Polynomial>,
}

impl Sip {
    /// SIP from a header. astropy applies `A_ORDER`/`B_ORDER` coefficients even when
    /// CTYPE lacks `-SIP` (it only warns), so the coefficients alone decide.
    pub fn from_header(header: &Header) -> Result<Option<Sip>, WcsError> {
        let a = Polynomial::from_header(header, "A")?;
        let b = Polynomial::from_header(header, "B")?;
        match (a, b) {
            (None, None) => Ok(None),
            (Some(a), Some(b)) => Ok(Some(Sip {
                a,
                b,
                ap: Polynomial::from_header(header, "AP")?,
                bp: Polynomial::from_header(header, "BP")?,
            })),
            (Some(_), None) => Err(WcsError::Invalid("A_ORDER is present but B_ORDER is missing".into())),
            (None, Some(_)) => Err(WcsError::Invalid("B_ORDER is present but A_ORDER is missing".into())),
        }
    }

    /// The offsets `(f(u, v), g(u, v))` with u, v relative to CRPIX.
    #[inline]
    pub fn offsets(&self, u: f64, v: f64) -> (f64, f64) {
        (self.a.eval(u, v), self.b.eval(u, v))
    }

    /// [`Sip::offsets`] of many points, bit for bit.
    pub fn offsets_many(&self, u: &[f64], v: &[f64], f: &mut [f64], g: &mut [f64]) {
        self.a.eval_many(u, v, f);
        self.b.eval_many(u, v, g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horner_matches_direct_sum() {
        let mut p = Polynomial::zeros(4);
        let mut k = 1.0;
        for i in 0..=4 {
            for j in 0..=4 - i {
                p.coef[i][j] = k * 1e-3;
                k += 1.0;
            }
        }
        let (u, v): (f64, f64) = (-1047.5, 476.25);
        let mut direct = 0.0;
        for i in 0..=4 {
            for j in 0..=4 - i {
                direct += p.coef[i][j] * u.powi(i as i32) * v.powi(j as i32);
            }
        }
        assert!((p.eval(u, v) - direct).abs() <= 1e-12 * direct.abs());
    }

    #[test]
    fn eval_many_is_eval_bit_for_bit() {
        for order in [0, 1, 4, 7] {
            let mut p = Polynomial::zeros(order);
            for i in 0..=order {
                for j in 0..=order - i {
                    p.coef[i][j] = ((i * 7 + j * 3) as f64).sin() * 10f64.powi(-(3 * (i + j) as i32) - 2);
                }
            }
            // More than one batch, and a partial last batch.
            let n = 2 * BATCH + 37;
            let u: Vec<f64> = (0..n).map(|i| -2100.0 + 8.3 * i as f64).collect();
            let v: Vec<f64> = (0..n).map(|i| 1100.0 - 5.1 * i as f64).collect();
            let mut out = vec![f64::NAN; n];
            p.eval_many(&u, &v, &mut out);
            for i in 0..n {
                assert_eq!(out[i].to_bits(), p.eval(u[i], v[i]).to_bits(), "order {order}, point {i}");
            }
        }
    }
}
