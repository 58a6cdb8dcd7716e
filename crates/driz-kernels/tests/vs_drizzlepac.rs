//! drizzle's own regression test against drizzlepac: the WFC3/IR cutout
//! `test_drizzlepac_flt.fits` with drizzlepac's pixel map, point kernel, compared with
//! the drizzlepac product to rtol 1e-5 (drizzle 3.0 only claims this for `point`: the
//! other kernels differ from drizzlepac at the edges, see docs/compatibility.md).

use driz_fits::{Fits, HduSpec};
use driz_kernels::{AddParams, Drizzle, Kernel, PixelMap};

#[path = "../../driz-fits/tests/common/mod.rs"]
mod common;

#[test]
fn point_kernel_matches_drizzlepac_product() {
    let Some(dir) = common::shared_hst() else {
        return common::skip_notice("drizzlepac point-kernel product comparison");
    };
    let gh = dir.join("drizzle-gh");
    let mut input = Fits::open(gh.join("test_drizzlepac_flt.fits")).unwrap();
    let expin = input.primary_header().get_f64("EXPTIME").unwrap().unwrap();
    let sci_i = input.find(&HduSpec::Name("SCI".into(), 1)).unwrap();
    let dq_i = input.find(&HduSpec::Name("DQ".into(), 1)).unwrap();
    let sci = input.read_image::<f32>(sci_i).unwrap();
    let dq = input.read_image::<i32>(dq_i).unwrap();
    let weights = dq.mapv(|q| if (q as u32) & !784 == 0 { 1.0f32 } else { 0.0 });
    let mut pm = Fits::open(gh.join("test_drizzlepac_pixmap.fits")).unwrap();
    let cube = pm.read_cube::<f64>(0).unwrap();
    let (ny, nx, _) = cube.dim();
    let xy: Vec<[f64; 2]> =
        (0..ny).flat_map(|j| (0..nx).map(move |i| (i, j))).map(|(i, j)| [cube[(j, i, 0)], cube[(j, i, 1)]]).collect();
    let map = PixelMap::new(nx, ny, &xy).unwrap();
    let mut reference = Fits::open(gh.join("reference_drizzlepac_point_drz_sci.fits")).unwrap();
    let expected = reference.read_image::<f32>(0).unwrap();
    let (ony, onx) = expected.dim();
    let mut d = Drizzle::new(onx, ony, Some(0.0));
    let params = AddParams { kernel: Kernel::Point, weight_scale: expin as f32, ..Default::default() };
    d.add_image(sci.view(), Some(weights.view()), &map, &params).unwrap();
    for (a, b) in d.sci().iter().zip(expected.iter()) {
        assert!((a - b).abs() <= 1e-8 + 1e-5 * b.abs(), "{a} vs {b}");
    }
    assert!(expected.iter().filter(|v| **v != 0.0).count() > 50);
}
