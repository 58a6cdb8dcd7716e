//! Step 3, the separate drizzle: each input file's member chips drizzled onto the common
//! frame, sky-subtracted, as a count rate, with exposure-time weights. The products feed
//! the median; they are kept in memory (`in_memory`) or written as `<root>_single_sci`
//! and `<root>_single_wht` files from which the median reads row sections.

use crate::concurrency::{items_at_once, map_limited};
use crate::config::DrizzleConfig;
use crate::error::{AstroDrizzleError, Result};
use crate::image::{Chip, Image};
use crate::intermediate::{frame_header, write_frame_image, write_weight_mask};
use crate::pixels::{good_mask, read_dq, read_sci};
use crate::progress::Progress;
use crate::static_mask::{StaticMasks, signature};
use driz_combine::weight_mask_threshold;
use driz_kernels::{AddParams, AddPlan, Drizzle, MapFn, PixelMap};
use driz_wcs::{Frame, HstWcs, StepGrid};
use ndarray::Array2;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// One image's separately drizzled product.
#[derive(Debug)]
pub enum Single {
    Memory { sci: Array2<f32>, wht: Array2<f32> },
    Files { sci: PathBuf, wht: PathBuf },
}

/// A separately drizzled image and the per-image values the median needs.
#[derive(Debug)]
pub struct SingleProduct {
    pub product: Single,
    /// The `_single_mask` weight images written (`clean=False` with files).
    pub mask_files: Vec<PathBuf>,
    /// imagestats mean of the WHT pixels ≥ 1e-8 (float32, as upstream; 0 when none).
    pub wht_mean: f32,
}

/// The data a drizzle step puts in: SCI − sky, times the effective gain.
pub fn drizzle_input(chip: &Chip) -> Result<Array2<f32>> {
    let mut sci = read_sci(chip)?;
    let sky = chip.computed_sky.unwrap_or(0.0) as f32;
    let gain = chip.eff_gain as f32;
    if sky != 0.0 || gain != 1.0 {
        sci.mapv_inplace(|v| (v - sky) * gain);
    }
    Ok(sci)
}

/// Input rows drizzled at a time by default ([`Config::band_rows`]).
///
/// [`Config::band_rows`]: crate::config::Config::band_rows
pub const DEFAULT_BAND_ROWS: usize = 256;

/// A chip's drizzle plan ([`AddPlan`]) onto `frame` and the parameters it was made with;
/// `None` when the chip does not reach the frame. Made from the chip's WCS grid (the
/// map's few entries a plan needs are interpolated from it), without the whole map.
pub fn plan_chip(
    chip: &Chip,
    frame: &Frame,
    kernel_config: &DrizzleConfig,
    weight_scale: f64,
    stepsize: usize,
) -> Result<Option<(AddPlan, AddParams)>> {
    let pix_ratio = frame.pscale() / chip.linear_scale;
    let t0 = std::time::Instant::now();
    let output = HstWcs::undistorted(frame.wcs.clone());
    let [nx, ny] = chip.size();
    let params = AddParams {
        kernel: kernel_config.kernel,
        pixfrac: kernel_config.pixfrac,
        pixel_scale_ratio: Some(pix_ratio as f32),
        iscale: (pix_ratio * pix_ratio) as f32,
        weight_scale: weight_scale as f32,
        exptime: chip.exptime() as f32,
        units: chip.units,
        section: None,
        // AstroDrizzle's cdriz: masked inputs still leave their value where nothing else lands.
        zero_weight_writes_data: true,
    };
    let [onx, ony] = frame.size;
    let plan = if stepsize == 0 {
        // The exact map (not AstroDrizzle's default) has no grid: the whole map, dropped again.
        let xy = driz_wcs::pixel_map(chip.wcs(), &output, nx, ny);
        let map =
            PixelMap::new(nx, ny, &xy).map_err(|cause| AstroDrizzleError::Kernel { context: chip.label(), cause })?;
        AddPlan::new(onx, ony, &map, &params)
    } else {
        let grid = StepGrid::new(chip.wcs(), &output, nx, ny, stepsize);
        AddPlan::from_lookup(onx, ony, &MapFn { nx, ny, entry: |i, j| grid.at(i, j) }, &params)
    };
    tracing::debug!("{}: pixel map and plan {:.2} s", chip.label(), t0.elapsed().as_secs_f64());
    match plan {
        Ok(plan) => Ok(Some((plan, params))),
        Err(driz_kernels::KernelError::NoOverlap(why)) => {
            info!("{}: does not overlap the output frame ({why})", chip.label());
            Ok(None)
        }
        Err(cause) => Err(AstroDrizzleError::Kernel { context: chip.label(), cause }),
    }
}

/// Drizzle one chip into `driz` from its plan, `band_rows` input rows at a time (0: the
/// whole map at once), each band with its own rows of the pixel map: the same result as
/// the whole map in a fraction of the memory (134 MB of map for an ACS/WFC chip).
#[allow(clippy::too_many_arguments)]
pub fn add_chip(
    driz: &mut Drizzle,
    chip: &Chip,
    frame: &Frame,
    data: &Array2<f32>,
    weights: &Array2<f32>,
    planned: Option<&(AddPlan, AddParams)>,
    stepsize: usize,
    band_rows: usize,
) -> Result<()> {
    let Some((plan, params)) = planned else {
        // Not reaching the frame, the chip still takes its context bit, as drizzle does.
        driz.set_next_context_id(driz.next_context_id() + 1);
        return Ok(());
    };
    let t0 = std::time::Instant::now();
    let output = HstWcs::undistorted(frame.wcs.clone());
    let [nx, ny] = chip.size();
    let band_rows = if band_rows == 0 { ny } else { band_rows };
    let map_rows = |rows: std::ops::Range<usize>| driz_wcs::pixel_map_rows(chip.wcs(), &output, nx, ny, stepsize, rows);
    driz.add_image_in_bands(data.view(), Some(weights.view()), plan, params, band_rows, map_rows)
        .map_err(|cause| AstroDrizzleError::Kernel { context: chip.label(), cause })?;
    tracing::debug!("{}: {} kernel {:.2} s", chip.label(), params.kernel, t0.elapsed().as_secs_f64());
    Ok(())
}

