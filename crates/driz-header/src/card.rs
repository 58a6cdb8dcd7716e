//! One header card: its parsed form and its 80-column text.

use crate::value::{Value, parse_value, quote};

pub const CARD_LEN: usize = 80;

/// Keywords whose cards carry free text instead of a value.
const COMMENTARY: [&str; 3] = ["COMMENT", "HISTORY", ""];

/// A keyword record. Long strings continued on `CONTINUE` cards are one `Card`.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Upper-case keyword; for `HIERARCH` cards the words after `HIERARCH`, space separated.
    pub keyword: String,
    /// `None` for commentary cards (COMMENT, HISTORY, blank keyword, or any card without `= `).
    pub value: Option<Value>,
    /// The comment after `/`, or the text of a commentary card.
    pub comment: String,
    /// The card images this card was read from, reused verbatim when it is written back
    /// unchanged so that rewriting a header keeps the original formatting.
    original: Option<Vec<String>>,
}

/// What went wrong with one card image.
#[derive(Debug, Clone, PartialEq)]
pub struct CardError(pub String);

impl Card {
    pub fn new(keyword: &str, value: impl Into<Value>, comment: &str) -> Card {
        Card {
            keyword: keyword.trim().to_ascii_uppercase(),
            value: Some(value.into()),
            comment: comment.to_string(),
            original: None,
        }
    }

    pub fn commentary(keyword: &str, text: &str) -> Card {
        Card { keyword: keyword.trim().to_ascii_uppercase(), value: None, comment: text.to_string(), original: None }
    }

    /// A card that could not be parsed: the keyword as far as it can be read, and the
    /// reason as an [`Value::Invalid`] value.
    pub(crate) fn invalid(image: &str, reason: String) -> Card {
        let keyword = image.get(..8).unwrap_or(image).trim().to_ascii_uppercase();
        Card {
            keyword,
            value: Some(Value::Invalid(reason)),
            comment: String::new(),
            original: Some(vec![format!("{image:<80}")]),
        }
    }

    fn is_printable(&self) -> bool {
        let ok = |s: &str| s.bytes().all(|b| (0x20..=0x7e).contains(&b));
        ok(&self.keyword) && ok(&self.comment) && !matches!(&self.value, Some(Value::Text(t)) if !ok(t))
    }

    pub fn is_commentary(&self) -> bool {
        self.value.is_none()
    }

    pub fn is_hierarch(&self) -> bool {
        self.keyword.len() > 8 || self.keyword.contains(' ')
    }

    /// Forget the original text (called whenever the card is modified).
    pub(crate) fn touch(&mut self) {
        self.original = None;
    }

    pub(crate) fn with_original(mut self, images: Vec<String>) -> Card {
        self.original = Some(images);
        self
    }

    /// Parse one 80-column card image (shorter images are blank-padded). `CONTINUE`
    /// cards come back as a card with keyword `CONTINUE` whose value is the string piece;
    /// the header parser joins them to the card they continue.
    pub fn parse(image: &str) -> Result<Card, CardError> {
        if !image.is_ascii() {
            return Err(CardError("card contains non-ASCII bytes".into()));
        }
        if image.len() > CARD_LEN {
            return Err(CardError(format!("card longer than 80 characters ({})", image.len())));
        }
        let image = format!("{image:<80}");
        let head = image[..8].trim_end();
        if head.eq_ignore_ascii_case("HIERARCH") {
            return parse_hierarch(&image);
        }
        if head.contains(' ') {
            return Err(CardError(format!("keyword {head:?} contains a blank")));
        }
        let keyword = head.to_ascii_uppercase();
        if keyword == "CONTINUE" {
            let (text, comment) = split_string_field(&image[8..])?;
            return Ok(Card { keyword, value: Some(Value::Text(text)), comment, original: None });
        }
        let has_value = &image[8..10] == "= " && !COMMENTARY.contains(&keyword.as_str());
        if !has_value {
            let text = image[8..].trim_end();
            return Ok(Card::commentary(&keyword, text).with_original(vec![image]));
        }
        let (value, comment) = parse_value_and_comment(&image[10..])?;
        Ok(Card { keyword, value: Some(value), comment, original: Some(vec![image]) })
    }

