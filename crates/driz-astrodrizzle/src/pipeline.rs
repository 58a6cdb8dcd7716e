//! The step chain in AstroDrizzle's order, and the one atomic update of each input file at
//! the end (DQ `resetbits` cleared and cosmic rays flagged, `MDRIZSKY` written).

use crate::config::{Config, FinalUnits};
use crate::cosmic_rays::{BlotResults, CrMask, blot_and_find_cosmic_rays};
use crate::error::{AstroDrizzleError, Result};
use crate::final_drizzle::drizzle_final;
use crate::frames::{default_output_frame, step_frame};
use crate::image::Image;
use crate::input::InputSet;
use crate::intermediate::write_frame_image;
use crate::median::create_median;
use crate::product::write_product;
use crate::progress::Progress;
use crate::separate::{Single, drizzle_separate};
use crate::static_mask::StaticMasks;
use driz_fits::{
    Fits, FitsError, FitsUpdate, FitsWriter, HduKind, PendingUpdate, Pixel, Result as FitsResult, prepare_update,
};
use driz_header::Card;
use driz_wcs::Frame;
use std::path::PathBuf;
use tracing::{info, warn};

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The drizzled product (the first file when `build=False`), if one was written.
    pub product: Option<PathBuf>,
    /// Every file written (products and kept intermediates).
    pub written: Vec<PathBuf>,
    /// Steps switched off by the dependency rules or a failed median.
    pub skipped: Vec<String>,
    /// `(file, chip, MDRIZSKY)` per chip.
    pub sky: Vec<(PathBuf, i64, f64)>,
    /// `(file, chip, pixels flagged)` per chip, when driz_cr ran.
    pub cosmic_rays: Vec<(PathBuf, i64, usize)>,
    /// Inputs dropped by the checks, with the reason.
    pub dropped: Vec<(PathBuf, String)>,
    /// The inputs drizzled, in order.
    pub images: Vec<PathBuf>,
    /// The separate-drizzle frame, when that step ran.
    pub separate_frame: Option<Frame>,
    /// The final-drizzle frame, when that step ran.
    pub final_frame: Option<Frame>,
    /// The separately drizzled SCI images (with `Config::keep_singles`), input order.
    pub singles: Vec<SingleImage>,
}

/// One input drizzled alone onto the separate-drizzle frame.
#[derive(Debug, Clone)]
pub struct SingleImage {
    pub input: PathBuf,
    pub rootname: String,
    /// Primary `EXPTIME` of the input.
    pub exptime: f64,
    pub sci: ndarray::Array2<f32>,
}

/// A separately drizzled SCI image kept for [`Outcome::singles`].
enum KeptSingle {
    Memory(ndarray::Array2<f32>),
    File(PathBuf),
}

