//! The guide-star offset service (`GSCConvert/GSCconvert.aspx`) used by stwcs's
//! `find_gsc_offset` to build an a priori WCS when the database has none for the IDCTAB.

use crate::env::{EnvLookup, process_env};
use crate::python_format::py_float;
use crate::{DbError, http};
use std::time::Duration;

/// stwcs's default `GSSS_WEBSERVICES_URL`.
pub const DEFAULT_GSSS_URL: &str = "https://gsss.stsci.edu/webservices";
/// Our bound on the request (stwcs sets none).
pub const DEFAULT_GSC_TIMEOUT: Duration = Duration::from_secs(60);

/// The service's answer for one exposure (degrees; `delta_scale` is a ratio).
#[derive(Debug, Clone, PartialEq)]
pub struct GsOffsets {
    pub delta_ra: f64,
    pub delta_dec: f64,
    pub delta_roll: f64,
    pub delta_scale: f64,
    /// Guide star position used on board `(dGSinputRA, dGSinputDEC)`.
    pub gs_input: (f64, f64),
    /// Its position in the output catalog `(dGSoutputRA, dGSoutputDEC)`.
    pub gs_output: (f64, f64),
    /// `outputCatalog` text (e.g. `GSC240`); `Some("")` for an empty element. stwcs names
    /// the WCS `IDC_<root>-<catalog>` only when this is non-empty.
    pub output_catalog: Option<String>,
    /// The service's `msg`.
    pub message: String,
}

impl GsOffsets {
    /// What stwcs uses when the service fails: no shift, scale 1, no catalog. The a priori
    /// WCS is then still made, named `IDC_<root>` with D_RA = D_DEC = 0.
    pub fn unavailable() -> GsOffsets {
        GsOffsets {
            delta_ra: 0.0,
            delta_dec: 0.0,
            delta_roll: 0.0,
            delta_scale: 1.0,
            gs_input: (0.0, 0.0),
            gs_output: (0.0, 0.0),
            output_catalog: None,
            message: String::new(),
        }
    }

    /// stwcs shifts the WCS only when both deltas are non-zero (the service returns zero
    /// deltas with a NaN scale for exposures already in the Gaia frame).
    pub fn has_shift(&self) -> bool {
        self.delta_ra != 0.0 && self.delta_dec != 0.0
    }
}

/// `GSSS_WEBSERVICES_URL` or [`DEFAULT_GSSS_URL`].
pub fn gsss_url_from_env() -> String {
    gsss_url_in(&process_env)
}

/// [`gsss_url_from_env`] on a given lookup.
pub fn gsss_url_in(env: EnvLookup<'_>) -> String {
    env("GSSS_WEBSERVICES_URL").unwrap_or_else(|| DEFAULT_GSSS_URL.to_string())
}

/// The request URL: `{base}/GSCConvert/GSCconvert.aspx?IPPPSSOOT={ROOTNAME upper-case}`.
pub fn gsc_offsets_url(base_url: &str, rootname: &str) -> String {
    format!("{base_url}/GSCConvert/GSCconvert.aspx?IPPPSSOOT={}", rootname.to_uppercase())
}

/// Asks the guide-star service for the offsets of `rootname` (the primary ROOTNAME).
/// Every failure is an error; the caller logs it and uses [`GsOffsets::unavailable`], as
/// stwcs does for HTTP and connection failures and for a `msg` not starting with `Success`.
/// (stwcs would crash on unparsable XML or a missing field; here those are errors too.)
pub fn gsc_offsets(base_url: &str, rootname: &str, timeout: Duration) -> Result<GsOffsets, DbError> {
    let url = gsc_offsets_url(base_url, rootname);
    let answer = http::get(&url, &[], timeout).map_err(|failure| DbError::Transport { url: url.clone(), failure })?;
    if answer.status != 200 {
        tracing::warn!("Problem accessing service with:\n{url}");
        return Err(DbError::Status { url, status: answer.status });
    }
    tracing::info!("gsReference service retrieved {}", rootname.to_uppercase());
    parse_gsc_xml(&String::from_utf8_lossy(&answer.body), &url)
}

/// Parses the service's XML: the direct children `msg`, `deltaRA`, `deltaDEC`, `deltaROLL`,
/// `deltaSCALE`, `dGSinputRA`, `dGSinputDEC`, `dGSoutputRA`, `dGSoutputDEC`,
/// `outputCatalog` of the root element.
pub fn parse_gsc_xml(text: &str, source_name: &str) -> Result<GsOffsets, DbError> {
    let xml_error = |message: String| DbError::Xml { url: source_name.to_string(), message };
    let doc = roxmltree::Document::parse(text).map_err(|e| xml_error(e.to_string()))?;
    let root = doc.root_element();
    let child_text = |tag: &str| -> Option<String> {
        root.children()
            .find(|n| n.is_element() && n.tag_name().name() == tag)
            .map(|n| n.text().unwrap_or("").to_string())
    };
    let message = child_text("msg").ok_or_else(|| xml_error("no <msg> element".to_string()))?;
    if message.split_whitespace().next() != Some("Success") {
        return Err(DbError::GscRejected { url: source_name.to_string(), message });
    }
    let number = |tag: &str| -> Result<f64, DbError> {
        let text = child_text(tag).ok_or_else(|| xml_error(format!("no <{tag}> element")))?;
        py_float(&text).ok_or_else(|| xml_error(format!("<{tag}> '{text}' is not a number")))
    };
    Ok(GsOffsets {
        delta_ra: number("deltaRA")?,
        delta_dec: number("deltaDEC")?,
        delta_roll: number("deltaROLL")?,
        delta_scale: number("deltaSCALE")?,
        gs_input: (number("dGSinputRA")?, number("dGSinputDEC")?),
        gs_output: (number("dGSoutputRA")?, number("dGSoutputDEC")?),
        output_catalog: child_text("outputCatalog"),
        message,
    })
}
