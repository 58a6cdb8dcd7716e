//! Accumulating input images into an output frame: the weighted mean in SCI, the weight
//! sum in WHT, one context bit per input, fill values. Semantics of drizzle 3.0's
//! `Drizzle.add_image`.
//!
//! Work is split into bands of output rows processed in parallel. Each band replays
//! the input pixels that can reach it in drizzle's order, so every output pixel sees
//! its contributions in exactly the serial order: results are bit-identical to a
//! single-threaded run for any number of threads.

use crate::KernelError;
use crate::kernels::{self, Kernel, Spread};
use crate::pixmap::{MapLookup, PixelMap, Section};
use crate::scanner;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

/// Parallel bands per thread: enough for work stealing to even out what cutting the bands
/// by their sampled pixel centres leaves unequal, few enough that rows of input pixels
/// stay long within a band.
const BANDS_PER_THREAD: usize = 4;
/// Fewest output rows in a band: a pixel whose footprint crosses a band boundary is
/// drizzled once in each band it reaches.
const MIN_BAND_ROWS: usize = 16;
/// One pixel in this many, along rows and columns, is counted to balance the bands.
const CENTRE_SAMPLE: usize = 4;
/// Map rows a band of input rows needs on each side: a drop's corners come from the rows
/// next to its pixel's, and the interior path reads two rows beyond it.
const MAP_HALO: usize = 2;

/// The input pixels one add drizzles (drizzle's scan of the input box) and the checked
/// parameters: see [`Drizzle::plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct AddPlan {
    rows: Vec<(usize, usize, usize)>,
    spread: Option<Spread>,
    kernel: Kernel,
    nx: usize,
    ny: usize,
    onx: usize,
    ony: usize,
}

impl AddPlan {
    /// What an add of an image with this map and these parameters into an `onx` × `ony`
    /// frame drizzles: the checked parameters and drizzle's scan of the input box, which
    /// needs the whole map. With the plan made, the image can be drizzled a band of rows
    /// at a time ([`Drizzle::add_image_in_bands`]), each band with its own piece of the
    /// map, and the whole map dropped meanwhile (the plan can be made before the frame).
    pub fn new(onx: usize, ony: usize, map: &PixelMap, params: &AddParams) -> Result<AddPlan, KernelError> {
        if !map.is_whole() {
            return Err(KernelError::Shape("a drizzle plan needs the whole pixel map".into()));
        }
        AddPlan::from_lookup(onx, ony, map, params)
    }

    /// [`new`](Self::new) from any whole map's entries: the same plan as from the map
    /// itself when `map` gives the same values. A map worked out pixel by pixel
    /// ([`MapFn`](crate::MapFn)) is only asked for the few entries a plan needs: the
    /// first and last valid pixel of each row and the entries around the points it maps.
    pub fn from_lookup(
        onx: usize,
        ony: usize,
        map: &(impl MapLookup + ?Sized),
        params: &AddParams,
    ) -> Result<AddPlan, KernelError> {
        let (nx, ny) = map.size();
        if nx < 2 || ny < 2 {
            return Err(KernelError::Shape(format!("input of {nx}x{ny} is too small (2x2 at least)")));
        }
        if params.exptime.is_nan() || params.exptime <= 0.0 {
            return Err(KernelError::Parameter(format!("exposure time must be > 0, got {}", params.exptime)));
        }
        if params.weight_scale.is_nan() || params.weight_scale <= 0.0 {
            return Err(KernelError::Parameter(format!("weight scale must be > 0, got {}", params.weight_scale)));
        }
        if !(params.iscale > 0.0 && params.iscale.is_finite()) {
            return Err(KernelError::Parameter(format!("iscale must be positive and finite, got {}", params.iscale)));
        }
        if let Some(psr) = params.pixel_scale_ratio
            && !(psr > 0.0 && psr.is_finite())
        {
            return Err(KernelError::Parameter(format!("pixel scale ratio must be positive and finite, got {psr}")));
        }
        if params.pixfrac.is_nan() {
            return Err(KernelError::Parameter("pixfrac is NaN".into()));
        }
        let section = resolve_section(params.section, nx, ny)?;
        let section = section
            .shrink(map)
            .ok_or_else(|| KernelError::NoOverlap("no or too few valid pixels in the pixel map".into()))?;
        let kernel = if params.pixfrac <= 0.001 { Kernel::Point } else { params.kernel };
        let scan = scanner::plan(map, section, onx, ony);
        let spread = if scan.rows.is_empty() {
            None
        } else {
            let psr = match params.pixel_scale_ratio {
                Some(p) => p,
                None if kernel.uses_scale_ratio() => estimate_scale_ratio(map, &scan.polygon)?,
                None => 1.0,
            };
            Some(Spread::new(kernel, params.pixfrac, psr))
        };
        Ok(AddPlan { rows: scan.rows, spread, kernel, nx, ny, onx, ony })
    }
}

/// Input units: counts are divided by the exposure time (drizzle's `in_units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Cps,
    Counts,
}

/// The parameters of one `add_image` call, with drizzle 3.0's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AddParams {
    pub kernel: Kernel,
    pub pixfrac: f64,
    /// Output pixel size over input pixel size, for the kernels that need it; `None`
    /// estimates it from the pixel map (reproducing drizzle's reciprocal estimate).
    pub pixel_scale_ratio: Option<f32>,
    pub iscale: f32,
    pub weight_scale: f32,
    pub exptime: f32,
    pub units: Units,
    /// Inclusive input box `xmin, xmax, ymin, ymax` (default: the whole image).
    pub section: Option<Section>,
    /// drizzlepac's `cdriz` behaviour: a zero-weight contribution still sets SCI to the
    /// input value where the output weight is 0 (drizzle 3.0 skips it). AstroDrizzle's
    /// products then carry data values in pixels whose only inputs are masked.
    pub zero_weight_writes_data: bool,
}

