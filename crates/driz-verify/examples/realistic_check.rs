//! Realistic check against drizzlepac on a real AstroDrizzle run: reads the arrays dumped by
//! testdata/scripts/driz_verify_realistic_check.py and compares the focus values, the overlap
//! mask and the overlap distances with drizzlepac's, timing each step and the product LoG.
//!
//!     cargo run --release -p driz-verify --example realistic_check -- NPY_DIR

use std::path::Path;
use std::time::Instant;

use driz_verify::{build_focus, evaluate_focus, gaussian_laplace_f32, max_overlap_diff, overlap_count};
use ndarray::{Array2, ArrayD, IxDyn};

/// Minimal reader for the C-ordered little-endian .npy files the script writes.
fn read_npy<T>(path: &Path, descr: &str, size: usize, from: impl Fn(&[u8]) -> T) -> ArrayD<T> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..6], b"\x93NUMPY", "{}: not a .npy file", path.display());
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        _ => (u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, 12),
    };
    let header = std::str::from_utf8(&bytes[start..start + header_len]).unwrap();
    assert!(header.contains(&format!("'descr': '{descr}'")), "{}: {header}", path.display());
    assert!(header.contains("'fortran_order': False"));
    let shape_text = header.split("'shape': (").nth(1).unwrap().split(')').next().unwrap();
    let shape: Vec<usize> = shape_text.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    let data: Vec<T> = bytes[start + header_len..].chunks_exact(size).map(from).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn f32_2d(path: &Path) -> Array2<f32> {
    read_npy(path, "<f4", 4, |b| f32::from_le_bytes(b.try_into().unwrap())).into_dimensionality().unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: realistic_check NPY_DIR");
    let dir = Path::new(&dir);
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap()).unwrap();
    let n = reference["singles"].as_array().unwrap().len();
    let singles: Vec<Array2<f32>> = (0..n).map(|k| f32_2d(&dir.join(format!("single_{k}.npy")))).collect();
    let product = f32_2d(&dir.join("product.npy"));
    let total_mask: Array2<i16> = read_npy(&dir.join("total_mask.npy"), "<i2", 2, |b| i16::from_le_bytes([b[0], b[1]]))
        .into_dimensionality()
        .unwrap();
    let edges: Vec<Vec<[f64; 2]>> = (0..n)
        .map(|k| {
            let a: Array2<f64> =
                read_npy(&dir.join(format!("edges_{k}.npy")), "<f8", 8, |b| f64::from_le_bytes(b.try_into().unwrap()))
                    .into_dimensionality()
                    .unwrap();
            a.rows().into_iter().map(|r| [r[0], r[1]]).collect()
        })
        .collect();
    let sigma = reference["sigma"].as_f64().unwrap();
    println!("product {:?}, {} singles, sigma {sigma}, threads {}", product.dim(), n, rayon::current_num_threads());

    // Product LoG timing (best of 3) against scipy's.
    let prod_clean = product.mapv(|v| if v.is_nan() { 0.0 } else { v });
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let log = gaussian_laplace_f32(prod_clean.view(), sigma);
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(log);
    }
    let scipy = reference["timings"]["scipy_gaussian_laplace_product"].as_f64().unwrap();
    println!("gaussian_laplace on product: {best:.3} s (scipy {scipy:.3} s, ratio {:.1}x)", scipy / best);
    // The size of a full ACS/WFC product: the top-left 4200×4200 corner.
    let corner = prod_clean.slice(ndarray::s![..4200.min(product.nrows()), ..4200.min(product.ncols())]).to_owned();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(gaussian_laplace_f32(corner.view(), sigma));
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("gaussian_laplace on {:?} corner: {best:.3} s (best of 5)", corner.dim());

    let views: Vec<_> = singles.iter().map(|s| s.view()).collect();
    let t = Instant::now();
    let focus = build_focus(&views, product.view(), sigma).expect("build_focus");
    let focus_time = t.elapsed().as_secs_f64();
    let rf = &reference["focus"];
    let exp_ref: Vec<f64> = rf["exp"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let max_exp_rel = focus.exp.iter().zip(&exp_ref).map(|(a, b)| rel(*a, *b)).fold(0f64, f64::max);
    println!(
        "build_focus: {focus_time:.3} s (drizzlepac {:.3} s); exp max rel diff {max_exp_rel:e}; prod {} vs {} (rel {:e}); \
         prod_pos {:?} vs {}; last exp_pos {:?} vs {}; mean rel {:e}, std rel {:e}; evaluate_focus {} vs {}",
        reference["timings"]["build_focus_dict"].as_f64().unwrap(),
        focus.prod,
        rf["prod"],
        rel(focus.prod, rf["prod"].as_f64().unwrap()),
        focus.prod_pos,
        rf["prod_pos"],
        focus.exp_pos.last().unwrap(),
        rf["exp_pos_last"],
        rel(focus.mean, rf["stats"]["mean"].as_f64().unwrap()),
        rel(focus.std, rf["stats"]["std"].as_f64().unwrap()),
        evaluate_focus(&focus, 0.8),
        rf["evaluate_focus"]
    );

    let t = Instant::now();
    let ours_mask = overlap_count(&edges, product.dim());
    let mask_time = t.elapsed().as_secs_f64();
    let differing = ours_mask.iter().zip(total_mask.iter()).filter(|(a, b)| a != b).count();
    println!(
        "overlap_count: {mask_time:.3} s (SkyFootprint.build {:.3} s); {differing} pixels differ from total_mask",
        reference["timings"]["sky_footprint"].as_f64().unwrap()
    );

    let exptimes: Vec<f64> = reference["exptimes"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let inputs: Vec<_> = singles.iter().zip(&exptimes).map(|(s, &t)| (s.view(), t)).collect();
    let t = Instant::now();
    let diff = max_overlap_diff(product.view(), &inputs, total_mask.view()).expect("max_overlap_diff");
    let diff_time = t.elapsed().as_secs_f64();
    println!(
        "max_overlap_diff: {diff_time:.3} s (drizzlepac {:.3} s)",
        reference["timings"]["max_overlap_diff"].as_f64().unwrap()
    );
    for k in 0..n {
        let r = reference["distances"][k].as_f64().unwrap();
        println!(
            "  {}: distance {} vs {} (rel {:e}); region {:?} vs {}; sources {:?} vs {}/{}",
            reference["singles"][k],
            diff.distances[k],
            r,
            rel(diff.distances[k], r),
            diff.regions[k].map(|g| (g.rows, g.cols)),
            reference["slices"][k],
            diff.regions[k].map(|g| (g.num_sources, g.product_num_sources)),
            reference["num_sources"][k],
            reference["product_num_sources"][k]
        );
    }
    println!("max distance {} vs {}; verified {}", diff.max_distance, reference["max_distance"], diff.verified());
}
