//! Output frames as AstroDrizzle builds them: the default north-agnostic frame around
//! the footprints of all input chips (stwcs `output_wcs` + drizzlepac's "perfect" CD),
//! the user's overrides (`final_scale`, `final_rot`, `final_ra/dec`, `final_outnx/ny`,
//! `final_crpix`), and the undistorted pixel scale of a chip (`wcslin_pscale`).

use crate::WcsError;
use crate::celestial::Celestial;
use crate::hst::HstWcs;
use driz_header::Header;

const D2R: f64 = std::f64::consts::PI / 180.0;
const R2D: f64 = 180.0 / std::f64::consts::PI;

/// The V3 roll of an aperture at (V2, V3) arcsec, for a telescope roll `roll` (PA_V3)
/// and declination `dec`, degrees (stwcs `makewcs.troll`).
pub fn troll(roll: f64, dec: f64, v2: f64, v3: f64) -> f64 {
    let (roll, dec) = (roll * D2R, dec * D2R);
    let (v2, v3) = ((v2 / 3600.0) * D2R, (v3 / 3600.0) * D2R);
    let (s2, s3) = (v2.sin(), v3.sin());
    let sin_rho = (s2 * s2 + s3 * s3 - s2 * s2 * s3 * s3).sqrt();
    let rho = sin_rho.asin();
    let mut beta = (s3 / sin_rho).asin();
    if v2 < 0.0 {
        beta = std::f64::consts::PI - beta;
    }
    let mut gamma = (s2 / sin_rho).asin();
    if v3 < 0.0 {
        gamma = std::f64::consts::PI - gamma;
    }
    let a = std::f64::consts::FRAC_PI_2 + roll - beta;
    let b = (a.sin() * dec.cos()).atan2(dec.sin() * sin_rho - dec.cos() * rho.cos() * a.cos());
    (std::f64::consts::PI - (gamma + b)) * R2D
}

/// Detector parity: how detector axes relate to V2/V3 (stwcs instrument tables).
pub fn parity(instrument: &str, detector: &str) -> [[f64; 2]; 2] {
    match (instrument.trim().to_ascii_uppercase().as_str(), detector.trim().to_ascii_uppercase().as_str()) {
        ("ACS", "WFC") => [[1.0, 0.0], [0.0, -1.0]],
        ("ACS", _) | ("WFC3", _) | ("WFPC2", _) | ("NICMOS", _) | ("STIS", _) => [[-1.0, 0.0], [0.0, 1.0]],
        _ => [[1.0, 0.0], [0.0, 1.0]],
    }
}

/// What the reference chip contributes to the frame orientation and scale.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameReference {
    /// PA_V3, IDCV2REF, IDCV3REF, IDCTHETA when the chip was processed by updatewcs.
    pub aperture: Option<Aperture>,
    /// IDCSCALE, arcsec.
    pub idcscale: Option<f64>,
    pub parity: [[f64; 2]; 2],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aperture {
    pub pa_v3: f64,
    pub v2ref: f64,
    pub v3ref: f64,
    pub theta: f64,
}

impl FrameReference {
    /// From the primary header (INSTRUME, DETECTOR, PA_V3) and the chip's SCI header
    /// (IDCSCALE, IDCV2REF, IDCV3REF, IDCTHETA).
    pub fn from_headers(primary: &Header, sci: &Header) -> Result<FrameReference, WcsError> {
        let instrument = primary.str_or("INSTRUME", "")?;
        let detector = primary.str_or("DETECTOR", "")?;
        let aperture = match (sci.get_f64("IDCV2REF")?, sci.get_f64("IDCV3REF")?) {
            (Some(v2ref), Some(v3ref)) => {
                let pa_v3 = primary
                    .get_f64("PA_V3")?
                    .or(sci.get_f64("PA_V3")?)
                    .ok_or_else(|| WcsError::MissingKeyword("PA_V3 (needed with IDCV2REF)".into()))?;
                Some(Aperture { pa_v3, v2ref, v3ref, theta: sci.get_f64("IDCTHETA")?.unwrap_or(0.0) })
            }
            _ => None,
        };
        Ok(FrameReference { aperture, idcscale: sci.get_f64("IDCSCALE")?, parity: parity(instrument, detector) })
    }
}

/// One input chip: its WCS and size `[NAXIS1, NAXIS2]`.
pub struct FrameChip<'a> {
    pub wcs: &'a HstWcs,
    pub size: [usize; 2],
}

/// An output frame: celestial WCS and size `[NAXIS1, NAXIS2]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub wcs: Celestial,
    pub size: [usize; 2],
}

impl Frame {
    /// Pixel scale, arcsec (drizzlepac's `pscale`: length of the first CD column).
    pub fn pscale(&self) -> f64 {
        self.wcs.cd[0][0].hypot(self.wcs.cd[1][0]) * 3600.0
    }

