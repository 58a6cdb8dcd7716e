//! scikit-image 0.26 `transform.probabilistic_hough_line`: the progressive probabilistic Hough
//! transform (Galamhos, Matas & Kittler 1999) as skimage's Cython loop runs it.
//!
//! Edge pixels are taken in a shuffled order (in raster order before shuffling, as
//! `np.nonzero` lists them), the shuffled array being consumed from its last element to its
//! first. Each pixel still present votes in every angle's accumulator cell
//! `round(x·cosθ + y·sinθ) + offset` (C `round`, halves away from zero); the first angle
//! with the highest count after the vote defines the line direction. The walk from the pixel
//! goes both ways with 16-bit fixed-point steps along the minor axis, stops after more than
//! `line_gap` consecutive empty positions or at the image edge, and ends at the last edge pixel
//! met. A segment is kept when its x or y extent (end − start, not +1) reaches `line_length`;
//! then every edge pixel still present on the walked path is removed and un-votes — including
//! pixels that had not voted yet, as skimage does (their accumulator cells may go negative).
//!
//! skimage draws the shuffle from an unseeded `np.random.default_rng()`, so its lines vary from
//! run to run. [`probabilistic_hough_line`] uses a deterministic shuffle instead
//! ([`seeded_permutation`]: SplitMix64, Fisher–Yates from the last position down); the walk
//! itself can be replayed for any given order with [`probabilistic_hough_line_ordered`] (for
//! instance the order numpy's `default_rng(seed).shuffle` produced).

use ndarray::{Array2, ArrayView2};

use crate::DetectError;

/// The fixed seed of the shuffle [`probabilistic_hough_line`] uses by default.
pub const HOUGH_SEED: u64 = 0x005E_ED0F_6A1D_1A7C;

/// Fixed-point shift of the walk (skimage's `shift = 16`).
const SHIFT: u32 = 16;

/// skimage's maximum number of lines returned (`lines_max = 2**15`).
const LINES_MAX: usize = 1 << 15;

/// A detected segment, end points in pixel coordinates `(x, y)` as skimage returns them
/// (`((x0, y0), (x1, y1))`): `start` is the end reached walking along the line direction,
/// `end` the one reached walking back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoughLine {
    pub start: (i64, i64),
    pub end: (i64, i64),
}

