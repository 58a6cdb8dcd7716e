//! Properties the reference comparison cannot show: createMedian's sectioning reproduces
//! the full-frame result, results do not depend on the thread count, and strided views
//! give the same result as contiguous ones.

use driz_combine::{CombineParams, CombineType, CrChip, CrParams, StackImage, combine, cr_mask, plan_sections};
use ndarray::{Array2, s};
use proptest::prelude::*;

#[derive(Debug)]
struct Stack {
    sci: Vec<Array2<f32>>,
    wht: Vec<Array2<f32>>,
    bad: Vec<Array2<bool>>,
}

impl Stack {
    fn images(&self, rows: std::ops::Range<usize>) -> Vec<StackImage<'_>> {
        (0..self.sci.len())
            .map(|i| StackImage {
                sci: self.sci[i].slice(s![rows.clone(), ..]),
                wht: self.wht[i].slice(s![rows.clone(), ..]),
                bad: self.bad[i].slice(s![rows.clone(), ..]),
                exptime: 100.0 + 10.0 * i as f64,
                readnoise: 3.0 + i as f64,
                background: 20.0,
            })
            .collect()
    }
}

/// Values around 1 with frequent strong outliers both ways, so that minmed's minimum test
/// and its grow box both fire; weights sometimes low (masked).
fn stack_strategy() -> impl Strategy<Value = Stack> {
    (2usize..6, 1usize..45, 1usize..10).prop_flat_map(|(n, rows, cols)| {
        let len = n * rows * cols;
        let value = prop_oneof![8 => 0.9f32..1.1, 1 => -3.0f32..0.5, 1 => 2.0f32..60.0];
        let weight = prop_oneof![9 => 300.0f32..500.0, 1 => 0.0f32..50.0];
        (proptest::collection::vec(value, len), proptest::collection::vec(weight, len)).prop_map(move |(v, w)| {
            let plane = |data: &[f32], i: usize| {
                Array2::from_shape_vec((rows, cols), data[i * rows * cols..(i + 1) * rows * cols].to_vec()).unwrap()
            };
            let sci: Vec<_> = (0..n).map(|i| plane(&v, i)).collect();
            let wht: Vec<_> = (0..n).map(|i| plane(&w, i)).collect();
            let bad = wht.iter().map(|w| w.mapv(|x| x < 120.0)).collect();
            Stack { sci, wht, bad }
        })
    })
}

fn kind_strategy() -> impl Strategy<Value = CombineType> {
    prop_oneof![
        Just(CombineType::Minmed),
        Just(CombineType::IMinmed),
        Just(CombineType::Median),
        Just(CombineType::IMedian),
        Just(CombineType::Mean),
        Just(CombineType::IAverage),
    ]
}

fn bits(a: &Array2<f32>) -> Vec<u32> {
    a.iter().map(|v| v.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sectioned_combine_equals_full_frame(
        stack in stack_strategy(),
        kind in kind_strategy(),
        grow in 0usize..4,
        extra_rows in 1usize..12,
    ) {
        let rows = stack.sci[0].nrows();
        let params = CombineParams { kind, grow, ..CombineParams::default() };
        let full = combine(&stack.images(0..rows), &params);
        let plan = plan_sections(rows, 2 * grow + extra_rows, grow);
        prop_assume!(plan.grow == grow);
        let mut assembled = Array2::from_elem(full.dim(), f32::NAN);
        for section in &plan.sections {
            let part = combine(&stack.images(section.rows.clone()), &params);
            let keep = section.keep.start - section.rows.start..section.keep.end - section.rows.start;
            assembled.slice_mut(s![section.keep.clone(), ..]).assign(&part.slice(s![keep, ..]));
        }
        prop_assert_eq!(bits(&assembled), bits(&full));
    }

    #[test]
    fn combine_is_thread_count_invariant(stack in stack_strategy(), kind in kind_strategy(), grow in 0usize..3) {
        let rows = stack.sci[0].nrows();
        let params = CombineParams { kind, grow, ..CombineParams::default() };
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| combine(&stack.images(0..rows), &params))
        };
        let one = bits(&run(1));
        prop_assert_eq!(&one, &bits(&run(2)));
        prop_assert_eq!(&one, &bits(&run(3)));
    }
}

#[test]
fn banded_frames_are_thread_count_invariant() {
    // Taller than several parallel bands, with the grow window crossing band edges.
    let (rows, cols, n) = (150, 37, 4);
    let mut state = 3u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let mut stack = Stack { sci: vec![], wht: vec![], bad: vec![] };
    for _ in 0..n {
        stack.sci.push(Array2::from_shape_fn((rows, cols), |_| {
            let u = next();
            if u < 0.03 {
                -2.0 * u
            } else if u > 0.97 {
                40.0 * u
            } else {
                1.0 + 0.02 * u
            }
        }));
        let wht = Array2::from_shape_fn((rows, cols), |_| if next() < 0.05 { 1.0 } else { 400.0 });
        stack.bad.push(wht.mapv(|w| w < 120.0));
        stack.wht.push(wht);
    }
    for kind in [CombineType::Minmed, CombineType::Median] {
        let params = CombineParams { kind, grow: 2, ..CombineParams::default() };
        let results: Vec<Vec<u32>> = [1, 2, 4]
            .iter()
            .map(|&threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                bits(&pool.install(|| combine(&stack.images(0..rows), &params)))
            })
            .collect();
        assert!(results.windows(2).all(|w| w[0] == w[1]), "{kind:?}");
    }

    let blot = Array2::from_shape_fn((rows, cols), |(r, c)| 100.0 + ((r * 7 + c * 3) % 11) as f32);
    let sci =
        Array2::from_shape_fn((rows, cols), |(r, c)| blot[[r, c]] + if (r * cols + c) % 97 == 0 { 400.0 } else { 0.0 });
    let chip = CrChip {
        sci: sci.view(),
        blot: blot.view(),
        conversion: 1.0,
        gain: 1.0,
        readnoise: 5.0,
        subtracted_sky: 100.0,
        cte_dir: -1,
    };
    let params = CrParams { grow: 3, ctegrow: 2, ..CrParams::default() };
    let masks: Vec<Array2<u8>> = [1, 2, 4]
        .iter()
        .map(|&threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| cr_mask(&chip, &params))
        })
        .collect();
    assert!(masks.windows(2).all(|w| w[0] == w[1]));
    assert!(masks[0].iter().any(|&v| v == 0));

    // A transposed (non-contiguous) view gives the same mask as its contiguous copy.
    let (sci_t, blot_t) = (sci.t(), blot.t());
    let strided = cr_mask(&CrChip { sci: sci_t, blot: blot_t, ..chip }, &params);
    let (sci_c, blot_c) = (sci_t.to_owned(), blot_t.to_owned());
    let contiguous = cr_mask(&CrChip { sci: sci_c.view(), blot: blot_c.view(), ..chip }, &params);
    assert_eq!(strided, contiguous);
}
