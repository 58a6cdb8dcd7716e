//! The sky: stars and galaxies with positions, fluxes, proper motions (pure, no I/O).

use crate::rng::Rng;
use driz_wcs::Celestial;

/// What a source looks like.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Point source (rendered with the instrument PSF).
    Star,
    /// Sérsic profile: effective radius (pixels), index, axis ratio, position angle (deg,
    /// in the detector frame).
    Galaxy { re: f64, n: f64, q: f64, pa: f64 },
}

/// One source of the truth list.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: u64,
    /// Position at the epoch of the observations, degrees.
    pub ra: f64,
    pub dec: f64,
    /// Magnitude in the simulated filter (zero point of the instrument spec).
    pub mag: f64,
    /// Count rate, e-/s (total, all pixels).
    pub rate: f64,
    /// Proper motion, mas/yr (`pmra` includes cos δ); zero for galaxies.
    pub pmra: f64,
    pub pmdec: f64,
    pub shape: Shape,
}

impl Source {
    pub fn is_star(&self) -> bool {
        matches!(self.shape, Shape::Star)
    }
}

/// How many sources, per square arcminute, and in what magnitude ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneParams {
    pub star_density: f64,
    pub galaxy_density: f64,
    pub star_mag: [f64; 2],
    pub galaxy_mag: [f64; 2],
    /// Number of stars bright enough to saturate (placed anywhere in the field).
    pub saturated: usize,
    pub saturated_mag: [f64; 2],
}

impl Default for SceneParams {
    fn default() -> Self {
        SceneParams {
            star_density: 150.0,
            galaxy_density: 40.0,
            star_mag: [18.0, 24.5],
            galaxy_mag: [20.0, 24.5],
            saturated: 3,
            saturated_mag: [14.0, 15.5],
        }
    }
}

/// A magnitude with `N(<m) ∝ 10^(slope·m)` between `lo` and `hi`.
fn power_law_mag(rng: &mut Rng, lo: f64, hi: f64, slope: f64) -> f64 {
    let (a, b) = (10f64.powf(slope * lo), 10f64.powf(slope * hi));
    (a + (b - a) * rng.uniform()).log10() / slope
}

/// Sources uniformly spread over a square of `half_width` arcsec (in the tangent plane at
/// `center`), deterministic for the generator's state.
pub fn generate(
    rng: &mut Rng,
    center: (f64, f64),
    half_width: f64,
    zeropoint: f64,
    params: &SceneParams,
) -> Vec<Source> {
    let plane = Celestial::new(
        [0.0, 0.0],
        [center.0, center.1],
        [[-1.0 / 3600.0, 0.0], [0.0, 1.0 / 3600.0]],
        ["RA---TAN", "DEC--TAN"],
    )
    .expect("valid tangent plane");
    let area = (2.0 * half_width / 60.0).powi(2);
    let n_stars = (params.star_density * area).round() as usize;
    let n_gal = (params.galaxy_density * area).round() as usize;
    let mut out = Vec::with_capacity(n_stars + n_gal + params.saturated);
    let mut id = 1;
    let place = |rng: &mut Rng| {
        let x = rng.range(-half_width, half_width);
        let y = rng.range(-half_width, half_width);
        plane.foc2world(x, y)
    };
    let rate = |m: f64| 10f64.powf(-0.4 * (m - zeropoint));
    for k in 0..n_stars + params.saturated {
        let (ra, dec) = place(rng);
        let mag = if k < n_stars {
            power_law_mag(rng, params.star_mag[0], params.star_mag[1], 0.3)
        } else {
            rng.range(params.saturated_mag[0], params.saturated_mag[1])
        };
        let (pmra, pmdec) = (rng.normal() * 4.0, rng.normal() * 4.0);
        out.push(Source { id, ra, dec, mag, rate: rate(mag), pmra, pmdec, shape: Shape::Star });
        id += 1;
    }
    for _ in 0..n_gal {
        let (ra, dec) = place(rng);
        let mag = power_law_mag(rng, params.galaxy_mag[0], params.galaxy_mag[1], 0.35);
        let re = 1.5 * 10f64.powf(-0.2 * (mag - 22.0)) * rng.range(0.6, 1.6);
        let shape = Shape::Galaxy {
            re: re.clamp(0.8, 12.0),
            n: rng.range(0.6, 2.5),
            q: rng.range(0.3, 1.0),
            pa: rng.range(0.0, 180.0),
        };
        out.push(Source { id, ra, dec, mag, rate: rate(mag), pmra: 0.0, pmdec: 0.0, shape });
        id += 1;
    }
    out
}

