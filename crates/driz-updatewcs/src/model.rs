//! The distortion-model mathematics of stwcs `updatewcs`, as pure functions (no I/O):
//! time-dependent distortion (`TDDCorr`), the basic WCS from PA_V3 and the chip geometry
//! (`MakeWCS`), SIP from the IDC polynomial (`CompSIP`), velocity aberration (`VACorr`) and
//! the float32 transform of NPOL tables (`NPOLCorr`). Formulas and operation order follow
//! the reference so that results agree to the last bits where they can.

#![allow(clippy::needless_range_loop)] // index loops mirror the reference formulas

use crate::idctab::{IdcModel, TddCoeffs};
use driz_wcs::Celestial;
use std::f64::consts::PI;

/// `((a − b − 180) mod 360) − 180` with Python's `%` (result in [−180, 180)).
pub fn diffang(a: f64, b: f64) -> f64 {
    py_mod(a - b - 180.0, 360.0) - 180.0
}

fn py_mod(x: f64, m: f64) -> f64 {
    let r = x % m;
    if r != 0.0 && ((r < 0.0) != (m < 0.0)) { r + m } else { r }
}

/// stsci.tools `buildRotMatrix`: `[[cos θ, sin θ], [−sin θ, cos θ]]`, θ in degrees.
pub fn rot_matrix(theta: f64) -> [[f64; 2]; 2] {
    let t = theta * PI / 180.0;
    [[t.cos(), t.sin()], [-t.sin(), t.cos()]]
}

/// [`rot_matrix`] of a float32 angle as numpy 2 evaluates it (NEP 50: a Python float
/// meeting a float32 scalar becomes float32): the angle in radians and its cosine and sine
/// are float32; the matrix holds them widened.
fn rot_matrix_f32(theta: f32) -> [[f64; 2]; 2] {
    let t = theta * std::f32::consts::PI / 180.0;
    let (c, s) = (t.cos() as f64, t.sin() as f64);
    [[c, s], [-s, c]]
}

fn matmul(a: [[f64; 2]; 2], b: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
        }
    }
    c
}

/// The observation date as stwcs's decimal year: day of year (1-based) / 365.25 + year.
pub fn decimal_year(date_obs: &str) -> Option<f64> {
    let mut it = date_obs.trim().split('-');
    let year: i32 = it.next()?.parse().ok()?;
    let month: u32 = it.next()?.parse().ok()?;
    let day: u32 = it.next()?.trim().parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > 31 {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if day > days[month as usize - 1] {
        return None;
    }
    let doy: u32 = days[..month as usize - 1].iter().sum::<u32>() + day;
    Some(doy as f64 / 365.25 + year as f64)
}

/// The built-in pre-SM4 skew model used when an ACS/WFC IDCTAB has no TDD keywords.
pub const DEFAULT_TDD: ([f64; 2], [f64; 2], f64) = ([0.095, 0.090 / 2.5], [-0.029, -0.030 / 2.5], 2004.5);

/// Jay Anderson's skew terms `(α, β)` at decimal year `rday`.
pub fn alpha_beta(a: &[f64], b: &[f64], date: f64, rday: f64) -> (f64, f64) {
    let (mut alpha, mut beta) = (0.0, 0.0);
    for c in 0..a.len().min(b.len()) {
        let p = (rday - date).powi(c as i32);
        alpha += a[c] * p;
        beta += b[c] * p;
    }
    (alpha, beta)
}

/// What the TDD correction did, for the header keywords.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TddResult {
    /// `Some((α, β))` for the skew model (default or Anderson); written as TDDALPHA/TDDBETA.
    pub alpha_beta: Option<(f64, f64)>,
    /// The `TDD_CTA, TDD_CTB, TDD_CYA, TDD_CYB, TDD_CXA, TDD_CXB` values (None = no value).
    pub terms: [Option<f64>; 6],
    /// Whether MakeWCS applies the chip zero-point correction (default model only).
    pub zero_point: bool,
}