/// Run the step chain on `inputs` with `config`.
pub fn run_steps(inputs: &InputSet, mut config: Config, progress: &dyn Progress) -> Result<Outcome> {
    let workdir = config.workdir.clone();
    let mut outcome = Outcome { dropped: inputs.dropped.clone(), ..Outcome::default() };
    if inputs.files.is_empty() {
        let path = workdir.join(&inputs.product);
        write_empty_product(&path, inputs)?;
        warn!("no input can be drizzled; wrote the empty product {}", path.display());
        outcome.product = Some(path.clone());
        outcome.written.push(path);
        return Ok(outcome);
    }
    let mut images = inputs.files.iter().map(|f| Image::load(f, &config)).collect::<Result<Vec<_>>>()?;
    outcome.images = inputs.files.clone();
    let skipped = config.apply_dependencies(images.len());
    for s in &skipped {
        info!("{s}: skipped (a single input image)");
    }
    outcome.skipped.extend(skipped.iter().map(|s| s.to_string()));
    let default_frame = default_output_frame(&images)?;
    info!(
        "output frame {}x{}, {:.6}\"/px, orientation {:.6} deg",
        default_frame.size[0],
        default_frame.size[1],
        default_frame.pscale(),
        default_frame.orientat()
    );
    let resetbits = config.resetbits.filter(|b| *b != 0);
    let steps = config.steps;
    let outroot = {
        let root = inputs.product_root();
        let parts: Vec<&str> = root.split('_').collect();
        parts[..parts.len().saturating_sub(1)].join("_").to_ascii_lowercase()
    };

    // drizzlepac keeps each chip's input weights as `_single_mask`/`_final_mask` files only
    // when it keeps its intermediate files.
    let write_masks = !config.clean && !config.in_memory;
    // Scratch products: removed at the end with `clean`, else reported as written.
    let mut intermediates: Vec<PathBuf> = Vec::new();
    let mut clock = std::time::Instant::now();
    // At the end of each step: its time, and the memory it freed back to the OS.
    let mut step_done = |step: &str| {
        info!("{step}: {:.2} s", clock.elapsed().as_secs_f64());
        driz_heap::release_free_memory();
        clock = std::time::Instant::now();
    };
    step_done("initialization");
    let statics = if steps.static_mask {
        let masks = crate::static_mask::build(&images, config.static_sig, progress)?;
        if !config.in_memory {
            for (sig, m) in &masks.masks {
                let path = workdir.join(StaticMasks::file_name(&outroot, *sig));
                write_frame_image(&path, &driz_header::Header::new(), m.mapv(|g| g as i16).view())?;
                intermediates.push(path);
            }
        }
        Some(masks)
    } else {
        None
    };

    step_done("static mask");
    let mut persist_sky = false;
    if steps.sky {
        let r = crate::sky::subtract_sky(&mut images, &config.sky, statics.as_ref(), resetbits, progress)?;
        persist_sky = r.persist;
    } else {
        // The sky step off: the chips keep the sky their headers carried, as upstream.
        info!("sky: skipped");
    }
    for im in &images {
        for c in &im.chips {
            outcome.sky.push((im.path.clone(), c.extver(), c.subtracted_sky));
        }
    }

    step_done("sky");
    let sep_frame = step_frame(&default_frame, &config.separate.frame, "driz_separate")?;
    let singles = if steps.driz_separate {
        let singles = drizzle_separate(
            &images,
            &sep_frame,
            &config.separate,
            statics.as_ref(),
            resetbits,
            config.in_memory,
            config.stepsize,
            config.band_rows,
            &workdir,
            write_masks,
            progress,
        )?;
        for s in &singles {
            outcome.written.extend(s.mask_files.iter().cloned());
            if let Single::Files { sci, wht } = &s.product {
                intermediates.extend([sci.clone(), wht.clone()]);
            }
        }
        Some(singles)
    } else {
        None
    };

    step_done("driz_separate");
    let median = match (&singles, steps.median) {
        (Some(singles), true) => {
            let m = create_median(&images, singles, &config.median, sep_frame.size, config.proc_unit_native, progress)?;
            if let Some(m) = &m
                && !config.in_memory
            {
                let path = workdir.join(format!("{}_med.fits", inputs.product_root()));
                write_frame_image(&path, &crate::intermediate::frame_header(&sep_frame), m.view())?;
                intermediates.push(path);
            }
            if m.is_none() {
                config.steps.blot = false;
                config.steps.driz_cr = false;
                outcome.skipped.extend(["blot".to_string(), "driz_cr".to_string()]);
            }
            m
        }
        _ => None,
    };

    step_done("median");
    let cr_masks: Option<Vec<Vec<Option<CrMask>>>> = match (&median, config.steps.blot) {
        (Some(median), true) => {
            let cr = config.steps.driz_cr.then_some(&config.driz_cr);
            let BlotResults { masks, intermediates: scratch, cleaned } = blot_and_find_cosmic_rays(
                &images,
                median,
                &sep_frame,
                &config.blot,
                cr,
                config.crbit,
                resetbits,
                config.in_memory,
                config.stepsize,
                config.band_rows,
                &workdir,
                progress,
            )?;
            intermediates.extend(scratch);
            outcome.written.extend(cleaned);
            config.steps.driz_cr.then_some(masks)
        }
        _ => None,
    };
    drop(median);
    // The single SCI images the caller asked for: those in memory keep only their SCI, those
    // in files are read back after the final drizzle, so they do not add to its memory.
    let kept_singles: Option<Vec<KeptSingle>> = match singles {
        Some(singles) if config.keep_singles => Some(
            singles
                .into_iter()
                .map(|s| match s.product {
                    Single::Memory { sci, .. } => KeptSingle::Memory(sci),
                    Single::Files { sci, .. } => KeptSingle::File(sci),
                })
                .collect(),
        ),
        _ => None,
    };
    if steps.driz_separate {
        outcome.separate_frame = Some(sep_frame.clone());
    }
    step_done("blot and driz_cr");
    for (image, per_image) in images.iter().zip(cr_masks.iter().flatten()) {
        for (chip, mask) in image.chips.iter().zip(per_image) {
            if let Some(m) = mask {
                outcome.cosmic_rays.push((image.path.clone(), chip.extver(), m.flagged));
            }
        }
    }

    // Upstream writes the CR flags into the inputs only in the final drizzle.
    let cr_flags = if steps.driz_combine { cr_masks.as_deref() } else { None };
    let prepare = || prepare_input_updates(&images, &config, resetbits, persist_sky, cr_flags);
    let updates = if steps.driz_combine {
        let final_frame = step_frame(&default_frame, &config.final_drizzle.drizzle.frame, "driz_combine")?;
        // The inputs' updates are prepared alongside the final drizzle: each is a copy, an
        // edit and a sync of the file, mostly waiting on the disk, while the drizzle keeps
        // the cores busy. They replace the inputs only once the product is written, so the
        // drizzle reads the inputs as they were, and a failure leaves them untouched.
        let (product, updates) = std::thread::scope(|scope| {
            let updating = scope.spawn(prepare);
            let product = drizzle_final(
                &images,
                &final_frame,
                &config.final_drizzle,
                statics.as_ref(),
                cr_masks.as_deref(),
                resetbits,
                config.stepsize,
                config.band_rows,
                write_masks.then_some(workdir.as_path()),
                progress,
            )
            .and_then(|product| {
                let t0 = std::time::Instant::now();
                let written = write_product(&workdir, &inputs.product, &product, &images, &config, persist_sky)?;
                tracing::debug!("product written in {:.2} s", t0.elapsed().as_secs_f64());
                Ok((product, written))
            });
            (product, updating.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        let (product, written) = product?;
        let updates = updates?;
        outcome.written.extend(product.mask_files.iter().cloned());
        info!(
            "wrote {} ({} chips, EXPTIME {} s, units {})",
            written[0].display(),
            product.chips.len(),
            product.texptime,
            if product.units == FinalUnits::Cps { "cps" } else { "counts" }
        );
        outcome.product = written.first().cloned();
        outcome.written.extend(written);
        outcome.final_frame = Some(final_frame);
        updates
    } else {
        prepare()?
    };
    for update in updates {
        update.commit()?;
    }
    step_done(if steps.driz_combine { "final drizzle and updating the inputs" } else { "updating the inputs" });

    if let Some(kept) = kept_singles {
        outcome.singles = images
            .iter()
            .zip(kept)
            .map(|(image, kept)| {
                let sci = match kept {
                    KeptSingle::Memory(sci) => sci,
                    KeptSingle::File(path) => Fits::open(&path)?.read_image::<f32>(0)?,
                };
                Ok(SingleImage {
                    input: image.path.clone(),
                    rootname: image.rootname.clone(),
                    exptime: image.exptime,
                    sci,
                })
            })
            .collect::<Result<Vec<_>>>()?;
    }
    if config.clean {
        for p in &intermediates {
            std::fs::remove_file(p).map_err(|e| AstroDrizzleError::io(p, e))?;
        }
    } else {
        outcome.written.extend(intermediates);
    }
    Ok(outcome)
}

/// The single atomic update of each input, prepared ([`PendingUpdate::commit`] makes it
/// take effect): DQ with `resetbits` cleared and the CR bit set where driz_cr found cosmic
/// rays; MDRIZSKY in each SCI header; MDRIZSKY removed from the primary header.
fn prepare_input_updates(
    images: &[Image],
    config: &Config,
    resetbits: Option<u32>,
    persist_sky: bool,
    cr_masks: Option<&[Vec<Option<CrMask>>]>,
) -> Result<Vec<PendingUpdate>> {
    let crbit = config.crbit;
    let mut updates = Vec::new();
    for (i, image) in images.iter().enumerate() {
        let flags: &[Option<CrMask>] = cr_masks.and_then(|m| m.get(i)).map_or(&[], |m| m.as_slice());
        let needs_dq = resetbits.is_some() || flags.iter().any(|f| f.is_some());
        let primary_has_sky = image.primary.contains("MDRIZSKY");
        if !needs_dq && !persist_sky && !primary_has_sky {
            continue;
        }
        let ((), update) = prepare_update(&image.path, |u| {
            if primary_has_sky {
                let mut h = u.fits().primary_header().clone();
                h.remove("MDRIZSKY");
                u.set_header(0, &h)?;
            }
            for (k, chip) in image.chips.iter().enumerate() {
                if persist_sky {
                    let mut h = u.fits().hdu(chip.info.sci).header.clone();
                    h.set_with_comment(
                        "MDRIZSKY",
                        crate::sky::mdrizsky_value(chip.subtracted_sky),
                        "Sky value computed by AstroDrizzle",
                    );
                    u.set_header(chip.info.sci, &h)?;
                }
                if !needs_dq {
                    continue;
                }
                let Some(dq_index) = chip.info.dq.filter(|&d| u.fits().hdu(d).image_size() == Some(chip.size())) else {
                    continue;
                };
                // One chip's CR mask and DQ at a time, the DQ in its own 16-bit type when
                // the bits fit: this runs alongside the final drizzle, so its memory adds
                // to that step's peak.
                let good = match flags.get(k).and_then(Option::as_ref) {
                    Some(mask) => {
                        let loaded = mask.load();
                        Some(loaded.map_err(|e| FitsError::invalid(&image.path, "", e.to_string()))?)
                    }
                    None => None,
                };
                let (reset, good) = (resetbits.unwrap_or(0), good.as_ref());
                let bits = reset | u32::from(crbit);
                match u.fits().hdu(dq_index).kind {
                    HduKind::Image { bitpix: 20, .. } if u16::try_from(bits).is_ok() => {
                        flag_dq(u, dq_index, reset as u16, crbit, good)?
                    }
                    HduKind::Image { bitpix: 16, .. } if i16::try_from(bits).is_ok() => {
                        flag_dq(u, dq_index, reset as i16, crbit as i16, good)?
                    }
                    _ => flag_dq(u, dq_index, reset as i32, i32::from(crbit), good)?,
                }
            }
            Ok(())
        })?;
        updates.push(update);
    }
    Ok(updates)
}

/// Clear `reset` in DQ image `index` and set `crbit` where `good` is false, in the
/// integer type `T` the DQ is read and written as.
fn flag_dq<T>(
    u: &mut FitsUpdate,
    index: usize,
    reset: T,
    crbit: T,
    good: Option<&ndarray::Array2<bool>>,
) -> FitsResult<()>
where
    T: Pixel + std::ops::BitAnd<Output = T> + std::ops::BitOr<Output = T> + std::ops::Not<Output = T>,
{
    let mut dq = u.fits().read_image::<T>(index)?;
    let keep = !reset;
    dq.mapv_inplace(|v| v & keep);
    if let Some(good) = good {
        dq.zip_mut_with(good, |q, &g| {
            if !g {
                *q = *q | crbit;
            }
        });
    }
    u.write_image(index, dq.view())
}

/// drizzlepac's `buildEmptyDRZ`: a product with the first input's primary header and
/// empty SCI/WHT/CTX extensions, when every input was dropped.
fn write_empty_product(path: &std::path::Path, inputs: &InputSet) -> Result<()> {
    let mut primary = match inputs.dropped.first() {
        Some((f, _)) => Fits::open(f)?.primary_header().clone(),
        None => driz_header::Header::new(),
    };
    primary.set_with_comment("NEXTEND", 3, "Number of standard extensions");
    primary.set_with_comment("FILENAME", inputs.product.as_str(), "name of file");
    primary.set_with_comment("EXPTIME", 0.0, "exposure duration (seconds)--calculated");
    primary.set_with_comment("TEXPTIME", 0.0, "total exposure time");
    primary.set_with_comment("NDRIZIM", 0, "Drizzle, number of images drizzled onto this output");
    let mut w = FitsWriter::create(path)?;
    w.primary(&primary)?;
    for name in ["SCI", "WHT", "CTX"] {
        let mut h = driz_header::Header::new();
        h.append(Card::new("EXTNAME", name, "extension name"));
        h.append(Card::new("EXTVER", 1, "extension value"));
        w.header_only(&h)?;
    }
    w.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use driz_fits::update_file;
    use ndarray::Array2;

    /// The DQ flags as the i32 arithmetic gives them, in each type a DQ is stored as: the
    /// reset bits cleared, the CR bit set where the mask is false, every other bit kept
    /// (the high bit of unsigned and signed 16-bit DQ too).
    #[test]
    fn dq_flags_are_the_same_in_every_storage_type() {
        let dir = tempfile::tempdir().unwrap();
        let values: Vec<i32> = vec![0, 1, 4096, 4096 | 16, 8192, 16384 | 4096 | 1, 32767, 2];
        let good = Array2::from_shape_vec((2, 4), vec![true, false, true, false, true, true, false, false]).unwrap();
        let (reset, crbit) = (4096u32, 4096u16);
        let want: Vec<i32> = values
            .iter()
            .zip(good.iter())
            .map(|(&v, &g)| (v & !(reset as i32)) | if g { 0 } else { i32::from(crbit) })
            .collect();
        let hdu = |name: &str| {
            let mut h = driz_header::Header::new();
            h.append(Card::new("EXTNAME", name, ""));
            h
        };
        let path = dir.path().join("dq.fits");
        let mut w = FitsWriter::create(&path).unwrap();
        w.image(&hdu("I16"), Array2::from_shape_fn((2, 4), |(y, x)| values[4 * y + x] as i16).view()).unwrap();
        // The top bit of unsigned DQ, beyond i16.
        w.image(&hdu("U16"), Array2::from_shape_fn((2, 4), |(y, x)| values[4 * y + x] as u16 | 32768).view()).unwrap();
        w.image(&hdu("I32"), Array2::from_shape_fn((2, 4), |(y, x)| values[4 * y + x] | 65536).view()).unwrap();
        w.finish().unwrap();
        update_file(&path, |u| {
            assert!(matches!(u.fits().hdu(1).kind, HduKind::Image { bitpix: 16, .. }));
            assert!(matches!(u.fits().hdu(2).kind, HduKind::Image { bitpix: 20, .. }));
            flag_dq(u, 1, reset as i16, crbit as i16, Some(&good))?;
            flag_dq(u, 2, reset as u16, crbit, Some(&good))?;
            flag_dq(u, 3, reset as i32, i32::from(crbit), Some(&good))
        })
        .unwrap();
        let mut f = Fits::open(&path).unwrap();
        let read = |f: &mut Fits, i: usize| f.read_image::<i32>(i).unwrap().into_iter().collect::<Vec<_>>();
        assert_eq!(read(&mut f, 1), want);
        assert_eq!(read(&mut f, 2), want.iter().map(|v| v | 32768).collect::<Vec<_>>());
        assert_eq!(read(&mut f, 3), want.iter().map(|v| v | 65536).collect::<Vec<_>>());
    }
}
