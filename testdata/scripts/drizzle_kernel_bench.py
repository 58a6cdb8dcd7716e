"""Time drizzle 3.0 on the same work as `cargo bench -p driz-kernels --bench drizzle`:
SCI,1 of testdata/hst/j94f05bgq_updatewcs_flt.fits.gz (ACS/WFC 4096x2048, SIP + NPOL +
D2IM) onto a 4200x4200 north-up 0.05"/px TAN frame centred on the chip. Prints the
pixel-map time (astropy, drizzle.utils.calc_pixmap) and the add_image time per kernel
(best of 3), and `blot_image` (poly5) of a 4200x4200 frame back onto the chip through the
same map (criterion entry `acs_wfc_chip/blot_poly5/1t`). drizzle 3.0 is single-threaded.

Then drizzlepac 3.11's `cdriz.tdriz`, the square kernel exactly as AstroDrizzle calls it
(stwcs HSTWCS input, `cdriz.DefaultWCSMapping` with the default stepsize 10: the WCS on a
10-pixel grid, interpolated inside the C code), also single-threaded. Compare with the
criterion entry `acs_wfc_chip/astrodrizzle_square_step10/1t`.

Run: .venv-ref/bin/python testdata/scripts/drizzle_kernel_bench.py
"""
import time
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from drizzle.resample import Drizzle, blot_image
from drizzle.utils import calc_pixmap

NX, NY, OUT = 4096, 2048, 4200


def best(f, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    hdul, win, wout = chip_and_frame()
    t = time.perf_counter()
    pixmap = calc_pixmap(win, wout)
    print(f"pixmap (astropy all_pix2world + all_world2pix): {time.perf_counter() - t:.3f} s")
    rng, data, weights = chip_data()
    for kernel in ["square", "turbo", "point"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            secs = best(lambda: drizzle3_drizzle(pixmap, data, weights, kernel))
        print(f"drizzle 3.0 {kernel}: {secs:.3f} s  ({NX * NY / secs / 1e6:.2f} Mpix/s)")
    frame = rng.random((OUT, OUT), dtype=np.float32) * 1000
    secs = best(lambda: blot_image(frame, pixmap, iscale=1.0, interp="poly5"))
    print(f"drizzle 3.0 blot poly5 (frame onto the chip): {secs:.3f} s  ({NX * NY / secs / 1e6:.2f} Mpix/s)")
    time_cdriz(hdul, wout, data, weights)


def chip_and_frame():
    """The committed chip's FITS file, the astropy WCS of SCI,1 and the 4200x4200 north-up
    0.05"/px TAN frame centred on it."""
    hdul = fits.open("testdata/hst/j94f05bgq_updatewcs_flt.fits.gz")
    win = WCS(hdul["SCI", 1].header, hdul)
    ra, dec = win.all_pix2world(NX / 2.0, NY / 2.0, 1)
    wout = WCS(naxis=2)
    wout.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wout.wcs.crval = [float(ra), float(dec)]
    wout.wcs.crpix = [OUT / 2.0, OUT / 2.0]
    s = 0.05 / 3600.0
    wout.wcs.cd = [[-s, 0.0], [0.0, s]]
    wout.pixel_shape = (OUT, OUT)
    win.pixel_shape = (NX, NY)
    return hdul, win, wout


def chip_data():
    """The random generator (seed 7), then the chip's data (uniform 0-1000) and weights (400)."""
    rng = np.random.default_rng(7)
    data = rng.random((NY, NX), dtype=np.float32) * 1000
    weights = np.full((NY, NX), 400.0, dtype=np.float32)
    return rng, data, weights


def drizzle3_drizzle(pixmap, data, weights, kernel):
    """The chip drizzled by drizzle 3.0 through the given pixmap into a fresh output."""
    d = Drizzle(kernel=kernel, out_shape=(OUT, OUT))
    d.add_image(data, exptime=400.0, pixmap=pixmap, weight_map=weights)


def cdriz_frames(hdul, wout):
    """stwcs HSTWCS of the chip and of the frame, and their pixel-scale ratio, as
    drizzlepac's do_driz gives them to cdriz. (drizzlepac is imported here, untimed: its
    first import takes seconds, which the first timed cdriz_drizzle would otherwise pay.)"""
    import drizzlepac.cdriz  # noqa: F401
    from stwcs.wcsutil import HSTWCS

    win = HSTWCS(hdul, ext=("SCI", 1))
    out = HSTWCS()
    out.wcs.ctype = list(wout.wcs.ctype)
    out.wcs.crval = list(wout.wcs.crval)
    out.wcs.crpix = list(wout.wcs.crpix)
    out.wcs.cd = wout.wcs.cd
    out.pixel_shape = (OUT, OUT)
    out.wcs.set()
    out.setPscale()
    out.setOrient()
    return win, out, out.pscale / win.pscale


def cdriz_drizzle(frames, data, weights, kernel):
    """One `cdriz.tdriz` call as AstroDrizzle makes it (its default 10-pixel WCS mapping),
    into fresh zeroed output arrays."""
    from drizzlepac import cdriz

    win, out, pix_ratio = frames
    sci = np.zeros((OUT, OUT), np.float32)
    wht = np.zeros((OUT, OUT), np.float32)
    ctx = np.zeros((OUT, OUT), np.int32)
    mapping = cdriz.DefaultWCSMapping(win, out, NX, NY, 10)
    # the argument order of drizzlepac.adrizzle.do_driz's call
    cdriz.tdriz(data, weights, sci, wht, ctx, 1, 0, 1, 1, NY, pix_ratio, 1.0, 1.0, "center",
                1.0, kernel, "cps", 400.0, 1.0, "INDEF", 0, 0, 1, mapping)


def time_cdriz(hdul, wout, data, weights):
    frames = cdriz_frames(hdul, wout)
    secs = best(lambda: cdriz_drizzle(frames, data, weights, "square"))
    print(f"drizzlepac cdriz square (stepsize 10 map inside): {secs:.3f} s  ({NX * NY / secs / 1e6:.2f} Mpix/s)")


if __name__ == "__main__":
    main()
