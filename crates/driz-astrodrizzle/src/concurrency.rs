//! How many large work items (images, chips) run at once: one per thread while their
//! working sets together stay under a budget, else fewer, down to one at a time with the
//! parallelism inside the item (the drizzle kernels, blot and the CR test parallelise over
//! rows, less efficiently). Memory stays bounded whatever the number of threads.

use rayon::prelude::*;

/// Memory the items running at the same time may use together (bytes).
const BUDGET: usize = 768 * 1024 * 1024;

/// Items that may run at the same time.
pub fn items_at_once(bytes_per_item: usize) -> usize {
    let fit = BUDGET / bytes_per_item.max(1);
    fit.clamp(1, rayon::current_num_threads().max(1))
}

/// `f` over `items` in order, at most `at_once` at the same time; results in item order.
pub fn map_limited<T: Sync, R: Send, E: Send>(
    items: &[T],
    at_once: usize,
    f: impl Fn(&T) -> Result<R, E> + Sync + Send,
) -> Result<Vec<R>, E> {
    let mut out = Vec::with_capacity(items.len());
    for group in items.chunks(at_once.max(1)) {
        let results: Vec<Result<R, E>> =
            if group.len() == 1 { vec![f(&group[0])] } else { group.par_iter().map(&f).collect() };
        for r in results {
            out.push(r?);
        }
    }
    Ok(out)
}
