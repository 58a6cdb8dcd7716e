//! From parameters to a run configuration: the precedence astrodrizzle defaults <
//! MDRIZTAB row < the user's file < the user's `name=value` settings, then the parameter
//! values parsed into the step settings (`Config`).

use crate::config::*;
use crate::error::{AstroDrizzleError, Result};
use crate::input::InputSet;
use driz_combine::{CombineParams, CombineType, CrParams, SkyStat, SkyStatConfig};
use driz_fits::Fits;
use driz_kernels::{Interp, Kernel};
use driz_params::{AstroDrizzleParams, ParamValue, filter_string, read_mdriztab, select_row};
use driz_wcs::FrameOverrides;
use std::path::{Path, PathBuf};
use tracing::info;

/// The user's parameters: a TOML/JSON file, then `name=value` settings.
#[derive(Debug, Clone, Default)]
pub struct UserParams {
    pub file: Option<PathBuf>,
    pub settings: Vec<(String, String)>,
    /// Use the MDRIZTAB named by the inputs when it exists, unless the user set
    /// `mdriztab` (the command line's default, like the pipeline).
    pub prefer_mdriztab: bool,
}

impl UserParams {
    /// `base` with the user's parameters applied on top; returns the names given.
    fn apply(&self, base: &mut AstroDrizzleParams) -> Result<Vec<String>> {
        let mut names = Vec::new();
        if let Some(f) = &self.file {
            names.extend(base.apply_file(f)?.into_iter().map(str::to_string));
        }
        for (name, value) in &self.settings {
            base.set(name, value)?;
            names.push(name.clone());
        }
        Ok(names)
    }

    /// The parameters as AstroDrizzle merges them: defaults, the user's, the custom-WCS
    /// switches turned on by any parameter of their section, then (with a table row) the
    /// MDRIZTAB row and the user's parameters once more.
    pub fn resolve_with(&self, row: Option<&driz_params::MdriztabRow>) -> Result<AstroDrizzleParams> {
        let mut p = AstroDrizzleParams::default();
        let names = self.apply(&mut p)?;
        for (section, switch) in [
            ("STEP 3a: CUSTOM WCS FOR SEPARATE OUTPUTS", "driz_sep_wcs"),
            ("STEP 7a: CUSTOM WCS FOR FINAL OUTPUT", "final_wcs"),
        ] {
            let named = names.iter().filter_map(|n| AstroDrizzleParams::lookup(n));
            if named.into_iter().any(|info| info.section == section && info.name != switch) {
                p.set_value(switch, &ParamValue::Bool(true))?;
            }
        }
        if let Some(row) = row {
            p.apply_mdriztab_row(row)?;
            self.apply(&mut p)?;
        }
        Ok(p)
    }

    /// The user's parameters over the defaults (no MDRIZTAB).
    pub fn resolve(&self) -> Result<AstroDrizzleParams> {
        self.resolve_with(None)
    }
}

/// The parameters of a run: with `mdriztab` on, the MDRIZTAB row for the inputs is laid
/// over the defaults before the user's parameters, as drizzlepac does.
pub fn effective_params(inputs: &InputSet, user: &UserParams) -> Result<AstroDrizzleParams> {
    let explicit = user.resolve()?;
    let user_set = user.settings.iter().any(|(n, _)| n.eq_ignore_ascii_case("mdriztab"));
    let soft = user.prefer_mdriztab && !user_set;
    if !(explicit.mdriztab || soft) || inputs.files.is_empty() {
        return Ok(explicit);
    }
    let first = &inputs.files[0];
    let fits = Fits::open(first)?;
    let primary = fits.primary_header();
    let name = primary.get_str("MDRIZTAB").ok().flatten().map(|s| s.trim().to_string()).unwrap_or_default();
    let located = if name.is_empty() || name.eq_ignore_ascii_case("N/A") {
        Err(format!("{}: the primary header names no MDRIZTAB", first.display()))
    } else {
        driz_updatewcs::refs::resolve(&name, first, "MDRIZTAB").map_err(|e| format!("MDRIZTAB {name}: {e}"))
    };
    let path = match located {
        Ok(p) => p,
        Err(why) if soft => {
            info!("{why}; using the astrodrizzle defaults");
            return Ok(explicit);
        }
        Err(why) => return Err(AstroDrizzleError::Input(format!("mdriztab=True: {why}"))),
    };
    let rows = read_mdriztab(&path)?;
    let instrument = primary.get_str("INSTRUME").ok().flatten().unwrap_or("").trim().to_string();
    let filter = filter_string(&instrument, primary);
    let n = inputs.files.len();
    let index = select_row(&rows, &filter, n)
        .ok_or_else(|| AstroDrizzleError::Input(format!("{}: the MDRIZTAB has no rows", path.display())))?;
    info!("MDRIZTAB {}: row {} for filter '{filter}' and {n} images", path.display(), index + 1);
    let mut p = user.resolve_with(Some(&rows[index]))?;
    p.mdriztab = true;
    Ok(p)
}