    /// The card's images, 80 characters each (several for a long string).
    pub fn images(&self) -> Vec<String> {
        if let Some(orig) = &self.original {
            return orig.clone();
        }
        if !self.is_printable() {
            // FITS headers are printable ASCII: write a sanitised copy.
            let mut clean = self.clone();
            clean.keyword = printable(&self.keyword);
            clean.comment = printable(&self.comment);
            if let Some(Value::Text(t)) = &self.value {
                clean.value = Some(Value::Text(printable(t)));
            }
            return clean.images();
        }
        match &self.value {
            None => {
                let mut text = self.comment.clone();
                let mut out = Vec::new();
                loop {
                    let take = text.len().min(72);
                    let piece: String = text.drain(..take).collect();
                    out.push(format!("{:<8}{:<72}", self.keyword, piece));
                    if text.is_empty() {
                        break;
                    }
                }
                out
            }
            Some(value) => self.value_images(value),
        }
    }

    fn value_images(&self, value: &Value) -> Vec<String> {
        let prefix =
            if self.is_hierarch() { format!("HIERARCH {} = ", self.keyword) } else { format!("{:<8}= ", self.keyword) };
        let field = match value {
            Value::Text(s) => {
                let q = quote(s);
                if prefix.len() + q.len() > CARD_LEN {
                    return self.long_string_images(&prefix, s);
                }
                format!("{q:<20}")
            }
            other => format!("{:>20}", other.field_text()),
        };
        let mut card = format!("{prefix}{field}");
        if !self.comment.is_empty() {
            card.push_str(" / ");
            card.push_str(&self.comment);
        }
        card.truncate(CARD_LEN);
        vec![format!("{card:<80}")]
    }

    /// A string too long for one card, split over `CONTINUE` cards with `&` markers.
    fn long_string_images(&self, prefix: &str, s: &str) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut rest = s;
        // Quotes and '&'. A HIERARCH keyword can leave no room at all on the first card
        // (the card is then cut at 80 columns, like any value that does not fit).
        let mut room = CARD_LEN.saturating_sub(prefix.len() + 3);
        while !rest.is_empty() {
            // Split by escaped length so that a doubled quote never straddles two cards.
            let mut used = 0;
            let mut end = 0;
            for (i, ch) in rest.char_indices() {
                let w = if ch == '\'' { 2 } else { 1 };
                if used + w > room {
                    break;
                }
                used += w;
                end = i + ch.len_utf8();
            }
            pieces.push(&rest[..end]);
            rest = &rest[end..];
            room = CARD_LEN - 10 - 3;
        }
        if pieces.is_empty() {
            // An empty string that only went long because of a long HIERARCH keyword.
            pieces.push("");
        }
        let n = pieces.len();
        let mut out = Vec::with_capacity(n + 1);
        for (i, piece) in pieces.iter().enumerate() {
            let amp = if i + 1 < n { "&" } else { "" };
            let body = format!("'{}{}'", piece.replace('\'', "''"), amp);
            let card = if i == 0 { format!("{prefix}{body}") } else { format!("CONTINUE  {body}") };
            out.push(card);
        }
        if !self.comment.is_empty() {
            let last = out.last_mut().expect("at least one piece");
            let with_comment = format!("{last} / {}", self.comment);
            if with_comment.len() <= CARD_LEN {
                *last = with_comment;
            } else {
                // The comment gets a CONTINUE card of its own with an empty string piece.
                last.insert(last.len() - 1, '&');
                out.push(format!("CONTINUE  '' / {}", self.comment));
            }
        }
        out.into_iter()
            .map(|mut c| {
                c.truncate(CARD_LEN);
                format!("{c:<80}")
            })
            .collect()
    }
}

