//! Linear fit between matched positions with sigma clipping (tweakwcs
//! `linearfit.iter_linear_fit`, `fit_shifts`, `fit_rscale`, `fit_general`, `_build_fit`),
//! unweighted as drizzlepac uses it.
//!
//! Model: `xy ≈ F·uv + s₀` with `xy` the reference positions and `uv` the image positions.
//! Both sets are first centred on the mean of `uv`; the reported shift is re-expressed for
//! origin 0 as `WCSGroupCatalog.fit2ref` does (`s₀ = s + c − F·c`).

use crate::error::FitError;
use crate::linalg::{inverse, mat_vec, mean, sum};
use std::str::FromStr;

/// Allowed transformations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitGeom {
    /// Shift only.
    Shift,
    /// Shift and rotation.
    RShift,
    /// Shift, rotation and one scale (runastrodriz's choice).
    RScale,
    /// Full affine transformation.
    General,
}

impl FitGeom {
    /// Fewest points a fit needs (tweakwcs `SUPPORTED_FITGEOM_MODES`).
    pub fn min_points(self) -> usize {
        match self {
            FitGeom::Shift => 1,
            FitGeom::RShift | FitGeom::RScale => 2,
            FitGeom::General => 3,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FitGeom::Shift => "shift",
            FitGeom::RShift => "rshift",
            FitGeom::RScale => "rscale",
            FitGeom::General => "general",
        }
    }
}

impl FromStr for FitGeom {
    type Err = FitError;
    fn from_str(s: &str) -> Result<FitGeom, FitError> {
        match s.to_ascii_lowercase().as_str() {
            "shift" => Ok(FitGeom::Shift),
            "rshift" => Ok(FitGeom::RShift),
            "rscale" => Ok(FitGeom::RScale),
            "general" => Ok(FitGeom::General),
            _ => Err(FitError::UnknownFitGeom(s.to_string())),
        }
    }
}

/// A fit as tweakwcs's `fit_info` reports it. Angles in degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearFit {
    pub fitgeom: FitGeom,
    /// `F`, reference ≈ F·image + shift.
    pub matrix: [[f64; 2]; 2],
    /// Shift for origin 0 (`fit_info['shift']`).
    pub shift: [f64; 2],
    /// Mean of the image positions (centre of rotation used while fitting).
    pub center: [f64; 2],
    /// `(rot_x, rot_y)`.
    pub rot: [f64; 2],
    /// `<rot>`.
    pub mean_rot: f64,
    pub proper_rot: f64,
    pub proper: bool,
    /// `(scale_x, scale_y)`.
    pub scale: [f64; 2],
    /// `<scale>`: square root of |det F|.
    pub mean_scale: f64,
    pub skew: f64,
    pub rmse: f64,
    pub mae: f64,
    /// Points used in the final fit.
    pub fitmask: Vec<bool>,
    /// Residuals `xy − F·uv − s₀` of the points used in the final fit, in order.
    pub resids: Vec<[f64; 2]>,
    /// Clipping iterations actually performed.
    pub eff_nclip: usize,
}

/// One fit (no clipping) in centred coordinates, before the shift is moved to origin 0.
struct RawFit {
    matrix: [[f64; 2]; 2],
    shift: [f64; 2],
    rot: [f64; 2],
    mean_rot: f64,
    proper_rot: f64,
    proper: bool,
    scale: [f64; 2],
    mean_scale: f64,
    skew: f64,
    resids: Vec<[f64; 2]>,
    rmse: f64,
    mae: f64,
}