impl Default for AddParams {
    fn default() -> AddParams {
        AddParams {
            kernel: Kernel::Square,
            pixfrac: 1.0,
            pixel_scale_ratio: Some(1.0),
            iscale: 1.0,
            weight_scale: 1.0,
            exptime: 1.0,
            units: Units::Cps,
            section: None,
            zero_weight_writes_data: false,
        }
    }
}

/// What one `add_image` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddStats {
    /// Input pixels inside the scanned region.
    pub scanned: usize,
    /// The kernel actually used (`point` when pixfrac ≤ 0.001).
    pub kernel: Option<Kernel>,
}

/// An output frame being drizzled into.
#[derive(Debug, Clone)]
pub struct Drizzle {
    pub nx: usize,
    pub ny: usize,
    /// SCI, WHT and the active context plane, interleaved so that an update touches one
    /// cache line instead of three.
    cells: Vec<Cell>,
    /// Context planes; input `k` (0-based) is bit `k % 32` of plane `k / 32`. The active
    /// plane lives in `cells` and its slot here is an empty placeholder.
    planes: Vec<Array2<i32>>,
    active_plane: usize,
    /// Value written where WHT is 0 after each call; `None` is INDEF (no fill).
    pub fill: Option<f32>,
    next_ctx_id: usize,
    pub total_exptime: f64,
    /// The value (as [`fill_key`]) every cell with WHT = 0 is known to hold in SCI, so
    /// that the fill pass over the whole frame can be skipped when it would change
    /// nothing; `None` when unknown.
    zero_weight_sci: Option<u32>,
}

/// Bits identifying a fill value, all NaNs alike.
fn fill_key(v: f32) -> u32 {
    if v.is_nan() { f32::NAN.to_bits() } else { v.to_bits() }
}

impl Drizzle {
    /// A fresh output as drizzle 3.0's `Drizzle(out_shape=(ny, nx), fillval=...)`:
    /// INDEF (`None`) means uncovered pixels are NaN.
    pub fn new(nx: usize, ny: usize, fillval: Option<f32>) -> Drizzle {
        let fill = fillval.unwrap_or(f32::NAN);
        Drizzle::with_initial(nx, ny, fill, Some(fill))
    }

    /// An output whose SCI starts at `initial` and is filled with `fill` where WHT = 0
    /// (`None`: never filled, as AstroDrizzle's INDEF on zero-initialised arrays).
    pub fn with_initial(nx: usize, ny: usize, initial: f32, fill: Option<f32>) -> Drizzle {
        Drizzle {
            nx,
            ny,
            cells: if initial.to_bits() == 0 {
                // SAFETY: a Cell is three 4-byte numbers, valid as all-zero bytes.
                unsafe { crate::memory::zeroed_vec(ny * nx) }
            } else {
                crate::memory::filled_vec(ny * nx, Cell { sci: initial, wht: 0.0, ctx: 0 })
            },
            planes: vec![Array2::zeros((0, 0))],
            active_plane: 0,
            fill,
            next_ctx_id: 0,
            total_exptime: 0.0,
            zero_weight_sci: Some(fill_key(initial)),
        }
    }

    /// Start context numbering at `id` (drizzle's `begin_ctx_id`).
    pub fn set_next_context_id(&mut self, id: usize) {
        self.next_ctx_id = id;
    }

    pub fn next_context_id(&self) -> usize {
        self.next_ctx_id
    }

    /// Drizzle one image. `weights` (same shape as `data`) default to ones.
    pub fn add_image(
        &mut self,
        data: ArrayView2<f32>,
        weights: Option<ArrayView2<f32>>,
        map: &PixelMap,
        params: &AddParams,
    ) -> Result<AddStats, KernelError> {
        let bit = self.begin_add(data, weights.as_ref(), map.nx, map.ny)?;
        let plan = self.plan(map, params)?;
        self.total_exptime += params.exptime as f64;
        let mut stats = AddStats { scanned: 0, kernel: Some(plan.kernel) };
        if let Some(spread) = &plan.spread {
            stats.scanned = plan.rows.iter().map(|r| r.2 + 1 - r.1).sum();
            let job = self.job(map, data, weights, spread, params);
            if job.run(&plan.rows, &mut self.cells, bit) {
                self.zero_weight_sci = None;
            }
        }
        self.fill_unweighted();
        Ok(stats)
    }

    /// What [`add_image`](Self::add_image) with this map and these parameters would
    /// drizzle into this frame: see [`AddPlan::new`].
    pub fn plan(&self, map: &PixelMap, params: &AddParams) -> Result<AddPlan, KernelError> {
        AddPlan::new(self.nx, self.ny, map, params)
    }