fn parse_hierarch(image: &str) -> Result<Card, CardError> {
    let body = &image[8..];
    let Some(eq) = body.find('=') else {
        let text = body.trim_end();
        return Ok(Card::commentary("HIERARCH", text).with_original(vec![image.to_string()]));
    };
    let keyword = body[..eq].split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
    if keyword.is_empty() {
        return Err(CardError("HIERARCH card without a keyword".into()));
    }
    let (value, comment) = parse_value_and_comment(&body[eq + 1..])?;
    Ok(Card { keyword, value: Some(value), comment, original: Some(vec![image.to_string()]) })
}

fn parse_value_and_comment(field: &str) -> Result<(Value, String), CardError> {
    let trimmed = field.trim_start();
    if trimmed.starts_with('\'') {
        let (text, comment) = split_string_field(field)?;
        return Ok((Value::Text(text), comment));
    }
    let (value_text, comment) = match field.find('/') {
        Some(i) => (&field[..i], field[i + 1..].trim().to_string()),
        None => (field, String::new()),
    };
    let value = parse_value(value_text).map_err(CardError)?;
    Ok((value, comment))
}

/// Split `  'it''s'  / comment` into the unescaped string (trailing blanks removed) and
/// the comment.
fn split_string_field(field: &str) -> Result<(String, String), CardError> {
    let start = field.find('\'').ok_or_else(|| CardError("expected a quoted string".into()))?;
    if !field[..start].trim().is_empty() {
        return Err(CardError("text before the opening quote".into()));
    }
    let bytes = field.as_bytes();
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        if i >= bytes.len() {
            return Err(CardError("unterminated string".into()));
        }
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                text.push('\'');
                i += 2;
                continue;
            }
            break;
        }
        text.push(bytes[i] as char);
        i += 1;
    }
    let rest = &field[i + 1..];
    let comment = match rest.find('/') {
        Some(j) => {
            if !rest[..j].trim().is_empty() {
                return Err(CardError("text between the string and its comment".into()));
            }
            rest[j + 1..].trim().to_string()
        }
        None => {
            if !rest.trim().is_empty() {
                return Err(CardError("text after the closing quote".into()));
            }
            String::new()
        }
    };
    Ok((text.trim_end().to_string(), comment))
}

