//! A seeded generator of copied-log trees with known truth, for measuring correlation accuracy
//! instead of assuming it. One host, Debian style (RFC 3164 `var/log/syslog` + `var/log/auth.log`,
//! server clock UTC, year 2025), a Frappe-like supervisord under `supervisor.service`, a
//! 6-hourly backup from cron, and per backup slot at most one random event: an OOM kill the
//! supervisor survives, an OOMPolicy=stop cascade with orphans and a later restart, a worker
//! crash, or an OOM kill well after the backup. Noise: `debian-sa1` every 10 minutes (its PAM
//! session opens in the same second as the backup's, with a lower pid), hourly run-parts, sshd.
//!
//! The random source is a small xorshift64* so that a seed means the same tree on every
//! platform and crate version. The truth is written down while the lines are, from the same
//! numbers, never recomputed from the logs.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::Path;

/// xorshift64* (Vigna): tiny, deterministic, good enough for test scenarios.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    /// True with probability `pct` percent.
    pub fn pct(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthWindow {
    pub start: String,
    pub end: Option<String>,
    pub end_basis: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthKill {
    pub time: String,
    pub pid: u32,
    pub process: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthIncident {
    pub kind: String,
    pub start: String,
    /// Index into `windows` of the linked backup.
    pub window: Option<usize>,
    /// Orphaned pids, sorted.
    pub orphans: Vec<u32>,
}

#[derive(Clone, Debug, Default)]
pub struct Truth {
    pub host: String,
    pub windows: Vec<TruthWindow>,
    pub kills: Vec<TruthKill>,
    pub incidents: Vec<TruthIncident>,
}

pub struct Scenario {
    /// (relative path, content)
    pub files: Vec<(String, String)>,
    pub truth: Truth,
    pub year: i32,
}

impl Scenario {
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (rel, content) in &self.files {
            let p = dir.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, content)?;
        }
        Ok(())
    }
}

/// The linking rule the report documents: in the window, or at most `slack` after its end; a
/// window without an end is open until the job's next start (or 12 h).
pub const SLACK_S: i64 = 900;

const PROGRAMS: &[(&str, &str)] = &[
    ("frappe-bench-frappe-web", "gunicorn"),
    ("frappe-bench-frappe-schedule", "python3"),
    ("frappe-bench-frappe-short-worker-0", "python3"),
    ("frappe-bench-frappe-long-worker-0", "python3"),
    ("frappe-bench-node-socketio", "node"),
];
const BACKUP: &str = "cd /home/frappe/frappe-bench && /usr/local/bin/bench --site all backup --with-files > /dev/null 2>&1";

struct Lines {
    syslog: Vec<(i64, u32, String)>,
    auth: Vec<(i64, u32, String)>,
    seq: u32,
}

impl Lines {
    fn push(&mut self, auth: bool, t: DateTime<Utc>, line: String) {
        self.seq += 1;
        let v = if auth {
            &mut self.auth
        } else {
            &mut self.syslog
        };
        v.push((t.timestamp_micros(), self.seq, line));
    }
    fn finish(mut v: Vec<(i64, u32, String)>) -> String {
        v.sort();
        let mut s = String::new();
        for (_, _, l) in v {
            s.push_str(&l);
            s.push('\n');
        }
        s
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%b %e %H:%M:%S").to_string()
}
fn sv(t: DateTime<Utc>) -> String {
    format!(
        "{},{:03}",
        t.format("%Y-%m-%d %H:%M:%S"),
        t.timestamp_subsec_millis()
    )
}
fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Generate `runs` 6-hourly backup slots starting 2025-03-10 00:00 UTC.
pub fn generate(seed: u64, runs: usize) -> Scenario {
    let mut r = Rng::new(seed);
    let host = format!("gen{seed}");
    let h = host.as_str();
    let mut out = Lines {
        syslog: Vec::new(),
        auth: Vec::new(),
        seq: 0,
    };
    let mut truth = Truth {
        host: host.clone(),
        ..Default::default()
    };
    let t0 = Utc
        .with_ymd_and_hms(2025, 3, 10, 0, 0, 0)
        .single()
        .expect("valid start");
    let mut pid: u32 = 20_000;
    let mut next_pid = |step: u32| {
        pid += step;
        pid
    };
    let mut uptime = 86_400.0f64;

    // supervisord starts the day before; every program gets a pid.
    let mut sup_pid = next_pid(7);
    let mut prog_pid: Vec<u32> = Vec::new();
    let boot = t0 - Duration::hours(20);
    out.push(false, boot, format!("{} {h} systemd[1]: Started supervisor.service - Supervisor process control system for UNIX.", stamp(boot)));
    out.push(
        false,
        boot,
        format!(
            "{} {h} supervisord[{sup_pid}]: {} INFO supervisord started with pid {sup_pid}",
            stamp(boot),
            sv(boot)
        ),
    );
    for (name, _) in PROGRAMS {
        let p = next_pid(3);
        prog_pid.push(p);
        let t = boot + Duration::seconds(1);
        out.push(
            false,
            t,
            format!(
                "{} {h} supervisord[{sup_pid}]: {} INFO spawned: '{name}' with pid {p}",
                stamp(t),
                sv(t)
            ),
        );
    }

    // Noise over the whole span.
    let span_min = runs as i64 * 360 + 120;
    for m in 0..span_min {
        let t = t0 + Duration::minutes(m) + Duration::seconds(1);
        if m % 10 == 0 {
            let sp = next_pid(2);
            out.push(true, t, format!("{} {h} CRON[{sp}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", stamp(t)));
            out.push(false, t, format!("{} {h} CRON[{}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", stamp(t), sp + 2));
            let te = t + Duration::seconds(1);
            out.push(
                true,
                te,
                format!(
                    "{} {h} CRON[{sp}]: pam_unix(cron:session): session closed for user root",
                    stamp(te)
                ),
            );
        }
        if m % 60 == 17 {
            let sp = next_pid(2);
            out.push(
                false,
                t,
                format!(
                    "{} {h} CRON[{}]: (root) CMD (cd / && run-parts --report /etc/cron.hourly)",
                    stamp(t),
                    sp + 1
                ),
            );
        }
        if r.pct(3) {
            let tt = t + Duration::seconds(r.range(0, 50));
            out.push(
                true,
                tt,
                format!(
                    "{} {h} sshd[{}]: Invalid user admin from 203.0.113.{} port {}",
                    stamp(tt),
                    next_pid(1),
                    r.range(1, 254),
                    r.range(30000, 60000)
                ),
            );
        }
    }

    // Backup slots.
    let mut starts: Vec<DateTime<Utc>> = Vec::new();
    for run in 0..runs {
        let start = t0 + Duration::hours(6 * run as i64) + Duration::seconds(1);
        starts.push(start);
        let dur = Duration::minutes(r.range(20, 150)) + Duration::seconds(r.range(0, 59));
        let end = start + dur;
        let sp = next_pid(5);
        let cp = sp + 3;
        out.push(true, start, format!("{} {h} CRON[{sp}]: pam_unix(cron:session): session opened for user frappe(uid=1000) by (uid=0)", stamp(start)));
        out.push(
            false,
            start,
            format!("{} {h} CRON[{cp}]: (frappe) CMD ({BACKUP})", stamp(start)),
        );
        let has_end = !r.pct(15);
        if has_end {
            out.push(
                true,
                end,
                format!(
                    "{} {h} CRON[{sp}]: pam_unix(cron:session): session closed for user frappe",
                    stamp(end)
                ),
            );
        }
        truth.windows.push(TruthWindow {
            start: iso(start),
            end: has_end.then(|| iso(end)),
            end_basis: if has_end { "cron-session" } else { "unknown" }.to_string(),
        });

        let roll = r.range(0, 99);
        let (kind, at) = match roll {
            0..=39 => continue,
            40..=59 => (
                "oom-kill",
                start + Duration::seconds(r.range(120, dur.num_seconds().max(121))),
            ),
            60..=74 => (
                "oom-cascade",
                start + Duration::seconds(r.range(120, dur.num_seconds().max(121))),
            ),
            75..=89 => (
                "worker-crash",
                start + Duration::seconds(r.range(60, 330 * 60)),
            ),
            _ => ("oom-kill", end + Duration::minutes(r.range(60, 120))),
        };
        // Slots are 6 h apart; keep every incident (and a cascade's restart) inside its slot.
        let at = at.min(start + Duration::minutes(280));
        let victim_ix = r.range(1, PROGRAMS.len() as i64 - 1) as usize;
        let (vprog, vcomm) = PROGRAMS[victim_ix];
        let vpid = prog_pid[victim_ix];
        let mut orphans: Vec<u32> = Vec::new();
        if kind == "worker-crash" {
            out.push(false, at, format!("{} {h} supervisord[{sup_pid}]: {} WARN exited: {vprog} (exit status 1; not expected)", stamp(at), sv(at)));
            let t = at + Duration::seconds(1);
            let np = next_pid(3);
            prog_pid[victim_ix] = np;
            out.push(
                false,
                t,
                format!(
                    "{} {h} supervisord[{sup_pid}]: {} INFO spawned: '{vprog}' with pid {np}",
                    stamp(t),
                    sv(t)
                ),
            );
        } else {
            // The kernel report: header, a small task table, summary, kill line.
            uptime += (at - start).num_seconds() as f64 + 3600.0;
            let mut up = uptime;
            let mut k = |line: String| {
                out.push(
                    false,
                    at,
                    format!("{} {h} kernel: [{up:12.6}] {line}", stamp(at)),
                );
                up += 0.000_117;
            };
            k("mysqldump invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0".to_string());
            k("Tasks state (memory values in pages):".to_string());
            k("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name".to_string());
            let rss_pages = 1_000_000 + (vpid as u64 % 1000) * 100;
            for (i, &(_, comm)) in PROGRAMS.iter().enumerate() {
                let p = prog_pid[i];
                let rss = if i == victim_ix {
                    rss_pages
                } else {
                    200_000 + i as u64 * 1000
                };
                k(format!(
                    "[{p:7}] {:5} {p:5} {:8} {rss:8} {:8} {:8}         {:5} {comm}",
                    1000,
                    rss + 50_000,
                    rss * 8,
                    0,
                    0
                ));
            }
            k(format!(
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/supervisor.service,task={vcomm},pid={vpid},uid=1000"
            ));
            k(format!(
                "Out of memory: Killed process {vpid} ({vcomm}) total-vm:{}kB, anon-rss:{}kB, file-rss:2048kB, shmem-rss:0kB, UID:1000 pgtables:{}kB oom_score_adj:0",
                (rss_pages + 50_000) * 4,
                rss_pages * 4 - 2048,
                rss_pages * 8 / 1024
            ));
            truth.kills.push(TruthKill {
                time: iso(at),
                pid: vpid,
                process: vcomm.to_string(),
            });
            out.push(false, at, format!("{} {h} systemd[1]: supervisor.service: A process of this unit has been killed by the OOM killer.", stamp(at)));
            if kind == "oom-kill" {
                let t = at + Duration::milliseconds(r.range(200, 900));
                out.push(false, t, format!("{} {h} supervisord[{sup_pid}]: {} WARN exited: {vprog} (terminated by SIGKILL; not expected)", stamp(t), sv(t)));
                let t = t + Duration::seconds(1);
                let np = next_pid(3);
                prog_pid[victim_ix] = np;
                out.push(
                    false,
                    t,
                    format!(
                        "{} {h} supervisord[{sup_pid}]: {} INFO spawned: '{vprog}' with pid {np}",
                        stamp(t),
                        sv(t)
                    ),
                );
            } else {
                // OOMPolicy=stop: the whole unit stops; some programs outlive supervisord.
                out.push(false, at, format!("{} {h} systemd[1]: Stopping supervisor.service - Supervisor process control system for UNIX...", stamp(at)));
                out.push(
                    false,
                    at,
                    format!(
                        "{} {h} supervisorctl[{}]: Shut down",
                        stamp(at),
                        next_pid(1)
                    ),
                );
                let alive: Vec<usize> = (0..PROGRAMS.len()).filter(|&i| i != victim_ix).collect();
                let stuck: Vec<usize> = alive.iter().copied().filter(|_| r.pct(50)).collect();
                let stuck = if stuck.is_empty() {
                    vec![alive[0]]
                } else {
                    stuck
                };
                let names = |ix: &[usize]| {
                    ix.iter()
                        .map(|&i| PROGRAMS[i].0)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let w0 = at + Duration::milliseconds(150);
                out.push(
                    false,
                    w0,
                    format!(
                        "{} {h} supervisord[{sup_pid}]: {} INFO waiting for {} to die",
                        stamp(w0),
                        sv(w0),
                        names(&alive)
                    ),
                );
                for &i in alive.iter().filter(|i| !stuck.contains(i)) {
                    let t = w0 + Duration::milliseconds(300 + i as i64 * 100);
                    out.push(false, t, format!("{} {h} supervisord[{sup_pid}]: {} INFO stopped: {} (terminated by SIGTERM)", stamp(t), sv(t), PROGRAMS[i].0));
                }
                let mut t = w0 + Duration::seconds(3);
                while t < at + Duration::seconds(90) {
                    out.push(
                        false,
                        t,
                        format!(
                            "{} {h} supervisord[{sup_pid}]: {} INFO waiting for {} to die",
                            stamp(t),
                            sv(t),
                            names(&stuck)
                        ),
                    );
                    t += Duration::seconds(3);
                }
                let tk = at + Duration::seconds(90);
                out.push(false, tk, format!("{} {h} systemd[1]: supervisor.service: State 'stop-sigterm' timed out. Killing.", stamp(tk)));
                out.push(false, tk, format!("{} {h} systemd[1]: supervisor.service: Killing process {sup_pid} (supervisord) with signal SIGKILL.", stamp(tk)));
                for &i in &stuck {
                    out.push(false, tk, format!("{} {h} systemd[1]: supervisor.service: Unit process {} ({}) remains running after unit stopped.", stamp(tk), prog_pid[i], PROGRAMS[i].1));
                    orphans.push(prog_pid[i]);
                }
                out.push(
                    false,
                    tk,
                    format!(
                        "{} {h} systemd[1]: supervisor.service: Failed with result 'oom-kill'.",
                        stamp(tk)
                    ),
                );
                out.push(false, tk, format!("{} {h} systemd[1]: Stopped supervisor.service - Supervisor process control system for UNIX.", stamp(tk)));
                // Someone restarts it later; systemd finds the orphans.
                let tr = tk + Duration::minutes(r.range(10, 60));
                out.push(false, tr, format!("{} {h} systemd[1]: Starting supervisor.service - Supervisor process control system for UNIX...", stamp(tr)));
                for &i in &stuck {
                    out.push(false, tr, format!("{} {h} systemd[1]: supervisor.service: Found left-over process {} ({}) in control group while starting unit. Ignoring.", stamp(tr), prog_pid[i], PROGRAMS[i].1));
                }
                out.push(false, tr, format!("{} {h} systemd[1]: Started supervisor.service - Supervisor process control system for UNIX.", stamp(tr)));
                sup_pid = next_pid(11);
                let ts = tr + Duration::seconds(1);
                out.push(false, ts, format!("{} {h} supervisord[{sup_pid}]: {} INFO supervisord started with pid {sup_pid}", stamp(ts), sv(ts)));
                for (i, (name, _)) in PROGRAMS.iter().enumerate() {
                    let p = next_pid(3);
                    prog_pid[i] = p;
                    let t = ts + Duration::seconds(1);
                    out.push(
                        false,
                        t,
                        format!(
                            "{} {h} supervisord[{sup_pid}]: {} INFO spawned: '{name}' with pid {p}",
                            stamp(t),
                            sv(t)
                        ),
                    );
                }
                orphans.sort_unstable();
            }
        }
        truth.incidents.push(TruthIncident {
            kind: kind.to_string(),
            start: iso(at),
            window: None,
            orphans,
        });
    }

    // Links follow the documented rule, from the generator's own numbers.
    let windows = truth.windows.clone();
    for inc in &mut truth.incidents {
        let t = DateTime::parse_from_rfc3339(&inc.start)
            .expect("own time")
            .with_timezone(&Utc);
        inc.window = windows
            .iter()
            .enumerate()
            .rfind(|(i, w)| {
                let ws = DateTime::parse_from_rfc3339(&w.start)
                    .expect("own time")
                    .with_timezone(&Utc);
                if ws > t {
                    return false;
                }
                match &w.end {
                    Some(e) => {
                        let we = DateTime::parse_from_rfc3339(e)
                            .expect("own time")
                            .with_timezone(&Utc);
                        t <= we + Duration::seconds(SLACK_S)
                    }
                    None => {
                        t < starts
                            .get(i + 1)
                            .copied()
                            .unwrap_or(ws + Duration::hours(12))
                    }
                }
            })
            .map(|(i, _)| i);
    }

    Scenario {
        files: vec![
            ("var/log/syslog".to_string(), Lines::finish(out.syslog)),
            ("var/log/auth.log".to_string(), Lines::finish(out.auth)),
        ],
        truth,
        year: 2025,
    }
}
