//! The full HST chip WCS: detector-to-image lookup (D2IM), SIP polynomial, non-polynomial
//! lookup (NPOL, the distortion paper's `CPDIS`) and the celestial TAN WCS, evaluated in
//! astropy's order: D2IM at the raw pixel, then SIP and NPOL at the D2IM-corrected pixel,
//! then CD, TAN and rotation.

use crate::WcsError;
use crate::celestial::Celestial;
use crate::lookup::LookupTable;
use crate::sip::Sip;
use driz_header::Header;
use std::sync::Arc;

/// Which extension family a lookup table lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `D2IMARR`, named by `D2IMj.EXTVER`.
    D2im,
    /// `WCSDVARR`, named by `DPj.EXTVER`.
    Npol,
}

impl TableKind {
    pub fn extname(self) -> &'static str {
        match self {
            TableKind::D2im => "D2IMARR",
            TableKind::Npol => "WCSDVARR",
        }
    }
    fn keywords(self, axis: usize) -> (String, String, String) {
        match self {
            TableKind::D2im => (format!("D2IMDIS{axis}"), format!("D2IM{axis}"), format!("D2IMERR{axis}")),
            TableKind::Npol => (format!("CPDIS{axis}"), format!("DP{axis}"), format!("CPERR{axis}")),
        }
    }
}

/// Everything between raw pixels and the linear WCS. Shared by all WCS keys of a chip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distortion {
    pub d2im: [Option<Arc<LookupTable>>; 2],
    pub sip: Option<Sip>,
    pub npol: [Option<Arc<LookupTable>>; 2],
}

impl Distortion {
    pub fn is_empty(&self) -> bool {
        self.sip.is_none() && self.d2im.iter().chain(self.npol.iter()).all(Option::is_none)
    }

    /// Read SIP and the lookup-table keywords; `tables` fetches a table extension by kind
    /// and EXTVER.
    pub fn from_header(
        header: &Header,
        tables: &mut dyn FnMut(TableKind, i64) -> Result<LookupTable, WcsError>,
    ) -> Result<Distortion, WcsError> {
        let mut d = Distortion { sip: Sip::from_header(header)?, ..Default::default() };
        for kind in [TableKind::D2im, TableKind::Npol] {
            for axis in 1..=2 {
                let (dis, record, err) = kind.keywords(axis);
                let Some(method) = header.get_str(&dis)? else { continue };
                if !method.trim().eq_ignore_ascii_case("lookup") {
                    return Err(WcsError::Unsupported(format!("{dis} = {method:?}: only 'Lookup' is supported")));
                }
                // astropy skips a table whose stated maximum error is below the requested
                // minimum error, which is 0.
                if header.get_f64(&err)?.is_some_and(|e| e < 0.0) {
                    continue;
                }
                let extver = header.record(&record, "EXTVER")?.unwrap_or(1.0);
                if extver.fract() != 0.0 || extver < 1.0 {
                    return Err(WcsError::Invalid(format!("{record}.EXTVER = {extver} is not an extension version")));
                }
                let table = tables(kind, extver as i64).map_err(|e| match e {
                    WcsError::BadTable(m) | WcsError::Invalid(m) => {
                        WcsError::BadTable(format!("{} {} (for {dis}): {m}", kind.extname(), extver))
                    }
                    other => other,
                })?;
                let slot = match kind {
                    TableKind::D2im => &mut d.d2im[axis - 1],
                    TableKind::Npol => &mut d.npol[axis - 1],
                };
                *slot = Some(Arc::new(table));
            }
        }
        Ok(d)
    }
}

/// Points per batch in [`HstWcs::pix2foc_many`]: enough to amortise each stage, few
/// enough for the scratch arrays to stay in L1.
const BATCH: usize = 256;

/// Tolerance of the iterative sky→pixel inversion, pixels.
pub const INVERSE_TOLERANCE: f64 = 1e-10;
const INVERSE_MAX_ITERATIONS: usize = 100;

/// A chip's complete WCS.
#[derive(Debug, Clone, PartialEq)]
pub struct HstWcs {
    pub celestial: Celestial,
    pub distortion: Distortion,
}

