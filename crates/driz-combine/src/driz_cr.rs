//! driz_cr's cosmic-ray mask for one chip (`drizzlepac/drizCR.py` `_driz_cr`, spec §8).
//!
//! Float types follow numpy: the chip and its blot stay float32 after `*= cf` (a Python
//! float scalar is rounded to float32 and the product is float32), and every term of the
//! two tests is float32 for the same reason; only the derivative is formed in float64
//! before its cast back to float32.

use ndarray::{Array2, ArrayView2};

use crate::qderiv::derivative_row;
use crate::rows::{RowMajor, par_bands};
use crate::symm_window::{all_in_window, same_window};

/// `driz_cr_snr` (snr1, snr2), `driz_cr_scale` (mult1, mult2), `driz_cr_grow`,
/// `driz_cr_ctegrow`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrParams {
    pub snr1: f64,
    pub snr2: f64,
    pub mult1: f64,
    pub mult2: f64,
    /// Side of the square grow box. 1 does not grow; 0 (an empty kernel upstream) clears
    /// every CR except those of the CTE tail test.
    pub grow: usize,
    /// Length of the CTE tail; 0 = none.
    pub ctegrow: usize,
}

impl Default for CrParams {
    /// AstroDrizzle's defaults ("3.5 3.0", "1.2 0.7", grow 1, ctegrow 0).
    fn default() -> Self {
        CrParams { snr1: 3.5, snr2: 3.0, mult1: 1.2, mult2: 0.7, grow: 1, ctegrow: 0 }
    }
}

/// One chip: its SCI and its blotted median, both in the input's data units with the sky
/// included, and the chip's scalars.
#[derive(Debug, Clone, Copy)]
pub struct CrChip<'a> {
    pub sci: ArrayView2<'a, f32>,
    pub blot: ArrayView2<'a, f32>,
    /// `_conversionFactor` (cf): data units → electrons.
    pub conversion: f64,
    /// `_effGain` (1 except WFPC2).
    pub gain: f64,
    pub readnoise: f64,
    /// MDRIZSKY in data units.
    pub subtracted_sky: f64,
    /// Readout direction: +1, −1, or 0 (no CTE direction).
    pub cte_dir: i32,
}

const LOOSE_TEST_PASSED: u8 = 1;
const TIGHT_TEST_PASSED: u8 = 2;

/// The crmask image: 1 = good, 0 = cosmic ray.
///
/// A pixel is a CR when it fails the tight test and some pixel of its 3×3 neighbourhood
/// fails the loose one; the grow box and the CTE tail then spread CRs (see
/// `symm_window`). Upstream behaviour kept: with `grow == 0` the grow test passes every
/// pixel (empty kernel), and with `ctegrow > 0` and `cte_dir == 0` the tail kernel is all
/// zeros, so every pixel is flagged.
///
/// # Panics
/// If `sci` and `blot` differ in shape.
pub fn cr_mask(chip: &CrChip, params: &CrParams) -> Array2<u8> {
    let (rows, cols) = chip.sci.dim();
    assert_eq!(chip.blot.dim(), (rows, cols), "blot shape differs from science shape");
    let tests = pixel_tests(chip, params, rows, cols);

    let loose: Vec<bool> = tests.iter().map(|&t| t & LOOSE_TEST_PASSED != 0).collect();
    let neighbourhood_ok = all_in_window(&loose, rows, cols, same_window(3), same_window(3));
    drop(loose);
    let good: Vec<bool> =
        tests.iter().zip(&neighbourhood_ok).map(|(&t, &around)| t & TIGHT_TEST_PASSED != 0 || around).collect();
    drop(neighbourhood_ok);

    let grown = match params.grow {
        // An empty kernel: scipy returns zeros, and 0 >= 0 keeps every pixel.
        0 => GrowResult::AllGood,
        1 => GrowResult::Unchanged,
        g => GrowResult::Window(all_in_window(&good, rows, cols, same_window(g), same_window(g))),
    };
    let tail = cte_tail_offsets(params.ctegrow, chip.cte_dir);
    let cte_ok = match &tail {
        CteTail::None => None,
        CteTail::FlagsEverything => Some(vec![false; good.len()]),
        CteTail::Rows(offsets) => Some(all_in_window(&good, rows, cols, offsets.clone(), 0..=0)),
    };

    let mut out = vec![0u8; rows * cols];
    for (i, value) in out.iter_mut().enumerate() {
        let grow_ok = match &grown {
            GrowResult::AllGood => true,
            GrowResult::Unchanged => good[i],
            GrowResult::Window(window_ok) => window_ok[i],
        };
        let tail_ok = cte_ok.as_ref().is_none_or(|t| t[i]);
        *value = u8::from(grow_ok && tail_ok);
    }
    Array2::from_shape_vec((rows, cols), out).expect("rows × cols elements")
}

