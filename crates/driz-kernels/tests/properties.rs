//! Properties the reference guarantees by construction: flux and weight conservation,
//! results independent of the number of threads, and clear errors for bad input.

use driz_kernels::{AddParams, AddPlan, Drizzle, Interp, Kernel, KernelError, MapFn, PixelMap, Units, blot};
use ndarray::Array2;

/// A smooth, distorted, rotated mapping of an `nx` × `ny` input onto a larger output.
fn distorted_map(nx: usize, ny: usize) -> Vec<[f64; 2]> {
    let (s, c) = 0.4f64.sin_cos();
    (0..ny)
        .flat_map(|j| (0..nx).map(move |i| (i as f64, j as f64)))
        .map(|(x, y)| {
            let (u, v) = (x - nx as f64 / 2.0, y - ny as f64 / 2.0);
            let du = 2e-5 * u * u - 1e-5 * u * v;
            let dv = 1.5e-5 * v * v + 0.8e-5 * u * v;
            [180.0 + c * (u + du) - s * (v + dv), 160.0 + s * (u + du) + c * (v + dv)]
        })
        .collect()
}

fn noise(nx: usize, ny: usize) -> Array2<f32> {
    let mut state = 12345u64;
    Array2::from_shape_fn((ny, nx), |_| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as f32 / (1u64 << 31) as f32) * 100.0 + 10.0
    })
}

fn run(
    kernel: Kernel,
    pixfrac: f64,
    threads: usize,
    data: &Array2<f32>,
    weights: &Array2<f32>,
    xy: &[[f64; 2]],
) -> Drizzle {
    let (ny, nx) = data.dim();
    let map = PixelMap::new(nx, ny, xy).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let mut d = Drizzle::new(360, 330, Some(0.0));
        for k in 0..3 {
            let params = AddParams { kernel, pixfrac, exptime: 100.0 + k as f32, ..Default::default() };
            d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
        }
        d
    })
}

#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let (nx, ny) = (300, 280);
    let data = noise(nx, ny);
    let weights = data.mapv(|v| if v > 100.0 { 0.0 } else { 1.0 + v / 50.0 });
    let xy = distorted_map(nx, ny);
    // pixfrac 1: square drops share their corners (computed once per row of pixels).
    for (kernel, pixfrac) in [
        (Kernel::Square, 0.8),
        (Kernel::Square, 1.0),
        (Kernel::Point, 0.8),
        (Kernel::Turbo, 0.8),
        (Kernel::Gaussian, 0.8),
        (Kernel::Lanczos3, 0.8),
    ] {
        let one = run(kernel, pixfrac, 1, &data, &weights, &xy);
        for threads in [2, 5] {
            let many = run(kernel, pixfrac, threads, &data, &weights, &xy);
            let same_bits =
                |a: &Array2<f32>, b: &Array2<f32>| a.iter().zip(b.iter()).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same_bits(&one.sci(), &many.sci()), "{kernel}: SCI differs with {threads} threads");
            assert!(same_bits(&one.wht(), &many.wht()), "{kernel}: WHT differs with {threads} threads");
            assert_eq!(one.context(), many.context(), "{kernel}: CTX differs with {threads} threads");
        }
        assert!(one.wht().iter().filter(|&&w| w > 0.0).count() > 50_000, "{kernel}: too little covered");
    }
}

fn sums(d: &Drizzle) -> (f64, f64) {
    let (sci, wht) = (d.sci(), d.wht());
    let flux = sci.iter().zip(wht.iter()).filter(|(_, w)| **w > 0.0).map(|(s, w)| *s as f64 * *w as f64).sum();
    (flux, wht.iter().map(|&w| w as f64).sum())
}