/// Apply the time-dependent distortion to a chip model (stwcs `TDDCorr`); `rday` from
/// [`decimal_year`]. The same call on the reference chip's model gives its correction.
pub fn apply_tdd(model: &mut IdcModel, rday: f64) -> TddResult {
    match model.tdd.clone() {
        Some(TddCoeffs::Y2015 { date, cta, ctb, cya, cyb, cxa, cxb }) => {
            let dt = rday - date;
            if let Some(v) = cxb {
                model.cx[1][1] += v * dt;
            }
            if let Some(v) = ctb {
                model.cy[1][1] += v * dt;
            }
            if let Some(v) = cyb {
                model.cy[1][0] += v * dt;
            }
            TddResult { alpha_beta: None, terms: [cta, ctb, cya, cyb, cxa, cxb], zero_point: false }
        }
        Some(TddCoeffs::Y2014 { date, cy_beta, cy_alpha, cx_beta, cx_alpha }) => {
            let dt = rday - date;
            let cyb = cy_beta.unwrap_or(0.0);
            match cy_alpha {
                None => model.cy[1][1] += cyb * dt,
                Some(a) => model.cy[1][1] = a + cyb * dt,
            }
            if let Some(a) = cx_alpha {
                model.cx[1][1] = a + cx_beta.unwrap_or(0.0) * dt;
            }
            TddResult { alpha_beta: None, terms: [None, None, cy_alpha, cy_beta, cx_alpha, cx_beta], zero_point: false }
        }
        Some(TddCoeffs::Anderson { date, a, b }) => {
            let (alpha, beta) = alpha_beta(&a, &b, date, rday);
            skew_coefficients(model, alpha, beta);
            TddResult { alpha_beta: Some((alpha, beta)), terms: [None; 6], zero_point: false }
        }
        None => {
            let (a, b, date) = DEFAULT_TDD;
            let (alpha, beta) = alpha_beta(&a, &b, date, rday);
            skew_coefficients(model, alpha, beta);
            TddResult { alpha_beta: Some((alpha, beta)), terms: [None; 6], zero_point: true }
        }
    }
}

/// `[cx; cy] ← R(θv) · T · R(−θv) · [cx; cy]` for every coefficient pair (`apply_tdd2idc`).
pub fn skew_coefficients(model: &mut IdcModel, alpha: f64, beta: f64) {
    let theta_v2v3 = 2.234529;
    let mrotp = rot_matrix(theta_v2v3);
    let mrotn = rot_matrix(-theta_v2v3);
    let tdd = [[1.0 + beta / 2048.0, alpha / 2048.0], [alpha / 2048.0, 1.0 - beta / 2048.0]];
    let m = matmul(mrotp, matmul(tdd, mrotn));
    for i in 0..model.cx.len() {
        for j in 0..model.cx[i].len() {
            let (x, y) = (model.cx[i][j], model.cy[i][j]);
            model.cx[i][j] = m[0][0] * x + m[0][1] * y;
            model.cy[i][j] = m[1][0] * x + m[1][1] * y;
        }
    }
}

/// MakeWCS's zero-point TDD correction of a chip's V2/V3 (default skew model only).
pub fn zero_point_corr(chip: i64, alpha: f64, beta: f64) -> [f64; 2] {
    let xy = match chip {
        1 => [2048.0, 3072.0],
        _ => [2048.0, 1024.0],
    };
    let tdd = [[beta, alpha], [alpha, -beta]];
    let r = rot_matrix(2.234529);
    let mrotp = [[r[0][0] / 2048.0, r[0][1] / 2048.0], [r[1][0] / 2048.0, r[1][1] / 2048.0]];
    let xy0 = [xy[0] - 2048.0, xy[1] - 2048.0];
    let t = [tdd[0][0] * xy0[0] + tdd[0][1] * xy0[1], tdd[1][0] * xy0[0] + tdd[1][1] * xy0[1]];
    [(mrotp[0][0] * t[0] + mrotp[0][1] * t[1]) * 0.05, (mrotp[1][0] * t[0] + mrotp[1][1] * t[1]) * 0.05]
}

