//! The all-sky grid of drizzlepac's `pars/allsky_cells.fits` (drizzlepac 3.11.0): 46
//! declination bands of projection cells, each projection cell a gnomonic plane of
//! 450287² pixels of 0.04" cut into 21 × 21 overlapping sky cells.
//!
//! The table rows are data copied from that file (printed by
//! `testdata/scripts/make_skycell_fixtures.py --rust-table`); the test `vs_grid` checks
//! them against `testdata/skycell/grid.json`, which the same script writes from the file.

use crate::SkyCellError;
use driz_wcs::Celestial;

/// Pixel scale of projection and sky cells, arcsec (`PC_SCALE`).
pub const PIXEL_SCALE: f64 = 0.04;
/// Sky cells per projection-cell side (`SC_NXY`).
pub const SKY_CELLS_PER_SIDE: u32 = 21;
/// Pixels a sky cell extends past its nominal size on each side (`SC_OLAP`).
pub const SKY_CELL_OVERLAP: u32 = 256;
/// Projection-cell side, pixels (`XCELL` = `YCELL`, the same in every row).
pub const PROJECTION_CELL_PIXELS: u32 = 450287;

/// Distance between the origins of neighbouring sky cells, pixels:
/// `int(450287 / 21 + 0.5)`.
pub const SKY_CELL_STEP: u32 = 21442;
/// Sky-cell side, pixels: the step plus the overlap on both sides.
pub const SKY_CELL_PIXELS: u32 = SKY_CELL_STEP + 2 * SKY_CELL_OVERLAP;

/// One declination band (one row of the grid table).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// ID of the band's first projection cell (`PROJCELL`).
    pub projcell: u32,
    /// Number of projection cells around the band (`NBAND`).
    pub nband: u32,
    /// Declination of the projection-cell centres (`DEC`).
    pub dec: f64,
    /// The band holds footprints lying entirely within `[dec_min, dec_max]`.
    pub dec_min: f64,
    pub dec_max: f64,
}

#[rustfmt::skip]
pub const BANDS: [Band; 46] = [
    Band { projcell: 0, nband: 1, dec: -89.999999999997, dec_min: -90.0, dec_max: -86.46669698199506 },
    Band { projcell: 1, nband: 9, dec: -86.0, dec_min: -88.50000112851825, dec_max: -83.03857057629212 },
    Band { projcell: 10, nband: 15, dec: -82.0, dec_min: -84.50000112851825, dec_max: -79.21026479180199 },
    Band { projcell: 25, nband: 21, dec: -78.0, dec_min: -80.50000112851825, dec_max: -75.29099870853393 },
    Band { projcell: 46, nband: 27, dec: -74.0, dec_min: -76.50000112851825, dec_max: -71.3379999462328 },
    Band { projcell: 73, nband: 33, dec: -70.0, dec_min: -72.50000112851825, dec_max: -67.36894551199916 },
    Band { projcell: 106, nband: 39, dec: -66.0, dec_min: -68.50000112851825, dec_max: -63.39102723840883 },
    Band { projcell: 145, nband: 45, dec: -62.0, dec_min: -64.50000112851825, dec_max: -59.40771127670832 },
    Band { projcell: 190, nband: 50, dec: -58.0, dec_min: -60.50000112851825, dec_max: -55.42087210920138 },
    Band { projcell: 240, nband: 55, dec: -54.0, dec_min: -56.50000112851825, dec_max: -51.4316120468263 },
    Band { projcell: 295, nband: 60, dec: -50.0, dec_min: -52.50000112851825, dec_max: -47.440622174240254 },
    Band { projcell: 355, nband: 64, dec: -46.0, dec_min: -48.50000112851825, dec_max: -43.44835837004945 },
    Band { projcell: 419, nband: 68, dec: -42.0, dec_min: -44.50000112851825, dec_max: -39.455134195733535 },
    Band { projcell: 487, nband: 72, dec: -38.0, dec_min: -40.50000112851825, dec_max: -35.4611731135819 },
    Band { projcell: 559, nband: 76, dec: -34.0, dec_min: -36.50000112851825, dec_max: -31.466639409417983 },
    Band { projcell: 635, nband: 79, dec: -30.0, dec_min: -32.50000112851825, dec_max: -27.47165732791212 },
    Band { projcell: 714, nband: 82, dec: -26.0, dec_min: -28.50000112851825, dec_max: -23.476323375362742 },
    Band { projcell: 796, nband: 84, dec: -22.0, dec_min: -24.50000112851825, dec_max: -19.48071450715121 },
    Band { projcell: 880, nband: 86, dec: -18.0, dec_min: -20.50000112851825, dec_max: -15.484893757396941 },
    Band { projcell: 966, nband: 88, dec: -14.0, dec_min: -16.50000112851825, dec_max: -11.488914239860943 },
    Band { projcell: 1054, nband: 89, dec: -10.0, dec_min: -12.50000112851825, dec_max: -7.4928220956796645 },
    Band { projcell: 1143, nband: 89, dec: -6.0, dec_min: -8.50000112851825, dec_max: -3.4966587589289992 },
    Band { projcell: 1232, nband: 90, dec: -2.0, dec_min: -4.5000011285182495, dec_max: 0.5000122184886777 },
    Band { projcell: 1322, nband: 90, dec: 2.0, dec_min: -0.5000011285182495, dec_max: 4.500012218488678 },
    Band { projcell: 1412, nband: 89, dec: 6.0, dec_min: 3.496669808738251, dec_max: 8.500012218488678 },
    Band { projcell: 1501, nband: 89, dec: 10.0, dec_min: 7.492833111248115, dec_max: 12.500012218488678 },
    Band { projcell: 1590, nband: 88, dec: 14.0, dec_min: 11.488925220446685, dec_max: 16.500012218488678 },
    Band { projcell: 1678, nband: 86, dec: 18.0, dec_min: 15.48490470188009, dec_max: 20.500012218488678 },
    Band { projcell: 1764, nband: 84, dec: 22.0, dec_min: 19.480725413986622, dec_max: 24.500012218488678 },
    Band { projcell: 1848, nband: 82, dec: 26.0, dec_min: 23.47633424251127, dec_max: 28.500012218488678 },
    Band { projcell: 1930, nband: 79, dec: 30.0, dec_min: 27.47166815274341, dec_max: 32.50001221848868 },
    Band { projcell: 2009, nband: 76, dec: 34.0, dec_min: 31.46665018857429, dec_max: 36.50001221848868 },
    Band { projcell: 2085, nband: 72, dec: 38.0, dec_min: 35.46118384278683, dec_max: 40.50001221848868 },
    Band { projcell: 2157, nband: 68, dec: 42.0, dec_min: 39.45514486951966, dec_max: 44.50001221848868 },
    Band { projcell: 2225, nband: 64, dec: 46.0, dec_min: 43.44836898136315, dec_max: 48.50001221848868 },
    Band { projcell: 2289, nband: 60, dec: 50.0, dec_min: 47.4406327138543, dec_max: 52.50001221848866 },
    Band { projcell: 2349, nband: 55, dec: 54.0, dec_min: 51.43162250243828, dec_max: 56.50001221848866 },
    Band { projcell: 2404, nband: 50, dec: 58.0, dec_min: 55.42088246399667, dec_max: 60.50001221848866 },
    Band { projcell: 2454, nband: 45, dec: 62.0, dec_min: 59.407721506958715, dec_max: 64.50001221848866 },
    Band { projcell: 2499, nband: 39, dec: 66.0, dec_min: 63.391037309217644, dec_max: 68.50001221848866 },
    Band { projcell: 2538, nband: 33, dec: 70.0, dec_min: 67.36895536918166, dec_max: 72.50001221848866 },
    Band { projcell: 2571, nband: 27, dec: 74.0, dec_min: 71.33800949924066, dec_max: 76.50001221848866 },
    Band { projcell: 2598, nband: 21, dec: 78.0, dec_min: 75.29100778946918, dec_max: 80.50001221848866 },
    Band { projcell: 2619, nband: 15, dec: 82.0, dec_min: 79.21027303638002, dec_max: 84.50001221848866 },
    Band { projcell: 2634, nband: 9, dec: 86.0, dec_min: 83.03857695906147, dec_max: 88.50001221848866 },
    Band { projcell: 2643, nband: 1, dec: 89.999999999997, dec_min: 86.46669698199506, dec_max: 90.0 },
];

