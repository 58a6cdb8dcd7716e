//! Association tables (`<root>_asn.fits`): the members and the product they make.

use crate::error::{FitsError, Result};
use crate::file::{Fits, HduKind};
use crate::table::Column;
use std::path::Path;

/// One row of an ASN table.
#[derive(Debug, Clone, PartialEq)]
pub struct AsnMember {
    /// MEMNAME, upper-case as stored (rootnames are lower-cased when files are named).
    pub name: String,
    /// MEMTYPE, e.g. `EXP-DTH`, `PROD-DTH`.
    pub kind: String,
    /// MEMPRSNT.
    pub present: bool,
}

impl AsnMember {
    pub fn is_product(&self) -> bool {
        self.kind.to_ascii_uppercase().starts_with("PROD")
    }
}

/// The rows of the first binary table named `ASN` (or the first binary table).
pub fn read_asn(path: impl AsRef<Path>) -> Result<Vec<AsnMember>> {
    let mut fits = Fits::open(path.as_ref())?;
    let index = fits
        .hdus()
        .iter()
        .position(|h| h.extname == "ASN" && matches!(h.kind, HduKind::BinTable { .. }))
        .or_else(|| fits.hdus().iter().position(|h| matches!(h.kind, HduKind::BinTable { .. })))
        .ok_or_else(|| FitsError::invalid(path.as_ref(), "", "no ASN binary table"))?;
    let label = fits.hdu(index).label();
    let text = |c: Column, name: &str| match c {
        Column::Text(v) => Ok(v),
        _ => Err(FitsError::invalid(path.as_ref(), &label, format!("column {name} is not a string column"))),
    };
    let names = text(fits.read_column(index, "MEMNAME")?, "MEMNAME")?;
    let kinds = text(fits.read_column(index, "MEMTYPE")?, "MEMTYPE")?;
    let present = match fits.read_column(index, "MEMPRSNT")? {
        Column::Logical(v) => v,
        Column::Integer(v) => v.iter().map(|&i| i != 0).collect(),
        _ => return Err(FitsError::invalid(path.as_ref(), &label, "column MEMPRSNT is not logical")),
    };
    Ok(names
        .into_iter()
        .zip(kinds)
        .zip(present)
        .map(|((name, kind), present)| AsnMember {
            name: name.trim().to_string(),
            kind: kind.trim().to_string(),
            present,
        })
        .collect())
}

/// The columns of an ASN table for these members, ready for [`crate::FitsWriter::table`].
pub fn asn_columns(members: &[AsnMember]) -> Vec<(String, Column)> {
    vec![
        ("MEMNAME".into(), Column::Text(members.iter().map(|m| format!("{:<14}", m.name)).collect())),
        ("MEMTYPE".into(), Column::Text(members.iter().map(|m| format!("{:<14}", m.kind)).collect())),
        ("MEMPRSNT".into(), Column::Logical(members.iter().map(|m| m.present).collect())),
    ]
}
