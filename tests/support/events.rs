//! Build `Event` sequences by hand the way the pipeline would hand them to `correlate`:
//! time-sorted (stable), ids `e1`, `e2`… in that order, one `path:line` source each.

use logautopsy::events::{Event, EventKind as K};
use logautopsy::model::{Location, Timestamp};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct B(pub Event, pub &'static str);

pub fn e(t: &str, kind: K) -> B {
    B(
        Event {
            id: Default::default(),
            time: Timestamp::from_datetime(
                &chrono::DateTime::parse_from_rfc3339(t).expect("test time"),
            ),
            host: "web1".to_string(),
            kind,
            pid: None,
            process: None,
            unit: None,
            program: None,
            message: String::new(),
            sources: Vec::new(),
            attrs: Default::default(),
            rule: "",
            ident: String::new(),
        },
        "var/log/syslog",
    )
}

impl B {
    pub fn host(mut self, h: &str) -> Self {
        self.0.host = h.to_string();
        self
    }
    pub fn pid(mut self, p: u32) -> Self {
        self.0.pid = Some(p);
        self
    }
    pub fn unit(mut self, u: &str) -> Self {
        self.0.unit = Some(u.to_string());
        self
    }
    pub fn process(mut self, p: &str) -> Self {
        self.0.process = Some(p.to_string());
        self
    }
    pub fn program(mut self, p: &str) -> Self {
        self.0.program = Some(p.to_string());
        self
    }
    pub fn msg(mut self, m: &str) -> Self {
        self.0.message = m.to_string();
        self
    }
    pub fn file(mut self, f: &'static str) -> Self {
        self.1 = f;
        self
    }
    pub fn a(mut self, k: &str, v: Value) -> Self {
        self.0.attrs.insert(k, v);
        self
    }
}

/// Time-sort (stable), assign ids and a source line per file, like the pipeline does.
pub fn seq(v: Vec<B>) -> Vec<Event> {
    let mut v = v;
    v.sort_by_key(|b| b.0.time);
    let mut lines: BTreeMap<&str, u64> = BTreeMap::new();
    v.into_iter()
        .enumerate()
        .map(|(i, B(mut e, file))| {
            e.id = logautopsy::events::EventId(i as u32 + 1);
            let n = lines.entry(file).or_insert(0);
            *n += 3;
            e.sources = vec![Location::Line {
                path: Arc::from(file),
                line: *n,
            }];
            e
        })
        .collect()
}

pub const WEB: &str = "frappe-bench-frappe-web";
pub const SHORT: &str = "frappe-bench-frappe-short-worker-0";
pub const LONG: &str = "frappe-bench-frappe-long-worker-0";
pub const SIO: &str = "frappe-bench-node-socketio";
pub const SUP: &str = "supervisor.service";
pub const BACKUP_CMD: &str = "/home/frappe/backup.sh > /dev/null";

/// The Frappe OOMPolicy=stop cascade during a 6-hourly backup (reference §3.4).
pub fn frappe() -> Vec<Event> {
    let t = |hms: &str| format!("2025-09-27T{hms}+05:30");
    let t2 = |hms: &str| format!("2025-09-28T{hms}+05:30");
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
            .a("user", json!("frappe"))
            .file("var/log/auth.log"),
        e(&t("18:00:01"), K::BackupStart)
            .pid(4102)
            .a("user", json!("frappe"))
            .a("command", json!(BACKUP_CMD))
            .a("via", json!("cron")),
        e(&t("19:13:48"), K::OomInvoked)
            .process("mysqldump")
            .file("var/log/kern.log"),
        e(&t("19:13:48"), K::OomKill)
            .pid(2201)
            .process("python3")
            .unit(SUP)
            .file("var/log/kern.log")
            .a("anon_rss_kb", json!(5_242_880u64))
            .a("trigger", json!("mysqldump"))
            .a(
                "tasks",
                json!([
                    {"process": "python3", "count": 12, "rss_kb": 30_000_000u64},
                    {"process": "mysqldump", "count": 1, "rss_kb": 18_000_000u64},
                    {"process": "gunicorn", "count": 9, "rss_kb": 4_000_000u64}
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
        e(&t("19:15:18"), K::UnitStopTimeout)
            .unit(SUP)
            .a("state", json!("stop-sigterm")),
        e(&t("19:15:18"), K::UnitRemainsRunning)
            .unit(SUP)
            .pid(2200)
            .process("gunicorn"),
        e(&t("19:15:18"), K::UnitRemainsRunning)
            .unit(SUP)
            .pid(2310)
            .process("python3"),
        e(&t("19:15:18"), K::UnitFailed)
            .unit(SUP)
            .a("result", json!("oom-kill")),
        e(&t("20:25:00"), K::CronSessionClose)
            .pid(4100)
            .a("user", json!("frappe"))
            .file("var/log/auth.log"),
        e(&t2("03:02:10"), K::UnitStarting).unit(SUP),
        e(&t2("03:02:10"), K::UnitLeftoverProcess)
            .unit(SUP)
            .pid(2200)
            .process("gunicorn"),
        e(&t2("03:02:10"), K::UnitStarted).unit(SUP),
    ])
}

/// Several hosts, zones and end bases: a survived kill in Berlin, a crash in New York, a
/// systemd backup with only `Consumed … wall clock` left, and a backup without an end.
pub fn mixed() -> Vec<Event> {
    seq(vec![
        e("2025-06-01T02:30:00+02:00", K::CronSessionOpen)
            .host("eu1")
            .pid(100)
            .a("user", json!("root")),
        e("2025-06-01T02:30:00+02:00", K::BackupStart)
            .host("eu1")
            .pid(103)
            .a("user", json!("root"))
            .a("command", json!("pg_dumpall"))
            .a("via", json!("cron")),
        e("2025-06-01T02:31:00+02:00", K::SupervisorSpawned)
            .host("eu1")
            .program("app")
            .pid(300),
        e("2025-06-01T02:41:00+02:00", K::OomKill)
            .host("eu1")
            .pid(300)
            .process("python3")
            .unit(SUP)
            .a("anon_rss_kb", json!(900_000u64)),
        e("2025-06-01T02:41:01+02:00", K::SupervisorExited)
            .host("eu1")
            .program("app")
            .a("expected", json!(false))
            .a("signal", json!("SIGKILL")),
        e("2025-06-01T02:41:02+02:00", K::SupervisorSpawned)
            .host("eu1")
            .program("app")
            .pid(301),
        e("2025-06-01T02:50:00+02:00", K::CronSessionClose)
            .host("eu1")
            .pid(100)
            .a("user", json!("root")),
        e("2025-06-01T02:36:00-04:00", K::SupervisorExited)
            .host("us1")
            .program("api")
            .a("expected", json!(false))
            .a("exit_status", json!(1)),
        e("2025-06-01T02:36:01-04:00", K::SupervisorSpawned)
            .host("us1")
            .program("api")
            .pid(77),
        e("2025-06-01T04:00:00Z", K::UnitResources)
            .host("ap1")
            .unit("db-backup.service")
            .a("wall_s", json!(600.0)),
        e("2025-06-01T05:00:00Z", K::BackupStart)
            .host("ap1")
            .pid(9)
            .a("command", json!("tar czf /backup/x.tgz /srv"))
            .a("via", json!("cron")),
    ])
}
