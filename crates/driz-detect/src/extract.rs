//! drizzlepac's `extract_sources` as `HAPImage.find_alignment_sources` calls it
//! (`classify=False`, `centering_mode='starfind'`, `deblend=False`): segmentation of the
//! kernel-convolved, DQ-masked chip, the crowded-field kernel reduction, then one
//! DAOStarFinder source per segment, brightest segments first.

use ndarray::{Array2, ArrayView2, s};

use crate::convolve::astropy_convolve;
use crate::daofind::dao_find;
use crate::numpy_sum::{pairwise_sum_f32, window_mean_f32};
use crate::segment_properties::segment_properties;
use crate::segmentation::{BoundingBox, Connectivity, detect_sources};
use crate::{DetectError, Source};

/// Mean area (pixels) of the 10 largest segments above which a field counts as crowded.
const MAX_AREA_LIMIT: f64 = 1964.0;

/// A detection kernel as the reference holds it: float32 values when cut from the image.
#[derive(Clone, Debug)]
pub struct KernelArray {
    pub values: Array2<f64>,
    pub is_f32: bool,
}

impl KernelArray {
    /// The central `(2·((c−1)//2)+1)²` part, c = (side−1)//2, renormalised.
    fn central_part(&self) -> KernelArray {
        let side = self.values.nrows();
        let center = (side - 1) / 2;
        let offset = (center.max(1) - 1) / 2;
        let part = self.values.slice(s![center - offset..center + offset + 1, center - offset..center + offset + 1]);
        let values = if self.is_f32 {
            let p32 = part.mapv(|v| v as f32);
            let sum = pairwise_sum_f32(p32.as_standard_layout().as_slice().expect("standard"));
            p32.mapv(|v| (v / sum) as f64)
        } else {
            let p = part.to_owned();
            let sum = crate::numpy_sum::pairwise_sum_f64(p.as_slice().expect("standard"));
            p.mapv(|v| v / sum)
        };
        KernelArray { values, is_f32: self.is_f32 }
    }
}

/// A source as extracted, whether it was saturated (its position is then the segment
/// centroid rather than DAOStarFinder's) and the label of its segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extracted {
    pub source: Source,
    pub saturated: bool,
    pub label: u32,
}

/// The sources of one chip with the segmentation they were found in (labels 0 = sky;
/// empty when nothing was found).
pub(crate) struct Extraction {
    pub sources: Vec<Extracted>,
    pub labels: Array2<u32>,
}

/// Detection on one chip; positions are 0-based chip pixels.
pub fn extract_sources(
    sci: ArrayView2<f32>,
    bad: Option<&Array2<bool>>,
    kernel: &KernelArray,
    threshold: ArrayView2<f32>,
    fwhm: f64,
    nlargest: usize,
    npixels: usize,
) -> Result<Vec<Source>, DetectError> {
    let extracted = extract_flagged(sci, bad, kernel, threshold, fwhm, nlargest, npixels)?;
    Ok(extracted.sources.into_iter().map(|e| e.source).collect())
}

