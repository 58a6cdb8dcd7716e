//! `pixtosky`, `skytopix` and `pixtopix`: drizzlepac's coordinate tools, 1-based pixels.

use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
pub struct PixSky {
    pub x: f64,
    pub y: f64,
    pub ra: f64,
    pub dec: f64,
}

#[derive(Serialize)]
pub struct PixPix {
    pub x: f64,
    pub y: f64,
    pub x_out: f64,
    pub y_out: f64,
}

pub fn pixtosky(wcs: &driz_wcs::HstWcs, pixels: &[(f64, f64)]) -> Vec<PixSky> {
    let sky = driz_wcs::pix2world_points(wcs, pixels);
    pixels.iter().zip(sky).map(|(&(x, y), (ra, dec))| PixSky { x, y, ra, dec }).collect()
}

pub fn skytopix(wcs: &driz_wcs::HstWcs, sky: &[(f64, f64)]) -> anyhow::Result<Vec<PixSky>> {
    let pixels = driz_wcs::world2pix_points(wcs, sky);
    sky.iter()
        .zip(pixels)
        .map(|(&(ra, dec), p)| {
            let (x, y) = p?;
            Ok(PixSky { x, y, ra, dec })
        })
        .collect()
}

pub fn pixtopix(from: &driz_wcs::HstWcs, to: &driz_wcs::HstWcs, pixels: &[(f64, f64)]) -> anyhow::Result<Vec<PixPix>> {
    let sky = driz_wcs::pix2world_points(from, pixels);
    let out = driz_wcs::world2pix_points(to, &sky);
    pixels
        .iter()
        .zip(out)
        .map(|(&(x, y), p)| {
            let (x_out, y_out) = p?;
            Ok(PixPix { x, y, x_out, y_out })
        })
        .collect()
}

/// One pair a line, 12 decimals, as drizzlepac prints with `precision=12`.
pub fn format_pairs(pairs: impl Iterator<Item = (f64, f64)>) -> String {
    let mut s = String::new();
    for (a, b) in pairs {
        let _ = writeln!(s, "{a:.12} {b:.12}");
    }
    s
}
