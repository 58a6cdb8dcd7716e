//! The parameter set itself: one typed field per astrodrizzle.cfg parameter, its section and
//! its default, declared once so that the struct, `Default`, the name table and by-name
//! access cannot drift apart.

use crate::choices::{BlotInterp, CombineType, FinalUnits, Kernel, ProcUnit, SkyMethod, SkyStat, WhtType};
use crate::value::{ParamKind, ParamType, ParamValue};

/// A parameter's place in the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    pub name: &'static str,
    /// astrodrizzle.cfg section; "" for the top level.
    pub section: &'static str,
    pub kind: ParamKind,
    /// False for the two `AstroDrizzle()` keyword arguments that are not in astrodrizzle.cfg
    /// (`mdriztab`, `updatewcs`).
    pub in_cfg: bool,
}

macro_rules! param_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $name:literal) => {
        $name
    };
}

macro_rules! define_params {
    ($(
        section $section:literal $in_cfg:literal {
            $( $(#[doc = $doc:literal])* $field:ident $(($name:literal))? : $ty:ty = $default:expr ),+ $(,)?
        }
    )+) => {
        /// Every AstroDrizzle parameter of drizzlepac 3.11.0 (`pars/astrodrizzle.cfg`), typed.
        /// `Default` is the cfg default. Parameters that the cfg keeps as strings but that
        /// drizzlepac parses later (bit flags, `"3.5 3.0"` pairs, `exptime` weights) stay
        /// strings here too and have parsing accessors (see `derived.rs`).
        #[derive(Debug, Clone, PartialEq)]
        pub struct AstroDrizzleParams {
            $($( $(#[doc = $doc])* pub $field: $ty, )+)+
        }

        impl Default for AstroDrizzleParams {
            fn default() -> Self {
                AstroDrizzleParams { $($( $field: $default, )+)+ }
            }
        }

        pub(crate) static PARAMS: &[ParamInfo] = &[
            $($( ParamInfo {
                name: param_name!($field $($name)?),
                section: $section,
                kind: <$ty as ParamType>::KIND,
                in_cfg: $in_cfg,
            }, )+)+
        ];

        pub(crate) static NAMES: &[&str] = &[ $($( param_name!($field $($name)?), )+)+ ];

        impl AstroDrizzleParams {
            /// Value of the parameter with this exact (lower-case) name.
            pub(crate) fn value_of(&self, name: &str) -> Option<ParamValue> {
                match name {
                    $($( param_name!($field $($name)?) => Some(self.$field.to_value()), )+)+
                    _ => None,
                }
            }

            /// Store `v` in the parameter with this exact name. `None`: no such parameter;
            /// `Some(false)`: the value does not fit its type (nothing changed).
            pub(crate) fn store(&mut self, name: &str, v: &ParamValue) -> Option<bool> {
                match name {
                    $($( param_name!($field $($name)?) => Some(match <$ty as ParamType>::from_value(v) {
                        Some(x) => {
                            self.$field = x;
                            true
                        }
                        None => false,
                    }), )+)+
                    _ => None,
                }
            }
        }
    };
}

define_params! {
    section "" true {
        input: String = "*flt.fits".into(),
        output: String = String::new(),
        runfile: String = "astrodrizzle.log".into(),
        wcskey: String = String::new(),
        proc_unit: ProcUnit = ProcUnit::Native,
        coeffs: bool = true,
        context: bool = true,
        group: String = String::new(),
        build: bool = false,
        crbit: i64 = 4096,
        stepsize: i64 = 10,
        /// Bit flags (`interpret_bit_flags`) cleared from every input DQ before processing.
        resetbits: String = "4096".into(),
        /// None: as many as the machine has.
        num_cores: Option<i64> = None,
        in_memory: bool = false,
        rules_file: String = String::new(),
    }
    section "" false {
        /// `AstroDrizzle(mdriztab=...)`: read parameters from the MDRIZTAB of the first input.
        mdriztab: bool = false,
        /// `AstroDrizzle(updatewcs=...)`; processInput sets it to False when absent.
        updatewcs: bool = false,
    }
    section "STATE OF INPUT FILES" true {
        restore: bool = false,
        preserve: bool = true,
        overwrite: bool = false,
        clean: bool = false,
    }
    section "STEP 1: STATIC MASK" true {
        r#static("static"): bool = true,
        static_sig: f64 = 4.0,
    }
    section "STEP 2: SKY SUBTRACTION" true {
        skysub: bool = true,
        skymethod: SkyMethod = SkyMethod::Localmin,
        skystat: SkyStat = SkyStat::Median,
        skywidth: Option<f64> = Some(0.1),
        skylower: Option<f64> = None,
        skyupper: Option<f64> = None,
        skyclip: i64 = 5,
        skylsigma: f64 = 4.0,
        skyusigma: f64 = 4.0,
        skymask_cat: String = String::new(),
        use_static: bool = true,
        sky_bits: String = "0".into(),
        skyfile: String = String::new(),
        skyuser: String = String::new(),
    }
    section "STEP 3: DRIZZLE SEPARATE IMAGES" true {
        driz_separate: bool = true,
        driz_sep_kernel: Kernel = Kernel::Turbo,
        /// "exptime", "expsq" or a number.
        driz_sep_wt_scl: String = "exptime".into(),
        driz_sep_pixfrac: f64 = 1.0,
        driz_sep_fillval: Option<f64> = None,
        driz_sep_bits: String = "0".into(),
        driz_sep_compress: bool = false,
    }
    section "STEP 3a: CUSTOM WCS FOR SEPARATE OUTPUTS" true {
        driz_sep_wcs: bool = false,
        driz_sep_refimage: String = String::new(),
        driz_sep_rot: Option<f64> = None,
        driz_sep_scale: Option<f64> = None,
        driz_sep_outnx: Option<i64> = None,
        driz_sep_outny: Option<i64> = None,
        driz_sep_ra: Option<f64> = None,
        driz_sep_dec: Option<f64> = None,
        driz_sep_crpix1: Option<f64> = None,
        driz_sep_crpix2: Option<f64> = None,
    }
    section "STEP 4: CREATE MEDIAN IMAGE" true {
        median: bool = true,
        median_newmasks: bool = true,
        combine_maskpt: f64 = 0.3,
        combine_type: CombineType = CombineType::Minmed,
        /// Two numbers separated by blanks, e.g. "4 3".
        combine_nsigma: String = "4 3".into(),
        combine_nlow: i64 = 0,
        combine_nhigh: i64 = 0,
        combine_lthresh: Option<f64> = None,
        combine_hthresh: Option<f64> = None,
        combine_grow: i64 = 1,
        combine_bufsize: Option<f64> = None,
    }
    section "STEP 5: BLOT BACK THE MEDIAN IMAGE" true {
        blot: bool = true,
        blot_interp: BlotInterp = BlotInterp::Poly5,
        blot_sinscl: f64 = 1.0,
        blot_addsky: bool = true,
        blot_skyval: f64 = 0.0,
    }
    section "STEP 6: REMOVE COSMIC RAYS WITH DERIV, DRIZ_CR" true {
        driz_cr: bool = true,
        driz_cr_corr: bool = false,
        /// Two numbers separated by blanks, commas or semicolons, e.g. "3.5 3.0".
        driz_cr_snr: String = "3.5 3.0".into(),
        driz_cr_grow: i64 = 1,
        driz_cr_ctegrow: i64 = 0,
        /// Two numbers separated by blanks, commas or semicolons, e.g. "1.2 0.7".
        driz_cr_scale: String = "1.2 0.7".into(),
    }
    section "STEP 7: DRIZZLE FINAL COMBINED IMAGE" true {
        driz_combine: bool = true,
        final_wht_type: WhtType = WhtType::Exp,
        final_kernel: Kernel = Kernel::Square,
        /// "exptime", "expsq" or a number.
        final_wt_scl: String = "exptime".into(),
        final_pixfrac: f64 = 1.0,
        final_fillval: Option<f64> = None,
        final_maskval: Option<f64> = None,
        final_bits: String = "0".into(),
        final_units: FinalUnits = FinalUnits::Cps,
    }
    section "STEP 7a: CUSTOM WCS FOR FINAL OUTPUT" true {
        final_wcs: bool = false,
        final_refimage: String = String::new(),
        final_rot: Option<f64> = None,
        final_scale: Option<f64> = None,
        final_outnx: Option<i64> = None,
        final_outny: Option<i64> = None,
        final_ra: Option<f64> = None,
        final_dec: Option<f64> = None,
        final_crpix1: Option<f64> = None,
        final_crpix2: Option<f64> = None,
    }
    section "INSTRUMENT PARAMETERS" true {
        gain: String = String::new(),
        gnkeyword: String = String::new(),
        rdnoise: String = String::new(),
        rnkeyword: String = String::new(),
        exptime: String = String::new(),
        expkeyword: String = String::new(),
    }
}
