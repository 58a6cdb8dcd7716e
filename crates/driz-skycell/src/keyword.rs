//! The SKYCELL keyword: its value and where it goes in a SCI header.

use crate::{SkyCellError, SkyCellName};
use driz_header::{Card, Header};

/// The comment drizzlepac gives the keyword.
pub const SKYCELL_COMMENT: &str = "Skycell(s) that this image occupies";

/// The names joined by `"; "`, e.g. `p1234x05y06; p1234x05y07`; `None` when there are no
/// sky cells (drizzlepac then logs "No skycells found for <file>." and writes nothing).
pub fn skycell_keyword_value(cells: &[SkyCellName]) -> Option<String> {
    if cells.is_empty() {
        return None;
    }
    Some(cells.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

/// Store `value` as SKYCELL: updated in place (value and comment) when the header has
/// one, else inserted right after `S_REGION`. Without either, astropy's insert fails and
/// so does this ([`SkyCellError::NoSRegion`]).
pub fn set_skycell_keyword(header: &mut Header, value: &str) -> Result<(), SkyCellError> {
    if header.contains("SKYCELL") {
        header.set_with_comment("SKYCELL", value, SKYCELL_COMMENT);
        return Ok(());
    }
    let cards = header.cards();
    let anchor =
        cards.iter().position(|c| !c.is_commentary() && c.keyword == "S_REGION").ok_or(SkyCellError::NoSRegion)?;
    let mut images: Vec<String> = cards[..=anchor].iter().flat_map(Card::images).collect();
    images.extend(Card::new("SKYCELL", value, SKYCELL_COMMENT).images());
    images.extend(cards[anchor + 1..].iter().flat_map(Card::images));
    *header = Header::from_card_images(images.iter().map(String::as_str)).map_err(driz_wcs::WcsError::from)?;
    Ok(())
}