/// tweakwcs `iter_linear_fit(xy, uv, fitgeom=, nclip=, sigma=(sigma, 'rmse'))` without
/// weights and with `clip_accum=False` (points clipped in one iteration may come back in
/// the next), with the shift re-expressed for origin 0.
pub fn iter_linear_fit(
    xy_ref: &[[f64; 2]],
    uv_img: &[[f64; 2]],
    fitgeom: FitGeom,
    nclip: usize,
    sigma: f64,
) -> Result<LinearFit, FitError> {
    if xy_ref.len() != uv_img.len() {
        return Err(FitError::LengthMismatch(xy_ref.len(), uv_img.len()));
    }
    if sigma.is_nan() || sigma <= 0.0 {
        return Err(FitError::InvalidSigma);
    }
    let n = xy_ref.len();
    let minobj = fitgeom.min_points();
    let nclip = if n == minobj { 0 } else { nclip };
    if n == 0 {
        return Err(FitError::NotEnoughPoints { fitgeom: fitgeom.name(), needed: minobj, got: 0 });
    }
    let center = [mean(uv_img.iter().map(|p| p[0])), mean(uv_img.iter().map(|p| p[1]))];
    let xy: Vec<[f64; 2]> = xy_ref.iter().map(|p| [p[0] - center[0], p[1] - center[1]]).collect();
    let uv: Vec<[f64; 2]> = uv_img.iter().map(|p| [p[0] - center[0], p[1] - center[1]]).collect();

    let mut mask = vec![true; n];
    let mut fit = fit_masked(&xy, &uv, &mask, fitgeom)?;
    let mut eff_nclip = 0;
    for _ in 0..nclip {
        let cutoff = sigma * fit.rmse;
        let keep: Vec<bool> = fit.resids.iter().map(|r| (r[0] * r[0] + r[1] * r[1]).sqrt() < cutoff).collect();
        let kept = keep.iter().filter(|&&k| k).count();
        if kept < minobj || kept == keep.len() {
            break;
        }
        eff_nclip += 1;
        // Every point not in the previous fit is re-admitted; those in it stay if kept.
        let mut in_fit = keep.into_iter();
        mask = mask.iter().map(|&m| if m { in_fit.next().unwrap_or(false) } else { true }).collect();
        fit = fit_masked(&xy, &uv, &mask, fitgeom)?;
    }

    let f = fit.matrix;
    let shift = [
        fit.shift[0] + center[0] - (center[0] * f[0][0] + center[1] * f[0][1]),
        fit.shift[1] + center[1] - (center[0] * f[1][0] + center[1] * f[1][1]),
    ];
    Ok(LinearFit {
        fitgeom,
        matrix: f,
        shift,
        center,
        rot: fit.rot,
        mean_rot: fit.mean_rot,
        proper_rot: fit.proper_rot,
        proper: fit.proper,
        scale: fit.scale,
        mean_scale: fit.mean_scale,
        skew: fit.skew,
        rmse: fit.rmse,
        mae: fit.mae,
        fitmask: mask,
        resids: fit.resids,
        eff_nclip,
    })
}

fn fit_masked(xy: &[[f64; 2]], uv: &[[f64; 2]], mask: &[bool], fitgeom: FitGeom) -> Result<RawFit, FitError> {
    let xy: Vec<[f64; 2]> = xy.iter().zip(mask).filter(|(_, m)| **m).map(|(p, _)| *p).collect();
    let uv: Vec<[f64; 2]> = uv.iter().zip(mask).filter(|(_, m)| **m).map(|(p, _)| *p).collect();
    let needed = fitgeom.min_points();
    if xy.len() < needed {
        return Err(FitError::NotEnoughPoints { fitgeom: fitgeom.name(), needed, got: xy.len() });
    }
    let (p, q) = match fitgeom {
        FitGeom::Shift => {
            let mx = mean(xy.iter().zip(&uv).map(|(a, b)| a[0] - b[0]));
            let my = mean(xy.iter().zip(&uv).map(|(a, b)| a[1] - b[1]));
            ([1.0, 0.0, mx], [0.0, 1.0, my])
        }
        FitGeom::RShift => fit_rscale(&xy, &uv, Some(1.0))?,
        FitGeom::RScale => fit_rscale(&xy, &uv, None)?,
        FitGeom::General => fit_general(&xy, &uv)?,
    };
    Ok(build_fit(p, q, fitgeom, &xy, &uv))
}