    /// Drizzle one image as [`add_image`](Self::add_image) does, from its `plan` (made
    /// with the same parameters), `band_rows` input rows at a time: `map_rows(lo..hi)`
    /// gives rows `lo..hi` of the pixel map, with the values of the whole map. The result
    /// is identical: each pixel sees the same map values (a band's map carries the two
    /// rows on each side that drop corners use) and every output pixel receives its
    /// contributions in the same order.
    pub fn add_image_in_bands(
        &mut self,
        data: ArrayView2<f32>,
        weights: Option<ArrayView2<f32>>,
        plan: &AddPlan,
        params: &AddParams,
        band_rows: usize,
        mut map_rows: impl FnMut(std::ops::Range<usize>) -> Vec<[f64; 2]>,
    ) -> Result<AddStats, KernelError> {
        if (plan.onx, plan.ony) != (self.nx, self.ny) {
            return Err(KernelError::Shape(format!(
                "plan made for a {}x{} output, not {}x{}",
                plan.onx, plan.ony, self.nx, self.ny
            )));
        }
        let bit = self.begin_add(data, weights.as_ref(), plan.nx, plan.ny)?;
        self.total_exptime += params.exptime as f64;
        let mut stats = AddStats { scanned: 0, kernel: Some(plan.kernel) };
        if let Some(spread) = &plan.spread {
            stats.scanned = plan.rows.iter().map(|r| r.2 + 1 - r.1).sum();
            let (nx, ny, band_rows) = (plan.nx, plan.ny, band_rows.max(1));
            let mut rows = &plan.rows[..];
            while let Some(&(first, _, _)) = rows.first() {
                let start = first - first % band_rows;
                let end = (start + band_rows).min(ny);
                let count = rows.partition_point(|r| r.0 < end);
                let (lo, hi) = (start.saturating_sub(MAP_HALO), (end + MAP_HALO).min(ny));
                let xy = map_rows(lo..hi);
                if xy.len() != (hi - lo) * nx {
                    return Err(KernelError::Shape(format!("pixel map rows {lo}..{hi} have {} entries", xy.len())));
                }
                let map = PixelMap::rows(nx, ny, lo, &xy)?;
                let job = self.job(&map, data, weights, spread, params);
                if job.run(&rows[..count], &mut self.cells, bit) {
                    self.zero_weight_sci = None;
                }
                rows = &rows[count..];
            }
        }
        self.fill_unweighted();
        Ok(stats)
    }

    /// The checks and bookkeeping every add starts with: shapes, then the input's context
    /// bit (taken even when a parameter turns out bad, as drizzle does).
    fn begin_add(
        &mut self,
        data: ArrayView2<f32>,
        weights: Option<&ArrayView2<f32>>,
        map_nx: usize,
        map_ny: usize,
    ) -> Result<i32, KernelError> {
        let (ny_in, nx_in) = data.dim();
        if map_nx != nx_in || map_ny != ny_in {
            return Err(KernelError::Shape(format!("pixel map is {map_nx}x{map_ny} but the data are {nx_in}x{ny_in}")));
        }
        if let Some(w) = weights
            && w.dim() != data.dim()
        {
            return Err(KernelError::Shape(format!(
                "weight map is {}x{} but the data are {nx_in}x{ny_in}",
                w.dim().1,
                w.dim().0
            )));
        }
        if nx_in < 2 || ny_in < 2 {
            return Err(KernelError::Shape(format!("input of {nx_in}x{ny_in} is too small (2x2 at least)")));
        }
        let id = self.next_ctx_id;
        self.next_ctx_id += 1;
        self.activate_plane(id / 32);
        Ok(1i32.wrapping_shl((id % 32) as u32))
    }

    fn job<'a>(
        &self,
        map: &'a PixelMap<'a>,
        data: ArrayView2<'a, f32>,
        weights: Option<ArrayView2<'a, f32>>,
        spread: &'a Spread,
        params: &AddParams,
    ) -> Job<'a> {
        let iscale = match params.units {
            Units::Cps => params.iscale,
            Units::Counts => params.iscale / params.exptime,
        };
        Job {
            map,
            data,
            weights,
            iscale,
            weight_scale: params.weight_scale,
            spread,
            onx: self.nx,
            ony: self.ny,
            zero_weight_writes_data: params.zero_weight_writes_data,
        }
    }

    /// drizzle's fill after each add: SCI = fill where WHT = 0, skipped when every such
    /// cell is known to hold the fill value already.
    fn fill_unweighted(&mut self) {
        if let Some(fill) = self.fill
            && self.zero_weight_sci != Some(fill_key(fill))
        {
            self.cells.par_iter_mut().with_min_len(1 << 16).for_each(|c| {
                if c.wht == 0.0 {
                    c.sci = fill;
                }
            });
            self.zero_weight_sci = Some(fill_key(fill));
        }
    }

    /// Make `plane` the context plane held in the cells, creating planes as needed.
    fn activate_plane(&mut self, plane: usize) {
        while self.planes.len() <= plane {
            self.planes.push(crate::memory::zeroed_plane(self.ny, self.nx));
        }
        if plane == self.active_plane {
            return;
        }
        let mut old = Array2::<i32>::zeros((self.ny, self.nx));
        for (o, c) in old.iter_mut().zip(&self.cells) {
            *o = c.ctx;
        }
        let new = std::mem::replace(&mut self.planes[plane], Array2::zeros((0, 0)));
        for (c, &v) in self.cells.iter_mut().zip(new.iter()) {
            c.ctx = v;
        }
        self.planes[self.active_plane] = old;
        self.active_plane = plane;
    }

    fn field<T: Copy>(&self, get: impl Fn(&Cell) -> T) -> Array2<T> {
        let v: Vec<T> = self.cells.iter().map(get).collect();
        Array2::from_shape_vec((self.ny, self.nx), v).expect("cells are ny*nx")
    }

    /// The output science array (weighted mean of the inputs).
    pub fn sci(&self) -> Array2<f32> {
        self.field(|c| c.sci)
    }

    /// The output weight array.
    pub fn wht(&self) -> Array2<f32> {
        self.field(|c| c.wht)
    }

    /// The context planes.
    pub fn context(&self) -> Vec<Array2<i32>> {
        (0..self.planes.len())
            .map(|p| if p == self.active_plane { self.field(|c| c.ctx) } else { self.planes[p].clone() })
            .collect()
    }

    /// SCI, WHT and (with `context`) the context planes, the frame's memory given back
    /// as they are filled: the cells are copied out from the end a band at a time and
    /// their buffer shrunk behind (in place for large buffers), so the peak stays near
    /// one frame instead of two.
    pub fn into_products(mut self, context: bool) -> (Array2<f32>, Array2<f32>, Vec<Array2<i32>>) {
        const CHUNK: usize = 1 << 20;
        let (nx, ny) = (self.nx, self.ny);
        let n = nx * ny;
        // Zeroed allocations: their pages are only taken as they are written.
        let mut sci = vec![0.0f32; n];
        let mut wht = vec![0.0f32; n];
        let mut ctx = if context { vec![0i32; n] } else { Vec::new() };
        let mut end = n;
        while end > 0 {
            let start = end.saturating_sub(CHUNK);
            for (k, c) in (start..end).zip(&self.cells[start..end]) {
                sci[k] = c.sci;
                wht[k] = c.wht;
            }
            if context {
                for (k, c) in (start..end).zip(&self.cells[start..end]) {
                    ctx[k] = c.ctx;
                }
            }
            self.cells.truncate(start);
            self.cells.shrink_to_fit();
            end = start;
        }
        let shape = (ny, nx);
        let planes = if context {
            self.planes[self.active_plane] = Array2::from_shape_vec(shape, ctx).expect("ny*nx");
            std::mem::take(&mut self.planes)
        } else {
            Vec::new()
        };
        (Array2::from_shape_vec(shape, sci).expect("ny*nx"), Array2::from_shape_vec(shape, wht).expect("ny*nx"), planes)
    }
}

