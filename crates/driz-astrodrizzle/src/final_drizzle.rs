//! Step 7, the final drizzle: every member chip of every image onto the final frame, with
//! the DQ, static and cosmic-ray masks and the chosen weights, into one SCI/WHT/CTX
//! product.

use crate::config::{FinalConfig, FinalUnits, WeightType};
use crate::cosmic_rays::CrMask;
use crate::error::Result;
use crate::image::{Chip, Image};
use crate::intermediate::weight_mask_name;
use crate::pixels::read_err;
use crate::progress::Progress;
use crate::separate::{add_chip, chip_mask, drizzle_input, drizzle_writing_weights, plan_chip};
use crate::static_mask::StaticMasks;
use driz_fits::Fits;
use driz_kernels::{Drizzle, Kernel};
use driz_wcs::Frame;
use ndarray::Array2;
use std::collections::HashSet;
use tracing::{info, warn};

/// One drizzled chip, for the product's D### keywords.
#[derive(Debug, Clone)]
pub struct DrizzledChip {
    pub data: String,
    pub exptime: f64,
    pub weight_scale: f64,
    pub mask_name: String,
    pub idcscale: Option<f64>,
}

/// The final product in memory.
#[derive(Debug)]
pub struct FinalProduct {
    pub frame: Frame,
    pub sci: Array2<f32>,
    pub wht: Array2<f32>,
    pub ctx: Vec<Array2<i32>>,
    pub chips: Vec<DrizzledChip>,
    pub texptime: f64,
    pub expstart: f64,
    pub expend: f64,
    pub n_exposures: usize,
    pub units: FinalUnits,
    /// The `_final_mask` weight images written (`clean=False` with files).
    pub mask_files: Vec<std::path::PathBuf>,
}

#[allow(clippy::too_many_arguments)]
pub fn drizzle_final(
    images: &[Image],
    frame: &Frame,
    config: &FinalConfig,
    statics: Option<&StaticMasks>,
    cr_masks: Option<&[Vec<Option<CrMask>>]>,
    resetbits: Option<u32>,
    stepsize: usize,
    band_rows: usize,
    mask_dir: Option<&std::path::Path>,
    progress: &dyn Progress,
) -> Result<FinalProduct> {
    let [nx, ny] = frame.size;
    let kernel = config.drizzle.kernel;
    if matches!(kernel, Kernel::Gaussian | Kernel::Lanczos2 | Kernel::Lanczos3) {
        warn!("final drizzle: the {kernel} kernel does not conserve flux");
    }
    info!(
        "final drizzle onto {nx}x{ny} at {:.6}\"/px, orientation {:.4} deg, kernel {kernel}, pixfrac {}",
        frame.pscale(),
        frame.orientat(),
        config.drizzle.pixfrac
    );
    let total: usize = images.iter().map(|im| im.chips.len()).sum();
    progress.start("final drizzle", total as u64);
    // Every chip's plan first, each from its whole pixel map, before the output frame
    // exists; the chips are then drizzled a band of rows at a time.
    let mut plans = Vec::new();
    for image in images {
        for chip in &image.chips {
            let pix_ratio = frame.pscale() / chip.linear_scale;
            let weight_scale = weight_scale_of(config, chip, pix_ratio);
            plans.push(plan_chip(chip, frame, &config.drizzle, weight_scale, stepsize)?);
        }
    }
    let mut plans = plans.into_iter();
    let mut driz = Drizzle::with_initial(nx, ny, config.maskval.unwrap_or(f32::NAN), config.drizzle.fillval);
    let mut chips = Vec::new();
    let mut mask_files = Vec::new();
    for (i, image) in images.iter().enumerate() {
        for (k, chip) in image.chips.iter().enumerate() {
            let planned = plans.next().flatten();
            let cr = match cr_masks.and_then(|m| m.get(i)).and_then(|m| m.get(k)).and_then(|m| m.as_ref()) {
                Some(m) => Some(m.load()?),
                None => None,
            };
            let mask = chip_mask(chip, config.drizzle.bits, resetbits, statics, cr.as_ref())?;
            let weights = weights(chip, &mask, config)?;
            // The masks are in the weights now: not held through the drizzle (the inputs'
            // update, running alongside, adds its own DQ and mask to this step's peak).
            drop((mask, cr));
            let data = drizzle_input(chip)?;
            let pix_ratio = frame.pscale() / chip.linear_scale;
            let weight_scale = weight_scale_of(config, chip, pix_ratio);
            driz.set_next_context_id(chips.len());
            mask_files.extend(drizzle_writing_weights(
                mask_dir,
                &image.rootname,
                chip,
                "final",
                weights.view(),
                || add_chip(&mut driz, chip, frame, &data, &weights, planned.as_ref(), stepsize, band_rows),
            )?);
            chips.push(DrizzledChip {
                data: format!(
                    "{}[sci,{}]",
                    chip.info.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
                    chip.extver()
                ),
                exptime: chip.exptime(),
                weight_scale,
                mask_name: weight_mask_name(&image.rootname, chip.extver(), "final"),
                idcscale: chip.info.reference.idcscale,
            });
            progress.advance(1);
        }
    }
    progress.finish();
    let mut seen = HashSet::new();
    let texptime: f64 = images.iter().filter(|im| seen.insert(im.rootname.clone())).map(|im| im.exptime).sum();
    let t0 = std::time::Instant::now();
    let (mut sci, wht, ctx) = driz.into_products(true);
    tracing::debug!("final products taken out of the frame in {:.2} s", t0.elapsed().as_secs_f64());
    if config.units == FinalUnits::Counts {
        let t = texptime as f32;
        sci.mapv_inplace(|v| v * t);
    }
    Ok(FinalProduct {
        frame: frame.clone(),
        wht,
        ctx,
        sci,
        chips,
        texptime,
        expstart: images.iter().map(|im| im.expstart).fold(f64::INFINITY, f64::min),
        expend: images.iter().map(|im| im.expend).fold(f64::NEG_INFINITY, f64::max),
        n_exposures: seen.len(),
        units: config.units,
        mask_files,
    })
}

