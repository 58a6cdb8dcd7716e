//! Which WCS keys a header holds (FITS Paper I: the primary `' '` and alternates `A`–`Z`).

use driz_header::Header;

/// One WCS present in a header.
#[derive(Debug, Clone, PartialEq)]
pub struct WcsKey {
    /// `' '` for the primary WCS.
    pub key: char,
    pub name: Option<String>,
}

/// The keys present, primary first then alphabetical. A key is present when any of
/// `WCSNAMEa`, `CTYPE1a`, `CRPIX1a`, `CRVAL1a`, `RADESYSa` exists (stwcs's rule).
pub fn wcs_keys(header: &Header) -> Vec<WcsKey> {
    std::iter::once(' ')
        .chain('A'..='Z')
        .filter_map(|key| {
            let s = if key == ' ' { String::new() } else { key.to_string() };
            let present = ["WCSNAME", "CTYPE1", "CRPIX1", "CRVAL1", "RADESYS"]
                .iter()
                .any(|base| header.contains(&format!("{base}{s}")));
            present.then(|| WcsKey {
                key,
                name: header.get(&format!("WCSNAME{s}")).and_then(|v| v.as_str()).map(|n| n.trim().to_string()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_primary_and_alternates() {
        let h = Header::from_card_images([
            "WCSNAME = 'IDC_qbu1641sj'",
            "CRPIX1  =               2048.0",
            "WCSNAMEO= 'OPUS    '",
            "CRVAL1A =                  1.0",
        ])
        .unwrap();
        let keys = wcs_keys(&h);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0], WcsKey { key: ' ', name: Some("IDC_qbu1641sj".into()) });
        assert_eq!(keys[1], WcsKey { key: 'A', name: None });
        assert_eq!(keys[2], WcsKey { key: 'O', name: Some("OPUS".into()) });
    }
}
