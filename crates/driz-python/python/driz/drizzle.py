"""Drizzle and blot on numpy arrays, with the interface of ``drizzle.resample`` 3.0.

``Drizzle`` and ``blot_image`` take the same arguments as drizzle 3.0.0's and give the
same SCI, WHT and context arrays (the tests compare them with drizzle 3.0.0 for every
kernel). Differences:

- ``add_image`` returns None (drizzle returns its ``(nmiss, nskip)`` counters);
- ``data2``/``out_img2``/``fillval2`` (squared-weight co-adds) and ``dq``/``out_dq`` are
  not supported (a ``NotImplementedError`` names them);
- the ``"tophat"`` kernel of drizzlepac is accepted besides drizzle's six;
- output arrays are refreshed after each ``add_image``: changing them in between calls
  does not change what the next image is added to.

The work runs in Rust with the GIL released, in parallel over bands of output rows,
with results independent of the number of threads.
"""

import math
import warnings

import numpy as np

from . import _driz

__all__ = ["Drizzle", "blot_image"]

KERNELS = ("square", "gaussian", "point", "turbo", "lanczos2", "lanczos3", "tophat")
_PLANE_BITS = 32
_UNSET = object()


def _fill_text(fillval, have_out_img):
    """drizzle's fill value as a string: ``"INDEF"`` (no fill), ``"NaN"`` or a number."""
    if fillval is None:
        text = "INDEF"
    elif isinstance(fillval, str):
        text = fillval.strip()
        if text.upper() in ("", "INDEF"):
            text = "INDEF"
        else:
            float(text)  # a ValueError for text that is no number, as drizzle
    else:
        text = str(fillval)
    if text == "INDEF" and not have_out_img:
        text = "NaN"
    return text


def _fill_value(text):
    return None if text == "INDEF" else float(text)


