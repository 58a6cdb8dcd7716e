//! The median step's combination of the single-drizzled images (spec Part 2 §6.2/§6.3):
//! parameters, input stack, and the dispatch to numcombine or minmed.
//!
//! `combine` works on one row section of the single frame (all images the same shape),
//! like `createMedian._median`, which calls `min_med` / `num_combine` on sections with an
//! overlap of `grow` rows on each side and keeps only the rows at least `grow` away from
//! a cut. Rows of a section that are at least `grow` rows from its first and last row
//! (or at a true frame edge) equal those of a call on the whole frame, so sectioning with
//! that overlap and cropping reproduces the full-frame result exactly. Only minmed's grow
//! window reaches across rows; every other type is row-local.

use std::str::FromStr;

use ndarray::{Array2, ArrayView2};

use crate::UnknownName;
use crate::minmed::{MinmedStack, minmed_band};
use crate::numcombine::{PixelStack, Reduction, combine_pixel};
use crate::python_float::python_float;
use crate::rows::{RowMajor, par_bands};

/// AstroDrizzle's `combine_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CombineType {
    Median,
    IMedian,
    Mean,
    IMean,
    IAverage,
    Minmed,
    IMinmed,
}

impl FromStr for CombineType {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "median" => Ok(CombineType::Median),
            "imedian" => Ok(CombineType::IMedian),
            "mean" => Ok(CombineType::Mean),
            "imean" => Ok(CombineType::IMean),
            "iaverage" => Ok(CombineType::IAverage),
            "minmed" => Ok(CombineType::Minmed),
            "iminmed" => Ok(CombineType::IMinmed),
            _ => Err(UnknownName {
                what: "combine_type",
                name: s.to_string(),
                expected: "median, imedian, mean, imean, iaverage, minmed, iminmed",
            }),
        }
    }
}

impl CombineType {
    pub fn is_minmed(self) -> bool {
        matches!(self, CombineType::Minmed | CombineType::IMinmed)
    }

    /// The "i" variants fill pixels with no good value from the first non-zero input.
    pub fn fills_empty_pixels(self) -> bool {
        matches!(self, CombineType::IMedian | CombineType::IMean | CombineType::IAverage | CombineType::IMinmed)
    }
}

/// `combine_type`, `combine_nlow`, `combine_nhigh`, `combine_nsigma` and `combine_grow`.
/// nlow/nhigh apply to the numcombine types only, nsigma and grow to minmed only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CombineParams {
    pub kind: CombineType,
    pub nlow: usize,
    pub nhigh: usize,
    pub nsigma1: f32,
    pub nsigma2: f32,
    /// minmed's box half-width (the box is 2·grow+1 pixels wide). The reference raises when
    /// the box is taller than the section; createMedian reduces grow first (see
    /// [`crate::plan_sections`]), and `combine` simply computes with the zero-filled box.
    pub grow: usize,
}

impl Default for CombineParams {
    /// AstroDrizzle's defaults (`minmed`, nlow 0, nhigh 0, nsigma "4 3", grow 1).
    fn default() -> Self {
        CombineParams { kind: CombineType::Minmed, nlow: 0, nhigh: 0, nsigma1: 4.0, nsigma2: 3.0, grow: 1 }
    }
}

impl CombineParams {
    /// The reference aborts the median step ("Rejecting all pixels…") for this stack size:
    /// numcombine when images − nlow − nhigh < 1, minmed with a single image (its inner
    /// median drops the highest value).
    pub fn rejects_all_pixels(&self, n_images: usize) -> bool {
        if self.kind.is_minmed() { n_images < 2 } else { n_images < 1 + self.nlow + self.nhigh }
    }
}

/// One single-drizzled image (a row section of it) and its scalars (spec §6.1).
#[derive(Debug, Clone, Copy)]
pub struct StackImage<'a> {
    /// Count rate, sky-subtracted.
    pub sci: ArrayView2<'a, f32>,
    /// Single-drizzle weight.
    pub wht: ArrayView2<'a, f32>,
    /// true = not used (`median_newmasks`: WHT below maskpt × mean WHT, plus lthresh/hthresh).
    pub bad: ArrayView2<'a, bool>,
    pub exptime: f64,
    pub readnoise: f64,
    /// Sky in electrons.
    pub background: f64,
}