impl HstWcs {
    /// The WCS of key `key` from a science extension header.
    pub fn from_header(
        header: &Header,
        key: char,
        tables: &mut dyn FnMut(TableKind, i64) -> Result<LookupTable, WcsError>,
    ) -> Result<HstWcs, WcsError> {
        let celestial = Celestial::from_header(header, key)?;
        let distortion = Distortion::from_header(header, tables)?;
        Ok(HstWcs { celestial, distortion })
    }

    /// A WCS without distortion.
    pub fn undistorted(celestial: Celestial) -> HstWcs {
        HstWcs { celestial, distortion: Distortion::default() }
    }

    /// 1-based pixel → 1-based focal-plane position (astropy `pix2foc(x, y, 1)`).
    #[inline]
    pub fn pix2foc(&self, x: f64, y: f64) -> (f64, f64) {
        let d = &self.distortion;
        let mut xd = x;
        let mut yd = y;
        if let Some(t) = &d.d2im[0] {
            xd += t.value(x, y);
        }
        if let Some(t) = &d.d2im[1] {
            yd += t.value(x, y);
        }
        let mut xf = xd;
        let mut yf = yd;
        if let Some(sip) = &d.sip {
            let (f, g) = sip.offsets(xd - self.celestial.crpix[0], yd - self.celestial.crpix[1]);
            xf += f;
            yf += g;
        }
        if let Some(t) = &d.npol[0] {
            xf += t.value(xd, yd);
        }
        if let Some(t) = &d.npol[1] {
            yf += t.value(xd, yd);
        }
        (xf, yf)
    }

    /// [`HstWcs::pix2foc`] of many points, bit for bit: each stage runs over a batch of
    /// points before the next, so the SIP polynomials are evaluated coefficient by
    /// coefficient ([`Polynomial::eval_many`](crate::Polynomial::eval_many)).
    pub fn pix2foc_many(&self, x: &[f64], y: &[f64], xf: &mut [f64], yf: &mut [f64]) {
        let n = x.len();
        assert!(y.len() == n && xf.len() == n && yf.len() == n, "pix2foc_many: slices differ in length");
        let batches = x.chunks(BATCH).zip(y.chunks(BATCH)).zip(xf.chunks_mut(BATCH).zip(yf.chunks_mut(BATCH)));
        for ((x, y), (xf, yf)) in batches {
            self.pix2foc_batch(x, y, xf, yf);
        }
    }

    /// One batch of [`HstWcs::pix2foc_many`]: the steps of [`HstWcs::pix2foc`], in order.
    fn pix2foc_batch(&self, x: &[f64], y: &[f64], xf: &mut [f64], yf: &mut [f64]) {
        let d = &self.distortion;
        let n = x.len();
        let (mut xd, mut yd) = ([0.0; BATCH], [0.0; BATCH]);
        let (xd, yd) = (&mut xd[..n], &mut yd[..n]);
        xd.copy_from_slice(x);
        yd.copy_from_slice(y);
        for (t, out) in [(&d.d2im[0], &mut *xd), (&d.d2im[1], &mut *yd)] {
            if let Some(t) = t {
                for ((o, &x), &y) in out.iter_mut().zip(x).zip(y) {
                    *o += t.value(x, y);
                }
            }
        }
        xf.copy_from_slice(xd);
        yf.copy_from_slice(yd);
        if let Some(sip) = &d.sip {
            let (mut u, mut v, mut f, mut g) = ([0.0; BATCH], [0.0; BATCH], [0.0; BATCH], [0.0; BATCH]);
            let (u, v, f, g) = (&mut u[..n], &mut v[..n], &mut f[..n], &mut g[..n]);
            for (((u, v), &xd), &yd) in u.iter_mut().zip(v.iter_mut()).zip(&*xd).zip(&*yd) {
                (*u, *v) = (xd - self.celestial.crpix[0], yd - self.celestial.crpix[1]);
            }
            sip.offsets_many(u, v, f, g);
            for (((xf, yf), &f), &g) in xf.iter_mut().zip(yf.iter_mut()).zip(&*f).zip(&*g) {
                *xf += f;
                *yf += g;
            }
        }
        for (t, out) in [(&d.npol[0], &mut *xf), (&d.npol[1], &mut *yf)] {
            if let Some(t) = t {
                for ((o, &x), &y) in out.iter_mut().zip(&*xd).zip(&*yd) {
                    *o += t.value(x, y);
                }
            }
        }
    }

