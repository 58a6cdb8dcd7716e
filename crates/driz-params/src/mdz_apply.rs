//! Applying an MDRIZTAB row to a parameter set (mdzhandler `_interpretMdriztabPars` followed
//! by cfgpars `mergeConfigObj`), and the precedence AstroDrizzle gives defaults, user
//! arguments and the table.

use crate::error::ParamError;
use crate::mdriztab::{MdriztabRow, MdzValue};
use crate::params::{AstroDrizzleParams, NAMES};
use crate::suggest::closest_names;
use crate::value::ParamValue;

impl From<&MdzValue> for ParamValue {
    fn from(v: &MdzValue) -> ParamValue {
        match v {
            MdzValue::Str(s) => ParamValue::Str(s.clone()),
            MdzValue::Int(i) => ParamValue::Int(*i),
            MdzValue::Float(x) => ParamValue::Float(*x),
            MdzValue::Bool(b) => ParamValue::Bool(*b),
            MdzValue::Null => ParamValue::Null,
        }
    }
}

/// Columns that never reach the parameters. `filter` and `numimages` select the row;
/// mdzhandler skips `shiftfile` and `mdriztab` and drops `staticfile`. `input`, `output` and
/// `updatewcs` would be merged upstream, but only after processInput has already resolved
/// the input list and output name and run updatewcs, so they have no effect there; they
/// are skipped here so that a caller's order of operations cannot give them one.
pub const IGNORED_MDRIZTAB_COLUMNS: &[&str] =
    &["filter", "numimages", "shiftfile", "mdriztab", "staticfile", "input", "output", "updatewcs"];

/// mdzhandler's renames of table columns to parameters.
fn renamed(column: &str) -> &str {
    match column {
        "subsky" => "skysub",
        "crbitval" => "crbit",
        "readnoise" => "rdnoise",
        other => other,
    }
}

/// mdzhandler's `coeffs` rule: False only for INDEF, None, "None", '' or ' '; any other
/// value, including False or "no", is True.
fn coeffs_flag(v: &MdzValue) -> bool {
    !matches!(v, MdzValue::Str(s) if matches!(s.as_str(), "INDEF" | "None" | "" | " "))
}

impl AstroDrizzleParams {
    /// Overwrite the parameters an MDRIZTAB row sets, as mdzhandler + mergeConfigObj do:
    ///
    /// * renames `subsky`→`skysub`, `crbitval`→`crbit`, `readnoise`→`rdnoise`;
    /// * `refimage`, `bits`, `ra`, `dec` go to both `driz_sep_*` and `final_*`;
    /// * `driz_sep_bits`/`final_bits` (and `bits`) become strings (`336` → "336");
    /// * `coeffs` follows mdzhandler's rule (True unless INDEF/None/blank);
    /// * [`IGNORED_MDRIZTAB_COLUMNS`] are skipped.
    ///
    /// Column names are matched case-sensitively, as mdzhandler does. Any other column
    /// must be a parameter's exact name: upstream, an unknown column makes `mergeConfigObj`
    /// raise KeyError and AstroDrizzle stop, so it is an error here. Values are converted
    /// as [`Self::set_value`] does; a value the parameter cannot hold (a NaN for a
    /// non-optional float, 'exp' for `final_wht_type`, which upstream would carry
    /// unvalidated into the steps) is an error too. On error nothing is changed.
    ///
    /// Returns every parameter the row assigned, in column order, whether or not its value
    /// differed from before (the keys of mdzhandler's dict).
    pub fn apply_mdriztab_row(&mut self, row: &MdriztabRow) -> Result<Vec<String>, ParamError> {
        let mut next = self.clone();
        let mut assigned: Vec<&'static str> = Vec::new();
        for (column, cell) in &row.values {
            let name = renamed(column);
            if IGNORED_MDRIZTAB_COLUMNS.contains(&name) {
                continue;
            }
            let value = if name == "coeffs" { ParamValue::Bool(coeffs_flag(cell)) } else { ParamValue::from(cell) };
            let targets: Vec<String> = match name {
                "refimage" | "bits" | "ra" | "dec" => vec![format!("driz_sep_{name}"), format!("final_{name}")],
                _ => vec![name.to_string()],
            };
            for target in targets {
                let Some(&param) = NAMES.iter().find(|&&n| n == target) else {
                    return Err(ParamError::UnknownMdriztabColumn {
                        column: column.clone(),
                        suggestions: closest_names(column, NAMES),
                    });
                };
                next.set_value(param, &value)?;
                if !assigned.contains(&param) {
                    assigned.push(param);
                }
            }
        }
        *self = next;
        Ok(assigned.into_iter().map(String::from).collect())
    }