/// Position of a source at decimal year `epoch` given its position at `obs_epoch`.
pub fn position_at(s: &Source, obs_epoch: f64, epoch: f64) -> (f64, f64) {
    let dt = epoch - obs_epoch;
    let dec = s.dec + s.pmdec * dt / 3.6e6;
    let ra = s.ra + s.pmra * dt / 3.6e6 / s.dec.to_radians().cos();
    (ra.rem_euclid(360.0), dec)
}

/// The Gaia-like reference catalog of the field as the astrometric catalog service returns
/// it (`CatalogSearch.aspx?…&FORMAT=CSV&CAT=GAIADR3`): a summary line, a header row and one
/// row per star brighter than `mag_limit`, positions at the catalog epoch 2016.0, CRLF line
/// ends. Column names are the service's (`ra, dec, mag, objID, epoch`, errors, proper motions).
pub fn gaia_csv(sources: &[Source], obs_epoch: f64, mag_limit: f64) -> String {
    let mut out = String::new();
    let stars: Vec<&Source> = sources.iter().filter(|s| s.is_star() && s.mag + 0.3 < mag_limit).collect();
    out.push_str(&format!("GAIADR3 catalog search: {} sources (driz simulate)\r\n", stars.len()));
    out.push_str("objID,ra,dec,raErr,decErr,pmra,pmdec,pmraErr,pmdecErr,mag,magErr,epoch\r\n");
    for s in stars {
        let gmag = s.mag + 0.3;
        let (ra, dec) = position_at(s, obs_epoch, 2016.0);
        let err = 0.02 + 0.5 * 10f64.powf(0.4 * (gmag - 21.0));
        out.push_str(&format!(
            "{},{:.10},{:.10},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},2016.0\r\n",
            4_000_000_000_000_000u64 + s.id,
            ra,
            dec,
            err,
            err,
            s.pmra,
            s.pmdec,
            err * 1.2,
            err * 1.2,
            gmag,
            0.003,
        ));
    }
    out
}

/// The truth list: `id,type,ra,dec,mag,flux_e_per_s` for every source (positions at the
/// epoch of the observations).
pub fn truth_csv(sources: &[Source]) -> String {
    let mut out = String::from("id,type,ra,dec,mag,flux,pmra,pmdec\n");
    for s in sources {
        let kind = if s.is_star() { "star" } else { "galaxy" };
        out.push_str(&format!(
            "{},{},{:.12},{:.12},{:.4},{:.6},{:.4},{:.4}\n",
            s.id, kind, s.ra, s.dec, s.mag, s.rate, s.pmra, s.pmdec
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_is_deterministic_and_inside_the_box() {
        let p = SceneParams::default();
        let a = generate(&mut Rng::new(3), (150.0, 2.0), 60.0, 26.0, &p);
        let b = generate(&mut Rng::new(3), (150.0, 2.0), 60.0, 26.0, &p);
        assert_eq!(a, b);
        assert!(a.len() > 100);
        for s in &a {
            assert!((s.ra - 150.0).abs() * 3600.0 < 61.0 && (s.dec - 2.0).abs() * 3600.0 < 61.0);
        }
    }

    #[test]
    fn proper_motion_round_trips() {
        let s =
            Source { id: 1, ra: 10.0, dec: 60.0, mag: 20.0, rate: 1.0, pmra: 10.0, pmdec: -5.0, shape: Shape::Star };
        let (ra, dec) = position_at(&s, 2023.0, 2016.0);
        assert!(((ra - 10.0) * 60f64.to_radians().cos() * 3.6e6 - (-70.0)).abs() < 1e-6);
        assert!(((dec - 60.0) * 3.6e6 - 35.0).abs() < 1e-6);
    }
}