/// Roll angle at the aperture (V2, V3 in arcsec) from the V1 roll `roll` and the target
/// declination, degrees (Colin Cox's formula, stwcs `troll`).
pub fn troll(roll: f64, dec: f64, v2: f64, v3: f64) -> f64 {
    let d2r = PI / 180.0;
    let (roll, dec, v2, v3) = (roll * d2r, dec * d2r, (v2 / 3600.0) * d2r, (v3 / 3600.0) * d2r);
    let (s2, s3) = (v2.sin().powi(2), v3.sin().powi(2));
    let sin_rho = ((s2 + s3) - s2 * s3).sqrt();
    let rho = sin_rho.asin();
    let mut beta = (v3.sin() / sin_rho).asin();
    if v2 < 0.0 {
        beta = PI - beta;
    }
    let mut gamma = (v2.sin() / sin_rho).asin();
    if v3 < 0.0 {
        gamma = PI - gamma;
    }
    let a = PI / 2.0 + roll - beta;
    let b = (a.sin() * dec.cos()).atan2(dec.sin() * sin_rho - dec.cos() * rho.cos() * a.cos());
    (PI - (gamma + b)) * (180.0 / PI)
}

/// Re-centre a model's polynomial by `(xs, ys)` (stwcs `GeometryModel.shift`).
pub fn shift_model(model: &mut IdcModel, xs: f64, ys: f64) {
    let k = model.order + 1;
    let combin = |n: usize, r: usize| -> f64 {
        if r > n {
            return 0.0;
        }
        let mut c = 1.0;
        for i in 0..r {
            c = c * (n - i) as f64 / (i + 1) as f64;
        }
        c.round()
    };
    let mut cxs = vec![vec![0.0; model.cx[0].len()]; model.cx.len()];
    let mut cys = cxs.clone();
    for m in 0..k {
        for n in 0..=m {
            for i in m..k {
                for j in n..=(i - (m - n)) {
                    let f = combin(j, n)
                        * combin(i - j, m - n)
                        * xs.powi((j - n) as i32)
                        * ys.powi(((i - j) - (m - n)) as i32);
                    cxs[m][n] += model.cx[i][j] * f;
                    cys[m][n] += model.cy[i][j] * f;
                }
            }
        }
    }
    model.cx = cxs;
    model.cy = cys;
}

/// A linear TAN WCS: reference pixel (1-based), reference sky position and CD (degrees).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearWcs {
    pub crpix: [f64; 2],
    pub crval: [f64; 2],
    pub cd: [[f64; 2]; 2],
}

impl LinearWcs {
    /// 1-based pixel → (RA, Dec) through TAN (wcslib `p2s`).
    ///
    /// Follows wcslib's operation order (`linp2x`, `tanx2s`, `sphx2s`, wcstrig) so the
    /// result is bit-identical: MakeWCS differences two of these one pixel apart to get
    /// CD, which turns a 1-ulp difference in RA (~150 deg) into ~4e-9 of CD.
    pub fn p2s(&self, x: f64, y: f64) -> (f64, f64) {
        if Celestial::new(self.crpix, self.crval, self.cd, ["RA---TAN", "DEC--TAN"]).is_err() {
            return (f64::NAN, f64::NAN);
        }
        wcslib_tan_p2s(self, x, y)
    }

    /// The plate scale stwcs `HSTWCS.pscale` computes: `hypot(CD1_1, CD2_1)·3600`.
    pub fn pscale(&self) -> f64 {
        (self.cd[0][0].powi(2) + self.cd[1][0].powi(2)).sqrt() * 3600.0
    }
}

// wcslib's wcstrig converts with its macros `D2R` = `PI/180.0` and `R2D` = `180.0/PI`
// (no parentheses), i.e. `(a*PI)/180` and `(t*180)/PI`; multiplying by the constant
// `180/PI` instead differs in the last bit for about half of all angles, which MakeWCS's
// finite differences turn into ~1e-8 of CD.
fn sind(a: f64) -> f64 {
    let i = a / 90.0;
    if a % 90.0 == 0.0 {
        match (i.round() as i64).rem_euclid(4) {
            0 => 0.0,
            1 => 1.0,
            2 => 0.0,
            _ => -1.0,
        }
    } else {
        (a * PI / 180.0).sin()
    }
}

fn cosd(a: f64) -> f64 {
    if a % 90.0 == 0.0 {
        match ((a / 90.0).round().abs() as i64) % 4 {
            0 => 1.0,
            1 => 0.0,
            2 => -1.0,
            _ => 0.0,
        }
    } else {
        (a * PI / 180.0).cos()
    }
}

fn atan2d(y: f64, x: f64) -> f64 {
    if y == 0.0 {
        if x >= 0.0 {
            return 0.0;
        } else if x < 0.0 {
            return 180.0;
        }
    } else if x == 0.0 {
        return if y > 0.0 { 90.0 } else { -90.0 };
    }
    y.atan2(x) * 180.0 / PI
}

