//! Correlation tests with hand-built event sequences shaped like the real lines they stand for
//! (reference §3.4, §4.5): an OOMPolicy=stop cascade, a kill the supervisor survived, a planned restart,
//! each window end basis, the fleet view. Every assertion is an exact value.

use super::*;
use crate::events::{Event, EventKind as K};
use crate::model::{Location, Timestamp};
use crate::report::Report;
use crate::report::Severity;
use serde_json::{json, Value};
use std::sync::Arc;

struct B(Event);

fn e(t: &str, kind: K) -> B {
    B(Event {
        id: Default::default(),
        time: Timestamp::from_datetime(&chrono::DateTime::parse_from_rfc3339(t).unwrap()),
        host: "web1".into(),
        kind,
        pid: None,
        process: None,
        unit: None,
        program: None,
        message: String::new(),
        sources: Vec::new(),
        attrs: Default::default(),
        rule: "",
        ident: "".into(),
    })
}

impl B {
    fn host(mut self, h: &str) -> Self {
        self.0.host = h.into();
        self
    }
    fn pid(mut self, p: u32) -> Self {
        self.0.pid = Some(p);
        self
    }
    fn unit(mut self, u: &str) -> Self {
        self.0.unit = Some(u.into());
        self
    }
    fn process(mut self, p: &str) -> Self {
        self.0.process = Some(p.into());
        self
    }
    fn program(mut self, p: &str) -> Self {
        self.0.program = Some(p.into());
        self
    }
    fn a(mut self, k: &str, v: Value) -> Self {
        self.0.attrs.insert(k, v);
        self
    }
}

/// Time-sort (stable), assign ids and one source line each, like the pipeline does.
fn seq(v: Vec<B>) -> Vec<Event> {
    let mut v: Vec<Event> = v.into_iter().map(|b| b.0).collect();
    v.sort_by_key(|e| e.time);
    for (i, e) in v.iter_mut().enumerate() {
        e.id = crate::events::EventId(i as u32 + 1);
        e.sources = vec![Location::Line {
            path: Arc::from("var/log/syslog"),
            line: (i as u64 + 1) * 10,
        }];
    }
    v
}

fn run(events: Vec<Event>) -> Report {
    correlate(events, &[], &CorrelateOptions::default()).into_report(
        Vec::new(),
        Vec::new(),
        Default::default(),
    )
}

fn id_of(events: &[Event], pred: impl Fn(&Event) -> bool) -> crate::events::EventId {
    events.iter().find(|e| pred(e)).map(|e| e.id).unwrap()
}

const WEB: &str = "frappe-bench-frappe-web";
const SHORT: &str = "frappe-bench-frappe-short-worker-0";
const LONG: &str = "frappe-bench-frappe-long-worker-0";
const SIO: &str = "frappe-bench-node-socketio";
const SUP: &str = "supervisor.service";
const CMD: &str = "/home/frappe/backup.sh > /dev/null";

/// The smallest OOMPolicy=stop cascade that exercises every correlation stage, as events: a
/// backup, an OOM kill in supervisor.service, OOMPolicy=stop, supervisorctl shutdown, waiting
/// lists, stop timeout, workers left running, failed with result 'oom-kill', the backup's PAM
/// session closes, and the manual restart next morning finds the left-over processes. A unit
/// test's input, small enough to assert every value of; the end-to-end Frappe fixture is the
/// real pipeline over `sample-logs/frappe-oom-cascade` (`tests/support/fixture.rs`).
fn cascade() -> Vec<Event> {
    let z = "+05:30";
    let t = |hms: &str| format!("2025-09-27T{hms}{z}");
    let t2 = |hms: &str| format!("2025-09-28T{hms}{z}");
    seq(vec![
        e(&t("12:00:01"), K::SupervisorSpawned)
            .program(WEB)
            .pid(2200),
        e(&t("12:00:01"), K::SupervisorSpawned)
            .program(SHORT)
            .pid(2201),
        e(&t("12:00:02"), K::SupervisorSpawned)
            .program(LONG)
            .pid(2310),
        e(&t("12:00:02"), K::SupervisorSpawned)
            .program(SIO)
            .pid(2320),
        e(&t("18:00:01"), K::CronSessionOpen)
            .pid(4100)
            .a("user", json!("frappe")),
        e(&t("18:00:01"), K::BackupStart)
            .pid(4102)
            .a("user", json!("frappe"))
            .a("command", json!(CMD))
            .a("via", json!("cron")),
        e(&t("19:13:48"), K::OomInvoked).process("mysqldump"),
        e(&t("19:13:48"), K::OomKill)
            .pid(2201)
            .process("python3")
            .unit(SUP)
            .a("anon_rss_kb", json!(5_242_880u64))
            .a("trigger", json!("mysqldump"))
            .a(
                "tasks",
                json!([
                    {"process": "python3", "count": 12, "rss_kb": 30_000_000u64},
                    {"process": "mysqldump", "count": 1, "rss_kb": 18_000_000u64},
                    {"process": "gunicorn", "count": 9, "rss_kb": 4_000_000u64},
                    {"process": "node", "count": 1, "rss_kb": 400_000u64}
                ]),
            ),
        e(&t("19:13:48"), K::UnitOom).unit(SUP),
        e(&t("19:13:48"), K::UnitStopping).unit(SUP),
        e(&t("19:13:48"), K::SupervisorctlShutdown).pid(9001),
        e(&t("19:13:48"), K::SupervisorWaiting).a("programs", json!([WEB, LONG, SIO])),
        e(&t("19:13:50"), K::SupervisorStopped)
            .program(SIO)
            .a("signal", json!("SIGTERM")),
        e(&t("19:13:51"), K::SupervisorWaiting).a("programs", json!([WEB, LONG])),
        e(&t("19:13:54"), K::SupervisorWaiting).a("programs", json!([WEB, LONG])),
        e(&t("19:15:18"), K::UnitStopTimeout)
            .unit(SUP)
            .a("state", json!("stop-sigterm")),
        e(&t("19:15:18"), K::UnitKilling)
            .unit(SUP)
            .pid(1999)
            .process("supervisord")
            .a("signal", json!("SIGKILL")),
        e(&t("19:15:18"), K::UnitRemainsRunning)
            .unit(SUP)
            .pid(2200)
            .process("gunicorn"),
        e(&t("19:15:18"), K::UnitRemainsRunning)
            .unit(SUP)
            .pid(2205)
            .process("gunicorn"),
        e(&t("19:15:18"), K::UnitRemainsRunning)
            .unit(SUP)
            .pid(2310)
            .process("python3"),
        e(&t("19:15:18"), K::UnitFailed)
            .unit(SUP)
            .a("result", json!("oom-kill")),
        e(&t("19:15:18"), K::UnitStopped).unit(SUP),
        e(&t("20:25:00"), K::CronSessionClose)
            .pid(4100)
            .a("user", json!("frappe")),
        e(&t2("03:02:10"), K::UnitStarting).unit(SUP),
        e(&t2("03:02:10"), K::UnitLeftoverProcess)
            .unit(SUP)
            .pid(2200)
            .process("gunicorn"),
        e(&t2("03:02:10"), K::UnitLeftoverProcess)
            .unit(SUP)
            .pid(2310)
            .process("python3"),
        e(&t2("03:02:10"), K::UnitStarted).unit(SUP),
        e(&t2("03:02:11"), K::SupervisorStarted).pid(3100),
        e(&t2("03:02:12"), K::SupervisorSpawned)
            .program(WEB)
            .pid(3110),
        // The orphaned gunicorn still holds the port: the new web exits once.
        e(&t2("03:02:14"), K::SupervisorExited)
            .program(WEB)
            .a("expected", json!(false))
            .a("exit_status", json!(1)),
        e(&t2("03:02:15"), K::SupervisorSpawned)
            .program(WEB)
            .pid(3120),
    ])
}

