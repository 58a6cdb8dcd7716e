//! Matching a catalog that merges several exposures' detections: tweakwcs keeps the lowest
//! detection of each star, which biases a fit along y by about one centroid σ; the
//! averaging variant keeps the same points at the mean of their detections.

use driz_tweak::{MatchParams, merge_coincident, xyxy_match, xyxy_match_merged};

/// splitmix64 and Box–Muller: a reproducible normal sequence without dependencies.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `stars` reference positions on a sparse grid and `exposures` noisy detections of each.
fn scene(stars: usize, exposures: usize, sigma: f64, seed: u64) -> (Vec<[f64; 2]>, Vec<[f64; 2]>, Vec<usize>) {
    let mut rng = Normal(seed);
    let reference: Vec<[f64; 2]> = (0..stars)
        .map(|k| [40.0 + 37.0 * (k % 25) as f64 + 5.0 * rng.uniform(), 40.0 + 41.0 * (k / 25) as f64])
        .collect();
    let (mut img, mut source) = (Vec::new(), Vec::new());
    for e in 0..exposures {
        for r in &reference {
            img.push([r[0] + sigma * rng.sample(), r[1] + sigma * rng.sample()]);
            source.push(e);
        }
    }
    (reference, img, source)
}

fn params() -> MatchParams {
    MatchParams { searchrad: 5.0, separation: 4.0, tolerance: 2.0, use2dhist: false, ..MatchParams::default() }
}

fn mean_offset(reference: &[[f64; 2]], m: &driz_tweak::Matches) -> [f64; 2] {
    let n = m.ref_idx.len() as f64;
    let mut sum = [0.0; 2];
    for (&r, p) in m.ref_idx.iter().zip(&m.img_pos) {
        sum[0] += p[0] - reference[r][0];
        sum[1] += p[1] - reference[r][1];
    }
    [sum[0] / n, sum[1] / n]
}

#[test]
fn averaging_removes_the_lowest_detection_bias() {
    let sigma = 0.12;
    let (reference, img, source) = scene(500, 4, sigma, 7);
    let first = xyxy_match(&reference, &img, &params(), 1.0).unwrap();
    let merged = xyxy_match_merged(&reference, &img, &source, &params(), 1.0).unwrap();
    assert_eq!(first.ref_idx.len(), 500);
    assert_eq!(merged.ref_idx.len(), 500);
    // The kept detection is the same one; only its position differs.
    assert_eq!(first.img_idx, merged.img_idx);
    for (&i, p) in first.img_idx.iter().zip(&first.img_pos) {
        assert_eq!(img[i], *p);
    }
    // The minimum of four normal draws lies 1.03 σ below their mean.
    let biased = mean_offset(&reference, &first);
    assert!((biased[1] / sigma + 1.03).abs() < 0.1, "lowest detection: mean y offset {} σ", biased[1] / sigma);
    assert!(biased[0].abs() < 4.0 * sigma / 500f64.sqrt());
    // The mean of four has σ/2; over 500 stars the offset is within 4 standard errors of 0.
    let bound = 4.0 * sigma / 2.0 / 500f64.sqrt();
    let unbiased = mean_offset(&reference, &merged);
    assert!(unbiased[0].abs() < bound && unbiased[1].abs() < bound, "{unbiased:?} (bound {bound})");
}

#[test]
fn merging_keeps_one_point_per_catalog_and_never_mixes_a_catalogs_own_stars() {
    // Catalog 0 has two stars 1 px apart; catalog 1 sees one of them twice (a close
    // double detection) and catalog 2 once, far enough away to stay separate.
    let points = [[10.0, 10.0], [11.0, 10.5], [10.2, 10.4], [10.6, 11.2], [30.0, 30.0]];
    let source = [0, 0, 1, 1, 2];
    let (kept, merged) = merge_coincident(&points, &source, 4.0);
    // The first in (y, x) order survives and absorbs the rest of its neighbourhood.
    assert_eq!(kept, vec![0, 4]);
    // Point 1 is the same catalog's other star: dropped, not averaged. Of catalog 1's two
    // detections, the nearer one (2) is averaged.
    let want = [(10.0 + 10.2) / 2.0, (10.0 + 10.4) / 2.0];
    assert!((merged[0][0] - want[0]).abs() < 1e-15 && (merged[0][1] - want[1]).abs() < 1e-15, "{:?}", merged[0]);
    assert_eq!(merged[1], [30.0, 30.0]);
}

#[test]
fn a_single_catalog_matches_exactly_as_tweakwcs() {
    let (reference, img, _) = scene(300, 1, 0.3, 11);
    let source = vec![0; img.len()];
    let first = xyxy_match(&reference, &img, &params(), 1.0).unwrap();
    let merged = xyxy_match_merged(&reference, &img, &source, &params(), 1.0).unwrap();
    assert_eq!(first, merged);
    assert!(xyxy_match_merged(&reference, &img, &source[1..], &params(), 1.0).is_err());
}
