//! The JSON report validates against `schema/report-v1.json`, which is generated from the
//! report's types and must be current; the schema rejects what the contract forbids; every
//! report snapshot of `sample-logs/` validates.

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

fn frappe_json() -> Value {
    let mut out = Vec::new();
    logautopsy::render::json::write(&support::fixture::frappe_report(), &mut out).expect("write");
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
    let v = frappe_json();
    assert_valid(&v, "frappe");
    assert_eq!(v["incidents"][3]["kind"], "oom-cascade");
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
    let mut v = frappe_json();
    assert!(s.is_valid(&v));
    // An invented end basis for a window without an end.
    v["backup_windows"][0]["end"] = Value::Null;
    assert!(!s.is_valid(&v));
    let mut v = frappe_json();
    // Local time instead of UTC `Z` with microseconds.
    v["incidents"][0]["start"] = Value::String("2025-09-27T19:13:48+05:30".into());
    assert!(!s.is_valid(&v));
    let mut v = frappe_json();
    v.as_object_mut().unwrap().remove("incidents");
    assert!(!s.is_valid(&v));
    let mut v = frappe_json();
    v["incidents"][3]["orphans"][0]
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
        .map(|d| d.path().join("report.snap"))
        .filter(|p| p.exists())
        .collect();
    paths.sort();
    // Every scenario carries a report snapshot (tests/golden.rs); all of them are real outputs.
    assert!(paths.len() >= 9, "report snapshots found: {paths:?}");
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        // An insta snapshot: a `---` header, then the report.
        let json = text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
            .map_or(text.as_str(), |(_, body)| body);
        let v: Value = serde_json::from_str(json).unwrap();
        assert_valid(&v, &p.display().to_string());
    }
}

/// The checked-in schema is what the report's types generate: a field added to `report.rs`
/// reaches the contract file, or this fails.
#[test]
fn checked_in_schema_is_generated_from_the_types() {
    let want = serde_json::to_string_pretty(&logautopsy::report::json_schema()).unwrap() + "\n";
    let have = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/report-v1.json"
    ))
    .unwrap();
    if have != want {
        let line = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .map_or(have.lines().count().min(want.lines().count()), |n| n)
            + 1;
        panic!(
            "schema/report-v1.json is not what the types generate (first difference at line \
             {line}): run `cargo run -q -- schema > schema/report-v1.json` and review the diff"
        );
    }
}
