//! One exposure through drizzlepac's `AlignmentTable` preparation (background, auto-kernel,
//! single-image CR cleaning) and `HAPImage.find_alignment_sources` (per-chip extraction).

use ndarray::{Array2, ArrayView2, Axis, Zip, concatenate};
use rayon::prelude::*;

use crate::auto_kernel::{DetectionKernel, build_auto_kernel};
use crate::background::{BackgroundEstimator, background_2d};
use crate::convolve::astropy_convolve;
use crate::dq_mask::{bad_pixel_mask, pseudo_weight};
use crate::extract::{Extraction, KernelArray, extract_flagged};
use crate::params::DetectionParams;
use crate::sbc::sbc_sources;
use crate::segment_properties::{is_real_source, segment_properties};
use crate::segmentation::{Connectivity, detect_sources};
use crate::windowed::{Centering, window_sigma, windowed_centroid};
use crate::{ChipImage, DetectError, ImageSources, Source};

const EXCLUDE_PERCENTILES: [f64; 4] = [10.0, 25.0, 50.0, 75.0];
const FILTER_SIZE: usize = 3;
/// `compute_background()` defaults used when no PSF could be measured.
const FALLBACK_BOX: usize = 13;
const FALLBACK_NSIGMA: f32 = 5.0;
/// Largest move from the DAO position accepted from the windowed centroid (pixels):
/// beyond DAOStarFinder's own pixel-phase errors (≤ 0.3 px), a larger move means the
/// window was captured by something else.
const MAX_RECENTRE_PX: f64 = 0.5;

/// Background and detection threshold of one chip.
pub struct ChipBackground {
    pub background: Array2<f32>,
    pub threshold: Array2<f32>,
}