#[test]
fn frappe_chain_is_one_oom_cascade_linked_to_the_backup() {
    let ev = cascade();
    let r = run(ev.clone());
    assert_eq!(r.backup_windows.len(), 1);
    let w = &r.backup_windows[0];
    assert_eq!(w.id, "b1");
    assert_eq!(w.start.rfc3339(), "2025-09-27T12:30:01.000000Z");
    assert_eq!(w.end.unwrap().rfc3339(), "2025-09-27T14:55:00.000000Z");
    assert_eq!(w.end_basis, "cron-session");
    assert_eq!(w.duration_s, Some(8699.0));
    assert_eq!(w.command.as_deref(), Some(CMD));

    assert_eq!(r.incidents.len(), 1, "{:#?}", r.incidents);
    let i = &r.incidents[0];
    assert_eq!(i.id, "i1");
    assert_eq!(i.kind, IncidentKind::OomCascade);
    assert_eq!(i.severity, Severity::Critical);
    assert!(i.supervisor_stopped);
    assert_eq!(i.start.rfc3339(), "2025-09-27T13:43:48.000000Z");
    assert_eq!(i.end.rfc3339(), "2025-09-27T21:32:15.000000Z");
    assert_eq!(
        i.backup_window.map(|b| b.to_string()).as_deref(),
        Some("b1")
    );
    assert_eq!(i.backup_lag_s, Some(4427.0));
    // Recovered when the unit started again the next morning.
    assert_eq!(i.outage_s, Some(28102.0));

    assert_eq!(i.oom_kills.len(), 1);
    let k = &i.oom_kills[0];
    assert_eq!((k.pid, &*k.process), (2201, "python3"));
    assert_eq!(k.program.as_deref(), Some(SHORT));
    assert_eq!(k.unit.as_deref(), Some(SUP));
    assert_eq!(k.anon_rss_kb, Some(5_242_880));

    let orphans: Vec<(Option<u32>, &str, &str, Option<&str>)> = i
        .orphans
        .iter()
        .map(|o| {
            (
                o.pid,
                o.process.as_str(),
                o.basis.as_str(),
                o.program.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        orphans,
        vec![
            (Some(2200), "gunicorn", "remains-running", Some(WEB)),
            (Some(2205), "gunicorn", "remains-running", None),
            (Some(2310), "python3", "remains-running", Some(LONG)),
        ]
    );
    let mem: Vec<(&str, u64, u64)> = i
        .memory_top
        .iter()
        .map(|m| (m.process.as_str(), m.count, m.rss_kb))
        .collect();
    assert_eq!(
        mem,
        vec![
            ("python3", 12, 30_000_000),
            ("mysqldump", 1, 18_000_000),
            ("gunicorn", 9, 4_000_000),
            ("node", 1, 400_000)
        ]
    );
    assert_eq!(
        i.workers_lost,
        vec![
            LONG.to_string(),
            SHORT.to_string(),
            WEB.to_string(),
            SIO.to_string()
        ]
    );
    // The web and long-worker processes are orphans: they kept running, so they are not
    // "stopped" (review finding: "workers lost" contradicted the orphan list).
    assert_eq!(i.programs_stopped, vec![SHORT.to_string(), SIO.to_string()]);
    assert_eq!(
        i.programs_unsupervised,
        vec![LONG.to_string(), WEB.to_string()]
    );
    assert!(
        i.summary
            .contains("; the stop took 1 more program(s) down and left 2 running unsupervised;"),
        "{}",
        i.summary
    );
    assert!(!i.summary.contains("worker program"), "{}", i.summary);

    // The chain: backup start, OOM report, unit OOM notice, stop, shutdown, first+last waiting,
    // stop timeout, SIGKILL, remains running ×3, failed, stopped, backup end, restart.
    let kinds: Vec<&str> = i.chain.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "backup_start",
            "oom_invoked",
            "oom_kill",
            "unit_oom",
            "unit_stopping",
            "supervisorctl_shutdown",
            "supervisor_waiting",
            "supervisor_stopped",
            "supervisor_waiting",
            "unit_stop_timeout",
            "unit_killing",
            "unit_remains_running",
            "unit_remains_running",
            "unit_remains_running",
            "unit_failed",
            "unit_stopped",
            "cron_session_close",
            "unit_starting",
            "unit_leftover_process",
            "unit_leftover_process",
            "unit_started",
            "supervisor_started",
            "supervisor_exited",
            "supervisor_spawned",
        ]
    );
    assert_eq!(
        i.evidence,
        i.chain.iter().map(|c| c.event).collect::<Vec<_>>()
    );
    assert_eq!(i.chain[0].event, id_of(&ev, |e| e.kind == K::BackupStart));
    assert_eq!(
        i.chain[2].sources[0].to_string(),
        format!("var/log/syslog:{}", 8 * 10)
    );
    assert_eq!(
        i.chain[2].text,
        format!("OOM killer killed pid 2201 (python3), supervisor program {SHORT}, in {SUP}, anon-rss 5.0 GiB; triggered by mysqldump")
    );

    let recs: Vec<&str> = i.recommendations.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        recs,
        vec![
            "i1-oompolicy",
            "i1-oomscoreadjust",
            "i1-backup-memory",
            "i1-backup-schedule",
            "i1-orphans",
            "i1-stop-timeout"
        ]
    );
    let oompolicy = &i.recommendations[0];
    assert!(oompolicy.text.contains("OOMPolicy=continue"));
    assert!(oompolicy.text.contains("systemctl edit supervisor.service"));
    assert_eq!(
        oompolicy.evidence,
        vec![
            id_of(&ev, |e| e.kind == K::UnitOom),
            id_of(&ev, |e| e.kind == K::UnitStopping),
            id_of(&ev, |e| e.kind == K::SupervisorctlShutdown),
            id_of(&ev, |e| e.kind == K::UnitFailed),
        ]
    );
    // A cron backup gets `choom` in its crontab line, never a unit setting; the supervisor is
    // not offered a negative score (its children would inherit it).
    let score = &i.recommendations[1].text;
    assert!(
        score.contains(&format!(
            "in the crontab, run it as `choom -n 500 -- sh -c '{CMD}'`"
        )),
        "{score}"
    );
    assert!(!score.contains("OOMScoreAdjust=500"), "{score}");
    assert!(score.contains("inherits oom_score_adj"), "{score}");
    for r in &i.recommendations {
        assert!(!r.text.contains("OOMScoreAdjust=-"), "{}", r.text);
        assert!(!r.text.contains("OOMScoreAdjust=-1500"), "{}", r.text);
        assert!(!r.evidence.is_empty());
    }
    assert!(i.recommendations[2].text.contains(&format!(
        "systemd-run --scope -p MemoryHigh=<soft> -p MemoryMax=<hard> sh -c '{CMD}'"
    )));
    assert_eq!(super::advice::shell_quote("it's"), "'it'\\''s'");
    assert!(i.summary.starts_with("OOM killer killed python3 2201 (frappe-bench-frappe-short-worker-0) at 2025-09-27 13:43:48 UTC (19:13:48 local, +05:30); supervisor.service was stopped"), "{}", i.summary);

    let h = &r.hosts[0];
    assert_eq!(
        (h.name.as_str(), h.tz.as_str(), h.incidents, h.events),
        ("web1", "+05:30", 1, ev.len())
    );
}

