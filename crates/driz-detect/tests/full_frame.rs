//! Full-frame comparison driver (not part of the normal test run): reads an exposure dumped by
//! `testdata/scripts/compare_detect.py dump`, runs `detect_image` and writes the catalogs
//! next to the reference ones for `compare_detect.py compare`.
//!
//! `DRIZ_DETECT_DUMP=/path/to/dump/<root> cargo test -p driz-detect --release --test full_frame -- --ignored`
//! (drizzlepac's DAO centring; `DRIZ_CENTROID=windowed` for driz's windowed centroid).

use std::time::Instant;

use driz_detect::detect_image;

mod common;
use ndarray::Array2;

fn read_f32(path: &str, shape: (usize, usize)) -> Array2<f32> {
    let bytes = std::fs::read(path).expect("read dump");
    let v: Vec<f32> = bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Array2::from_shape_vec(shape, v).expect("shape")
}

fn read_u16(path: &str, shape: (usize, usize)) -> Array2<u16> {
    let bytes = std::fs::read(path).expect("read dump");
    let v: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    Array2::from_shape_vec(shape, v).expect("shape")
}

#[test]
#[ignore = "needs a dump made by compare_detect.py (DRIZ_DETECT_DUMP)"]
fn full_frame_detection() {
    let dir = std::env::var("DRIZ_DETECT_DUMP").expect("DRIZ_DETECT_DUMP");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/meta.json")).unwrap()).unwrap();
    let shapes: Vec<(usize, usize)> = meta["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize))
        .collect();
    let mut sci = Vec::new();
    let mut err = Vec::new();
    let mut dq = Vec::new();
    for (i, &shape) in shapes.iter().enumerate() {
        let n = i + 1;
        sci.push(read_f32(&format!("{dir}/sci{n}.f32"), shape));
        err.push(read_f32(&format!("{dir}/err{n}.f32"), shape));
        dq.push(read_u16(&format!("{dir}/dq{n}.u16"), shape));
    }
    let (chips, mut params) = common::chip_images(&meta, &sci, &err, &dq);
    if std::env::var("DRIZ_CENTROID").is_ok_and(|v| v.trim().eq_ignore_ascii_case("windowed")) {
        params.centering = driz_detect::Centering::Windowed;
    }
    let start = Instant::now();
    let result = detect_image(&chips, &params, None).expect("detect_image");
    let seconds = start.elapsed().as_secs_f64();
    for (i, cat) in result.chips.iter().enumerate() {
        let col = |f: &dyn Fn(&driz_detect::Source) -> f64| cat.iter().map(f).collect::<Vec<f64>>();
        let json = serde_json::json!({
            "x": col(&|s| s.x), "y": col(&|s| s.y), "flux": col(&|s| s.flux),
            "peak": col(&|s| s.peak), "mag": col(&|s| s.mag),
        });
        std::fs::write(format!("{dir}/rust_cat{}.json", i + 1), json.to_string()).unwrap();
    }
    let rmeta = serde_json::json!({
        "kernel_fwhm_px": result.kernel_fwhm_px,
        "kernel_from_psf": result.kernel_from_psf,
        "seconds": seconds,
    });
    std::fs::write(format!("{dir}/rust_meta.json"), rmeta.to_string()).unwrap();
    eprintln!("detect_image: {seconds:.2} s, kernel fwhm {} px", result.kernel_fwhm_px);
}
