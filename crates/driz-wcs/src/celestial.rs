//! The linear and celestial part of a WCS: CD matrix (or PC + CDELT, or CROTA2), the
//! gnomonic (TAN) projection and the rotation from native to celestial coordinates.
//!
//! The sphere rotation is done with a 3×3 matrix on direction vectors instead of the
//! textbook chain of trigonometric formulas: the same result to ~1e-15 relative, with two
//! `atan2` calls per point instead of eight transcendental functions.

use crate::WcsError;
use driz_header::{Card, Header};

const D2R: f64 = std::f64::consts::PI / 180.0;
const R2D: f64 = 180.0 / std::f64::consts::PI;

/// The celestial WCS of one key (`' '` primary, `'A'`–`'Z'` alternates).
#[derive(Debug, Clone, PartialEq)]
pub struct Celestial {
    pub key: char,
    pub name: Option<String>,
    pub ctype: [String; 2],
    pub crpix: [f64; 2],
    pub crval: [f64; 2],
    /// `cd[i][j]` is `CD{i+1}_{j+1}`, degrees per pixel.
    pub cd: [[f64; 2]; 2],
    pub lonpole: f64,
    pub radesys: Option<String>,
    cd_inv: [[f64; 2]; 2],
    /// Native direction vector → celestial direction vector.
    rotation: [[f64; 3]; 3],
}

fn suffix(key: char) -> String {
    if key == ' ' { String::new() } else { key.to_string() }
}

impl Celestial {
    /// Build from explicit values; `ctype` must be a RA/DEC TAN pair.
    pub fn new(crpix: [f64; 2], crval: [f64; 2], cd: [[f64; 2]; 2], ctype: [&str; 2]) -> Result<Celestial, WcsError> {
        let lonpole = default_lonpole(crval[1]);
        Celestial::assemble(' ', None, [ctype[0].into(), ctype[1].into()], crpix, crval, cd, lonpole, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        key: char,
        name: Option<String>,
        ctype: [String; 2],
        crpix: [f64; 2],
        crval: [f64; 2],
        cd: [[f64; 2]; 2],
        lonpole: f64,
        radesys: Option<String>,
    ) -> Result<Celestial, WcsError> {
        check_ctype(&ctype)?;
        for v in crpix.iter().chain(crval.iter()).chain(cd.iter().flatten()).chain([lonpole].iter()) {
            if !v.is_finite() {
                return Err(WcsError::Invalid(format!("non-finite WCS value {v}")));
            }
        }
        if !(-90.0..=90.0).contains(&crval[1]) {
            return Err(WcsError::Invalid(format!("CRVAL2 = {} is not a declination", crval[1])));
        }
        let det = cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0];
        if det == 0.0 || !det.is_finite() {
            return Err(WcsError::Invalid("the CD matrix is singular".into()));
        }
        let cd_inv = [[cd[1][1] / det, -cd[0][1] / det], [-cd[1][0] / det, cd[0][0] / det]];
        let rotation = native_to_celestial(crval[0] * D2R, crval[1] * D2R, lonpole * D2R);
        Ok(Celestial { key, name, ctype, crpix, crval, cd, lonpole, radesys, cd_inv, rotation })
    }

    /// Read the WCS with key `key` from a header.
    pub fn from_header(header: &Header, key: char) -> Result<Celestial, WcsError> {
        let s = suffix(key);
        let kw = |base: &str| format!("{base}{s}");
        let ctype1 = header.get_str(&kw("CTYPE1"))?.map(str::trim).unwrap_or("");
        let ctype2 = header.get_str(&kw("CTYPE2"))?.map(str::trim).unwrap_or("");
        if ctype1.is_empty() || ctype2.is_empty() {
            return Err(WcsError::MissingKeyword(format!("{} / {}", kw("CTYPE1"), kw("CTYPE2"))));
        }
        let ctype = [ctype1.to_string(), ctype2.to_string()];
        let crpix = [header.require_f64(&kw("CRPIX1"))?, header.require_f64(&kw("CRPIX2"))?];
        let crval = [header.require_f64(&kw("CRVAL1"))?, header.require_f64(&kw("CRVAL2"))?];
        let cd = read_cd(header, &s)?;
        let lonpole = header.get_f64(&kw("LONPOLE"))?.unwrap_or_else(|| default_lonpole(crval[1]));
        let name = header.get_str(&kw("WCSNAME"))?.map(|n| n.trim().to_string());
        let radesys = header.get_str(&kw("RADESYS"))?.map(|n| n.trim().to_string());
        Celestial::assemble(key, name, ctype, crpix, crval, cd, lonpole, radesys)
    }

