//! CPU time of a drizzle kernel (square unless named) on one core, for
//! `testdata/scripts/drizzle_kernel_ratio.py`, which runs it between drizzle 3.0's and
//! drizzlepac's own runs so that both sides are timed in the same sitting (this machine's
//! speed drifts by tens of percent between sittings, from other guests).
//!
//! The work is the criterion bench's (`benches/common/acs_wfc_chip.rs`), weight 400.
//!
//! `kernel_cpu_time exact N [KERNEL]`: the exact per-pixel map computed once (not timed),
//! then the kernel into a fresh frame (timed), as drizzle 3.0's `add_image` is given a
//! pixmap. `kernel_cpu_time astrodrizzle N [KERNEL]`: as `driz astrodrizzle` drizzles a
//! chip and as drizzlepac's `cdriz.tdriz` does with its default mapping: the WCS on a
//! 10-pixel grid, the map interpolated from it, the kernel, all timed.
//!
//! Prints `min S med S checksum C`: CPU seconds of the thread that did the work
//! (`/proc/thread-self/schedstat`, which leaves out time taken by other guests), the least
//! and the median of N runs.

use driz_kernels::{AddParams, AddPlan, Drizzle, Kernel, MapFn, PixelMap};
use driz_wcs::{StepGrid, pixel_map};
use ndarray::Array2;

#[global_allocator]
static ALLOCATOR: driz_heap::HugePageAlloc = driz_heap::HugePageAlloc;

#[path = "../benches/common/acs_wfc_chip.rs"]
mod acs_wfc_chip;
use acs_wfc_chip::{NX, NY, OUT, data, input_and_output};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kernel = args.get(3).map_or(Ok(Kernel::Square), |name| name.parse::<Kernel>());
    let (mode, runs, kernel) = match (args.get(1).map(String::as_str), args.get(2).map(|n| n.parse::<usize>()), kernel)
    {
        (Some(mode @ ("exact" | "astrodrizzle")), Some(Ok(runs)), Ok(kernel)) if runs > 0 => (mode, runs, kernel),
        _ => {
            eprintln!("usage: kernel_cpu_time exact|astrodrizzle RUNS [KERNEL]");
            std::process::exit(2);
        }
    };
    let (input, output) = input_and_output();
    let data = data();
    let weights = Array2::<f32>::from_elem((NY, NX), 400.0);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread pool");
    let exact_xy = if mode == "exact" { pixel_map(&input, &output, NX, NY) } else { Vec::new() };
    let exact = (mode == "exact").then(|| PixelMap::new(NX, NY, &exact_xy).expect("the exact map"));
    let mut times = Vec::with_capacity(runs);
    let mut checksum = 0.0;
    for _ in 0..runs {
        let start = one.install(thread_cpu_ns);
        let frame = one.install(|| match &exact {
            Some(map) => {
                let params = AddParams { kernel, exptime: 400.0, ..Default::default() };
                let mut d = Drizzle::with_initial(OUT, OUT, 0.0, None);
                d.add_image(data.view(), Some(weights.view()), map, &params).expect("drizzled");
                d
            }
            None => {
                let params = AddParams { kernel, exptime: 400.0, zero_weight_writes_data: true, ..Default::default() };
                let grid = StepGrid::new(&input, &output, NX, NY, 10);
                let lookup = MapFn { nx: NX, ny: NY, entry: |i, j| grid.at(i, j) };
                let plan = AddPlan::from_lookup(OUT, OUT, &lookup, &params).expect("plan");
                let mut d = Drizzle::with_initial(OUT, OUT, 0.0, None);
                d.add_image_in_bands(data.view(), Some(weights.view()), &plan, &params, 256, |rows| grid.rows(rows))
                    .expect("drizzled");
                d
            }
        });
        times.push((one.install(thread_cpu_ns) - start) as f64 * 1e-9);
        checksum =
            frame.sci().iter().map(|&v| v as f64).sum::<f64>() + frame.wht().iter().map(|&v| v as f64).sum::<f64>();
    }
    times.sort_by(f64::total_cmp);
    println!("min {:.3} med {:.3} checksum {checksum:.6e}", times[0], times[runs / 2]);
}

/// CPU time this thread has run, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    stat.split_whitespace().next().and_then(|ns| ns.parse().ok()).expect("schedstat's first field")
}
