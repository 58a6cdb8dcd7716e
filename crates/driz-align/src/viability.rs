//! Which exposures can be aligned (drizzlepac `analyze_data`, runastrodriz-spec §6.3.1).

use crate::error::Result;
use driz_fits::Fits;
use driz_header::Header;
use std::path::Path;
use tracing::{info, warn};

/// Why an exposure is not aligned, or `None` when it is. The first rule that fires wins.
pub fn exclusion_reason(primary: &Header) -> Option<String> {
    let text = |k: &str| primary.get_str(k).ok().flatten().unwrap_or("").trim().to_string();
    let instrument = text("INSTRUME").to_ascii_uppercase();
    let obstype = text("OBSTYPE");
    if !obstype.is_empty() && !obstype.eq_ignore_ascii_case("IMAGING") {
        return Some(format!("OBSTYPE={obstype}"));
    }
    let drizcorr = text("DRIZCORR").to_ascii_uppercase();
    if drizcorr == "OMIT" || drizcorr == "SKIPPED" {
        return Some(format!("DRIZCORR={drizcorr}"));
    }
    let mtflag = text("MTFLAG").to_ascii_uppercase();
    if mtflag == "T" || primary.get_bool("MTFLAG").ok().flatten() == Some(true) {
        return Some("moving target (MTFLAG=T)".into());
    }
    let scan = text("SCAN_TYP").to_ascii_uppercase();
    if scan == "C" || scan == "D" {
        return Some(format!("spatial scan (SCAN_TYP={scan})"));
    }
    let target = text("TARGNAME").to_ascii_uppercase();
    if let Some(t) = ["DARK", "TUNG", "BIAS", "FLAT", "DEUT", "EARTH-CAL"].iter().find(|t| target.contains(*t)) {
        return Some(format!("calibration target ({t} in TARGNAME)"));
    }
    let exptime = primary.get_f64("EXPTIME").ok().flatten().unwrap_or(0.0);
    if exptime.abs() <= 1e-5 {
        return Some("EXPTIME is zero".into());
    }
    let fgslock = text("FGSLOCK").to_ascii_uppercase();
    if fgslock.contains("GY") || fgslock.contains("COARSE") {
        warn!("FGSLOCK={fgslock}: the alignment may be compromised");
    }
    let chinject = text("CHINJECT").to_ascii_uppercase();
    if !chinject.is_empty() && chinject != "NONE" {
        return Some(format!("charge injection (CHINJECT={chinject})"));
    }
    let filters = if instrument == "WFC3" {
        text("FILTER")
    } else {
        [text("FILTER1"), text("FILTER2")].into_iter().filter(|f| !f.is_empty()).collect::<Vec<_>>().join("_")
    };
    if filters.split('_').any(|f| f.to_ascii_uppercase().starts_with("BLOCK")) {
        return Some(format!("blocked filter ({filters})"));
    }
    None
}

/// Whether `path` can be aligned, logging the reason when not.
pub fn is_viable(path: &Path) -> Result<bool> {
    let mut fits = Fits::open(path)?;
    if let Some(why) = exclusion_reason(fits.primary_header()) {
        info!("{}: not aligned: {why}", path.display());
        return Ok(false);
    }
    let sci: Vec<usize> = fits.hdus().iter().enumerate().filter(|(_, h)| h.extname == "SCI").map(|(i, _)| i).collect();
    let mut all_zero = true;
    for index in sci {
        if fits.hdu(index).image_size().is_none() {
            continue;
        }
        let data = fits.read_image::<f32>(index)?;
        if data.iter().any(|&v| v != 0.0) {
            all_zero = false;
            break;
        }
    }
    if all_zero {
        info!("{}: not aligned: SCI data all zeros", path.display());
        return Ok(false);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cards: &[(&str, &str)]) -> Header {
        let mut h = Header::new();
        h.set("INSTRUME", "ACS");
        h.set("EXPTIME", 100.0);
        h.set("OBSTYPE", "IMAGING");
        for (k, v) in cards {
            h.set(k, *v);
        }
        h
    }

    #[test]
    fn rules_in_order() {
        assert_eq!(exclusion_reason(&header(&[])), None);
        assert!(exclusion_reason(&header(&[("OBSTYPE", "SPECTROSCOPIC")])).unwrap().contains("OBSTYPE"));
        assert!(exclusion_reason(&header(&[("DRIZCORR", "OMIT")])).is_some());
        assert!(exclusion_reason(&header(&[("MTFLAG", "T")])).unwrap().contains("moving"));
        assert!(exclusion_reason(&header(&[("TARGNAME", "DARK-NM")])).is_some());
        assert!(exclusion_reason(&header(&[("FILTER1", "BLOCK3"), ("FILTER2", "CLEAR2L")])).is_some());
        assert_eq!(exclusion_reason(&header(&[("FGSLOCK", "COARSE")])), None);
        let mut h = header(&[]);
        h.set("EXPTIME", 0.0);
        assert!(exclusion_reason(&h).unwrap().contains("EXPTIME"));
    }
}
