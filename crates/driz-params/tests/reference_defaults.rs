//! Defaults, names and sections against drizzlepac 3.11.0's `teal.load('astrodrizzle', defaults=True)`.

mod common;

use driz_params::{AstroDrizzleParams, ParamKind, ParamValue};

#[test]
fn names_sections_and_defaults_equal_drizzlepac() {
    let reference = common::load("astrodrizzle_defaults.json");
    let defaults = AstroDrizzleParams::default();
    let mut cfg_names = Vec::new();
    for section in reference["sections"].as_array().unwrap() {
        let section_name = section["name"].as_str().unwrap();
        for pair in section["params"].as_array().unwrap() {
            let name = pair[0].as_str().unwrap();
            let expected = &pair[1];
            cfg_names.push(name.to_string());
            let info = AstroDrizzleParams::lookup(name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(info.section, section_name, "{name}");
            assert!(info.in_cfg, "{name}");
            let ours = defaults.get(name).unwrap();
            // Every default is stored with the very type drizzlepac has: no conversions needed.
            let strict = match (&ours, expected) {
                (ParamValue::Str(a), serde_json::Value::String(b)) => a == b,
                (ParamValue::Int(a), serde_json::Value::Number(n)) => n.is_i64() && n.as_i64() == Some(*a),
                (ParamValue::Float(a), serde_json::Value::Number(n)) => n.is_f64() && n.as_f64() == Some(*a),
                (ParamValue::Bool(a), serde_json::Value::Bool(b)) => a == b,
                (ParamValue::Null, serde_json::Value::Null) => true,
                _ => false,
            };
            assert!(strict, "{name}: ours {ours:?}, drizzlepac {expected}");
        }
    }
    let ours: Vec<&str> = AstroDrizzleParams::info().iter().filter(|p| p.in_cfg).map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(ours, cfg_names, "cfg order");
    let extra: Vec<&str> = AstroDrizzleParams::info().iter().filter(|p| !p.in_cfg).map(|p| p.name).collect();
    assert_eq!(extra, ["mdriztab", "updatewcs"]);
    assert_eq!(AstroDrizzleParams::names().len(), cfg_names.len() + 2);
}

#[test]
fn kinds_follow_the_cfgspc() {
    let kind = |n: &str| AstroDrizzleParams::lookup(n).unwrap().kind;
    assert_eq!(kind("num_cores"), ParamKind::IntOrNone);
    assert_eq!(kind("skywidth"), ParamKind::FloatOrNone);
    assert_eq!(kind("skyclip"), ParamKind::Int);
    assert_eq!(kind("static"), ParamKind::Bool);
    assert_eq!(kind("combine_nsigma"), ParamKind::Str);
    assert_eq!(
        kind("driz_sep_kernel"),
        ParamKind::Choice(&["square", "point", "gaussian", "turbo", "tophat", "lanczos3"])
    );
    assert_eq!(kind("final_wht_type"), ParamKind::Choice(&["EXP", "ERR", "IVM"]));
}