/// Shift + rotation (+ scale unless fixed), geomap's `rscale` with axis flips: returns the
/// rows `(F00, F01, sx)` and `(F10, F11, sy)`.
fn fit_rscale(xy: &[[f64; 2]], uv: &[[f64; 2]], scale: Option<f64>) -> Result<([f64; 3], [f64; 3]), FitError> {
    let col = |a: &[[f64; 2]], k: usize| -> Vec<f64> { a.iter().map(|p| p[k]).collect() };
    let (mut x, mut y, mut u, mut v) = (col(xy, 0), col(xy, 1), col(uv, 0), col(uv, 1));
    let (xm, ym, um, vm) = (mean(x.clone()), mean(y.clone()), mean(u.clone()), mean(v.clone()));
    x.iter_mut().for_each(|a| *a -= xm);
    y.iter_mut().for_each(|a| *a -= ym);
    u.iter_mut().for_each(|a| *a -= um);
    v.iter_mut().for_each(|a| *a -= vm);
    let dot = |a: &[f64], b: &[f64]| sum(a.iter().zip(b).map(|(p, q)| p * q));
    let (sxv, syu, sxu, syv) = (dot(&x, &v), dot(&y, &u), dot(&x, &u), dot(&y, &v));

    let det = sxu * syv - sxv * syu;
    let (num, den) = if det < 0.0 { (sxv + syu, sxu - syv) } else { (sxv - syu, sxu + syv) };
    let theta = if num == den {
        0.0
    } else {
        let t = num.atan2(den).to_degrees();
        if t < 0.0 { t + 360.0 } else { t }
    };
    let (stheta, ctheta) = theta.to_radians().sin_cos();
    let mag = match scale {
        Some(s) => s,
        None => {
            let su2v2 = dot(&u, &u) + dot(&v, &v);
            if su2v2.is_nan() || su2v2 <= 0.0 {
                return Err(FitError::SingularMatrix);
            }
            (den * ctheta + num * stheta) / su2v2
        }
    };
    // A negative determinant flips y after the rotation.
    let (sthetax, cthetay) = if det < 0.0 { (-mag * stheta, -mag * ctheta) } else { (mag * stheta, mag * ctheta) };
    let (cthetax, sthetay) = (mag * ctheta, mag * stheta);
    let sdet = sign(det);
    let xshift = xm - um * cthetax - sdet * vm * sthetax;
    let yshift = ym + sdet * um * sthetay - vm * cthetay;
    Ok(([cthetax, sthetay, xshift], [-sthetax, cthetay, yshift]))
}

