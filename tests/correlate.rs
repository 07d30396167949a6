//! Correlation seen from outside the crate, through the renderers: the Frappe cascade in the
//! terminal summary (plain, pasteable, with `path:line` evidence) and in JSON (byte-identical
//! on every run).

use crate::support;

use logautopsy::correlate::{correlate, CorrelateOptions};
use logautopsy::report::Report;

fn frappe_report() -> Report {
    correlate(support::events::frappe(), &[], &CorrelateOptions::default()).into_report(
        Vec::new(),
        Vec::new(),
        Default::default(),
    )
}

/// The summary as piped to a file: no colour, no wrapping.
fn plain(verbose: bool) -> logautopsy::render::output::WriteOptions {
    logautopsy::render::output::WriteOptions {
        color: false,
        verbose,
        width: 0,
    }
}

#[test]
fn terminal_summary_shows_windows_chain_orphans_memory_and_advice() {
    let mut out = Vec::new();
    logautopsy::render::terminal::write(&frappe_report(), &mut out, &plain(false)).unwrap();
    let s = String::from_utf8(out).unwrap();
    if std::env::var_os("LOGAUTOPSY_SHOW").is_some() {
        eprintln!("{s}");
    }
    assert!(!s.contains('\x1b'), "plain output has no colour codes");
    let expect = [
        "All times are UTC; a host's own clock is shown in parentheses where it differs.\n",
        "HOSTS\n  web1  zone +05:30  2025-09-27 06:30:01 UTC (12:00:01 local, +05:30) … 2025-09-27 21:32:10 UTC (03:02:10 local, +05:30)  22 events, 1 incident(s), supervisor down 7h 48m 22s\n",
        "WHAT HAPPENED\n  CRITICAL i1 web1 2025-09-27 13:43:48 UTC (19:13:48 local, +05:30) OOM kill stopped the supervisor: killed frappe-bench-frappe-short-worker-0 2201,",
        "during backup `/home/frappe/backup.sh > /dev/null`\n",
        "BACKUP JOBS\n  web1  /home/frappe/backup.sh > /dev/null  1 run(s)",
        "  i1 CRITICAL oom-cascade  web1  2025-09-27 13:43:48 UTC (19:13:48 local, +05:30) … 21:32:10",
        "    chain (UTC):\n",
        "    backup: b1, incident began 1h 13m 47s after its start",
        "      13:43:48  e8    OOM killer killed pid 2201 (python3), supervisor program frappe-bench-frappe-short-worker-0, in supervisor.service, anon-rss 5.0 GiB; triggered by mysqldump  var/log/kern.log:6",
        "      13:45:18  e16   supervisor.service: pid 2200 (gunicorn) remains running after the unit stopped  var/log/syslog:",
        "      pid 2200 gunicorn  program frappe-bench-frappe-web  (remains-running)  [e16]",
        "        28.6 GiB    12×  python3  (incl. oom victim pid 2201)",
        "OOMPolicy=continue",
    ];
    for x in expect {
        assert!(s.contains(x), "missing {x:?} in\n{s}");
    }
    // Each backup run is listed with --verbose.
    let mut out = Vec::new();
    logautopsy::render::terminal::write(&frappe_report(), &mut out, &plain(true)).unwrap();
    let s = String::from_utf8(out).unwrap();
    assert!(s.contains("BACKUP WINDOWS\n  b1 web1  2025-09-27 12:30:01 UTC (18:00:01 local, +05:30) → 14:55:00  2h 24m 59s  (cron-session)  /home/frappe/backup.sh > /dev/null"), "{s}");
}

#[test]
fn json_is_byte_identical_across_runs() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    logautopsy::render::json::write(&frappe_report(), &mut a).unwrap();
    logautopsy::render::json::write(&frappe_report(), &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.last(), Some(&b'\n'));
}

#[test]
fn many_orphans_fold_into_one_chain_line_unless_verbose() {
    use logautopsy::events::EventKind as K;
    use serde_json::json;
    use support::events::{e, seq, SUP};
    let mut v = vec![
        e("2025-06-01T10:00:00Z", K::OomKill)
            .pid(9)
            .process("python3")
            .unit(SUP),
        e("2025-06-01T10:00:00Z", K::UnitOom).unit(SUP),
        e("2025-06-01T10:00:00Z", K::UnitStopping).unit(SUP),
    ];
    for p in 0..5 {
        v.push(
            e("2025-06-01T10:01:30Z", K::UnitRemainsRunning)
                .unit(SUP)
                .pid(100 + p)
                .process("gunicorn"),
        );
    }
    v.push(
        e("2025-06-01T10:01:30Z", K::UnitFailed)
            .unit(SUP)
            .a("result", json!("oom-kill")),
    );
    let r = correlate(seq(v), &[], &CorrelateOptions::default()).into_report(
        Vec::new(),
        Vec::new(),
        Default::default(),
    );
    let mut out = Vec::new();
    logautopsy::render::terminal::write(&r, &mut out, &plain(false)).unwrap();
    let s = String::from_utf8(out).unwrap();
    assert!(
        s.contains("      10:01:30  e4…e8  5 processes remain running after the unit stopped (see orphans)  var/log/syslog:12 … var/log/syslog:24"),
        "{s}"
    );
    assert!(
        s.contains("    orphans (5):\n      pid 100 gunicorn  (remains-running)  [e4]\n"),
        "{s}"
    );
    assert!(
        s.contains("1 incident(s), supervisor down ≥ 1m 30s (no restart seen)\n"),
        "{s}"
    );
    let mut out = Vec::new();
    logautopsy::render::terminal::write(&r, &mut out, &plain(true)).unwrap();
    let s = String::from_utf8(out).unwrap();
    assert_eq!(
        s.matches("remains running after the unit stopped").count(),
        5,
        "{s}"
    );
}