/// One projection cell: a band and the cell's position along it.
#[derive(Debug, Clone)]
pub struct ProjectionCell {
    /// Grid-wide ID (`PROJCELL` + index), the `pNNNN` of sky-cell names.
    pub id: u32,
    /// Its gnomonic plane; pixel coordinates are 1-based as everywhere in driz-wcs.
    pub wcs: Celestial,
}

impl ProjectionCell {
    /// Cell `index` (0-based) of `band`: tangent point at RA `index·360/NBAND` and the
    /// band's declination, north up, east left, reference pixel at the centre.
    pub fn new(band: &Band, index: u32) -> Result<ProjectionCell, SkyCellError> {
        let scale = PIXEL_SCALE / 3600.0;
        let centre = f64::from(PROJECTION_CELL_PIXELS) / 2.0 + 0.5;
        let crval = [f64::from(index) * 360.0 / f64::from(band.nband), band.dec];
        let wcs = Celestial::new([centre, centre], crval, [[-scale, 0.0], [0.0, scale]], ["RA---TAN", "DEC--TAN"])?;
        Ok(ProjectionCell { id: band.projcell + index, wcs })
    }

    /// 0-based pixel position of a sky position in this cell's plane; `None` on the far
    /// side of the tangent plane.
    pub fn pixel(&self, ra: f64, dec: f64) -> Option<(f64, f64)> {
        self.wcs.world2foc(ra, dec).map(|(x, y)| (x - 1.0, y - 1.0))
    }

    /// Sky position of a 0-based pixel position of this plane.
    pub fn world(&self, x: f64, y: f64) -> (f64, f64) {
        self.wcs.foc2world(x + 1.0, y + 1.0)
    }
}

/// 0-based projection-cell pixel where sky cell `index` (1-based, along X or Y) starts;
/// it covers `[start, start + SKY_CELL_PIXELS]` inclusive.
pub fn sky_cell_start(index: u32) -> f64 {
    f64::from(index.saturating_sub(1)) * f64::from(SKY_CELL_STEP)
}