fn asind(v: f64) -> f64 {
    if v <= -1.0 {
        if v + 1.0 > -1e-10 {
            return -90.0;
        }
    } else if v == 0.0 {
        return 0.0;
    } else if v >= 1.0 && v - 1.0 < 1e-10 {
        return 90.0;
    }
    v.asin() * 180.0 / PI
}

fn acosd(v: f64) -> f64 {
    if v >= 1.0 {
        if v - 1.0 < 1e-10 {
            return 0.0;
        }
    } else if v == 0.0 {
        return 90.0;
    } else if v <= -1.0 && v + 1.0 > -1e-10 {
        return 180.0;
    }
    v.acos() * 180.0 / PI
}

/// wcslib `wcsp2s` for a CD-matrix TAN WCS with the default LONPOLE (180, CRVAL2 < 90).
fn wcslib_tan_p2s(w: &LinearWcs, px: f64, py: f64) -> (f64, f64) {
    // linp2x
    let (t0, t1) = (px - w.crpix[0], py - w.crpix[1]);
    let xi = 0.0 + w.cd[0][0] * t0 + w.cd[0][1] * t1;
    let eta = 0.0 + w.cd[1][0] * t0 + w.cd[1][1] * t1;
    // tanx2s
    let r0 = 180.0 / PI;
    let r = (xi * xi + eta * eta).sqrt();
    let phi = if r == 0.0 { 0.0 } else { atan2d(xi, -eta) };
    let theta = atan2d(r0, r);
    // sphx2s, eul = [CRVAL1, 90 - CRVAL2, 180, cos, sin]
    let e0 = w.crval[0];
    let e1 = 90.0 - w.crval[1];
    let e2 = if w.crval[1] < 90.0 { 180.0 } else { 0.0 };
    let (e3, e4) = (cosd(e1), sind(e1));
    let dphi = phi - e2;
    let (sinphi, cosphi) = (sind(dphi), cosd(dphi));
    let (sinthe, costhe) = (sind(theta), cosd(theta));
    let costhe3 = costhe * e3;
    let costhe4 = costhe * e4;
    let sinthe3 = sinthe * e3;
    let sinthe4 = sinthe * e4;
    let mut x = sinthe4 - costhe3 * cosphi;
    if x.abs() < 1.0e-5 {
        x = -cosd(theta + e1) + costhe3 * (1.0 - cosphi);
    }
    let y = -costhe * sinphi;
    let dlng = if x != 0.0 || y != 0.0 {
        atan2d(y, x)
    } else if e1 < 90.0 {
        dphi + 180.0
    } else {
        -dphi
    };
    let mut lng = e0 + dlng;
    if e0 >= 0.0 {
        if lng < 0.0 {
            lng += 360.0;
        }
    } else if lng > 0.0 {
        lng -= 360.0;
    }
    if lng > 360.0 {
        lng -= 360.0;
    } else if lng < -360.0 {
        lng += 360.0;
    }
    let lat = if dphi % 180.0 == 0.0 {
        let mut l = theta + cosphi * e1;
        if l > 90.0 {
            l = 180.0 - l;
        }
        if l < -90.0 {
            l = -180.0 - l;
        }
        l
    } else {
        let z = sinthe3 + costhe4 * cosphi;
        if z.abs() > 0.99 { acosd((x * x + y * y).sqrt()).copysign(z) } else { asind(z) }
    };
    (lng, lat)
}

/// One chip's inputs to MakeWCS.
#[derive(Debug, Clone)]
pub struct ChipGeometry<'a> {
    /// The chip's OPUS WCS (linear part).
    pub opus: LinearWcs,
    /// The chip's model after TDD.
    pub model: &'a IdcModel,
    pub ltv: [f64; 2],
    pub chip: i64,
    /// Zero-point TDD `(α, β)` when the default skew model applies.
    pub zero_point: Option<(f64, f64)>,
}

/// Result of MakeWCS for one chip.
#[derive(Debug, Clone, PartialEq)]
pub struct MadeWcs {
    pub chip: LinearWcs,
    /// The reference tangent plane (needed by VACorr).
    pub reference: LinearWcs,
}

