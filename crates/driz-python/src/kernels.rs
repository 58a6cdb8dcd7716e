//! Drizzle and blot on numpy arrays (the engine under `driz.drizzle`).
//!
//! Inputs are borrowed from numpy without copies when they already have the dtype the
//! kernels use (float32 data and weights, C-contiguous float64 pixel maps); the Python
//! wrapper converts anything else once. The accumulation lives in a
//! `driz_kernels::Drizzle`; after each `add_image` its SCI, WHT and the new context bit
//! are written into the caller's arrays, which are the arrays `Drizzle.out_img`,
//! `out_wht` and `out_ctx` return (drizzle 3.0 updates them in place too).

use driz_kernels::{AddParams, Drizzle, Interp, Kernel, KernelError, PixelMap, Section, Units};
use ndarray::Zip;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2, PyReadonlyArray3, PyReadwriteArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn value_error(e: KernelError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The `(ny, nx, 2)` pixel map as `[x, y]` pairs without copying.
fn pixel_pairs<'a>(pixmap: &'a PyReadonlyArray3<'_, f64>) -> PyResult<&'a [[f64; 2]]> {
    let shape = pixmap.shape();
    if shape[2] != 2 {
        return Err(PyValueError::new_err(format!("pixmap must have shape (ny, nx, 2), got {shape:?}")));
    }
    let flat = pixmap.as_slice().map_err(|_| PyValueError::new_err("pixmap must be C-contiguous"))?;
    // SAFETY: `[f64; 2]` has the size of two f64 and the alignment of one, so the
    // contiguous buffer of 2·n values is exactly n pairs; the borrow of `pixmap` keeps
    // the buffer alive and unwritten for the returned lifetime.
    Ok(unsafe { std::slice::from_raw_parts(flat.as_ptr().cast::<[f64; 2]>(), flat.len() / 2) })
}

/// An output frame being drizzled into, with drizzle 3.0's per-image parameters.
#[pyclass(module = "driz._driz", name = "DrizzleCore")]
pub struct DrizzleCore {
    inner: Drizzle,
    kernel: Kernel,
    fill: Option<f32>,
}

#[pymethods]
impl DrizzleCore {
    /// `fillval`: the value of pixels without weight after each image (`None`: INDEF,
    /// such pixels keep the caller's values).
    #[new]
    #[pyo3(signature = (ny, nx, kernel, fillval))]
    fn new(ny: usize, nx: usize, kernel: &str, fillval: Option<f32>) -> PyResult<Self> {
        let kernel: Kernel = kernel.parse().map_err(PyValueError::new_err)?;
        Ok(DrizzleCore { inner: Drizzle::with_initial(nx, ny, f32::NAN, fillval), kernel, fill: fillval })
    }

    /// Start from an earlier result (`out_img`, `out_wht` given to the constructor).
    ///
    /// `driz_kernels::Drizzle` has no constructor from arrays, so the earlier state is
    /// drizzled in as one image with the point kernel through the identity map: each
    /// pixel lands on itself with its value and its weight, which sets SCI and WHT
    /// exactly (the first contribution to an empty pixel is stored as is). That image
    /// takes the internal context id 0; only the bits of later images are reported.
    fn seed(&mut self, py: Python<'_>, img: PyReadonlyArray2<'_, f32>, wht: PyReadonlyArray2<'_, f32>) -> PyResult<()> {
        let (img, wht) = (img.as_array(), wht.as_array());
        let (ny, nx) = img.dim();
        if (nx, ny) != (self.inner.nx, self.inner.ny) || wht.dim() != img.dim() {
            return Err(PyValueError::new_err("out_img and out_wht must have the output shape"));
        }
        let inner = &mut self.inner;
        py.detach(|| {
            let identity: Vec<[f64; 2]> = (0..ny).flat_map(|j| (0..nx).map(move |i| [i as f64, j as f64])).collect();
            let map = PixelMap::new(nx, ny, &identity)?;
            let params = AddParams { kernel: Kernel::Point, ..AddParams::default() };
            inner.add_image(img, Some(wht), &map, &params).map(|_| ())
        })
        .map_err(value_error)?;
        self.inner.total_exptime = 0.0;
        Ok(())
    }

    /// Drizzle one image and write the result into `out_img`, `out_wht` and bit
    /// `ctx_bit` of `out_ctx` (the context plane of this image). Returns the number of
    /// input pixels scanned.
    #[pyo3(signature = (data, pixmap, weights, out_img, out_wht, out_ctx, ctx_bit, exptime, iscale,
        pixel_scale_ratio, wht_scale, pixfrac, in_units, xmin, xmax, ymin, ymax))]
    #[allow(clippy::too_many_arguments)] // drizzle 3.0's add_image arguments
    fn add_image(
        &mut self,
        py: Python<'_>,
        data: PyReadonlyArray2<'_, f32>,
        pixmap: PyReadonlyArray3<'_, f64>,
        weights: Option<PyReadonlyArray2<'_, f32>>,
        mut out_img: PyReadwriteArray2<'_, f32>,
        mut out_wht: PyReadwriteArray2<'_, f32>,
        out_ctx: Option<PyReadwriteArray2<'_, i32>>,
        ctx_bit: u32,
        exptime: f32,
        iscale: f32,
        pixel_scale_ratio: Option<f32>,
        wht_scale: f32,
        pixfrac: f64,
        in_units: &str,
        xmin: i64,
        xmax: i64,
        ymin: i64,
        ymax: i64,
    ) -> PyResult<usize> {
        let units = match in_units {
            "cps" => Units::Cps,
            "counts" => Units::Counts,
            other => return Err(PyValueError::new_err(format!("in_units must be 'cps' or 'counts', got {other:?}"))),
        };
        if ctx_bit >= 32 {
            return Err(PyValueError::new_err("ctx_bit must be below 32"));
        }
        let shape = pixmap.shape();
        let data_view = data.as_array();
        if shape[..2] != [data_view.nrows(), data_view.ncols()] {
            return Err(PyValueError::new_err("'pixmap' shape is not consistent with 'data' shape."));
        }
        let pairs = pixel_pairs(&pixmap)?;
        let weights_view = weights.as_ref().map(|w| w.as_array());
        let out_dim = (self.inner.ny, self.inner.nx);
        let mut img = out_img.as_array_mut();
        let mut wht = out_wht.as_array_mut();
        let mut ctx_plane = out_ctx;
        let mut ctx = ctx_plane.as_mut().map(|c| c.as_array_mut());
        if img.dim() != out_dim || wht.dim() != out_dim || ctx.as_ref().is_some_and(|c| c.dim() != out_dim) {
            return Err(PyValueError::new_err("output arrays must have the output shape"));
        }
        let params = AddParams {
            kernel: self.kernel,
            pixfrac,
            pixel_scale_ratio,
            iscale,
            weight_scale: wht_scale,
            exptime,
            units,
            section: Some(Section { xmin, xmax, ymin, ymax }),
            zero_weight_writes_data: false,
        };
        let fill = self.fill;
        let inner = &mut self.inner;
        py.detach(|| {
            let id = inner.next_context_id();
            let map = PixelMap::new(data_view.ncols(), data_view.nrows(), pairs)?;
            let stats = inner.add_image(data_view, weights_view, &map, &params)?;
            let sci = inner.sci();
            let new_wht = inner.wht();
            // INDEF fill: pixels still without weight keep the caller's values.
            Zip::from(&mut img).and(&sci).and(&new_wht).par_for_each(|o, &s, &w| {
                if w != 0.0 || fill.is_some() {
                    *o = s;
                }
            });
            wht.assign(&new_wht);
            if let Some(ctx) = ctx.as_mut() {
                let planes = inner.context();
                let internal = &planes[id / 32];
                let (from, to) = (1i32.wrapping_shl((id % 32) as u32), 1i32.wrapping_shl(ctx_bit));
                Zip::from(ctx).and(internal).par_for_each(|c, &v| {
                    if v & from != 0 {
                        *c |= to;
                    }
                });
            }
            Ok(stats.scanned)
        })
        .map_err(value_error)
    }
}

