//! createMedian's row sections (`createMedian._median`): which rows each `combine` call gets
//! and which of its result rows are kept, including the reduction of `grow` when a section
//! is too small for the overlap.

use std::ops::Range;

/// One pass of createMedian's section loop, in frame rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSection {
    /// Rows handed to [`crate::combine`].
    pub rows: Range<usize>,
    /// Rows of the result written to the median image (a sub-range of `rows`).
    pub keep: Range<usize>,
}

/// The sections, and the grow actually used (possibly reduced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionPlan {
    pub grow: usize,
    pub sections: Vec<RowSection>,
}

/// Rows per section for `combine_bufsize` (MB, `None` = 1 MB), image width and the single
/// images' bytes per pixel: `int(1 MiB · bufsize / (cols · item_size))`, before the clamp
/// to the frame that [`plan_sections`] applies.
pub fn section_rows_for_buffer(bufsize_mb: Option<f64>, cols: usize, item_size: usize) -> usize {
    let bytes = 1024.0 * 1024.0 * bufsize_mb.unwrap_or(1.0);
    (bytes / (cols * item_size) as f64) as usize
}

/// createMedian's loop: sections of `section_rows` rows (clamped to the frame, at least 1)
/// overlapping by 2·grow rows; grow drops to (section_rows − 1)/2 when a section cannot hold
/// 2·grow + 1 rows. Rows of the frame are covered by the `keep` ranges in order; the last
/// section may be shifted back and rewrite rows already kept (with equal values).
pub fn plan_sections(frame_rows: usize, section_rows: usize, grow: usize) -> SectionPlan {
    let section_rows = section_rows.min(frame_rows).max(1);
    let grow = if section_rows < 2 * grow + 1 { (section_rows - 1) / 2 } else { grow };
    let overlap = 2 * grow;
    let step = section_rows - overlap;
    let span = frame_rows.saturating_sub(overlap);
    let count = span.div_ceil(step);
    let sections = (0..count)
        .map(|k| {
            let mut first = k * step;
            let mut end = first + section_rows;
            let keep_first = if k == 0 { 0 } else { grow };
            let mut keep_end = grow + step;
            if k == count - 1 {
                end = end.min(frame_rows);
                first = first.min(end - overlap - 1);
                keep_end = end - first;
            }
            RowSection { rows: first..end, keep: first + keep_first..first + keep_end }
        })
        .collect();
    SectionPlan { grow, sections }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_cover_the_frame() {
        for frame_rows in 1..40 {
            for section_rows in 1..45 {
                for grow in 0..4 {
                    let plan = plan_sections(frame_rows, section_rows, grow);
                    let mut covered = vec![false; frame_rows];
                    for s in &plan.sections {
                        assert!(s.rows.start <= s.keep.start && s.keep.end <= s.rows.end, "{s:?}");
                        assert!(s.rows.end <= frame_rows);
                        covered[s.keep.clone()].iter_mut().for_each(|c| *c = true);
                        // Kept rows are grow away from a cut, or at a frame edge.
                        assert!(s.keep.start == 0 || s.keep.start >= s.rows.start + plan.grow);
                        assert!(s.keep.end == frame_rows || s.keep.end + plan.grow <= s.rows.end);
                    }
                    assert!(covered.iter().all(|&c| c), "{frame_rows} {section_rows} {grow}: {plan:?}");
                }
            }
        }
    }

    #[test]
    fn buffer_rows_follow_create_median() {
        assert_eq!(section_rows_for_buffer(None, 4300, 4), 60);
        assert_eq!(section_rows_for_buffer(Some(2.5), 1000, 4), 655);
    }
}
