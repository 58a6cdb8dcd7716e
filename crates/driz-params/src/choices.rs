//! The option-list parameters (`option_kw` in astrodrizzle.cfgspc) as enums. Spellings are
//! drizzlepac's and case-sensitive, as configobj's `is_option` compares them.

use std::fmt;
use std::str::FromStr;

/// A value that is not one of the allowed spellings; carries them for the message.
#[derive(Debug, Clone, PartialEq)]
pub struct NotAnOption {
    pub value: String,
    pub allowed: &'static [&'static str],
}

impl fmt::Display for NotAnOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not one of: {}", self.value, self.allowed.join(", "))
    }
}

impl std::error::Error for NotAnOption {}

/// Implemented by every option enum, so generic code can list and parse them.
pub trait Choice: Sized + Copy + FromStr<Err = NotAnOption> + fmt::Display {
    /// Allowed spellings, in astrodrizzle.cfgspc order.
    const ALLOWED: &'static [&'static str];
    fn as_str(self) -> &'static str;
}

macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl Choice for $name {
            const ALLOWED: &'static [&'static str] = &[$($text),+];
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = NotAnOption;
            fn from_str(s: &str) -> Result<Self, NotAnOption> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(NotAnOption { value: s.to_string(), allowed: <$name as Choice>::ALLOWED }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice_enum!(
    /// `proc_unit`: units the processing runs in.
    ProcUnit { Native = "native", Electrons = "electrons" }
);

choice_enum!(
    /// `skymethod`.
    SkyMethod { GlobalminMatch = "globalmin+match", Localmin = "localmin", Globalmin = "globalmin", Match = "match" }
);

choice_enum!(
    /// `skystat`.
    SkyStat { Median = "median", Mode = "mode", Mean = "mean" }
);

choice_enum!(
    /// `driz_sep_kernel` and `final_kernel` (both lists hold the same six names). drizzlepac
    /// refuses `tophat` when a user passes it explicitly (processInput.setCommonInput); that
    /// is a run-time check, not a parameter-set one, so it is accepted here.
    Kernel {
        Square = "square",
        Point = "point",
        Gaussian = "gaussian",
        Turbo = "turbo",
        Tophat = "tophat",
        Lanczos3 = "lanczos3",
    }
);

choice_enum!(
    /// `combine_type`.
    CombineType {
        Minmed = "minmed",
        Iminmed = "iminmed",
        Median = "median",
        Mean = "mean",
        Imedian = "imedian",
        Imean = "imean",
        Sum = "sum",
    }
);

choice_enum!(
    /// `blot_interp`.
    BlotInterp { Poly5 = "poly5", Nearest = "nearest", Linear = "linear", Poly3 = "poly3", Sinc = "sinc" }
);

choice_enum!(
    /// `final_wht_type` (upper case, as drizzlepac spells it).
    WhtType { Exp = "EXP", Err = "ERR", Ivm = "IVM" }
);

choice_enum!(
    /// `final_units`.
    FinalUnits { Counts = "counts", Cps = "cps" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_are_case_sensitive() {
        for s in Kernel::ALLOWED {
            assert_eq!(s.parse::<Kernel>().unwrap().to_string(), *s);
        }
        assert_eq!("globalmin+match".parse::<SkyMethod>(), Ok(SkyMethod::GlobalminMatch));
        let err = "exp".parse::<WhtType>().unwrap_err();
        assert_eq!(err.to_string(), "'exp' is not one of: EXP, ERR, IVM");
        assert!("Square".parse::<Kernel>().is_err());
    }
}