    /// Write this WCS into a header under key `key` (the primary when `' '`), as a
    /// CD matrix. Distortion keywords are not touched: they are shared by all keys.
    pub fn write_to_header(&self, header: &mut Header, key: char) {
        let s = suffix(key);
        let set = |h: &mut Header, base: &str, v: driz_header::Value| {
            let k = format!("{base}{s}");
            if h.contains(&k) {
                h.set(&k, v);
            } else {
                h.append(Card::new(&k, v, ""));
            }
        };
        if let Some(name) = &self.name {
            set(header, "WCSNAME", name.as_str().into());
        }
        set(header, "WCSAXES", 2.into());
        for i in 0..2 {
            set(header, &format!("CRPIX{}", i + 1), self.crpix[i].into());
        }
        for i in 0..2 {
            set(header, &format!("CRVAL{}", i + 1), self.crval[i].into());
        }
        for i in 0..2 {
            set(header, &format!("CTYPE{}", i + 1), self.ctype[i].as_str().into());
        }
        for i in 0..2 {
            for j in 0..2 {
                set(header, &format!("CD{}_{}", i + 1, j + 1), self.cd[i][j].into());
            }
        }
        if let Some(r) = &self.radesys {
            set(header, "RADESYS", r.as_str().into());
        }
    }

    /// A copy with a new reference point and CD matrix (used when a fit corrects a WCS).
    pub fn with_reference(&self, crpix: [f64; 2], crval: [f64; 2], cd: [[f64; 2]; 2]) -> Result<Celestial, WcsError> {
        Celestial::assemble(
            self.key,
            self.name.clone(),
            self.ctype.clone(),
            crpix,
            crval,
            cd,
            if crval == self.crval { self.lonpole } else { default_lonpole(crval[1]) },
            self.radesys.clone(),
        )
    }

    /// Whether CTYPE carries the `-SIP` suffix.
    pub fn ctype_has_sip(&self) -> bool {
        self.ctype[0].ends_with("-SIP")
    }

    /// Focal-plane (1-based, distortion-corrected) pixel → (RA, Dec) in degrees.
    #[inline]
    pub fn foc2world(&self, xf: f64, yf: f64) -> (f64, f64) {
        let [x, y, z] = rotate(&self.rotation, self.native_direction(xf, yf));
        let mut ra = y.atan2(x) * R2D;
        if ra < 0.0 {
            ra += 360.0;
        }
        if ra >= 360.0 {
            ra -= 360.0;
        }
        let dec = z.atan2(x.hypot(y)) * R2D;
        (ra, dec)
    }

    /// (RA, Dec) → focal-plane pixel; `None` for points on the far side of the tangent plane.
    #[inline]
    pub fn world2foc(&self, ra: f64, dec: f64) -> Option<(f64, f64)> {
        let (sa, ca) = (ra * D2R).sin_cos();
        let (sd, cd) = (dec * D2R).sin_cos();
        self.project(rotate_back(&self.rotation, [cd * ca, cd * sa, sd]))
    }

    /// Native direction of a focal-plane point, unnormalised: (cosθcosφ, cosθsinφ, sinθ).
    #[inline]
    fn native_direction(&self, xf: f64, yf: f64) -> [f64; 3] {
        let dx = xf - self.crpix[0];
        let dy = yf - self.crpix[1];
        let xi = (self.cd[0][0] * dx + self.cd[0][1] * dy) * D2R;
        let eta = (self.cd[1][0] * dx + self.cd[1][1] * dy) * D2R;
        [-eta, xi, 1.0]
    }

    /// The gnomonic projection of a native direction onto the focal plane; `None` on the
    /// far side of the tangent plane.
    #[inline]
    fn project(&self, [nx, ny, nz]: [f64; 3]) -> Option<(f64, f64)> {
        if nz <= 0.0 {
            return None;
        }
        let xi = ny / nz * R2D;
        let eta = -nx / nz * R2D;
        let k = &self.cd_inv;
        Some((k[0][0] * xi + k[0][1] * eta + self.crpix[0], k[1][0] * xi + k[1][1] * eta + self.crpix[1]))
    }

