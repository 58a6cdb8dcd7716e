//! From parameters to a run configuration: the precedence astrodrizzle defaults <
//! MDRIZTAB row < the user's file < the user's `name=value` settings, then the parameter
//! values parsed into the step settings (`Config`).

use crate::config::*;
use crate::error::{AstroDrizzleError, Result};
use crate::input::InputSet;
use driz_combine::{CombineParams, CombineType, CrParams, SkyStat, SkyStatConfig};
use driz_fits::Fits;
use driz_kernels::{Interp, Kernel};
use driz_params::{AstroDrizzleParams, ParamValue, filter_string, interpret_bit_flags, read_mdriztab, select_row};
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
    text(p, "output")
}

fn value(p: &AstroDrizzleParams, name: &str) -> Result<ParamValue> {
    p.get(name).ok_or_else(|| AstroDrizzleError::parameter(name, "unknown parameter"))
}

fn flag(p: &AstroDrizzleParams, name: &str) -> Result<bool> {
    match value(p, name)? {
        ParamValue::Bool(b) => Ok(b),
        ParamValue::Null => Ok(false),
        other => Err(AstroDrizzleError::parameter(name, format!("expected True/False, got {other:?}"))),
    }
}

fn number(p: &AstroDrizzleParams, name: &str) -> Result<Option<f64>> {
    match value(p, name)? {
        ParamValue::Float(v) => Ok(Some(v)),
        ParamValue::Int(v) => Ok(Some(v as f64)),
        ParamValue::Null => Ok(None),
        ParamValue::Str(s) if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("indef") || s.trim() == "None" => {
            Ok(None)
        }
        ParamValue::Str(s) => {
            s.trim().parse().map(Some).map_err(|_| AstroDrizzleError::parameter(name, format!("{s:?} is not a number")))
        }
        other => Err(AstroDrizzleError::parameter(name, format!("expected a number, got {other:?}"))),
    }
}

fn text(p: &AstroDrizzleParams, name: &str) -> Result<String> {
    Ok(match value(p, name)? {
        ParamValue::Str(s) => s,
        ParamValue::Null => String::new(),
        ParamValue::Bool(b) => if b { "True" } else { "False" }.to_string(),
        ParamValue::Int(v) => v.to_string(),
        ParamValue::Float(v) => v.to_string(),
    })
}

fn bits(p: &AstroDrizzleParams, name: &str) -> Result<Option<u32>> {
    match value(p, name)? {
        ParamValue::Null => Ok(None),
        ParamValue::Int(v) => Ok(Some(v as u32)),
        ParamValue::Str(s) => Ok(interpret_bit_flags(&s)?),
        other => Err(AstroDrizzleError::parameter(name, format!("expected DQ bit flags, got {other:?}"))),
    }
}

fn pair(p: &AstroDrizzleParams, name: &str) -> Result<(f64, f64)> {
    let s = text(p, name)?;
    let v: Vec<f64> = s
        .split([' ', ','])
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<f64>().map_err(|_| AstroDrizzleError::parameter(name, format!("{s:?}: not numbers"))))
        .collect::<Result<_>>()?;
    match v.as_slice() {
        [a, b] => Ok((*a, *b)),
        [a] => Ok((*a, *a)),
        _ => Err(AstroDrizzleError::parameter(name, format!("{s:?}: expected two numbers"))),
    }
}

fn fill(p: &AstroDrizzleParams, name: &str) -> Result<Option<f32>> {
    let s = text(p, name)?;
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("indef") || t == "None" {
        return Ok(None);
    }
    t.parse::<f32>()
        .map(Some)
        .map_err(|_| AstroDrizzleError::parameter(name, format!("{s:?} is not a number or INDEF")))
}

fn kernel(p: &AstroDrizzleParams, name: &str) -> Result<Kernel> {
    let s = text(p, name)?;
    s.trim().parse::<Kernel>().map_err(|e| AstroDrizzleError::parameter(name, e.to_string()))
}

fn weight_scale(p: &AstroDrizzleParams, name: &str) -> Result<WeightScale> {
    let s = text(p, name)?;
    match s.trim() {
        "" | "exptime" | "expsq" => Ok(WeightScale(1.0)),
        other => other
            .parse::<f64>()
            .map(WeightScale)
            .map_err(|_| AstroDrizzleError::parameter(name, format!("{other:?}: exptime, expsq or a number"))),
    }
}

