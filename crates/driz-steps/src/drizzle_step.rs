//! Drizzle chips into one output frame, as AstroDrizzle's final drizzle does: default
//! frame around all footprints (or a reference image's), the chip's undistorted pixel
//! scale to scale fluxes and kernels, exposure-time (or ERR, IVM) weights, DQ masks.

use crate::StepError;
use crate::chip::{ChipInfo, InputUnits, WeightType, chip_pixel_map};
use driz_kernels::{AddParams, Drizzle, Kernel, PixelMap, Units};
use driz_wcs::{Frame, FrameChip, FrameOverrides, HstWcs, customize, default_frame, linear_pixel_scale};
use ndarray::Array2;
use tracing::info;

#[derive(Debug, Clone)]
pub struct DrizzleOptions {
    pub kernel: Kernel,
    pub pixfrac: f64,
    /// Start from this frame instead of the default one (e.g. a reference image's WCS).
    pub reference_frame: Option<Frame>,
    pub overrides: FrameOverrides,
    pub weight: WeightType,
    /// DQ bits that are *good*: a pixel is used when its DQ has no other bit set.
    pub bits: u32,
    /// Input units; `None` takes them from each chip's BUNIT.
    pub units: Option<InputUnits>,
    /// Fill for pixels without weight; `None` (INDEF) leaves them NaN.
    pub fillval: Option<f32>,
}

impl Default for DrizzleOptions {
    fn default() -> DrizzleOptions {
        DrizzleOptions {
            kernel: Kernel::Square,
            pixfrac: 1.0,
            reference_frame: None,
            overrides: FrameOverrides::default(),
            weight: WeightType::Exp,
            bits: 0,
            units: None,
            fillval: None,
        }
    }
}

/// What went into the product, one entry per chip.
#[derive(Debug, Clone)]
pub struct ChipRecord {
    pub label: String,
    pub rootname: String,
    pub exptime: f64,
    pub pix_ratio: f64,
    pub units: InputUnits,
}

/// A drizzled product in memory: count-rate SCI, WHT, context planes and bookkeeping.
#[derive(Debug, Clone)]
pub struct Product {
    pub frame: Frame,
    pub sci: Array2<f32>,
    pub wht: Array2<f32>,
    pub ctx: Vec<Array2<i32>>,
    /// Σ EXPTIME over distinct exposures.
    pub texptime: f64,
    pub chips: Vec<ChipRecord>,
    pub kernel: Kernel,
    pub pixfrac: f64,
    pub weight: WeightType,
    pub bunit: String,
}

pub fn drizzle_chips(chips: &[ChipInfo], options: &DrizzleOptions) -> Result<Product, StepError> {
    let first = chips.first().ok_or_else(|| StepError::Input("no input chips".into()))?;
    let frame = match &options.reference_frame {
        Some(f) => f.clone(),
        None => {
            let fc: Vec<FrameChip> = chips.iter().map(|c| FrameChip { wcs: &c.wcs, size: c.size }).collect();
            default_frame(&fc, &first.reference)
                .map_err(|cause| StepError::Wcs { context: "building the output frame".into(), cause })?
        }
    };
    let frame = customize(&frame, &options.overrides)
        .map_err(|cause| StepError::Wcs { context: "applying the output frame parameters".into(), cause })?;
    let [onx, ony] = frame.size;
    info!("output frame {onx}x{ony}, {:.6}\"/px, orientation {:.4} deg", frame.pscale(), frame.orientat());
    let output = HstWcs::undistorted(frame.wcs.clone());
    let mut driz = Drizzle::with_initial(onx, ony, f32::NAN, options.fillval);
    let mut records = Vec::new();
    for chip in chips {
        let (data, weights) = chip.load(options.bits, options.weight)?;
        let linear = linear_pixel_scale(&chip.wcs, &chip.reference)
            .map_err(|cause| StepError::Wcs { context: chip.label(), cause })?;
        let pix_ratio = frame.pscale() / linear;
        let units = options.units.unwrap_or(chip.units);
        let xy = chip_pixel_map(chip, &output);
        let map = PixelMap::new(chip.size[0], chip.size[1], &xy)
            .map_err(|cause| StepError::Kernel { context: chip.label(), cause })?;
        let weight_scale = match options.weight {
            WeightType::Err => 1.0 / pix_ratio.powi(4),
            _ => 1.0,
        };
        let params = AddParams {
            kernel: options.kernel,
            pixfrac: options.pixfrac,
            pixel_scale_ratio: Some(pix_ratio as f32),
            iscale: (pix_ratio * pix_ratio) as f32,
            weight_scale: weight_scale as f32,
            exptime: chip.exptime as f32,
            units: match units {
                InputUnits::Counts => Units::Counts,
                InputUnits::Cps => Units::Cps,
            },
            section: None,
            zero_weight_writes_data: false,
        };
        match driz.add_image(data.view(), Some(weights.view()), &map, &params) {
            Ok(stats) => info!("{}: {} input pixels drizzled", chip.label(), stats.scanned),
            Err(driz_kernels::KernelError::NoOverlap(why)) => {
                info!("{}: does not overlap the output ({why})", chip.label())
            }
            Err(cause) => return Err(StepError::Kernel { context: chip.label(), cause }),
        }
        records.push(ChipRecord {
            label: chip.label(),
            rootname: chip.rootname.clone(),
            exptime: chip.exptime,
            pix_ratio,
            units,
        });
    }
    let mut seen = std::collections::HashSet::new();
    let texptime = records.iter().filter(|r| seen.insert(r.rootname.clone())).map(|r| r.exptime).sum();
    let base = first.bunit.split('/').next().unwrap_or("").trim();
    let bunit = if base.is_empty() { "COUNTS/S".to_string() } else { format!("{base}/S") };
    Ok(Product {
        frame,
        sci: driz.sci(),
        wht: driz.wht(),
        ctx: driz.context(),
        texptime,
        chips: records,
        kernel: options.kernel,
        pixfrac: options.pixfrac,
        weight: options.weight,
        bunit,
    })
}
