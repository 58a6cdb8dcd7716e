//! Step 1, the static mask: pixels far below the sky in any exposure (bad darks) are
//! masked for every exposure that shares the chip's signature (size and chip number).

use crate::concurrency::{items_at_once, map_limited};
use crate::error::Result;
use crate::image::Image;
use crate::pixels::read_sci;
use crate::progress::Progress;
use driz_combine::{apply_static_mask, static_mask_stats};
use ndarray::Array2;
use std::collections::BTreeMap;
use tracing::{info, warn};

/// Chips share a static mask when they have the same size and chip number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signature {
    pub nx: usize,
    pub ny: usize,
    pub extver: i64,
}

/// The static masks of a run, `true` = good.
#[derive(Debug, Default)]
pub struct StaticMasks {
    pub masks: BTreeMap<Signature, Array2<bool>>,
}

impl StaticMasks {
    pub fn get(&self, sig: Signature) -> Option<&Array2<bool>> {
        self.masks.get(&sig)
    }

    /// `<outroot>_<NAXIS2>x<NAXIS1>_<chip>_staticMask.fits`, as drizzlepac names it.
    pub fn file_name(outroot: &str, sig: Signature) -> String {
        format!("{outroot}_{}x{}_{}_staticMask.fits", sig.ny, sig.nx, sig.extver)
    }
}

pub fn signature(chip: &crate::image::Chip) -> Signature {
    let [nx, ny] = chip.size();
    Signature { nx, ny, extver: chip.extver() }
}

pub fn build(images: &[Image], static_sig: f32, progress: &dyn Progress) -> Result<StaticMasks> {
    let chips: Vec<_> = images.iter().flat_map(|im| im.chips.iter()).collect();
    progress.start("static mask", chips.len() as u64);
    // Each chip's clipped statistics and its own mask in parallel; the shared masks are
    // their AND, which does not depend on the order.
    let per_chip =
        map_limited(&chips, items_at_once(chips.first().map_or(0, |c| c.size()[0] * c.size()[1] * 9)), |chip| {
            let sci = read_sci(chip)?;
            let values: std::borrow::Cow<[f32]> = match sci.as_slice() {
                Some(row_major) => row_major.into(),
                None => sci.iter().copied().collect::<Vec<_>>().into(),
            };
            let mut own = Array2::from_elem(sci.dim(), true);
            match static_mask_stats(&values) {
                Some(stats) if stats.usable => {
                    info!("{}: static mask mode {} sigma {}", chip.label(), stats.mode, stats.sigma);
                    apply_static_mask(sci.view(), &stats, static_sig, &mut own);
                }
                _ => warn!("{}: too few distinct values for the static mask statistics; chip not masked", chip.label()),
            }
            progress.advance(1);
            Ok::<_, crate::error::AstroDrizzleError>((signature(chip), own))
        })?;
    let mut masks = StaticMasks::default();
    for (sig, own) in per_chip {
        match masks.masks.get_mut(&sig) {
            Some(m) => m.zip_mut_with(&own, |a, &b| *a &= b),
            None => {
                masks.masks.insert(sig, own);
            }
        }
    }
    progress.finish();
    for (sig, m) in &masks.masks {
        let bad = m.iter().filter(|g| !**g).count();
        info!("static mask {}x{} chip {}: {bad} pixels masked", sig.ny, sig.nx, sig.extver);
    }
    Ok(masks)
}