/// skimage's default angles: `np.linspace(-π/2, π/2, 180, endpoint=False)`.
pub fn default_hough_angles() -> Vec<f64> {
    let start = -std::f64::consts::FRAC_PI_2;
    let step = std::f64::consts::PI / 180.0;
    (0..180).map(|i| i as f64 * step + start).collect()
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny generator with a full 64-bit period.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..=max` by Lemire's multiply-shift (bias below 2⁻³² for image sizes).
    fn up_to(&mut self, max: usize) -> usize {
        ((self.next_u64() as u128 * (max as u128 + 1)) >> 64) as usize
    }
}

/// A deterministic shuffle of `0..n`: Fisher–Yates from the last position down, each position
/// `i` swapped with a SplitMix64 draw in `0..=i`.
pub fn seeded_permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64(seed);
    for i in (1..n).rev() {
        let j = rng.up_to(i);
        order.swap(i, j);
    }
    order
}

/// Non-zero pixels of the edge map in raster order (`np.nonzero`), as (y, x).
fn edge_pixels(edges: ArrayView2<bool>) -> Vec<(usize, usize)> {
    edges.indexed_iter().filter(|(_, e)| **e).map(|(p, _)| p).collect()
}

/// `probabilistic_hough_line(edges, threshold, line_length, line_gap, theta)` with the pixel
/// order drawn by [`seeded_permutation`] from `seed` (skimage's is unseeded). `theta`: the
/// angles in radians, `None` for [`default_hough_angles`].
pub fn probabilistic_hough_line(
    edges: ArrayView2<bool>,
    threshold: i64,
    line_length: usize,
    line_gap: usize,
    theta: Option<&[f64]>,
    seed: u64,
) -> Result<Vec<HoughLine>, DetectError> {
    let count = edges.iter().filter(|e| **e).count();
    probabilistic_hough_line_ordered(edges, threshold, line_length, line_gap, theta, &seeded_permutation(count, seed))
}

/// The transform with an explicit pixel order: `shuffled` is skimage's shuffled
/// `arange(n_edge_pixels)` (indices into the raster-order list of edge pixels), consumed from
/// its end.
pub fn probabilistic_hough_line_ordered(
    edges: ArrayView2<bool>,
    threshold: i64,
    line_length: usize,
    line_gap: usize,
    theta: Option<&[f64]>,
    shuffled: &[usize],
) -> Result<Vec<HoughLine>, DetectError> {
    let pixels = edge_pixels(edges);
    if shuffled.len() != pixels.len() || shuffled.iter().any(|&i| i >= pixels.len()) {
        return Err(DetectError::InvalidInput(format!(
            "hough: the pixel order must index the {} edge pixels",
            pixels.len()
        )));
    }
    let default_theta;
    let theta = match theta {
        Some(t) => t,
        None => {
            default_theta = default_hough_angles();
            &default_theta
        }
    };
    if theta.is_empty() || theta.iter().any(|t| !t.is_finite()) {
        return Err(DetectError::InvalidInput("hough: angles must be finite and not empty".into()));
    }
    let (height, width) = edges.dim();
    let (height, width) = (height as i64, width as i64);
    let cos: Vec<f64> = theta.iter().map(|t| t.cos()).collect();
    let sin: Vec<f64> = theta.iter().map(|t| t.sin()).collect();
    let nthetas = theta.len();
    let max_distance = 2 * ((height * height + width * width) as f64).sqrt().ceil() as i64;
    let offset = max_distance / 2;
    // one spare row: a distance rounding to +offset would index past skimage's accumulator
    let mut accum = vec![0i64; (max_distance as usize + 1) * nthetas];
    let cell = |x: i64, y: i64, j: usize| -> usize {
        let rho = (cos[j] * x as f64 + sin[j] * y as f64).round() as i64 + offset;
        rho as usize * nthetas + j
    };
    let mut present: Array2<bool> = edges.to_owned();
    let mut lines = Vec::new();
    let mut line_end = [0i64; 4];

    for &index in shuffled.iter().rev() {
        let (py0, px0) = pixels[index];
        let (x, y) = (px0 as i64, py0 as i64);
        if !present[[py0, px0]] {
            continue;
        }
        let mut max_value = threshold - 1;
        let mut max_theta: Option<usize> = None;
        for j in 0..nthetas {
            let c = cell(x, y, j);
            accum[c] += 1;
            if accum[c] > max_value {
                max_value = accum[c];
                max_theta = Some(j);
            }
        }
        let Some(best) = max_theta else { continue };
        if max_value < threshold {
            continue;
        }

        // direction of the line (perpendicular to the normal angle), fixed point on the minor axis
        let a = -sin[best];
        let b = cos[best];
        let steps_along_x = a.abs() > b.abs();
        let (mut x0, mut y0) = (x, y);
        let (dx0, dy0) = if steps_along_x {
            y0 = (y0 << SHIFT) + (1 << (SHIFT - 1));
            (if a > 0.0 { 1 } else { -1 }, (b * (1i64 << SHIFT) as f64 / a.abs()).round() as i64)
        } else {
            x0 = (x0 << SHIFT) + (1 << (SHIFT - 1));
            ((a * (1i64 << SHIFT) as f64 / b.abs()).round() as i64, if b > 0.0 { 1 } else { -1 })
        };
        let position = |px: i64, py: i64| if steps_along_x { (px, py >> SHIFT) } else { (px >> SHIFT, py) };

        // pass 1: find both ends, bridging at most `line_gap` empty positions
        for k in 0..2 {
            let (dx, dy) = if k == 0 { (dx0, dy0) } else { (-dx0, -dy0) };
            let (mut px, mut py) = (x0, y0);
            let mut gap = 0usize;
            loop {
                let (x1, y1) = position(px, py);
                if x1 < 0 || x1 >= width || y1 < 0 || y1 >= height {
                    break;
                }
                gap += 1;
                if present[[y1 as usize, x1 as usize]] {
                    gap = 0;
                    line_end[2 * k] = x1;
                    line_end[2 * k + 1] = y1;
                } else if gap > line_gap {
                    break;
                }
                px += dx;
                py += dy;
            }
        }
        let long_enough = (line_end[3] - line_end[1]).unsigned_abs() >= line_length as u64
            || (line_end[2] - line_end[0]).unsigned_abs() >= line_length as u64;
        if !long_enough {
            continue;
        }

        // pass 2: remove the pixels of the segment and take back their votes
        for k in 0..2 {
            let (dx, dy) = if k == 0 { (dx0, dy0) } else { (-dx0, -dy0) };
            let (mut px, mut py) = (x0, y0);
            loop {
                let (x1, y1) = position(px, py);
                if present[[y1 as usize, x1 as usize]] {
                    present[[y1 as usize, x1 as usize]] = false;
                    for j in 0..nthetas {
                        accum[cell(x1, y1, j)] -= 1;
                    }
                }
                if x1 == line_end[2 * k] && y1 == line_end[2 * k + 1] {
                    break;
                }
                px += dx;
                py += dy;
            }
        }
        lines.push(HoughLine { start: (line_end[0], line_end[1]), end: (line_end[2], line_end[3]) });
        if lines.len() >= LINES_MAX {
            break;
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws a one-pixel line of length `len` from (x0, y0) at `angle_deg` (image y down).
    fn draw(img: &mut Array2<bool>, x0: f64, y0: f64, len: f64, angle_deg: f64) {
        let (c, s) = (angle_deg.to_radians().cos(), angle_deg.to_radians().sin());
        let n = (len * 4.0) as usize;
        for i in 0..=n {
            let t = len * i as f64 / n as f64;
            img[[(y0 + t * s).round() as usize, (x0 + t * c).round() as usize]] = true;
        }
    }

    fn angle(line: &HoughLine) -> f64 {
        let rise = (line.end.1 - line.start.1) as f64;
        let run = (line.end.0 - line.start.0) as f64;
        let a = rise.atan2(run).to_degrees();
        // direction modulo 180°
        if a < 0.0 { a + 180.0 } else { a }
    }

    #[test]
    fn permutation_is_a_deterministic_shuffle() {
        let p = seeded_permutation(1000, 7);
        let mut sorted = p.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_eq!(p, seeded_permutation(1000, 7));
        assert_ne!(p, seeded_permutation(1000, 8));
        assert_ne!(p, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn default_angles_span_half_a_turn() {
        let t = default_hough_angles();
        assert_eq!(t.len(), 180);
        assert_eq!(t[0], -std::f64::consts::FRAC_PI_2);
        assert!((t[179] - (std::f64::consts::FRAC_PI_2 - std::f64::consts::PI / 180.0)).abs() < 1e-15);
    }

    #[test]
    fn drawn_lines_are_found_at_their_angle_and_length() {
        for (angle_deg, len) in
            [(0.0, 60.0), (17.0, 70.0), (32.0, 50.0), (45.0, 80.0), (90.0, 40.0), (128.0, 60.0), (163.0, 90.0)]
        {
            for seed in [1u64, 2, 3] {
                let mut img = Array2::from_elem((128, 128), false);
                let x0 = if angle_deg > 90.0 { 110.0 } else { 10.0 };
                draw(&mut img, x0, 10.0, len, angle_deg);
                let lines = probabilistic_hough_line(img.view(), 25, 30, 3, None, seed).unwrap();
                // the fixed-point walk may leave a few raster pixels of the drawn line for a
                // second, shorter parallel segment
                assert!(!lines.is_empty() && lines.len() <= 2, "angle {angle_deg} seed {seed}: {lines:?}");
                let length =
                    |l: &HoughLine| (((l.end.0 - l.start.0).pow(2) + (l.end.1 - l.start.1).pow(2)) as f64).sqrt();
                let angle_error = |l: &HoughLine| {
                    let found = angle(l);
                    (found - angle_deg).abs().min(180.0 - (found - angle_deg).abs())
                };
                // integer end points of a ≥ 30 px segment quantise its angle to about 2°; the
                // length-weighted mean direction is within 1°
                assert!(lines.iter().all(|l| angle_error(l) <= 2.5), "angle {angle_deg}: {lines:?}");
                let total: f64 = lines.iter().map(length).sum();
                let mean_error: f64 = lines.iter().map(|l| angle_error(l) * length(l)).sum::<f64>() / total;
                assert!(mean_error <= 1.0, "angle {angle_deg}: {lines:?}");
                let longest = lines.iter().map(length).fold(0.0, f64::max);
                assert!(longest >= 0.6 * len, "angle {angle_deg}: {lines:?}");
                assert!(longest <= len + 1.0, "length {longest} for {len}");
            }
        }
    }

    #[test]
    fn short_segments_and_empty_images_give_no_lines() {
        let mut img = Array2::from_elem((64, 64), false);
        assert!(probabilistic_hough_line(img.view(), 0, 33, 0, None, 1).unwrap().is_empty());
        draw(&mut img, 5.0, 5.0, 20.0, 30.0);
        assert!(probabilistic_hough_line(img.view(), 0, 33, 0, None, 1).unwrap().is_empty());
        assert!(probabilistic_hough_line_ordered(img.view(), 0, 33, 0, None, &[0, 1]).is_err());
    }
}