/// Blot `data` onto the frame of `pixmap` (its `(ny, nx)` is the output shape; entries
/// are 0-based positions in `data`). Writes into `out` when given, else returns a new
/// array.
#[pyfunction]
#[pyo3(signature = (data, pixmap, out, iscale, interp, fillval))]
pub fn blot<'py>(
    py: Python<'py>,
    data: PyReadonlyArray2<'py, f32>,
    pixmap: PyReadonlyArray3<'py, f64>,
    out: Option<PyReadwriteArray2<'py, f32>>,
    iscale: f32,
    interp: &str,
    fillval: f32,
) -> PyResult<Option<Bound<'py, PyArray2<f32>>>> {
    let interp: Interp = interp.parse().map_err(PyValueError::new_err)?;
    let shape = pixmap.shape();
    let (ny, nx) = (shape[0], shape[1]);
    let pairs = pixel_pairs(&pixmap)?;
    let data_view = data.as_array();
    let result = py
        .detach(|| {
            let map = PixelMap::new(nx, ny, pairs)?;
            driz_kernels::blot(data_view, &map, interp, iscale, fillval)
        })
        .map_err(value_error)?;
    match out {
        Some(mut out) => {
            let mut view = out.as_array_mut();
            if view.dim() != result.dim() {
                return Err(PyValueError::new_err("'output_image' shape is not consistent with 'pixmap' shape."));
            }
            py.detach(|| view.assign(&result));
            Ok(None)
        }
        None => Ok(Some(result.into_pyarray(py))),
    }
}
