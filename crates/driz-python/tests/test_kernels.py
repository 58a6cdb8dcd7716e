"""driz.drizzle against drizzle 3.0.0 (drizzle.resample) on the same arrays."""

import numpy as np
import pytest
from drizzle import resample

from driz import drizzle as dd

RTOL = 1e-5
IN_SHAPE = (120, 150)  # (ny, nx)
OUT_SHAPE = (170, 190)


def make_pixmap(shape, seed, scale=1.1, angle=0.3, shift=(20.0, 15.0)):
    """A rotated, scaled and mildly distorted map of the input grid into the output."""
    rng = np.random.default_rng(seed)
    y, x = np.indices(shape, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    xo = scale * (c * x - s * y) + shift[0] + 60.0 + 1e-4 * (x - 75.0) ** 2
    yo = scale * (s * x + c * y) + shift[1] + 2e-4 * x * y / 10.0
    xo += rng.uniform(-0.01, 0.01, shape)
    return np.dstack([xo, yo])


def make_data(shape, seed):
    rng = np.random.default_rng(seed)
    data = (10.0 + rng.normal(0.0, 3.0, shape)).astype(np.float32)
    data[5, 7] = 500.0
    weights = rng.uniform(0.5, 2.0, shape).astype(np.float32)
    weights[10:12, 20:25] = 0.0
    return data, weights


def assert_same(ours, ref):
    np.testing.assert_allclose(ours.out_img, ref.out_img, rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(ours.out_wht, ref.out_wht, rtol=RTOL, atol=0.0)
    if ref.out_ctx is None:
        assert ours.out_ctx is None
    else:
        assert ours.out_ctx.shape == ref.out_ctx.shape
        np.testing.assert_array_equal(ours.out_ctx, ref.out_ctx)
    assert ours.total_exptime == ref.total_exptime
    assert ours.ctx_id == ref.ctx_id


def run_both(ctor, adds):
    # Separate copies of any output arrays: both classes update them in place.
    copies = [{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in ctor.items()} for _ in range(2)]
    ours, ref = dd.Drizzle(**copies[0]), resample.Drizzle(**copies[1])
    for a in adds:
        ours.add_image(**a)
        ref.add_image(**a)
    return ours, ref


@pytest.mark.parametrize(
    "kernel,pixfrac",
    [
        ("square", 1.0),
        ("square", 0.6),
        ("point", 1.0),
        ("turbo", 1.0),
        ("turbo", 0.7),
        ("gaussian", 1.0),
        ("gaussian", 0.8),
        ("lanczos2", 1.0),
        ("lanczos3", 1.0),
    ],
)
@pytest.mark.parametrize("fillval", [None, 0.0])
def test_add_two_images_every_kernel(kernel, pixfrac, fillval):
    adds = []
    for k in range(2):
        data, weights = make_data(IN_SHAPE, seed=k)
        adds.append(
            dict(
                data=data,
                exptime=100.0 + k,
                pixmap=make_pixmap(IN_SHAPE, seed=10 + k, shift=(20.0 + 3.3 * k, 15.0 - 2.1 * k)),
                weight_map=weights,
                pixfrac=pixfrac,
                pixel_scale_ratio=1.1,
            )
        )
    ours, ref = run_both(dict(kernel=kernel, fillval=fillval, out_shape=OUT_SHAPE), adds)
    assert np.isfinite(ref.out_img).any() and (ref.out_wht > 0).sum() > 1000
    assert_same(ours, ref)


@pytest.mark.parametrize("kernel", ["square", "turbo", "gaussian", "lanczos3"])
def test_options_units_scales_section_estimated_ratio(kernel):
    data, weights = make_data(IN_SHAPE, seed=3)
    pixmap = make_pixmap(IN_SHAPE, seed=4, scale=0.8)
    add = dict(
        data=data,
        exptime=7.5,
        pixmap=pixmap,
        weight_map=weights,
        in_units="counts",
        iscale=1.7,
        wht_scale=0.5,
        pixel_scale_ratio=None,
        xmin=10,
        xmax=130,
        ymin=5,
        ymax=100,
    )
    ours, ref = run_both(dict(kernel=kernel, fillval="-1", out_shape=OUT_SHAPE), [add])
    assert_same(ours, ref)


def test_context_planes_grow_and_no_weight_map():
    adds = []
    for k in range(3):
        data, _ = make_data(IN_SHAPE, seed=20 + k)
        adds.append(dict(data=data, exptime=1.0, pixmap=make_pixmap(IN_SHAPE, seed=30 + k, shift=(10.0 * k, 5.0))))
    ours, ref = run_both(dict(kernel="square", out_shape=OUT_SHAPE, begin_ctx_id=31), adds)
    assert ref.out_ctx.shape[0] == 2
    assert_same(ours, ref)


def test_disable_ctx_and_float64_noncontiguous_inputs():
    data, weights = make_data((IN_SHAPE[1], IN_SHAPE[0]), seed=5)
    data64 = data.astype(np.float64).T  # non-contiguous float64, converted by the wrapper
    pixmap = make_pixmap(IN_SHAPE, seed=6)
    add = dict(data=data64, exptime=2.0, pixmap=pixmap, weight_map=weights.T)
    ours, ref = run_both(dict(kernel="turbo", out_shape=OUT_SHAPE, disable_ctx=True), [add])
    assert_same(ours, ref)


def test_resume_from_earlier_outputs():
    data, weights = make_data(IN_SHAPE, seed=7)
    first = dd.Drizzle(kernel="square", out_shape=OUT_SHAPE)
    first.add_image(data, exptime=3.0, pixmap=make_pixmap(IN_SHAPE, seed=8), weight_map=weights)
    data2, weights2 = make_data(IN_SHAPE, seed=9)
    add = dict(data=data2, exptime=4.0, pixmap=make_pixmap(IN_SHAPE, seed=11, shift=(25.0, 12.0)), weight_map=weights2)
    arrays = lambda: dict(  # noqa: E731
        out_img=first.out_img.copy(), out_wht=first.out_wht.copy(), out_ctx=first.out_ctx.copy(), exptime=3.0
    )
    ours, ref = run_both(dict(kernel="square", begin_ctx_id=1, **arrays()), [add])
    assert_same(ours, ref)
    # The caller's float32 arrays are updated in place, as drizzle does.
    given = arrays()
    d = dd.Drizzle(kernel="square", begin_ctx_id=1, **given)
    d.add_image(**add)
    assert d.out_img is given["out_img"] and d.out_wht is given["out_wht"]
    np.testing.assert_array_equal(given["out_wht"], ref.out_wht)


def test_output_shape_from_pixmap():
    data, _ = make_data(IN_SHAPE, seed=12)
    add = dict(data=data, exptime=1.0, pixmap=make_pixmap(IN_SHAPE, seed=13))
    ours, ref = run_both(dict(kernel="square"), [add])
    assert ours.out_img.shape == ref.out_img.shape
    assert_same(ours, ref)


@pytest.mark.parametrize("interp", ["nearest", "linear", "poly3", "poly5", "lanczos3", "lanczos5"])
def test_blot_every_interpolant(interp):
    rng = np.random.default_rng(40)
    y, x = np.indices(OUT_SHAPE, dtype=np.float64)
    image = (50.0 + 10.0 * np.sin(x / 7.0) * np.cos(y / 9.0) + rng.normal(0, 0.5, OUT_SHAPE)).astype(np.float32)
    # Positions in `image` of each pixel of a (ny, nx) = IN_SHAPE frame, some outside.
    pixmap = make_pixmap(IN_SHAPE, seed=41, shift=(-5.0, -8.0))
    ours = dd.blot_image(image, pixmap, iscale=1.3, fillval=-7.0, interp=interp)
    ref = resample.blot_image(image, pixmap, iscale=1.3, fillval=-7.0, interp=interp)
    assert ours.shape == ref.shape == IN_SHAPE
    assert (ref == -7.0).any() and (ref != -7.0).sum() > 1000
    # Bands where drizzle 3.0 reads outside its array (docs/compatibility.md): nearest
    # for NX - 0.5 <= x < NX, poly3 for NY - 1 < y < NY. Compared everywhere else.
    x, y = pixmap[..., 0], pixmap[..., 1]
    ny, nx = image.shape
    undefined = np.zeros(IN_SHAPE, dtype=bool)
    if interp == "nearest":
        undefined = (x >= nx - 0.5) & (x < nx)
    elif interp == "poly3":
        undefined = (y > ny - 1) & (y < ny)
    assert undefined.sum() < 100
    np.testing.assert_allclose(ours[~undefined], ref[~undefined], rtol=RTOL, atol=0.0)
    out = np.zeros(IN_SHAPE, dtype=np.float32)
    assert dd.blot_image(image, pixmap, out_img=out, iscale=1.3, fillval=-7.0, interp=interp) is out
    np.testing.assert_array_equal(out, ours)


def test_errors_are_value_errors():
    d = dd.Drizzle(out_shape=OUT_SHAPE)
    data, _ = make_data(IN_SHAPE, seed=1)
    with pytest.raises(ValueError, match="strictly positive"):
        d.add_image(data, exptime=0.0, pixmap=make_pixmap(IN_SHAPE, seed=1))
    with pytest.raises(ValueError, match="not consistent"):
        d.add_image(data[:10], exptime=1.0, pixmap=make_pixmap(IN_SHAPE, seed=1))
    with pytest.raises(ValueError, match="not supported"):
        dd.Drizzle(kernel="boxcar")


def test_gil_released_during_blot():
    """Another Python thread keeps running while the kernel works."""
    import threading
    import time

    shape = (1500, 1500)
    y, x = np.indices(shape, dtype=np.float64)
    image = (x + y).astype(np.float32)
    pixmap = np.dstack([x * 0.999 + 0.3, y * 0.999 + 0.2])

    def loop_rate(seconds):
        n, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            n += 1
        return n / seconds

    solo = loop_rate(0.05)
    worker = threading.Thread(target=lambda: [dd.blot_image(image, pixmap, interp="poly5") for _ in range(3)])
    start = time.perf_counter()
    worker.start()
    n = 0
    while worker.is_alive():
        n += 1
    elapsed = time.perf_counter() - start
    worker.join()
    assert elapsed > 0.05, "the work was too short to tell"
    # With the GIL held for the whole call this thread would barely run.
    assert n / elapsed > 0.05 * solo, (n / elapsed, solo)