class Drizzle:
    """Co-add images onto one output grid with the drizzle algorithm (Fruchter & Hook
    2002): a weighted mean in ``out_img``, the weights in ``out_wht``, one context bit
    per input image in ``out_ctx`` (shape ``(planes, ny, nx)``; image ``k`` is bit
    ``k % 32`` of plane ``k // 32``).

    Arguments as ``drizzle.resample.Drizzle`` 3.0: ``kernel``, ``fillval``,
    ``out_shape`` (ny, nx), ``out_img``/``out_wht``/``out_ctx`` (earlier results to add
    to; float32/int32 arrays of the right shape are updated in place), ``exptime`` (of
    those earlier results), ``begin_ctx_id``, ``max_ctx_id``, ``disable_ctx``.
    """

    def __init__(
        self,
        kernel="square",
        fillval=None,
        fillval2=None,
        out_shape=None,
        out_img=None,
        out_wht=None,
        out_ctx=None,
        out_img2=None,
        out_dq=None,
        exptime=0.0,
        begin_ctx_id=0,
        max_ctx_id=None,
        disable_ctx=False,
    ):
        if fillval2 is not None or out_img2 is not None or out_dq is not None:
            raise NotImplementedError("driz.drizzle.Drizzle: fillval2, out_img2 and out_dq are not supported")
        self._disable_ctx = bool(disable_ctx)
        if self._disable_ctx:
            self._ctx_id = None
            self._max_ctx_id = None
        else:
            if begin_ctx_id < 0:
                raise ValueError("Invalid context image ID")
            if max_ctx_id is None:
                max_ctx_id = begin_ctx_id
            elif max_ctx_id < begin_ctx_id:
                raise ValueError("'max_ctx_id' cannot be smaller than 'begin_ctx_id'.")
            self._ctx_id = begin_ctx_id
            self._max_ctx_id = max_ctx_id

        have_earlier = out_img is not None or out_wht is not None or out_ctx is not None
        if exptime < 0.0:
            raise ValueError("Exposure time must be non-negative.")
        if exptime > 0.0 and not have_earlier:
            raise ValueError(
                "Exposure time must be 0.0 for the first resampling "
                "(when no output resampled images have been provided)."
            )
        if exptime == 0.0 and (
            (out_ctx is not None and np.sum(out_ctx) > 0) or (out_wht is not None and np.sum(out_wht) > 0)
        ):
            raise ValueError(
                "Inconsistent exposure time and context and/or weight images: "
                "Exposure time cannot be 0 when context and/or weight arrays are non-zero."
            )
        self._texptime = exptime

        if kernel.lower() not in KERNELS:
            raise ValueError(f"Kernel '{kernel}' is not supported.")
        self._kernel = kernel
        self._fillval = _fill_text(fillval, out_img is not None)

        shapes = set()
        if out_img is not None:
            out_img = np.asarray(out_img, dtype=np.float32)
            shapes.add(out_img.shape)
        if out_wht is not None:
            out_wht = np.asarray(out_wht, dtype=np.float32)
            shapes.add(out_wht.shape)
        if out_ctx is not None:
            out_ctx = np.asarray(out_ctx, dtype=np.int32)
            if out_ctx.ndim == 2:
                out_ctx = out_ctx[None, :, :]
            elif out_ctx.ndim != 3:
                raise ValueError("'out_ctx' must be either a 2D or 3D array.")
            shapes.add(out_ctx.shape[1:])
        if out_shape is not None:
            shapes.add(tuple(out_shape))
        if len(shapes) > 1:
            raise ValueError(
                "Inconsistent data shapes specified: 'out_shape' and/or out_img, out_wht, out_ctx have different shapes."
            )

        self._out_shape = None
        self._out_img = self._out_wht = self._out_ctx = None
        self._core = None
        if shapes:
            self._allocate(shapes.pop(), out_img, out_wht, out_ctx)

    def _allocate(self, shape, out_img, out_wht, out_ctx):
        self._out_shape = tuple(int(n) for n in shape)
        self._out_wht = np.zeros(self._out_shape, dtype=np.float32) if out_wht is None else out_wht
        if not self._disable_ctx:
            if out_ctx is None:
                planes = self._max_ctx_id // _PLANE_BITS + 1
                out_ctx = np.zeros((planes,) + self._out_shape, dtype=np.int32)
            elif out_wht is not None:
                covered = np.sum(out_ctx, axis=0) > 0
                if np.any((self._out_wht > 0.0) != covered):
                    raise ValueError(
                        "Inconsistent values of supplied 'out_wht' and 'out_ctx' arrays. "
                        "Pixels with non-zero context values must have positive weights and vice-versa."
                    )
            self._out_ctx = out_ctx
        if out_img is None:
            start = math.nan if self._fillval.upper() in ("INDEF", "NAN") else float(self._fillval)
            out_img = np.full(self._out_shape, start, dtype=np.float32)
        self._out_img = out_img
        ny, nx = self._out_shape
        self._core = _driz.DrizzleCore(ny, nx, self._kernel.lower(), _fill_value(self._fillval))
        if np.any(self._out_wht != 0.0):
            self._core.seed(np.ascontiguousarray(self._out_img), np.ascontiguousarray(self._out_wht))

    @property
    def fillval(self):
        """Value of output pixels without contributions (``"INDEF"``: left unchanged)."""
        return self._fillval

    @property
    def kernel(self):
        return self._kernel

    @property
    def ctx_id(self):
        """Context ID (0-based) of the next image to be added."""
        return self._ctx_id

    @property
    def out_img(self):
        return self._out_img

    @property
    def out_wht(self):
        return self._out_wht

    @property
    def out_ctx(self):
        return self._out_ctx

    @property
    def out_img2(self):
        return None

    @property
    def out_dq(self):
        return None

    @property
    def total_exptime(self):
        """Total exposure time of all images added (and of the earlier results)."""
        return self._texptime

    def add_image(
        self,
        data,
        exptime,
        pixmap,
        data2=None,
        dq=None,
        scale=_UNSET,
        iscale=1.0,
        pixel_scale_ratio=1.0,
        weight_map=None,
        wht_scale=1.0,
        pixfrac=1.0,
        in_units="cps",
        xmin=None,
        xmax=None,
        ymin=None,
        ymax=None,
    ):
        """Drizzle ``data`` (2D) onto the output through ``pixmap`` (shape ``(ny, nx, 2)``:
        0-based output x and y of each input pixel centre), as drizzle 3.0's
        ``Drizzle.add_image`` with the same arguments. ``pixel_scale_ratio=None``
        estimates the ratio from the pixel map. Returns None."""
        if data2 is not None or dq is not None:
            raise NotImplementedError("driz.drizzle.Drizzle.add_image: data2 and dq are not supported")
        if scale is not _UNSET:
            warnings.warn(
                "Argument 'scale' is deprecated (drizzle 2.2): use iscale=scale**2 and pixel_scale_ratio=scale.",
                DeprecationWarning,
                stacklevel=2,
            )
            iscale = scale * scale
            pixel_scale_ratio = scale

        data = np.asarray(data, dtype=np.float32)
        pixmap = np.ascontiguousarray(pixmap, dtype=np.float64)
        if pixmap.ndim != 3 or pixmap.shape[:2] != data.shape:
            raise ValueError("'pixmap' shape is not consistent with 'data' shape.")
        if self._out_shape is None:
            # No output shape yet: the bounding box of the mapped pixels, shifted to 0.
            x0 = int(np.floor(np.nanmin(pixmap[:, :, 0])))
            x1 = int(np.ceil(np.nanmax(pixmap[:, :, 0])))
            y0 = int(np.floor(np.nanmin(pixmap[:, :, 1])))
            y1 = int(np.ceil(np.nanmax(pixmap[:, :, 1])))
            pixmap = pixmap.copy()
            pixmap[:, :, 0] -= x0
            pixmap[:, :, 1] -= y0
            # drizzle 3.0 takes (x extent, y extent) as the (ny, nx) shape here; kept.
            self._allocate((x1 - x0 + 1, y1 - y0 + 1), None, None, None)

        if self._disable_ctx:
            plane, bit = None, 0
        else:
            plane, bit = divmod(self._ctx_id, _PLANE_BITS)
            if plane >= self._out_ctx.shape[0]:
                extra = np.zeros((1,) + self._out_shape, dtype=np.int32)
                self._out_ctx = np.append(self._out_ctx, extra, axis=0)
            self._ctx_id += 1

        if exptime <= 0.0:
            raise ValueError("'exptime' *must* be a strictly positive number.")
        self._texptime += exptime

        in_ny, in_nx = data.shape
        xmin = 0 if xmin is None or xmin < 0 else int(xmin)
        ymin = 0 if ymin is None or ymin < 0 else int(ymin)
        xmax = in_nx - 1 if xmax is None or xmax > in_nx - 1 else int(xmax)
        ymax = in_ny - 1 if ymax is None or ymax > in_ny - 1 else int(ymax)
        if weight_map is not None:
            weight_map = np.asarray(weight_map, dtype=np.float32)
            if weight_map.shape != data.shape:
                raise ValueError("'weight_map' shape is not consistent with 'data' shape.")

        self._core.add_image(
            data,
            pixmap,
            weight_map,
            self._out_img,
            self._out_wht,
            None if plane is None else self._out_ctx[plane],
            bit,
            float(exptime),
            float(iscale),
            None if pixel_scale_ratio is None else float(pixel_scale_ratio),
            float(wht_scale),
            float(pixfrac),
            in_units,
            xmin,
            xmax,
            ymin,
            ymax,
        )


