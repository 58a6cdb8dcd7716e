//! Step 2, the sky: a statistic of each chip's good pixels, compared between chips as a
//! surface brightness, giving `MDRIZSKY` per chip. The pixels are never changed: the
//! drizzle steps subtract the value on the fly, blot adds it back.

use crate::config::{SkyConfig, SkyMethod};
use crate::error::{AstroDrizzleError, Result};
use crate::image::{Chip, Image};
use crate::pixels::{good_mask, read_dq, read_sci};
use crate::progress::Progress;
use crate::static_mask::{StaticMasks, signature};
use driz_combine::sky_statistic_f64;
use driz_kernels::Units;
use rayon::prelude::*;
use std::path::Path;
use tracing::{info, warn};

/// What the sky step decided.
#[derive(Debug, Clone, PartialEq)]
pub struct SkyResult {
    /// Write `MDRIZSKY` into the inputs' SCI headers (not after the `match` fallback, as
    /// upstream).
    pub persist: bool,
}

/// Compute and set every chip's sky.
pub fn subtract_sky(
    images: &mut [Image],
    config: &SkyConfig,
    statics: Option<&StaticMasks>,
    resetbits: Option<u32>,
    progress: &dyn Progress,
) -> Result<SkyResult> {
    if !config.skysub {
        return no_sky_subtraction(images, config);
    }
    if !config.skyfile.trim().is_empty() {
        return sky_from_file(images, Path::new(config.skyfile.trim()));
    }
    let method = match config.method {
        SkyMethod::Match | SkyMethod::GlobalminMatch if images.len() < 2 => {
            info!("sky: fewer than 2 images, nothing to match; chips keep their sky");
            return Ok(SkyResult { persist: false });
        }
        // The reference (stsci.skypac 1.0.12 with spherical_geometry 1.4.0) always fails
        // in the matching code and falls back; we reproduce its results.
        SkyMethod::Match => {
            warn!("sky: Reverting sky computation to \"localmin\" (as drizzlepac 3.11 always does for \"match\")");
            (SkyMethod::Localmin, false)
        }
        SkyMethod::GlobalminMatch => {
            warn!(
                "sky: Reverting sky computation to \"globalmin\" (as drizzlepac 3.11 always does for \"globalmin+match\")"
            );
            (SkyMethod::Globalmin, false)
        }
        m => (m, true),
    };
    let (method, persist) = method;
    let total: usize = images.iter().map(|im| im.chips.len()).sum();
    progress.start("sky", total as u64);
    // Brightness b = conv × statistic, per chip, image by image.
    let brightness: Vec<Vec<Option<f64>>> = images
        .iter()
        .map(|im| {
            im.chips
                .par_iter()
                .map(|chip| -> Result<Option<f64>> {
                    let sci = read_sci(chip)?;
                    let dq = read_dq(chip, resetbits)?;
                    let mut mask = good_mask(dq.as_ref(), config.bits, chip.size());
                    if config.use_static
                        && let Some(st) = statics.and_then(|s| s.get(signature(chip)))
                    {
                        mask.zip_mut_with(st, |m, &s| *m &= s);
                    }
                    let good = good_values(&sci, &mask);
                    if good.is_empty() {
                        warn!("{}: every pixel is masked for the sky statistics", chip.label());
                    }
                    let stat = sky_statistic_f64(&good, &config.stat);
                    progress.advance(1);
                    Ok(stat.map(|s| brightness_per_data_unit(chip, im.exptime) * s))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let global =
        brightness.iter().flatten().flatten().copied().fold(None, |m: Option<f64>, b| Some(m.map_or(b, |m| m.min(b))));
    for (im, chips) in images.iter_mut().zip(&brightness) {
        let level = match method {
            SkyMethod::Globalmin => global,
            _ => chips.iter().flatten().copied().fold(None, |m: Option<f64>, b| Some(m.map_or(b, |m| m.min(b)))),
        };
        let exptime = im.exptime;
        for chip in im.chips.iter_mut() {
            let sky = level.map(|l| l / brightness_per_data_unit(chip, exptime)).unwrap_or(0.0);
            chip.computed_sky = Some(sky);
            chip.subtracted_sky = sky;
            info!("{}: MDRIZSKY = {sky}", chip.label());
        }
    }
    Ok(SkyResult { persist })
}

/// The pixels of `sci` where `mask` is true, in order. The buffer holds the whole chip:
/// no growing, and (larger than glibc's largest mmap threshold, 32 MiB, for an ACS/WFC
/// chip) it is unmapped when freed, without moving that threshold, as a buffer just
/// the size of the good pixels would, leaving later steps' arrays in the heap. Each
/// value is written and the length advanced by the mask: no branch per pixel.
fn good_values(sci: &ndarray::Array2<f32>, mask: &ndarray::Array2<bool>) -> Vec<f32> {
    let mut good = vec![0.0f32; sci.len()];
    let mut len = 0;
    for (&v, &m) in sci.iter().zip(mask.iter()) {
        // `len` ≤ the pixels seen so far, so always within the buffer.
        good[len] = v;
        len += m as usize;
    }
    good.truncate(len);
    good
}

/// The factor from a chip's data units to surface brightness (count rate per arcsec²).
fn brightness_per_data_unit(chip: &Chip, exptime: f64) -> f64 {
    let per_area = 1.0 / (chip.sky_scale * chip.sky_scale);
    if chip.units == Units::Counts { per_area / exptime } else { per_area }
}

/// `skysub=False`: an already-subtracted sky from `skyuser`, else none.
fn no_sky_subtraction(images: &mut [Image], config: &SkyConfig) -> Result<SkyResult> {
    let user = config.skyuser.trim();
    if let Some(file) = user.strip_prefix('@') {
        let result = sky_from_file(images, Path::new(file))?;
        for chip in images.iter_mut().flat_map(|im| im.chips.iter_mut()) {
            chip.computed_sky = None;
        }
        return Ok(result);
    }
    for im in images.iter_mut() {
        for chip in im.chips.iter_mut() {
            chip.computed_sky = None;
            chip.subtracted_sky = if user.is_empty() {
                0.0
            } else {
                let fits = driz_fits::Fits::open(&chip.info.path)?;
                let v =
                    fits.hdu(chip.info.sci).header.get_f64(user).map_err(|e| fits.header_error(chip.info.sci, e))?;
                v.ok_or_else(|| {
                    AstroDrizzleError::Input(format!("{}: skyuser keyword {user} not in the SCI header", chip.label()))
                })?
            };
        }
    }
    Ok(SkyResult { persist: true })
}

/// `skyfile`: lines `filename sky [sky2 …]` in data units; `# applied = yes` means the
/// values are already subtracted from the data.
fn sky_from_file(images: &mut [Image], path: &Path) -> Result<SkyResult> {
    let text = std::fs::read_to_string(path).map_err(|e| AstroDrizzleError::io(path, e))?;
    let mut applied = false;
    let mut table: Vec<(String, Vec<f64>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#') {
            let c = comment.to_ascii_lowercase().replace(' ', "");
            if c.starts_with("applied=") {
                applied = matches!(c.trim_start_matches("applied="), "yes" | "true" | "y" | "t");
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split_whitespace();
        let name = parts.next().unwrap_or("").to_string();
        let values = parts
            .map(|v| {
                v.parse::<f64>().map_err(|_| {
                    AstroDrizzleError::Input(format!("{}:{}: sky value {v:?} is not a number", path.display(), n + 1))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if values.is_empty() {
            return Err(AstroDrizzleError::Input(format!("{}:{}: no sky value for {name}", path.display(), n + 1)));
        }
        table.push((name, values));
    }
    for im in images.iter_mut() {
        let file_name = im.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let Some((_, values)) = table.iter().find(|(n, _)| {
            let n = n.split('[').next().unwrap_or(n);
            n == file_name || Path::new(n).file_name().map(|f| f.to_string_lossy() == file_name).unwrap_or(false)
        }) else {
            warn!("{}: not listed in the sky file {}; its sky is unchanged", im.label(), path.display());
            continue;
        };
        let n_chips = im.chips.len();
        if values.len() != 1 && values.len() != n_chips {
            return Err(AstroDrizzleError::Input(format!(
                "{}: {} sky values for {file_name}, which has {n_chips} chips",
                path.display(),
                values.len()
            )));
        }
        for (k, chip) in im.chips.iter_mut().enumerate() {
            let v = if values.len() == 1 { values[0] } else { values[k] };
            chip.subtracted_sky = v;
            chip.computed_sky = if applied { None } else { Some(v) };
        }
    }
    Ok(SkyResult { persist: true })
}

/// The number written as MDRIZSKY. drizzlepac's sky values are numpy float32s and astropy
/// writes them with the shortest float32 representation (`0.9015351`, not the float64
/// expansion `0.9015350937843323`); a value that is not a float32 is written as it is.
pub fn mdrizsky_value(sky: f64) -> f64 {
    let single = sky as f32;
    if f64::from(single) == sky { single.to_string().parse().unwrap_or(sky) } else { sky }
}

#[cfg(test)]
mod tests {
    use super::good_values;
    use ndarray::Array2;

    #[test]
    fn good_values_are_the_masked_pixels_in_order() {
        let mut state = 3u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        for (ny, nx, keep) in [(7, 11, 2), (5, 3, 1), (4, 6, 0), (9, 13, 3)] {
            // keep 0: nothing good; 1: every pixel; otherwise about one in `keep`.
            let sci = Array2::from_shape_fn((ny, nx), |_| next() as f32 - 1e9);
            let mask = Array2::from_shape_fn((ny, nx), |_| keep == 1 || (keep > 1 && next() % keep == 0));
            let expected: Vec<f32> = sci.iter().zip(mask.iter()).filter(|(_, m)| **m).map(|(v, _)| *v).collect();
            assert_eq!(good_values(&sci, &mask), expected, "{ny}x{nx}, one in {keep}");
        }
    }
}