    /// Orientation of +Y east of north, degrees.
    pub fn orientat(&self) -> f64 {
        self.wcs.orientation()
    }
}

/// Sky positions of a chip's four corner pixel centres.
fn footprint(chip: &FrameChip) -> [(f64, f64); 4] {
    let (nx, ny) = (chip.size[0] as f64, chip.size[1] as f64);
    [(1.0, 1.0), (1.0, ny), (nx, ny), (nx, 1.0)].map(|(x, y)| chip.wcs.pix2world(x, y))
}

/// The orthogonal CD of the reference chip (stwcs `make_orthogonal_cd`).
fn orthogonal_cd(reference: &HstWcs, info: &FrameReference) -> Result<[[f64; 2]; 2], WcsError> {
    let cd = reference.celestial.cd;
    let (rot, scale, det) = match &info.aperture {
        Some(ap) => {
            let mut pv = troll(ap.pa_v3, reference.celestial.crval[1], ap.v2ref, ap.v3ref);
            if ap.theta != 0.0 {
                pv += ap.theta;
            }
            let (sn, cs) = (pv * D2R).sin_cos();
            let p = info.parity;
            let p01 = cs * p[0][1] + sn * p[1][1];
            let p11 = -sn * p[0][1] + cs * p[1][1];
            let scale =
                info.idcscale.ok_or_else(|| WcsError::MissingKeyword("IDCSCALE (needed with IDCV2REF)".into()))?
                    / 3600.0;
            (p01.atan2(p11), scale, p[0][0] * p[1][1] - p[0][1] * p[1][0])
        }
        None => {
            let det = cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0];
            let scale = match info.idcscale {
                Some(s) => s / 3600.0,
                None => det.abs().sqrt(),
            };
            (cd[0][1].atan2(cd[1][1]), scale, det)
        }
    };
    let par = if det < 0.0 { -1.0 } else { 1.0 };
    let (sn, cs) = rot.sin_cos();
    Ok([[scale * par * cs, scale * sn], [-scale * par * sn, scale * cs]])
}

/// drizzlepac's "perfect" CD: east-left, from the frame's pscale and orientation.
fn perfect_cd(cd: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let scale = cd[0][0].hypot(cd[1][0]);
    let o = cd[0][1].atan2(cd[1][1]);
    let (sn, cs) = o.sin_cos();
    [[-scale * cs, scale * sn], [scale * sn, scale * cs]]
}

/// AstroDrizzle's default output frame for these chips; the first chip is the reference.
pub fn default_frame(chips: &[FrameChip], reference: &FrameReference) -> Result<Frame, WcsError> {
    let first = chips.first().ok_or_else(|| WcsError::Invalid("no input chips for the output frame".into()))?;
    let points: Vec<(f64, f64)> = chips.iter().flat_map(footprint).collect();
    // Geographic midpoint of the corners (mean unit vector, not renormalised).
    let n = points.len() as f64;
    let (mut xm, mut ym, mut zm) = (0.0, 0.0, 0.0);
    for &(ra, dec) in &points {
        let (sa, ca) = (ra * D2R).sin_cos();
        let (sd, cd) = (dec * D2R).sin_cos();
        xm += cd * ca;
        ym += cd * sa;
        zm += sd;
    }
    let (xm, ym, zm) = (xm / n, ym / n, zm / n);
    let crval0 = [(ym.atan2(xm) * R2D).rem_euclid(360.0), zm.atan2(xm.hypot(ym)) * R2D];
    let cd = orthogonal_cd(first.wcs, reference)?;
    let ctype = ["RA---TAN", "DEC--TAN"];
    let tangent = Celestial::new([0.0, 0.0], crval0, cd, ctype)?;
    let project = |w: &Celestial| -> Result<Vec<(f64, f64)>, WcsError> {
        points.iter().map(|&(ra, dec)| w.world2foc(ra, dec).ok_or(WcsError::OffImage { ra, dec })).collect()
    };
    let span = |pts: &[(f64, f64)]| {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in pts {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        (x0, x1, y0, y1)
    };
    let (x0, x1, y0, y1) = span(&project(&tangent)?);
    let size = [(x1 - x0).ceil().max(1.0) as usize, (y1 - y0).ceil().max(1.0) as usize];
    let crpix = [size[0] as f64 / 2.0, size[1] as f64 / 2.0];
    let centred = tangent.with_reference(crpix, crval0, cd)?;
    // stwcs shifts CRVAL by the minimum 0-based position and evaluates it 1-based.
    let (mx, _, my, _) = span(&project(&centred)?);
    let new_crpix = [crpix[0] + (mx - 1.0), crpix[1] + (my - 1.0)];
    let (ra, dec) = centred.foc2world(new_crpix[0], new_crpix[1]);
    let mut wcs = Celestial::new(crpix, [ra, dec], perfect_cd(cd), ctype)?;
    wcs.name = first.wcs.celestial.name.clone();
    Ok(Frame { wcs, size })
}

/// User overrides of the frame (AstroDrizzle's `final_*`/`driz_sep_*` parameters).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameOverrides {
    pub ra_dec: Option<(f64, f64)>,
    /// Arcsec per pixel.
    pub scale: Option<f64>,
    /// Orientation of +Y east of north, degrees.
    pub rot: Option<f64>,
    pub crpix: Option<[f64; 2]>,
    pub size: Option<[f64; 2]>,
}

