//! Parsed views of the parameters that astrodrizzle.cfg keeps as strings, with the parsing
//! rules of the drizzlepac step that reads each one.

use crate::bitflags::interpret_bit_flags;
use crate::error::ParamError;
use crate::params::AstroDrizzleParams;
use crate::pytext::py_float;

/// `driz_sep_wt_scl` / `final_wt_scl` (adrizzle.py): the weight scaling of an input image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightScale {
    /// "exptime": scale by the exposure time.
    Exptime,
    /// "expsq": scale by the exposure time squared.
    Expsq,
    Value(f64),
}

impl AstroDrizzleParams {
    /// `combine_nsigma` as createMedian reads it: split on whitespace, the first two items as
    /// floats; further items are ignored.
    pub fn combine_nsigma_pair(&self) -> Result<(f64, f64), ParamError> {
        let items: Vec<&str> = self.combine_nsigma.split_whitespace().collect();
        let expected = "two numbers separated by blanks, e.g. '4 3'";
        let bad = || ParamError::invalid("combine_nsigma", &self.combine_nsigma, expected);
        if items.len() < 2 {
            return Err(bad());
        }
        Ok((py_float(items[0]).ok_or_else(bad)?, py_float(items[1]).ok_or_else(bad)?))
    }

    /// `driz_cr_snr` as drizCR reads it: exactly two floats separated by blanks, ',' or ';'.
    pub fn driz_cr_snr_pair(&self) -> Result<(f64, f64), ParamError> {
        driz_cr_pair("driz_cr_snr", &self.driz_cr_snr)
    }

    /// `driz_cr_scale` as drizCR reads it: exactly two floats separated by blanks, ',' or ';'.
    pub fn driz_cr_scale_pair(&self) -> Result<(f64, f64), ParamError> {
        driz_cr_pair("driz_cr_scale", &self.driz_cr_scale)
    }

    /// `driz_sep_bits` through [`interpret_bit_flags`]; `None`: no DQ masking.
    pub fn driz_sep_bits_mask(&self) -> Result<Option<u32>, ParamError> {
        bits("driz_sep_bits", &self.driz_sep_bits)
    }

    /// `final_bits` through [`interpret_bit_flags`]; `None`: no DQ masking.
    pub fn final_bits_mask(&self) -> Result<Option<u32>, ParamError> {
        bits("final_bits", &self.final_bits)
    }

    /// `sky_bits` through [`interpret_bit_flags`]; `None`: no DQ masking.
    pub fn sky_bits_mask(&self) -> Result<Option<u32>, ParamError> {
        bits("sky_bits", &self.sky_bits)
    }

    /// `resetbits` through [`interpret_bit_flags`]; `None`: nothing to reset.
    pub fn resetbits_mask(&self) -> Result<Option<u32>, ParamError> {
        bits("resetbits", &self.resetbits)
    }

    pub fn driz_sep_weight_scale(&self) -> Result<WeightScale, ParamError> {
        weight_scale("driz_sep_wt_scl", &self.driz_sep_wt_scl)
    }

    pub fn final_weight_scale(&self) -> Result<WeightScale, ParamError> {
        weight_scale("final_wt_scl", &self.final_wt_scl)
    }
}

fn driz_cr_pair(name: &str, text: &str) -> Result<(f64, f64), ParamError> {
    let bad = || ParamError::invalid(name, text, "two numbers separated by blanks, ',' or ';', e.g. '3.5 3.0'");
    let items: Vec<&str> =
        text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty()).collect();
    match items[..] {
        [a, b] => Ok((py_float(a).ok_or_else(bad)?, py_float(b).ok_or_else(bad)?)),
        _ => Err(bad()),
    }
}

fn bits(name: &str, text: &str) -> Result<Option<u32>, ParamError> {
    interpret_bit_flags(text).map_err(|e| match e {
        ParamError::BitFlags { reason, .. } => ParamError::invalid(name, text, format!("bit flags ({reason})")),
        other => other,
    })
}

fn weight_scale(name: &str, text: &str) -> Result<WeightScale, ParamError> {
    // Exact comparisons: adrizzle tests `== "exptime"` before falling back to float().
    match text {
        "exptime" => Ok(WeightScale::Exptime),
        "expsq" => Ok(WeightScale::Expsq),
        _ => py_float(text)
            .map(WeightScale::Value)
            .ok_or_else(|| ParamError::invalid(name, text, "'exptime', 'expsq' or a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs() {
        let mut p = AstroDrizzleParams::default();
        assert_eq!(p.combine_nsigma_pair().unwrap(), (4.0, 3.0));
        assert_eq!(p.driz_cr_snr_pair().unwrap(), (3.5, 3.0));
        assert_eq!(p.driz_cr_scale_pair().unwrap(), (1.2, 0.7));
        p.combine_nsigma = "5 4 3".into();
        assert_eq!(p.combine_nsigma_pair().unwrap(), (5.0, 4.0));
        p.combine_nsigma = "5,4".into();
        assert!(p.combine_nsigma_pair().is_err());
        p.driz_cr_snr = " 4.0;3.5 ".into();
        assert_eq!(p.driz_cr_snr_pair().unwrap(), (4.0, 3.5));
        p.driz_cr_snr = "4.0, 3.5, 3".into();
        assert!(p.driz_cr_snr_pair().is_err());
        p.driz_cr_scale = "1.2".into();
        let e = p.driz_cr_scale_pair().unwrap_err().to_string();
        assert!(e.contains("driz_cr_scale") && e.contains("1.2"), "{e}");
    }

    #[test]
    fn masks_and_weights() {
        let mut p = AstroDrizzleParams::default();
        assert_eq!(p.final_bits_mask().unwrap(), Some(0));
        assert_eq!(p.resetbits_mask().unwrap(), Some(4096));
        p.final_bits = "64,32".into();
        assert_eq!(p.final_bits_mask().unwrap(), Some(96));
        p.sky_bits = "None".into();
        assert_eq!(p.sky_bits_mask().unwrap(), None);
        p.driz_sep_bits = "3,4".into();
        let e = p.driz_sep_bits_mask().unwrap_err().to_string();
        assert!(e.contains("driz_sep_bits") && e.contains("powers of two"), "{e}");
        assert_eq!(p.final_weight_scale().unwrap(), WeightScale::Exptime);
        p.final_wt_scl = "expsq".into();
        assert_eq!(p.final_weight_scale().unwrap(), WeightScale::Expsq);
        p.final_wt_scl = " 2.5".into();
        assert_eq!(p.final_weight_scale().unwrap(), WeightScale::Value(2.5));
        p.final_wt_scl = "Exptime".into();
        assert!(p.final_weight_scale().is_err());
    }
}