/// `HAPImage.compute_background` for one chip: the first exclude percentile for which
/// Background2D succeeds; threshold = factor·(bkg + nsigma·rms) in float32 (factor `None`
/// means the unscaled `bkg + nsigma·rms`).
pub fn chip_background(
    sci: ArrayView2<f32>,
    box_size: usize,
    estimator: BackgroundEstimator,
    nsigma: f32,
    factor: Option<f32>,
) -> Result<ChipBackground, DetectError> {
    let mut last_error = None;
    for p in EXCLUDE_PERCENTILES {
        match background_2d(sci, box_size, FILTER_SIZE, p, estimator) {
            Ok(bkg) => {
                let mut threshold = bkg.background.clone();
                threshold.zip_mut_with(&bkg.background_rms, |t, &r| {
                    let default = *t + nsigma * r;
                    *t = match factor {
                        Some(f) => f * default,
                        None => default,
                    };
                });
                return Ok(ChipBackground { background: bkg.background, threshold });
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| DetectError::Background("no percentile tried".into())))
}

fn stack(arrays: &[Array2<f32>]) -> Result<Array2<f32>, DetectError> {
    let views: Vec<ArrayView2<f32>> = arrays.iter().map(|a| a.view()).collect();
    concatenate(Axis(0), &views).map_err(|_| DetectError::InvalidInput("chips of one image differ in width".into()))
}

/// `crclean_image`: segments of the convolved chip classified as cosmic rays get the
/// background values.
pub fn crclean_chip(
    sci: &mut Array2<f32>,
    threshold: ArrayView2<f32>,
    kernel: &KernelArray,
    fwhm: f64,
    background: ArrayView2<f32>,
    npixels: usize,
) -> Result<(), DetectError> {
    let convolved = astropy_convolve(sci.view(), kernel.values.view())?;
    let Some(segm) = detect_sources(convolved.view(), threshold, npixels, Connectivity::Four) else {
        return Ok(());
    };
    let cosmic: Vec<bool> = segm
        .segments
        .par_iter()
        .map(|sg| !is_real_source(&segment_properties(sci.view(), segm.labels.view(), sg.label, sg.bbox), fwhm))
        .collect();
    Zip::from(sci).and(&segm.labels).and(background).par_for_each(|v, &l, &b| {
        if l > 0 && cosmic[l as usize - 1] {
            *v = b;
        }
    });
    Ok(())
}

struct Prepared {
    backgrounds: Vec<ChipBackground>,
    kernel: DetectionKernel,
}

/// `HAPImage.build_kernel`: auto-kernel on the stacked original SCI − background; when no
/// PSF is found, the backgrounds are recomputed with the library defaults (box 13,
/// SExtractor, 5σ, unscaled) — those replace the detection thresholds — and the search is
/// repeated once.
fn build_kernel(
    original_stack: &Array2<f32>,
    current: &[Array2<f32>],
    weight: &Array2<f32>,
    backgrounds: Vec<ChipBackground>,
    default_fwhm_px: f64,
) -> Result<Prepared, DetectError> {
    let search = |backgrounds: &[ChipBackground]| -> Result<DetectionKernel, DetectError> {
        let bkg = stack(&backgrounds.iter().map(|b| b.background.clone()).collect::<Vec<_>>())?;
        let threshold = stack(&backgrounds.iter().map(|b| b.threshold.clone()).collect::<Vec<_>>())?;
        let image = original_stack - &bkg;
        Ok(build_auto_kernel(image.view(), weight.view(), threshold.view(), default_fwhm_px))
    };
    let kernel = search(&backgrounds)?;
    if kernel.from_psf {
        return Ok(Prepared { backgrounds, kernel });
    }
    let backgrounds = current
        .par_iter()
        .map(|sci| chip_background(sci.view(), FALLBACK_BOX, BackgroundEstimator::SExtractor, FALLBACK_NSIGMA, None))
        .collect::<Result<Vec<_>, _>>()?;
    let kernel = search(&backgrounds)?;
    Ok(Prepared { backgrounds, kernel })
}

pub fn detect_image(
    chips: &[ChipImage],
    params: &DetectionParams,
    default_fwhm_arcsec: Option<f64>,
) -> Result<ImageSources, DetectError> {
    let Some(first) = chips.first() else {
        return Err(DetectError::InvalidInput("no chips".into()));
    };
    for chip in chips {
        let shape = chip.sci.dim();
        if chip.err.is_some_and(|e| e.dim() != shape) || chip.dq.is_some_and(|d| d.dim() != shape) {
            return Err(DetectError::InvalidInput("SCI, ERR and DQ shapes differ".into()));
        }
    }
    let pscale = first.pixel_scale_arcsec;
    if pscale.is_nan() || pscale <= 0.0 {
        return Err(DetectError::InvalidInput("pixel scale must be positive".into()));
    }
    let fwhmpsf = default_fwhm_arcsec.unwrap_or(params.fwhmpsf_arcsec);
    let default_fwhm_px = fwhmpsf / pscale;
    let nsigma = params.nsigma as f32;
    let factor = Some(params.threshold_factor as f32);

    let original: Vec<Array2<f32>> = chips.iter().map(|c| c.sci.to_owned()).collect();
    let original_stack = stack(&original)?;
    let chip_bad: Vec<Option<Array2<bool>>> = chips.par_iter().map(|c| c.dq.map(|dq| bad_pixel_mask(dq))).collect();
    // the pseudo-weight uses the mask of the stacked DQ arrays (morphology across chips)
    let weight = if chips.iter().all(|c| c.dq.is_some()) {
        let dq_views: Vec<ArrayView2<u16>> = chips.iter().filter_map(|c| c.dq).collect();
        let dq_stack =
            concatenate(Axis(0), &dq_views).map_err(|_| DetectError::InvalidInput("DQ widths differ".into()))?;
        let bad = bad_pixel_mask(dq_stack.view());
        weight_from(chips, &bad)?
    } else {
        weight_from(chips, &Array2::from_elem(original_stack.dim(), false))?
    };

    let background = |data: &[Array2<f32>]| -> Result<Vec<ChipBackground>, DetectError> {
        data.par_iter()
            .map(|sci| chip_background(sci.view(), params.box_size, params.bkg_estimator, nsigma, factor))
            .collect()
    };
    let mut current = original.clone();
    let mut prepared = build_kernel(&original_stack, &current, &weight, background(&current)?, default_fwhm_px)?;
    if params.classify {
        let kernel = KernelArray { values: prepared.kernel.kernel.clone(), is_f32: prepared.kernel.from_psf };
        let fwhm = prepared.kernel.fwhm;
        current.par_iter_mut().zip(prepared.backgrounds.par_iter()).try_for_each(|(sci, bkg)| {
            crclean_chip(sci, bkg.threshold.view(), &kernel, fwhm, bkg.background.view(), params.npixels)
        })?;
        prepared = build_kernel(&original_stack, &current, &weight, background(&current)?, default_fwhm_px)?;
    }
    let fwhm = prepared.kernel.fwhm;
    if params.sbc {
        // One chip; the background and kernel above only set the kernel FWHM.
        let chips = current.iter().take(1).map(|sci| sbc_sources(sci.view(), fwhm)).collect();
        return Ok(ImageSources {
            chips,
            fwhm_arcsec: fwhm * pscale,
            kernel_fwhm_px: fwhm,
            kernel_from_psf: prepared.kernel.from_psf,
        });
    }
    let kernel = KernelArray { values: prepared.kernel.kernel.clone(), is_f32: prepared.kernel.from_psf };
    let per_chip = current
        .par_iter()
        .zip(prepared.backgrounds.par_iter())
        .zip(chip_bad.par_iter())
        .map(|((sci, bkg), bad)| {
            let extracted = extract_flagged(
                sci.view(),
                bad.as_ref(),
                &kernel,
                bkg.threshold.view(),
                fwhm,
                params.max_sources_per_chip,
                params.npixels,
            )?;
            Ok(match params.centering {
                Centering::Dao => extracted.sources.into_iter().map(|e| e.source).collect(),
                Centering::Windowed => recentre(&extracted, sci.view(), bkg.background.view(), bad.as_ref(), fwhm),
            })
        })
        .collect::<Result<Vec<_>, DetectError>>()?;
    Ok(ImageSources {
        chips: per_chip,
        fwhm_arcsec: fwhm * pscale,
        kernel_fwhm_px: fwhm,
        kernel_from_psf: prepared.kernel.from_psf,
    })
}

/// [`Centering::Windowed`]: the windowed centroid of each unsaturated source on the
/// background-subtracted chip, started from its DAO position, from its own segment and the
/// sky around it (flagged pixels and other sources' segments left out, so a neighbour does
/// not pull the window). The DAO position stays when the windowed one cannot be measured
/// or strays more than [`MAX_RECENTRE_PX`] from it.
fn recentre(
    extraction: &Extraction,
    sci: ArrayView2<f32>,
    background: ArrayView2<f32>,
    bad: Option<&Array2<bool>>,
    fwhm: f64,
) -> Vec<Source> {
    let sigma = window_sigma(fwhm);
    let labels = &extraction.labels;
    extraction
        .sources
        .iter()
        .map(|e| {
            let mut source = e.source;
            let usable = |row: usize, col: usize| {
                let label = labels[[row, col]];
                (label == 0 || label == e.label) && !bad.is_some_and(|b| b[[row, col]])
            };
            if !e.saturated
                && let Some((x, y)) =
                    windowed_centroid(sci, background, usable, (source.x, source.y), sigma, MAX_RECENTRE_PX)
            {
                source.x = x;
                source.y = y;
            }
            source
        })
        .collect()
}

fn weight_from(chips: &[ChipImage], bad: &Array2<bool>) -> Result<Array2<f32>, DetectError> {
    if chips.iter().all(|c| c.err.is_some()) {
        let views: Vec<ArrayView2<f32>> = chips.iter().filter_map(|c| c.err).collect();
        let err = concatenate(Axis(0), &views).map_err(|_| DetectError::InvalidInput("ERR widths differ".into()))?;
        Ok(pseudo_weight(Some(err.view()), bad))
    } else {
        Ok(pseudo_weight(None, bad))
    }
}
