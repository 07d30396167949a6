//! Correlation seen from outside the crate, through the renderers: the Frappe cascade in the
//! terminal summary (plain, pasteable, with `path:line` evidence) and in JSON (byte-identical
//! on every run).

use crate::support;

use logautopsy::correlate::{correlate, CorrelateOptions};
use logautopsy::report::Report;

fn frappe_report() -> Report {
    support::fixture::frappe_report()
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
        "HOSTS\n  ap-app1  zone +05:30  2025-09-26 18:28:02 UTC (23:58:02 local, +05:30) … 2025-09-26 21:47:01 UTC (03:17:01 local, +05:30)  57 events (+6 routine lines), 1 incident(s), supervisor down ≥ 32m 52s (no restart seen)\n",
        "  frappe-prod-1  zone UTC  2025-09-20 04:02:25 UTC … 2025-09-28 09:20:02 UTC  162 events (+1836 routine lines), 1 incident(s), supervisor down 7h 58m 53s\n",
        "WHAT HAPPENED\n  CRITICAL i2 ap-app1 2025-09-26 21:14:09 UTC (02:44:09 local, +05:30) OOM kill stopped the supervisor: killed frappe-bench-frappe-short-worker-0 1512,",
        "  CRITICAL i4 frappe-prod-1 2025-09-27 19:13:47 UTC OOM kill stopped the supervisor: killed frappe-bench-frappe-long-worker-0 1121, 14 orphaned, 5 program(s) left unsupervised, down 7h 58m 53s, during backup `cd /home/frappe/frappe-bench && /usr/local/bin/b…`\n",
        "BACKUP JOBS\n  frappe-prod-1  cd /home/frappe/frappe-bench && /usr/local/bin/bench --site all backup --with-files >> /home/frappe/frappe-bench/logs/backup.log 2>&1  14 run(s)  schedule 0 */6 * * * (host's clock)  mean 42m 01s  max 1h 58m 45s  trend +67% (getting slower)\n",
        "  i4 CRITICAL oom-cascade  frappe-prod-1  2025-09-27 19:13:47 UTC … 2025-09-28 03:12:43\n",
        "    chain (UTC):\n",
        "    backup: b18, incident began 1h 13m 46s after its start\n",
        "      19:13:47  e182  OOM killer killed pid 1121 (python3), supervisor program frappe-bench-frappe-long-worker-0, in supervisor.service, anon-rss 6.3 GiB; triggered by bench  sample-logs/frappe-oom-cascade/logs/var/log/kern.log:34\n",
        "      19:15:18  e228…e241  14 processes remain running after the unit stopped (see orphans)  sample-logs/frappe-oom-cascade/logs/var/log/syslog:250 … sample-logs/frappe-oom-cascade/logs/var/log/syslog:263\n",
        "      pid 1100 gunicorn  program frappe-bench-frappe-web  (remains-running)  [e228]\n",
        "        14.2 GiB     8×  python3  (incl. oom victim pid 1121)\n",
        "`systemctl edit supervisor.service` and add `[Service]` / `OOMPolicy=continue`",
    ];
    for x in expect {
        assert!(s.contains(x), "missing {x:?} in\n{s}");
    }
    // Each backup run is listed with --verbose.
    let mut out = Vec::new();
    logautopsy::render::terminal::write(&frappe_report(), &mut out, &plain(true)).unwrap();
    let s = String::from_utf8(out).unwrap();
    assert!(s.contains("BACKUP WINDOWS\n  b1 frappe-prod-1  2025-09-25 00:00:01 UTC → 00:24:19  24m 18s  (cron-session)  cd /home/frappe/frappe-bench && /usr/local/bin/bench --site all backup --with-files >> /home/frappe/frappe-bench/logs/backup.log 2>&1\n"), "{s}");
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
