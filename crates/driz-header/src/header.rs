//! An ordered list of cards with typed look-ups and in-place edits.

use crate::card::{CARD_LEN, Card};
use crate::value::Value;
use thiserror::Error;

/// Errors about a header's content. They name the keyword; callers add the file and HDU.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum HeaderError {
    #[error("card {index} ({image:?}): {reason}")]
    BadCard { index: usize, image: String, reason: String },
    #[error("header has no END card")]
    NoEnd,
    #[error("header block length {0} is not a multiple of 80")]
    BadLength(usize),
    #[error("keyword {keyword}: expected {expected}, found {found} {text}")]
    WrongType { keyword: String, expected: &'static str, found: &'static str, text: String },
    #[error("keyword {keyword}: value {value} is not finite")]
    NotFinite { keyword: String, value: f64 },
    #[error("required keyword {0} is missing")]
    Missing(String),
}

/// A FITS header: cards in file order, `END` excluded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    cards: Vec<Card>,
}

impl Header {
    pub fn new() -> Header {
        Header::default()
    }

    /// Parse a raw header (a multiple of 80 bytes, up to and including `END`). Bytes after
    /// `END` are ignored. Unparsable cards are errors, never panics.
    pub fn parse(bytes: &[u8]) -> Result<Header, HeaderError> {
        if !bytes.len().is_multiple_of(CARD_LEN) {
            return Err(HeaderError::BadLength(bytes.len()));
        }
        let mut images = Vec::new();
        let mut ended = false;
        for (index, chunk) in bytes.chunks(CARD_LEN).enumerate() {
            let image =
                std::str::from_utf8(chunk).ok().filter(|s| s.is_ascii()).ok_or_else(|| HeaderError::BadCard {
                    index,
                    image: String::from_utf8_lossy(chunk).into_owned(),
                    reason: "non-ASCII bytes".into(),
                })?;
            if image.trim_end() == "END" {
                ended = true;
                break;
            }
            images.push(image);
        }
        if !ended {
            return Err(HeaderError::NoEnd);
        }
        Header::from_card_images(images)
    }

