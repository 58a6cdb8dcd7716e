//! Header edits with astropy's placement rules, which decide where fitsblender's new
//! cards land: new keywords go after the last card that is neither commentary nor blank,
//! HISTORY after the last HISTORY, each addition eats trailing blank cards, and a card
//! keeps its original text unless its value really changes (astropy's notion of change).

use crate::aggregate::BlendValue;
use crate::astropy_format::new_card;
use driz_header::{Card, Header, Value};

/// Keywords astropy treats as commentary when placing new cards.
fn is_commentary_keyword(keyword: &str) -> bool {
    matches!(keyword, "" | "COMMENT" | "HISTORY")
}

fn is_blank(card: &Card) -> bool {
    card.keyword.is_empty() && card.value.is_none() && card.comment.trim().is_empty()
}

/// A header being edited: a plain card list, turned back into a [`Header`] at the end.
#[derive(Debug, Clone)]
pub(crate) struct CardList {
    pub(crate) cards: Vec<Card>,
}

impl CardList {
    pub(crate) fn from_header(header: &Header) -> CardList {
        CardList { cards: header.cards().to_vec() }
    }

    pub(crate) fn into_header(self) -> Header {
        let images: Vec<String> = self.cards.iter().flat_map(Card::images).collect();
        // Images made by driz-header from valid cards always parse back.
        Header::from_card_images(images.iter().map(String::as_str)).unwrap_or_default()
    }

    fn position(&self, keyword: &str) -> Option<usize> {
        self.cards.iter().position(|c| c.value.is_some() && c.keyword == keyword)
    }

    pub(crate) fn contains(&self, keyword: &str) -> bool {
        self.position(keyword).is_some()
    }

    pub(crate) fn get(&self, keyword: &str) -> Option<&Value> {
        self.position(keyword).and_then(|i| self.cards[i].value.as_ref())
    }

    /// Delete every card with this keyword (astropy's `del header[kw]`).
    pub(crate) fn delete_all(&mut self, keyword: &str) {
        self.cards.retain(|c| c.keyword != keyword);
    }

    /// `header[kw] = value` (comment `None`) or `header[kw] = (value, comment)`.
    pub(crate) fn set(&mut self, keyword: &str, value: &BlendValue, comment: Option<&str>) {
        match self.position(keyword) {
            Some(i) => {
                let card = &self.cards[i];
                let new_comment = comment.unwrap_or(&card.comment);
                let changed = value_changes(card.value.as_ref(), value) || new_comment != card.comment;
                if changed {
                    let keep_value = !value_changes(card.value.as_ref(), value);
                    let new_value = match (&card.value, keep_value) {
                        (Some(old), true) => old.clone(),
                        _ => value.to_value(),
                    };
                    self.cards[i] = new_card(&card.keyword.clone(), new_value, new_comment);
                }
            }
            None => self.append(new_card(keyword, value.to_value(), comment.unwrap_or(""))),
        }
    }

    /// astropy's `Header.append(card)` for a value card: after the last card that is
    /// neither blank nor commentary.
    pub(crate) fn append(&mut self, card: Card) {
        let mut at = self.cards.len();
        while at > 0 && is_blank(&self.cards[at - 1]) {
            at -= 1;
        }
        while at > 0 && is_commentary_keyword(&self.cards[at - 1].keyword) {
            at -= 1;
        }
        let images = card.images().len();
        self.cards.insert(at, card);
        self.use_blanks(images);
    }

    /// astropy's `add_history`: after the last HISTORY card, or after the last
    /// non-blank card when there is none.
    pub(crate) fn add_history(&mut self, text: &str) {
        let card = Card::commentary("HISTORY", text);
        let images = card.images().len();
        match self.cards.iter().rposition(|c| c.keyword == "HISTORY") {
            Some(last) if last + 1 >= self.cards.len() => self.cards.push(card),
            Some(last) => {
                self.cards.insert(last + 1, card);
                self.use_blanks(images);
            }
            None => {
                let mut at = self.cards.len();
                while at > 0 && is_blank(&self.cards[at - 1]) {
                    at -= 1;
                }
                self.cards.insert(at, card);
                self.use_blanks(images);
            }
        }
    }

    /// Remove up to `count` blank cards from the end, so that an addition does not grow
    /// a header that had room left.
    fn use_blanks(&mut self, count: usize) {
        if self.trailing_blanks() == 0 {
            return;
        }
        for _ in 0..count {
            match self.cards.last() {
                Some(last) if is_blank(last) => {
                    self.cards.pop();
                }
                _ => break,
            }
        }
    }

    /// astropy's `_countblanks` (which reports 0 for a header made only of blanks).
    fn trailing_blanks(&self) -> usize {
        for back in 1..self.cards.len() {
            if !is_blank(&self.cards[self.cards.len() - back]) {
                return back - 1;
            }
        }
        0
    }
}

/// Whether assigning `new` over `old` changes the card for astropy: strings compare
/// without trailing blanks, logicals by identity, anything else by value *and* type
/// (so an int card given a numpy integer, or a float card given an int, is rewritten).
fn value_changes(old: Option<&Value>, new: &BlendValue) -> bool {
    match (old, new) {
        (Some(Value::Text(a)), BlendValue::Text(b)) => a.trim_end() != b.trim_end(),
        (Some(Value::Logical(a)), BlendValue::Bool(b)) => a != b,
        (Some(Value::Logical(_)), _) | (_, BlendValue::Bool(_)) => true,
        (Some(Value::Integer(a)), BlendValue::Int { value, numpy: false }) => a != value,
        (Some(Value::Float(a)), BlendValue::Float(b)) => a != b,
        _ => true,
    }
}
