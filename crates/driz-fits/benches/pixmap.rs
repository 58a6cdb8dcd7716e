//! Full-chip pixel-map evaluation: every pixel of an ACS/WFC chip (4096×2048, TAN-SIP
//! order 4 + NPOL + D2IM) through `pix2world_grid` (pixel → sky) and `pixel_map`
//! (pixel → sky → output pixel, the drizzle hot path), each in a rayon pool of 1 and of
//! 2 threads. Throughput is in pixels. See `benches/README.md` for results and the
//! astropy baseline.
//!
//!     CARGO_TARGET_DIR=/tmp/driz-bench-target cargo bench -p driz-fits --bench pixmap

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use driz_fits::{Fits, HduSpec};
use driz_wcs::{Celestial, HstWcs, pix2world_grid, pixel_map};
use rayon::ThreadPoolBuilder;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const NX: usize = 4096;
const NY: usize = 2048;
const THREADS: [usize; 2] = [1, 2];

fn chip_wcs() -> HstWcs {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/hst/j94f05bgq_updatewcs_flt.fits.gz");
    let mut fits = Fits::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let index = fits.find(&HduSpec::Name("SCI".into(), 1)).unwrap_or_else(|e| panic!("{e}"));
    let wcs = fits.wcs(index, ' ').unwrap_or_else(|e| panic!("{e}"));
    let mut names = wcs.distortion_names();
    names.sort();
    assert_eq!(names, ["D2IM", "NPOL", "SIP"], "the benchmark chip must carry all three distortions");
    wcs
}

/// An undistorted north-up TAN output frame at the chip's CRVAL, 0.05″/pixel, large
/// enough to hold the chip.
fn output_wcs(input: &HstWcs) -> HstWcs {
    let scale = 0.05 / 3600.0;
    let celestial = Celestial::new(
        [2200.0, 2200.0],
        input.celestial.crval,
        [[-scale, 0.0], [0.0, scale]],
        ["RA---TAN", "DEC--TAN"],
    )
    .expect("valid output WCS");
    HstWcs::undistorted(celestial)
}

fn bench_pixmap(c: &mut Criterion) {
    let wcs = chip_wcs();
    let out = output_wcs(&wcs);
    let mut group = c.benchmark_group("pixmap_4096x2048");
    // About a second per iteration: ten samples of equal size (flat sampling) keep a run
    // to a couple of minutes.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements((NX * NY) as u64));
    for threads in THREADS {
        let pool = ThreadPoolBuilder::new().num_threads(threads).build().expect("rayon pool");
        group.bench_function(format!("pix2world_grid/{threads}t"), |b| {
            b.iter(|| pool.install(|| pix2world_grid(black_box(&wcs), NX, NY)))
        });
        group.bench_function(format!("pixel_map/{threads}t"), |b| {
            b.iter(|| pool.install(|| pixel_map(black_box(&wcs), black_box(&out), NX, NY)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_pixmap);
criterion_main!(benches);
