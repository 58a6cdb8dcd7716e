//! Rendering a chip (pure, no I/O): the PSF integrated exactly over each pixel, Sérsic
//! galaxies by sub-sampling, sky, Poisson and read noise, hot pixels, cosmic-ray tracks,
//! saturation with bleeding along columns, and the ERR/DQ arrays.
//!
//! Coordinates are FITS 1-based pixels of the written (sub)array: pixel `(i, j)` (0-based
//! column, row) covers `[i + 0.5, i + 1.5] × [j + 0.5, j + 1.5]`.

use crate::rng::Rng;
use ndarray::{Array2, Axis};
use rayon::prelude::*;

/// DQ flags (the ACS/WFC3 values).
pub const DQ_HOT: u16 = 16;
pub const DQ_SATURATED: u16 = 256;

/// A source placed on a chip.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    /// Total electrons of the source in this exposure.
    pub counts: f64,
    pub shape: PlacedShape,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlacedShape {
    Star,
    Galaxy { re: f64, n: f64, q: f64, pa: f64 },
}

/// The PSF: a double Gaussian (core + 20 % halo of 2.5× the width), centroid at the source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Psf {
    pub fwhm: f64,
}

impl Psf {
    const HALO: f64 = 0.2;
    const HALO_WIDTH: f64 = 2.5;

    fn sigmas(&self) -> [(f64, f64); 2] {
        let s = self.fwhm / (8.0 * 2f64.ln()).sqrt();
        [(1.0 - Self::HALO, s), (Self::HALO, s * Self::HALO_WIDTH)]
    }

    /// Half-size of the stamp holding all but ~1e-9 of the flux.
    pub fn radius(&self) -> usize {
        (self.sigmas()[1].1 * 6.5).ceil() as usize + 1
    }

    /// Fraction of the flux in pixel `(i, j)` for a source at `(x, y)`.
    pub fn pixel_fraction(&self, x: f64, y: f64, i: usize, j: usize) -> f64 {
        let mut f = 0.0;
        for (w, s) in self.sigmas() {
            f += w
                * gauss_interval(i as f64 + 0.5 - x, i as f64 + 1.5 - x, s)
                * gauss_interval(j as f64 + 0.5 - y, j as f64 + 1.5 - y, s);
        }
        f
    }
}

/// ∫ N(0, σ) from `a` to `b`.
fn gauss_interval(a: f64, b: f64, s: f64) -> f64 {
    let k = 1.0 / (s * std::f64::consts::SQRT_2);
    0.5 * (erfc(a * k) - erfc(b * k))
}

/// Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The noiseless image in electrons: sky plus every source.
pub fn ideal_image(nx: usize, ny: usize, sky: f64, psf: &Psf, sources: &[Placed]) -> Array2<f64> {
    let mut img = Array2::from_elem((ny, nx), sky);
    for s in sources {
        match s.shape {
            PlacedShape::Star => add_star(&mut img, psf, s),
            PlacedShape::Galaxy { re, n, q, pa } => add_galaxy(&mut img, s, re, n, q, pa),
        }
    }
    img
}

fn stamp_bounds(x: f64, y: f64, r: usize, nx: usize, ny: usize) -> Option<(usize, usize, usize, usize)> {
    let (cx, cy) = (x.round() as i64 - 1, y.round() as i64 - 1);
    let r = r as i64;
    let (x0, x1) = ((cx - r).max(0), (cx + r).min(nx as i64 - 1));
    let (y0, y1) = ((cy - r).max(0), (cy + r).min(ny as i64 - 1));
    (x0 <= x1 && y0 <= y1).then_some((x0 as usize, x1 as usize, y0 as usize, y1 as usize))
}

fn add_star(img: &mut Array2<f64>, psf: &Psf, s: &Placed) {
    let (ny, nx) = img.dim();
    let Some((x0, x1, y0, y1)) = stamp_bounds(s.x, s.y, psf.radius(), nx, ny) else { return };
    for j in y0..=y1 {
        for i in x0..=x1 {
            img[[j, i]] += s.counts * psf.pixel_fraction(s.x, s.y, i, j);
        }
    }
}

