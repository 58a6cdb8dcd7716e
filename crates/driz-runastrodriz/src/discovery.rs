//! Input discovery (runastrodriz-spec §3): the trailer name, stsci's name completion, the
//! association or single exposure, its calibrated files (FLT and FLC), the drizzle inputs
//! and the DRIZCORR switch.

use crate::error::{PipelineError, Result};
use driz_fits::{AsnMember, Fits, FitsWriter, read_asn};
use driz_header::Card;
use std::path::{Path, PathBuf};

/// The trailer root of the argument: before `_raw`, else before `_asn`, else before the
/// last `_` (the whole name when there is none past the first character).
pub fn trailer_root(in_file: &str) -> String {
    let name = Path::new(in_file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some(i) = name.find("_raw") {
        return name[..i].to_string();
    }
    if let Some(i) = name.find("_asn") {
        return name[..i].to_string();
    }
    match name.rfind('_') {
        Some(i) if i > 0 => name[..i].to_string(),
        _ => name.trim_end_matches(".fits").to_string(),
    }
}

/// buildRootname: `name` or `name.fits` as given, else `name` + each suffix, original case
/// then lower case. `None` when nothing exists.
pub fn complete_name(dir: &Path, name: &str) -> Option<PathBuf> {
    for candidate in [name.to_string(), format!("{name}.fits")] {
        let p = dir.join(&candidate);
        if p.is_file() {
            return Some(p);
        }
    }
    for root in [name.to_string(), name.to_ascii_lowercase()] {
        for suffix in driz_updatewcs::names::EXTLIST {
            let p = dir.join(format!("{root}{suffix}"));
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// What the pipeline works on.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The completed input name (ASN, RAW or calibrated exposure).
    pub input: PathBuf,
    pub is_asn: bool,
    /// Calibrated exposures (FLT, or whatever buildRootname found first).
    pub cal_files: Vec<PathBuf>,
    /// CTE-corrected twins of the calibrated files, when they exist.
    pub flc_files: Vec<PathBuf>,
    /// What astrodrizzle is run on, in order (pipeline ASN copies, or the exposures).
    pub drizzle_inputs: Vec<String>,
    /// Pipeline copies of the association, deleted at the end.
    pub asn_copies: Vec<PathBuf>,
    /// `DRIZCORR` of the RAW (or first member), `None` when absent.
    pub drizcorr: Option<String>,
    /// The file that receives `DRIZCORR='COMPLETE'`.
    pub cal_prodname: PathBuf,
    /// Product rootname (ASN product, lower case; or the exposure rootname).
    pub output: String,
    pub instrument: String,
    pub detector: String,
}

impl Discovery {
    /// The calibrated files, then their CTE-corrected twins.
    pub fn exposures(&self) -> Vec<PathBuf> {
        self.cal_files.iter().chain(&self.flc_files).cloned().collect()
    }

    pub fn inst_mode(&self) -> String {
        format!("{}/{}", self.instrument, self.detector)
    }
}

/// Discover the inputs of `input` (already completed) in `dir`.
pub fn discover(dir: &Path, input: &Path) -> Result<Discovery> {
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let primary = Fits::open(input)?.primary_header().clone();
    let text = |key: &str| primary.get_str(key).ok().flatten().unwrap_or("").trim().to_string();
    let (instrument, detector) = (text("INSTRUME").to_ascii_uppercase(), text("DETECTOR").to_ascii_uppercase());
    if name.contains("_asn") {
        discover_asn(dir, input, &name, instrument, detector)
    } else {
        discover_single(dir, input, &name, instrument, detector)
    }
}

fn discover_asn(dir: &Path, input: &Path, name: &str, instrument: String, detector: String) -> Result<Discovery> {
    let members = read_asn(input)?;
    let asnroot = &name[..name.find("_asn").unwrap_or(name.len())];
    let lowered: Vec<AsnMember> =
        members.iter().map(|m| AsnMember { name: m.name.to_ascii_lowercase(), ..m.clone() }).collect();

    let product = ["PROD-DTH", "PROD-RPT", "PROD-CRJ"]
        .iter()
        .find_map(|kind| lowered.iter().find(|m| m.kind.eq_ignore_ascii_case(kind)))
        .map(|m| m.name.clone())
        .unwrap_or_else(|| name.split('_').next().unwrap_or(name).to_ascii_lowercase());
    let drizcorr_member = lowered.iter().find(|m| !m.name.ends_with('*')).map(|m| m.name.clone());

    let mut cal_files = Vec::new();
    let mut duplicates = false;
    for m in lowered.iter().filter(|m| m.kind.to_ascii_uppercase().starts_with("EXP") && m.present) {
        let Some(file) = complete_name(dir, &m.name) else {
            return Err(PipelineError::file(input, format!("no calibrated file for association member {}", m.name)));
        };
        // drizzlepac takes the RAW here and fails later inside astrodrizzle ("no SCI
        // extension"); name the missing calibrated exposure instead.
        if file_name(&file).ends_with("_raw.fits") {
            return Err(PipelineError::file(
                input,
                format!("no calibrated file for association member {} (only {})", m.name, file_name(&file)),
            ));
        }
        let flc = dir.join(format!("{}_flc.fits", m.name));
        if flc.is_file() && flc != file {
            duplicates = true;
        }
        cal_files.push(file);
    }
    let drizcorr = match &drizcorr_member {
        Some(m) => read_drizcorr(dir, m)?,
        None => None,
    };
    // The working copies are written once everything they depend on has been checked, and
    // removed again if one of them cannot be written.
    let flc_files = flc_twins(&cal_files);
    let pipeline_asn = dir.join(format!("{asnroot}_pipeline_asn.fits"));
    let mut asn_copies = Vec::new();
    let written = write_asn_copies(input, asnroot, &pipeline_asn, &lowered, duplicates, &mut asn_copies);
    let drizzle_inputs = match written {
        Ok(inputs) => inputs,
        Err(e) => {
            for copy in &asn_copies {
                let _ = std::fs::remove_file(copy);
            }
            return Err(e);
        }
    };
    Ok(Discovery {
        input: input.to_path_buf(),
        is_asn: true,
        cal_files,
        flc_files,
        drizzle_inputs,
        cal_prodname: pipeline_asn,
        asn_copies,
        drizcorr,
        output: product,
        instrument,
        detector,
    })
}

/// `<asnroot>_pipeline_asn.fits` and, with FLT/FLC duplicates, the `_pipeline_flt_asn` and
/// `_pipeline_flc_asn` copies; returns the drizzle inputs, and lists every copy written.
fn write_asn_copies(
    input: &Path,
    asnroot: &str,
    pipeline_asn: &Path,
    lowered: &[AsnMember],
    duplicates: bool,
    asn_copies: &mut Vec<PathBuf>,
) -> Result<Vec<String>> {
    write_asn_copy(input, pipeline_asn, lowered, None)?;
    asn_copies.push(pipeline_asn.to_path_buf());
    let dir = pipeline_asn.parent().unwrap_or(Path::new("."));
    Ok(if duplicates {
        let mut inputs = Vec::new();
        for kind in ["flt", "flc"] {
            let copy = dir.join(format!("{asnroot}_pipeline_{kind}_asn.fits"));
            let suffixed: Vec<AsnMember> = lowered
                .iter()
                .map(|m| {
                    if m.is_product() {
                        m.clone()
                    } else {
                        AsnMember { name: format!("{}_{kind}", m.name), ..m.clone() }
                    }
                })
                .collect();
            write_asn_copy(input, &copy, &suffixed, Some("COMPLETE"))?;
            inputs.push(file_name(&copy));
            asn_copies.push(copy);
        }
        inputs
    } else {
        vec![file_name(pipeline_asn)]
    })
}

fn discover_single(dir: &Path, input: &Path, name: &str, instrument: String, detector: String) -> Result<Discovery> {
    let root = ["_raw.fits", "_d0m.fits"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .map(str::to_string)
        .unwrap_or_else(|| driz_fits::file_rootname(input));
    let cal = complete_name(dir, &root).ok_or_else(|| PipelineError::file(input, "no calibrated exposure found"))?;
    let flc = dir.join(format!("{root}_flc.fits"));
    let (flc_files, drizzle_inputs) = if flc.is_file() && flc != cal {
        (vec![flc.clone()], vec![file_name(&cal), file_name(&flc)])
    } else {
        (Vec::new(), vec![file_name(&cal)])
    };
    let drizcorr = read_drizcorr(dir, &root)?;
    Ok(Discovery {
        input: input.to_path_buf(),
        is_asn: false,
        cal_files: vec![cal.clone()],
        flc_files,
        drizzle_inputs,
        asn_copies: Vec::new(),
        drizcorr,
        cal_prodname: cal,
        output: root,
        instrument,
        detector,
    })
}

/// `name.replace('_flt.fits', '_flc.fits')` for the calibrated files whose twin exists.
fn flc_twins(cal_files: &[PathBuf]) -> Vec<PathBuf> {
    cal_files
        .iter()
        .filter_map(|f| {
            let n = file_name(f);
            n.contains("_flt.fits").then(|| f.with_file_name(n.replace("_flt.fits", "_flc.fits")))
        })
        .filter(|p| p.is_file())
        .collect()
}

/// DRIZCORR from the RAW of `root` (completion with `_raw.fits` first).
fn read_drizcorr(dir: &Path, root: &str) -> Result<Option<String>> {
    let raw = [format!("{root}_raw.fits"), format!("{}_raw.fits", root.to_ascii_lowercase())]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .or_else(|| complete_name(dir, root));
    let Some(raw) = raw else { return Ok(None) };
    let fits = Fits::open(&raw)?;
    Ok(fits.primary_header().get_str("DRIZCORR").ok().flatten().map(|s| s.trim().to_string()))
}

/// A copy of the association with `members` (and `DUPCHECK` when given).
fn write_asn_copy(source: &Path, target: &Path, members: &[AsnMember], dupcheck: Option<&str>) -> Result<()> {
    let fits = Fits::open(source)?;
    let mut primary = fits.primary_header().clone();
    if let Some(v) = dupcheck {
        primary.set("DUPCHECK", v);
    }
    let width = members.iter().map(|m| m.name.len()).max().unwrap_or(14).max(14);
    let mut columns = driz_fits::asn_columns(members);
    if let Some((_, driz_fits::Column::Text(names))) = columns.first_mut() {
        for n in names.iter_mut() {
            *n = format!("{:<width$}", n.trim());
        }
    }
    let mut table = driz_header::Header::new();
    table.append(Card::new("EXTNAME", "ASN", "extension name"));
    table.append(Card::new("EXTVER", 1, "extension version"));
    let mut w = FitsWriter::create(target)?;
    w.primary(&primary)?;
    w.table(&table, &columns)?;
    w.finish()?;
    Ok(())
}

pub fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_roots() {
        assert_eq!(trailer_root("j8xy01010_asn.fits"), "j8xy01010");
        assert_eq!(trailer_root("j8xy01aaq_raw.fits"), "j8xy01aaq");
        assert_eq!(trailer_root("j8xy01aaq_flt.fits"), "j8xy01aaq");
        assert_eq!(trailer_root("/data/u40x010hm_d0m.fits"), "u40x010hm");
        assert_eq!(trailer_root("plain"), "plain");
    }

    #[test]
    fn completion_order() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["abc_flc.fits", "abc_flt.fits", "abc_raw.fits"] {
            std::fs::write(dir.path().join(n), b"").unwrap();
        }
        assert_eq!(complete_name(dir.path(), "abc").unwrap(), dir.path().join("abc_flt.fits"));
        assert_eq!(complete_name(dir.path(), "abc_raw.fits").unwrap(), dir.path().join("abc_raw.fits"));
        assert_eq!(complete_name(dir.path(), "ABC").unwrap(), dir.path().join("abc_flt.fits"));
        assert!(complete_name(dir.path(), "xyz").is_none());
    }
}