/// The `output` parameter (empty: derived from the input).
pub fn output_param(p: &AstroDrizzleParams) -> Result<String> {
    Ok(p.output.clone())
}

/// A drizzlepac option name as the same option of a numeric crate.
fn convert<T: std::str::FromStr>(name: &str, value: impl std::fmt::Display) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let text = value.to_string();
    text.parse::<T>().map_err(|e| AstroDrizzleError::parameter(name, format!("{text:?}: {e}")))
}

/// `*_wt_scl`: exptime and expsq both leave the scale at 1 (upstream), a number is used.
fn weight_scale(w: driz_params::WeightScale) -> WeightScale {
    match w {
        driz_params::WeightScale::Exptime | driz_params::WeightScale::Expsq => WeightScale(1.0),
        driz_params::WeightScale::Value(v) => WeightScale(v),
    }
}

/// A numeric parameter astrodrizzle.cfg keeps as a string (`gain`, `rdnoise`, `exptime`).
fn optional_number(name: &str, text: &str) -> Result<Option<f64>> {
    let t = text.trim();
    if t.is_empty() || t == "None" || t.eq_ignore_ascii_case("indef") {
        return Ok(None);
    }
    t.parse().map(Some).map_err(|_| AstroDrizzleError::parameter(name, format!("{text:?} is not a number")))
}

fn both<T>(name: &str, a: Option<T>, b: Option<T>) -> Result<Option<[T; 2]>> {
    match (a, b) {
        (Some(a), Some(b)) => Ok(Some([a, b])),
        (None, None) => Ok(None),
        _ => Err(AstroDrizzleError::parameter(name, "give both values or neither")),
    }
}

#[allow(clippy::too_many_arguments)]
fn frame_config(
    prefix: &str,
    custom: bool,
    refimage: &str,
    ra_dec: (Option<f64>, Option<f64>),
    scale: Option<f64>,
    rot: Option<f64>,
    crpix: (Option<f64>, Option<f64>),
    size: (Option<i64>, Option<i64>),
) -> Result<FrameConfig> {
    Ok(FrameConfig {
        custom,
        refimage: Some(refimage.trim().to_string()).filter(|s| !s.is_empty()),
        overrides: FrameOverrides {
            ra_dec: both(&format!("{prefix}_ra/dec"), ra_dec.0, ra_dec.1)?.map(|[a, b]| (a, b)),
            scale,
            rot,
            crpix: both(&format!("{prefix}_crpix1/2"), crpix.0, crpix.1)?,
            size: both(&format!("{prefix}_outnx/outny"), size.0.map(|v| v as f64), size.1.map(|v| v as f64))?,
        },
    })
}

