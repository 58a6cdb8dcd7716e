//! Setting and reading parameters by name, and TOML/JSON parameter files.

use driz_params::{AstroDrizzleParams, CombineType, Kernel, ParamError, ParamValue, WhtType};
use std::io::Write;

#[test]
fn set_follows_configobj_rules() {
    let mut p = AstroDrizzleParams::default();
    p.set("FINAL_Kernel", "point").unwrap();
    assert_eq!(p.final_kernel, Kernel::Point);
    p.set("final_fillval", "INDEF").unwrap();
    assert_eq!(p.final_fillval, None);
    p.set("final_fillval", "-1.5").unwrap();
    assert_eq!(p.final_fillval, Some(-1.5));
    p.set("final_fillval", "").unwrap();
    assert_eq!(p.final_fillval, None);
    p.set("num_cores", "4").unwrap();
    assert_eq!(p.num_cores, Some(4));
    p.set("num_cores", "None").unwrap();
    assert_eq!(p.num_cores, None);
    p.set("build", "yes").unwrap();
    assert!(p.build);
    p.set("build", "0").unwrap();
    assert!(!p.build);
    p.set("final_bits", "~4096").unwrap();
    assert_eq!(p.final_bits, "~4096");
    p.set_pair(" combine_type = imedian ").unwrap();
    assert_eq!(p.combine_type, CombineType::Imedian);
    p.set("static", "False").unwrap();
    assert!(!p.r#static);
    assert_eq!(p.get("Static"), Some(ParamValue::Bool(false)));
    assert_eq!(p.get("skywidth"), Some(ParamValue::Float(0.1)));
    assert_eq!(p.get("skylower"), Some(ParamValue::Null));
    assert_eq!(p.get("no_such"), None);
}

#[test]
fn set_errors_name_parameter_value_and_choices() {
    let mut p = AstroDrizzleParams::default();
    let e = p.set("final_kernal", "point").unwrap_err();
    assert!(matches!(&e, ParamError::UnknownName { suggestions, .. } if suggestions == &["final_kernel"]));
    assert!(e.to_string().contains("'final_kernal'"), "{e}");
    let e = p.set("kernel", "point").unwrap_err().to_string();
    assert!(e.contains("driz_sep_kernel") && e.contains("final_kernel"), "{e}");

    let e = p.set("final_wht_type", "exp").unwrap_err().to_string();
    assert_eq!(e, "invalid value 'exp' for parameter 'final_wht_type': expected one of: EXP, ERR, IVM");
    let e = p.set("crbit", "4096.0").unwrap_err().to_string();
    assert!(e.contains("crbit") && e.contains("4096.0") && e.contains("integer"), "{e}");
    assert!(p.set("crbit", "None").is_err(), "integer_kw has no None");
    assert!(p.set("final_fillval", "none").is_err(), "configobj's None spellings are case-sensitive");
    assert!(p.set("build", "maybe").is_err());
    assert_eq!(p, AstroDrizzleParams::default(), "failed sets change nothing");
}

fn modified() -> AstroDrizzleParams {
    let mut p = AstroDrizzleParams::default();
    for (n, v) in [
        ("output", "my \"out\" \\ name"),
        ("num_cores", "3"),
        ("skywidth", "None"),
        ("skylower", "-1e-05"),
        ("final_wht_type", "IVM"),
        ("final_rot", "0"),
        ("final_scale", "0.049999999999999996"),
        ("driz_sep_outnx", "4096"),
        ("combine_nsigma", "5 4"),
        ("mdriztab", "True"),
        ("final_fillval", "nan"),
        ("gain", "1.5"),
    ] {
        p.set(n, v).unwrap();
    }
    p
}

#[test]
fn toml_dump_round_trips() {
    for p in [AstroDrizzleParams::default(), modified()] {
        let text = p.dump_toml();
        let mut back = AstroDrizzleParams::default();
        let set = back.apply_toml(&text).unwrap();
        assert_eq!(set.len(), AstroDrizzleParams::names().len());
        // NaN != NaN, so compare the dumps, which spell every value.
        assert_eq!(back.dump_toml(), text);
        if p.final_fillval.is_some_and(f64::is_nan) {
            assert!(back.final_fillval.unwrap().is_nan());
        } else {
            assert_eq!(back, p);
        }
    }
    let text = AstroDrizzleParams::default().dump_toml();
    assert!(text.contains("\n[\"STEP 4: CREATE MEDIAN IMAGE\"]\n"), "{text}");
    assert!(text.contains("\nfinal_fillval = \"None\"\n"), "{text}");
    assert!(text.contains("\ncombine_maskpt = 0.3\n"), "{text}");
    let order: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('[') && !l.is_empty())
        .map(|l| l.split(" = ").next().unwrap())
        .collect();
    assert_eq!(order, AstroDrizzleParams::names());
}

