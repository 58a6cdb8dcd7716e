//! photutils `detect_sources`: pixels above a per-pixel threshold, connected components
//! (scipy `label`, numbered in raster order of their first pixel), components smaller than
//! `npixels` dropped, survivors renumbered 1..N in the same order.

use ndarray::{Array2, ArrayView2, Zip};

/// Pixel connectivity of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connectivity {
    Four,
    Eight,
}

/// Bounding box `[y0, y1) × [x0, x1)` of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoundingBox {
    pub y0: usize,
    pub y1: usize,
    pub x0: usize,
    pub x1: usize,
}

#[derive(Clone, Debug)]
pub struct Segment {
    pub label: u32,
    pub bbox: BoundingBox,
    pub area: usize,
}

/// A segmentation image: label per pixel (0 = background) and the segments in label order.
#[derive(Clone, Debug)]
pub struct SegmentationImage {
    pub labels: Array2<u32>,
    pub segments: Vec<Segment>,
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

/// Connected components of `mask`, labelled 1..N in raster order of first pixel.
pub fn label_components(mask: ArrayView2<bool>, connectivity: Connectivity) -> (Array2<u32>, u32) {
    let (h, w) = mask.dim();
    let mask = mask.as_standard_layout();
    let m = mask.as_slice().expect("standard layout");
    let mut provisional = vec![0u32; h * w];
    let mut parent: Vec<u32> = vec![0];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !m[i] {
                continue;
            }
            let mut neighbours = [0u32; 4];
            let mut n = 0;
            let mut take = |v: u32| {
                if v > 0 {
                    neighbours[n] = v;
                    n += 1;
                }
            };
            if x > 0 {
                take(provisional[i - 1]);
            }
            if y > 0 {
                take(provisional[i - w]);
                if connectivity == Connectivity::Eight {
                    if x > 0 {
                        take(provisional[i - w - 1]);
                    }
                    if x + 1 < w {
                        take(provisional[i - w + 1]);
                    }
                }
            }
            if n == 0 {
                let id = parent.len() as u32;
                parent.push(id);
                provisional[i] = id;
            } else {
                let mut root = find(&mut parent, neighbours[0]);
                for &nb in &neighbours[1..n] {
                    let r = find(&mut parent, nb);
                    if r != root {
                        let (lo, hi) = if r < root { (r, root) } else { (root, r) };
                        parent[hi as usize] = lo;
                        root = lo;
                    }
                }
                provisional[i] = root;
            }
        }
    }
    // final numbering: order of first appearance in the raster scan
    let mut final_id = vec![0u32; parent.len()];
    let mut next = 0u32;
    for p in provisional.iter_mut() {
        if *p == 0 {
            continue;
        }
        let r = find(&mut parent, *p) as usize;
        if final_id[r] == 0 {
            next += 1;
            final_id[r] = next;
        }
        *p = final_id[r];
    }
    (Array2::from_shape_vec((h, w), provisional).expect("shape"), next)
}

/// `detect_sources(data, threshold, npixels, connectivity)`; `None` when no segment survives.
pub fn detect_sources(
    data: ArrayView2<f32>,
    threshold: ArrayView2<f32>,
    npixels: usize,
    connectivity: Connectivity,
) -> Option<SegmentationImage> {
    let mut above = Array2::from_elem(data.dim(), false);
    Zip::from(&mut above).and(&data).and(&threshold).par_for_each(|a, &d, &t| *a = d > t);
    let (mut labels, count) = label_components(above.view(), connectivity);
    if count == 0 {
        return None;
    }
    let w = labels.ncols();
    let n = count as usize + 1;
    let mut area = vec![0usize; n];
    let mut bbox = vec![BoundingBox { y0: usize::MAX, y1: 0, x0: usize::MAX, x1: 0 }; n];
    for (i, &l) in labels.as_slice().expect("standard layout").iter().enumerate() {
        if l == 0 {
            continue;
        }
        let (y, x) = (i / w, i % w);
        let l = l as usize;
        area[l] += 1;
        let b = &mut bbox[l];
        b.y0 = b.y0.min(y);
        b.y1 = b.y1.max(y + 1);
        b.x0 = b.x0.min(x);
        b.x1 = b.x1.max(x + 1);
    }
    let mut renumber = vec![0u32; n];
    let mut segments = Vec::new();
    for l in 1..n {
        if area[l] >= npixels {
            let label = segments.len() as u32 + 1;
            renumber[l] = label;
            segments.push(Segment { label, bbox: bbox[l], area: area[l] });
        }
    }
    if segments.is_empty() {
        return None;
    }
    labels.par_mapv_inplace(|l| renumber[l as usize]);
    Some(SegmentationImage { labels, segments })
}