/// Parse the parameters into the run's settings.
pub fn config_from_params(p: &AstroDrizzleParams, workdir: &Path) -> Result<Config> {
    let group = match p.group.trim() {
        "" => None,
        g => Some(
            g.split(',')
                .map(|t| t.trim().parse::<i64>().map_err(|_| AstroDrizzleError::parameter("group", format!("{g:?}"))))
                .collect::<Result<Vec<_>>>()?,
        ),
    };
    let sky = SkyConfig {
        skysub: p.skysub,
        method: p.skymethod,
        stat: SkyStatConfig {
            stat: convert::<SkyStat>("skystat", p.skystat)?,
            lower: p.skylower.map(|v| v as f32),
            upper: p.skyupper.map(|v| v as f32),
            nclip: p.skyclip.max(0) as u32,
            lsigma: p.skylsigma as f32,
            usigma: p.skyusigma as f32,
            binwidth: p.skywidth.unwrap_or(0.1) as f32,
        },
        bits: p.sky_bits_mask()?,
        use_static: p.use_static,
        skyuser: p.skyuser.clone(),
        skyfile: p.skyfile.clone(),
    };
    let separate = DrizzleConfig {
        kernel: convert::<Kernel>("driz_sep_kernel", p.driz_sep_kernel)?,
        wt_scl: weight_scale(p.driz_sep_weight_scale()?),
        pixfrac: p.driz_sep_pixfrac,
        fillval: p.driz_sep_fillval.map(|v| v as f32),
        bits: p.driz_sep_bits_mask()?,
        frame: frame_config(
            "driz_sep",
            p.driz_sep_wcs,
            &p.driz_sep_refimage,
            (p.driz_sep_ra, p.driz_sep_dec),
            p.driz_sep_scale,
            p.driz_sep_rot,
            (p.driz_sep_crpix1, p.driz_sep_crpix2),
            (p.driz_sep_outnx, p.driz_sep_outny),
        )?,
    };
    let (nsigma1, nsigma2) = p.combine_nsigma_pair()?;
    let median = MedianConfig {
        newmasks: p.median_newmasks,
        maskpt: p.combine_maskpt,
        combine: CombineParams {
            kind: convert::<CombineType>("combine_type", p.combine_type)?,
            nlow: p.combine_nlow.max(0) as usize,
            nhigh: p.combine_nhigh.max(0) as usize,
            nsigma1: nsigma1 as f32,
            nsigma2: nsigma2 as f32,
            grow: p.combine_grow.max(0) as usize,
        },
        lthresh: p.combine_lthresh,
        hthresh: p.combine_hthresh,
        bufsize: p.combine_bufsize.unwrap_or(1.0),
    };
    if p.blot_interp == driz_params::BlotInterp::Sinc {
        return Err(AstroDrizzleError::parameter(
            "blot_interp",
            "\"sinc\" is not supported (nearest, linear, poly3, poly5)",
        ));
    }
    let blot = BlotConfig {
        interp: convert::<Interp>("blot_interp", p.blot_interp)?,
        addsky: p.blot_addsky,
        skyval: p.blot_skyval,
    };
    let (snr1, snr2) = p.driz_cr_snr_pair()?;
    let (mult1, mult2) = p.driz_cr_scale_pair()?;
    let driz_cr = CrConfig {
        params: CrParams {
            snr1,
            snr2,
            mult1,
            mult2,
            grow: p.driz_cr_grow.max(0) as usize,
            ctegrow: p.driz_cr_ctegrow.max(0) as usize,
        },
        corr: p.driz_cr_corr,
    };
    let final_kernel = convert::<Kernel>("final_kernel", p.final_kernel)?;
    if final_kernel == Kernel::Tophat {
        return Err(AstroDrizzleError::parameter("final_kernel", "tophat is not available for the final drizzle"));
    }
    let final_drizzle = FinalConfig {
        drizzle: DrizzleConfig {
            kernel: final_kernel,
            wt_scl: weight_scale(p.final_weight_scale()?),
            pixfrac: p.final_pixfrac,
            fillval: p.final_fillval.map(|v| v as f32),
            bits: p.final_bits_mask()?,
            frame: frame_config(
                "final",
                p.final_wcs,
                &p.final_refimage,
                (p.final_ra, p.final_dec),
                p.final_scale,
                p.final_rot,
                (p.final_crpix1, p.final_crpix2),
                (p.final_outnx, p.final_outny),
            )?,
        },
        wht_type: convert::<WeightType>("final_wht_type", p.final_wht_type)?,
        units: p.final_units,
        maskval: p.final_maskval.map(|v| v as f32),
    };
    let keyword = |text: &str| Some(text.trim().to_string()).filter(|s| !s.is_empty());
    let detector = DetectorOverrides {
        gain: optional_number("gain", &p.gain)?,
        gnkeyword: keyword(&p.gnkeyword),
        rdnoise: optional_number("rdnoise", &p.rdnoise)?,
        rnkeyword: keyword(&p.rnkeyword),
        exptime: optional_number("exptime", &p.exptime)?,
        expkeyword: keyword(&p.expkeyword),
    };
    for (name, value, key) in [
        ("gain", detector.gain, &detector.gnkeyword),
        ("rdnoise", detector.rdnoise, &detector.rnkeyword),
        ("exptime", detector.exptime, &detector.expkeyword),
    ] {
        if value.is_some() && key.is_some() {
            return Err(AstroDrizzleError::parameter(name, "give either the value or the keyword, not both"));
        }
    }
    Ok(Config {
        build: p.build,
        in_memory: p.in_memory,
        clean: p.clean,
        num_cores: p.num_cores.filter(|n| *n >= 1).map(|n| n as usize),
        context: p.context,
        group,
        coeffs: p.coeffs,
        crbit: p.crbit as u16,
        stepsize: p.stepsize.max(0) as usize,
        band_rows: crate::separate::DEFAULT_BAND_ROWS,
        resetbits: p.resetbits_mask()?,
        proc_unit_native: p.proc_unit == driz_params::ProcUnit::Native,
        detector,
        steps: Steps {
            static_mask: p.r#static,
            sky: true,
            driz_separate: p.driz_separate,
            median: p.median,
            blot: p.blot,
            driz_cr: p.driz_cr,
            driz_combine: p.driz_combine,
        },
        static_sig: p.static_sig as f32,
        sky,
        separate,
        median,
        blot,
        driz_cr,
        final_drizzle,
        workdir: workdir.to_path_buf(),
        keep_singles: false,
    })
}
