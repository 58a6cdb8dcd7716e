"""Reference timings for `benches/combine.rs`: drizzlepac 3.11.0 `min_med`, stsci.image
`num_combine` (median) on a 4 x (2048x2048) float32 stack, and the per-chip computation of
`drizCR._driz_cr` (its code without the file I/O) on a 4096x2048 chip; best of a few runs.

    /work/main/.venv-ref/bin/python crates/driz-combine/benches/reference_timing.py
"""
import time, numpy as np, warnings
warnings.simplefilter("ignore")
from drizzlepac.minmed import min_med
from stsci.image import numcombine
from scipy import signal
from drizzlepac import quickDeriv
rng = np.random.default_rng(42)
n, side = 4, 2048
sci = (1.0 + 0.05*(rng.random((n, side, side), dtype=np.float32)-0.5)).astype(np.float32)
sci[rng.random((n, side, side)) < 0.002] += 50
wht = np.where(rng.random((n, side, side)) < 0.01, 0.0, 400.0 + rng.random((n, side, side))).astype(np.float32)
masks = (wht < 120.0).astype(np.uint8)
def t(f, reps=3):
    best = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0)
    return best
print("min_med 4x2048^2 grow1: %.3f s" % t(lambda: min_med(sci, wht, [5.0]*4, [500.0]*4, [60.0]*4, weight_masks=masks, combine_grow=1, combine_nsigma1=4.0, combine_nsigma2=3.0)))
print("num_combine median 4x2048^2: %.3f s" % t(lambda: numcombine.num_combine(sci, masks=masks, combination_type='median', nlow=0, nhigh=0)))
# driz_cr per-chip computation (the body of drizCR._driz_cr without file I/O)
rows, cols = 4096, 2048
blot0 = (100 + 20*rng.random((rows, cols))).astype(np.float32)
sci0 = (blot0 + 10*(rng.random((rows, cols))-0.5)).astype(np.float32)
sci0[rng.random((rows, cols)) < 0.003] += 500
def cr():
    blot_data = blot0.copy(); blot_data *= 1.0
    input_image = sci0.copy(); input_image *= 1.0
    blot_deriv = quickDeriv.qderiv(blot_data)
    gain, rn, backg = 1.0, 5.0, 100.0
    t1 = np.absolute(input_image - blot_data)
    ta = np.sqrt(gain * np.abs(blot_data + backg) + rn**2)
    t2 = (1.2 * blot_deriv + 3.5 * ta / gain)
    tmp1 = t1 <= t2
    tmp2 = signal.convolve2d(tmp1, np.ones((3, 3), dtype=np.uint16), boundary='symm', mode='same')
    t2 = (0.7 * blot_deriv + 3.0 * ta / gain)
    cr_mask = (t1 <= t2) | (tmp2 >= 9)
    grow = 1; ctegrow = 0
    g = signal.convolve2d(cr_mask, np.ones((grow, grow), dtype=np.uint16), boundary='symm', mode='same')
    k = np.zeros((2*ctegrow+1, 2*ctegrow+1))
    e = signal.convolve2d(cr_mask, k, boundary='symm', mode='same')
    return ((g >= grow**2) & (e >= ctegrow)).astype(np.uint8)
print("driz_cr chip 4096x2048: %.3f s" % t(cr, 2))
