//! Steps 5 and 6, blot and driz_cr: the median blotted back onto every chip through its
//! distortion (`_blt`), compared with the chip to find cosmic rays (`_crmask`, 1 = good).

use crate::config::{BlotConfig, CrConfig};
use crate::error::{AstroDrizzleError, Result};
use crate::image::{Chip, Image};
use crate::intermediate::write_frame_image;
use crate::pixels::read_sci;
use crate::progress::Progress;
use crate::separate::chip_map;
use driz_combine::{CrChip, cr_mask};
use driz_fits::Fits;
use driz_header::Header;
use driz_kernels::{PixelMap, blot};
use driz_wcs::Frame;
use ndarray::Array2;
use crate::concurrency::{items_at_once, map_limited};
use std::path::{Path, PathBuf};
use tracing::info;

/// A chip's cosmic-ray mask, kept in memory or in its `_crmask` file.
#[derive(Debug)]
pub enum CrMask {
    Memory(Array2<bool>),
    File(PathBuf),
}

impl CrMask {
    /// `true` = good.
    pub fn load(&self) -> Result<Array2<bool>> {
        match self {
            CrMask::Memory(m) => Ok(m.clone()),
            CrMask::File(p) => {
                let mut f = Fits::open(p)?;
                Ok(f.read_image::<u8>(0)?.mapv(|v| v != 0))
            }
        }
    }
}

/// Blot the median onto a chip: count rate → the chip's units, sky added back.
pub fn blot_chip(median: &Array2<f32>, frame: &Frame, chip: &Chip, config: &BlotConfig, stepsize: usize) -> Result<Array2<f32>> {
    let mut xy = chip_map(chip, frame, stepsize);
    // Points that cannot be mapped are outside the median: they get the missing value.
    for p in xy.iter_mut() {
        if p[0].is_nan() || p[1].is_nan() {
            *p = [-1.0e9, -1.0e9];
        }
    }
    let [nx, ny] = chip.size();
    let map = PixelMap::new(nx, ny, &xy).map_err(|cause| AstroDrizzleError::Kernel { context: chip.label(), cause })?;
    let pix_ratio = frame.pscale() / chip.linear_scale;
    let iscale = (chip.exptime() / (pix_ratio * pix_ratio)) as f32;
    let mut out = blot(median.view(), &map, config.interp, iscale, 0.0)
        .map_err(|cause| AstroDrizzleError::Kernel { context: format!("blotting the median onto {}", chip.label()), cause })?;
    let conversion = chip.conversion as f32;
    let sky = if config.addsky { chip.computed_sky.unwrap_or(0.0) } else { config.skyval } as f32;
    if conversion != 1.0 || sky != 0.0 {
        out.mapv_inplace(|v| v / conversion + sky);
    }
    Ok(out)
}

/// Blot the median onto every chip and, when `cr` is given, find the cosmic rays.
/// Returns one mask per chip (image order, then chip order) when driz_cr ran.
#[allow(clippy::too_many_arguments)]
pub fn blot_and_find_cosmic_rays(
    images: &[Image],
    median: &Array2<f32>,
    frame: &Frame,
    blot_config: &BlotConfig,
    cr: Option<&CrConfig>,
    in_memory: bool,
    stepsize: usize,
    workdir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<Vec<Option<CrMask>>>> {
    let chips: Vec<(usize, &Chip, &Image)> =
        images.iter().enumerate().flat_map(|(i, im)| im.chips.iter().map(move |c| (i, c, im))).collect();
    progress.start(if cr.is_some() { "blot + driz_cr" } else { "blot" }, chips.len() as u64);
    // Pixel map, blotted image, chip and the CR test's float64 work arrays.
    let largest = chips.iter().map(|(_, c, _)| c.size()[0] * c.size()[1]).max().unwrap_or(0);
    let results: Vec<(usize, Option<CrMask>)> =
        map_limited(&chips, items_at_once(largest * 64), |(i, chip, image)| -> Result<(usize, Option<CrMask>)> {
            let t0 = std::time::Instant::now();
            let blotted = blot_chip(median, frame, chip, blot_config, stepsize)?;
            tracing::debug!("{}: blot {:.2} s", chip.label(), t0.elapsed().as_secs_f64());
            if !in_memory {
                let path = workdir.join(format!("{}_sci{}_blt.fits", image.rootname, chip.extver()));
                write_frame_image(&path, &chip_header(chip)?, blotted.view())?;
            }
            let mask = match cr {
                None => None,
                Some(cr) => {
                    let sci = read_sci(chip)?;
                    let mask = cr_mask(
                        &CrChip {
                            sci: sci.view(),
                            blot: blotted.view(),
                            conversion: chip.conversion,
                            gain: chip.eff_gain,
                            readnoise: chip.readnoise,
                            subtracted_sky: chip.subtracted_sky,
                            cte_dir: chip.cte_dir,
                        },
                        &cr.params,
                    );
                    tracing::debug!("{}: blot + CR test {:.2} s", chip.label(), t0.elapsed().as_secs_f64());
                    let flagged = mask.iter().filter(|v| **v == 0).count();
                    info!("{}: {flagged} pixels flagged as cosmic rays", chip.label());
                    Some(if in_memory {
                        CrMask::Memory(mask.mapv(|v| v != 0))
                    } else {
                        let path = workdir.join(format!("{}_sci{}_crmask.fits", image.rootname, chip.extver()));
                        write_frame_image(&path, &chip_header(chip)?, mask.view())?;
                        CrMask::File(path)
                    })
                }
            };
            progress.advance(1);
            Ok((*i, mask))
        })?;
    progress.finish();
    let mut out: Vec<Vec<Option<CrMask>>> = images.iter().map(|_| Vec::new()).collect();
    for (i, m) in results {
        out[i].push(m);
    }
    Ok(out)
}

/// Header of a chip-shaped intermediate: the chip's own WCS keywords.
fn chip_header(chip: &Chip) -> Result<Header> {
    let fits = Fits::open(&chip.info.path)?;
    let sci = &fits.hdu(chip.info.sci).header;
    let mut h = Header::new();
    for card in sci.cards() {
        if !driz_fits::is_structural(&card.keyword) && !card.keyword.is_empty() && card.keyword != "EXTNAME" && card.keyword != "EXTVER" {
            h.append(card.clone());
        }
    }
    Ok(h)
}
