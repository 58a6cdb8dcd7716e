//! `interpret_bit_flags` against stsci.tools `bitmask.interpret_bit_flags` (fixture
//! `bit_flags.json`).

mod common;

use driz_params::interpret_bit_flags;

#[test]
fn bit_flags_equal_stsci_tools() {
    let reference = common::load("bit_flags.json");
    let cases = reference["cases"].as_array().unwrap();
    assert!(cases.len() > 50);
    for case in cases {
        let input = case["input"].as_str().unwrap();
        let ours = interpret_bit_flags(input);
        if let Some(kind) = case.get("error") {
            let message = case["message"].as_str().unwrap();
            let err = ours.expect_err(&format!("{input:?} should fail ({kind}: {message})")).to_string();
            assert!(err.contains(message), "{input:?}: ours '{err}', stsci.tools '{message}'");
        } else if case["value"].is_null() {
            assert_eq!(ours.unwrap(), None, "{input:?}");
        } else {
            // Python's unbounded (possibly negative) int, as its low 32 bits.
            let v = case["value"].as_i64().unwrap();
            assert_eq!(ours.unwrap(), Some(v as u32), "{input:?}");
        }
    }
}