/// stwcs `MakeWCS.updateWCS`: the chip's CRVAL, CRPIX and CD from the IDC model, PA_V3 and
/// the reference chip. `parity` is `[p00, p11]`. `ext` models are re-centred for subarrays
/// (so `ext.model` and `reference.model` may be modified copies).
pub fn make_wcs(ext: &ChipGeometry, refc: &ChipGeometry, pa_v3: f64, parity: [f64; 2]) -> (MadeWcs, IdcModel) {
    let mut ext_model = ext.model.clone();
    let mut ref_model = refc.model.clone();
    // getOffsets (from the processed chip).
    let (ltv1, ltv2) = (ext.ltv[0], ext.ltv[1]);
    let offx = ext.opus.crpix[0] - ltv1 - ext_model.xref;
    let offy = ext.opus.crpix[1] - ltv2 - ext_model.yref;
    let (ltvoff, offsh) = if ltv1 != 0.0 || ltv2 != 0.0 {
        ([ltv1 + offx, ltv2 + offy], [offx + ext_model.xref + ltv1, offy + ext_model.yref + ltv2])
    } else {
        ([0.0, 0.0], [0.0, 0.0])
    };
    let zp = |g: &ChipGeometry| match g.zero_point {
        Some((a, b)) => zero_point_corr(g.chip, a, b),
        None => [0.0, 0.0],
    };
    let v23_corr = zp(ext);
    let rv23_corr = zp(refc);

    // uprefwcs
    if refc.ltv[0] != 0.0 || refc.ltv[1] != 0.0 {
        let sx = refc.opus.crpix[0] - refc.ltv[0] - ref_model.xref;
        let sy = refc.opus.crpix[1] - refc.ltv[1] - ref_model.yref;
        shift_model(&mut ref_model, sx, sy);
    }
    let ref_pscale = refc.opus.pscale();
    let dec = refc.opus.crval[1];
    let tddscale = ref_pscale / ref_model.cx[1][1];
    let rv23 = [ref_model.v2ref + rv23_corr[0] * tddscale, ref_model.v3ref - rv23_corr[1] * tddscale];
    let crval_r = refc.opus.p2s(ref_model.xref + ltvoff[0], ref_model.yref + ltvoff[1]);
    let mut pv = troll(pa_v3, dec, rv23[0], rv23[1]);
    if ref_model.theta != 0.0 {
        pv += ref_model.theta;
    }
    let r_scale = ref_model.pscale / 3600.0;
    let (p00, p11) = (parity[0], parity[1]);
    let (sp, cp) = ((pv * PI / 180.0).sin(), (pv * PI / 180.0).cos());
    let reference = LinearWcs {
        crpix: [0.0 + offsh[0], 0.0 + offsh[1]],
        crval: [crval_r.0, crval_r.1],
        cd: [[p00 * cp * r_scale, p00 * -sp * r_scale], [p11 * sp * r_scale, p11 * cp * r_scale]],
    };

    // upextwcs
    if ltv1 != 0.0 || ltv2 != 0.0 {
        let sx = ext.opus.crpix[0] - ltv1 - ext_model.xref;
        let sy = ext.opus.crpix[1] - ltv2 - ext_model.yref;
        shift_model(&mut ext_model, sx, sy);
    }
    let (fx, fy) = (&ext_model.cx, &ext_model.cy);
    let tddscale = ref_pscale / fx[1][1];
    let v2 = ext_model.v2ref + v23_corr[0] * tddscale;
    let v3 = ext_model.v3ref - v23_corr[1] * tddscale;
    let v2ref = ref_model.v2ref + rv23_corr[0] * tddscale;
    let v3ref = ref_model.v3ref - rv23_corr[1] * tddscale;
    let off = ((v2 - v2ref).powi(2) + (v3 - v3ref).powi(2)).sqrt() / (r_scale * 3600.0);
    let mut theta = if v3 == v3ref { 0.0 } else { (p00 * (v2 - v2ref)).atan2(p11 * (v3 - v3ref)) };
    // THETA is the table's float32; under numpy 2 `theta += THETA * pi / 180` is evaluated
    // (and theta rounded) in float32. Only tables with a THETA column (WFC3) get here.
    if ref_model.theta != 0.0 {
        theta = ((theta as f32) + (ref_model.theta as f32) * std::f32::consts::PI / 180.0) as f64;
    }
    let dx = off * theta.sin() + offsh[0];
    let dy = off * theta.cos() + offsh[1];
    let newcrval = reference.p2s(dx, dy);
    let crpix = [ext_model.xref + ltvoff[0], ext_model.yref + ltvoff[1]];
    let delmat = [
        [fx[1][1] / r_scale / 3600.0, fy[1][1] / r_scale / 3600.0],
        [fx[1][0] / r_scale / 3600.0, fy[1][0] / r_scale / 3600.0],
    ];
    // float32 THETAs: the difference and the rotation are float32 too (see rot_matrix_f32).
    let rot = if ext_model.theta != 0.0 {
        rot_matrix_f32(ext_model.theta as f32 - ref_model.theta as f32)
    } else {
        rot_matrix(0.0)
    };
    let dxy = matmul(delmat, rot);
    let w0 = reference.p2s(dx + dxy[0][0], dy + dxy[0][1]);
    let w1 = reference.p2s(dx + dxy[1][0], dy + dxy[1][1]);
    let c = (newcrval.1 * PI / 180.0).cos();
    let cd = [
        [diffang(w0.0, newcrval.0) * c, diffang(w1.0, newcrval.0) * c],
        [diffang(w0.1, newcrval.1), diffang(w1.1, newcrval.1)],
    ];
    (MadeWcs { chip: LinearWcs { crpix, crval: [newcrval.0, newcrval.1], cd }, reference }, ext_model)
}