/// Replace anything that is not printable ASCII with '?'.
fn printable(s: &str) -> String {
    s.chars().map(|c| if (' '..='~').contains(&c) { c } else { '?' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_typical_hst_cards() {
        let c = Card::parse("CRVAL1  =        5.63056810618 / first axis value").unwrap();
        assert_eq!(c.keyword, "CRVAL1");
        assert_eq!(c.value, Some(Value::Float(5.63056810618)));
        assert_eq!(c.comment, "first axis value");

        let c = Card::parse("D2IM1   = 'EXTVER: 1'          / Version number of WCSDVARR extension").unwrap();
        assert_eq!(c.value, Some(Value::Text("EXTVER: 1".into())));

        let c = Card::parse("FILETYPE= 'SCI      '          / type of data found in data file").unwrap();
        assert_eq!(c.value.unwrap().as_str(), Some("SCI"));

        let c = Card::parse("HISTORY   some / history text").unwrap();
        assert!(c.is_commentary());
        assert_eq!(c.comment, "  some / history text");

        let c = Card::parse("TITLE   = 'it''s / here' / a comment").unwrap();
        assert_eq!(c.value.unwrap().as_str(), Some("it's / here"));
        assert_eq!(c.comment, "a comment");

        let c = Card::parse("HIERARCH STSCI PIPELINE VERSION = '3.11.0' / version").unwrap();
        assert_eq!(c.keyword, "STSCI PIPELINE VERSION");
        assert_eq!(c.value.unwrap().as_str(), Some("3.11.0"));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(Card::parse("CRVAL1  = 'unterminated").is_err());
        assert!(Card::parse("CRVAL1  = 1.2.3.4").is_err());
        assert!(Card::parse("CR VAL  = 1").is_err());
        assert!(Card::parse("X       = 'a' junk").is_err());
        assert!(Card::parse(&"A".repeat(81)).is_err());
    }

    #[test]
    fn non_ascii_text_is_written_as_printable_ascii() {
        let mut h = crate::Header::new();
        h.add_history("file caf\u{e9}.fits \u{2192} done");
        h.set_with_comment("OBJECT", "M\u{f6}bius", "\u{e9}t\u{e9}");
        let images = h.card_images();
        assert!(images.iter().all(|i| i.len() == 80 && i.is_ascii()), "{images:?}");
        let back = crate::Header::from_card_images(images.iter().map(String::as_str)).unwrap();
        assert_eq!(back.commentary("HISTORY"), vec!["file caf?.fits ? done"]);
        assert_eq!(back.get_str("OBJECT").unwrap(), Some("M?bius"));
    }

    #[test]
    fn formats_like_astropy() {
        let c = Card::new("CRPIX1", 2048.0, "Pixel coordinate of reference point");
        assert_eq!(
            c.images()[0],
            format!("{:<80}", "CRPIX1  =               2048.0 / Pixel coordinate of reference point")
        );
        let c = Card::new("WCSNAME", "IDC_qbu1641sj", "");
        assert_eq!(c.images()[0], format!("{:<80}", "WCSNAME = 'IDC_qbu1641sj'"));
        let c = Card::new("EXTVER", 1, "");
        assert_eq!(c.images()[0], format!("{:<80}", "EXTVER  =                    1"));
        let c = Card::new("SIMPLE", true, "");
        assert_eq!(c.images()[0], format!("{:<80}", "SIMPLE  =                    T"));
    }

    #[test]
    fn long_strings_split_and_reparse() {
        let long = "x".repeat(150) + "'quoted'" + &"y".repeat(40);
        let c = Card::new("DESCRIP", long.as_str(), "a comment");
        let images = c.images();
        assert!(images.len() >= 3);
        assert!(images.iter().all(|i| i.len() == 80));
        assert!(images[1].starts_with("CONTINUE  '"));
        let h = crate::Header::from_card_images(images.iter().map(String::as_str)).unwrap();
        assert_eq!(h.get_str("DESCRIP").unwrap(), Some(long.as_str()));
        assert_eq!(h.card("DESCRIP").unwrap().comment, "a comment");
    }

    #[test]
    fn long_hierarch_keywords_with_strings_do_not_panic() {
        // Found by fuzzing (fuzz/fuzz_targets/header_parse.rs): formatting these cards
        // afresh (as `Header::set` does) subtracted past zero for the room left on the
        // first card, or found no string piece to hang the comment on (and without a
        // comment the card came out as no image at all).
        let cases: [&[u8]; 4] = [
            b"HIERARCH KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK='a'",
            b"HIERARCH KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK = '' / c",
            b"HIERARCH KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK = ''",
            b"HIERARCH KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK = ''",
        ];
        for image in cases {
            let parsed = Card::parse(std::str::from_utf8(image).unwrap()).unwrap();
            let value = parsed.value.clone().unwrap();
            let images = Card::new(&parsed.keyword, value, &parsed.comment).images();
            assert!(!images.is_empty() && images.iter().all(|i| i.len() == 80), "{images:?}");
        }
        // An empty string that does not fit padded is written unpadded, comment apart.
        let card = Card::new(&"K".repeat(60), "", "c");
        let h = crate::Header::from_card_images(card.images().iter().map(String::as_str)).unwrap();
        assert_eq!(h.get_str(&"K".repeat(60)).unwrap(), Some(""));
        assert_eq!(h.card(&"K".repeat(60)).unwrap().comment, "c");
    }
}
