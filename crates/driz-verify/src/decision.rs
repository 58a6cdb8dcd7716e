//! runastrodriz's verdict on an alignment (spec §5.5), from the overlap and focus checks, the
//! match statistics of the a posteriori fit and the similarity to the default product.

/// `verified` decides whether the alignment is kept; `quality` is only logged (0 success,
/// 1 potentially compromised, 2 compromised, >2 failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub verified: bool,
    pub quality: u32,
}

/// The similarity index above which the quality is raised (it no longer affects `verified`).
pub const SIMILARITY_LIMIT: f64 = 1.0;

/// `n_match` = `matchSources` and `frac` = `matchSources / catalogSources` of the first row of
/// the a posteriori alignment table, or −1 and 1.0 outside a posteriori mode. `similarity` is the
/// similarity index of the new product against the default-pipeline product (`None` in
/// default-pipeline mode, where it is not computed). `single_member`: a one-exposure
/// association, which has no focus/overlap checks and is verified.
///
/// With few matches (`frac < 0.1` or `0 ≤ n_match < 10`) the focus check must pass too.
pub fn decide(
    overlap_ok: bool,
    focus_ok: bool,
    n_match: i64,
    frac: f64,
    similarity: Option<f64>,
    single_member: bool,
) -> Decision {
    let verified = if single_member {
        true
    } else if frac < 0.1 || (-1 < n_match && n_match < 10) {
        overlap_ok && focus_ok
    } else {
        overlap_ok
    };
    let mut quality = if verified { 0 } else { 3 };
    if similarity.is_some_and(|s| s > SIMILARITY_LIMIT) {
        quality += 3;
    }
    Decision { verified, quality }
}
