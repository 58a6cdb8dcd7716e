//! The clean-ups drizzlepac applies to blended headers: `outputimage.cleanTemplates`
//! and fitsblender's `remove_distortion_keywords`.

use crate::aggregate::BlendValue;
use crate::astropy_edit::CardList;
use driz_header::Header;

/// WCS keywords the WHT and CTX templates must carry (drizzlepac outputimage's
/// `WCS_KEYWORDS`; fitsblender's list of the same name is longer and not used here).
pub const WCS_KEYWORDS: [&str; 11] =
    ["CD1_1", "CD1_2", "CD2_1", "CD2_2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CTYPE1", "CTYPE2", "WCSNAME"];

/// drizzlepac's `outputimage.cleanTemplates`: drop BSCALE/BZERO from the SCI, WHT and CTX
/// templates, then copy the WCS keywords the WHT/CTX templates lack from SCI (values
/// only, appended where astropy appends new keywords).
pub fn clean_templates(sci: &mut Header, err: &mut Header, dq: &mut Header) {
    let mut lists = [CardList::from_header(sci), CardList::from_header(err), CardList::from_header(dq)];
    for list in &mut lists {
        list.delete_all("BSCALE");
        list.delete_all("BZERO");
    }
    let [sci_list, err_list, dq_list] = &mut lists;
    for keyword in WCS_KEYWORDS {
        let Some(value) = sci_list.get(keyword) else { continue };
        let Ok(Some(value)) = BlendValue::from_header(keyword, value) else { continue };
        for target in [&mut *err_list, &mut *dq_list] {
            if !target.contains(keyword) {
                target.set(keyword, &value, None);
            }
        }
    }
    let [s, e, d] = lists;
    *sci = s.into_header();
    *err = e.into_header();
    *dq = d.into_header();
}

/// fitsblender's `remove_distortion_keywords`, used on the drizzled SCI/WHT/CTX headers:
/// no TDD, D2IM, DGEO or NPOL references, `-SIP` dropped from CTYPE1/2, and no SIP
/// (`A_*`, `B_*`), IDC* (except IDCTAB), SCD*, SCTYPE/SCRVAL/SNAXIS/SCRPIX, DP* or CP*
/// keywords.
pub fn remove_distortion_keywords(header: &mut Header) {
    let mut list = CardList::from_header(header);
    for keyword in ["TDDALPHA", "TDDBETA", "D2IMEXT", "D2IMERR", "DGEOEXT", "NPOLEXT"] {
        list.delete_all(keyword);
    }
    if let Some(ctype1) = list.get("CTYPE1").and_then(|v| v.as_str()).map(str::to_string)
        && ctype1.contains("SIP")
    {
        // The last four characters go (`-SIP`), from both axes.
        for keyword in ["CTYPE1", "CTYPE2"] {
            if let Some(text) = list.get(keyword).and_then(|v| v.as_str()) {
                let cut: String = text.chars().take(text.chars().count().saturating_sub(4)).collect();
                list.set(keyword, &BlendValue::Text(cut), None);
            }
        }
    }
    list.cards.retain(|card| {
        let k = card.keyword.as_str();
        let sip = k.starts_with("A_") || k.starts_with("B_");
        let idc = (k.starts_with("IDC") || k.starts_with("SCD")) && k != "IDCTAB";
        let saved = ["SCTYPE", "SCRVAL", "SNAXIS", "SCRPIX"].iter().any(|p| k.starts_with(p));
        // Distortion-paper records (DPj, CPj and their fields) go whatever their name.
        let paper = k.starts_with("DP") || k.starts_with("CP");
        card.value.is_none() || !(sip || idc || saved || paper)
    });
    *header = list.into_header();
}
