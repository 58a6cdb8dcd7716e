//! Steps 5 and 6, blot and driz_cr: the median blotted back onto every chip through its
//! distortion (`_blt`), compared with the chip to find cosmic rays (`_crmask`, 1 = good).

use crate::concurrency::{items_at_once, map_limited};
use crate::config::{BlotConfig, CrConfig};
use crate::error::{AstroDrizzleError, Result};
use crate::image::{Chip, Image};
use crate::intermediate::write_frame_image;
use crate::pixels::read_sci;
use crate::progress::Progress;
use driz_combine::{CrChip, cr_mask};
use driz_fits::Fits;
use driz_header::Header;
use driz_kernels::{PixelMap, blot};
use driz_wcs::{Frame, HstWcs};
use ndarray::Array2;
use std::path::{Path, PathBuf};
use tracing::info;

/// A chip's cosmic-ray mask, kept in memory or in its `_crmask` file, and how many
/// pixels it flags.
#[derive(Debug)]
pub struct CrMask {
    pub flagged: usize,
    store: MaskStore,
}

#[derive(Debug)]
enum MaskStore {
    Memory(Array2<bool>),
    File(PathBuf),
}

impl CrMask {
    /// `true` = good.
    pub fn load(&self) -> Result<Array2<bool>> {
        match &self.store {
            MaskStore::Memory(m) => Ok(m.clone()),
            MaskStore::File(p) => {
                let mut f = Fits::open(p)?;
                Ok(f.read_image::<u8>(0)?.mapv(|v| v != 0))
            }
        }
    }
}

/// What blot and driz_cr produced: one mask per chip (image order, then chip order) when
/// driz_cr ran, the intermediate files (`_blt`, `_crmask`) and the `_crclean` copies.
#[derive(Debug, Default)]
pub struct BlotResults {
    pub masks: Vec<Vec<Option<CrMask>>>,
    pub intermediates: Vec<PathBuf>,
    pub cleaned: Vec<PathBuf>,
}

/// Blot the median onto a chip: count rate → the chip's units, sky added back. Each
/// output pixel depends only on its own map entry, so the map is made `band_rows` rows at
/// a time (0: all at once) with the same result.
pub fn blot_chip(
    median: &Array2<f32>,
    frame: &Frame,
    chip: &Chip,
    config: &BlotConfig,
    stepsize: usize,
    band_rows: usize,
) -> Result<Array2<f32>> {
    let [nx, ny] = chip.size();
    let output = HstWcs::undistorted(frame.wcs.clone());
    let pix_ratio = frame.pscale() / chip.blot_scale;
    let iscale = (chip.exptime() / (pix_ratio * pix_ratio)) as f32;
    let band_rows = if band_rows == 0 { ny.max(1) } else { band_rows };
    let mut out = Array2::<f32>::zeros((ny, nx));
    for start in (0..ny).step_by(band_rows) {
        let end = (start + band_rows).min(ny);
        let mut xy = driz_wcs::pixel_map_rows(chip.wcs(), &output, nx, ny, stepsize, start..end);
        // Points that cannot be mapped are outside the median: they get the missing value.
        for p in xy.iter_mut() {
            if p[0].is_nan() || p[1].is_nan() {
                *p = [-1.0e9, -1.0e9];
            }
        }
        let map = PixelMap::new(nx, end - start, &xy)
            .map_err(|cause| AstroDrizzleError::Kernel { context: chip.label(), cause })?;
        let band = blot(median.view(), &map, config.interp, iscale, 0.0).map_err(|cause| {
            AstroDrizzleError::Kernel { context: format!("blotting the median onto {}", chip.label()), cause }
        })?;
        out.slice_mut(ndarray::s![start..end, ..]).assign(&band);
    }
    let conversion = chip.conversion as f32;
    let sky = if config.addsky { chip.computed_sky.unwrap_or(0.0) } else { config.skyval } as f32;
    if conversion != 1.0 || sky != 0.0 {
        out.mapv_inplace(|v| v / conversion + sky);
    }
    Ok(out)
}

