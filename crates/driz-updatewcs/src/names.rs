//! Names derived from reference files and WCS names: rootnames (`extract_rootname`),
//! `WCSNAME`, `SIPNAME`, `DISTNAME`, and the `WCSTYPE` description of a `WCSNAME`.

/// stsci.tools' suffix list, in its search order (`fileutil.EXTLIST`); also the order in
/// which `buildRootname` completes a file name.
pub const EXTLIST: [&str; 12] = [
    "_crj.fits",
    "_flt.fits",
    "_flc.fits",
    "_sfl.fits",
    "_cal.fits",
    "_raw.fits",
    ".c0h",
    ".hhh",
    "_c0h.fits",
    "_c0f.fits",
    "_c1f.fits",
    ".fits",
];

/// Whether a reference-file keyword value means "no file".
pub fn is_blank_ref(value: &str) -> bool {
    matches!(value.trim(), "" | "N/A" | "NONE" | "INDEF")
}

/// stwcs `extract_rootname`: `NONE` for blank/`N/A`/`NONE`/`INDEF`; drop everything up to
/// the first `$`; basename; cut at the first suffix of the stsci.tools list found past
/// position 0; remove every occurrence of `suffix`.
pub fn extract_rootname(value: &str, suffix: &str) -> String {
    if is_blank_ref(value) {
        return "NONE".into();
    }
    let full = match value.find('$') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    let base = full.rsplit('/').next().unwrap_or(full).trim();
    // buildNewRootname: the loop stops at the first suffix found past position 0; if none
    // is, the last search result decides (-1: whole name; 0: empty).
    let mut index: isize = -1;
    for s in EXTLIST {
        index = base.find(s).map_or(-1, |i| i as isize);
        if index > 0 {
            break;
        }
    }
    let cut = if index < 0 { base.len() } else { index as usize };
    let root = &base[..cut];
    let root = if suffix.is_empty() { root.to_string() } else { root.replace(suffix, "") };
    root.trim().to_string()
}

/// `WCSNAME` of the pipeline-default WCS: `IDC_<root>` when the IDCTAB name contains
/// `idc.fits`, else a blank.
pub fn default_wcsname(idctab: &str) -> String {
    if !idctab.trim().is_empty() && idctab.contains("idc.fits") {
        format!("IDC_{}", extract_rootname(idctab, "_idc"))
    } else {
        " ".into()
    }
}

/// Inputs of [`sip_and_dist_names`], all from the primary header except `ext1_has_sip`.
#[derive(Debug, Clone, Default)]
pub struct NameInputs<'a> {
    pub idctab: Option<&'a str>,
    pub npolfile: Option<&'a str>,
    pub d2imfile: Option<&'a str>,
    pub sipname: Option<&'a str>,
    /// Primary `ROOTNAME`, else the file name.
    pub rootname: &'a str,
    pub ext1_has_sip: bool,
}

/// stwcs `construct_distname`: `(SIPNAME, DISTNAME)`.
pub fn sip_and_dist_names(n: &NameInputs) -> (String, String) {
    let sipname = match n.idctab {
        Some(idctab) => {
            let idcname = extract_rootname(idctab, "_idc");
            match n.sipname {
                Some(existing) if existing.contains(&idcname) => existing.to_string(),
                _ => format!("{}_{}", n.rootname, idcname),
            }
        }
        None if n.ext1_has_sip => "UNKNOWN".into(),
        // stwcs leaves the name undefined here and fails later; we call it NOMODEL.
        None => "NOMODEL".into(),
    };
    let model = |v: Option<&str>, default: &str, suffix: &str| {
        let r = extract_rootname(v.unwrap_or(default), suffix);
        if r == "NONE" { "NOMODEL".to_string() } else { r }
    };
    let npol = model(n.npolfile, " ", "_npl");
    let d2im = model(n.d2imfile, "N/A", "_d2i");
    let mut dist = sipname.trim().to_string();
    // The reference compares with NONE after having turned NONE into NOMODEL, so both
    // names are always appended.
    if npol != "NONE" || d2im != "NONE" {
        if d2im != "NONE" {
            dist = format!("{dist}-{}-{}", npol.trim(), d2im.trim());
        } else {
            dist = format!("{dist}-{}", npol.trim());
        }
    }
    (sipname, dist)
}