def blot_image(
    data,
    pixmap,
    pix_ratio=_UNSET,
    exptime=_UNSET,
    output_pixel_shape=_UNSET,
    out_img=None,
    fillval=0.0,
    iscale=1.0,
    interp="poly5",
):
    """Resample ``data`` onto the grid of ``pixmap`` (shape ``(ny, nx, 2)`` of the output;
    entries are 0-based positions in ``data``) with ``interp`` (nearest, linear, poly3,
    poly5, lanczos3, lanczos5), values times ``iscale``, ``fillval`` outside ``data``:
    drizzle 3.0's ``blot_image`` with the same arguments (``pix_ratio``, ``exptime`` and
    ``output_pixel_shape`` are deprecated there and here)."""
    if interp in ("lan3", "lan5"):
        replacement = interp.replace("lan", "lanczos")
        warnings.warn(f"Interpolation '{interp}' is deprecated: use '{replacement}'.", DeprecationWarning, stacklevel=2)
        interp = replacement
    if pix_ratio is not _UNSET:
        warnings.warn("Argument 'pix_ratio' is deprecated: use iscale=1/pix_ratio**2.", DeprecationWarning, stacklevel=2)
        iscale /= pix_ratio * pix_ratio
    if exptime is not _UNSET:
        warnings.warn("Argument 'exptime' is deprecated: use iscale=exptime.", DeprecationWarning, stacklevel=2)
        iscale *= exptime
    pixmap = np.ascontiguousarray(pixmap, dtype=np.float64)
    if output_pixel_shape is _UNSET:
        shape = tuple(pixmap.shape[:2])
    else:
        warnings.warn(
            "Argument 'output_pixel_shape' is deprecated: the shape comes from pixmap.", DeprecationWarning, stacklevel=2
        )
        shape = tuple(output_pixel_shape[::-1])
    if shape != tuple(pixmap.shape[:2]):
        raise ValueError("'output_pixel_shape' is not consistent with 'pixmap' shape.")
    data = np.asarray(data, dtype=np.float32)
    if out_img is None:
        return _driz.blot(data, pixmap, None, float(iscale), interp, float(fillval))
    out_img = np.asarray(out_img, dtype=np.float32)
    if out_img.shape != shape:
        raise ValueError("'output_image' shape is not consistent with 'pixmap' shape.")
    _driz.blot(data, pixmap, out_img, float(iscale), interp, float(fillval))
    return out_img
