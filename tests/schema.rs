//! The JSON report validates against `schema/report-v1.json`, and the schema rejects what the
//! contract forbids. Outputs come from `correlate` on hand-built sequences today; once the
//! pipeline is merged, the lead's golden reports of `sample-logs/` are validated here too (every
//! `sample-logs/*/expected-report.json` is checked).

use crate::support;

use logautopsy::correlate::{correlate, CorrelateOptions};
use logautopsy::events::Event;
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/report-v1.json"
    ))
    .expect("schema file");
    let v: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&v).expect("schema compiles")
}

fn report_json(events: Vec<Event>) -> Value {
    let r = correlate(events, &[], &CorrelateOptions::default()).into_report(
        Vec::new(),
        Vec::new(),
        Default::default(),
    );
    let mut out = Vec::new();
    logautopsy::render::json::write(&r, &mut out).expect("write");
    serde_json::from_slice(&out).expect("report is JSON")
}

fn assert_valid(v: &Value, what: &str) {
    let s = schema();
    let errors: Vec<String> = s
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn frappe_report_is_valid() {
    let v = report_json(support::events::frappe());
    assert_valid(&v, "frappe");
    assert_eq!(v["incidents"][0]["kind"], "oom-cascade");
}

#[test]
fn mixed_hosts_report_is_valid() {
    let v = report_json(support::events::mixed());
    assert_valid(&v, "mixed");
    // The window without an end keeps null/unknown, and the schema checks that pairing.
    let open: Vec<&Value> = v["backup_windows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["end"].is_null())
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["end_basis"], "unknown");
}

#[test]
fn schema_rejects_contract_violations() {
    let s = schema();
    let mut v = report_json(support::events::frappe());
    assert!(s.is_valid(&v));
    // An invented end basis for a window without an end.
    v["backup_windows"][0]["end"] = Value::Null;
    assert!(!s.is_valid(&v));
    let mut v = report_json(support::events::frappe());
    // Local time instead of UTC `Z` with microseconds.
    v["incidents"][0]["start"] = Value::String("2025-09-27T19:13:48+05:30".into());
    assert!(!s.is_valid(&v));
    let mut v = report_json(support::events::frappe());
    v.as_object_mut().unwrap().remove("incidents");
    assert!(!s.is_valid(&v));
    let mut v = report_json(support::events::frappe());
    v["incidents"][0]["orphans"][0]
        .as_object_mut()
        .unwrap()
        .remove("pid");
    assert!(!s.is_valid(&v));
}

#[test]
fn golden_reports_are_valid() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-logs"));
    let dirs = std::fs::read_dir(root).expect("sample-logs/ is part of the repository");
    let mut paths: Vec<_> = dirs
        .flatten()
        .map(|d| d.path().join("expected-report.json"))
        .filter(|p| p.exists())
        .collect();
    paths.sort();
    // Every scenario carries a golden report (tests/golden.rs); all of them are real outputs.
    assert!(paths.len() >= 9, "golden reports found: {paths:?}");
    for p in paths {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert_valid(&v, &p.display().to_string());
    }
}