/// runastrodriz `interpret_wcsname_type`: the `WCSTYPE` string of a `WCSNAME`.
pub fn wcstype(wcsname: &str) -> String {
    let upper = wcsname.to_ascii_uppercase();
    let tokens: Vec<&str> = upper.split('-').collect();
    let first: String = tokens[0].chars().take(3).collect();
    let prefix = match first.as_str() {
        "IDC" => "undistorted ",
        "OPU" => "pipeline default ",
        _ => return "user-defined".into(),
    };
    if tokens.len() == 1 {
        return format!("{prefix}not aligned");
    }
    let second = tokens[1];
    if !second.contains("FIT") {
        return format!("{prefix}a priori solution based on {second}");
    }
    let parts: Vec<&str> = second.split('_').collect();
    let target = parts.get(2).copied().unwrap_or("");
    let how = match parts.get(1).copied() {
        Some("REL") => format!("relatively aligned to {target}"),
        Some("IMG") => format!("aligned image-by-image to {target}"),
        Some("EVM") => format!("aligned by visit-exposures to {target}"),
        Some("SVM") => format!("aligned by visit to {target}"),
        _ => "not aligned".into(),
    };
    format!("{prefix}a posteriori solution {how}")
}

/// The value astropy writes for a float32 number: the shortest decimal that reads back
/// as the same float32, as an f64 (`IDCV2REF = 256.62222`).
pub fn f32_decimal(x: f32) -> f64 {
    format!("{x}").parse().expect("a float32 formats as a decimal number")
}

/// A value rounded to 14 significant digits, as astropy's `WCS.to_header` writes WCS
/// values (wcslib `%.14G`): archived alternates and ERR/DQ copies carry these.
pub fn g14(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.13e}").parse().expect("a formatted number parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rootnames_as_stwcs() {
        assert_eq!(extract_rootname("jref$qbu1641sj_idc.fits", "_idc"), "qbu1641sj");
        assert_eq!(extract_rootname("new_wfc_d2i.fits", "_d2i"), "new_wfc");
        assert_eq!(extract_rootname("u40x010hm_c0h_d2im.fits", "_d2i"), "u40x010hm_c0hm");
        assert_eq!(extract_rootname("N/A", "_npl"), "NONE");
        assert_eq!(default_wcsname("postsm4_idc.fits"), "IDC_postsm4");
        assert_eq!(default_wcsname("jref$4bb1536oj_idc.fits"), "IDC_4bb1536oj");
        assert_eq!(default_wcsname("something.fits"), " ");
    }

    #[test]
    fn distname_of_the_j94_example() {
        let n = NameInputs {
            idctab: Some("postsm4_idc.fits"),
            npolfile: Some("qbu16424j_npl.fits"),
            d2imfile: Some("new_wfc_d2i.fits"),
            sipname: None,
            rootname: "j94f05bgq",
            ext1_has_sip: true,
        };
        assert_eq!(sip_and_dist_names(&n), ("j94f05bgq_postsm4".into(), "j94f05bgq_postsm4-qbu16424j-new_wfc".into()));
        let none = NameInputs { npolfile: None, d2imfile: None, ..n };
        assert_eq!(sip_and_dist_names(&none).1, "j94f05bgq_postsm4-NOMODEL-NOMODEL");
    }

    #[test]
    fn wcstype_examples() {
        assert_eq!(wcstype("IDC_4bb1536oj"), "undistorted not aligned");
        assert_eq!(wcstype("IDC_4bb1536oj-HSC30"), "undistorted a priori solution based on HSC30");
        assert_eq!(
            wcstype("IDC_4bb1536oj-FIT_REL_GAIAeDR3"),
            "undistorted a posteriori solution relatively aligned to GAIAEDR3"
        );
        assert_eq!(
            wcstype("IDC_x-FIT_IMG_GSC242"),
            "undistorted a posteriori solution aligned image-by-image to GSC242"
        );
        assert_eq!(wcstype("OPUS"), "pipeline default not aligned");
        assert_eq!(wcstype("MyFit"), "user-defined");
    }

    #[test]
    fn number_formats() {
        assert_eq!(f32_decimal(256.62222_f32), 256.62222);
        assert_eq!(g14(1.290562563339972E-05), 1.29056256334E-05);
        assert_eq!(g14(5.670733268944613), 5.6707332689446);
        assert_eq!(g14(-1.26447741482017E-05), -1.2644774148202E-05);
    }
}
