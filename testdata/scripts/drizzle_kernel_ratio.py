"""The drizzle kernels' speed ratios to the references on one core, both sides timed in
the same sitting, interleaved round by round (this machine's speed drifts by tens of
percent between sittings, and a ratio of timings taken apart drifts with it).

Each round times, for each kernel asked for (square unless named), in CPU seconds of the
working thread:
  1. drizzlepac 3.11's `cdriz.tdriz`, the kernel as AstroDrizzle calls it
     (`cdriz.DefaultWCSMapping`, the WCS on a 10-pixel grid interpolated inside the C code);
  2. driz the same way (`kernel_cpu_time astrodrizzle`: the WCS on a 10-pixel grid, the
     map interpolated from it, the kernel);
  3. drizzle 3.0's `Drizzle.add_image` given the exact pixmap (`calc_pixmap`, not timed);
  4. driz's kernel given the exact map (`kernel_cpu_time exact`, map not timed).
All four allocate their output (4200x4200 SCI, WHT, CTX). The work is that of
`cargo bench -p driz-kernels --bench drizzle` and drizzle_kernel_bench.py.

Run: .venv-ref/bin/python testdata/scripts/drizzle_kernel_ratio.py [ROUNDS [KERNEL...]]
(builds the example binary with cargo first; DRIZ_KERNEL_CPU_TIME=path uses that one.)
"""
import os
import statistics
import subprocess
import sys
import time
import warnings

from drizzle.utils import calc_pixmap

# The work, and cdriz called as AstroDrizzle calls it, as the bench script has them.
from drizzle_kernel_bench import cdriz_drizzle, cdriz_frames, chip_and_frame, chip_data, drizzle3_drizzle


def example_binary():
    if os.environ.get("DRIZ_KERNEL_CPU_TIME"):
        return os.environ["DRIZ_KERNEL_CPU_TIME"]
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "driz-kernels", "--example", "kernel_cpu_time"],
                   check=True)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], check=True,
                          capture_output=True, text=True).stdout
    import json
    return os.path.join(json.loads(meta)["target_directory"], "release", "examples", "kernel_cpu_time")


def cpu_seconds(run):
    start = time.thread_time()
    run()
    return time.thread_time() - start


def driz_seconds(binary, mode, kernel):
    out = subprocess.run([binary, mode, "1", kernel], check=True, capture_output=True, text=True).stdout.split()
    return float(out[1])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    kernels = sys.argv[2:] or ["square"]
    binary = example_binary()
    warnings.simplefilter("ignore")
    hdul, win, wout = chip_and_frame()
    pixmap = calc_pixmap(win, wout)
    frames = cdriz_frames(hdul, wout)
    _, data, weights = chip_data()

    for kernel in kernels:
        rows = []
        for r in range(rounds):
            t = (cpu_seconds(lambda: cdriz_drizzle(frames, data, weights, kernel)),
                 driz_seconds(binary, "astrodrizzle", kernel),
                 cpu_seconds(lambda: drizzle3_drizzle(pixmap, data, weights, kernel)),
                 driz_seconds(binary, "exact", kernel))
            rows.append(t)
            print(f"{kernel} round {r}: cdriz {t[0]:.3f} s, driz {t[1]:.3f} s ({t[0] / t[1]:.2f}x) | "
                  f"drizzle 3.0 {t[2]:.3f} s, driz {t[3]:.3f} s ({t[2] / t[3]:.2f}x)", flush=True)
        cols = list(zip(*rows))
        for name, ref, ours in [("cdriz (AstroDrizzle's way, map inside)", cols[0], cols[1]),
                                ("drizzle 3.0 (exact map given)", cols[2], cols[3])]:
            ratios = [a / b for a, b in zip(ref, ours)]
            print(f"{kernel}, {name}: best {min(ref):.3f} s against {min(ours):.3f} s = "
                  f"{min(ref) / min(ours):.2f}x; per round {min(ratios):.2f}-{max(ratios):.2f}x, "
                  f"median {statistics.median(ratios):.2f}x")

if __name__ == "__main__":
    main()
