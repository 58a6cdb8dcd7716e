//! scipy.ndimage's Gaussian filter and Gaussian-Laplace filter, reproduced bit for bit.
//!
//! `gaussian_laplace(x, σ)` = Σ over axes of a Gaussian filter with a second-derivative kernel
//! along that axis and a smoothing kernel along the other, each a pair of separable 1-D passes
//! (axis 0 first). scipy stores every intermediate in the input's dtype (float32 images stay
//! float32 between passes), accumulates each 1-D correlation in float64 as
//! `w₀·x₀ + Σ_{j=R..1} (x₋ⱼ + x₊ⱼ)·wⱼ` (symmetric kernels, farthest taps first), extends lines
//! with mode `reflect` (half-sample symmetric, period 2n) and truncates the kernel at
//! `R = int(4σ + 0.5)`.

use ndarray::{Array2, ArrayView2, Axis, CowArray};
use rayon::prelude::*;

use crate::numpy_sum::pairwise_sum;
use crate::real::Real;

const TRUNCATE: f64 = 4.0;

/// Kernel radius of `gaussian_filter1d` with the default truncation.
pub fn kernel_radius(sigma: f64) -> usize {
    (TRUNCATE * sigma + 0.5) as usize
}

/// `scipy.ndimage._filters._gaussian_kernel1d(sigma, order, radius)` for order 0 or 2.
pub fn gaussian_kernel(sigma: f64, second_derivative: bool, radius: usize) -> Vec<f64> {
    let sigma2 = sigma * sigma;
    let scale = -0.5 / sigma2;
    let r = radius as i64;
    let phi: Vec<f64> = (-r..=r).map(|x| (scale * (x * x) as f64).exp()).collect();
    let total = pairwise_sum(&phi);
    let phi: Vec<f64> = phi.iter().map(|p| p / total).collect();
    if !second_derivative {
        return phi;
    }
    // The polynomial factor of the second derivative: q(x) = -1/σ² + x²/σ⁴, with the σ⁴ term
    // formed as the product of the two rounded -1/σ² factors, as the reference's matrix powers do.
    let a = 1.0 / -sigma2;
    let q2 = a * a;
    (-r..=r).zip(&phi).map(|(x, p)| (a + ((x * x) as f64) * q2) * p).collect()
}

/// Index of the reflect-mode extension: `… c b a | a b c | c b a …`.
#[inline]
pub fn reflect_index(i: i64, n: usize) -> usize {
    let n = n as i64;
    let m = i.rem_euclid(2 * n);
    (if m >= n { 2 * n - 1 - m } else { m }) as usize
}

/// Symmetric kernel as (centre weight, weights for offsets 1..=R).
struct SymmetricKernel {
    centre: f64,
    taps: Vec<f64>,
}

impl SymmetricKernel {
    fn new(weights: &[f64]) -> Self {
        let r = weights.len() / 2;
        SymmetricKernel { centre: weights[r], taps: weights[r + 1..].to_vec() }
    }
    fn radius(&self) -> usize {
        self.taps.len()
    }
}

/// 1-D correlation along axis 0 producing row `r` of the result, values rounded to `T`.
/// `input` is in standard (row-major contiguous) layout.
fn correlate_rows_into<T: Real>(input: &ArrayView2<T>, r: usize, k: &SymmetricKernel, acc: &mut [f64], out: &mut [T]) {
    let nrows = input.nrows();
    let row = |i: usize| input.row(i).to_slice().expect("standard layout");
    for (a, v) in acc.iter_mut().zip(row(r)) {
        *a = v.to_f64() * k.centre;
    }
    for j in (1..=k.radius()).rev() {
        let w = k.taps[j - 1];
        let up = row(reflect_index(r as i64 - j as i64, nrows));
        let down = row(reflect_index(r as i64 + j as i64, nrows));
        for ((a, u), d) in acc.iter_mut().zip(up).zip(down) {
            *a += (u.to_f64() + d.to_f64()) * w;
        }
    }
    for (o, a) in out.iter_mut().zip(acc.iter()) {
        *o = T::from_f64(*a);
    }
}

/// 1-D correlation along a row, in place, using `line` (length n + 2R) as the extended buffer.
fn correlate_line<T: Real>(row: &mut [T], k: &SymmetricKernel, line: &mut Vec<f64>, acc: &mut Vec<f64>) {
    let n = row.len();
    let r = k.radius();
    line.clear();
    line.extend((0..n + 2 * r).map(|i| row[reflect_index(i as i64 - r as i64, n)].to_f64()));
    acc.clear();
    acc.extend(line[r..r + n].iter().map(|v| v * k.centre));
    for j in (1..=r).rev() {
        let w = k.taps[j - 1];
        let left = &line[r - j..r - j + n];
        let right = &line[r + j..r + j + n];
        for ((a, l), rr) in acc.iter_mut().zip(left).zip(right) {
            *a += (l + rr) * w;
        }
    }
    for (o, a) in row.iter_mut().zip(acc.iter()) {
        *o = T::from_f64(*a);
    }
}