#[test]
fn square_turbo_and_point_conserve_flux_and_weight() {
    // A rotated, shifted, undistorted mapping that keeps every input pixel inside.
    let (nx, ny) = (120, 100);
    let (s, c) = 0.3f64.sin_cos();
    let xy: Vec<[f64; 2]> = (0..ny)
        .flat_map(|j| (0..nx).map(move |i| (i as f64 - 60.0, j as f64 - 50.0)))
        .map(|(u, v)| [100.3 + c * u - s * v, 90.7 + s * u + c * v])
        .collect();
    let map = PixelMap::new(nx, ny, &xy).unwrap();
    for (name, data) in [("flat", Array2::from_elem((ny, nx), 7.0f32)), ("noise", noise(nx, ny))] {
        let total_in: f64 = data.iter().map(|&v| v as f64).sum();
        for kernel in [Kernel::Square, Kernel::Turbo, Kernel::Point] {
            let mut d = Drizzle::new(200, 180, None);
            let params = AddParams { kernel, ..Default::default() };
            d.add_image(data.view(), None, &map, &params).unwrap();
            let (flux, weight) = sums(&d);
            assert!((flux / total_in - 1.0).abs() < 1e-6, "{kernel} {name}: flux out/in = {}", flux / total_in);
            assert!((weight / (nx * ny) as f64 - 1.0).abs() < 1e-6, "{kernel} {name}: weight {weight}");
        }
    }
}

#[test]
fn counts_are_conserved_when_output_pixels_are_larger() {
    // Output pixels twice as large: each covers exactly 2×2 input pixels.
    let (nx, ny) = (40, 36);
    let xy: Vec<[f64; 2]> = (0..ny)
        .flat_map(|j| (0..nx).map(move |i| [(i as f64 + 0.5) / 2.0 - 0.5, (j as f64 + 0.5) / 2.0 - 0.5]))
        .collect();
    let map = PixelMap::new(nx, ny, &xy).unwrap();
    let data = noise(nx, ny);
    let total_in: f64 = data.iter().map(|&v| v as f64).sum();
    for kernel in [Kernel::Square, Kernel::Turbo, Kernel::Point] {
        let mut d = Drizzle::new(20, 18, None);
        let params = AddParams { kernel, iscale: 4.0, pixel_scale_ratio: Some(2.0), ..Default::default() };
        d.add_image(data.view(), None, &map, &params).unwrap();
        let total_out: f64 = d.sci().iter().map(|&v| v as f64).sum();
        assert!((total_out / total_in - 1.0).abs() < 1e-6, "{kernel}: {total_out} vs {total_in}");
    }
}

#[test]
fn bad_input_is_an_error_or_a_documented_empty_result() {
    let data = noise(10, 8);
    let xy: Vec<[f64; 2]> = (0..8).flat_map(|j| (0..10).map(move |i| [i as f64, j as f64])).collect();
    let map = PixelMap::new(10, 8, &xy).unwrap();
    let mut d = Drizzle::new(10, 8, None);

    assert!(matches!(PixelMap::new(9, 8, &xy), Err(KernelError::Shape(_))));
    let wrong = noise(9, 8);
    assert!(matches!(d.add_image(wrong.view(), None, &map, &AddParams::default()), Err(KernelError::Shape(_))));
    let wrong_w = Array2::<f32>::ones((7, 10));
    assert!(matches!(
        d.add_image(data.view(), Some(wrong_w.view()), &map, &AddParams::default()),
        Err(KernelError::Shape(_))
    ));
    let zero_exp = AddParams { exptime: 0.0, units: Units::Counts, ..Default::default() };
    let e = d.add_image(data.view(), None, &map, &zero_exp).unwrap_err();
    assert!(e.to_string().contains("exposure time"), "{e}");
    let nan_map = vec![[f64::NAN; 2]; 80];
    let nan_map = PixelMap::new(10, 8, &nan_map).unwrap();
    assert!(matches!(d.add_image(data.view(), None, &nan_map, &AddParams::default()), Err(KernelError::NoOverlap(_))));
    // Entirely outside the output: nothing drizzled, no error, outputs untouched.
    let far: Vec<[f64; 2]> = xy.iter().map(|p| [p[0] + 1000.0, p[1]]).collect();
    let far = PixelMap::new(10, 8, &far).unwrap();
    let before = d.wht();
    d.add_image(data.view(), None, &far, &AddParams::default()).unwrap();
    assert_eq!(d.wht(), before);
    // Blot refuses a NaN in its map.
    let e = blot(data.view(), &nan_map, Interp::Poly5, 1.0, 0.0).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
}