    /// Build a header from card images (without `END`), joining `CONTINUE` cards to the
    /// long string they continue. A card whose value cannot be read is kept with a
    /// [`Value::Invalid`] value, so the error surfaces only if that keyword is used.
    pub fn from_card_images<'a>(images: impl IntoIterator<Item = &'a str>) -> Result<Header, HeaderError> {
        let mut cards: Vec<Card> = Vec::new();
        // Index in `cards` of a string card still open for continuation, with its images.
        let mut open: Option<(usize, Vec<String>)> = None;
        for (index, image) in images.into_iter().enumerate() {
            let image = image.trim_end_matches(['\n', '\r']);
            if image.len() > CARD_LEN || !image.is_ascii() {
                return Err(HeaderError::BadCard {
                    index,
                    image: image.to_string(),
                    reason: "not an 80-column ASCII card".into(),
                });
            }
            let card = Card::parse(image).unwrap_or_else(|e| Card::invalid(image, e.0));
            if card.keyword == "CONTINUE" {
                let piece = match &card.value {
                    Some(Value::Text(p)) => p.clone(),
                    _ => String::new(),
                };
                match open.as_mut() {
                    Some((at, imgs)) => {
                        let target = &mut cards[*at];
                        if let Some(Value::Text(s)) = &mut target.value {
                            s.pop(); // the '&' marker
                            s.push_str(&piece);
                        }
                        if !card.comment.is_empty() {
                            target.comment = card.comment.clone();
                        }
                        imgs.push(format!("{image:<80}"));
                        let continues = piece.ends_with('&');
                        if !continues {
                            // Trailing blanks are insignificant in FITS strings, whole or continued.
                            if let Some(Value::Text(s)) = &mut cards[*at].value {
                                s.truncate(s.trim_end().len());
                            }
                            let (at, imgs) = open.take().expect("checked above");
                            let done = cards[at].clone().with_original(imgs);
                            cards[at] = done;
                        }
                    }
                    // A CONTINUE with nothing to continue is kept as free text.
                    None => cards.push(Card::commentary("CONTINUE", image.get(8..).unwrap_or("").trim_end())),
                }
                continue;
            }
            if let Some((at, imgs)) = open.take() {
                // The long string ended with '&' but no CONTINUE followed: keep it as written.
                let done = cards[at].clone().with_original(imgs);
                cards[at] = done;
            }
            if let Some(Value::Text(s)) = &card.value
                && s.ends_with('&')
            {
                open = Some((cards.len(), vec![format!("{image:<80}")]));
            }
            cards.push(card);
        }
        if let Some((at, imgs)) = open.take() {
            let done = cards[at].clone().with_original(imgs);
            cards[at] = done;
        }
        Ok(Header { cards })
    }

    /// The card images of the whole header, `END` excluded.
    pub fn card_images(&self) -> Vec<String> {
        self.cards.iter().flat_map(Card::images).collect()
    }

    /// The header as FITS bytes: cards, `END`, blank padding to a 2880-byte block.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.card_images().concat().into_bytes();
        out.extend_from_slice(format!("{:<80}", "END").as_bytes());
        while !out.len().is_multiple_of(2880) {
            out.push(b' ');
        }
        out
    }

    pub fn cards(&self) -> &[Card] {
        &self.cards
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    fn position(&self, keyword: &str) -> Option<usize> {
        self.cards.iter().position(|c| !c.is_commentary() && c.keyword.eq_ignore_ascii_case(keyword))
    }

    /// The first value card with this keyword.
    pub fn card(&self, keyword: &str) -> Option<&Card> {
        self.position(keyword).map(|i| &self.cards[i])
    }

    pub fn contains(&self, keyword: &str) -> bool {
        self.position(keyword).is_some()
    }

    pub fn get(&self, keyword: &str) -> Option<&Value> {
        self.card(keyword).and_then(|c| c.value.as_ref())
    }

    fn wrong_type(&self, keyword: &str, expected: &'static str, v: &Value) -> HeaderError {
        HeaderError::WrongType {
            keyword: keyword.to_string(),
            expected,
            found: v.type_name(),
            text: v.field_text_for_error(),
        }
    }

    /// A number; `Ok(None)` when absent or undefined, an error when not numeric or not finite.
    pub fn get_f64(&self, keyword: &str) -> Result<Option<f64>, HeaderError> {
        match self.get(keyword) {
            None | Some(Value::Undefined) => Ok(None),
            Some(v) => {
                let x = v.as_f64().ok_or_else(|| self.wrong_type(keyword, "a number", v))?;
                if !x.is_finite() {
                    return Err(HeaderError::NotFinite { keyword: keyword.to_string(), value: x });
                }
                Ok(Some(x))
            }
        }
    }

    pub fn get_i64(&self, keyword: &str) -> Result<Option<i64>, HeaderError> {
        match self.get(keyword) {
            None | Some(Value::Undefined) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| self.wrong_type(keyword, "an integer", v)),
        }
    }

    pub fn get_str(&self, keyword: &str) -> Result<Option<&str>, HeaderError> {
        match self.get(keyword) {
            None | Some(Value::Undefined) => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| self.wrong_type(keyword, "a string", v)),
        }
    }

    pub fn get_bool(&self, keyword: &str) -> Result<Option<bool>, HeaderError> {
        match self.get(keyword) {
            None | Some(Value::Undefined) => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| self.wrong_type(keyword, "a logical", v)),
        }
    }

    /// A required number.
    pub fn require_f64(&self, keyword: &str) -> Result<f64, HeaderError> {
        self.get_f64(keyword)?.ok_or_else(|| HeaderError::Missing(keyword.to_string()))
    }

    /// A string value, trimmed, or `default` when absent; wrong types are errors.
    pub fn str_or<'a>(&'a self, keyword: &str, default: &'a str) -> Result<&'a str, HeaderError> {
        Ok(self.get_str(keyword)?.map(str::trim).unwrap_or(default))
    }

    /// Set a keyword's value, keeping its position and comment if it exists, else
    /// appending it (before trailing blank cards, as astropy does).
    pub fn set(&mut self, keyword: &str, value: impl Into<Value>) {
        let value = value.into();
        match self.position(keyword) {
            Some(i) => {
                let card = &mut self.cards[i];
                if card.value.as_ref() != Some(&value) {
                    card.value = Some(value);
                    card.touch();
                }
            }
            None => self.append(Card::new(keyword, value, "")),
        }
    }

    /// Set value and comment.
    pub fn set_with_comment(&mut self, keyword: &str, value: impl Into<Value>, comment: &str) {
        let value = value.into();
        match self.position(keyword) {
            Some(i) => {
                let card = &mut self.cards[i];
                if card.value.as_ref() != Some(&value) || card.comment != comment {
                    card.value = Some(value);
                    card.comment = comment.to_string();
                    card.touch();
                }
            }
            None => self.append(Card::new(keyword, value, comment)),
        }
    }

    /// Append a card after the last non-blank card.
    pub fn append(&mut self, card: Card) {
        let mut at = self.cards.len();
        while at > 0 && self.cards[at - 1].keyword.is_empty() && self.cards[at - 1].comment.trim().is_empty() {
            at -= 1;
        }
        self.cards.insert(at, card);
    }

    /// Insert a card just before the first card with `anchor` as keyword (commentary
    /// cards included, e.g. `HISTORY`); append when the anchor is absent.
    pub fn insert_before(&mut self, anchor: &str, card: Card) {
        match self.cards.iter().position(|c| c.keyword.eq_ignore_ascii_case(anchor)) {
            Some(i) => self.cards.insert(i, card),
            None => self.append(card),
        }
    }

    /// Remove every value card with this keyword; returns how many went.
    pub fn remove(&mut self, keyword: &str) -> usize {
        let before = self.cards.len();
        self.cards.retain(|c| c.is_commentary() || !c.keyword.eq_ignore_ascii_case(keyword));
        before - self.cards.len()
    }

    /// Keep only the cards for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Card) -> bool) {
        self.cards.retain(keep);
    }

    /// Add a `HISTORY` card at the end.
    pub fn add_history(&mut self, text: &str) {
        self.append(Card::commentary("HISTORY", text));
    }

    /// Texts of all commentary cards with this keyword (`HISTORY`, `COMMENT`).
    pub fn commentary(&self, keyword: &str) -> Vec<&str> {
        self.cards
            .iter()
            .filter(|c| c.is_commentary() && c.keyword.eq_ignore_ascii_case(keyword))
            .map(|c| c.comment.as_str())
            .collect()
    }

    /// A field of a record-valued keyword (FITS distortion paper): the cards
    /// `DP1 = 'EXTVER: 1'`, `DP1 = 'AXIS.1: 1'` give `record("DP1", "AXIS.1") = 1`.
    /// Field names compare case-insensitively.
    pub fn record(&self, keyword: &str, field: &str) -> Result<Option<f64>, HeaderError> {
        for card in &self.cards {
            if card.is_commentary() || !card.keyword.eq_ignore_ascii_case(keyword) {
                continue;
            }
            let Some(Value::Text(text)) = &card.value else { continue };
            let Some((name, number)) = text.split_once(':') else { continue };
            if name.trim().eq_ignore_ascii_case(field) {
                let x: f64 = number.trim().parse().map_err(|_| HeaderError::WrongType {
                    keyword: format!("{keyword}.{field}"),
                    expected: "a number",
                    found: "string",
                    text: format!("{text:?}"),
                })?;
                if !x.is_finite() {
                    return Err(HeaderError::NotFinite { keyword: format!("{keyword}.{field}"), value: x });
                }
                return Ok(Some(x));
            }
        }
        Ok(None)
    }

    /// Set a record-valued field, replacing the card holding that field or appending one.
    pub fn set_record(&mut self, keyword: &str, field: &str, value: f64, comment: &str) {
        let text = format!("{field}: {}", crate::value::python_float_repr(value).trim_end_matches(".0"));
        let found = self.cards.iter_mut().find(|c| {
            !c.is_commentary()
                && c.keyword.eq_ignore_ascii_case(keyword)
                && matches!(&c.value, Some(Value::Text(t)) if t.split_once(':').is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(field)))
        });
        match found {
            Some(card) => {
                card.value = Some(Value::Text(text));
                card.touch();
            }
            None => self.append(Card::new(keyword, text, comment)),
        }
    }
}