#[test]
fn kill_the_supervisor_survived_is_an_oom_kill_with_respawn() {
    let ev = seq(vec![
        e("2025-06-01T10:00:00Z", K::SupervisorSpawned)
            .program("app-worker-0")
            .pid(3001),
        e("2025-06-01T14:20:05Z", K::OomKill)
            .pid(3001)
            .process("python3")
            .unit(SUP)
            .a("anon_rss_kb", json!(2_000_000u64)),
        e("2025-06-01T14:20:05Z", K::UnitOom).unit(SUP),
        e("2025-06-01T14:20:06Z", K::SupervisorExited)
            .program("app-worker-0")
            .a("expected", json!(false))
            .a("signal", json!("SIGKILL")),
        e("2025-06-01T14:20:07Z", K::SupervisorSpawned)
            .program("app-worker-0")
            .pid(3050),
        e("2025-06-01T14:20:08Z", K::SupervisorSuccess).program("app-worker-0"),
    ]);
    let r = run(ev);
    assert_eq!(r.incidents.len(), 1);
    let i = &r.incidents[0];
    assert_eq!(i.kind, IncidentKind::OomKill);
    assert_eq!(i.severity, Severity::High);
    assert!(!i.supervisor_stopped);
    assert_eq!(i.backup_window, None);
    assert_eq!(i.backup_lag_s, None);
    assert_eq!(i.outage_s, Some(2.0));
    assert_eq!(i.oom_kills[0].program.as_deref(), Some("app-worker-0"));
    assert!(i.orphans.is_empty());
    assert_eq!(i.workers_lost, vec!["app-worker-0".to_string()]);
    assert_eq!(i.programs_stopped, vec!["app-worker-0".to_string()]);
    assert!(i.programs_unsupervised.is_empty());
    // The RUNNING line (e6) confirms the respawn and is evidence of the recovery.
    assert_eq!(i.evidence, vec!["e2", "e3", "e4", "e5", "e6"]);
    assert_eq!(i.recovery, Some(crate::report::Recovery::Running));
    let recs: Vec<&str> = i.recommendations.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(recs, vec!["i1-memory-limit"]);
    // No task table: the victim's anon-rss is not "memory at the kill by process name"; it
    // stays under oom_kills and memory_top is empty (review finding on bookworm).
    assert!(i.memory_top.is_empty());
    assert!(i.memory_largest.is_empty());
}

/// A fork bomb under a memory limit: 300 kills in two minutes. The chain keeps the first five
/// kills and the last, and one step says what the other 294 were; evidence and oom_kills keep
/// every kill.
#[test]
fn a_long_run_of_kills_is_folded_in_the_chain() {
    let mut v = Vec::new();
    for k in 0..300u32 {
        let t = chrono::DateTime::parse_from_rfc3339("2025-06-01T14:20:00Z").unwrap()
            + chrono::Duration::milliseconds(400 * k as i64);
        let proc_ = ["stress", "stress", "node"][k as usize % 3];
        v.push(
            e(&t.to_rfc3339(), K::OomKill)
                .pid(5000 + k)
                .process(proc_)
                .a("anon_rss_kb", json!(100_000u64)),
        );
    }
    let r = run(seq(v));
    assert_eq!(r.incidents.len(), 1);
    let i = &r.incidents[0];
    assert_eq!(i.oom_kills.len(), 300);
    assert_eq!(i.evidence.len(), 300);
    let ids: Vec<String> = i.chain.iter().map(|c| c.event.to_string()).collect();
    assert_eq!(ids, vec!["e1", "e2", "e3", "e4", "e5", "e6", "e300"]);
    assert!(i.chain.iter().all(|c| c.kind == K::OomKill));
    assert_eq!(
        i.chain[4].text,
        "OOM killer killed pid 5004 (stress), anon-rss 97.7 MiB"
    );
    assert_eq!(
        i.chain[5].text,
        "… 294 more OOM kills (stress ×196, node ×98), the last at 2025-06-01T14:21:59.200000Z (e299)"
    );
    assert_eq!(i.chain[5].time.rfc3339(), "2025-06-01T14:20:02.000000Z");
    assert_eq!(i.chain[5].sources, r.events[5].sources);
    assert_eq!(
        i.chain[6].text,
        "OOM killer killed pid 5299 (node), anon-rss 97.7 MiB"
    );
    // The summary names ten victims and counts the rest.
    assert!(
        i.summary.starts_with(
            "OOM killer killed stress 5000, stress 5001, node 5002, stress 5003, stress 5004, \
             node 5005, stress 5006, stress 5007, node 5008, stress 5009, and 290 more at 2025-06-01 14:20:00 UTC"
        ),
        "{}",
        i.summary
    );
}