    /// The mapping from this WCS's focal plane to `other`'s, without going through
    /// (RA, Dec).
    pub fn transfer_to(&self, other: &Celestial) -> FocalTransfer {
        let (a, b) = (&self.rotation, &other.rotation);
        // Celestial → other's native is b transposed.
        let mut m = [[0.0; 3]; 3];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = b[0][i] * a[0][j] + b[1][i] * a[1][j] + b[2][i] * a[2][j];
            }
        }
        FocalTransfer { from: self.clone(), rotation: m, to: other.clone() }
    }

    /// Pixel scale in arcsec at the reference point (sqrt of |det CD|).
    pub fn pixel_scale_arcsec(&self) -> f64 {
        (self.cd[0][0] * self.cd[1][1] - self.cd[0][1] * self.cd[1][0]).abs().sqrt() * 3600.0
    }

    /// Position angle of the image +y axis east of north, degrees (HST's ORIENTAT).
    pub fn orientation(&self) -> f64 {
        self.cd[0][1].atan2(self.cd[1][1]) * R2D
    }
}

/// Focal plane of one gnomonic WCS → focal plane of another. Two tangent-plane
/// projections of the sphere are related by a projective transformation, so the
/// direction vector is rotated straight from one native frame into the other: no
/// trigonometric function per point, and the same result as
/// [`Celestial::foc2world`] followed by [`Celestial::world2foc`] to ~1e-15 relative.
#[derive(Debug, Clone)]
pub struct FocalTransfer {
    from: Celestial,
    /// Native direction in the first frame → native direction in the second.
    rotation: [[f64; 3]; 3],
    to: Celestial,
}

impl FocalTransfer {
    /// `None` for points on the far side of the second tangent plane.
    #[inline]
    pub fn apply(&self, xf: f64, yf: f64) -> Option<(f64, f64)> {
        let n = rotate(&self.rotation, self.from.native_direction(xf, yf));
        if n[2].is_nan() {
            return None;
        }
        self.to.project(n)
    }
}

/// `m · v`.
#[inline]
fn rotate(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

/// `mᵀ · v`: the inverse of a rotation.
#[inline]
fn rotate_back(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [
        m[0][0] * v[0] + m[1][0] * v[1] + m[2][0] * v[2],
        m[0][1] * v[0] + m[1][1] * v[1] + m[2][1] * v[2],
        m[0][2] * v[0] + m[1][2] * v[1] + m[2][2] * v[2],
    ]
}

fn default_lonpole(dec0: f64) -> f64 {
    // wcslib: φ_p = 0 when δ0 ≥ θ0 (90° for zenithal projections), else 180.
    if dec0 >= 90.0 { 0.0 } else { 180.0 }
}

fn check_ctype(ctype: &[String; 2]) -> Result<(), WcsError> {
    let strip = |c: &str| c.strip_suffix("-SIP").unwrap_or(c).to_string();
    let (a, b) = (strip(&ctype[0]), strip(&ctype[1]));
    if a == "RA---TAN" && b == "DEC--TAN" {
        Ok(())
    } else {
        Err(WcsError::Unsupported(format!(
            "CTYPE1/CTYPE2 = {:?}/{:?}: only RA---TAN / DEC--TAN (with optional -SIP) is supported",
            ctype[0], ctype[1]
        )))
    }
}

fn read_cd(header: &Header, s: &str) -> Result<[[f64; 2]; 2], WcsError> {
    let mut cd = [[0.0; 2]; 2];
    let mut any_cd = false;
    for (i, row) in cd.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            if let Some(v) = header.get_f64(&format!("CD{}_{}{s}", i + 1, j + 1))? {
                *cell = v;
                any_cd = true;
            }
        }
    }
    if any_cd {
        return Ok(cd);
    }
    let cdelt =
        [header.get_f64(&format!("CDELT1{s}"))?.unwrap_or(1.0), header.get_f64(&format!("CDELT2{s}"))?.unwrap_or(1.0)];
    let mut pc = [[1.0, 0.0], [0.0, 1.0]];
    let mut any_pc = false;
    for (i, row) in pc.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            if let Some(v) = header.get_f64(&format!("PC{}_{}{s}", i + 1, j + 1))? {
                *cell = v;
                any_pc = true;
            }
        }
    }
    if !any_pc && let Some(rho) = header.get_f64(&format!("CROTA2{s}"))? {
        let (sr, cr) = (rho * D2R).sin_cos();
        pc = [[cr, -sr * cdelt[1] / cdelt[0]], [sr * cdelt[0] / cdelt[1], cr]];
    }
    for i in 0..2 {
        for j in 0..2 {
            cd[i][j] = cdelt[i] * pc[i][j];
        }
    }
    Ok(cd)
}

