//! DQ bit flags: stsci.tools `bitmask.interpret_bit_flags` for strings, and the good-pixel
//! rule of `bitfield_to_boolean_mask` (drizzle-algorithms.md Part 2 §1.4).

use crate::error::ParamError;
use crate::pytext::py_int;

/// Parse a bit-flag string exactly as `interpret_bit_flags(str)` does:
///
/// * '', blanks, `None`, `INDEF` (any case) → `None` (no DQ masking at all);
/// * one integer, any value (`"4096"`, `"12"`, `"-4"`, `"1_024"`) → that value;
/// * a list joined by ',' *or* '+' (not both) of powers of two → their sum, duplicates
///   counted once (`"64,32"`, `"64+32"` → 96); a 0 or a non-power of two in a list is an error;
/// * a leading `~` (and only there) flips all bits of the result (`"~4096"`);
/// * the whole list may be wrapped in parentheses, repeatedly (`"~(64,32)"`).
///
/// Python returns an unbounded int (negative after `~`); this returns its low 32 bits in
/// two's complement, which masks any DQ of up to 32 bits identically (drizzlepac applies it
/// to uint16 DQ arrays). Integers beyond i128, which Python would still read, are rejected.
pub fn interpret_bit_flags(s: &str) -> Result<Option<u32>, ParamError> {
    let fail = |reason: String| ParamError::BitFlags { input: s.to_string(), reason };
    let text = s.trim();
    if matches!(text.to_uppercase().as_str(), "" | "NONE" | "INDEF") {
        return Ok(None);
    }

    let (flip, mut body) = match text.find('~') {
        Some(0) => (true, text[1..].trim_start()),
        Some(_) => return Err(fail("Bitwise-NOT must precede bit flag list.".into())),
        None => (false, text),
    };

    loop {
        let left = body.matches('(').count();
        let right = body.matches(')').count();
        if left == 0 && right == 0 {
            break;
        }
        if left != right {
            return Err(fail("Unbalanced parantheses in bit flag list.".into()));
        }
        let first = body.find('(').unwrap_or(0);
        let last = body.rfind(')').unwrap_or(0);
        if first > 0 || last + 1 < body.len() {
            return Err(fail("Incorrect syntax (incorrect use of parenthesis) in bit flag list.".into()));
        }
        body = body[1..body.len() - 1].trim();
    }

    let items: Vec<&str> = if body.contains(',') {
        body.split(',').collect()
    } else if body.contains('+') {
        body.split('+').collect()
    } else if body.is_empty() {
        return Err(fail(
            "Empty bit flag lists not allowed when either bitwise-NOT or parenthesis are present.".into(),
        ));
    } else {
        vec![body]
    };
    // A single number may be any bitmask; only lists must consist of flags.
    let allow_non_flags = items.len() == 1;

    let mut values = Vec::with_capacity(items.len());
    for item in &items {
        let v = py_int(item).ok_or_else(|| fail(format!("invalid literal for int() with base 10: '{item}'")))?;
        if !values.contains(&v) {
            values.push(v);
        }
    }
    let mut mask: i128 = 0;
    for v in values {
        if !allow_non_flags && !is_bit_flag(v) {
            return Err(fail("Input list contains invalid (not powers of two) bit flags".into()));
        }
        mask += v;
    }
    if flip {
        mask = !mask;
    }
    // Truncation keeps the two's-complement low bits, which is all a DQ mask uses.
    Ok(Some(mask as u32))
}

/// stsci.tools `is_bit_flag`: a positive power of two.
fn is_bit_flag(v: i128) -> bool {
    v >= 1 && v.count_ones() == 1
}

/// Whether a pixel with data-quality value `dq` is good when the flags in `ignore` are
/// ignored: `(dq & !ignore) == 0`. `None` ignores everything: every pixel is good.
pub fn good_pixel(dq: u16, ignore: Option<u32>) -> bool {
    match ignore {
        None => true,
        Some(bits) => u32::from(dq) & !bits == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_pixel_rule() {
        assert!(good_pixel(0, Some(0)));
        assert!(!good_pixel(4, Some(0)));
        assert!(good_pixel(4096 + 64, Some(4096 + 64 + 32)));
        assert!(!good_pixel(4096 + 1, Some(4096)));
        assert!(good_pixel(u16::MAX, None));
        // "~4096": everything but the CR bit is ignored.
        let not_cr = interpret_bit_flags("~4096").unwrap();
        assert!(good_pixel(64 | 32 | 1, not_cr));
        assert!(!good_pixel(4096 | 1, not_cr));
    }
}