/// One output pixel: science value, weight and the bits of the active context plane.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Cell {
    sci: f32,
    wht: f32,
    ctx: i32,
}

/// drizzle's defaults for the input box: negative minima become 0, maxima beyond the
/// image (or a maximum of 0) become the last pixel.
fn resolve_section(section: Option<Section>, nx: usize, ny: usize) -> Result<Section, KernelError> {
    let (nx, ny) = (nx as i64, ny as i64);
    let s = section.unwrap_or(Section { xmin: 0, xmax: nx - 1, ymin: 0, ymax: ny - 1 });
    let s = Section {
        xmin: s.xmin.max(0),
        ymin: s.ymin.max(0),
        xmax: if s.xmax == 0 || s.xmax >= nx { nx - 1 } else { s.xmax },
        ymax: if s.ymax == 0 || s.ymax >= ny { ny - 1 } else { s.ymax },
    };
    if s.xmax <= s.xmin || s.ymax <= s.ymin {
        return Err(KernelError::Parameter(format!(
            "input section x {}..{}, y {}..{} is empty",
            s.xmin, s.xmax, s.ymin, s.ymax
        )));
    }
    Ok(s)
}

/// drizzle's estimate at the scanner polygon's centroid: sqrt|det| of the pixel map's
/// forward differences (output pixels per input pixel).
fn estimate_scale_ratio(
    map: &(impl MapLookup + ?Sized),
    polygon: &crate::polygon::Polygon,
) -> Result<f32, KernelError> {
    let fail = || KernelError::Parameter("unable to estimate the pixel scale ratio".into());
    let (cx, cy) = polygon.centroid().ok_or_else(fail)?;
    let (nx, ny) = map.size();
    let i = (cx as i64).clamp(0, nx as i64 - 2) as usize;
    let j = (cy as i64).clamp(0, ny as i64 - 2) as usize;
    let p = map.centre(i, j).ok_or_else(fail)?;
    let px = map.centre(i + 1, j).ok_or_else(fail)?;
    let py = map.centre(i, j + 1).ok_or_else(fail)?;
    let (a, b, c, d) = (px[0] - p[0], px[1] - p[1], py[0] - p[0], py[1] - p[1]);
    Ok((a * d - b * c).abs().sqrt() as f32)
}

struct Job<'a> {
    map: &'a PixelMap<'a>,
    data: ArrayView2<'a, f32>,
    weights: Option<ArrayView2<'a, f32>>,
    iscale: f32,
    weight_scale: f32,
    spread: &'a Spread,
    onx: usize,
    ony: usize,
    zero_weight_writes_data: bool,
}

/// One band of output rows and what is drizzled into it.
struct Band<'a> {
    row0: usize,
    band_rows: usize,
    cells: &'a mut [Cell],
    segments: &'a [Segment],
    /// The context bit of the input.
    bit: i32,
}

/// The bands of output rows one add is split into: see [`Job::banding`].
struct Banding {
    /// Band `b` holds output rows `bounds[b] .. bounds[b + 1]`.
    bounds: Vec<usize>,
    /// The kernel's reach (rows) from a pixel's centre.
    reach: f64,
}

impl Banding {
    fn count(&self) -> usize {
        self.bounds.len() - 1
    }
}

/// Column range of one input row that can reach one band.
#[derive(Clone, Copy)]
struct Segment {
    row: usize,
    first: usize,
    last: usize,
}