/// The kernel's weight scale for `final_wht_type`.
fn weight_scale_of(config: &FinalConfig, chip: &Chip, pix_ratio: f64) -> f64 {
    match config.wht_type {
        WeightType::Exp => config.drizzle.wt_scl.0,
        WeightType::Err => 1.0 / pix_ratio.powi(4),
        WeightType::Ivm => chip.exptime() * chip.exptime() / pix_ratio.powi(4),
    }
}

/// The input weights for `final_wht_type` (their scale: [`weight_scale_of`]).
fn weights(chip: &Chip, mask: &Array2<bool>, config: &FinalConfig) -> Result<Array2<f32>> {
    let t = chip.exptime() as f32;
    Ok(match config.wht_type {
        WeightType::Exp => mask.mapv(|m| if m { t } else { 0.0 }),
        WeightType::Err => match read_err(chip)? {
            Some(err) => {
                let mut w = Array2::<f32>::zeros(mask.dim());
                ndarray::Zip::from(&mut w).and(mask).and(&err).for_each(|w, &m, &e| {
                    let r = t / e;
                    *w = if m && e > 0.0 && e.is_finite() { r * r } else { 0.0 };
                });
                w
            }
            None => {
                warn!("{}: no ERR array for ERR weighting; using the bare mask", chip.label());
                mask.mapv(|m| if m { 1.0 } else { 0.0 })
            }
        },
        WeightType::Ivm => {
            let flat = flat_field(chip)?;
            let dark = chip.dark.unwrap_or(0.0) as f32;
            let sky = chip.subtracted_sky as f32;
            let rn2 = (chip.readnoise * chip.readnoise) as f32;
            let mut w = Array2::<f32>::zeros(mask.dim());
            ndarray::Zip::from(&mut w).and(mask).and(&flat).for_each(|w, &m, &f| {
                let v = f * f / (dark + sky * f + rn2);
                *w = if m && v.is_finite() { v } else { 0.0 };
            });
            w
        }
    })
}

/// The chip's section of its PFLTFILE (1 with a warning when it cannot be read).
fn flat_field(chip: &Chip) -> Result<Array2<f32>> {
    let [nx, ny] = chip.size();
    let ones = || Array2::<f32>::ones((ny, nx));
    let fits = Fits::open(&chip.info.path)?;
    let Some(name) = fits.primary_header().get_str("PFLTFILE").ok().flatten().map(|s| s.trim().to_string()) else {
        warn!("{}: no PFLTFILE; IVM weights use a flat of 1", chip.label());
        return Ok(ones());
    };
    let path = match driz_updatewcs::refs::resolve(&name, &chip.info.path, "PFLTFILE") {
        Ok(p) if p.is_file() => p,
        _ => {
            warn!("{}: flat field {name} not found; IVM weights use a flat of 1", chip.label());
            return Ok(ones());
        }
    };
    let mut flat = Fits::open(&path)?;
    let index = flat.position("SCI", chip.extver()).or_else(|| flat.position("SCI", 1)).unwrap_or(0);
    let full = flat.read_image::<f32>(index)?;
    let (x0, y0) = (chip.ltv[0] as usize, chip.ltv[1] as usize);
    if full.dim().0 < y0 + ny || full.dim().1 < x0 + nx {
        warn!("{}: flat field {} is smaller than the chip; IVM weights use a flat of 1", chip.label(), path.display());
        return Ok(ones());
    }
    Ok(full.slice(ndarray::s![y0..y0 + ny, x0..x0 + nx]).to_owned())
}