/// Pixels mapped to NaN, infinite or astronomically far centres (a distortion model
/// evaluated far outside its range) stop nothing (no overflow, no panic), with every
/// kernel, also where the square kernel looks ahead along the row for the cells it will
/// reach; results are the same for any number of threads. (What such drops give is
/// arithmetic on absurd corners, as in cdriz: a quadrilateral spanning 1e18 pixels has a
/// Jacobian that cancels to anything, and its weight can be infinite.)
#[test]
fn extreme_map_values_panic_nowhere() {
    let (nx, ny) = (40, 30);
    let data = noise(nx, ny);
    let weights = Array2::<f32>::ones((ny, nx));
    let extremes = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 9.3e18, -9.3e18, 1e150];
    let mut xy = distorted_map(nx, ny);
    for (k, v) in extremes.iter().enumerate() {
        xy[(3 + 3 * k) * nx + 5 + 4 * k] = [*v, *v];
        xy[(4 + 3 * k) * nx + 30] = [100.0, *v];
        xy[(5 + 3 * k) * nx + 35] = [*v, 100.0];
    }
    let same = |a: Array2<f32>, b: Array2<f32>| a.iter().zip(b.iter()).all(|(a, b)| a.to_bits() == b.to_bits());
    for kernel in [Kernel::Square, Kernel::Turbo, Kernel::Point, Kernel::Gaussian, Kernel::Lanczos3] {
        let one = run(kernel, 1.0, 1, &data, &weights, &xy);
        let two = run(kernel, 1.0, 2, &data, &weights, &xy);
        assert!(same(one.sci(), two.sci()) && same(one.wht(), two.wht()), "{kernel}: 1 and 2 threads differ");
    }
    // Blot from points that far (NaN is refused before any interpolation).
    let finite: Vec<[f64; 2]> =
        xy.iter().map(|p| if p[0].is_nan() || p[1].is_nan() { [1.0, 1.0] } else { *p }).collect();
    let map = PixelMap::new(nx, ny, &finite).unwrap();
    let frame = noise(360, 330);
    for interp in [Interp::Nearest, Interp::Linear, Interp::Poly3, Interp::Poly5, Interp::Lanczos3, Interp::Lanczos5] {
        let blotted = blot(frame.view(), &map, interp, 1.0, 0.0).unwrap();
        assert_eq!(blotted.dim(), (ny, nx));
    }
}

/// Every pixel without weight holds the fill value after each call, also when the fill
/// value changes between calls, when zero-weight inputs wrote data (cdriz mode) and when
/// negative weights cancel to zero; the AVX and plain builds agree bit for bit.
#[test]
fn pixels_without_weight_always_hold_the_fill_value() {
    let (nx, ny) = (120, 100);
    let data = noise(nx, ny);
    let xy = distorted_map(nx, ny);
    let map = PixelMap::new(nx, ny, &xy).unwrap();
    let mut weights = data.mapv(|v| if v > 80.0 { 0.0 } else { 1.0 });
    let check = |d: &Drizzle, fill: f32, what: &str| {
        let (sci, wht) = (d.sci(), d.wht());
        let bad = sci.iter().zip(wht.iter()).filter(|&(s, w)| *w == 0.0 && s.to_bits() != fill.to_bits()).count();
        assert_eq!(bad, 0, "{what}: {bad} pixels without weight do not hold {fill}");
        assert!(wht.iter().filter(|&&w| w == 0.0).count() > 1000, "{what}: no uncovered pixels to check");
    };
    for zero_weight_writes_data in [false, true] {
        let params = AddParams { zero_weight_writes_data, ..Default::default() };
        let mut d = Drizzle::new(360, 330, Some(0.0));
        d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
        check(&d, 0.0, "first call");
        d.fill = Some(-7.0);
        d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
        check(&d, -7.0, "fill changed");
    }
    // A weight of -1 after +1 in the same pixel leaves data with WHT exactly 0.
    let mut d = Drizzle::with_initial(360, 330, 0.0, Some(0.0));
    let params = AddParams { kernel: Kernel::Point, ..Default::default() };
    weights.fill(1.0);
    d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
    weights.fill(-1.0);
    d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
    check(&d, 0.0, "cancelling weights");
}

