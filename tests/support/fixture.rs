//! The one Frappe fixture: the real pipeline over `sample-logs/frappe-oom-cascade` (the cascade
//! this tool exists for: backup, OOM kill, OOMPolicy=stop, orphans, a manual restart),
//! `sample-logs/multi-host` (three hosts in three zones and formats, two more incidents and a
//! fleet pattern) and `tests/fixtures/hostile` (a host at -07:00 whose backup command and unit
//! description carry attacker-shaped text, so every renderer's escaping is exercised). Analysed
//! once per test run; the renderer, schema and correlation tests all read this report.

use logautopsy::config::{Config, TzPolicy};
use logautopsy::events::EventId;
use logautopsy::model::Timestamp;
use logautopsy::report::Report;
use std::sync::OnceLock;

/// The hostile backup command of `tests/fixtures/hostile` (host `edge-7`).
pub const XSS_COMMAND: &str =
    "/usr/local/bin/backup-sync --tag '<script>alert(1)</script>' --note '</script><b>x</b>' | tee -a /tmp/a*b*";

/// The inputs and flags, as a user would pass them (paths relative to the crate, where
/// `cargo test` runs).
pub const INPUTS: [&str; 3] = [
    "sample-logs/frappe-oom-cascade/logs",
    "sample-logs/multi-host/logs",
    "tests/fixtures/hostile",
];
pub const TZ: [&str; 3] = ["UTC", "eu-web1=Europe/Berlin", "us-db1=America/New_York"];

pub fn config() -> Config {
    let mut tz = TzPolicy::default();
    for t in TZ {
        tz.add(t).unwrap();
    }
    Config {
        inputs: INPUTS.iter().map(|s| s.to_string()).collect(),
        tz,
        year: Some(2025),
        ..Config::default()
    }
}

/// The fixture's report (see the module doc).
pub fn frappe_report() -> Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let a = logautopsy::pipeline::analyze(&config(), None).expect("the fixture analyses");
            assert!(a.errors.is_empty(), "{:?}", a.errors);
            a.report
        })
        .clone()
}

/// The fixture's events repeated, a week apart each time, until there are about `n` (incidents
/// and windows as they are): the load test for the HTML timeline.
pub fn big_report(n: usize) -> Report {
    let mut r = frappe_report();
    let base = r.events.clone();
    let week = 7 * 86_400 * 1_000_000i64;
    let mut copy = 1i64;
    while r.events.len() < n {
        for e in &base {
            let mut e = e.clone();
            e.time = Timestamp::from_utc_micros(e.time.micros + copy * week, e.time.offset_s);
            r.events.push(e);
        }
        copy += 1;
    }
    r.events.truncate(n.max(base.len()));
    // Ids stay unique; the originals keep theirs, so incidents still point at their evidence.
    for (i, e) in r.events.iter_mut().enumerate().skip(base.len()) {
        e.id = EventId(i as u32 + 1);
    }
    r.stats.events = r.events.len();
    r
}