    /// [`HstWcs::pix2world`] of many points, bit for bit.
    pub fn pix2world_many(&self, x: &[f64], y: &[f64], ra: &mut [f64], dec: &mut [f64]) {
        self.pix2foc_many(x, y, ra, dec);
        for (r, d) in ra.iter_mut().zip(dec.iter_mut()) {
            (*r, *d) = self.celestial.foc2world(*r, *d);
        }
    }

    /// 1-based pixel → (RA, Dec) degrees (astropy `all_pix2world(x, y, 1)`).
    #[inline]
    pub fn pix2world(&self, x: f64, y: f64) -> (f64, f64) {
        let (xf, yf) = self.pix2foc(x, y);
        self.celestial.foc2world(xf, yf)
    }

    /// (RA, Dec) → 1-based pixel, inverting the full forward model by fixed-point
    /// iteration to [`INVERSE_TOLERANCE`].
    pub fn world2pix(&self, ra: f64, dec: f64) -> Result<(f64, f64), WcsError> {
        if !ra.is_finite() || !dec.is_finite() {
            return Err(WcsError::OffImage { ra, dec });
        }
        let (x0, y0) = self.celestial.world2foc(ra, dec).ok_or(WcsError::OffImage { ra, dec })?;
        self.foc2pix(x0, y0).ok_or(WcsError::NoConvergence { ra, dec })
    }

    /// Focal-plane position → 1-based pixel: the distortion inverted by fixed-point
    /// iteration to [`INVERSE_TOLERANCE`]; `None` when it does not converge.
    pub fn foc2pix(&self, x0: f64, y0: f64) -> Option<(f64, f64)> {
        if self.distortion.is_empty() {
            return Some((x0, y0));
        }
        let (mut x, mut y) = (x0, y0);
        let mut last = f64::INFINITY;
        let mut growing = 0;
        for _ in 0..INVERSE_MAX_ITERATIONS {
            let (fx, fy) = self.pix2foc(x, y);
            let (dx, dy) = (fx - x0, fy - y0);
            x -= dx;
            y -= dy;
            // A NaN must not pass as converged (f64::max would drop it).
            let step = if dx.is_nan() || dy.is_nan() { f64::NAN } else { dx.abs().max(dy.abs()) };
            if step < INVERSE_TOLERANCE {
                return Some((x, y));
            }
            growing = if step > last { growing + 1 } else { 0 };
            if growing >= 3 || !step.is_finite() {
                break;
            }
            last = step;
        }
        None
    }

    pub fn has_distortion(&self) -> bool {
        !self.distortion.is_empty()
    }