impl Job<'_> {
    /// How the output rows are cut into bands. One thread: a single band (the plain
    /// serial loop). Otherwise [`BANDS_PER_THREAD`] bands per thread over the rows this
    /// map's pixels can reach (their centres' rows ± the kernel's [reach](Spread::reach)),
    /// so that the work is shared whatever the input's orientation (an input band of a
    /// chip aligned with the output reaches only a few hundred of its rows), cut where
    /// they hold about as many pixel centres each: a tilted chip puts few pixels in its
    /// first and last rows, and equal bands of rows left one thread with the big middle
    /// band while the other had finished.
    fn banding(&self) -> Banding {
        let threads = rayon::current_num_threads();
        let whole = Banding { bounds: vec![0, self.ony], reach: f64::INFINITY };
        if threads == 1 || self.ony == 0 {
            return whole;
        }
        let spread = self.map.y_spread();
        let reach = self.spread.reach(spread.max_neighbour_dy);
        let last_row = (self.ony - 1) as f64;
        let (lo, hi) = ((spread.min_y - reach).max(0.0), (spread.max_y + reach).min(last_row));
        // No centre reaches the frame (or none is finite): one band, every pixel skipped there.
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return whole;
        }
        let (first, last) = (lo as usize, hi as usize);
        let bounds = balanced_bounds(&self.centre_rows(first, last), first, BANDS_PER_THREAD * threads, MIN_BAND_ROWS);
        Banding { bounds, reach }
    }

    /// How many mapped pixel centres fall in each output row `first ..= last`, from a
    /// sample (every [`CENTRE_SAMPLE`]th pixel of every [`CENTRE_SAMPLE`]th row): only
    /// the shares matter, to cut the bands.
    fn centre_rows(&self, first: usize, last: usize) -> Vec<usize> {
        let mut counts = vec![0usize; last + 1 - first];
        let map = self.map;
        let held = map.xy.len() / map.nx.max(1);
        for r in (0..held).step_by(CENTRE_SAMPLE) {
            for centre in map.xy[r * map.nx..(r + 1) * map.nx].iter().step_by(CENTRE_SAMPLE) {
                let y = centre[1].round();
                // (NaN and rows outside the range fail both tests.)
                if y >= first as f64 && y <= last as f64 {
                    counts[y as usize - first] += 1;
                }
            }
        }
        counts
    }

    /// For each band, the segments of input rows that can reach it, in drizzle's order.
    /// A pixel is counted in every band within the kernel's [reach](Spread::reach) of its
    /// mapped centre: a superset of the bands its footprint touches (each band skips the
    /// pixels that miss it), found without the footprints.
    fn band_segments(&self, rows: &[(usize, usize, usize)], banding: &Banding) -> Vec<Vec<Segment>> {
        let (count, reach) = (banding.count(), banding.reach);
        let last_row = (self.ony - 1) as f64;
        // The band of each output row: 0 before the first band, `count` after the last.
        let mut band_of = vec![0usize; self.ony];
        for (band, rows) in banding.bounds.windows(2).enumerate() {
            band_of[rows[0]..rows[1]].fill(band);
        }
        band_of[banding.bounds[count]..].fill(count);
        let bounds = &banding.bounds;
        // The values of a pixel's lowest and highest reach (y ∓ reach) that give a run's
        // bands (b0, b1) as the lookups below do: the rows band_of gives b0 (0 before the
        // first band, `count` after the last) and, clamped to the last band, b1. Rows are
        // the floor of the reach, so the limits compare with the reach itself.
        let same_bands = |(b0, b1): (usize, usize)| {
            let lo = (
                if b0 == 0 { f64::NEG_INFINITY } else { bounds[b0] as f64 },
                if b0 >= count { f64::INFINITY } else { bounds[b0 + 1] as f64 },
            );
            let hi = (
                if b1 == 0 { f64::NEG_INFINITY } else { bounds[b1] as f64 },
                if b1 + 1 >= count { f64::INFINITY } else { bounds[b1 + 1] as f64 },
            );
            (lo, hi)
        };
        let per_row: Vec<Vec<(usize, Segment)>> = rows
            .par_iter()
            .map(|&(j, x1, x2)| {
                // This row's segment of each band (index into `hits`), once it has one.
                let mut hits: Vec<(usize, Segment)> = Vec::new();
                let mut open = vec![usize::MAX; count];
                // Pixels i..=last of a run reaching the same bands b0..=b1 (neighbouring
                // centres usually do): the segments are extended once per run.
                let mut extend = |(b0, b1): (usize, usize), first: usize, last: usize| {
                    for (band, slot) in open.iter_mut().enumerate().take(b1 + 1).skip(b0) {
                        match *slot {
                            usize::MAX => {
                                *slot = hits.len();
                                hits.push((band, Segment { row: j, first, last }));
                            }
                            k => hits[k].1.last = last,
                        }
                    }
                };
                let mut run: Option<((usize, usize), usize, usize)> = None;
                // Where the run's pixel reaches keep it in the run: see `same_bands`.
                let mut keep = ((f64::NAN, f64::NAN), (f64::NAN, f64::NAN));
                let centres = self.map.row(j);
                for (i, centre) in centres.iter().enumerate().take(x2 + 1).skip(x1) {
                    // A NaN centre never drops anything (its footprint is NaN too).
                    let (lo, hi) = (centre[1] - reach, centre[1] + reach);
                    // Most neighbours stay in the run: a few comparisons instead of the
                    // lookups (NaN fails them, and `keep` is NaN without a run).
                    if lo >= keep.0.0 && lo < keep.0.1 && hi >= keep.1.0 && hi < keep.1.1 && hi >= 0.0 && lo <= last_row
                    {
                        if let Some(r) = run.as_mut() {
                            r.2 = i;
                        }
                        continue;
                    }
                    let bands = (hi >= 0.0 && lo <= last_row).then(|| {
                        // Both rows are within the frame here.
                        (band_of[lo.max(0.0) as usize], band_of[hi.min(last_row) as usize].min(count - 1))
                    });
                    match (run, bands) {
                        (Some((same, first, _)), Some(bands)) if same == bands => run = Some((bands, first, i)),
                        _ => {
                            if let Some((bands, first, last)) = run {
                                extend(bands, first, last);
                            }
                            run = bands.map(|bands| (bands, i, i));
                            keep = bands.map_or(((f64::NAN, f64::NAN), (f64::NAN, f64::NAN)), same_bands);
                        }
                    }
                }
                if let Some((bands, first, last)) = run {
                    extend(bands, first, last);
                }
                hits
            })
            .collect();
        let mut bands: Vec<Vec<Segment>> = vec![Vec::new(); count];
        for hits in per_row {
            for (band, seg) in hits {
                bands[band].push(seg);
            }
        }
        bands
    }

    /// Drizzle the rows into the cells; `true` when some cell may now hold data in SCI
    /// with WHT = 0. Bands of output rows run in parallel; each replays the input pixels
    /// that can reach it.
    fn run(&self, rows: &[(usize, usize, usize)], cells: &mut [Cell], bit: i32) -> bool {
        let banding = self.banding();
        let bands: Vec<Vec<Segment>> = if banding.count() == 1 {
            vec![rows.iter().map(|&(row, first, last)| Segment { row, first, last }).collect()]
        } else {
            self.band_segments(rows, &banding)
        };
        let bounds = &banding.bounds;
        let avx2 = avx2_available();
        let mut rest = &mut cells[bounds[0] * self.onx..bounds[bounds.len() - 1] * self.onx];
        let mut band_cells = Vec::with_capacity(bands.len());
        for rows in bounds.windows(2) {
            let (band, tail) = std::mem::take(&mut rest).split_at_mut((rows[1] - rows[0]) * self.onx);
            band_cells.push(band);
            rest = tail;
        }
        band_cells
            .into_par_iter()
            .zip(bands.par_iter())
            .enumerate()
            .map(|(band, (cells, segments))| {
                let (row0, band_rows) = (bounds[band], bounds[band + 1] - bounds[band]);
                let band = Band { row0, band_rows, cells, segments, bit };
                #[cfg(target_arch = "x86_64")]
                if avx2 {
                    // SAFETY: the CPU supports AVX2 (checked at run time).
                    return unsafe { self.band_avx2(band) };
                }
                self.band_by_kernel::<false>(band)
            })
            .reduce(|| false, |a, b| a || b)
    }

    /// [`band_by_kernel`](Self::band_by_kernel) compiled for AVX2, with the square
    /// kernel's overlaps and the turbo box's nearest pixels in AVX registers. Same
    /// operations, so the same results as without it.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn band_avx2(&self, band: Band) -> bool {
        self.band_by_kernel::<true>(band)
    }

    /// Drizzle one band of output rows: the point and turbo kernels, whose drops are
    /// placed by their mapped centre, by [`centred_loop`](Self::centred_loop) (point
    /// drops and the small turbo drops, nearly all, by [`kernels::point_drop`] and
    /// [`kernels::small_turbo_drop`]), the others by [`band`](Self::band). Loops of their
    /// own: with the short ways inside `band`'s loop, the square kernel's drops took 7%
    /// more instructions and these 12–18% more.
    #[inline(always)]
    fn band_by_kernel<const AVX: bool>(&self, band: Band) -> bool {
        let (frame, rows) = ((self.onx as i64, self.ony as i64), band_rows(&band, self.ony));
        match *self.spread {
            Spread::Point => self.centred_loop::<AVX>(band, |x, y, wgt, emit| {
                kernels::point_drop(x, y, wgt, frame, rows, emit);
                true
            }),
            Spread::Turbo { pfo, dover_scale } => self.centred_loop::<AVX>(band, |x, y, wgt, emit| {
                kernels::small_turbo_drop::<AVX>(pfo, dover_scale, x, y, wgt, frame, rows, emit)
            }),
            _ => self.band::<AVX>(band),
        }
    }

    /// The loop of the point and turbo kernels: `drop(x, y, wgt, emit)` places
    /// the drop of a pixel with mapped centre (`x`, `y`), not NaN, and weight `wgt`, or
    /// returns `false` to leave it to the general way. (`emit` is `dyn` in the signature
    /// only: all of it is inlined into the loop, where the calls are direct.)
    #[inline(always)]
    fn centred_loop<const AVX: bool>(
        &self,
        band: Band,
        mut drop: impl FnMut(f64, f64, f32, &mut dyn FnMut(usize, usize, f32)) -> bool,
    ) -> bool {
        let rows = band_rows(&band, self.ony);
        let Band { row0, cells, segments, bit, .. } = band;
        let mut data_without_weight = false;
        let (onx, ony) = (self.onx as i64, self.ony as i64);
        let first_cell = cells.as_ptr();
        let prefetch = self.spread.lands_near_centre();
        let mut put = |ii: usize, jj: usize, dow: f32, d: f32| {
            let cell = &mut cells[(jj - row0) * self.onx + ii];
            if deposit(cell, d, dow, bit, self.zero_weight_writes_data) {
                data_without_weight = true;
            }
        };
        for seg in segments {
            let j = seg.row;
            let data = self.data.row(j);
            let weights = self.weights.as_ref().map(|w| w.row(j));
            let centres = self.map.row(j);
            for i in seg.first..seg.last + 1 {
                if prefetch && let Some(&[x, y]) = centres.get(i + PREFETCH_AHEAD) {
                    prefetch_box(first_cell, row0, self.onx, x, y);
                }
                let [x, y] = centres[i];
                // (A NaN centre: no drop, as `geometry` gives none.)
                if x.is_nan() || y.is_nan() {
                    continue;
                }
                let d = data[i] * self.iscale;
                let wgt = match &weights {
                    Some(w) => w[i] * self.weight_scale,
                    None => self.weight_scale,
                };
                if drop(x, y, wgt, &mut |ii, jj, dow| put(ii, jj, dow, d)) {
                    continue;
                }
                let Some(g) = self.spread.geometry::<AVX>(self.map, i, j, onx, ony) else { continue };
                if g.jj.1 < rows.0 || g.jj.0 > rows.1 {
                    continue;
                }
                self.spread.spread::<AVX>(&g, wgt, rows, |ii, jj, dow| put(ii, jj, dow, d));
            }
        }
        data_without_weight
    }

    /// Drizzle the segments into one band of output rows; `true` when a cell was left
    /// with data in SCI and WHT = 0.
    #[inline(always)]
    fn band<const AVX: bool>(&self, band: Band) -> bool {
        let rows = band_rows(&band, self.ony);
        let Band { row0, cells, segments, bit, .. } = band;
        let mut data_without_weight = false;
        let (onx, ony) = (self.onx as i64, self.ony as i64);
        let map = self.map;
        // Square drops with shared corners: each corner computed once (above one row of
        // input pixels, then kept as below the next), instead of once for each of its four
        // pixels.
        let shared = self.spread.shares_corners();
        let (mut below, mut above) =
            if shared { (vec![[0.0; 2]; map.nx], vec![[0.0; 2]; map.nx]) } else { (vec![], vec![]) };
        // (row, first, end) of the corners held in `above`.
        let mut above_of: Option<(usize, usize, usize)> = None;
        for seg in segments {
            let j = seg.row;
            let data = self.data.row(j);
            let weights = self.weights.as_ref().map(|w| w.row(j));
            // Pixels whose corners four_corners would give (interior ones).
            let (first, last) = (seg.first.max(1), seg.last.min(map.nx.saturating_sub(3)));
            let inner = if shared && j > 0 && j + 2 < map.ny && first <= last {
                // The corners below this row are those above the previous row, when that
                // was row j − 1 (consecutive segments of one band usually are).
                let reuse = match above_of {
                    Some((row, lo, hi)) if row + 1 == j => {
                        std::mem::swap(&mut below, &mut above);
                        lo..hi
                    }
                    _ => 0..0,
                };
                // Corners first − 1 ..= last below the row (those not kept from the row
                // before: the parts of the range on either side of `reuse`) and above it.
                let corners = first - 1..last + 1;
                let clamp = |c: usize| c.clamp(corners.start, corners.end);
                map.shared_corners(j - 1, corners.start..clamp(reuse.start), &mut below);
                map.shared_corners(j - 1, clamp(reuse.end)..corners.end, &mut below);
                map.shared_corners(j, corners, &mut above);
                above_of = Some((j, first - 1, last + 1));
                first..last + 1
            } else {
                0..0
            };
            // The mapped centres of this row, for `prefetch_box`.
            let ahead = if self.spread.lands_near_centre() { map.row(j) } else { &[] };
            for i in seg.first..seg.last + 1 {
                if let Some(&[x, y]) = ahead.get(i + PREFETCH_AHEAD) {
                    prefetch_box(cells.as_ptr(), row0, self.onx, x, y);
                }
                let g = if inner.contains(&i) {
                    let (l, r) = (i - 1, i);
                    let x = [above[l][0], above[r][0], below[r][0], below[l][0]];
                    let y = [above[l][1], above[r][1], below[r][1], below[l][1]];
                    if x.iter().chain(&y).any(|v| v.is_nan()) {
                        continue;
                    }
                    kernels::quad_geometry::<AVX>(x, y, onx, ony)
                } else {
                    self.spread.geometry::<AVX>(map, i, j, onx, ony)
                };
                let Some(g) = g else { continue };
                if g.jj.1 < rows.0 || g.jj.0 > rows.1 {
                    continue;
                }
                let d = data[i] * self.iscale;
                let wgt = match &weights {
                    Some(w) => w[i] * self.weight_scale,
                    None => self.weight_scale,
                };
                self.spread.spread::<AVX>(&g, wgt, rows, |ii, jj, dow| {
                    let cell = &mut cells[(jj - row0) * self.onx + ii];
                    if deposit(cell, d, dow, bit, self.zero_weight_writes_data) {
                        data_without_weight = true;
                    }
                });
            }
        }
        data_without_weight
    }
}

