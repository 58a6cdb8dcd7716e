"""driz.drizzle against drizzle 3.0.0 (drizzle.resample) on the same arrays, one run each.

    python crates/driz-python/bench/bench_drizzle.py [--ny 2048 --nx 4096]

Drizzles a 4096x2048 float32 image (square kernel pixfrac 1, then turbo) onto a
slightly larger rotated frame, and blots the result back with poly5; prints both times
and the ratio, and the largest relative difference as a sanity check.
"""

import argparse
import os
import time

import numpy as np
from drizzle import resample

from driz import drizzle as dd


def pixmap(ny, nx, angle=0.01, scale=1.02, shift=(30.0, 20.0)):
    y, x = np.indices((ny, nx), dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    return np.dstack([scale * (c * x - s * y) + shift[0] + 25.0, scale * (s * x + c * y) + shift[1]])


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def max_rel(a, b):
    ok = np.isfinite(b) & (b != 0)
    return float(np.max(np.abs(a[ok] - b[ok]) / np.abs(b[ok])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ny", type=int, default=2048)
    ap.add_argument("--nx", type=int, default=4096)
    args = ap.parse_args()
    ny, nx = args.ny, args.nx
    rng = np.random.default_rng(1)
    data = (100.0 + rng.normal(0.0, 5.0, (ny, nx))).astype(np.float32)
    weights = np.ones((ny, nx), dtype=np.float32)
    pm = pixmap(ny, nx)
    out_shape = (int(ny * 1.05) + 60, int(nx * 1.05) + 60)
    print(f"input {nx}x{ny} float32, output {out_shape[1]}x{out_shape[0]}, {os.cpu_count()} CPUs")
    print(f"{'case':<22}{'drizzle 3.0.0':>14}{'driz':>10}{'ratio':>8}{'max rel diff':>14}")
    for kernel in ("square", "turbo"):
        def run(module):
            d = module.Drizzle(kernel=kernel, out_shape=out_shape)
            d.add_image(data, exptime=1.0, pixmap=pm, weight_map=weights, pixfrac=1.0)
            return d

        t_ref, ref = timed(lambda: run(resample))
        t_ours, ours = timed(lambda: run(dd))
        rel = max_rel(ours.out_img, ref.out_img)
        print(f"{kernel + ' pixfrac 1':<22}{t_ref:>13.3f}s{t_ours:>9.3f}s{t_ref / t_ours:>7.1f}x{rel:>14.1e}")
    image = ref.out_img.copy()
    image[~np.isfinite(image)] = 0.0
    t_ref, b_ref = timed(lambda: resample.blot_image(image, pm, interp="poly5"))
    t_ours, b_ours = timed(lambda: dd.blot_image(image, pm, interp="poly5"))
    rel = max_rel(b_ours, b_ref)
    print(f"{'blot poly5':<22}{t_ref:>13.3f}s{t_ours:>9.3f}s{t_ref / t_ours:>7.1f}x{rel:>14.1e}")


if __name__ == "__main__":
    main()