#[test]
fn partial_toml_and_json() {
    let mut p = AstroDrizzleParams::default();
    p.apply_toml(
        "final_bits = \"64,32\"\n[whatever]\nFINAL_WHT_TYPE = \"ERR\"\nfinal_pixfrac = 1\nnum_cores = \"INDEF\"\n",
    )
    .unwrap();
    assert_eq!((p.final_bits.as_str(), p.final_wht_type, p.final_pixfrac), ("64,32", WhtType::Err, 1.0));
    assert_eq!(p.num_cores, None);

    let mut q = AstroDrizzleParams::default();
    let set = q
        .apply_json(r#"{"final_bits": 336, "STEP 3: DRIZZLE SEPARATE IMAGES": {"driz_sep_fillval": null, "driz_sep_kernel": "point"}, "combine_grow": 2.0, "skysub": 0}"#)
        .unwrap();
    assert_eq!(set.len(), 5);
    assert_eq!(q.final_bits, "336");
    assert_eq!(q.driz_sep_kernel, Kernel::Point);
    assert_eq!(q.combine_grow, 2);
    assert!(!q.skysub);
}

#[test]
fn file_errors_name_the_key_and_the_file() {
    let mut p = AstroDrizzleParams::default();
    let e = p.apply_toml("final_bits = \"0\"\nfinal_kernal = \"point\"\n").unwrap_err().to_string();
    assert!(e.contains("final_kernal") && e.contains("final_kernel"), "{e}");
    assert_eq!(p, AstroDrizzleParams::default(), "all or nothing");
    let e = p.apply_toml("final_bits = \"0\"\n[s]\nFinal_Bits = \"4\"\n").unwrap_err();
    assert!(matches!(e, ParamError::Duplicate { ref name } if name == "final_bits"));
    let e = p.apply_toml("[a]\n[a.b]\nx = 1\n").unwrap_err().to_string();
    assert!(e.contains("a.b"), "{e}");
    let e = p.apply_json(r#"{"final_pixfrac": "big"}"#).unwrap_err().to_string();
    assert!(e.contains("final_pixfrac") && e.contains("big"), "{e}");
    assert!(p.apply_json("[1]").is_err());
    assert!(p.apply_toml("final_bits = [1, 2]").is_err());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pars.toml");
    std::fs::File::create(&path).unwrap().write_all(b"final_units = \"electrons\"\n").unwrap();
    let e = p.apply_file(&path).unwrap_err().to_string();
    assert!(e.contains("pars.toml") && e.contains("final_units") && e.contains("counts, cps"), "{e}");
    let path = dir.path().join("pars.JSON");
    std::fs::write(&path, r#"{"final_units": "counts"}"#).unwrap();
    assert_eq!(p.apply_file(&path).unwrap(), ["final_units"]);
    let e = p.apply_file(dir.path().join("pars.cfg")).unwrap_err().to_string();
    assert!(e.contains("pars.cfg"), "{e}");
    let e = p.apply_file(dir.path().join("missing.toml")).unwrap_err().to_string();
    assert!(e.contains("missing.toml"), "{e}");
}