/// stwcs `CompSIP`: `(A, B)` with `a[p][q]` multiplying `u^p v^q`, all terms of degree
/// 2..=order (zeros included), times `binned` (the reference's extra factor).
pub fn comp_sip(model: &IdcModel, binned: f64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let order = model.order;
    let (cx, cy) = (&model.cx, &model.cy);
    let m = [[cx[1][1], cx[1][0]], [cy[1][1], cy[1][0]]];
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let inv = [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]];
    let mut a = vec![vec![0.0; order + 1]; order + 1];
    let mut b = a.clone();
    for n in 2..=order {
        for mm in 0..=n {
            let (x, y) = (cx[n][mm], cy[n][mm]);
            a[mm][n - mm] = (inv[0][0] * x + inv[0][1] * y) * binned;
            b[mm][n - mm] = (inv[1][0] * x + inv[1][1] * y) * binned;
        }
    }
    (a, b)
}

/// stwcs `VACorr`: scale CD by VAFACTOR and move CRVAL radially from the reference
/// tangent point. Unchanged when `vafactor == 1`.
pub fn va_corr(chip: &LinearWcs, reference: &LinearWcs, vafactor: f64) -> LinearWcs {
    if vafactor == 1.0 {
        return *chip;
    }
    let mut out = *chip;
    for row in out.cd.iter_mut() {
        for v in row.iter_mut() {
            *v *= vafactor;
        }
    }
    for k in 0..2 {
        out.crval[k] = reference.crval[k] + vafactor * diffang(chip.crval[k], reference.crval[k]);
    }
    out
}

/// The float32 matrix stwcs applies to NPOL tables: `inv(float32([[OCX11, OCX10],
/// [OCY11, OCY10]]) / IDCSCALE)`, inverted in double precision and rounded to float32.
pub fn npol_matrix(ocx10: f64, ocx11: f64, ocy10: f64, ocy11: f64, idcscale: f64) -> [[f32; 2]; 2] {
    let s = idcscale as f32;
    let m = [
        [(ocx11 as f32 / s) as f64, (ocx10 as f32 / s) as f64],
        [(ocy11 as f32 / s) as f64, (ocy10 as f32 / s) as f64],
    ];
    let inv = lu_inverse(m);
    [[inv[0][0] as f32, inv[0][1] as f32], [inv[1][0] as f32, inv[1][1] as f32]]
}