/// Both per-pixel tests, as bits: |I − B| ≤ mult·D + snr·ta/gain with
/// ta = √(gain·|B + bg| + rn²). bg is MDRIZSKY in electrons added to a blot that already
/// contains the sky (upstream behaviour).
fn pixel_tests(chip: &CrChip, params: &CrParams, rows: usize, cols: usize) -> Vec<u8> {
    let sci = RowMajor::new(chip.sci);
    let blot = RowMajor::new(chip.blot);
    let cf = chip.conversion as f32;
    let background = (chip.subtracted_sky * chip.conversion) as f32;
    let gain = chip.gain as f32;
    let readnoise_sq = (chip.readnoise * chip.readnoise) as f32;
    let (mult1, mult2) = (params.mult1 as f32, params.mult2 as f32);
    let (snr1, snr2) = (params.snr1 as f32, params.snr2 as f32);

    // The blot in electrons, as `blot_data *= cf` leaves it (float32).
    let mut model = vec![0.0f32; rows * cols];
    par_bands(&mut model, cols, |first_row, band| {
        for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
            for (m, &b) in out_row.iter_mut().zip(blot.row(r)) {
                *m = b * cf;
            }
        }
    });
    let model_row = |r: usize| &model[r * cols..][..cols];

    let mut tests = vec![0u8; rows * cols];
    par_bands(&mut tests, cols, |first_row, band| {
        let mut derivative = vec![0.0f32; cols];
        for (r, out_row) in (first_row..).zip(band.chunks_mut(cols)) {
            let (above, below) = (model_row(r.saturating_sub(1)), model_row((r + 1).min(rows - 1)));
            derivative_row(above, model_row(r), below, r, rows, &mut derivative);
            for (((out, &m), &s), &d) in out_row.iter_mut().zip(model_row(r)).zip(sci.row(r)).zip(&derivative) {
                let residual = (s * cf - m).abs();
                let noise = (gain * (m + background).abs() + readnoise_sq).sqrt();
                let loose = residual <= mult1 * d + snr1 * noise / gain;
                let tight = residual <= mult2 * d + snr2 * noise / gain;
                *out = u8::from(loose) * LOOSE_TEST_PASSED + u8::from(tight) * TIGHT_TEST_PASSED;
            }
        }
    });
    tests
}

enum GrowResult {
    AllGood,
    Unchanged,
    Window(Vec<bool>),
}

enum CteTail {
    None,
    /// ctegrow > 0 with no readout direction: the all-zero kernel never reaches ctegrow.
    FlagsEverything,
    /// Rows (relative to the pixel) that must all be good.
    Rows(std::ops::RangeInclusive<isize>),
}

/// The tail kernel is column `ctegrow` of a (2c+1)² array, ones in rows 0..c for
/// cte_dir = +1 or c+1..=2c for −1. Convolution flips it, so +1 needs the c rows after the
/// pixel to be good (a CR also flags the c rows before it) and −1 the c rows before.
fn cte_tail_offsets(ctegrow: usize, cte_dir: i32) -> CteTail {
    let c = ctegrow as isize;
    match (ctegrow, cte_dir) {
        (0, _) => CteTail::None,
        (_, 1) => CteTail::Rows(1..=c),
        (_, -1) => CteTail::Rows(-c..=-1),
        _ => CteTail::FlagsEverything,
    }
}
