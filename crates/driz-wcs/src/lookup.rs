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
    crpix: [f64; 2],
    crval: [f64; 2],
    cdelt: [f64; 2],
    /// 1/CDELT where multiplying by it is exact (CDELT a power of two, as in every HST
    /// table), so that the hot path skips a division and still rounds like astropy.
    exact_inverse_cdelt: [Option<f64>; 2],
}

/// `1/v` when `x * (1/v) == x / v` for every x: v a (normal) power of two.
fn exact_inverse(v: f64) -> Option<f64> {
    let mantissa = v.to_bits() & ((1u64 << 52) - 1);
    let inverse = 1.0 / v;
    (v.is_normal() && mantissa == 0 && inverse.is_normal()).then_some(inverse)
}

impl LookupTable {
    /// A table from its extension header (CRPIXi, CRVALi, CDELTi with astropy's defaults
    /// 0, 0 and 1) and its data. `naxis` is `[NAXIS1, NAXIS2]`; a 1-D table has NAXIS2 = 1.
    pub fn new(header: &Header, naxis: [usize; 2], data: Vec<f32>) -> Result<LookupTable, WcsError> {
        // `checked_mul`: the sizes come from a file and their product can overflow.
        if naxis[0] == 0 || naxis[1] == 0 || naxis[0].checked_mul(naxis[1]) != Some(data.len()) {
            return Err(WcsError::BadTable(format!("table of {}x{} has {} values", naxis[0], naxis[1], data.len())));
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(WcsError::BadTable(format!("value {i} of the table is not finite")));
        }
        let mut grid = ([0.0; 2], [0.0; 2], [1.0; 2]);
        for axis in 0..2 {
            let n = axis + 1;
            if let Some(v) = header.get_f64(&format!("CRPIX{n}"))? {
                grid.0[axis] = v;
            }
            if let Some(v) = header.get_f64(&format!("CRVAL{n}"))? {
                grid.1[axis] = v;
            }
            if let Some(v) = header.get_f64(&format!("CDELT{n}"))? {
                if v == 0.0 {
                    return Err(WcsError::BadTable(format!("CDELT{n} is zero")));
                }
                grid.2[axis] = v;
            }
        }
        Ok(LookupTable::from_grid(data, naxis, grid.0, grid.1, grid.2))
    }

    /// A table from its values and grid keywords (checked by the caller).
    pub(crate) fn from_grid(
        data: Vec<f32>,
        naxis: [usize; 2],
        crpix: [f64; 2],
        crval: [f64; 2],
        cdelt: [f64; 2],
    ) -> LookupTable {
        let exact_inverse_cdelt = [exact_inverse(cdelt[0]), exact_inverse(cdelt[1])];
        LookupTable { data, naxis, crpix, crval, cdelt, exact_inverse_cdelt }
    }

    /// Fractional 0-based table coordinate of a 1-based image coordinate, clamped to
    /// the table.
    #[inline]
    fn table_coordinate(&self, axis: usize, image: f64) -> f64 {
        let offset = image - self.crval[axis];
        let scaled = match self.exact_inverse_cdelt[axis] {
            Some(inverse) => offset * inverse,
            None => offset / self.cdelt[axis],
        };
        let c = scaled + self.crpix[axis] - 1.0;
        c.clamp(0.0, (self.naxis[axis] - 1) as f64)
    }

    #[inline]
    fn at(&self, ix: i64, iy: i64) -> f64 {
        let x = ix.clamp(0, self.naxis[0] as i64 - 1) as usize;
        let y = iy.clamp(0, self.naxis[1] as i64 - 1) as usize;
        f64::from(self.data[y * self.naxis[0] + x])
    }

    /// The interpolated offset at 1-based image position `(x, y)`.
    #[inline(always)]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        let cx = self.table_coordinate(0, x);
        let cy = self.table_coordinate(1, y);
        // The coordinates are clamped to ≥ 0, where truncation is floor (and inlined,
        // unlike `f64::floor` on baseline x86-64).
        let fx = (cx as i64) as f64;
        let fy = (cy as i64) as f64;
        let (wx, wy) = (cx - fx, cy - fy);
        let (ix, iy) = (fx as i64, fy as i64);
        // Same term order as astropy's distortion.c, so sums round alike.
        self.at(ix, iy) * (1.0 - wx) * (1.0 - wy)
            + self.at(ix, iy + 1) * (1.0 - wx) * wy
            + self.at(ix + 1, iy) * wx * (1.0 - wy)
            + self.at(ix + 1, iy + 1) * wx * wy
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
        LookupTable::from_grid(data, naxis, [0.0; 2], [0.0; 2], [cdelt; 2])
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
    fn exact_inverse_only_for_powers_of_two() {
        assert_eq!(exact_inverse(64.0), Some(1.0 / 64.0));
        assert_eq!(exact_inverse(1.0), Some(1.0));
        assert_eq!(exact_inverse(-0.5), Some(-2.0));
        for v in [3.0, 0.1, 100.0, f64::MIN_POSITIVE / 4.0, f64::INFINITY, f64::NAN] {
            assert_eq!(exact_inverse(v), None, "{v}");
        }
        // Multiplying by it rounds exactly like dividing.
        let mut x = 0.123456789f64;
        for _ in 0..1000 {
            x = (x * 7919.0).fract() * 4096.0;
            assert_eq!((x - 0.5) * (1.0 / 64.0), (x - 0.5) / 64.0);
        }
    }

    #[test]
    fn spec_example_index_for_acs_npol() {
        // CDELT 64, CRPIX 0: x = 1000.5026 sits at table coordinate 14.6329.
        let t = table([65, 33], 64.0);
        assert!((t.table_coordinate(0, 1000.5026206661714) - 14.632853447908929).abs() < 1e-12);
    }

    #[test]
    fn sizes_whose_product_overflows_are_an_error() {
        // Found by fuzzing (fuzz/fuzz_targets/wcs_from_header.rs): a D2IM table said to be
        // 10 x 2^63 overflowed the size check instead of failing it.
        let chip = Header::parse(
            b"CTYPE1  = 'RA---TAN'                                                            \
              CTYPE2  = 'DEC--TAN'                                                            \
              CRPIX1  =               2048.0                                                  \
              CRPIX2  =               1026.0                                                  \
              CRVAL1  =       83.19300506082                                                  \
              CRVAL2  =      -67.73222548109                                                  \
              PC1_1   =   3.920290602516E-06                                                  \
              PC1_2   = -1.0082434475667E-05                                                  \
              PC2_1   = -1.0351930440257E-05                                                  \
              PC2_2   = -4.5644540153863E-06                                                  \
              D2IMDIS1= 'LOOKUP  '                                                            \
              D2IM1   = 'EXTVER: 1'                                                           \
              END                                                                             ",
        )
        .unwrap();
        let mut tables = |_, _| LookupTable::new(&Header::new(), [10, 1 << 63], vec![0.0; 16]);
        let err = crate::HstWcs::from_header(&chip, ' ', &mut tables).unwrap_err().to_string();
        assert!(err.contains("D2IMARR 1") && err.contains("10x9223372036854775808"), "{err}");
        for naxis in [[usize::MAX, 2], [2, usize::MAX], [1 << 32, 1 << 32], [usize::MAX, usize::MAX]] {
            assert!(LookupTable::new(&Header::new(), naxis, vec![0.0; 4]).is_err(), "{naxis:?}");
        }
    }
}