/// `add` (the chip's drizzle) with the chip's weight image written alongside, into
/// `mask_dir` when given, for `step` (`single`, `final`): the writing mostly waits on the
/// disk while the kernel keeps the cores busy. Returns the file written.
pub fn drizzle_writing_weights(
    mask_dir: Option<&Path>,
    rootname: &str,
    chip: &Chip,
    step: &str,
    weights: ndarray::ArrayView2<f32>,
    add: impl FnOnce() -> Result<()> + Send,
) -> Result<Option<PathBuf>> {
    let (written, added) =
        rayon::join(|| mask_dir.map(|dir| write_weight_mask(dir, rootname, chip.extver(), step, weights)), add);
    let written = written.transpose()?;
    added?;
    Ok(written)
}

/// Good-pixel weights of a chip: the DQ mask with `bits`, the static mask, `extra`
/// (the CR mask), as 0/1.
pub fn chip_mask(
    chip: &Chip,
    bits: Option<u32>,
    resetbits: Option<u32>,
    statics: Option<&StaticMasks>,
    extra: Option<&Array2<bool>>,
) -> Result<Array2<bool>> {
    let dq = read_dq(chip, resetbits)?;
    let mut mask = good_mask(dq.as_ref(), bits, chip.size());
    if let Some(st) = statics.and_then(|s| s.get(signature(chip))) {
        mask.zip_mut_with(st, |m, &s| *m &= s);
    }
    if let Some(cr) = extra {
        mask.zip_mut_with(cr, |m, &s| *m &= s);
    }
    Ok(mask)
}

/// Drizzle every image separately onto `frame`.
#[allow(clippy::too_many_arguments)]
pub fn drizzle_separate(
    images: &[Image],
    frame: &Frame,
    config: &DrizzleConfig,
    statics: Option<&StaticMasks>,
    resetbits: Option<u32>,
    in_memory: bool,
    stepsize: usize,
    band_rows: usize,
    workdir: &Path,
    write_masks: bool,
    progress: &dyn Progress,
) -> Result<Vec<SingleProduct>> {
    let [nx, ny] = frame.size;
    info!(
        "separate drizzle: {} images onto {nx}x{ny} at {:.6}\"/px, kernel {}, pixfrac {}",
        images.len(),
        frame.pscale(),
        config.kernel,
        config.pixfrac
    );
    progress.start("driz_separate", images.len() as u64);
    // The output frame (12 bytes a pixel while drizzling) and a chip's pixel map.
    let largest_chip =
        images.iter().flat_map(|im| im.chips.iter()).map(|c| c.size()[0] * c.size()[1]).max().unwrap_or(0);
    let working_set = nx * ny * 12 + largest_chip * 28;
    let out = map_limited(images, items_at_once(working_set), |image| {
        let t0 = std::time::Instant::now();
        let plans = image
            .chips
            .iter()
            .map(|chip| plan_chip(chip, frame, config, config.wt_scl.0, stepsize))
            .collect::<Result<Vec<_>>>()?;
        let mut driz = Drizzle::with_initial(nx, ny, 0.0, config.fillval);
        let mut mask_files = Vec::new();
        for (chip, planned) in image.chips.iter().zip(&plans) {
            let data = drizzle_input(chip)?;
            let mask = chip_mask(chip, config.bits, resetbits, statics, None)?;
            if !mask.iter().any(|&m| m) {
                warn!("{}: every pixel is masked for the separate drizzle", chip.label());
            }
            let t = chip.exptime() as f32;
            let weights = mask.mapv(|m| if m { t } else { 0.0 });
            let mask_dir = write_masks.then_some(workdir);
            mask_files.extend(drizzle_writing_weights(
                mask_dir,
                &image.rootname,
                chip,
                "single",
                weights.view(),
                || add_chip(&mut driz, chip, frame, &data, &weights, planned.as_ref(), stepsize, band_rows),
            )?);
        }
        let (sci, wht, _) = driz.into_products(false);
        let wht_mean = weight_mask_threshold(wht.as_slice().expect("fresh arrays are contiguous"), 1.0) as f32;
        let product = if in_memory {
            Single::Memory { sci, wht }
        } else {
            let sci_path = workdir.join(format!("{}_single_sci.fits", image.rootname));
            let wht_path = workdir.join(format!("{}_single_wht.fits", image.rootname));
            let mut h = frame_header(frame);
            h.set_with_comment("EXPTIME", image.exptime, "exposure time");
            h.set_with_comment("BUNIT", "ELECTRONS/S", "units of the data");
            let mut wht_header = h.clone();
            wht_header.set_with_comment("BUNIT", "UNITLESS", "units of the data");
            // Two files written side by side: the byte swapping of one overlaps the disk
            // writes of the other.
            let (sci_written, wht_written) = rayon::join(
                || write_frame_image(&sci_path, &h, sci.view()),
                || write_frame_image(&wht_path, &wht_header, wht.view()),
            );
            sci_written?;
            wht_written?;
            Single::Files { sci: sci_path, wht: wht_path }
        };
        tracing::debug!("{}: single done {:.2} s", image.label(), t0.elapsed().as_secs_f64());
        progress.advance(1);
        Ok(SingleProduct { product, wht_mean, mask_files })
    });
    progress.finish();
    out
}