/// The image in row-major contiguous layout, which the row slices of the passes need
/// (a copy only when it is not already).
fn row_major<T: Real>(img: ArrayView2<T>) -> CowArray<T, ndarray::Ix2> {
    if img.is_standard_layout() { CowArray::from(img) } else { CowArray::from(img.as_standard_layout().into_owned()) }
}

/// `scipy.ndimage.gaussian_laplace(img, sigma)` with intermediates and output stored in `T`
/// (the input's dtype in scipy). Rows are processed in parallel; every output value depends only
/// on its own fixed-order arithmetic, so the result does not depend on the thread count.
pub fn gaussian_laplace_generic<T: Real>(img: ArrayView2<T>, sigma: f64) -> Array2<T> {
    let (nrows, ncols) = img.dim();
    let mut out = Array2::from_elem((nrows, ncols), T::ZERO);
    if nrows == 0 || ncols == 0 {
        return out;
    }
    let img = row_major(img);
    let img = img.view();
    let radius = kernel_radius(sigma);
    let smooth = SymmetricKernel::new(&gaussian_kernel(sigma, false, radius));
    let second = SymmetricKernel::new(&gaussian_kernel(sigma, true, radius));
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each_init(
        || (vec![T::ZERO; ncols], vec![T::ZERO; ncols], Vec::new(), vec![0f64; ncols]),
        |(along0, along1, line, acc), (r, mut out_row)| {
            // ∂²/∂y²: second derivative down the columns, then smoothing along the row.
            correlate_rows_into(&img, r, &second, acc, along0);
            correlate_line(along0, &smooth, line, acc);
            // ∂²/∂x²: smoothing down the columns, then second derivative along the row.
            acc.resize(ncols, 0.0);
            correlate_rows_into(&img, r, &smooth, acc, along1);
            correlate_line(along1, &second, line, acc);
            for ((o, a), b) in out_row.iter_mut().zip(along0.iter()).zip(along1.iter()) {
                *o = *a + *b;
            }
        },
    );
    out
}

/// `scipy.ndimage.gaussian_filter(img, sigma)` of a float32 image: the smoothing kernel down
/// the columns, then along the rows, float32 between the passes (reflect mode, truncate 4.0).
pub fn gaussian_filter_f32(img: ArrayView2<f32>, sigma: f64) -> Array2<f32> {
    let (nrows, ncols) = img.dim();
    let mut out = Array2::from_elem((nrows, ncols), 0f32);
    if nrows == 0 || ncols == 0 {
        return out;
    }
    let img = row_major(img);
    let img = img.view();
    let smooth = SymmetricKernel::new(&gaussian_kernel(sigma, false, kernel_radius(sigma)));
    out.axis_iter_mut(Axis(0)).into_par_iter().enumerate().for_each_init(
        || (Vec::new(), vec![0f64; ncols]),
        |(line, acc), (r, mut out_row)| {
            let row = out_row.as_slice_mut().expect("fresh arrays are contiguous");
            acc.resize(ncols, 0.0);
            correlate_rows_into(&img, r, &smooth, acc, row);
            correlate_line(row, &smooth, line, acc);
        },
    );
    out
}

/// `scipy.ndimage.gaussian_laplace` of a float64 image (reflect mode, truncate 4.0).
pub fn gaussian_laplace(img: ArrayView2<f64>, sigma: f64) -> Array2<f64> {
    gaussian_laplace_generic(img, sigma)
}

/// `scipy.ndimage.gaussian_laplace` of a float32 image: scipy keeps float32 storage between the
/// passes, which is what the reference does with the FITS data of the drizzled images.
pub fn gaussian_laplace_f32(img: ArrayView2<f32>, sigma: f64) -> Array2<f32> {
    gaussian_laplace_generic(img, sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_is_half_sample_symmetric_and_periodic() {
        let idx: Vec<usize> = (-7..10).map(|i| reflect_index(i, 3)).collect();
        assert_eq!(idx, vec![0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2]);
        assert_eq!(reflect_index(-5, 1), 0);
    }
}

#[cfg(test)]
mod vs_scipy {
    use super::*;

    #[test]
    fn kernels_are_bit_identical_to_scipy() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/verify/filters.json");
        let fx: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for k in fx["kernels"].as_array().unwrap() {
            let sigma = k["sigma"].as_f64().unwrap();
            let radius = k["radius"].as_u64().unwrap() as usize;
            assert_eq!(kernel_radius(sigma), radius);
            let ours = gaussian_kernel(sigma, k["order"].as_u64().unwrap() == 2, radius);
            let reference: Vec<f64> = k["weights"].as_array().unwrap().iter().map(|w| w.as_f64().unwrap()).collect();
            assert_eq!(ours, reference, "sigma {sigma} order {}", k["order"]);
        }
    }
}
