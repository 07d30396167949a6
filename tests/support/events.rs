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
        },
        "var/log/syslog",
    )
}

impl B {
    pub fn host(mut self, h: &str) -> Self {
        self.0.host = h.into();
        self
    }
    pub fn pid(mut self, p: u32) -> Self {
        self.0.pid = Some(p);
        self
    }
    pub fn unit(mut self, u: &str) -> Self {
        self.0.unit = Some(u.into());
        self
    }
    pub fn process(mut self, p: &str) -> Self {
        self.0.process = Some(p.into());
        self
    }
    pub fn program(mut self, p: &str) -> Self {
        self.0.program = Some(p.into());
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

pub const SUP: &str = "supervisor.service";

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