impl Value {
    fn field_text_for_error(&self) -> String {
        match self {
            Value::Text(s) => format!("{s:?}"),
            other => other.field_text(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(cards: &[&str]) -> Vec<u8> {
        let mut s: String = cards.iter().map(|c| format!("{c:<80}")).collect();
        s.push_str(&format!("{:<80}", "END"));
        while !s.len().is_multiple_of(2880) {
            s.push(' ');
        }
        s.into_bytes()
    }

    #[test]
    fn parses_block_and_typed_lookups() {
        let bytes = block(&[
            "XTENSION= 'IMAGE   '",
            "CRPIX1  =               2048.0",
            "NAXIS   =                    2",
            "DP1     = 'EXTVER: 1'",
            "DP1     = 'NAXES: 2'",
            "DP1     = 'AXIS.1: 1'",
            "HISTORY one",
            "CTYPE1  = 'RA---TAN-SIP'",
        ]);
        let h = Header::parse(&bytes).unwrap();
        assert_eq!(h.get_f64("crpix1").unwrap(), Some(2048.0));
        assert_eq!(h.get_i64("NAXIS").unwrap(), Some(2));
        assert_eq!(h.record("DP1", "axis.1").unwrap(), Some(1.0));
        assert_eq!(h.record("DP1", "NAXES").unwrap(), Some(2.0));
        assert_eq!(h.record("DP1", "AXIS.2").unwrap(), None);
        assert!(h.get_f64("CTYPE1").is_err());
        assert_eq!(h.commentary("HISTORY"), vec!["one"]);
        // Unchanged cards are written back byte-identically.
        assert_eq!(h.to_bytes(), bytes);
    }

    #[test]
    fn set_keeps_position_and_comment() {
        let mut h = Header::from_card_images([
            "A       =                    1 / first",
            "B       =                    2 / second",
            "",
        ])
        .unwrap();
        h.set("A", 5);
        h.set("C", "new");
        let keys: Vec<_> = h.cards().iter().map(|c| c.keyword.as_str()).collect();
        assert_eq!(keys, ["A", "B", "C", ""]);
        assert_eq!(h.card("A").unwrap().comment, "first");
        assert_eq!(h.get_i64("A").unwrap(), Some(5));
        h.set_record("DP1", "EXTVER", 3.0, "");
        assert_eq!(h.get_str("DP1").unwrap(), Some("EXTVER: 3"));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(Header::parse(&[b' '; 100]), Err(HeaderError::BadLength(100)));
        assert_eq!(Header::parse(&[b' '; 2880]), Err(HeaderError::NoEnd));
        let bad = block(&["CRPIX1  = 'open", "CRPIX2  = NaN"]);
        let h = Header::parse(&bad).unwrap();
        let err = h.get_f64("CRPIX1").unwrap_err().to_string();
        assert!(err.contains("CRPIX1") && err.contains("unterminated"), "{err}");
        let err = h.get_f64("CRPIX2").unwrap_err().to_string();
        assert!(err.contains("not finite"), "{err}");
        let h = Header::from_card_images(["CRVAL1  = 'oops'"]).unwrap();
        let err = h.get_f64("CRVAL1").unwrap_err().to_string();
        assert!(err.contains("CRVAL1") && err.contains("number"), "{err}");
    }
}
