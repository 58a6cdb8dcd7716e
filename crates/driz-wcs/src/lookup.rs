//! Distortion lookup tables (`D2IMARR`, `WCSDVARR`): a coarse float32 grid of pixel
//! offsets, interpolated bilinearly, with astropy's clamping at the edges.

use crate::WcsError;
use driz_header::Header;

/// One lookup-table image and the placement of its grid on the detector.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupTable {
    /// Row-major values, `naxis[1]` rows of `naxis[0]` columns.
    pub data: Vec<f32>,
    /// `[NAXIS1, NAXIS2]`.
    pub naxis: [usize; 2],
    pub crpix: [f64; 2],
    pub crval: [f64; 2],
    pub cdelt: [f64; 2],
}

impl LookupTable {
    /// A table from its extension header (CRPIXi, CRVALi, CDELTi with astropy's defaults
    /// 0, 0 and 1) and its data. `naxis` is `[NAXIS1, NAXIS2]`; a 1-D table has NAXIS2 = 1.
    pub fn new(header: &Header, naxis: [usize; 2], data: Vec<f32>) -> Result<LookupTable, WcsError> {
        if naxis[0] == 0 || naxis[1] == 0 || data.len() != naxis[0] * naxis[1] {
            return Err(WcsError::BadTable(format!("table of {}x{} has {} values", naxis[0], naxis[1], data.len())));
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(WcsError::BadTable(format!("value {i} of the table is not finite")));
        }
        let mut t = LookupTable { data, naxis, crpix: [0.0; 2], crval: [0.0; 2], cdelt: [1.0; 2] };
        for axis in 0..2 {
            let n = axis + 1;
            if let Some(v) = header.get_f64(&format!("CRPIX{n}"))? {
                t.crpix[axis] = v;
            }
            if let Some(v) = header.get_f64(&format!("CRVAL{n}"))? {
                t.crval[axis] = v;
            }
            if let Some(v) = header.get_f64(&format!("CDELT{n}"))? {
                if v == 0.0 {
                    return Err(WcsError::BadTable(format!("CDELT{n} is zero")));
                }
                t.cdelt[axis] = v;
            }
        }
        Ok(t)
    }

    /// Fractional 0-based table coordinate of a 1-based image coordinate, clamped to
    /// the table.
    #[inline]
    fn table_coordinate(&self, axis: usize, image: f64) -> f64 {
        let c = (image - self.crval[axis]) / self.cdelt[axis] + self.crpix[axis] - 1.0;
        c.clamp(0.0, (self.naxis[axis] - 1) as f64)
    }

    /// The table cell holding 1-based image coordinate `image` on `axis` and the
    /// fractional position in it: `(i, w)` with `i + w` the clamped table coordinate.
    #[inline]
    fn cell(&self, axis: usize, image: f64) -> (usize, f64) {
        let c = self.table_coordinate(axis, image);
        // `c` is clamped to [0, n - 1], so truncation is the floor (and NaN gives 0).
        let i = c as usize;
        (i, c - i as f64)
    }

    /// The interpolated offset at 1-based image position `(x, y)`.
    #[inline(always)]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        let [nx, ny] = self.naxis;
        let (ix, wx) = self.cell(0, x);
        let (iy, wy) = self.cell(1, y);
        // Neighbours past the last row or column repeat it, as astropy's clamping does.
        let ix1 = (ix + 1).min(nx - 1);
        let row0 = &self.data[iy * nx..][..nx];
        let row1 = &self.data[(iy + 1).min(ny - 1) * nx..][..nx];
        let at = |row: &[f32], i: usize| f64::from(row[i]);
        // Same term order as astropy's distortion.c, so sums round alike.
        at(row0, ix) * (1.0 - wx) * (1.0 - wy)
            + at(row1, ix) * (1.0 - wx) * wy
            + at(row0, ix1) * wx * (1.0 - wy)
            + at(row1, ix1) * wx * wy
    }

    /// Largest value in the table (stwcs's `CPERRj`/`D2IMERRj`: the signed maximum).
    pub fn max_value(&self) -> f64 {
        self.data.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(naxis: [usize; 2], cdelt: f64) -> LookupTable {
        let data = (0..naxis[0] * naxis[1]).map(|i| i as f32).collect();
        LookupTable { data, naxis, crpix: [0.0; 2], crval: [0.0; 2], cdelt: [cdelt; 2] }
    }

    #[test]
    fn interpolates_and_clamps_like_astropy() {
        let t = table([4, 3], 1.0);
        // 1-based (2, 2) is table cell (1, 1) = 5.
        assert_eq!(t.value(2.0, 2.0), 5.0);
        assert!((t.value(2.5, 2.0) - 5.5).abs() < 1e-12);
        assert!((t.value(2.0, 2.5) - 7.0).abs() < 1e-12);
        // Beyond the table: the edge value.
        assert_eq!(t.value(-10.0, -10.0), 0.0);
        assert_eq!(t.value(100.0, 100.0), 11.0);
        // A 1-D table (NAXIS2 = 1) ignores y.
        let d = table([5, 1], 1.0);
        assert!((d.value(3.5, 999.0) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn spec_example_index_for_acs_npol() {
        // CDELT 64, CRPIX 0: x = 1000.5026 sits at table coordinate 14.6329.
        let t = table([65, 33], 64.0);
        assert!((t.table_coordinate(0, 1000.5026206661714) - 14.632853447908929).abs() < 1e-12);
    }
}
