//! minmed and median on a 4 × (2048×2048) stack and driz_cr on a 4096×2048 chip, on 1 and
//! 2 threads; the sky and static-mask statistics (clipped `ImageStats`) of a 4096×2048 chip. `benches/reference_timing.py` times the reference (`min_med`, `num_combine`,
//! driz_cr's per-chip computation) on the same sizes.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use driz_combine::{
    CombineParams, CombineType, CrChip, CrParams, SkyStatConfig, StackImage, combine, cr_mask, sky_statistic_f64,
    static_mask_stats,
};
use ndarray::Array2;

const SIDE: usize = 2048;
const N_IMAGES: usize = 4;

/// Uniform deviates in [0, 1) from a fixed linear congruential sequence.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

struct Stack {
    sci: Vec<Array2<f32>>,
    wht: Vec<Array2<f32>>,
    bad: Vec<Array2<bool>>,
}

fn stack() -> Stack {
    let mut rng = Lcg(42);
    let mut stack = Stack { sci: vec![], wht: vec![], bad: vec![] };
    for _ in 0..N_IMAGES {
        let sci = Array2::from_shape_fn((SIDE, SIDE), |_| {
            let cr = if rng.next() < 0.002 { 50.0 } else { 0.0 };
            1.0 + 0.05 * (rng.next() - 0.5) + cr
        });
        let wht = Array2::from_shape_fn((SIDE, SIDE), |_| if rng.next() < 0.01 { 0.0 } else { 400.0 + rng.next() });
        stack.bad.push(wht.mapv(|w| w < 120.0));
        stack.sci.push(sci);
        stack.wht.push(wht);
    }
    stack
}

fn bench_combine(c: &mut Criterion) {
    let data = stack();
    let images: Vec<StackImage> = (0..N_IMAGES)
        .map(|i| StackImage {
            sci: data.sci[i].view(),
            wht: data.wht[i].view(),
            bad: data.bad[i].view(),
            exptime: 500.0,
            readnoise: 5.0,
            background: 60.0,
        })
        .collect();
    let mut group = c.benchmark_group("combine_4x2048x2048");
    group.sample_size(10);
    group.throughput(Throughput::Elements((SIDE * SIDE) as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for kind in [CombineType::Minmed, CombineType::Median] {
            let params = CombineParams { kind, ..CombineParams::default() };
            group.bench_function(format!("{kind:?}/{threads}t"), |b| {
                b.iter(|| pool.install(|| black_box(combine(&images, &params))))
            });
        }
    }
    group.finish();
}

fn bench_cr(c: &mut Criterion) {
    let (rows, cols) = (4096, 2048);
    let mut rng = Lcg(7);
    let blot = Array2::from_shape_fn((rows, cols), |_| 100.0 + 20.0 * rng.next());
    let sci = Array2::from_shape_fn((rows, cols), |(r, c)| {
        let cr = if rng.next() < 0.003 { 500.0 } else { 0.0 };
        blot[[r, c]] + 10.0 * (rng.next() - 0.5) + cr
    });
    let chip = CrChip {
        sci: sci.view(),
        blot: blot.view(),
        conversion: 1.0,
        gain: 1.0,
        readnoise: 5.0,
        subtracted_sky: 100.0,
        cte_dir: 1,
    };
    let mut group = c.benchmark_group("cr_mask_4096x2048");
    group.sample_size(10);
    group.throughput(Throughput::Elements((rows * cols) as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let params = CrParams::default();
        group.bench_function(format!("default/{threads}t"), |b| {
            b.iter(|| pool.install(|| black_box(cr_mask(&chip, &params))))
        });
    }
    group.finish();
}

/// A sky-dominated chip as the sky and static-mask steps see it: Gaussian noise of σ 8 on a
/// level of 48 counts, with cosmic rays and bright pixels.
fn bench_sky_stats(c: &mut Criterion) {
    let mut rng = Lcg(11);
    let chip: Vec<f32> = (0..4096 * 2048)
        .map(|_| {
            let (u, v) = (rng.next().max(1e-7), rng.next());
            let gauss = (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos();
            let hit = if rng.next() < 0.005 { 200.0 + 2000.0 * rng.next() } else { 0.0 };
            48.0 + 8.0 * gauss + hit
        })
        .collect();
    let mut group = c.benchmark_group("imagestats_4096x2048");
    group.sample_size(10);
    group.throughput(Throughput::Elements(chip.len() as u64));
    group.bench_function("sky_median", |b| b.iter(|| black_box(sky_statistic_f64(&chip, &SkyStatConfig::default()))));
    group.bench_function("static_mask", |b| b.iter(|| black_box(static_mask_stats(&chip))));
    group.finish();
}

criterion_group!(benches, bench_combine, bench_cr, bench_sky_stats);
criterion_main!(benches);