/// Drizzling from a plan a band of input rows at a time, each band with only its rows of
/// the map (plus halo), gives the same bits as the whole map at once, for every kernel,
/// with the input partly outside the output (rows cut by the scanner), zero weights,
/// several inputs and thread counts.
#[test]
fn drizzling_in_bands_is_identical() {
    let (nx, ny) = (300, 280);
    let data = noise(nx, ny);
    let weights = data.mapv(|v| if v > 100.0 { 0.0 } else { 1.0 + v / 50.0 });
    let xy = distorted_map(nx, ny);
    let map = PixelMap::new(nx, ny, &xy).unwrap();
    let cases = [
        (Kernel::Square, 1.0),
        (Kernel::Square, 0.8),
        (Kernel::Point, 1.0),
        (Kernel::Turbo, 0.8),
        (Kernel::Gaussian, 0.8),
        (Kernel::Lanczos3, 1.0),
    ];
    for (kernel, pixfrac) in cases {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let params = |k: usize| AddParams { kernel, pixfrac, exptime: 100.0 + k as f32, ..Default::default() };
                let mut whole = Drizzle::new(360, 330, None);
                for k in 0..3 {
                    whole.add_image(data.view(), Some(weights.view()), &map, &params(k)).unwrap();
                }
                for band_rows in [1, 2, 7, 64, 1000] {
                    let mut banded = Drizzle::new(360, 330, None);
                    let mut asked = 0;
                    for k in 0..3 {
                        let plan = banded.plan(&map, &params(k)).unwrap();
                        let rows = |r: std::ops::Range<usize>| {
                            asked = asked.max(r.len());
                            xy[r.start * nx..r.end * nx].to_vec()
                        };
                        banded
                            .add_image_in_bands(data.view(), Some(weights.view()), &plan, &params(k), band_rows, rows)
                            .unwrap();
                    }
                    assert!(asked <= band_rows + 4, "{kernel}: {asked} map rows held for bands of {band_rows}");
                    let what = format!("{kernel} pixfrac {pixfrac}, {threads} threads, bands of {band_rows}");
                    let bits = |a: &Array2<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert!(bits(&whole.sci()) == bits(&banded.sci()), "{what}: SCI differs");
                    assert!(bits(&whole.wht()) == bits(&banded.wht()), "{what}: WHT differs");
                    assert_eq!(whole.context(), banded.context(), "{what}: CTX differs");
                    assert_eq!(whole.total_exptime, banded.total_exptime);
                    assert_eq!(whole.next_context_id(), banded.next_context_id());
                }
                assert!(whole.wht().iter().filter(|&&w| w > 0.0).count() > 50_000, "{kernel}: too little covered");
            });
        }
    }
}

