//! Square-kernel drizzle of a full ACS/WFC chip (4096×2048, SIP + NPOL + D2IM) onto a
//! 4200×4200 north-up 0.05″ frame, on 1 and 2 threads, with the pixel map timed apart;
//! and AstroDrizzle's path (WCS on a 10-pixel grid, map bands interpolated from it +
//! square kernel, one thread); the poly5 blot of such a frame back onto the chip
//! (AstroDrizzle's default interpolant).
//! Compare with `testdata/scripts/drizzle_kernel_bench.py` (drizzle 3.0 and drizzlepac's
//! cdriz on the same chip). The allocator is the `driz` binary's (huge pages for large
//! arrays; numpy does the same for its arrays).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use driz_kernels::{AddParams, AddPlan, Drizzle, Interp, Kernel, MapFn, PixelMap, blot};
use driz_wcs::{StepGrid, pixel_map, pixel_map_stepped};
use ndarray::Array2;

#[global_allocator]
static ALLOCATOR: driz_heap::HugePageAlloc = driz_heap::HugePageAlloc;

mod common {
    pub mod acs_wfc_chip;
}
use common::acs_wfc_chip::{NX, NY, OUT, data, input_and_output};

fn bench(c: &mut Criterion) {
    let (input, output) = input_and_output();
    let data = data();
    let weights = Array2::<f32>::from_elem((NY, NX), 400.0);
    let mut group = c.benchmark_group("acs_wfc_chip");
    group.sample_size(10);
    group.throughput(Throughput::Elements((NX * NY) as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("pixmap/{threads}t"), |b| {
            b.iter(|| pool.install(|| pixel_map(&input, &output, NX, NY)))
        });
    }
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    group.bench_function("pixmap_step10/1t", |b| {
        b.iter(|| one.install(|| pixel_map_stepped(&input, &output, NX, NY, 10)))
    });
    let xy = pixel_map(&input, &output, NX, NY);
    let map = PixelMap::new(NX, NY, &xy).unwrap();
    for kernel in [Kernel::Square, Kernel::Turbo, Kernel::Point] {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            group.bench_function(format!("{kernel}/{threads}t"), |b| {
                b.iter(|| {
                    pool.install(|| {
                        let mut d = Drizzle::new(OUT, OUT, None);
                        let params = AddParams { kernel, exptime: 400.0, ..Default::default() };
                        d.add_image(data.view(), Some(weights.view()), &map, &params).unwrap();
                        d
                    })
                })
            });
        }
    }
    // AstroDrizzle's way (drizzlepac's cdriz with its default 10-pixel WCS grid), as
    // `driz astrodrizzle` does it: the WCS on the grid, the plan from entries interpolated
    // from it, then the square kernel a band of 256 input rows at a time (each band's map
    // interpolated from the grid) into a zero-initialised frame with cdriz's handling of
    // zero weights, as the separate drizzle step does; compare with `cdriz.tdriz` timed
    // by the same script (into zeroed numpy arrays).
    group.bench_function("astrodrizzle_square_step10/1t", |b| {
        b.iter(|| {
            one.install(|| {
                let grid = StepGrid::new(&input, &output, NX, NY, 10);
                let params = AddParams {
                    kernel: Kernel::Square,
                    exptime: 400.0,
                    zero_weight_writes_data: true,
                    ..Default::default()
                };
                let lookup = MapFn { nx: NX, ny: NY, entry: |i, j| grid.at(i, j) };
                let plan = AddPlan::from_lookup(OUT, OUT, &lookup, &params).unwrap();
                let mut d = Drizzle::with_initial(OUT, OUT, 0.0, None);
                d.add_image_in_bands(data.view(), Some(weights.view()), &plan, &params, 256, |rows| grid.rows(rows))
                    .unwrap();
                d
            })
        })
    });
    let frame = Array2::from_shape_fn((OUT, OUT), |(y, x)| data[(y % NY, x % NX)]);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("blot_poly5/{threads}t"), |b| {
            b.iter(|| pool.install(|| blot(frame.view(), &map, Interp::Poly5, 1.0, 0.0).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