/// Sérsic profile normalised to the flux inside its stamp (radius 8 r_e, at most 40 px),
/// 4×4 sub-samples per pixel.
fn add_galaxy(img: &mut Array2<f64>, s: &Placed, re: f64, n: f64, q: f64, pa: f64) {
    let (ny, nx) = img.dim();
    let r = (8.0 * re).clamp(4.0, 40.0).ceil() as i64;
    let (cx, cy) = (s.x.round() as i64 - 1, s.y.round() as i64 - 1);
    let b = 2.0 * n - 1.0 / 3.0;
    let (sp, cp) = pa.to_radians().sin_cos();
    let sub = 4;
    let w = 2 * r as usize + 1;
    let mut stamp = vec![0.0; w * w];
    for (k, v) in stamp.iter_mut().enumerate() {
        let (i, j) = (cx - r + (k % w) as i64, cy - r + (k / w) as i64);
        let mut acc = 0.0;
        for a in 0..sub {
            for c in 0..sub {
                let px = i as f64 + 0.5 + (a as f64 + 0.5) / sub as f64 - s.x + 1.0;
                let py = j as f64 + 0.5 + (c as f64 + 0.5) / sub as f64 - s.y + 1.0;
                let u = px * cp + py * sp;
                let t = (-px * sp + py * cp) / q;
                let rr = (u * u + t * t).sqrt() / re;
                acc += (-b * rr.powf(1.0 / n)).exp();
            }
        }
        *v = acc;
    }
    let total: f64 = stamp.iter().sum();
    if total <= 0.0 {
        return;
    }
    for (k, v) in stamp.iter().enumerate() {
        let (i, j) = (cx - r + (k % w) as i64, cy - r + (k / w) as i64);
        if i >= 0 && j >= 0 && (i as usize) < nx && (j as usize) < ny {
            img[[j as usize, i as usize]] += s.counts * v / total;
        }
    }
}

/// Detector effects applied to an ideal image.
#[derive(Debug, Clone, PartialEq)]
pub struct Detector {
    pub readnoise: f64,
    pub full_well: f64,
    /// Bleed saturated charge along columns (CCDs) or only flag it (IR).
    pub bleed: bool,
    pub noise: bool,
    /// Cosmic-ray hits per pixel per second (0 = none).
    pub cr_rate: f64,
    pub exptime: f64,
}

/// A rendered chip: SCI and ERR in electrons, DQ, and the cosmic-ray truth mask.
#[derive(Debug, Clone)]
pub struct ChipImage {
    pub sci: Array2<f32>,
    pub err: Array2<f32>,
    pub dq: Array2<u16>,
    pub crmask: Array2<u8>,
    pub n_cosmic_rays: usize,
}

/// Hot pixels: `(x, y, e-/s)` in the written array (already mapped from full-chip
/// coordinates by the caller).
pub type HotPixel = (usize, usize, f64);

/// Noise, hot pixels, cosmic rays, saturation; ERR from the noise model; rows in parallel,
/// each with its own generator stream `Rng::derive(seed, [keys…, row])`.
pub fn apply_detector(ideal: &Array2<f64>, det: &Detector, hot: &[HotPixel], seed: u64, keys: &[u64]) -> ChipImage {
    let (ny, nx) = ideal.dim();
    let mut e = ideal.clone();
    let mut dq = Array2::<u16>::zeros((ny, nx));
    for &(x, y, rate) in hot {
        if x < nx && y < ny {
            e[[y, x]] += rate * det.exptime;
            dq[[y, x]] |= DQ_HOT;
        }
    }
    // Saturation: flags from the collected charge, then bleeding along columns.
    for ((v, d), ideal_v) in e.iter().zip(dq.iter_mut()).zip(ideal.iter()) {
        if *v >= det.full_well || *ideal_v >= det.full_well {
            *d |= DQ_SATURATED;
        }
    }
    if det.bleed {
        bleed_columns(&mut e, &mut dq, det.full_well);
    }
    // Shot and read noise per row.
    if det.noise {
        e.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each(|(j, mut row)| {
            let mut k = keys.to_vec();
            k.push(j as u64);
            let mut rng = Rng::derive(seed, &k);
            for v in row.iter_mut() {
                *v = rng.poisson(*v) + det.readnoise * rng.normal();
            }
        });
    }
    // Cosmic rays.
    let mut crmask = Array2::<u8>::zeros((ny, nx));
    let mut n_cr = 0;
    if det.cr_rate > 0.0 {
        let mut k = keys.to_vec();
        k.push(u64::MAX);
        let mut rng = Rng::derive(seed, &k);
        let n = rng.poisson(det.cr_rate * (nx * ny) as f64 * det.exptime) as usize;
        for _ in 0..n {
            add_cosmic_ray(&mut rng, &mut e, &mut crmask);
        }
        n_cr = n;
    }
    let rn2 = det.readnoise * det.readnoise;
    let err = e.mapv(|v| (v.max(0.0) + rn2).sqrt() as f32);
    ChipImage { sci: e.mapv(|v| v as f32), err, dq, crmask, n_cosmic_rays: n_cr }
}

