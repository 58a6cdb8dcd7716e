//! MDRIZTAB reading, filter strings, row selection and merged parameters against drizzlepac
//! 3.11.0's mdzhandler (fixtures `mdriztab_cases.json`, `filter_strings.json` and the
//! `mdz_*.fits` tables, two of them written by `driz simulate`).

mod common;

use driz_header::Header;
use driz_params::{AstroDrizzleParams, MdriztabRow, MdzValue, ParamError, filter_string, read_mdriztab, select_row};
use serde_json::Value as Json;
use std::collections::HashMap;

fn header(fields: &Json) -> Header {
    let mut h = Header::new();
    for (k, v) in fields.as_object().unwrap() {
        h.set(k, v.as_str().unwrap());
    }
    h
}

#[test]
fn filter_strings_equal_fileutil() {
    for case in common::load("filter_strings.json")["cases"].as_array().unwrap() {
        let h = header(&case["header"]);
        let instrument = h.get_str("INSTRUME").unwrap().unwrap().to_string();
        assert_eq!(filter_string(&instrument, &h), case["filter"].as_str().unwrap(), "{}", case["header"]);
    }
}

#[test]
fn mdriztab_selection_and_values_equal_mdzhandler() {
    let reference = common::load("mdriztab_cases.json");
    let defaults = AstroDrizzleParams::default();
    let mut tables: HashMap<String, Result<Vec<MdriztabRow>, String>> = HashMap::new();
    let mut checked = 0;
    for case in reference["cases"].as_array().unwrap() {
        let table = case["table"].as_str().unwrap();
        let what = format!("{table} {} N={}", case["header"], case["nimages"]);
        let rows = tables
            .entry(table.to_string())
            .or_insert_with(|| read_mdriztab(&common::fixture(table)).map_err(|e| e.to_string()));

        let h = header(&case["header"]);
        let filter = filter_string(h.get_str("INSTRUME").unwrap().unwrap(), &h);
        assert_eq!(filter, case["filter"].as_str().unwrap(), "{what}");

        if let Some(kind) = case.get("error") {
            // Upstream fails either on a column format (VerifyError) or when merging a
            // column that is no parameter (KeyError); we fail at the same two places.
            match kind.as_str().unwrap() {
                "VerifyError" => {
                    let e = rows.as_ref().expect_err(&what);
                    assert!(e.contains("static_sig") && e.contains("1D"), "{what}: {e}");
                }
                "KeyError" => {
                    let rows = rows.as_ref().unwrap();
                    let i = select_row(rows, &filter, case["nimages"].as_u64().unwrap() as usize).unwrap();
                    let mut p = AstroDrizzleParams::default();
                    let e = p.apply_mdriztab_row(&rows[i]).unwrap_err();
                    assert!(matches!(&e, ParamError::UnknownMdriztabColumn { column, .. } if column == "not_a_param"));
                    assert_eq!(p, defaults, "nothing applied on error");
                }
                other => panic!("unexpected reference error {other}"),
            }
            checked += 1;
            continue;
        }

        let rows = rows.as_ref().unwrap_or_else(|e| panic!("{what}: {e}"));
        let nimages = case["nimages"].as_u64().unwrap() as usize;
        let i = select_row(rows, &filter, nimages).unwrap();
        assert_eq!(i as u64, case["row"].as_u64().unwrap(), "{what}: row");

        let mut p = AstroDrizzleParams::default();
        let assigned = p.apply_mdriztab_row(&rows[i]).unwrap_or_else(|e| panic!("{what}: {e}"));
        let interpreted = case["interpreted"].as_object().unwrap();
        let upstream_keys: Vec<&str> = interpreted.keys().map(String::as_str).collect();
        let mut ours_sorted: Vec<&str> = assigned.iter().map(String::as_str).collect();
        ours_sorted.sort_unstable();
        let mut upstream_sorted = upstream_keys.clone();
        upstream_sorted.sort_unstable();
        assert_eq!(ours_sorted, upstream_sorted, "{what}: parameters the row sets");

        let changed = case["merged_changed"].as_object().unwrap();
        for &name in AstroDrizzleParams::names() {
            let ours = p.get(name).unwrap();
            match changed.get(name) {
                Some(expected) => {
                    assert!(common::same(&ours, expected), "{what}: {name}: ours {ours:?}, ref {expected}")
                }
                None => assert_eq!(ours, defaults.get(name).unwrap(), "{what}: {name} should keep its default"),
            }
        }
        checked += 1;
    }
    assert!(checked > 40, "{checked} cases");
}

#[test]
fn simulated_tables_read_with_cleaned_values() {
    let rows = read_mdriztab(&common::fixture("mdz_sim_acs.fits")).unwrap();
    assert_eq!(rows.len(), 4);
    let last = &rows[3];
    assert_eq!(last.get("filter"), Some(&MdzValue::Str("F606W,CLEAR2L".into())));
    assert_eq!(last.get("numimages"), Some(&MdzValue::Int(4)));
    assert_eq!(last.get("shiftfile"), Some(&MdzValue::Str("INDEF".into())));
    assert_eq!(last.get("skyupper"), Some(&MdzValue::Null), "NaN → None");
    assert_eq!(last.get("skyuser"), Some(&MdzValue::Str(String::new())));
    assert_eq!(last.get("driz_sep_wcs"), Some(&MdzValue::Bool(true)));
    assert_eq!(last.get("final_scale"), Some(&MdzValue::Float(0.05f32 as f64)));
    assert_eq!(last.get("final_bits"), Some(&MdzValue::Int(336)));
    assert_eq!(last.values.len(), 54);

    let rows = read_mdriztab(&common::fixture("mdz_sim_ir.fits")).unwrap();
    let mut p = AstroDrizzleParams::default();
    p.apply_mdriztab_row(&rows[select_row(&rows, "F160W", 4).unwrap()]).unwrap();
    assert_eq!((p.final_bits.as_str(), p.driz_sep_bits.as_str()), ("576", "576"));
    assert_eq!(p.final_scale, Some(0.1283f32 as f64));
    assert_eq!(p.combine_type.to_string(), "median");
    assert_eq!(p.skystat.to_string(), "mode");
    assert_eq!(p.skylower, Some(-100.0));
    assert_eq!(p.resetbits, "4096");
}

#[test]
fn handmade_table_keeps_sentinels_in_uncleaned_columns() {
    let rows = read_mdriztab(&common::fixture("mdz_handmade.fits")).unwrap();
    // `bits` is passed on raw by mdzhandler, so INDEFI stays an integer there …
    assert_eq!(rows[7].get("bits"), Some(&MdzValue::Int(-2147483647)));
    // … while a cleaned J column turns it into None.
    assert_eq!(rows[0].get("final_outnx"), Some(&MdzValue::Null));
    assert_eq!(rows[0].get("coeffs"), Some(&MdzValue::Str("header".into())));
}

#[test]
fn errors_name_the_file() {
    let e = read_mdriztab(&common::fixture("mdz_bad_format.fits")).unwrap_err().to_string();
    assert!(e.contains("mdz_bad_format.fits") && e.contains("static_sig"), "{e}");
    let e = read_mdriztab(&common::fixture("no_such_mdz.fits")).unwrap_err().to_string();
    assert!(e.contains("no_such_mdz.fits"), "{e}");
}