/// A plan made from a map's entries looked up one by one is the plan made from the map,
/// whatever the kernel, the part of the input reaching the output, and invalid (NaN)
/// rows and columns at the edges; and it asks for few of the entries.
#[test]
fn plans_from_lookups_equal_plans_from_the_map() {
    let (nx, ny) = (300, 280);
    let mut xy = distorted_map(nx, ny);
    let mut cut = xy.clone();
    for (k, p) in cut.iter_mut().enumerate() {
        let (i, j) = (k % nx, k / nx);
        if j < 3 || i + 2 >= nx || (j == 100 && i < 40) {
            *p = [f64::NAN; 2];
        }
    }
    // Moved so that only a corner of the input reaches the output.
    let corner: Vec<[f64; 2]> = xy.iter().map(|p| [p[0] + 250.0, p[1] - 230.0]).collect();
    let far: Vec<[f64; 2]> = xy.iter().map(|p| [p[0] + 5000.0, p[1]]).collect();
    xy[7 * nx + 5] = [f64::NAN, 3.0];
    let sections = [None, Some(driz_kernels::Section { xmin: 20, xmax: 250, ymin: 10, ymax: 200 })];
    let mut planned = 0;
    for (name, map) in [("distorted", &xy), ("edges cut", &cut), ("corner", &corner), ("off the frame", &far)] {
        for kernel in [Kernel::Square, Kernel::Turbo, Kernel::Lanczos3] {
            for section in sections {
                // No scale ratio given: the turbo and lanczos plans estimate it from the map.
                let params = AddParams { kernel, pixfrac: 0.8, pixel_scale_ratio: None, section, ..Default::default() };
                let whole = PixelMap::new(nx, ny, map).unwrap();
                let asked = std::sync::atomic::AtomicUsize::new(0);
                let lookup = MapFn {
                    nx,
                    ny,
                    entry: |i: usize, j: usize| {
                        asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        map[j * nx + i]
                    },
                };
                let what = format!("{name}, {kernel}, section {section:?}");
                match (AddPlan::new(360, 330, &whole, &params), AddPlan::from_lookup(360, 330, &lookup, &params)) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a, b, "{what}");
                        planned += 1;
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
                    (a, b) => panic!("{what}: {a:?} against {b:?}"),
                }
                let asked = asked.into_inner();
                assert!(asked < nx * ny / 10, "{what}: {asked} entries looked up");
            }
        }
    }
    assert!(planned >= 18, "{planned}: every map reaching the frame is planned");
}

/// A 300 × 280 noise image with its brightest pixels masked (weight 0), and its map.
fn masked_inputs() -> (Array2<f32>, Array2<f32>, Vec<[f64; 2]>) {
    let (nx, ny) = (300, 280);
    let data = noise(nx, ny);
    let weights = data.mapv(|v| if v > 100.0 { 0.0 } else { 1.0 });
    (data, weights, distorted_map(nx, ny))
}

/// The products taken out of a frame are its SCI, WHT and context planes.
#[test]
fn products_taken_out_equal_the_frame() {
    let (data, weights, xy) = masked_inputs();
    let map = PixelMap::new(300, 280, &xy).unwrap();
    // 40 inputs: two context planes.
    let mut d = Drizzle::new(1200, 1100, None);
    for k in 0..40 {
        d.add_image(
            data.view(),
            Some(weights.view()),
            &map,
            &AddParams { exptime: 1.0 + k as f32, ..Default::default() },
        )
        .unwrap();
    }
    let (sci, wht, ctx) = (d.sci(), d.wht(), d.context());
    assert_eq!(ctx.len(), 2);
    let (s2, w2, c2) = d.clone().into_products(true);
    let bits = |a: &Array2<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert!(bits(&sci) == bits(&s2) && bits(&wht) == bits(&w2));
    assert_eq!(ctx, c2);
    let (s3, w3, c3) = d.into_products(false);
    assert!(bits(&sci) == bits(&s3) && bits(&wht) == bits(&w3) && c3.is_empty());
}

#[test]
fn a_frame_started_at_zero_is_the_same_from_zeroed_memory() {
    // +0.0 takes zeroed memory from the allocator (large enough here for a fresh mapping
    // on huge pages); −0.0 is written cell by cell. Same products, the untouched cells
    // holding the initial value with its sign.
    let (data, weights, xy) = masked_inputs();
    let map = PixelMap::new(300, 280, &xy).unwrap();
    let frames = [0.0f32, -0.0].map(|initial| {
        let mut d = Drizzle::with_initial(700, 700, initial, None);
        let params = AddParams { kernel: Kernel::Square, zero_weight_writes_data: true, ..Default::default() };
        d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
        d
    });
    let [zeroed, written] = &frames;
    assert!(zeroed.wht().iter().any(|&w| w > 0.0));
    for (a, b) in zeroed.wht().iter().zip(written.wht().iter()) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    for ((a, b), w) in zeroed.sci().iter().zip(written.sci().iter()).zip(zeroed.wht().iter()) {
        if *w == 0.0 && *a == 0.0 {
            assert_eq!((a.to_bits(), b.to_bits()), (0.0f32.to_bits(), (-0.0f32).to_bits()));
        } else {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }
    assert_eq!(zeroed.context(), written.context());
}
