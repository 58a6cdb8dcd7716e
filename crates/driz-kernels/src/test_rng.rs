//! The unit tests' pseudo-random numbers: one fixed linear congruential sequence.

/// Uniform deviates in [0, 1) (53 bits each), the same sequence for the same `seed`.
pub(crate) fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}
