//! Arbitrary text → AstroDrizzle parameter parsing: `name=value` settings, TOML and JSON
//! parameter files, DQ bit-flag strings. Errors are fine; panics are not, and whatever
//! parses must survive a dump/re-read round trip unchanged.
#![no_main]

use driz_params::{AstroDrizzleParams, interpret_bit_flags};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = interpret_bit_flags(text) {
        let _ = e.to_string();
    }
    let mut p = AstroDrizzleParams::default();
    if let Some((name, value)) = text.split_once('=') {
        if let Err(e) = p.set(name, value) {
            let _ = e.to_string();
        }
    }
    for apply in [AstroDrizzleParams::apply_toml, AstroDrizzleParams::apply_json] {
        let mut q = p.clone();
        match apply(&mut q, text) {
            Ok(_) => {
                let mut r = AstroDrizzleParams::default();
                r.apply_toml(&q.dump_toml()).expect("a dump must read back");
                assert_eq!(q, r, "dump/re-read changed the parameters");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