/// Rotation taking native direction vectors to celestial ones for a zenithal projection
/// with the native pole at celestial (α0, δ0) and native longitude of the celestial pole φp.
fn native_to_celestial(alpha0: f64, delta0: f64, phi_p: f64) -> [[f64; 3]; 3] {
    let (sa, ca) = alpha0.sin_cos();
    let (sd, cd) = delta0.sin_cos();
    let (sp, cp) = phi_p.sin_cos();
    // Rows of the rotation into the frame whose x axis points at α0 on the equator.
    let x1 = [-sd * cp, -sd * sp, cd];
    let y1 = [sp, -cp, 0.0];
    let z1 = [cd * cp, cd * sp, sd];
    let mut m = [[0.0; 3]; 3];
    for k in 0..3 {
        m[0][k] = ca * x1[k] - sa * y1[k];
        m[1][k] = sa * x1[k] + ca * y1[k];
        m[2][k] = z1[k];
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook trigonometric form (spec §8.1 steps 4–5), as an independent check.
    fn textbook(c: &Celestial, xf: f64, yf: f64) -> (f64, f64) {
        let dx = xf - c.crpix[0];
        let dy = yf - c.crpix[1];
        let xi = c.cd[0][0] * dx + c.cd[0][1] * dy;
        let eta = c.cd[1][0] * dx + c.cd[1][1] * dy;
        let r = xi.hypot(eta) * D2R;
        let phi = xi.atan2(-eta);
        let theta = 1f64.atan2(r);
        let (d0, a0, pp) = (c.crval[1] * D2R, c.crval[0] * D2R, c.lonpole * D2R);
        let dec = (theta.sin() * d0.sin() + theta.cos() * d0.cos() * (phi - pp).cos()).asin();
        let ra = a0
            + (-theta.cos() * (phi - pp).sin())
                .atan2(theta.sin() * d0.cos() - theta.cos() * d0.sin() * (phi - pp).cos());
        ((ra * R2D).rem_euclid(360.0), dec * R2D)
    }

    #[test]
    fn matrix_rotation_equals_textbook_formulas() {
        let cd = [[1.29055156992758e-05, 5.95250078565221e-06], [5.02263821027651e-06, -1.2644844109546e-05]];
        for crval in [[5.63056810618, -72.05457184279], [359.99, 0.5], [180.0, 89.0], [10.0, -89.9]] {
            let c = Celestial::new([2048.0, 1024.0], crval, cd, ["RA---TAN", "DEC--TAN"]).unwrap();
            for (x, y) in [(1.0, 1.0), (4096.0, 2048.0), (100.0, 2000.0), (2048.0, 1024.0)] {
                let (ra, dec) = c.foc2world(x, y);
                let (ra2, dec2) = textbook(&c, x, y);
                let dra = ((ra - ra2 + 180.0).rem_euclid(360.0) - 180.0) * (dec * D2R).cos();
                assert!(dra.abs() < 1e-11 && (dec - dec2).abs() < 1e-11, "{crval:?} {x} {y}");
                let (xb, yb) = c.world2foc(ra, dec).unwrap();
                assert!((xb - x).abs() < 1e-8 && (yb - y).abs() < 1e-8);
            }
        }
    }

    #[test]
    fn focal_transfer_equals_the_trip_through_the_sky() {
        let a =
            Celestial::new([2048.0, 1024.0], [150.1, 2.2], [[-1.2e-5, 4e-6], [5e-6, 1.3e-5]], ["RA---TAN", "DEC--TAN"])
                .unwrap();
        let frames = [
            ([2100.0, 2100.0], [150.1003, 2.2004], [[-1.389e-5, 0.0], [0.0, 1.389e-5]]),
            ([500.0, -300.0], [150.0, 2.25], [[1e-5, 2e-6], [-2e-6, 1e-5]]),
        ];
        for (crpix, crval, cd) in frames {
            let b = Celestial::new(crpix, crval, cd, ["RA---TAN", "DEC--TAN"]).unwrap();
            let t = a.transfer_to(&b);
            for (x, y) in [(0.5, 0.5), (4096.5, 2048.5), (2048.0, 1024.0), (-3000.0, 9000.0)] {
                let (ra, dec) = a.foc2world(x, y);
                let (ex, ey) = b.world2foc(ra, dec).unwrap();
                let (gx, gy) = t.apply(x, y).unwrap();
                assert!((gx - ex).abs() < 1e-8 && (gy - ey).abs() < 1e-8, "({gx}, {gy}) vs ({ex}, {ey})");
            }
        }
        // Near the poles and across RA 0.
        for crval in [[0.001, -89.99], [359.999, 89.999]] {
            let p = Celestial::new([10.0, 10.0], crval, [[-1e-4, 0.0], [0.0, 1e-4]], ["RA---TAN", "DEC--TAN"]).unwrap();
            let q = Celestial::new(
                [0.0, 5.0],
                [crval[0] + 0.002, crval[1] * 0.99999],
                [[1e-4, 1e-5], [0.0, 1e-4]],
                ["RA---TAN", "DEC--TAN"],
            )
            .unwrap();
            let (ra, dec) = p.foc2world(300.0, -200.0);
            let (ex, ey) = q.world2foc(ra, dec).unwrap();
            let (gx, gy) = p.transfer_to(&q).apply(300.0, -200.0).unwrap();
            assert!((gx - ex).abs() < 1e-7 && (gy - ey).abs() < 1e-7, "({gx}, {gy}) vs ({ex}, {ey})");
        }
        // The far side of the second tangent plane.
        let far =
            Celestial::new([0.0, 0.0], [330.1, -2.2], [[1e-5, 0.0], [0.0, 1e-5]], ["RA---TAN", "DEC--TAN"]).unwrap();
        assert!(a.transfer_to(&far).apply(2048.0, 1024.0).is_none());
    }

    #[test]
    fn rejects_unsupported_and_singular() {
        let cd = [[1e-5, 0.0], [0.0, 1e-5]];
        assert!(Celestial::new([1.0; 2], [0.0; 2], cd, ["RA---SIN", "DEC--SIN"]).is_err());
        assert!(Celestial::new([1.0; 2], [0.0; 2], [[1.0, 1.0], [1.0, 1.0]], ["RA---TAN", "DEC--TAN"]).is_err());
        assert!(Celestial::new([1.0; 2], [0.0, 95.0], cd, ["RA---TAN", "DEC--TAN"]).is_err());
    }

    #[test]
    fn alternate_keys_write_and_read_back() {
        let cd = [[1.29055156992758e-05, 5.95250078565221e-06], [5.02263821027651e-06, -1.2644844109546e-05]];
        let mut c =
            Celestial::new([2048.0, 1024.0], [5.63056810618, -72.05457184279], cd, ["RA---TAN-SIP", "DEC--TAN-SIP"])
                .unwrap();
        c.name = Some("IDC_qbu1641sj".into());
        let mut h = Header::new();
        c.write_to_header(&mut h, ' ');
        let mut o = c.with_reference([2048.0, 1024.0], [5.6306, -72.0546], cd).unwrap();
        o.name = Some("OPUS".into());
        o.write_to_header(&mut h, 'O');
        assert_eq!(h.get_str("WCSNAMEO").unwrap(), Some("OPUS"));
        assert_eq!(h.get_f64("CD2_2O").unwrap(), Some(-1.2644844109546e-05));
        let back = Celestial::from_header(&h, 'O').unwrap();
        assert_eq!(back.crval, [5.6306, -72.0546]);
        assert_eq!(back.cd, cd);
        assert_eq!(back.name.as_deref(), Some("OPUS"));
        let primary = Celestial::from_header(&h, ' ').unwrap();
        assert_eq!(primary.crval, c.crval);
        let keys: Vec<char> = crate::wcs_keys(&h).iter().map(|k| k.key).collect();
        assert_eq!(keys, [' ', 'O']);
        // Writing again updates in place instead of appending duplicates.
        let n = h.len();
        o.write_to_header(&mut h, 'O');
        assert_eq!(h.len(), n);
    }
}
