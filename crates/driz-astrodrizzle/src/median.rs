//! Step 4, the median: the separately drizzled images combined pixel by pixel (minmed by
//! default) into a clean image of the sky. Processed in row sections read from the
//! single-drizzle files, so memory does not grow with the frame times the number of
//! images: only one section per image is held at once.

use crate::config::MedianConfig;
use crate::error::Result;
use crate::image::Image;
use crate::progress::Progress;
use crate::separate::{Single, SingleProduct};
use driz_combine::{StackImage, combine, combine_unmasked};
use driz_fits::Fits;
use ndarray::{Array2, s};
use tracing::info;

/// The per-image values minmed's noise model uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageScalars {
    pub exptime: f64,
    pub readnoise: f64,
    /// Electrons (upstream's loop quirk reproduced, see `background_of`).
    pub background: f64,
    /// WHT below this is masked.
    pub weight_threshold: f64,
}

/// drizzlepac's loop: it compares the raw sky with the converted minimum, so for data
/// with a conversion factor the first chip's value wins in practice.
pub fn background_of(image: &Image) -> f64 {
    let mut b: Option<f64> = None;
    for chip in &image.chips {
        if b.is_none_or(|b| b > chip.subtracted_sky) {
            b = Some(chip.subtracted_sky * chip.conversion);
        }
    }
    b.unwrap_or(0.0)
}

pub fn scalars(images: &[Image], singles: &[SingleProduct], maskpt: f64) -> Vec<ImageScalars> {
    images
        .iter()
        .zip(singles)
        .map(|(im, single)| {
            let rn2: f64 = im.chips.iter().map(|c| c.readnoise * c.readnoise).sum();
            ImageScalars {
                exptime: im.chips[0].exptime(),
                readnoise: (rn2 / im.chips.len() as f64).sqrt(),
                background: background_of(im),
                weight_threshold: single.wht_mean as f64 * maskpt,
            }
        })
        .collect()
}

/// Where the rows of one image's section come from.
enum Source<'a> {
    Memory { sci: &'a Array2<f32>, wht: &'a Array2<f32> },
    Files { sci: Fits, wht: Fits },
}

/// Combine the single products into the median frame.
pub fn create_median(
    images: &[Image],
    singles: &[SingleProduct],
    config: &MedianConfig,
    size: [usize; 2],
    proc_unit_native: bool,
    progress: &dyn Progress,
) -> Result<Option<Array2<f32>>> {
    let n = singles.len();
    let c = &config.combine;
    let is_minmed = c.kind.is_minmed();
    if c.rejects_all_pixels(n) {
        tracing::warn!("median: Rejecting all pixels (nlow + nhigh >= number of images); blot and driz_cr are skipped");
        return Ok(None);
    }
    if is_minmed && n > 5 {
        info!("median: with more than 5 images the 'median' combination is recommended over 'minmed'");
    }
    let scal = scalars(images, singles, config.maskpt);
    for (im, s) in images.iter().zip(&scal) {
        info!("reference sky value for image '{}' is {}", im.label(), s.background);
    }
    let thresholds = thresholds(images, config, proc_unit_native);
    let [nx, ny] = size;
    let grow = if is_minmed { c.grow } else { 0 };
    // Rows per section: the user's buffer size per image, at least enough for the
    // overlap, at most a few hundred rows so memory stays flat.
    let row_bytes = (nx * 4) as f64;
    let wanted = ((config.bufsize.max(0.0) * 1024.0 * 1024.0) / row_bytes).floor() as usize;
    let rows = wanted.clamp(4 * grow + 16, 512).min(ny);
    let mut sources: Vec<Source> = singles
        .iter()
        .map(|s| -> Result<Source> {
            Ok(match &s.product {
                Single::Memory { sci, wht } => Source::Memory { sci, wht },
                Single::Files { sci, wht } => Source::Files { sci: Fits::open(sci)?, wht: Fits::open(wht)? },
            })
        })
        .collect::<Result<_>>()?;
    let mut median = Array2::<f32>::zeros((ny, nx));
    let sections = ny.div_ceil(rows);
    progress.start("median", sections as u64);
    let mut start = 0;
    while start < ny {
        let end = (start + rows).min(ny);
        let lo = start.saturating_sub(grow);
        let hi = (end + grow).min(ny);
        let mut scis = Vec::with_capacity(n);
        let mut whts = Vec::with_capacity(n);
        for src in sources.iter_mut() {
            let (sci, wht) = match src {
                Source::Files { sci, wht } => {
                    (sci.read_image_rows::<f32>(0, lo, hi - lo)?, wht.read_image_rows::<f32>(0, lo, hi - lo)?)
                }
                Source::Memory { sci, wht } => {
                    (sci.slice(s![lo..hi, ..]).to_owned(), wht.slice(s![lo..hi, ..]).to_owned())
                }
            };
            scis.push(sci);
            whts.push(wht);
        }
        let bads: Vec<Array2<bool>> = scis
            .iter()
            .zip(&whts)
            .zip(&scal)
            .zip(&thresholds)
            .map(|(((sci, wht), s), (lower, upper))| {
                let mut bad = if config.newmasks {
                    wht.mapv(|w| (w as f64) < s.weight_threshold)
                } else {
                    Array2::from_elem(wht.dim(), false)
                };
                if !is_minmed && (lower.is_some() || upper.is_some()) {
                    bad.zip_mut_with(sci, |b, &v| {
                        let v = v as f64;
                        if upper.is_some_and(|u| v >= u) || lower.is_some_and(|l| v < l) {
                            *b = true;
                        }
                    });
                }
                bad
            })
            .collect();
        let stack: Vec<StackImage> = (0..n)
            .map(|i| StackImage {
                sci: scis[i].view(),
                wht: whts[i].view(),
                bad: bads[i].view(),
                exptime: scal[i].exptime,
                readnoise: scal[i].readnoise,
                background: scal[i].background,
            })
            .collect();
        let thresholded = !is_minmed && thresholds.iter().any(|(l, u)| l.is_some() || u.is_some());
        let result = if config.newmasks || thresholded { combine(&stack, c) } else { combine_unmasked(&stack, c) };
        median.slice_mut(s![start..end, ..]).assign(&result.slice(s![start - lo..end - lo, ..]));
        start = end;
        progress.advance(1);
    }
    progress.finish();
    Ok(Some(median))
}

/// `combine_lthresh/hthresh` per image: with native units they are scaled by the gain
/// (counts) and the exposure time (rates), and upstream multiplies the running value,
/// so the scaling accumulates over the image loop.
fn thresholds(images: &[Image], config: &MedianConfig, native: bool) -> Vec<(Option<f64>, Option<f64>)> {
    let (mut lower, mut upper) = (config.lthresh, config.hthresh);
    images
        .iter()
        .map(|im| {
            if native {
                let chip = &im.chips[0];
                let bunit = chip.info.bunit.to_ascii_lowercase();
                let scale = |v: f64| {
                    let mut v = v;
                    if bunit.starts_with("counts") {
                        v *= chip.gain;
                    }
                    if bunit.ends_with("/s") {
                        v *= chip.exptime();
                    }
                    v
                };
                lower = lower.map(scale);
                upper = upper.map(scale);
            }
            (lower, upper)
        })
        .collect()
}