/// Combine the stack as `createMedian` does with `median_newmasks=True` (masks passed).
///
/// # Panics
/// If the stack is empty, the shapes differ, or [`CombineParams::rejects_all_pixels`].
pub fn combine(stack: &[StackImage], params: &CombineParams) -> Array2<f32> {
    combine_stack(stack, params, true)
}

/// Combine the stack as `createMedian` does with `median_newmasks=False`: no masks are
/// passed, so `bad` is ignored (it may be an empty view). This is not the same as all-false
/// masks: minmed's minimum then propagates NaN, its read-noise term is float32, and the
/// i-variants never fill.
///
/// # Panics
/// As [`combine`].
pub fn combine_unmasked(stack: &[StackImage], params: &CombineParams) -> Array2<f32> {
    combine_stack(stack, params, false)
}

fn combine_stack(stack: &[StackImage], params: &CombineParams, masked: bool) -> Array2<f32> {
    let first = stack.first().expect("combine needs at least one image");
    let (rows, cols) = first.sci.dim();
    for image in stack {
        assert_eq!(image.sci.dim(), (rows, cols), "all images of the stack must have the same shape");
        if params.kind.is_minmed() {
            assert_eq!(image.wht.dim(), (rows, cols), "weight shape differs from science shape");
        }
        if masked {
            assert_eq!(image.bad.dim(), (rows, cols), "mask shape differs from science shape");
        }
    }
    assert!(
        !params.rejects_all_pixels(stack.len()),
        "Rejecting all pixels: {} images with nlow={} nhigh={} ({:?})",
        stack.len(),
        params.nlow,
        params.nhigh,
        params.kind
    );

    let sci: Vec<RowMajor<f32>> = stack.iter().map(|image| RowMajor::new(image.sci)).collect();
    let bad: Option<Vec<RowMajor<bool>>> = masked.then(|| stack.iter().map(|image| RowMajor::new(image.bad)).collect());
    let mut out = vec![0.0f32; rows * cols];
    let fill = params.kind.fills_empty_pixels();

    if params.kind.is_minmed() {
        let minmed = MinmedStack {
            sci: &sci,
            wht: &stack.iter().map(|image| RowMajor::new(image.wht)).collect::<Vec<_>>(),
            bad: bad.as_deref(),
            sky_rate: stack.iter().map(|image| image.background / image.exptime).collect(),
            readnoise_sq: stack.iter().map(|image| image.readnoise * image.readnoise).collect(),
            nsigma1: python_float(params.nsigma1),
            nsigma2: python_float(params.nsigma2),
            grow: params.grow,
            fill,
            rows,
            cols,
        };
        par_bands(&mut out, cols, |first_row, band| minmed_band(&minmed, first_row, band));
    } else {
        let reduction = match params.kind {
            CombineType::Median | CombineType::IMedian => Reduction::Median,
            _ => Reduction::Average,
        };
        let n = stack.len();
        par_bands(&mut out, cols, |first_row, band| {
            // Pixel-major copies of a row: values[c·n + i] is image i at column c.
            let mut values = vec![0.0f32; n * cols];
            let mut flags = vec![false; n * cols];
            let mut sorted = vec![0.0f64; n];
            for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
                for (i, image) in sci.iter().enumerate() {
                    for (pixel, &v) in values.chunks_exact_mut(n).zip(image.row(r)) {
                        pixel[i] = v;
                    }
                }
                if let Some(bad) = &bad {
                    for (i, image) in bad.iter().enumerate() {
                        for (pixel, &b) in flags.chunks_exact_mut(n).zip(image.row(r)) {
                            pixel[i] = b;
                        }
                    }
                }
                for (c, out_value) in out_row.iter_mut().enumerate() {
                    let pixel = PixelStack {
                        values: &values[c * n..][..n],
                        bad: bad.as_ref().map(|_| &flags[c * n..][..n]),
                        fill: fill && (c == 0 || n == 1),
                    };
                    *out_value = combine_pixel(&pixel, reduction, params.nlow, params.nhigh, &mut sorted) as f32;
                }
            }
        });
    }
    Array2::from_shape_vec((rows, cols), out).expect("rows × cols elements")
}
