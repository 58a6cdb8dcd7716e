//! The photutils `SourceCatalog` properties the reference uses (no background, no error, no
//! separate convolved image): image moments, centroid, covariance shape, flux, peak, area;
//! and drizzlepac's moments-based cosmic-ray classifier `classify_sources`.

use ndarray::ArrayView2;

use crate::numpy_sum::pairwise_sum_f64;
use crate::segmentation::BoundingBox;

/// Properties of one segment; positions are relative to the image passed in.
#[derive(Clone, Debug)]
pub struct SegmentProperties {
    pub xcentroid: f64,
    pub ycentroid: f64,
    /// Central moments `mu[p][q]` = Σ (y−ȳ)^p · (x−x̄)^q · I, p, q ≤ 3.
    pub moments_central: [[f64; 4]; 4],
    pub semiminor_sigma: f64,
    pub elongation: f64,
    pub segment_flux: f64,
    pub max_value: f64,
    pub area: usize,
}

fn moments(cut: &[f64], h: usize, w: usize, yc: f64, xc: f64) -> [[f64; 4]; 4] {
    let mut m = [[0.0; 4]; 4];
    for y in 0..h {
        let dy = y as f64 - yc;
        let ypow = [1.0, dy, dy * dy, dy * dy * dy];
        for x in 0..w {
            let v = cut[y * w + x];
            if v == 0.0 {
                continue;
            }
            let dx = x as f64 - xc;
            let xpow = [1.0, dx, dx * dx, dx * dx * dx];
            for p in 0..4 {
                for q in 0..4 {
                    m[p][q] += ypow[p] * v * xpow[q];
                }
            }
        }
    }
    m
}

/// Properties of the pixels labelled `label` inside `bbox` of `labels`, measured on `data`.
pub fn segment_properties(
    data: ArrayView2<f32>,
    labels: ArrayView2<u32>,
    label: u32,
    bbox: BoundingBox,
) -> SegmentProperties {
    let h = bbox.y1 - bbox.y0;
    let w = bbox.x1 - bbox.x0;
    let mut moment_data = vec![0.0f64; h * w];
    let mut values = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let (iy, ix) = (bbox.y0 + y, bbox.x0 + x);
            if labels[[iy, ix]] != label {
                continue;
            }
            let v = data[[iy, ix]];
            if v.is_finite() {
                values.push(v as f64);
                if v >= 0.0 {
                    moment_data[y * w + x] = v as f64;
                }
            }
        }
    }
    let raw = moments(&moment_data, h, w, 0.0, 0.0);
    let ycen = raw[1][0] / raw[0][0];
    let xcen = raw[0][1] / raw[0][0];
    let mu = moments(&moment_data, h, w, ycen, xcen);
    let (semimajor, semiminor) = covariance_axes(&mu);
    let (segment_flux, max_value) = if values.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        (pairwise_sum_f64(&values), values.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    };
    SegmentProperties {
        xcentroid: xcen + bbox.x0 as f64,
        ycentroid: ycen + bbox.y0 as f64,
        moments_central: mu,
        semiminor_sigma: semiminor,
        elongation: semimajor / semiminor,
        segment_flux,
        max_value,
        area: values.len(),
    }
}

/// Semimajor and semiminor σ from the normalised second central moments, with photutils'
/// regularisation (add 1/12 to the diagonal until det ≥ 1/144; negative det → NaN).
fn covariance_axes(mu: &[[f64; 4]; 4]) -> (f64, f64) {
    let m00 = mu[0][0];
    let mut a = mu[0][2] / m00;
    let b = mu[1][1] / m00;
    let mut c = mu[2][0] / m00;
    let delta = 1.0 / 12.0;
    let det = |a: f64, c: f64| a * c - b * b;
    let det0 = det(a, c);
    if det0.is_nan() || det0 < 0.0 {
        return (f64::NAN, f64::NAN);
    }
    while det(a, c) < delta * delta {
        a += delta;
        c += delta;
    }
    let mean = (a + c) / 2.0;
    let radius = (((a - c) / 2.0).powi(2) + b * b).sqrt();
    let (l1, l2) = (mean + radius, mean - radius);
    if !(l1 >= 0.0 && l2 >= 0.0) {
        return (f64::NAN, f64::NAN);
    }
    (l1.sqrt(), l2.sqrt())
}

/// drizzlepac's `classify_sources`: true for a likely real source, false for a likely CR.
pub fn is_real_source(props: &SegmentProperties, fwhm: f64) -> bool {
    let mut mu = props.moments_central;
    // NaNs become 0 (numpy's nan_to_num called with copy=-1), infinities the largest floats
    let has_nan = mu.iter().flatten().any(|v| v.is_nan());
    if has_nan {
        for v in mu.iter_mut().flatten() {
            *v = if v.is_nan() {
                0.0
            } else if *v == f64::INFINITY {
                f64::MAX
            } else if *v == f64::NEG_INFINITY {
                f64::MIN
            } else {
                *v
            };
        }
    }
    let mut best = (0usize, 0usize);
    let mut max = f64::NEG_INFINITY;
    for (p, row) in mu.iter().enumerate() {
        for (q, &v) in row.iter().enumerate() {
            if v > max {
                max = v;
                best = (p, q);
            }
        }
    }
    let peak_in_higher_moments = best.0 > 1 && best.1 > 1;
    let narrow = props.semiminor_sigma < 0.75 * fwhm;
    let elongated = props.elongation > 2.0;
    let finite_centroid = !props.xcentroid.is_nan() && !props.ycentroid.is_nan();
    peak_in_higher_moments && !(narrow && elongated) && finite_centroid
}