    /// The parameter set `AstroDrizzle(**user_args, mdriztab=...)` runs with, in drizzlepac's
    /// order: the cfg defaults; the user arguments; `driz_sep_wcs`/`final_wcs` switched on
    /// when the user gave any other parameter of their section (util.applyUserPars_steps);
    /// then, with a table row, the row and the user arguments once more
    /// (processInput.setCommonInput). So explicit arguments win over the table, but a table
    /// column `final_wcs`/`driz_sep_wcs` turns off a switch that only an argument such as
    /// `final_rot` had turned on — unless the user also passed the switch itself.
    pub fn resolve(user_args: &[(&str, &str)], mdriztab_row: Option<&MdriztabRow>) -> Result<Self, ParamError> {
        let mut p = AstroDrizzleParams::default();
        let set_all = |p: &mut AstroDrizzleParams| -> Result<(), ParamError> {
            user_args.iter().try_for_each(|(name, value)| p.set(name, value))
        };
        set_all(&mut p)?;
        for (section, switch) in [
            ("STEP 3a: CUSTOM WCS FOR SEPARATE OUTPUTS", "driz_sep_wcs"),
            ("STEP 7a: CUSTOM WCS FOR FINAL OUTPUT", "final_wcs"),
        ] {
            let named = user_args.iter().filter_map(|(name, _)| Self::lookup(name));
            if named.into_iter().any(|info| info.section == section && info.name != switch) {
                p.set_value(switch, &ParamValue::Bool(true))?;
            }
        }
        if let Some(row) = mdriztab_row {
            p.apply_mdriztab_row(row)?;
            set_all(&mut p)?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[(&str, MdzValue)]) -> MdriztabRow {
        MdriztabRow { values: cells.iter().map(|(n, v)| (n.to_string(), v.clone())).collect() }
    }

    #[test]
    fn renames_copies_and_coeffs() {
        let mut p = AstroDrizzleParams::default();
        let r = row(&[
            ("filter", MdzValue::Str("F555W".into())),
            ("numimages", MdzValue::Int(1)),
            ("subsky", MdzValue::Bool(false)),
            ("crbitval", MdzValue::Int(8192)),
            ("readnoise", MdzValue::Float(4.5)),
            ("bits", MdzValue::Int(336)),
            ("ra", MdzValue::Float(150.5)),
            ("coeffs", MdzValue::Bool(false)),
            ("staticfile", MdzValue::Str("x.fits".into())),
            ("final_outnx", MdzValue::Null),
            ("combine_grow", MdzValue::Float(2.0)),
        ]);
        let set = p.apply_mdriztab_row(&r).unwrap();
        assert_eq!(
            set,
            [
                "skysub",
                "crbit",
                "rdnoise",
                "driz_sep_bits",
                "final_bits",
                "driz_sep_ra",
                "final_ra",
                "coeffs",
                "final_outnx",
                "combine_grow"
            ]
        );
        assert!(!p.skysub);
        assert_eq!(p.crbit, 8192);
        assert_eq!(p.rdnoise, "4.5");
        assert_eq!((p.driz_sep_bits.as_str(), p.final_bits.as_str()), ("336", "336"));
        assert_eq!((p.driz_sep_ra, p.final_ra), (Some(150.5), Some(150.5)));
        assert!(p.coeffs, "a False coeffs cell is not blank/INDEF, so mdzhandler gives True");
        assert_eq!(p.combine_grow, 2);
    }

    #[test]
    fn unknown_columns_and_bad_values_change_nothing() {
        let mut p = AstroDrizzleParams::default();
        let r = row(&[("skysub", MdzValue::Bool(false)), ("final_kernal", MdzValue::Str("point".into()))]);
        let e = p.apply_mdriztab_row(&r).unwrap_err().to_string();
        assert!(e.contains("final_kernal") && e.contains("final_kernel"), "{e}");
        assert_eq!(p, AstroDrizzleParams::default());
        let r = row(&[("FINAL_BITS", MdzValue::Int(3))]);
        assert!(p.apply_mdriztab_row(&r).is_err(), "column names are case-sensitive upstream");
        let r = row(&[("static_sig", MdzValue::Null)]);
        let e = p.apply_mdriztab_row(&r).unwrap_err().to_string();
        assert!(e.contains("static_sig"), "{e}");
    }

    #[test]
    fn precedence() {
        let table = row(&[("final_wcs", MdzValue::Bool(false)), ("final_bits", MdzValue::Int(336))]);
        let p = AstroDrizzleParams::resolve(&[("final_rot", "0"), ("FINAL_BITS", "64")], None).unwrap();
        assert!(p.final_wcs);
        let p = AstroDrizzleParams::resolve(&[("final_rot", "0"), ("final_bits", "64")], Some(&table)).unwrap();
        assert!(!p.final_wcs, "the table's final_wcs column wins over the implied switch");
        assert_eq!(p.final_bits, "64", "explicit arguments win over the table");
        assert_eq!(p.final_rot, Some(0.0));
        let p = AstroDrizzleParams::resolve(&[("final_rot", "0"), ("final_wcs", "yes")], Some(&table)).unwrap();
        assert!(p.final_wcs);
        let p = AstroDrizzleParams::resolve(&[("driz_sep_wcs", "False")], None).unwrap();
        assert!(!p.driz_sep_wcs, "the switch alone does not turn itself on");
    }
}
