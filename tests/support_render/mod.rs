//! Hand-built Reports for the renderer tests, until the pipeline produces real ones.
//!
//! `frappe_report()` is the cascade this tool exists for, on three hosts in three zones: a
//! nightly `bench backup` cron job grows each night; on erp1 it overlaps an OOM kill of gunicorn,
//! systemd stops supervisor.service (OOMPolicy=stop), supervisord stops its programs and two
//! workers are left running outside it. erp2 has a smaller OOM kill whose chain includes a cron
//! command carrying attacker-shaped text (`<script>`, `</script>`, `|`), so every renderer's
//! escaping is exercised. A few hundred routine events (cron sessions, spawns) fill the lanes.
//! `big_report(n)` scales the same shape to `n` events for the browser load test.
#![allow(dead_code)]

use logautopsy::events::{Event, EventId, EventKind, WindowId};
use logautopsy::model::{Location, Timestamp};
use logautopsy::report::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const XSS_COMMAND: &str =
    "/usr/local/bin/sync --tag '<script>alert(1)</script>' --note '</script><b>x</b>' | tee -a /tmp/a*b*";

/// `2025-09-27T19:13:48+05:30` → Timestamp (UTC µs + that offset).
pub fn ts(s: &str) -> Timestamp {
    let dt = chrono::DateTime::parse_from_rfc3339(s).expect("fixture time");
    Timestamp::from_datetime(&dt)
}

fn at(base: Timestamp, secs: f64) -> Timestamp {
    Timestamp::from_utc_micros(base.micros + (secs * 1e6) as i64, base.offset_s)
}

/// Accumulates events; ids are assigned in time order by `finish`.
pub struct Builder {
    events: Vec<Event>,
    lines: BTreeMap<String, u64>,
}

pub struct E<'a> {
    pub host: &'a str,
    pub time: Timestamp,
    pub kind: EventKind,
    pub pid: Option<u32>,
    pub process: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub program: Option<&'a str>,
    pub message: String,
    pub ident: &'a str,
    pub file: &'a str,
    pub attrs: Value,
}

impl<'a> E<'a> {
    pub fn new(
        host: &'a str,
        time: Timestamp,
        kind: EventKind,
        message: impl Into<String>,
    ) -> Self {
        E {
            host,
            time,
            kind,
            pid: None,
            process: None,
            unit: None,
            program: None,
            message: message.into(),
            ident: "kernel",
            file: "syslog",
            attrs: json!({}),
        }
    }
    pub fn pid(mut self, p: u32) -> Self {
        self.pid = Some(p);
        self
    }
    pub fn process(mut self, p: &'a str) -> Self {
        self.process = Some(p);
        self
    }
    pub fn unit(mut self, u: &'a str) -> Self {
        self.unit = Some(u);
        self
    }
    pub fn program(mut self, p: &'a str) -> Self {
        self.program = Some(p);
        self
    }
    pub fn ident(mut self, i: &'a str) -> Self {
        self.ident = i;
        self
    }
    pub fn file(mut self, f: &'a str) -> Self {
        self.file = f;
        self
    }
    pub fn attrs(mut self, a: Value) -> Self {
        self.attrs = a;
        self
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            events: Vec::new(),
            lines: BTreeMap::new(),
        }
    }

    /// Adds an event; returns its index (ids come later, in time order).
    pub fn add(&mut self, e: E) -> usize {
        let path = format!("logs/{}/{}", e.host, e.file);
        let line = self.lines.entry(path.clone()).or_insert(0);
        *line += 7;
        let attrs: logautopsy::events::Attrs = match e.attrs {
            Value::Object(m) => m.into_iter().collect(),
            _ => Default::default(),
        };
        self.events.push(Event {
            id: Default::default(),
            time: e.time,
            host: e.host.to_string(),
            kind: e.kind,
            pid: e.pid,
            process: e.process.map(str::to_string),
            unit: e.unit.map(str::to_string),
            program: e.program.map(str::to_string),
            message: e.message,
            sources: vec![Location::Line {
                path: Arc::from(path.as_str()),
                line: *line,
            }],
            attrs,
            rule: logautopsy::events::key(&format!("test.{}", e.kind.as_str())),
            ident: e.ident.to_string(),
        });
        self.events.len() - 1
    }

    /// Sorts by time (stable), assigns ids `e1…`, returns the events and a map from insertion
    /// index to id.
    pub fn finish(mut self) -> (Vec<Event>, Vec<EventId>) {
        let mut order: Vec<usize> = (0..self.events.len()).collect();
        order.sort_by_key(|&i| (self.events[i].time.micros, i));
        let mut ids = vec![EventId::default(); self.events.len()];
        for (n, &i) in order.iter().enumerate() {
            ids[i] = EventId(n as u32 + 1);
            self.events[i].id = ids[i];
        }
        self.events.sort_by_key(|e| e.id);
        (self.events, ids)
    }
}