/// [`extract_sources`] with the saturation flag and segment of each source.
pub(crate) fn extract_flagged(
    sci: ArrayView2<f32>,
    bad: Option<&Array2<bool>>,
    kernel: &KernelArray,
    threshold: ArrayView2<f32>,
    fwhm: f64,
    nlargest: usize,
    npixels: usize,
) -> Result<Extraction, DetectError> {
    let mut masked = sci.to_owned();
    if let Some(bad) = bad {
        masked.zip_mut_with(bad, |v, &b| {
            if b {
                *v = 0.0;
            }
        });
    }
    let convolved = astropy_convolve(masked.view(), kernel.values.view())?;
    let none = || Extraction { sources: Vec::new(), labels: Array2::zeros((0, 0)) };
    let Some(mut segm) = detect_sources(convolved.view(), threshold, npixels, Connectivity::Four) else {
        return Ok(none());
    };
    let side = kernel.values.nrows();
    let kernel_area = ((side / 2) as f64).powi(2) * std::f64::consts::PI;
    let mut areas: Vec<f64> = segm.segments.iter().map(|s| s.area as f64).collect();
    let mean_area = crate::numpy_sum::pairwise_sum_f64(&areas) / areas.len() as f64;
    areas.sort_by(|a, b| a.total_cmp(b));
    let largest = &areas[areas.len() - areas.len().min(10)..];
    let max_area = crate::numpy_sum::pairwise_sum_f64(largest) / largest.len() as f64;
    if max_area > MAX_AREA_LIMIT && mean_area > kernel_area / 2.0 {
        let small = kernel.central_part();
        let convolved = astropy_convolve(masked.view(), small.values.view())?;
        match detect_sources(convolved.view(), threshold, npixels, Connectivity::Eight) {
            Some(s) => segm = s,
            None => return Ok(none()),
        }
    }

    let nlargest = nlargest.min(segm.segments.len());
    let brightest: Vec<f32> = segm
        .segments
        .iter()
        .map(|sg| {
            let b = sg.bbox;
            masked
                .slice(s![b.y0..b.y1, b.x0..b.x1])
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, |m, v| if m.is_nan() || v.is_nan() { f32::NAN } else { m.max(v) })
        })
        .collect();
    // numpy argsort ascending (NaN last), then reversed
    let mut order: Vec<usize> = (0..brightest.len()).collect();
    order.sort_by(|&a, &b| {
        let (va, vb) = (brightest[a], brightest[b]);
        match (va.is_nan(), vb.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => va.total_cmp(&vb),
        }
    });
    order.reverse();

    let threshold_std = threshold.as_standard_layout();
    let thr = threshold_std.as_slice().expect("standard");
    let width = sci.ncols();
    let mut work = sci.to_owned();
    let mut sources = Vec::new();
    for idx in order {
        let segment = &segm.segments[idx];
        let b = segment.bbox;
        let (rows, cols) = (b.y1 - b.y0, b.x1 - b.x0);
        let dao_threshold = window_mean_f32(thr, width, b.y0 * width + b.x0, rows, cols);
        {
            let labels = segm.labels.slice(s![b.y0..b.y1, b.x0..b.x1]);
            let mut region = work.slice_mut(s![b.y0..b.y1, b.x0..b.x1]);
            region.zip_mut_with(&labels, |v, &l| {
                if l == 0 {
                    *v = 0.0;
                }
            });
        }
        let detection = work.slice(s![b.y0..b.y1, b.x0..b.x1]).to_owned();
        let stars = dao_find(detection.view(), dao_threshold as f64, fwhm);
        if !stars.is_empty() {
            let max_peak = stars.iter().map(|s| s.peak).fold(f32::NEG_INFINITY, f32::max);
            let best = stars.iter().position(|s| s.peak == max_peak).unwrap_or(0);
            let star = &stars[best];
            let mut source = Source {
                x: star.xcentroid,
                y: star.ycentroid,
                flux: star.flux as f64,
                peak: star.peak as f64,
                mag: star.mag as f64,
            };
            let dmax = detection
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, |m, v| if m.is_nan() || v.is_nan() { f32::NAN } else { m.max(v) });
            let limit = dmax * 0.9f32;
            let near_max = detection.iter().filter(|&&v| v > limit).count();
            let saturated = near_max > 3;
            if saturated {
                // saturated: segment centroid and photometry replace the DAO values
                let own =
                    segm.labels.slice(s![b.y0..b.y1, b.x0..b.x1]).mapv(|l| if l == segment.label { l } else { 0 });
                let whole = BoundingBox { y0: 0, y1: rows, x0: 0, x1: cols };
                let props = segment_properties(detection.view(), own.view(), segment.label, whole);
                source.flux = props.segment_flux as f32 as f64;
                source.peak = props.max_value as f32 as f64;
                source.x = props.xcentroid;
                source.y = props.ycentroid;
                source.mag = (-2.5 * props.segment_flux.log10()) as f32 as f64;
            }
            source.x += b.x0 as f64;
            source.y += b.y0 as f64;
            sources.push(Extracted { source, saturated, label: segment.label });
        }
        if sources.len() == nlargest {
            break;
        }
    }
    Ok(Extraction { sources, labels: segm.labels })
}