/// One track: length 1 + Exp(2.5) px (≤ 30), random direction, log-normal total charge
/// (median 2000 e-), deposited every 0.25 px into the pixel under the track.
fn add_cosmic_ray(rng: &mut Rng, e: &mut Array2<f64>, mask: &mut Array2<u8>) {
    let (ny, nx) = e.dim();
    let x = rng.range(0.0, nx as f64);
    let y = rng.range(0.0, ny as f64);
    let len = (1.0 - 2.5 * (1.0 - rng.uniform()).ln()).min(30.0);
    let ang = rng.range(0.0, std::f64::consts::PI);
    let charge = 2000.0 * (0.7 * rng.normal()).exp();
    let steps = (len / 0.25).ceil().max(1.0) as usize;
    let per = charge / steps as f64;
    let (dx, dy) = (ang.cos() * len / steps as f64, ang.sin() * len / steps as f64);
    for s in 0..steps {
        let (px, py) = (x + dx * s as f64, y + dy * s as f64);
        if px < 0.0 || py < 0.0 {
            continue;
        }
        let (i, j) = (px as usize, py as usize);
        if i < nx && j < ny {
            e[[j, i]] += per;
            mask[[j, i]] = 1;
        }
    }
}

/// Move charge above the full well up and down the column (half each way), flagging every
/// pixel that ends at the full well.
pub fn bleed_columns(e: &mut Array2<f64>, dq: &mut Array2<u16>, fw: f64) {
    let (ny, nx) = e.dim();
    for i in 0..nx {
        let mut j = 0;
        while j < ny {
            if e[[j, i]] <= fw {
                j += 1;
                continue;
            }
            let start = j;
            let mut excess = 0.0;
            while j < ny && e[[j, i]] > fw {
                excess += e[[j, i]] - fw;
                e[[j, i]] = fw;
                dq[[j, i]] |= DQ_SATURATED;
                j += 1;
            }
            let (mut up, mut down) = (excess / 2.0, excess / 2.0);
            let mut k = j;
            while up > 0.0 && k < ny {
                let room = (fw - e[[k, i]]).max(0.0);
                let add = room.min(up);
                e[[k, i]] += add;
                up -= add;
                if e[[k, i]] >= fw {
                    dq[[k, i]] |= DQ_SATURATED;
                }
                k += 1;
            }
            let mut k = start;
            while down > 0.0 && k > 0 {
                k -= 1;
                let room = (fw - e[[k, i]]).max(0.0);
                let add = room.min(down);
                e[[k, i]] += add;
                down -= add;
                if e[[k, i]] >= fw {
                    dq[[k, i]] |= DQ_SATURATED;
                }
            }
            j = j.max(k + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_is_accurate() {
        for (x, v) in [(0.0, 1.0), (0.5, 0.4795001221869535), (1.0, 0.15729920705028513), (-1.0, 1.8427007929497148)] {
            assert!((erfc(x) - v).abs() < 2e-7, "{x}");
        }
    }

    #[test]
    fn star_flux_and_centroid_are_exact() {
        let psf = Psf { fwhm: 2.0 };
        let s = Placed { x: 20.3, y: 18.85, counts: 1000.0, shape: PlacedShape::Star };
        let img = ideal_image(41, 41, 0.0, &psf, &[s]);
        let total: f64 = img.sum();
        assert!((total - 1000.0).abs() < 1e-3, "{total}");
        let (mut sx, mut sy) = (0.0, 0.0);
        for ((j, i), v) in img.indexed_iter() {
            sx += v * (i as f64 + 1.0);
            sy += v * (j as f64 + 1.0);
        }
        assert!((sx / total - 20.3).abs() < 1e-4 && (sy / total - 18.85).abs() < 1e-4);
    }

    #[test]
    fn galaxy_flux_is_conserved() {
        let s = Placed {
            x: 30.0,
            y: 30.0,
            counts: 500.0,
            shape: PlacedShape::Galaxy { re: 2.0, n: 1.0, q: 0.5, pa: 30.0 },
        };
        let img = ideal_image(60, 60, 0.0, &Psf { fwhm: 2.0 }, &[s]);
        assert!((img.sum() - 500.0).abs() < 1e-6);
    }

    #[test]
    fn bleeding_conserves_charge() {
        let mut e = Array2::from_elem((50, 3), 100.0);
        e[[25, 1]] = 1000.0;
        let before = e.sum();
        let mut dq = Array2::zeros((50, 3));
        bleed_columns(&mut e, &mut dq, 300.0);
        assert!((e.sum() - before).abs() < 1e-9);
        assert!(e.iter().all(|&v| v <= 300.0));
        assert!(dq.iter().filter(|&&d| d == DQ_SATURATED).count() >= 3);
    }
}