struct HostDef {
    name: &'static str,
    tz: &'static str,
    offset: &'static str,
}

const HOSTS: &[HostDef] = &[
    HostDef {
        name: "erp1",
        tz: "Asia/Kolkata",
        offset: "+05:30",
    },
    HostDef {
        name: "erp2",
        tz: "Europe/Berlin",
        offset: "+02:00",
    },
    HostDef {
        name: "web1",
        tz: "UTC",
        offset: "+00:00",
    },
];

fn chain_step(events: &[Event], id: &EventId) -> ChainStep {
    let e = events.iter().find(|e| e.id == *id).expect("chain event");
    ChainStep {
        time: e.time,
        event: e.id,
        kind: e.kind,
        text: e.message.clone(),
        sources: e.sources.clone(),
    }
}

/// The realistic Frappe cascade Report (see the module doc).
pub fn frappe_report() -> Report {
    build(1)
}

/// The same shape with about `n` events (routine cron traffic scaled up).
pub fn big_report(n: usize) -> Report {
    // One "fill" unit is 3 cron events per host-hour: 3 × 24 h × 4 days × 3 hosts = 864 events.
    build((n / 864).max(1))
}

fn build(fill: usize) -> Report {
    let mut b = Builder::new();
    let days = ["2025-09-24", "2025-09-25", "2025-09-26", "2025-09-27"];
    // Backup durations (minutes) per night, growing: the trend the backup chart shows.
    let durations = [
        [31.0, 38.0, 47.0, 58.0],
        [12.0, 13.0, 12.5, 14.0],
        [5.0, 5.0, 6.0, 5.5],
    ];
    struct Win {
        host: &'static str,
        start: usize,
        end: Option<usize>,
        cmd: String,
    }
    let mut wins: Vec<Win> = Vec::new();

    for (hi, h) in HOSTS.iter().enumerate() {
        // Routine traffic: hourly cron sessions (open/cmd/close) — the bulk of the events.
        for (di, day) in days.iter().enumerate() {
            for hour in 0..24 {
                for k in 0..fill {
                    let t = ts(&format!(
                        "{day}T{hour:02}:{:02}:01{}",
                        (17 * k) % 60,
                        h.offset
                    ));
                    let pid = 20000 + (di * 2400 + hour * 100 + k) as u32;
                    b.add(
                        E::new(h.name, t, EventKind::CronSessionOpen, "pam_unix(cron:session): session opened for user frappe(uid=1000) by (uid=0)")
                            .pid(pid).ident("CRON").attrs(json!({"user": "frappe", "service": "cron"})),
                    );
                    b.add(
                        E::new(h.name, at(t, 0.01), EventKind::CronCmd, "(frappe) CMD (cd /home/frappe/frappe-bench && bench --site all execute frappe.utils.scheduler.enqueue_events)")
                            .pid(pid + 1).ident("CRON").attrs(json!({"user": "frappe", "command": "cd /home/frappe/frappe-bench && bench --site all execute frappe.utils.scheduler.enqueue_events", "via": "cron"})),
                    );
                    b.add(
                        E::new(
                            h.name,
                            at(t, 9.5),
                            EventKind::CronSessionClose,
                            "pam_unix(cron:session): session closed for user frappe",
                        )
                        .pid(pid)
                        .ident("CRON")
                        .attrs(json!({"user": "frappe", "service": "cron"})),
                    );
                }
            }
            // The nightly backup at 01:00 local.
            let cmd = "cd /home/frappe/frappe-bench && bench --site all backup --with-files";
            let start_t = ts(&format!("{day}T01:00:01{}", h.offset));
            let s = b.add(
                E::new(
                    h.name,
                    start_t,
                    EventKind::BackupStart,
                    format!("(frappe) CMD ({cmd})"),
                )
                .pid(31000 + di as u32)
                .ident("CRON")
                .attrs(json!({"user": "frappe", "command": cmd, "via": "cron"})),
            );
            // The last night on erp1 never ends in the logs (the box was on fire): end unknown.
            let end = if h.name == "erp1" && di == 3 {
                None
            } else {
                let d = durations[hi][di] * 60.0;
                Some(b.add(
                    E::new(h.name, at(start_t, d), EventKind::BackupEnd, format!("(frappe) CMDEND ({cmd})"))
                        .pid(31000 + di as u32).ident("CRON")
                        .attrs(json!({"user": "frappe", "command": cmd, "basis": "cronie-cmdend", "exit_status": 0})),
                ))
            };
            wins.push(Win {
                host: h.name,
                start: s,
                end,
                cmd: cmd.to_string(),
            });
        }
        // Supervisor programs spawned at boot.
        let boot = ts(&format!("2025-09-24T00:00:05{}", h.offset));
        for (pi, prog) in [
            "frappe-web",
            "frappe-worker-short",
            "frappe-worker-long",
            "frappe-schedule",
        ]
        .iter()
        .enumerate()
        {
            b.add(
                E::new(
                    h.name,
                    at(boot, pi as f64),
                    EventKind::SupervisorSpawned,
                    format!("spawned: '{prog}' with pid {}", 1100 + pi),
                )
                .pid(1100 + pi as u32)
                .program(prog)
                .ident("supervisord")
                .file("supervisord.log")
                .attrs(json!({"level": "INFO"})),
            );
        }
    }

    // --- The cascade on erp1, night of 2025-09-27 (backup started 01:00:01 +05:30). ---
    let h = "erp1";
    let t0 = ts("2025-09-27T01:41:12.311+05:30");
    let inv = b.add(E::new(h, t0, EventKind::OomInvoked, "gunicorn invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0")
        .process("gunicorn").attrs(json!({"gfp_mask": "0x140cca", "order": 0, "oom_score_adj": 0})));
    let kill1 = b.add(E::new(h, at(t0, 0.05), EventKind::OomKill, "Out of memory: Killed process 2211 (gunicorn) total-vm:2114036kB, anon-rss:1523412kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:3244kB oom_score_adj:0")
        .pid(2211).process("gunicorn").unit("supervisor.service")
        .attrs(json!({"anon_rss_kb": 1523412, "total_vm_kb": 2114036, "file_rss_kb": 0, "shmem_rss_kb": 0, "uid": 1000, "scope": "global", "prefix": "Out of memory", "trigger": "gunicorn",
            "tasks": [{"process": "gunicorn", "count": 9, "rss_kb": 5210000}, {"process": "mariadbd", "count": 1, "rss_kb": 2890000}, {"process": "python3", "count": 4, "rss_kb": 1730000}, {"process": "redis-server", "count": 2, "rss_kb": 410000}, {"process": "gzip", "count": 1, "rss_kb": 96000}]})));
    let kill2 = b.add(E::new(h, at(t0, 3.9), EventKind::OomKill, "Out of memory: Killed process 2305 (python3) total-vm:1220036kB, anon-rss:811220kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2244kB oom_score_adj:0")
        .pid(2305).process("python3").unit("supervisor.service")
        .attrs(json!({"anon_rss_kb": 811220, "scope": "global", "prefix": "Out of memory", "tasks": [{"process": "gunicorn", "count": 8, "rss_kb": 3690000}, {"process": "mariadbd", "count": 1, "rss_kb": 2910000}, {"process": "python3", "count": 4, "rss_kb": 1730000}]})));
    let uoom = b.add(
        E::new(
            h,
            at(t0, 4.2),
            EventKind::UnitOom,
            "supervisor.service: A process of this unit has been killed by the OOM killer.",
        )
        .unit("supervisor.service")
        .ident("systemd"),
    );
    let sig = b.add(
        E::new(
            h,
            at(t0, 4.3),
            EventKind::SupervisorSignal,
            "received SIGTERM indicating exit request",
        )
        .ident("supervisord")
        .file("supervisord.log")
        .attrs(json!({"signal": "SIGTERM", "request": "exit", "level": "WARN"})),
    );
    let wait = b.add(E::new(h, at(t0, 4.4), EventKind::SupervisorWaiting, "waiting for frappe-web, frappe-worker-short, frappe-worker-long, frappe-schedule to die")
        .ident("supervisord").file("supervisord.log").attrs(json!({"programs": ["frappe-web", "frappe-worker-short", "frappe-worker-long", "frappe-schedule"], "level": "INFO"})));
    let mut stopped = Vec::new();
    for (i, prog) in ["frappe-web", "frappe-schedule"].iter().enumerate() {
        stopped.push(
            b.add(
                E::new(
                    h,
                    at(t0, 5.0 + i as f64),
                    EventKind::SupervisorStopped,
                    format!("stopped: {prog} (terminated by SIGTERM)"),
                )
                .program(prog)
                .ident("supervisord")
                .file("supervisord.log")
                .attrs(json!({"signal": "SIGTERM", "level": "INFO"})),
            ),
        );
    }
    let mut orphans = Vec::new();
    for (i, (pid, proc_)) in [(2410u32, "python3"), (2411u32, "python3")]
        .iter()
        .enumerate()
    {
        orphans.push(b.add(E::new(h, at(t0, 94.0 + i as f64 * 0.01), EventKind::UnitRemainsRunning, format!("supervisor.service: Unit process {pid} ({proc_}) remains running after unit stopped."))
            .pid(*pid).process(proc_).unit("supervisor.service").ident("systemd")));
    }
    let ustop = b.add(
        E::new(
            h,
            at(t0, 94.1),
            EventKind::UnitStopped,
            "Stopped supervisor.service - Supervisor process control system for UNIX.",
        )
        .unit("supervisor.service")
        .ident("systemd")
        .attrs(json!({"description": "Supervisor process control system for UNIX"})),
    );
    let ufail = b.add(
        E::new(
            h,
            at(t0, 94.1),
            EventKind::UnitFailed,
            "supervisor.service: Failed with result 'oom-kill'.",
        )
        .unit("supervisor.service")
        .ident("systemd")
        .attrs(json!({"result": "oom-kill"})),
    );
    let ures = b.add(
        E::new(
            h,
            at(t0, 94.2),
            EventKind::UnitResources,
            "supervisor.service: Consumed 2h 11min 3.104s CPU time, 7.9G memory peak.",
        )
        .unit("supervisor.service")
        .ident("systemd")
        .attrs(json!({"cpu_s": 7863.104, "memory_peak_bytes": 8482560409u64})),
    );
    let restart = b.add(
        E::new(
            h,
            ts("2025-09-27T08:02:40+05:30"),
            EventKind::UnitStarted,
            "Started supervisor.service - Supervisor process control system for UNIX.",
        )
        .unit("supervisor.service")
        .ident("systemd")
        .attrs(json!({"description": "Supervisor process control system for UNIX"})),
    );

    // --- erp2: an OOM kill the supervisor survived; the chain includes a hostile cron line. ---
    let h2 = "erp2";
    let t2 = ts("2025-09-26T01:09:30+02:00");
    let xss = b.add(
        E::new(
            h2,
            at(t2, -60.0),
            EventKind::CronCmd,
            format!("(root) CMD ({XSS_COMMAND})"),
        )
        .pid(4242)
        .ident("CRON")
        .attrs(json!({"user": "root", "command": XSS_COMMAND, "via": "cron"})),
    );
    let k2 = b.add(E::new(h2, t2, EventKind::OomKill, "Memory cgroup out of memory: Killed process 5120 (gzip) total-vm:90112kB, anon-rss:65536kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:180kB oom_score_adj:0")
        .pid(5120).process("gzip").unit("cron.service")
        .attrs(json!({"anon_rss_kb": 65536, "scope": "memcg", "prefix": "Memory cgroup out of memory", "tasks": [{"process": "gzip", "count": 1, "rss_kb": 65536}, {"process": "sync", "count": 1, "rss_kb": 12000}]})));
    let wk = b.add(E::new(h2, at(t2, 2.0), EventKind::WorkerKilled, "[2025-09-26 01:09:32 +0200] [880] ERROR: Worker (pid:5121) was sent SIGKILL! Perhaps out of memory?")
        .pid(5121).process("gunicorn").ident("gunicorn").file("frappe-web.error.log").attrs(json!({"signal": "SIGKILL"})));
    let sp = b.add(
        E::new(
            h2,
            at(t2, 3.0),
            EventKind::SupervisorSpawned,
            "spawned: 'frappe-web' with pid 5130",
        )
        .pid(5130)
        .program("frappe-web")
        .ident("supervisord")
        .file("supervisord.log")
        .attrs(json!({"level": "INFO"})),
    );

    let (events, ids) = b.finish();
    let id = |i: usize| ids[i];

    let mut backup_windows = Vec::new();
    for (n, w) in wins.iter().enumerate() {
        let se = &events.iter().find(|e| e.id == ids[w.start]).expect("start");
        let ee = w
            .end
            .map(|i| events.iter().find(|e| e.id == ids[i]).expect("end"));
        backup_windows.push(BackupWindow {
            id: WindowId(n as u32 + 1),
            host: w.host.to_string(),
            start: se.time,
            end: ee.map(|e| e.time),
            end_basis: if ee.is_some() {
                EndBasis::CronieCmdend
            } else {
                EndBasis::Unknown
            },
            duration_s: ee.map(|e| e.time.seconds_since(&se.time)),
            command: Some(w.cmd.clone()),
            unit: None,
            user: Some("frappe".into()),
            end_hint: None,
            events: std::iter::once(se.id).chain(ee.map(|e| e.id)).collect(),
        });
    }
    let erp1_last_bw = backup_windows
        .iter()
        .find(|w| w.host == "erp1" && w.end.is_none())
        .map(|w| w.id);
    let erp2_bw = backup_windows
        .iter()
        .find(|w| w.host == "erp2" && w.start.rfc3339().starts_with("2025-09-25T23"))
        .map(|w| w.id);
    let by_id = |i: usize| {
        events
            .iter()
            .find(|e| e.id == ids[i])
            .expect("event")
            .clone()
    };

    let chain_ids: Vec<EventId> = [
        inv, kill1, kill2, uoom, sig, wait, stopped[0], stopped[1], orphans[0], orphans[1], ustop,
        ufail, restart,
    ]
    .iter()
    .map(|&i| id(i))
    .collect();
    let cascade = Incident {
        id: "i1".into(),
        host: "erp1".into(),
        kind: logautopsy::report::IncidentKind::OomCascade,
        start: by_id(inv).time,
        end: by_id(ures).time,
        severity: logautopsy::report::Severity::Critical,
        summary: "OOM kills of gunicorn and python3 during the nightly backup made systemd stop supervisor.service (OOMPolicy=stop); 4 programs stopped, 2 workers left running outside supervision".into(),
        backup_window: erp1_last_bw,
        backup_lag_s: Some(by_id(inv).time.seconds_since(&ts("2025-09-27T01:00:01+05:30"))),
        oom_kills: vec![
            OomKill { pid: 2211, process: "gunicorn".into(), program: Some("frappe-web".into()), unit: Some("supervisor.service".into()), anon_rss_kb: Some(1523412), container: None, memcg_limit_kb: None, event: id(kill1) },
            OomKill { pid: 2305, process: "python3".into(), program: Some("frappe-worker-long".into()), unit: Some("supervisor.service".into()), anon_rss_kb: Some(811220), container: None, memcg_limit_kb: None, event: id(kill2) },
        ],
        supervisor_stopped: true,
        orphans: vec![
            Orphan { pid: Some(2410), process: "python3".into(), basis: OrphanBasis::RemainsRunning, event: id(orphans[0]), program: None },
            Orphan { pid: Some(2411), process: "python3".into(), basis: OrphanBasis::RemainsRunning, event: id(orphans[1]), program: None },
        ],
        possibly_left_running: vec![],
        memory_top: vec![
            MemoryUse { process: "gunicorn".into(), count: 9, rss_kb: 5210000, includes: vec!["oom victim pid 2211".into()] },
            MemoryUse { process: "mariadbd".into(), count: 1, rss_kb: 2890000, includes: vec![] },
            MemoryUse { process: "python3".into(), count: 4, rss_kb: 1730000, includes: vec![] },
            MemoryUse { process: "redis-server".into(), count: 2, rss_kb: 410000, includes: vec![] },
            MemoryUse { process: "gzip".into(), count: 1, rss_kb: 96000, includes: vec![] },
        ],
        evidence: chain_ids.clone(),
        chain: chain_ids.iter().map(|i| chain_step(&events, i)).collect(),
        recommendations: vec![
            Recommendation { id: "oompolicy-continue".into(), text: "Set OOMPolicy=continue in a drop-in for supervisor.service so one OOM kill does not stop every program (systemctl edit supervisor.service).".into(), evidence: vec![id(uoom), id(ufail)] },
            Recommendation { id: "killmode-mixed".into(), text: "Use KillMode=mixed (or stopasgroup=true/killasgroup=true in supervisord) so workers do not outlive their supervisor.".into(), evidence: vec![id(orphans[0]), id(orphans[1])] },
            Recommendation { id: "move-backup".into(), text: "The backup overlapped the kill by 41 min and grew from 31 to 58+ min in 4 nights: move it off peak, cap its memory (MemoryMax= on a backup.service), or add swap.".into(), evidence: vec![id(kill1)] },
        ],
        workers_lost: vec!["frappe-web".into(), "frappe-worker-short".into(), "frappe-worker-long".into(), "frappe-schedule".into()],
        outage_s: Some(by_id(restart).time.seconds_since(&by_id(kill1).time)),
            memory_largest: vec![],
            programs_stopped: vec![],
            programs_unsupervised: vec![],
            recovery: None,
            time_basis: None,
    };
    let chain2: Vec<EventId> = [xss, k2, wk, sp].iter().map(|&i| id(i)).collect();
    let small = Incident {
        id: "i2".into(),
        host: "erp2".into(),
        kind: logautopsy::report::IncidentKind::OomKill,
        start: by_id(k2).time,
        end: by_id(sp).time,
        severity: logautopsy::report::Severity::Medium,
        summary: "Memory cgroup OOM kill of gzip (cron.service) during a root cron job; a gunicorn worker was SIGKILLed and respawned".into(),
        backup_window: erp2_bw,
        backup_lag_s: None,
        oom_kills: vec![OomKill { pid: 5120, process: "gzip".into(), program: None, unit: Some("cron.service".into()), anon_rss_kb: Some(65536), container: None, memcg_limit_kb: None, event: id(k2) }],
        supervisor_stopped: false,
        orphans: vec![],
        possibly_left_running: vec![],
        memory_top: vec![
            MemoryUse { process: "gzip".into(), count: 1, rss_kb: 65536, includes: vec![] },
            MemoryUse { process: "sync".into(), count: 1, rss_kb: 12000, includes: vec![] },
        ],
        evidence: chain2.clone(),
        chain: chain2.iter().map(|i| chain_step(&events, i)).collect(),
        recommendations: vec![Recommendation { id: "cron-memory".into(), text: "Give the cron job its own MemoryMax= in a systemd timer, or run it with `nice`/`ionice` | a smaller *batch*.".into(), evidence: vec![id(k2)] }],
        workers_lost: vec![],
        outage_s: None,
            memory_largest: vec![],
            programs_stopped: vec![],
            programs_unsupervised: vec![],
            recovery: None,
            time_basis: None,
    };

    let hosts: Vec<HostSummary> = HOSTS
        .iter()
        .map(|h| {
            let evs: Vec<&Event> = events.iter().filter(|e| e.host == h.name).collect();
            HostSummary {
                name: h.name.into(),
                tz: h.tz.into(),
                first: evs.first().map(|e| e.time),
                last: evs.last().map(|e| e.time),
                events: evs.len(),
                routine_lines: 0,
                incidents: [&cascade, &small]
                    .iter()
                    .filter(|i| i.host == h.name)
                    .count(),
            }
        })
        .collect();
    let inputs = HOSTS
        .iter()
        .flat_map(|h| {
            ["syslog", "supervisord.log"]
                .into_iter()
                .map(move |f| InputSummary {
                    path: format!("logs/{}/{f}", h.name),
                    format: if f == "syslog" {
                        "rfc3164".into()
                    } else {
                        "supervisord".into()
                    },
                    host: Some(h.name.into()),
                    hosts_seen: vec![h.name.into()],
                    bytes: 1_048_576,
                    file_bytes: 1_048_576,
                    lines: 10_000,
                    records: 10_000,
                    unparsed: if h.name == "erp2" && f == "syslog" {
                        2
                    } else {
                        0
                    },
                    candidates: 400,
                    first: Some(ts(&format!("2025-09-24T00:00:01{}", h.offset))),
                    last: Some(ts(&format!("2025-09-27T23:59:59{}", h.offset))),
                    compression: None,
                    year_policy: "mtime".into(),
                    tz_policy: "UTC (assumed)".into(),
                    journal_state: None,
                    warnings: if h.name == "erp2" && f == "syslog" {
                        vec![InputWarning::new(
                            InputWarningKind::PartialRead,
                            "2 lines with `|` in the host field | were skipped",
                        )]
                    } else {
                        vec![]
                    },
                    unparsed_samples: vec![],
                })
        })
        .collect();
    let n = events.len();
    let job = |host: &str, hi: usize| BackupJob {
        job: "cd /home/frappe/frappe-bench && bench --site all backup --with-files".into(),
        host: host.into(),
        runs: 4,
        schedule: Some("0 1 * * *".into()),
        durations_s: (0..4)
            .map(|d| {
                if host == "erp1" && d == 3 {
                    None
                } else {
                    Some(durations[hi][d] * 60.0)
                }
            })
            .collect(),
        mean_s: None,
        max_s: None,
        trend: None,
    };
    let incidents = vec![cascade, small];
    let backup_association =
        logautopsy::correlate::associate(&hosts, &backup_windows, &incidents, 900, (None, None));
    Report {
        schema: SCHEMA,
        tool: Tool {
            name: "logautopsy",
            version: "0.1.0",
        },
        inputs,
        hosts,
        events,
        backup_windows,
        incidents,
        backup_jobs: vec![job("erp1", 0), job("erp2", 1), job("web1", 2)],
        fleet: vec![FleetPattern {
            summary: "OOM incidents on 2 hosts around 01:00–01:45 local, during the nightly backup"
                .into(),
            hosts: vec!["erp1".into(), "erp2".into()],
            incidents: vec!["i1".into(), "i2".into()],
            local_time: "01:25".into(),
        }],
        backup_association,
        stats: Stats {
            bytes: 6 * 1_048_576,
            lines: 60_000,
            records: 60_000,
            unparsed: 2,
            candidates: 2400,
            merged_duplicates: 3,
            events: n,
            ..Default::default()
        },
        warnings: vec![Warning::new(
            WarningKind::ZoneAssumed,
            None,
            "zone-less lines read as UTC in: logs/web1/syslog",
        )],
    }
}