/// Blot the median onto every chip and, when `cr` is given, find the cosmic rays.
#[allow(clippy::too_many_arguments)]
pub fn blot_and_find_cosmic_rays(
    images: &[Image],
    median: &Array2<f32>,
    frame: &Frame,
    blot_config: &BlotConfig,
    cr: Option<&CrConfig>,
    crbit: u16,
    resetbits: Option<u32>,
    in_memory: bool,
    stepsize: usize,
    band_rows: usize,
    workdir: &Path,
    progress: &dyn Progress,
) -> Result<BlotResults> {
    let chips: Vec<(usize, &Chip, &Image)> =
        images.iter().enumerate().flat_map(|(i, im)| im.chips.iter().map(move |c| (i, c, im))).collect();
    progress.start(if cr.is_some() { "blot + driz_cr" } else { "blot" }, chips.len() as u64);
    // Pixel map, blotted image, chip and the CR test's work arrays.
    let largest = chips.iter().map(|(_, c, _)| c.size()[0] * c.size()[1]).max().unwrap_or(0);
    type Cleaned = Option<(Array2<f32>, Array2<i16>)>;
    let results: Vec<(usize, Option<CrMask>, Cleaned, Vec<PathBuf>)> = map_limited(
        &chips,
        items_at_once(largest * 40),
        |(i, chip, image)| -> Result<(usize, Option<CrMask>, Cleaned, Vec<PathBuf>)> {
            let t0 = std::time::Instant::now();
            let blotted = blot_chip(median, frame, chip, blot_config, stepsize, band_rows)?;
            tracing::debug!("{}: blot {:.2} s", chip.label(), t0.elapsed().as_secs_f64());
            let header = if in_memory { None } else { Some(chip_header(chip)?) };
            let mut written = Vec::new();
            if let Some(h) = &header {
                let path = workdir.join(format!("{}_sci{}_blt.fits", image.rootname, chip.extver()));
                write_frame_image(&path, h, blotted.view())?;
                written.push(path);
            }
            let mut cleaned = None;
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
                    if cr.corr {
                        cleaned = Some(cleaned_chip(chip, &sci, &blotted, &mask, crbit, resetbits)?);
                    }
                    let flagged = mask.iter().filter(|v| **v == 0).count();
                    info!("{}: {flagged} pixels flagged as cosmic rays", chip.label());
                    let store = match &header {
                        None => MaskStore::Memory(mask.mapv(|v| v != 0)),
                        Some(h) => {
                            let path = workdir.join(format!("{}_sci{}_crmask.fits", image.rootname, chip.extver()));
                            write_frame_image(&path, h, mask.view())?;
                            written.push(path.clone());
                            MaskStore::File(path)
                        }
                    };
                    Some(CrMask { flagged, store })
                }
            };
            progress.advance(1);
            Ok((*i, mask, cleaned, written))
        },
    )?;
    progress.finish();
    let mut out = BlotResults { masks: images.iter().map(|_| Vec::new()).collect(), ..BlotResults::default() };
    let mut cleaned: Vec<Vec<(Array2<f32>, Array2<i16>)>> = images.iter().map(|_| Vec::new()).collect();
    for (i, m, c, written) in results {
        out.masks[i].push(m);
        out.intermediates.extend(written);
        if let Some(c) = c {
            cleaned[i].push(c);
        }
    }
    for (image, chips) in images.iter().zip(cleaned) {
        if !chips.is_empty() {
            out.cleaned.push(write_cleaned(image, &chips, workdir)?);
        }
    }
    Ok(out)
}

/// Header of a chip-shaped intermediate: the chip's own WCS keywords.
fn chip_header(chip: &Chip) -> Result<Header> {
    let fits = Fits::open(&chip.info.path)?;
    let sci = &fits.hdu(chip.info.sci).header;
    let mut h = Header::new();
    for card in sci.cards() {
        if !driz_fits::is_structural(&card.keyword)
            && !card.keyword.is_empty()
            && card.keyword != "EXTNAME"
            && card.keyword != "EXTVER"
        {
            h.append(card.clone());
        }
    }
    Ok(h)
}

/// `driz_cr_corr`: the chip with cosmic rays (and other bad pixels) replaced by the
/// blotted median, and its DQ reduced to the CR flags of the same test.
fn cleaned_chip(
    chip: &Chip,
    sci: &Array2<f32>,
    blotted: &Array2<f32>,
    good: &Array2<u8>,
    crbit: u16,
    resetbits: Option<u32>,
) -> Result<(Array2<f32>, Array2<i16>)> {
    let dq = crate::pixels::read_dq(chip, resetbits)?;
    let dq_good = crate::pixels::good_mask(dq.as_ref(), Some(crbit as u32), chip.size());
    let mut clean = sci.clone();
    let mut flags = Array2::<i16>::zeros(sci.dim());
    ndarray::Zip::from(&mut clean).and(&mut flags).and(blotted).and(&dq_good).and(good).for_each(|c, f, &b, &d, &g| {
        if !(d && g != 0) {
            *c = b;
            *f = crbit as i16;
        }
    });
    Ok((clean, flags))
}

/// `<root>_crclean.fits`: a copy of the input with the cleaned SCI (and DQ) arrays.
fn write_cleaned(image: &Image, chips: &[(Array2<f32>, Array2<i16>)], workdir: &Path) -> Result<PathBuf> {
    let path = workdir.join(format!("{}_crclean.fits", image.rootname));
    std::fs::copy(&image.path, &path).map_err(|e| AstroDrizzleError::io(&path, e))?;
    driz_fits::update_file(&path, |u| {
        for (chip, (clean, flags)) in image.chips.iter().zip(chips) {
            u.write_image(chip.info.sci, clean.view())?;
            if let Some(dq) = chip.info.dq.filter(|&d| u.fits().hdu(d).image_size() == Some(chip.size())) {
                u.write_image(dq, flags.view())?;
            }
        }
        Ok(())
    })?;
    Ok(path)
}