/// Full affine fit from the 3×3 normal equations.
fn fit_general(xy: &[[f64; 2]], uv: &[[f64; 2]]) -> Result<([f64; 3], [f64; 3]), FitError> {
    let s = |f: &dyn Fn(usize) -> f64| sum((0..xy.len()).map(f));
    let (x, y) = (|i: usize| xy[i][0], |i: usize| xy[i][1]);
    let (u, v) = (|i: usize| uv[i][0], |i: usize| uv[i][1]);
    let sw = xy.len() as f64;
    let (sx, sy, su, sv) = (s(&x), s(&y), s(&u), s(&v));
    let sxu = s(&|i| x(i) * u(i));
    let syu = s(&|i| y(i) * u(i));
    let sxv = s(&|i| x(i) * v(i));
    let syv = s(&|i| y(i) * v(i));
    let suu = s(&|i| u(i) * u(i));
    let svv = s(&|i| v(i) * v(i));
    let suv = s(&|i| u(i) * v(i));
    let m = [[su, sv, sw], [suu, suv, su], [suv, svv, sv]];
    let inv = inverse(m).ok_or(FitError::SingularMatrix)?;
    let p = mat_vec(&inv, &[sx, sxu, sxv]);
    let q = mat_vec(&inv, &[sy, syu, syv]);
    if !p.iter().chain(q.iter()).all(|v| v.is_finite()) {
        return Err(FitError::SingularMatrix);
    }
    Ok((p, q))
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Rotation, scale and skew of the fitted matrix (tweakwcs `_build_fit`), residuals and
/// their statistics.
fn build_fit(p: [f64; 3], q: [f64; 3], fitgeom: FitGeom, xy: &[[f64; 2]], uv: &[[f64; 2]]) -> RawFit {
    let matrix = [[p[0], p[1]], [q[0], q[1]]];
    let shift = [p[2], q[2]];
    let det = p[0] * q[1] - p[1] * q[0];
    let sdet = sign(det);
    let proper = sdet >= 0.0;
    let resids: Vec<[f64; 2]> = xy
        .iter()
        .zip(uv)
        .map(|(a, b)| {
            [
                a[0] - (b[0] * matrix[0][0] + b[1] * matrix[0][1]) - shift[0],
                a[1] - (b[0] * matrix[1][0] + b[1] * matrix[1][1]) - shift[1],
            ]
        })
        .collect();
    let norms: Vec<f64> = resids.iter().map(|r| (r[0] * r[0] + r[1] * r[1]).sqrt()).collect();
    let rmse = (sum(resids.iter().map(|r| r[0] * r[0] + r[1] * r[1])) / resids.len() as f64).sqrt();
    let mae = mean(norms.iter().copied());

    let mut fit = RawFit {
        matrix,
        shift,
        rot: [0.0, 0.0],
        mean_rot: 0.0,
        proper_rot: 0.0,
        proper,
        scale: [1.0, 1.0],
        mean_scale: 1.0,
        skew: 0.0,
        resids,
        rmse,
        mae,
    };
    if fitgeom == FitGeom::Shift {
        return fit;
    }
    let s = det.abs().sqrt();
    let (sx, sy) = if fitgeom == FitGeom::General {
        ((p[0] * p[0] + q[0] * q[0]).sqrt(), (p[1] * p[1] + q[1] * q[1]).sqrt())
    } else {
        (s, s)
    };
    let w = [[matrix[0][0] / sx, matrix[0][1] / sy], [matrix[1][0] / sx, matrix[1][1] / sy]];
    let proper_rot = (w[0][1] - sdet * w[1][0]).atan2(w[0][0] + sdet * w[1][1]).to_degrees();
    if proper && matches!(fitgeom, FitGeom::RShift | FitGeom::RScale) {
        fit.rot = [proper_rot, proper_rot];
        fit.mean_rot = proper_rot;
    } else {
        let rotx = (-w[1][0]).atan2(w[0][0]).to_degrees();
        let roty = w[0][1].atan2(w[1][1]).to_degrees();
        fit.rot = [rotx, roty];
        fit.mean_rot = 0.5 * (rotx + roty);
        fit.skew = (roty - rotx - 180.0).rem_euclid(360.0) - 180.0;
    }
    fit.proper_rot = proper_rot;
    fit.scale = [sx, sy];
    fit.mean_scale = s;
    fit
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // matrix entries compared by (row, column)
mod tests {
    use super::*;

    #[test]
    fn exact_rscale_transform_is_recovered() {
        let th = 0.02f64.to_radians();
        let m = 1.0001;
        let f = [[m * th.cos(), m * th.sin()], [-m * th.sin(), m * th.cos()]];
        let uv: Vec<[f64; 2]> = (0..20).map(|i| [100.0 * i as f64, 50.0 * ((i * 7) % 13) as f64]).collect();
        let xy: Vec<[f64; 2]> =
            uv.iter().map(|p| [f[0][0] * p[0] + f[0][1] * p[1] + 4.5, f[1][0] * p[0] + f[1][1] * p[1] - 2.0]).collect();
        let fit = iter_linear_fit(&xy, &uv, FitGeom::RScale, 1, 3.0).unwrap();
        for i in 0..2 {
            for j in 0..2 {
                assert!((fit.matrix[i][j] - f[i][j]).abs() < 1e-14);
            }
        }
        assert!((fit.shift[0] - 4.5).abs() < 1e-10 && (fit.shift[1] + 2.0).abs() < 1e-10, "{:?}", fit.shift);
        assert!((fit.proper_rot - 0.02).abs() < 1e-12 && (fit.mean_scale - m).abs() < 1e-14);
        assert_eq!("RScale".parse::<FitGeom>().unwrap(), FitGeom::RScale);
        assert!("affine".parse::<FitGeom>().is_err());
    }
}