/// Row boundaries cutting rows `first ..` (`counts[k]`: the work in row `first + k`) into
/// at most `bands` bands of about equal work, each at least `min_rows` rows (the last
/// may be shorter when all rows are fewer); band `b` is rows `bounds[b] .. bounds[b + 1]`.
fn balanced_bounds(counts: &[usize], first: usize, bands: usize, min_rows: usize) -> Vec<usize> {
    let end = first + counts.len();
    let total: usize = counts.iter().sum();
    let mut bounds = vec![first];
    if total == 0 {
        // Nothing sampled (a map of a few pixels): bands of equal rows.
        let rows = counts.len().div_ceil(bands.max(1)).max(min_rows);
        bounds.extend((1..).map(|b| first + b * rows).take_while(|&row| row < end));
    } else {
        let mut done = 0;
        for (k, &count) in counts.iter().enumerate() {
            done += count;
            let row = first + k + 1;
            let cut = bounds.len();
            if cut < bands && done * bands >= cut * total && row - bounds[cut - 1] >= min_rows && end - row >= min_rows
            {
                bounds.push(row);
            }
        }
    }
    bounds.push(end);
    bounds
}

/// Whether the AVX2 build of the hot loops can run here (`DRIZ_NO_AVX2` set: never, to
/// compare the two builds).
fn avx2_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::env::var_os("DRIZ_NO_AVX2").is_none() && std::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// How many pixels ahead of the one being drizzled [`prefetch_box`] asks for the cells.
const PREFETCH_AHEAD: usize = 4;

