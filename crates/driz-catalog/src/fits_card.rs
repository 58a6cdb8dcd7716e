//! Just enough FITS to read a string keyword from a primary header (the WCSNAME of an
//! offline headerlet file), without pulling CFITSIO into this crate.

const BLOCK: usize = 2880;
const CARD: usize = 80;

/// The value of string keyword `key` in the first header of `bytes`, if present.
pub(crate) fn primary_string_value(bytes: &[u8], key: &str) -> Option<String> {
    for block in bytes.chunks(BLOCK) {
        for card in block.chunks(CARD) {
            let card = std::str::from_utf8(card).ok()?;
            let name = card.get(..8).unwrap_or(card).trim_end();
            if name == "END" {
                return None;
            }
            if name == key && card.get(8..10) == Some("= ") {
                return parse_string_value(&card[10..]);
            }
        }
    }
    None
}

fn parse_string_value(field: &str) -> Option<String> {
    let rest = field.trim_start().strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                value.push('\'');
            } else {
                return Some(value.trim_end().to_string());
            }
        } else {
            value.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cards: &[&str]) -> Vec<u8> {
        let mut text: String = cards.iter().map(|c| format!("{c:<80}")).collect();
        text.push_str(&format!("{:<80}", "END"));
        while !text.len().is_multiple_of(BLOCK) {
            text.push(' ');
        }
        text.into_bytes()
    }

    #[test]
    fn reads_quoted_values() {
        let h = header(&["SIMPLE  =                    T", "WCSNAME = 'IDC_a''b   '           / name"]);
        assert_eq!(primary_string_value(&h, "WCSNAME").as_deref(), Some("IDC_a'b"));
        assert_eq!(primary_string_value(&h, "HDRNAME"), None);
        assert_eq!(primary_string_value(b"garbage", "WCSNAME"), None);
    }
}