impl FrameOverrides {
    pub fn is_empty(&self) -> bool {
        *self == FrameOverrides::default()
    }
}

/// Apply overrides to a frame as drizzlepac's `mergeWCS` does.
pub fn customize(frame: &Frame, o: &FrameOverrides) -> Result<Frame, WcsError> {
    if o.is_empty() {
        return Ok(frame.clone());
    }
    let w = &frame.wcs;
    let mut cd = w.cd;
    let mut crval = w.crval;
    if let Some((ra, dec)) = o.ra_dec {
        crval = [ra, dec];
    }
    let pscale = frame.pscale();
    let mut ratio = 1.0;
    if let Some(scale) = o.scale
        && (scale - pscale).abs() > 10.0 * f64::EPSILON
    {
        ratio = pscale / scale;
        for row in cd.iter_mut() {
            for v in row.iter_mut() {
                *v /= ratio;
            }
        }
    }
    let mut delta = 0.0;
    if let Some(rot) = o.rot {
        delta = frame.orientat() - rot;
        if delta != 0.0 {
            let (sn, cs) = (delta * D2R).sin_cos();
            let r = [[cs, sn], [-sn, cs]];
            let old = cd;
            for i in 0..2 {
                for j in 0..2 {
                    cd[i][j] = old[i][0] * r[0][j] + old[i][1] * r[1][j];
                }
            }
        }
    }
    let [nx, ny] = frame.size.map(|v| v as f64);
    let (size, crpix) = match o.size {
        Some([sx, sy]) => {
            let size = [sx.round().max(1.0) as usize, sy.round().max(1.0) as usize];
            (size, o.crpix.unwrap_or([(size[0] as f64 + 1.0) / 2.0, (size[1] as f64 + 1.0) / 2.0]))
        }
        None if delta == 0.0 => {
            let size = [(ratio * nx).ceil().max(1.0) as usize, (ratio * ny).ceil().max(1.0) as usize];
            let crpix = o.crpix.unwrap_or([1.0 + ratio * (w.crpix[0] - 1.0), 1.0 + ratio * (w.crpix[1] - 1.0)]);
            (size, crpix)
        }
        None => {
            let (sn, cs) = (delta * D2R).sin_cos();
            let corners = [(0.5, 0.5), (nx + 0.5, 0.5), (0.5, ny + 0.5), (nx + 0.5, ny + 0.5)];
            let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for (x, y) in corners {
                let (dx, dy) = ((x - w.crpix[0]) * ratio, (y - w.crpix[1]) * ratio);
                let (rx, ry) = (dx * cs - dy * sn, dx * sn + dy * cs);
                x0 = x0.min(rx);
                x1 = x1.max(rx);
                y0 = y0.min(ry);
                y1 = y1.max(ry);
            }
            let size = [(x1 - x0).ceil().max(1.0) as usize, (y1 - y0).ceil().max(1.0) as usize];
            (size, o.crpix.unwrap_or([-x0 + 0.5, -y0 + 0.5]))
        }
    };
    let mut wcs = w.with_reference(crpix, crval, cd)?;
    wcs.name = w.name.clone();
    Ok(Frame { wcs, size })
}

/// The undistorted pixel scale of a chip, arcsec (drizzlepac's `wcslin_pscale`): the
/// scale of its own orthogonal frame, or of its CD when it has no distortion.
pub fn linear_pixel_scale(wcs: &HstWcs, reference: &FrameReference) -> Result<f64, WcsError> {
    if wcs.distortion.sip.is_none() {
        let cd = wcs.celestial.cd;
        return Ok(cd[0][0].hypot(cd[1][0]) * 3600.0);
    }
    let cd = orthogonal_cd(wcs, reference)?;
    Ok(cd[0][0].hypot(cd[1][0]) * 3600.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn troll_matches_spec_example() {
        let t = troll(337.125305, -72.05457184279, 256.62222, 302.2264);
        assert!((t - -22.976173564768096).abs() < 1e-10, "{t}");
    }
}