/// Ask the CPU to load the cells around output pixel (`x`, `y`) (rows and columns ±1 of
/// the nearest, where a square, turbo or point drop centred there lands) from `cells`,
/// the first cell of the band starting at output row `row0`. A rotated input's row
/// crosses the output's rows, so each drop reaches cells of a row the drops before did
/// not: a different cache line every pixel, which the hardware does not foresee. (Point
/// drops too are faster with the rows on either side asked for than with their own cell
/// alone: the next input row lands there.)
#[inline(always)]
fn prefetch_box(cells: *const Cell, row0: usize, onx: usize, x: f64, y: f64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // Addresses outside the band are harmless (a prefetch never faults) and rare, so
        // they are not tested for; NaN and far-off centres give some address (wrapping
        // arithmetic: no overflow to check for).
        let i = ((x + 0.5) as isize).wrapping_sub(1);
        let j = ((y + 0.5) as isize).wrapping_sub(1).wrapping_sub(row0 as isize);
        let first = cells.wrapping_offset(j.wrapping_mul(onx as isize).wrapping_add(i));
        for k in 0..3 {
            let row = first.wrapping_add(k * onx);
            // SAFETY: prefetching reads nothing into the program and never faults.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(row.cast());
                _mm_prefetch::<_MM_HINT_T0>(row.wrapping_add(2).cast());
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (cells, row0, onx, x, y);
}

/// The output rows of `band` (first, last), within a frame of `ony` rows.
fn band_rows(band: &Band, ony: usize) -> (i64, i64) {
    (band.row0 as i64, (band.row0 + band.band_rows).min(ony) as i64 - 1)
}

/// A contribution of weight `dow` from an input pixel of value `d` to `cell`, with
/// context bit `bit`, as drizzle adds it; `true` when the cell is left with data in SCI
/// and WHT = 0 (a zero weight written as data, `zero_weight_writes_data`, or negative
/// weights cancelling to exactly 0).
#[inline(always)]
fn deposit(cell: &mut Cell, d: f32, dow: f32, bit: i32, zero_weight_writes_data: bool) -> bool {
    if dow > 0.0 {
        cell.ctx |= bit;
    }
    if dow == 0.0 {
        if zero_weight_writes_data && cell.wht == 0.0 {
            cell.sci = d;
            return true;
        }
        false
    } else {
        update(cell, d, dow) == 0.0
    }
}

/// drizzle's running weighted mean, with its float32 roundings (`dow` ≠ 0: the caller
/// handles zero-weight contributions); returns the new weight.
#[inline]
fn update(cell: &mut Cell, d: f32, dow: f32) -> f32 {
    let vc = cell.wht;
    let sum = vc + dow;
    if vc == 0.0 {
        cell.sci = d;
    } else {
        // drizzle divides in double precision; for float operands the correctly rounded
        // float quotient is the same number, and cheaper.
        cell.sci = ((cell.sci * vc) + (dow * d)) / sum;
    }
    cell.wht = sum;
    sum
}

#[cfg(test)]
mod tests {
    use super::balanced_bounds;

    fn check(bounds: &[usize], first: usize, rows: usize, bands: usize, min_rows: usize) {
        assert_eq!((bounds[0], *bounds.last().unwrap()), (first, first + rows));
        assert!(bounds.len() - 1 <= bands, "{bounds:?}");
        for pair in bounds.windows(2) {
            assert!(pair[1] > pair[0], "{bounds:?}");
        }
        // Every band but the last holds at least min_rows rows.
        for pair in bounds[..bounds.len() - 1].windows(2) {
            assert!(pair[1] - pair[0] >= min_rows, "{bounds:?}");
        }
    }

    #[test]
    fn bands_hold_equal_work_where_the_rows_hold_unequal_work() {
        // A tilted chip: few centres in the first and last rows, most in the middle.
        let counts: Vec<usize> = (0..1000).map(|r| 1 + 1000 - (2 * r as i64 - 1000).unsigned_abs() as usize).collect();
        let total: usize = counts.iter().sum();
        let bounds = balanced_bounds(&counts, 200, 8, 16);
        check(&bounds, 200, 1000, 8, 16);
        assert_eq!(bounds.len(), 9);
        for pair in bounds.windows(2) {
            let work: usize = counts[pair[0] - 200..pair[1] - 200].iter().sum();
            assert!((work as f64 - total as f64 / 8.0).abs() < 0.02 * total as f64, "{bounds:?}");
        }
        // The middle bands are narrower than the outer ones.
        assert!(bounds[5] - bounds[4] < bounds[1] - bounds[0]);
    }

    #[test]
    fn bands_respect_the_fewest_rows_and_the_frame() {
        for (rows, bands, min_rows) in [(1, 8, 16), (10, 8, 16), (40, 8, 16), (100, 3, 16), (5000, 8, 16)] {
            let counts = vec![3usize; rows];
            let bounds = balanced_bounds(&counts, 7, bands, min_rows);
            check(&bounds, 7, rows, bands, min_rows);
            // Work all in one row: one band is enough, and still the whole range.
            let mut spike = vec![0usize; rows];
            spike[rows / 2] = 100;
            check(&balanced_bounds(&spike, 7, bands, min_rows), 7, rows, bands, min_rows);
            // Nothing sampled: bands of equal rows.
            let bounds = balanced_bounds(&vec![0; rows], 7, bands, min_rows);
            check(&bounds, 7, rows, bands, min_rows);
        }
    }
}