/// oom-survived shape: four python3 rows sum to 22 GiB, but one of them is the backup's own
/// process (pid right after the cron CMD pid) and one is the victim; the trigger mysqldump is
/// the only row of its name. Both views say so.
#[test]
fn memory_rows_mark_the_victim_the_trigger_and_the_backup() {
    let mut v = cron("h", "2025-09-27T12:00:01Z", 41700, 41703, CMD);
    v.push(
        e("2025-09-27T12:21:34Z", K::OomKill)
            .host("h")
            .pid(1109)
            .process("python3")
            .unit(SUP)
            .a("anon_rss_kb", json!(5_240_832u64))
            .a("trigger", json!("mysqldump"))
            .a(
                "tasks",
                json!([
                    {"process": "python3", "count": 4, "rss_kb": 23_362_880u64},
                    {"process": "mysqldump", "count": 1, "rss_kb": 2_600_000u64},
                    {"process": "gunicorn", "count": 3, "rss_kb": 3_600_000u64}
                ]),
            )
            .a(
                "tasks_top",
                json!([
                    {"pid": 41704, "process": "python3", "rss_kb": 9_600_000u64},
                    {"pid": 1109, "process": "python3", "rss_kb": 5_242_880u64},
                    {"pid": 1106, "process": "python3", "rss_kb": 5_000_000u64},
                    {"pid": 41790, "process": "mysqldump", "rss_kb": 2_600_000u64}
                ]),
            ),
    );
    let r = run(seq(v));
    let i = &r.incidents[0];
    assert_eq!(
        i.backup_window.map(|b| b.to_string()).as_deref(),
        Some("b1")
    );
    let top: Vec<(&str, Vec<&str>)> = i
        .memory_top
        .iter()
        .map(|m| {
            (
                m.process.as_str(),
                m.includes.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        top,
        vec![
            (
                "python3",
                vec![
                    "oom victim pid 1109",
                    "likely backup pid 41704 (follows the cron CMD pid 41703)"
                ]
            ),
            ("gunicorn", vec![]),
            ("mysqldump", vec!["the oom trigger"]),
        ]
    );
    let largest: Vec<(u32, Vec<&str>)> = i
        .memory_largest
        .iter()
        .map(|m| (m.pid, m.roles.iter().map(|r| r.as_str()).collect()))
        .collect();
    assert_eq!(
        largest,
        vec![
            (41704, vec!["likely-backup"]),
            (1109, vec!["oom-victim"]),
            (1106, vec![]),
            (41790, vec!["oom-trigger"]),
        ]
    );
}

#[test]
fn planned_restart_is_not_an_incident() {
    let ev = seq(vec![
        e("2025-06-01T09:00:00Z", K::UnitStopping).unit(SUP),
        e("2025-06-01T09:00:00Z", K::SupervisorctlShutdown).pid(700),
        e("2025-06-01T09:00:00Z", K::SupervisorWaiting).a("programs", json!(["a", "b"])),
        e("2025-06-01T09:00:01Z", K::SupervisorStopped)
            .program("a")
            .a("signal", json!("SIGTERM")),
        e("2025-06-01T09:00:01Z", K::SupervisorStopped)
            .program("b")
            .a("signal", json!("SIGTERM")),
        e("2025-06-01T09:00:02Z", K::UnitStopped).unit(SUP),
        e("2025-06-01T09:00:02Z", K::UnitStarting).unit(SUP),
        e("2025-06-01T09:00:02Z", K::UnitStarted).unit(SUP),
        e("2025-06-01T09:00:03Z", K::SupervisorStarted).pid(800),
        e("2025-06-01T09:00:04Z", K::SupervisorSpawned)
            .program("a")
            .pid(801),
        e("2025-06-01T09:00:04Z", K::SupervisorSpawned)
            .program("b")
            .pid(802),
        e("2025-06-01T09:00:05Z", K::SupervisorExited)
            .program("a")
            .a("expected", json!(true))
            .a("exit_status", json!(0)),
    ]);
    let r = run(ev);
    assert!(r.incidents.is_empty(), "{:#?}", r.incidents);
}

#[test]
fn a_planned_stop_that_leaves_workers_behind_is_orphaned_workers() {
    let ev = seq(vec![
        e("2025-06-01T09:00:00Z", K::UnitStopping).unit(SUP),
        e("2025-06-01T09:00:00Z", K::SupervisorctlShutdown).pid(700),
        e("2025-06-01T09:00:00Z", K::SupervisorWaiting).a("programs", json!(["a"])),
        e("2025-06-01T09:01:30Z", K::UnitStopTimeout).unit(SUP),
        e("2025-06-01T09:01:30Z", K::UnitRemainsRunning)
            .unit(SUP)
            .pid(555)
            .process("gunicorn"),
        e("2025-06-01T09:01:30Z", K::UnitFailed)
            .unit(SUP)
            .a("result", json!("timeout")),
    ]);
    let r = run(ev);
    assert_eq!(r.incidents.len(), 1);
    let i = &r.incidents[0];
    assert_eq!(i.kind, IncidentKind::OrphanedWorkers);
    assert!(i.supervisor_stopped);
    let o: Vec<(Option<u32>, &str, &str)> = i
        .orphans
        .iter()
        .map(|o| (o.pid, o.process.as_str(), o.basis.as_str()))
        .collect();
    // systemd's list is complete for the unit: program `a`, which supervisord still waited
    // for, had gone — not an orphan, and not "possibly left running" either.
    assert_eq!(o, vec![(Some(555), "gunicorn", "remains-running")]);
    assert!(i.possibly_left_running.is_empty());
    assert_eq!(i.outage_s, None);
    assert!(
        i.summary.ends_with("; no restart seen in the logs"),
        "{}",
        i.summary
    );
    let recs: Vec<&str> = i.recommendations.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(recs, vec!["i1-orphans", "i1-stop-timeout"]);
}

#[test]
fn without_a_systemd_list_the_waiting_list_is_possibly_left_running_not_orphans() {
    let ev = seq(vec![
        e("2025-06-01T09:00:00Z", K::UnitStopping).unit(SUP),
        e("2025-06-01T09:00:00Z", K::SupervisorctlShutdown).pid(700),
        e("2025-06-01T09:00:00Z", K::SupervisorWaiting).a("programs", json!(["a", "b"])),
        e("2025-06-01T09:00:01Z", K::SupervisorStopped)
            .program("b")
            .a("signal", json!("SIGTERM")),
        e("2025-06-01T09:01:30Z", K::UnitStopTimeout).unit(SUP),
        e("2025-06-01T09:01:30Z", K::UnitFailed)
            .unit(SUP)
            .a("result", json!("timeout")),
    ]);
    let r = run(ev);
    assert_eq!(r.incidents.len(), 1, "{:#?}", r.incidents);
    let i = &r.incidents[0];
    assert!(i.orphans.is_empty(), "{:?}", i.orphans);
    let p: Vec<(&str, &str)> = i
        .possibly_left_running
        .iter()
        .map(|o| (o.process.as_str(), o.basis.as_str()))
        .collect();
    assert_eq!(p, vec![("a", "waiting-list")]);
}

#[test]
fn worker_crash_and_restart_loop() {
    let crash = seq(vec![
        e("2025-06-01T10:00:00Z", K::SupervisorExited)
            .program("w")
            .a("expected", json!(false))
            .a("exit_status", json!(1)),
        e("2025-06-01T10:00:01Z", K::SupervisorSpawned)
            .program("w")
            .pid(10),
    ]);
    let r = run(crash);
    assert_eq!(r.incidents.len(), 1);
    assert_eq!(r.incidents[0].kind, IncidentKind::WorkerCrash);
    assert_eq!(r.incidents[0].outage_s, Some(1.0));
    assert_eq!(r.incidents[0].recommendations[0].id, "i1-crash-logs");

    let mut v = Vec::new();
    for s in 0..3 {
        v.push(
            e(
                &format!("2025-06-01T10:00:0{}Z", s * 2),
                K::SupervisorExited,
            )
            .program("w")
            .a("expected", json!(false))
            .a("exit_status", json!(1)),
        );
    }
    v.push(e("2025-06-01T10:00:07Z", K::SupervisorFatal).program("w"));
    let r = run(seq(v));
    assert_eq!(r.incidents.len(), 1);
    assert_eq!(r.incidents[0].kind, IncidentKind::RestartLoop);
}

fn cron(host: &str, t: &str, session: u32, cmd_pid: u32, cmd: &str) -> Vec<B> {
    vec![
        e(t, K::CronSessionOpen)
            .host(host)
            .pid(session)
            .a("user", json!("root")),
        e(t, K::BackupStart)
            .host(host)
            .pid(cmd_pid)
            .a("user", json!("root"))
            .a("command", json!(cmd))
            .a("via", json!("cron")),
    ]
}

#[test]
fn window_end_bases() {
    let mut v = Vec::new();
    // Two jobs started in the same second: each CMD pairs with the nearest lower session pid.
    v.extend(cron("h", "2025-06-01T01:00:00Z", 100, 103, "backup-a"));
    v.extend(cron("h", "2025-06-01T01:00:00Z", 105, 108, "backup-b"));
    v.push(
        e("2025-06-01T01:10:00Z", K::CronSessionClose)
            .host("h")
            .pid(105)
            .a("user", json!("root")),
    );
    v.push(
        e("2025-06-01T01:20:00Z", K::CronSessionClose)
            .host("h")
            .pid(100)
            .a("user", json!("root")),
    );
    // No MTA on the session pid, no close (auth.log rotated away).
    v.extend(cron("h", "2025-06-01T02:00:00Z", 200, 202, "backup-c"));
    v.push(
        e("2025-06-01T02:05:00Z", K::CronEnd)
            .host("h")
            .pid(200)
            .a("basis", json!("cron-no-mta")),
    );
    // grandchild #N failed: N is the CMD pid.
    v.extend(cron("h", "2025-06-01T03:00:00Z", 4953, 4954, "backup-d"));
    v.push(
        e("2025-06-01T03:00:09Z", K::CronEnd)
            .host("h")
            .pid(4953)
            .a("basis", json!("cron-grandchild"))
            .a("grandchild", json!(4954))
            .a("exit_status", json!(255)),
    );
    v.push(
        e("2025-06-01T03:00:10Z", K::CronSessionClose)
            .host("h")
            .pid(4953)
            .a("user", json!("root")),
    );
    // cronie CMDEND: command text + session pid.
    v.extend(cron(
        "h",
        "2025-06-01T04:00:00Z",
        4655,
        4657,
        "/usr/local/sysbk/sysbk -q",
    ));
    v.push(
        e("2025-06-01T04:22:11Z", K::BackupEnd)
            .host("h")
            .pid(4655)
            .a("basis", json!("cronie-cmdend"))
            .a("user", json!("root"))
            .a("command", json!("/usr/local/sysbk/sysbk -q")),
    );
    v.push(
        e("2025-06-01T04:22:11Z", K::CronSessionClose)
            .host("h")
            .pid(4655)
            .a("user", json!("root")),
    );
    // Debian -L 2 END line.
    v.push(
        e("2025-06-01T05:00:00Z", K::BackupStart)
            .host("h")
            .pid(5002)
            .a("user", json!("root"))
            .a("command", json!("backup-e"))
            .a("via", json!("cron")),
    );
    v.push(
        e("2025-06-01T05:03:00Z", K::CronEnd)
            .host("h")
            .pid(5002)
            .a("basis", json!("cron-end"))
            .a("user", json!("root"))
            .a("command", json!("backup-e")),
    );
    // systemd oneshot Finished.
    v.push(
        e("2025-06-01T06:00:00Z", K::BackupStart)
            .host("h")
            .unit("restic-backup.service")
            .a("via", json!("systemd")),
    );
    v.push(
        e("2025-06-01T06:40:00Z", K::UnitSucceeded)
            .host("h")
            .unit("restic-backup.service"),
    );
    v.push(
        e("2025-06-01T06:40:00Z", K::BackupEnd)
            .host("h")
            .unit("restic-backup.service")
            .a("via", json!("systemd"))
            .a("basis", json!("systemd-finished")),
    );
    // Only `Consumed … over 1h 2min 3.5s wall clock time` of a backup unit survives.
    v.push(
        e("2025-06-01T08:00:00Z", K::UnitResources)
            .host("h")
            .unit("db-backup.service")
            .a("wall_s", json!(3723.5))
            .a("cpu_s", json!(100.0)),
    );
    // A CMD with nothing after it.
    v.push(
        e("2025-06-01T09:00:00Z", K::BackupStart)
            .host("h")
            .pid(9002)
            .a("user", json!("root"))
            .a("command", json!("backup-f"))
            .a("via", json!("cron")),
    );
    let r = run(seq(v));
    type Row = (String, Option<String>, String, Option<f64>, String);
    let got: Vec<Row> = r
        .backup_windows
        .iter()
        .map(|w| {
            (
                w.start.rfc3339(),
                w.end.map(|e| e.rfc3339()),
                w.end_basis.as_str().to_string(),
                w.duration_s,
                w.command.clone().or(w.unit.clone()).unwrap(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        got,
        vec![
            (
                s("2025-06-01T01:00:00.000000Z"),
                Some(s("2025-06-01T01:20:00.000000Z")),
                s("cron-session"),
                Some(1200.0),
                s("backup-a")
            ),
            (
                s("2025-06-01T01:00:00.000000Z"),
                Some(s("2025-06-01T01:10:00.000000Z")),
                s("cron-session"),
                Some(600.0),
                s("backup-b")
            ),
            (
                s("2025-06-01T02:00:00.000000Z"),
                Some(s("2025-06-01T02:05:00.000000Z")),
                s("cron-no-mta"),
                Some(300.0),
                s("backup-c")
            ),
            (
                s("2025-06-01T03:00:00.000000Z"),
                Some(s("2025-06-01T03:00:09.000000Z")),
                s("cron-grandchild"),
                Some(9.0),
                s("backup-d")
            ),
            (
                s("2025-06-01T04:00:00.000000Z"),
                Some(s("2025-06-01T04:22:11.000000Z")),
                s("cronie-cmdend"),
                Some(1331.0),
                s("/usr/local/sysbk/sysbk -q")
            ),
            (
                s("2025-06-01T05:00:00.000000Z"),
                Some(s("2025-06-01T05:03:00.000000Z")),
                s("cron-end"),
                Some(180.0),
                s("backup-e")
            ),
            (
                s("2025-06-01T06:00:00.000000Z"),
                Some(s("2025-06-01T06:40:00.000000Z")),
                s("systemd-finished"),
                Some(2400.0),
                s("restic-backup.service")
            ),
            (
                s("2025-06-01T06:57:56.500000Z"),
                Some(s("2025-06-01T08:00:00.000000Z")),
                s("systemd-consumed"),
                Some(3723.5),
                s("db-backup.service")
            ),
            (
                s("2025-06-01T09:00:00.000000Z"),
                None,
                s("unknown"),
                None,
                s("backup-f")
            ),
        ]
    );
    // The cronie window lists start, session open, CMDEND and session close.
    assert_eq!(r.backup_windows[4].events.len(), 4);
    assert_eq!(
        r.backup_windows
            .iter()
            .map(|w| w.id.to_string())
            .collect::<Vec<_>>(),
        vec!["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9"]
    );
}

#[test]
fn jobs_have_schedule_and_trend() {
    let mut v = Vec::new();
    for (n, (start, end)) in [
        ("00:00:01", "00:20:01"),
        ("06:00:01", "06:30:01"),
        ("12:00:01", "12:40:01"),
        ("18:00:01", "19:20:01"),
    ]
    .iter()
    .enumerate()
    {
        let p = 1000 + n as u32 * 10;
        v.extend(cron(
            "h",
            &format!("2025-06-01T{start}+02:00"),
            p,
            p + 2,
            "bench backup",
        ));
        v.push(
            e(&format!("2025-06-01T{end}+02:00"), K::CronSessionClose)
                .host("h")
                .pid(p)
                .a("user", json!("root")),
        );
    }
    let r = run(seq(v));
    assert_eq!(r.backup_jobs.len(), 1);
    let j = &r.backup_jobs[0];
    assert_eq!(j.job, "bench backup");
    assert_eq!(j.runs, 4);
    assert_eq!(j.schedule.as_deref(), Some("0 */6 * * *"));
    assert_eq!(
        j.durations_s,
        vec![Some(1200.0), Some(1800.0), Some(2400.0), Some(4800.0)]
    );
    assert_eq!(j.mean_s, Some(2550.0));
    assert_eq!(j.max_s, Some(4800.0));
    assert_eq!(j.trend, Some(3.0));
}

#[test]
fn kill_outside_backup_and_slack() {
    let mk = |kill_t: &str| {
        let mut v = cron("h", "2025-06-01T01:00:00Z", 100, 103, "backup-a");
        v.push(
            e("2025-06-01T01:30:00Z", K::CronSessionClose)
                .host("h")
                .pid(100)
                .a("user", json!("root")),
        );
        v.push(e(kill_t, K::OomKill).host("h").pid(77).process("python3"));
        run(seq(v))
    };
    // 10 minutes after the end: within the default 15-minute slack, lag from the backup's start.
    let r = mk("2025-06-01T01:40:00Z");
    assert_eq!(
        r.incidents[0]
            .backup_window
            .map(|b| b.to_string())
            .as_deref(),
        Some("b1")
    );
    assert_eq!(r.incidents[0].backup_lag_s, Some(2400.0));
    assert_eq!(r.incidents[0].kind, IncidentKind::OomKill);
    // Two hours after: unrelated.
    let r = mk("2025-06-01T03:30:00Z");
    assert_eq!(r.incidents[0].backup_window, None);
    assert_eq!(r.incidents[0].backup_lag_s, None);
    // Before the backup: unrelated.
    let r = mk("2025-06-01T00:59:00Z");
    assert_eq!(r.incidents[0].backup_window, None);
}

#[test]
fn fleet_view_matches_local_times_across_zones() {
    let v = vec![
        // 02:31 in Berlin and 02:35 in New York are six hours apart in UTC.
        e("2025-06-01T02:31:00+02:00", K::OomKill)
            .host("eu1")
            .pid(1)
            .process("php-fpm"),
        e("2025-06-01T02:35:00-04:00", K::OomKill)
            .host("us1")
            .pid(2)
            .process("php-fpm"),
        e("2025-06-01T14:00:00Z", K::OomKill)
            .host("ap1")
            .pid(3)
            .process("php-fpm"),
    ];
    let r = run(seq(v));
    assert_eq!(r.incidents.len(), 3);
    assert_eq!(r.fleet.len(), 1);
    let f = &r.fleet[0];
    assert_eq!(f.hosts, vec!["eu1".to_string(), "us1".to_string()]);
    assert_eq!(f.local_time, "02:31");
    let by_host = |h: &str| r.incidents.iter().find(|i| i.host == h).unwrap().id.clone();
    assert_eq!(f.incidents, vec![by_host("eu1"), by_host("us1")]);
}

#[test]
fn output_is_deterministic() {
    let a = serde_json::to_string(&run(cascade())).unwrap();
    let b = serde_json::to_string(&run(cascade())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn run_parts_and_anacron_windows_join_by_script_and_job() {
    let ev = seq(vec![
        e("2025-06-01T06:25:01Z", K::BackupStart)
            .pid(700)
            .a("dir", json!("/etc/cron.daily"))
            .a("script", json!("pg-backup"))
            .a("via", json!("run-parts")),
        // Another script of the same directory finishing first must not end the backup.
        e("2025-06-01T06:25:02Z", K::RunPartsEnd)
            .pid(701)
            .a("dir", json!("/etc/cron.daily"))
            .a("script", json!("logrotate")),
        e("2025-06-01T06:47:30Z", K::BackupEnd)
            .pid(702)
            .a("dir", json!("/etc/cron.daily"))
            .a("script", json!("pg-backup"))
            .a("via", json!("run-parts")),
        e("2025-06-01T07:00:00Z", K::BackupStart)
            .pid(939)
            .a("job", json!("backup.weekly"))
            .a("via", json!("anacron")),
        e("2025-06-01T07:30:00Z", K::AnacronEnd)
            .pid(939)
            .a("job", json!("cron.daily")),
        e("2025-06-01T07:45:00Z", K::AnacronEnd)
            .pid(939)
            .a("job", json!("backup.weekly")),
    ]);
    let r = run(ev);
    let got: Vec<(&str, Option<f64>, &str)> = r
        .backup_windows
        .iter()
        .map(|w| {
            (
                w.command.as_deref().unwrap(),
                w.duration_s,
                w.end_basis.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("/etc/cron.daily/pg-backup", Some(1349.0), "run-parts"),
            ("backup.weekly", Some(2700.0), "anacron")
        ]
    );
}

#[test]
fn oomd_kill_and_unit_failure_kinds() {
    let r = run(seq(vec![e("2025-06-01T10:00:00Z", K::OomdKill)
        .unit("app.slice")
        .a("cgroup", json!("/app.slice/app-web.scope"))
        .a("tool", json!("systemd-oomd"))]));
    assert_eq!(r.incidents.len(), 1);
    assert_eq!(
        (
            r.incidents[0].kind.as_str(),
            r.incidents[0].severity.as_str()
        ),
        ("oomd-kill", "high")
    );
    assert_eq!(
        r.incidents[0]
            .recommendations
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>(),
        vec!["i1-oomd"]
    );

    // A backup unit failing with exit-code: a low-severity unit failure, no OOM advice.
    let r = run(seq(vec![
        e("2025-06-01T03:00:00Z", K::BackupStart)
            .unit("restic-backup.service")
            .a("via", json!("systemd")),
        e("2025-06-01T03:04:00Z", K::UnitFailed)
            .unit("restic-backup.service")
            .a("result", json!("exit-code")),
    ]));
    assert_eq!(r.backup_windows[0].end_basis, "systemd-failed");
    assert_eq!(r.backup_windows[0].duration_s, Some(240.0));
    assert_eq!(r.incidents.len(), 1);
    let i = &r.incidents[0];
    assert_eq!(
        (i.kind.as_str(), i.severity.as_str()),
        ("unit-failed", "low")
    );
    assert_eq!(
        i.backup_window.map(|b| b.to_string()).as_deref(),
        Some("b1")
    );
    assert!(i.recommendations.is_empty());
}

#[test]
fn a_service_whose_main_process_was_the_victim_is_an_oom_kill_not_a_cascade() {
    // Shape of the corpus' erigon log: notice, main process killed, failed with 'oom-kill', and
    // no Stopping / ExecStop / waiting list: nothing cascaded, the service itself died.
    let r = run(seq(vec![
        e("2020-09-23T14:09:18Z", K::UnitOom).unit("erigon.service"),
        e("2020-09-23T14:09:19Z", K::UnitMainExited)
            .unit("erigon.service")
            .a("code", json!("killed"))
            .a("status", json!("9/KILL")),
        e("2020-09-23T14:09:19Z", K::UnitFailed)
            .unit("erigon.service")
            .a("result", json!("oom-kill")),
    ]));
    assert_eq!(r.incidents.len(), 1);
    let i = &r.incidents[0];
    assert_eq!(i.kind, IncidentKind::OomKill);
    assert_eq!(
        i.summary,
        "OOM killer killed a process in erigon.service at 2020-09-23 14:09:18 UTC; erigon.service failed with it; no restart seen in the logs"
    );
    let recs: Vec<&str> = i.recommendations.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(recs, vec!["i1-memory-limit"]);
}

#[test]
fn oomd_notice_is_oomd_evidence_and_leftovers_alone_name_the_restart() {
    // Shape of the corpus' systemd#20690: oomd kills, PID 1 says "systemd-oomd killed 2
    // process(es) in this unit", the unit fails with result 'signal'.
    let u = "testsuite-55-testbloat.service";
    let r = run(seq(vec![
        e("2021-09-10T14:59:49Z", K::OomdKill)
            .unit(u)
            .a("tool", json!("systemd-oomd")),
        e("2021-09-10T14:59:49Z", K::UnitOom)
            .unit(u)
            .a("killer", json!("systemd-oomd")),
        e("2021-09-10T14:59:49Z", K::UnitMainExited)
            .unit(u)
            .a("code", json!("killed")),
        e("2021-09-10T14:59:49Z", K::UnitFailed)
            .unit(u)
            .a("result", json!("signal")),
    ]));
    assert_eq!(r.incidents[0].kind, IncidentKind::OomdKill);
    assert!(r.incidents[0].summary.starts_with(&format!(
        "a userspace OOM killer (systemd-oomd/earlyoom) killed the processes of {u} at 2021-09-10 14:59:49 UTC"
    )));

    // Shape of domoticz#4391: only "Found left-over process" lines at a start.
    let r = run(seq(vec![
        e("2021-10-11T11:41:18Z", K::UnitLeftoverProcess)
            .unit("domoticz.service")
            .pid(18111)
            .process("updatebeta"),
        e("2021-10-11T11:41:18Z", K::UnitLeftoverProcess)
            .unit("domoticz.service")
            .pid(18196)
            .process("sudo"),
    ]));
    let i = &r.incidents[0];
    assert_eq!(i.kind, IncidentKind::OrphanedWorkers);
    assert_eq!(
        i.summary,
        "domoticz.service found process(es) of an earlier run still alive when it started at 2021-10-11 11:41:18 UTC (that run's stop left them behind); 2 orphaned process(es) left behind"
    );
}

/// bookworm shape (syslog:5, 10–12): `Starting`, then `Deactivated successfully`, `Finished`
/// and `Consumed … over 38min 12.500s wall clock time` in the same instant. They are three
/// ends of one run: one window, ended by `Finished`, and the job counts one run per night.
#[test]
fn one_systemd_run_is_one_window_whatever_lines_end_it() {
    let u = "pg-backup.service";
    let mut v = Vec::new();
    for day in ["03", "04", "05"] {
        v.push(
            e(
                &format!("2025-10-{day}T01:30:00.112233+02:00"),
                K::BackupStart,
            )
            .host("erp-2")
            .unit(u)
            .a("via", json!("systemd")),
        );
        let end = format!("2025-10-{day}T02:08:12.612233+02:00");
        v.push(e(&end, K::UnitSucceeded).host("erp-2").unit(u));
        v.push(
            e(&end, K::BackupEnd)
                .host("erp-2")
                .unit(u)
                .a("via", json!("systemd"))
                .a("basis", json!("systemd-finished")),
        );
        v.push(
            e(&end, K::UnitResources)
                .host("erp-2")
                .unit(u)
                .a("wall_s", json!(2292.5))
                .a("memory_peak_kb", json!(1258291)),
        );
    }
    let r = run(seq(v));
    let got: Vec<(String, String, usize)> = r
        .backup_windows
        .iter()
        .map(|w| {
            (
                w.start.rfc3339(),
                w.end_basis.as_str().to_string(),
                w.events.len(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        got,
        vec![
            (s("2025-10-02T23:30:00.112233Z"), s("systemd-finished"), 4),
            (s("2025-10-03T23:30:00.112233Z"), s("systemd-finished"), 4),
            (s("2025-10-04T23:30:00.112233Z"), s("systemd-finished"), 4),
        ]
    );
    assert_eq!(r.backup_jobs.len(), 1);
    assert_eq!(r.backup_jobs[0].runs, 3);
    assert_eq!(r.backup_jobs[0].schedule.as_deref(), Some("30 1 * * *"));
}

/// A run whose `Starting` was rotated away keeps its `Consumed`-derived window; the next,
/// complete run is still one window of its own.
#[test]
fn consumed_only_run_before_a_complete_run_gives_two_windows() {
    let u = "pg-backup.service";
    let v = vec![
        e("2025-10-03T02:08:12Z", K::UnitSucceeded)
            .host("h")
            .unit(u),
        e("2025-10-03T02:08:12Z", K::UnitResources)
            .host("h")
            .unit(u)
            .a("wall_s", json!(2292.5)),
        e("2025-10-04T01:30:00Z", K::BackupStart)
            .host("h")
            .unit(u)
            .a("via", json!("systemd")),
        e("2025-10-04T02:12:12Z", K::UnitSucceeded)
            .host("h")
            .unit(u),
        e("2025-10-04T02:12:12Z", K::UnitResources)
            .host("h")
            .unit(u)
            .a("wall_s", json!(2532.5)),
    ];
    let r = run(seq(v));
    let got: Vec<(String, String)> = r
        .backup_windows
        .iter()
        .map(|w| (w.start.rfc3339(), w.end_basis.as_str().to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "2025-10-03T01:29:59.500000Z".to_string(),
                "systemd-consumed".to_string()
            ),
            (
                "2025-10-04T01:30:00.000000Z".to_string(),
                "systemd-finished".to_string()
            )
        ]
    );
}

/// A systemd backup unit (bookworm shape): the score advice is `OOMScoreAdjust=500` in the
/// backup's unit, not `choom`; and when the unit's own `Consumed … memory peak` is below the
/// victim's anon-rss, the memory advice says the backup was not the main consumer.
#[test]
fn backup_advice_matches_a_systemd_unit_and_weighs_its_memory_peak() {
    let u = "pg-backup.service";
    let mk = |peak: u64| {
        let ev = seq(vec![
            e("2025-10-04T01:30:00+02:00", K::BackupStart)
                .unit(u)
                .a("via", json!("systemd")),
            e("2025-10-04T01:51:04+02:00", K::OomKill)
                .pid(7741)
                .process("gunicorn")
                .unit(SUP)
                .a("anon_rss_kb", json!(2_411_800u64)),
            e("2025-10-04T01:51:04+02:00", K::UnitOom).unit(SUP),
            e("2025-10-04T01:51:05+02:00", K::UnitStopping).unit(SUP),
            e("2025-10-04T01:51:05+02:00", K::SupervisorctlShutdown),
            e("2025-10-04T02:12:12+02:00", K::BackupEnd)
                .unit(u)
                .a("via", json!("systemd"))
                .a("basis", json!("systemd-finished")),
            e("2025-10-04T02:12:12+02:00", K::UnitResources)
                .unit(u)
                .a("wall_s", json!(2532.5))
                .a("memory_peak_bytes", json!(peak)),
        ]);
        let r = run(ev.clone());
        (ev, r)
    };
    let (ev, r) = mk(1_288_490_189);
    let i = &r.incidents[0];
    assert_eq!(i.kind, IncidentKind::OomCascade);
    let rec = |id: &str| {
        i.recommendations
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no {id} in {:#?}", i.recommendations))
    };
    let score = rec("i1-oomscoreadjust");
    assert!(
        score
            .text
            .contains("`systemctl edit pg-backup.service` → `[Service]` / `OOMScoreAdjust=500`"),
        "{}",
        score.text
    );
    assert!(!score.text.contains("choom"), "{}", score.text);
    let mem = rec("i1-backup-memory");
    assert!(
        mem.text.starts_with(
            "The backup's own memory peak was 1.2 GiB (its `Consumed …` line), less than the 2.3 GiB anon-rss of the killed gunicorn 7741: the backup overlapped the kill but was not the main memory user"
        ),
        "{}",
        mem.text
    );
    assert!(mem
        .evidence
        .contains(&id_of(&ev, |e| e.kind == K::UnitResources)));
    // A peak above the victim's keeps the plain cap advice.
    let (_, r) = mk(8 * 1024 * 1024 * 1024);
    let mem = r.incidents[0]
        .recommendations
        .iter()
        .find(|r| r.id == "i1-backup-memory")
        .unwrap();
    assert!(
        mem.text.starts_with("Cap the backup's memory"),
        "{}",
        mem.text
    );
}

/// Without a backup, bounding the unit's memory is advised with `OOMPolicy=continue` next to
/// `MemoryMax=` (a kill at the cgroup limit would otherwise stop the whole unit); a crash is
/// read with `supervisorctl tail -<bytes>`, not `tail -f`.
#[test]
fn memory_limit_pairs_memorymax_with_oompolicy_and_crash_logs_read_past_output() {
    let r = run(seq(vec![e("2025-06-01T14:20:05Z", K::OomKill)
        .pid(3001)
        .process("gunicorn")
        .unit(SUP)
        .a("anon_rss_kb", json!(2_000_000u64))]));
    let t = &r.incidents[0].recommendations[0];
    assert_eq!(t.id, "i1-memory-limit");
    assert!(
        t.text
            .contains("If you add a hard `MemoryMax=` to supervisor.service, add `OOMPolicy=continue` with it"),
        "{}",
        t.text
    );
    let r = run(seq(vec![
        e("2025-06-01T10:00:00Z", K::SupervisorExited)
            .program("w")
            .a("expected", json!(false))
            .a("exit_status", json!(1)),
        e("2025-06-01T10:00:01Z", K::SupervisorSpawned)
            .program("w")
            .pid(10),
    ]));
    let t = &r.incidents[0].recommendations[0].text;
    assert!(
        t.contains("`supervisorctl tail -20000 <group>:w stderr`"),
        "{t}"
    );
    assert!(!t.contains("tail -f <"), "{t}");
}

/// "recovered" needs evidence that the restart worked: supervisord's `success: … entered
/// RUNNING state`. A spawn alone is "restart attempted". Outages under ten seconds keep one
/// decimal, and the summary's times are UTC with the host's clock in parentheses.
#[test]
fn recovery_is_claimed_only_on_running_evidence() {
    let mk = |with_success: bool| {
        let mut v = vec![
            e("2025-09-27T14:00:00+02:00", K::SupervisorSpawned)
                .program("w-1")
                .pid(1109),
            e("2025-09-27T14:21:34.000+02:00", K::OomKill)
                .pid(1109)
                .process("python3")
                .unit(SUP),
            e("2025-09-27T14:21:35.512+02:00", K::SupervisorExited)
                .program("w-1")
                .a("expected", json!(false))
                .a("signal", json!("SIGKILL")),
            e("2025-09-27T14:21:35.512+02:00", K::SupervisorSpawned)
                .program("w-1")
                .pid(47313),
        ];
        if with_success {
            v.push(e("2025-09-27T14:21:36.515+02:00", K::SupervisorSuccess).program("w-1"));
        }
        run(seq(v))
    };
    let r = mk(true);
    let i = &r.incidents[0];
    assert_eq!(i.recovery, Some(crate::report::Recovery::Running));
    assert_eq!(i.outage_s, Some(1.512));
    assert_eq!(
        i.summary,
        "OOM killer killed python3 1109 (w-1) at 2025-09-27 12:21:34 UTC (14:21:34 local, +02:00); the supervisor survived and respawned it; recovered after 1.5s"
    );
    assert_eq!(
        i.chain.last().map(|c| c.kind.as_str()),
        Some("supervisor_success")
    );
    let r = mk(false);
    let i = &r.incidents[0];
    assert_eq!(i.recovery, Some(crate::report::Recovery::RestartAttempted));
    assert!(
        i.summary.ends_with(
            "; restart attempted at 2025-09-27 12:21:35 UTC (14:21:35 local, +02:00) (1.5s later), but no RUNNING/Started line confirms it"
        ),
        "{}",
        i.summary
    );
    assert!(!i.summary.contains("recovered"), "{}", i.summary);
}

/// multi-host shape: a cron backup seen twice (schedule known) on one host and a systemd backup
/// seen once on another. The fleet line gives each incident its own local time and each job its
/// own schedule — never the cron job's schedule for the unit that has none.
#[test]
fn fleet_line_gives_each_incident_its_time_and_each_job_its_schedule() {
    let mut v = Vec::new();
    for (day, s, c) in [("26", 57001, 57004), ("27", 57101, 57104)] {
        v.extend(cron(
            "eu-web1",
            &format!("2025-09-{day}T02:30:01+02:00"),
            s,
            c,
            "/usr/local/bin/bench-backup.sh",
        ));
    }
    v.push(
        e("2025-09-27T02:41:17+02:00", K::OomKill)
            .host("eu-web1")
            .pid(5106)
            .process("python3"),
    );
    v.push(
        e("2025-09-27T02:30:00+05:30", K::BackupStart)
            .host("ap-app1")
            .unit("frappe-backup.service")
            .a("via", json!("systemd")),
    );
    v.push(
        e("2025-09-27T02:44:09+05:30", K::OomKill)
            .host("ap-app1")
            .pid(1512)
            .process("python3"),
    );
    let r = run(seq(v));
    assert_eq!(r.fleet.len(), 1);
    assert_eq!(
        r.fleet[0].summary,
        "2 hosts had incidents between 02:41 and 02:44 local time (i1 on ap-app1 at 02:44 +05:30, i2 on eu-web1 at 02:41 +02:00): a shared schedule is the likely common cause; each happened during a backup: `/usr/local/bin/bench-backup.sh` on eu-web1 (schedule `30 2 * * *`), `frappe-backup.service` on ap-app1 (no schedule inferred from 1 run(s))"
    );
}

/// backup-no-end shape: Debian cron's CMD line with nothing after it. The window says why its
/// end is unknown — no PAM session lines (auth.log) for the host — or, when session lines were
/// given, that none matched this run.
#[test]
fn unknown_cron_end_says_which_input_is_missing() {
    let r = run(seq(vec![e("2025-09-27T02:30:01Z", K::BackupStart)
        .host("files1")
        .pid(9002)
        .a("user", json!("root"))
        .a(
            "command",
            json!("/usr/local/bin/files-backup.sh /srv/files"),
        )
        .a("via", json!("cron"))]));
    assert_eq!(r.backup_windows[0].end, None);
    assert_eq!(
        r.backup_windows[0].end_hint.as_deref(),
        Some("no cron PAM session lines for this host among the inputs: add its auth.log (Debian/Ubuntu; /var/log/cron or secure on RHEL) to measure the end")
    );
    let r = run(seq(cron(
        "files1",
        "2025-09-27T02:30:01Z",
        9000,
        9002,
        "backup-x",
    )));
    assert_eq!(
        r.backup_windows[0].end_hint.as_deref(),
        Some("cron PAM session lines are present, but no end line matched this run (still running when the logs end, or its session lines are missing)")
    );
    // A measured window has no hint.
    let mut v = cron("files1", "2025-09-27T02:30:01Z", 9000, 9002, "backup-x");
    v.push(
        e("2025-09-27T02:40:01Z", K::CronSessionClose)
            .host("files1")
            .pid(9000)
            .a("user", json!("root")),
    );
    assert_eq!(run(seq(v)).backup_windows[0].end_hint, None);
}

/// systemd's copy of the OOM notice for `system.slice` is folded into the leaf unit's event by
/// assemble (`also_units`); the chain line says so instead of leaving a second source unexplained.
#[test]
fn unit_oom_chain_line_names_the_collapsed_parent_slices() {
    let r = run(seq(vec![
        e("2025-09-27T19:13:47Z", K::OomKill)
            .pid(1121)
            .process("python3")
            .unit(SUP),
        e("2025-09-27T19:13:48Z", K::UnitOom)
            .unit(SUP)
            .a("also_units", json!(["system.slice"])),
    ]));
    let c = r.incidents[0]
        .chain
        .iter()
        .find(|c| c.kind == K::UnitOom)
        .unwrap();
    assert_eq!(
        c.text,
        "supervisor.service: systemd saw the OOM kill in the unit (also reported for system.slice)"
    );
}