fn frame_config(p: &AstroDrizzleParams, prefix: &str) -> Result<FrameConfig> {
    let n = |s: &str| number(p, &format!("{prefix}_{s}"));
    let both = |a: Option<f64>, b: Option<f64>, what: &str| -> Result<Option<[f64; 2]>> {
        match (a, b) {
            (Some(a), Some(b)) => Ok(Some([a, b])),
            (None, None) => Ok(None),
            _ => Err(AstroDrizzleError::parameter(&format!("{prefix}_{what}"), "give both values or neither")),
        }
    };
    let ra_dec = both(n("ra")?, n("dec")?, "ra/dec")?.map(|[a, b]| (a, b));
    let refimage = text(p, &format!("{prefix}_refimage"))?;
    Ok(FrameConfig {
        custom: flag(p, &format!("{prefix}_wcs"))?,
        refimage: Some(refimage).filter(|s| !s.trim().is_empty()),
        overrides: FrameOverrides {
            ra_dec,
            scale: n("scale")?,
            rot: n("rot")?,
            crpix: both(n("crpix1")?, n("crpix2")?, "crpix1/2")?,
            size: both(n("outnx")?, n("outny")?, "outnx/outny")?,
        },
    })
}

/// Parse the parameters into the run's settings.
pub fn config_from_params(p: &AstroDrizzleParams, workdir: &Path) -> Result<Config> {
    let group = {
        let g = text(p, "group")?;
        let g = g.trim();
        if g.is_empty() {
            None
        } else {
            Some(
                g.split(',')
                    .map(|t| {
                        t.trim().parse::<i64>().map_err(|_| AstroDrizzleError::parameter("group", format!("{g:?}")))
                    })
                    .collect::<Result<Vec<_>>>()?,
            )
        }
    };
    let num_cores = number(p, "num_cores")?.filter(|n| *n >= 1.0).map(|n| n as usize);
    let skymethod = match text(p, "skymethod")?.trim() {
        "localmin" => SkyMethod::Localmin,
        "globalmin" => SkyMethod::Globalmin,
        "match" => SkyMethod::Match,
        "globalmin+match" => SkyMethod::GlobalminMatch,
        other => return Err(AstroDrizzleError::parameter("skymethod", format!("{other:?}"))),
    };
    let skystat = text(p, "skystat")?
        .trim()
        .parse::<SkyStat>()
        .map_err(|e| AstroDrizzleError::parameter("skystat", e.to_string()))?;
    let f32n = |name: &str, default: f32| -> Result<f32> { Ok(number(p, name)?.map_or(default, |v| v as f32)) };
    let sky = SkyConfig {
        skysub: flag(p, "skysub")?,
        method: skymethod,
        stat: SkyStatConfig {
            stat: skystat,
            lower: number(p, "skylower")?.map(|v| v as f32),
            upper: number(p, "skyupper")?.map(|v| v as f32),
            nclip: number(p, "skyclip")?.unwrap_or(5.0) as u32,
            lsigma: f32n("skylsigma", 4.0)?,
            usigma: f32n("skyusigma", 4.0)?,
            binwidth: f32n("skywidth", 0.1)?,
        },
        bits: bits(p, "sky_bits")?,
        use_static: flag(p, "use_static")?,
        skyuser: text(p, "skyuser")?,
        skyfile: text(p, "skyfile")?,
    };
    let separate = DrizzleConfig {
        kernel: kernel(p, "driz_sep_kernel")?,
        wt_scl: weight_scale(p, "driz_sep_wt_scl")?,
        pixfrac: number(p, "driz_sep_pixfrac")?.unwrap_or(1.0),
        fillval: fill(p, "driz_sep_fillval")?,
        bits: bits(p, "driz_sep_bits")?,
        frame: frame_config(p, "driz_sep")?,
    };
    let combine_type = text(p, "combine_type")?
        .trim()
        .parse::<CombineType>()
        .map_err(|e| AstroDrizzleError::parameter("combine_type", e.to_string()))?;
    let (nsigma1, nsigma2) = pair(p, "combine_nsigma")?;
    let median = MedianConfig {
        newmasks: flag(p, "median_newmasks")?,
        maskpt: number(p, "combine_maskpt")?.unwrap_or(0.3),
        combine: CombineParams {
            kind: combine_type,
            nlow: number(p, "combine_nlow")?.unwrap_or(0.0) as usize,
            nhigh: number(p, "combine_nhigh")?.unwrap_or(0.0) as usize,
            nsigma1: nsigma1 as f32,
            nsigma2: nsigma2 as f32,
            grow: number(p, "combine_grow")?.unwrap_or(1.0) as usize,
        },
        lthresh: number(p, "combine_lthresh")?,
        hthresh: number(p, "combine_hthresh")?,
        bufsize: number(p, "combine_bufsize")?.unwrap_or(1.0),
    };
    let interp_name = text(p, "blot_interp")?;
    let interp = match interp_name.trim() {
        "sinc" | "lsinc" | "spline3" => {
            return Err(AstroDrizzleError::parameter(
                "blot_interp",
                format!("{interp_name:?} is not supported (nearest, linear, poly3, poly5, lan3, lan5)"),
            ));
        }
        other => other.parse::<Interp>().map_err(|e| AstroDrizzleError::parameter("blot_interp", e))?,
    };
    let blot = BlotConfig {
        interp,
        sinscl: number(p, "blot_sinscl")?.unwrap_or(1.0),
        addsky: flag(p, "blot_addsky")?,
        skyval: number(p, "blot_skyval")?.unwrap_or(0.0),
    };
    let (snr1, snr2) = pair(p, "driz_cr_snr")?;
    let (mult1, mult2) = pair(p, "driz_cr_scale")?;
    let driz_cr = CrConfig {
        params: CrParams {
            snr1,
            snr2,
            mult1,
            mult2,
            grow: number(p, "driz_cr_grow")?.unwrap_or(1.0) as usize,
            ctegrow: number(p, "driz_cr_ctegrow")?.unwrap_or(0.0) as usize,
        },
        corr: flag(p, "driz_cr_corr")?,
    };
    let final_kernel = kernel(p, "final_kernel")?;
    if final_kernel == Kernel::Tophat {
        return Err(AstroDrizzleError::parameter("final_kernel", "tophat is not available for the final drizzle"));
    }
    let wht_type = match text(p, "final_wht_type")?.trim().to_ascii_uppercase().as_str() {
        "EXP" | "" => WeightType::Exp,
        "ERR" => WeightType::Err,
        "IVM" => WeightType::Ivm,
        other => return Err(AstroDrizzleError::parameter("final_wht_type", format!("{other:?}: EXP, ERR or IVM"))),
    };
    let units = match text(p, "final_units")?.trim() {
        "cps" => OutputUnits::Cps,
        "counts" => OutputUnits::Counts,
        other => return Err(AstroDrizzleError::parameter("final_units", format!("{other:?}: cps or counts"))),
    };
    let final_drizzle = FinalConfig {
        drizzle: DrizzleConfig {
            kernel: final_kernel,
            wt_scl: weight_scale(p, "final_wt_scl")?,
            pixfrac: number(p, "final_pixfrac")?.unwrap_or(1.0),
            fillval: fill(p, "final_fillval")?,
            bits: bits(p, "final_bits")?,
            frame: frame_config(p, "final")?,
        },
        wht_type,
        units,
        maskval: fill(p, "final_maskval")?,
    };
    let opt_text = |name: &str| -> Result<Option<String>> {
        Ok(Some(text(p, name)?).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
    };
    let detector = DetectorOverrides {
        gain: number(p, "gain")?,
        gnkeyword: opt_text("gnkeyword")?,
        rdnoise: number(p, "rdnoise")?,
        rnkeyword: opt_text("rnkeyword")?,
        exptime: number(p, "exptime")?,
        expkeyword: opt_text("expkeyword")?,
    };
    for (v, k) in [(&detector.gain, "gain"), (&detector.rdnoise, "rdnoise"), (&detector.exptime, "exptime")] {
        let kw = match k {
            "gain" => &detector.gnkeyword,
            "rdnoise" => &detector.rnkeyword,
            _ => &detector.expkeyword,
        };
        if v.is_some() && kw.is_some() {
            return Err(AstroDrizzleError::parameter(k, "give either the value or the keyword, not both"));
        }
    }
    Ok(Config {
        output: text(p, "output")?,
        build: flag(p, "build")?,
        in_memory: flag(p, "in_memory")?,
        clean: flag(p, "clean")?,
        num_cores,
        context: flag(p, "context")?,
        group,
        coeffs: flag(p, "coeffs")?,
        crbit: number(p, "crbit")?.unwrap_or(4096.0) as u16,
        stepsize: number(p, "stepsize")?.unwrap_or(10.0).max(0.0) as usize,
        resetbits: bits(p, "resetbits")?,
        proc_unit_native: text(p, "proc_unit")?.trim() == "native",
        detector,
        steps: Steps {
            static_mask: flag(p, "static")?,
            sky: true,
            driz_separate: flag(p, "driz_separate")?,
            median: flag(p, "median")?,
            blot: flag(p, "blot")?,
            driz_cr: flag(p, "driz_cr")?,
            driz_combine: flag(p, "driz_combine")?,
        },
        static_sig: f32n("static_sig", 4.0)?,
        sky,
        separate,
        median,
        blot,
        driz_cr,
        final_drizzle,
        workdir: workdir.to_path_buf(),
    })
}