    /// A short description of the distortion components present, e.g. `["D2IM", "SIP", "NPOL"]`.
    pub fn distortion_names(&self) -> Vec<&'static str> {
        let d = &self.distortion;
        let mut v = Vec::new();
        if d.d2im.iter().any(Option::is_some) {
            v.push("D2IM");
        }
        if d.sip.is_some() {
            v.push("SIP");
        }
        if d.npol.iter().any(Option::is_some) {
            v.push("NPOL");
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_tables(_: TableKind, _: i64) -> Result<LookupTable, WcsError> {
        Err(WcsError::BadTable("none".into()))
    }

    /// Spec wcs-alignment §8.4, verified there against astropy.
    fn example_header() -> Header {
        let cards = [
            "CTYPE1  = 'RA---TAN-SIP'",
            "CTYPE2  = 'DEC--TAN-SIP'",
            "RADESYS = 'ICRS'",
            "CRPIX1  =               2048.0",
            "CRPIX2  =               1024.0",
            "CRVAL1  =        5.63056810618",
            "CRVAL2  =      -72.05457184279",
            "CD1_1   = 1.29055156992758E-05",
            "CD1_2   = 5.95250078565221E-06",
            "CD2_1   = 5.02263821027651E-06",
            "CD2_2   = -1.2644844109546E-05",
            "A_ORDER =                    2",
            "B_ORDER =                    2",
            "A_2_0   =  8.5512775825565E-06",
            "A_1_1   = -5.1974576466834E-06",
            "A_0_2   = 2.16615952976212E-06",
            "B_2_0   = -1.7464918770586E-06",
            "B_1_1   = 6.18443235774478E-06",
            "B_0_2   = -7.2168814507744E-06",
        ];
        Header::from_card_images(cards).unwrap()
    }

    #[test]
    fn spec_worked_example_sip_order_2() {
        let w = HstWcs::from_header(&example_header(), ' ', &mut no_tables).unwrap();
        let (xf, yf) = w.pix2foc(100.0, 200.0);
        assert!((xf - (100.0 + 25.577628044028096)).abs() < 1e-10);
        assert!((yf - (200.0 - 1.600555043864028)).abs() < 1e-10);
        let (ra, dec) = w.pix2world(100.0, 200.0);
        assert!((ra - 5.534099771652519).abs() < 1e-12, "{ra}");
        assert!((dec - -72.05376407880429).abs() < 1e-12, "{dec}");
        let (x, y) = w.world2pix(ra, dec).unwrap();
        assert!((x - 100.0).abs() < 1e-9 && (y - 200.0).abs() < 1e-9, "{x} {y}");
    }

    #[test]
    fn many_point_evaluation_is_bit_identical() {
        let table = |naxis: [usize; 2], cdelt: f64, scale: f32| {
            let data = (0..naxis[0] * naxis[1]).map(|i| (i as f32 * 0.37).sin() * scale).collect();
            Arc::new(LookupTable::from_grid(data, naxis, [0.0; 2], [0.0; 2], [cdelt; 2]))
        };
        let mut w = HstWcs::from_header(&example_header(), ' ', &mut no_tables).unwrap();
        w.distortion.d2im = [Some(table([4096, 1], 1.0, 0.01)), Some(table([4096, 1], 1.0, 0.02))];
        w.distortion.npol = [Some(table([65, 33], 64.0, 0.05)), Some(table([65, 33], 64.0, 0.07))];
        // Several batches, a partial one, and points off the tables' edges.
        let n = 1000;
        let x: Vec<f64> = (0..n).map(|i| -50.0 + 4.23 * i as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| 2100.0 - 2.17 * i as f64).collect();
        let (mut xf, mut yf, mut ra, mut dec) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        w.pix2foc_many(&x, &y, &mut xf, &mut yf);
        w.pix2world_many(&x, &y, &mut ra, &mut dec);
        for i in 0..n {
            let (a, b) = w.pix2foc(x[i], y[i]);
            assert_eq!((xf[i].to_bits(), yf[i].to_bits()), (a.to_bits(), b.to_bits()), "pix2foc at {i}");
            let (a, b) = w.pix2world(x[i], y[i]);
            assert_eq!((ra[i].to_bits(), dec[i].to_bits()), (a.to_bits(), b.to_bits()), "pix2world at {i}");
        }
    }

    #[test]
    fn missing_table_is_a_named_error() {
        let mut h = example_header();
        h.set("CPDIS1", "Lookup");
        h.set_record("DP1", "EXTVER", 1.0, "");
        let err = HstWcs::from_header(&h, ' ', &mut no_tables).unwrap_err().to_string();
        assert!(err.contains("WCSDVARR 1") && err.contains("CPDIS1"), "{err}");
    }

    #[test]
    fn nan_coefficient_is_an_error() {
        let mut h = example_header();
        h.set("A_1_1", f64::NAN);
        let err = HstWcs::from_header(&h, ' ', &mut no_tables).unwrap_err().to_string();
        assert!(err.contains("A_1_1"), "{err}");
    }
}
