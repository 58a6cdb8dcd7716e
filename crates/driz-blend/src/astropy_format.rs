//! Card text for the two layouts where astropy differs from driz-header's formatter:
//! an empty string (`''`, not padded) and a string continued over CONTINUE cards
//! (astropy splits at blanks and always gives the comment CONTINUE cards of its own).

use driz_header::{Card, Header, Value};

const VALUE_PIECE: usize = 67;
const COMMENT_PIECE: usize = 64;

/// A new card as astropy would write it.
pub(crate) fn new_card(keyword: &str, value: Value, comment: &str) -> Card {
    let images = match &value {
        Value::Text(s) if s.is_empty() && keyword.len() <= 8 => {
            let mut image = format!("{keyword:<8}= ''");
            if !comment.is_empty() {
                image.push_str(" / ");
                image.push_str(comment);
            }
            image.truncate(80);
            Some(vec![image])
        }
        Value::Text(s) if keyword.len() <= 8 && s.replace('\'', "''").len() + 2 > 70 => {
            Some(long_string_images(keyword, s, comment))
        }
        _ => None,
    };
    let plain = || Card::new(keyword, value.clone(), comment);
    match images {
        // Parsing keeps the images as the card's text.
        Some(images) => Header::from_card_images(images.iter().map(String::as_str))
            .ok()
            .and_then(|h| h.cards().first().cloned())
            .unwrap_or_else(plain),
        None => plain(),
    }
}

fn long_string_images(keyword: &str, value: &str, comment: &str) -> Vec<String> {
    let escaped = value.replace('\'', "''");
    let pieces = words_group(&escaped, VALUE_PIECE);
    let mut out = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let head = if i == 0 { format!("{keyword:<8}= ") } else { "CONTINUE  ".to_string() };
        let last_without_comment = comment.is_empty() && i + 1 == pieces.len();
        let amp = if last_without_comment { "" } else { "&" };
        out.push(format!("{head}'{piece}{amp}'"));
    }
    if !comment.is_empty() {
        let pieces = words_group(comment, COMMENT_PIECE);
        for (i, piece) in pieces.iter().enumerate() {
            let head = if i + 1 == pieces.len() { "CONTINUE  '' / " } else { "CONTINUE  '&' / " };
            out.push(format!("{head}{piece}"));
        }
    }
    out
}

/// astropy's `_words_group`: pieces of at most `width` characters, broken after a blank
/// when one is in reach, else in the middle of a word.
fn words_group(s: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    // A blank is assumed just past the end.
    let blanks: Vec<usize> =
        chars.iter().enumerate().filter(|(_, c)| **c == ' ').map(|(i, _)| i).chain([len]).collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    loop {
        let first_far = blanks.iter().position(|&b| b >= width + start).unwrap_or(blanks.len());
        let mut end = if first_far > 0 { blanks[first_far - 1] + 1 } else { 0 };
        if end <= start {
            end = (start + width).min(len);
        }
        out.push(chars[start..end.min(len)].iter().collect());
        if end >= len {
            break;
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_group_breaks_after_blanks_or_inside_long_words() {
        assert_eq!(words_group("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(words_group("ab cd ef", 5), ["ab ", "cd ", "ef"]);
    }
}
