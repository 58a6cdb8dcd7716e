//! The exposure footprint drizzlepac tests against the grid: the outline of every chip
//! (the sky positions of its edge pixels through the full distortion model), and the
//! north-up bounding rectangle of all of them that stands for drizzlepac's `meta_wcs`.

use crate::SkyCellError;
use driz_wcs::{Celestial, HstWcs};

/// Chip-pixel spacing of the outline samples. drizzlepac uses every edge pixel; straight
/// segments between samples this close differ from the distorted edge by far less than
/// a sky-cell pixel, and the segments themselves (not only the samples) are tested.
pub const OUTLINE_STEP: usize = 16;

/// The closed outline of a chip of `nx × ny` pixels: the centres of its edge pixels
/// (1-based 1..=nx, 1..=ny), every [`OUTLINE_STEP`] pixels and at the four corners, in
/// order around the chip, as (RA, Dec) degrees. The last point is not repeated.
pub fn chip_outline(wcs: &HstWcs, nx: usize, ny: usize) -> Vec<(f64, f64)> {
    let along = |n: usize| -> Vec<f64> {
        let mut v: Vec<f64> = (1..n).step_by(OUTLINE_STEP).map(|i| i as f64).collect();
        if v.is_empty() {
            v.push(1.0);
        }
        v
    };
    let (xs, ys) = (along(nx), along(ny));
    let (fx, fy) = (nx.max(1) as f64, ny.max(1) as f64);
    let mut pixels: Vec<(f64, f64)> = Vec::with_capacity(2 * (xs.len() + ys.len()));
    pixels.extend(xs.iter().map(|&x| (x, 1.0)));
    pixels.extend(ys.iter().map(|&y| (fx, y)));
    pixels.push((fx, fy));
    pixels.extend(xs.iter().rev().take(xs.len() - 1).map(|&x| (x, fy)));
    pixels.push((1.0, fy));
    pixels.extend(ys.iter().rev().take(ys.len() - 1).map(|&y| (1.0, y)));
    pixels.dedup();
    pixels.into_iter().map(|(x, y)| wcs.pix2world(x, y)).collect()
}

/// The outlines of all chips of one exposure.
#[derive(Debug, Clone)]
pub(crate) struct Footprint<'a> {
    pub outlines: &'a [Vec<(f64, f64)>],
}

impl<'a> Footprint<'a> {
    pub fn new(outlines: &'a [Vec<(f64, f64)>]) -> Result<Footprint<'a>, SkyCellError> {
        if outlines.iter().all(Vec::is_empty) {
            return Err(SkyCellError::EmptyFootprint);
        }
        for &(ra, dec) in outlines.iter().flatten() {
            if !ra.is_finite() || !dec.is_finite() || !(-90.0..=90.0).contains(&dec) {
                return Err(SkyCellError::BadPosition { ra, dec });
            }
        }
        Ok(Footprint { outlines })
    }

    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.outlines.iter().flatten().copied()
    }

    /// The corners of the north-up gnomonic rectangle bounding all outlines, tangent at
    /// their mean direction. drizzlepac's `meta_wcs` is such a rectangle (AstroDrizzle's
    /// default frame turned north-up, at 0.04"/pixel); its exact tangent point and
    /// rounding differ by far less than an arcsecond, which only matters for which
    /// projection cells are searched (see `select`).
    pub fn bounding_rectangle(&self) -> Result<[(f64, f64); 4], SkyCellError> {
        let d2r = std::f64::consts::PI / 180.0;
        let (mut sx, mut sy, mut sz) = (0.0, 0.0, 0.0);
        for (ra, dec) in self.points() {
            let (sa, ca) = (ra * d2r).sin_cos();
            let (sd, cd) = (dec * d2r).sin_cos();
            sx += cd * ca;
            sy += cd * sa;
            sz += sd;
        }
        let centre = [(sy.atan2(sx) / d2r).rem_euclid(360.0), (sz.atan2(sx.hypot(sy)) / d2r).clamp(-90.0, 90.0)];
        // One "pixel" per degree: the plane coordinates are the standard coordinates.
        let plane = Celestial::new([0.0, 0.0], centre, [[-1.0, 0.0], [0.0, 1.0]], ["RA---TAN", "DEC--TAN"])?;
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (ra, dec) in self.points() {
            let (x, y) = plane.world2foc(ra, dec).ok_or(SkyCellError::TooLarge)?;
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        Ok([(x0, y0), (x1, y0), (x1, y1), (x0, y1)].map(|(x, y)| plane.foc2world(x, y)))
    }
}
