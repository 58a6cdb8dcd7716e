//! "Did you mean" candidates for a misspelled parameter name.

/// Up to five names close to `wrong`: small edit distance, or one containing the other
/// (so `kernel` offers both `driz_sep_kernel` and `final_kernel`). Closest first.
pub(crate) fn closest_names(wrong: &str, names: &[&str]) -> Vec<String> {
    let wrong = wrong.to_ascii_lowercase();
    let limit = (wrong.chars().count() / 4).max(2);
    let mut scored: Vec<(usize, usize, &str)> = names
        .iter()
        .enumerate()
        .filter_map(|(order, &name)| {
            let d = levenshtein(&wrong, name);
            let contains = wrong.len() >= 3 && (name.contains(wrong.as_str()) || wrong.contains(name));
            (d <= limit || contains).then_some((d, order, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, _, n)| n.to_string()).collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn suggestions() {
        let names = ["final_kernel", "driz_sep_kernel", "final_bits", "crbit"];
        assert_eq!(closest_names("final_kernal", &names), ["final_kernel"]);
        assert_eq!(closest_names("kernel", &names), ["final_kernel", "driz_sep_kernel"]);
        assert!(closest_names("zzzzzzzz", &names).is_empty());
    }
}