/// 2×2 inverse as LAPACK `dgesv` computes it (LU with partial pivoting, then solves).
fn lu_inverse(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    // Row pivoting.
    let (p, a) = if m[1][0].abs() > m[0][0].abs() { ([1, 0], [m[1], m[0]]) } else { ([0, 1], [m[0], m[1]]) };
    let l = a[1][0] / a[0][0];
    let u11 = a[1][1] - l * a[0][1];
    let mut inv = [[0.0; 2]; 2];
    for col in 0..2 {
        // Right-hand side: permuted unit vector.
        let e = [if p[0] == col { 1.0 } else { 0.0 }, if p[1] == col { 1.0 } else { 0.0 }];
        let y1 = e[1] - l * e[0];
        let x1 = y1 / u11;
        let x0 = (e[0] - a[0][1] * x1) / a[0][0];
        inv[0][col] = x0;
        inv[1][col] = x1;
    }
    inv
}

/// `[DX'; DY'] = float32(C · [DX; DY])` element by element, in float32 as numpy does
/// (bit-identical to stwcs on the j94f05bgq tables).
pub fn npol_transform(c: [[f32; 2]; 2], dx: &[f32], dy: &[f32]) -> (Vec<f32>, Vec<f32>) {
    // numpy's float32 matrix product accumulates with fused multiply-adds.
    let nx = dx.iter().zip(dy).map(|(&x, &y)| c[0][1].mul_add(y, c[0][0] * x)).collect();
    let ny = dx.iter().zip(dy).map(|(&x, &y)| c[1][1].mul_add(y, c[1][0] * x)).collect();
    (nx, ny)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffang_is_pythons() {
        assert_eq!(diffang(359.5, 0.5), -1.0);
        assert_eq!(diffang(0.5, 359.5), 1.0);
        assert_eq!(diffang(10.0, 10.0), 0.0);
    }

    #[test]
    fn decimal_year_of_the_j94_example() {
        assert_eq!(decimal_year("2005-03-07"), Some(2005.1806981519508));
        assert_eq!(decimal_year("2005-13-07"), None);
    }

    #[test]
    fn troll_of_the_spec_example() {
        let t = troll(337.125305, -72.05457184279, 256.62222, 302.2264);
        assert!((t - -22.976173564768096).abs() < 1e-12, "{t}");
    }

    #[test]
    fn tdd_alpha_beta_of_the_j94_example() {
        let (a, b) = alpha_beta(&[0.095, 0.036], &[-0.029, -0.012], 2006.798432109, 2005.1806981519508);
        assert!((a - 0.036761577546226366).abs() < 1e-16, "{a}");
        assert!((b - -0.00958719251540879).abs() < 1e-16, "{b}");
    }

    #[test]
    fn lu_inverse_inverts() {
        let m = [[0.9966, 0.0392], [0.0298, 1.0055]];
        let i = lu_inverse(m);
        let p = matmul(m, i);
        assert!((p[0][0] - 1.0).abs() < 1e-15 && p[0][1].abs() < 1e-15 && p[1][0].abs() < 1e-15);
    }

    #[test]
    fn shift_by_zero_is_identity() {
        let mut m = IdcModel {
            order: 3,
            cx: vec![vec![0.0, 0.0, 0.0, 0.0], vec![0.1, 0.05, 0.0, 0.0], vec![1e-6, 2e-6, 3e-6, 0.0], vec![1e-9; 4]],
            cy: vec![vec![0.0; 4], vec![0.05, 0.1, 0.0, 0.0], vec![4e-6, 5e-6, 6e-6, 0.0], vec![2e-9; 4]],
            xref: 1.0,
            yref: 1.0,
            xsize: 1.0,
            ysize: 1.0,
            v2ref: 0.0,
            v3ref: 0.0,
            theta: 0.0,
            pscale: 0.05,
            header_xref: 1.0,
            header_yref: 1.0,
            header_v2ref: 0.0,
            header_v3ref: 0.0,
            header_theta: 0.0,
            tdd: None,
            row: 1,
        };
        let before = m.clone();
        shift_model(&mut m, 0.0, 0.0);
        assert_eq!(m.cx[1], before.cx[1]);
        assert_eq!(m.cy[2], before.cy[2]);
        // A shift moves the constant term to the polynomial's value at the new origin.
        shift_model(&mut m, 10.0, -5.0);
        let x = |dx: f64, dy: f64| -> f64 {
            let mut s = 0.0;
            for i in 1..=3 {
                for j in 0..=i {
                    s += before.cx[i][j] * dx.powi(j as i32) * dy.powi((i - j) as i32);
                }
            }
            s
        };
        assert!((m.cx[0][0] - x(10.0, -5.0)).abs() < 1e-12);
    }
}
