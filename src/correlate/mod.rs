//! Correlation: turns the merged, time-sorted events of every host into the answer an engineer
//! needs the morning after — measured backup windows and jobs, incidents with their causal chain
//! and evidence, orphans, what held the memory, recommendations, and the fleet view — all as a
//! `Report` (DESIGN.md §5). It owns the *meaning* of event sequences; it never reads files and
//! never calls `now()`, so the same events always give the same report.
//!
//! Submodules: `windows` (start/end joins per scheduler), `jobs` (series, trend, schedule),
//! `incidents` (clusters, kinds, chains, orphans, memory), `advice` (recommendations), `fleet`,
//! `association` (are incidents inside backup windows more often than chance gives?).

mod advice;
mod association;
pub mod container;
mod fleet;
mod incidents;
mod jobs;
mod windows;

pub use association::{associate, binomial_tail};
pub use jobs::infer_schedule;

use crate::events::Event;
use crate::model::Timestamp;
use crate::report::{
    BackupWindow, HostSummary, IncidentKind, InputSummary, Recovery, Report, Stats, Tool, SCHEMA,
};
use std::collections::{BTreeMap, BTreeSet};

/// Knobs of correlation (the CLI fills them from flags; `Default` gives the documented values).
#[derive(Clone, Debug)]
pub struct CorrelateOptions {
    /// An incident is linked to a backup that ended at most this many seconds before it.
    pub backup_slack_s: i64,
    /// Failure evidence more than this many seconds apart (with no stop-sequence line in
    /// between) belongs to separate incidents.
    pub incident_gap_s: i64,
}

impl Default for CorrelateOptions {
    fn default() -> Self {
        CorrelateOptions {
            backup_slack_s: 900,
            incident_gap_s: 300,
        }
    }
}

/// Build the report. `events` must be merged, deduplicated, time-sorted, id-assigned and
/// OOM-assembled, with hosts filled (the pipeline's job).
/// What correlation found: the events and everything built from them. The pipeline chooses what
/// to keep (`--since/--until`) and assembles the `Report` with `into_report`.
pub struct Findings {
    pub events: Vec<Event>,
    pub backup_windows: Vec<BackupWindow>,
    pub incidents: Vec<crate::report::Incident>,
    pub backup_jobs: Vec<crate::report::BackupJob>,
    pub fleet: Vec<crate::report::FleetPattern>,
    /// The slack incident linking used, which the backup association uses too.
    pub backup_slack_s: i64,
    /// The `--since/--until` the findings were restricted to, in UTC microseconds.
    pub range: (Option<i64>, Option<i64>),
}

impl Findings {
    /// The report: these findings with the inputs, warnings and counts of the run; host
    /// summaries are counted from what is kept.
    pub fn into_report(
        self,
        inputs: Vec<InputSummary>,
        warnings: Vec<crate::report::Warning>,
        mut stats: Stats,
    ) -> Report {
        let hosts = host_summaries(&self.events, &inputs, &self.incidents, &stats);
        let backup_association = association::associate(
            &hosts,
            &self.backup_windows,
            &self.incidents,
            self.backup_slack_s,
            self.range,
        );
        stats.events = self.events.len();
        Report {
            schema: SCHEMA,
            tool: Tool::default(),
            inputs,
            hosts,
            events: self.events,
            backup_windows: self.backup_windows,
            incidents: self.incidents,
            backup_jobs: self.backup_jobs,
            fleet: self.fleet,
            backup_association,
            stats,
            warnings,
        }
    }
}

/// Correlate merged, time-ordered events. `routine` (the pipeline's routine-line counts) tells
/// whether a host's cron PAM sessions were in the inputs at all, for windows without an end.
pub fn correlate(
    events: Vec<Event>,
    routine: &[crate::events::routine::RoutineCount],
    opts: &CorrelateOptions,
) -> Findings {
    let ws = windows::backup_windows(&events);
    let wid = |i: usize| crate::events::WindowId(i as u32 + 1);
    let backup_windows: Vec<BackupWindow> = ws
        .iter()
        .enumerate()
        .map(|(i, w)| BackupWindow {
            id: wid(i),
            host: w.host.clone(),
            start: w.start,
            end: w.end,
            end_basis: w.end_basis,
            duration_s: w.duration_s(),
            command: w.command.clone(),
            unit: w.unit.clone(),
            user: w.user.clone(),
            events: w.members.iter().map(|&j| events[j].id).collect(),
            end_hint: end_hint(w, &events, routine),
        })
        .collect();
    let backup_jobs = jobs::backup_jobs(&ws);

    let spawns = incidents::Spawns::new(&events);
    let drafts = incidents::find_incidents(&events, &ws, &spawns, opts);
    let mut incidents = Vec::with_capacity(drafts.len());
    for (n, d) in drafts.into_iter().enumerate() {
        let mut inc = d.inc;
        inc.id = format!("i{}", n + 1);
        let w = d.window.map(|wi| &ws[wi]);
        let mut chain_idx = d.chain_idx;
        if let (Some(wi), Some(w)) = (d.window, w) {
            inc.backup_window = Some(wid(wi));
            inc.backup_lag_s = Some(inc.start.seconds_since(&w.start));
            chain_idx.extend(w.start_idx);
            chain_idx.extend(w.end_idx);
        }
        chain_idx.extend(victim_scope_starts(&events, &chain_idx));
        // Chain order is time order; equal times keep the pipeline's (source) order.
        chain_idx.sort_by_key(|&i| (events[i].time, i));
        chain_idx.dedup();
        inc.chain = incidents::chain(&events, &chain_idx, &spawns);
        inc.evidence = chain_idx.iter().map(|&i| events[i].id).collect();
        let job = w.and_then(|w| {
            backup_jobs
                .iter()
                .find(|j| j.host == w.host && j.job == w.job())
        });
        inc.time_basis = chain_idx
            .iter()
            .find_map(|&i| events[i].time_basis())
            .and_then(crate::report::TimeBasis::parse);
        inc.summary = summary(&inc, w, d.sup_unit.as_deref());
        inc.recommendations =
            advice::recommend(&inc, &events, &chain_idx, d.sup_unit.as_deref(), w, job);
        incidents.push(inc);
    }

    let window_job: BTreeMap<crate::events::WindowId, String> =
        backup_windows.iter().map(|b| (b.id, b.job())).collect();
    let fleet = fleet::fleet(&incidents, &backup_jobs, &|i| {
        i.backup_window
            .as_ref()
            .and_then(|b| window_job.get(b).cloned())
    });
    Findings {
        events,
        backup_windows,
        incidents,
        backup_jobs,
        fleet,
        backup_slack_s: opts.backup_slack_s,
        range: (None, None),
    }
}

/// The start of the unit that held each OOM victim, when it was a routine unit (a login
/// session's scope, a user manager) whose start the pipeline promoted from the routine index:
/// "the process was started from session 4711 at …" answers who ran it.
fn victim_scope_starts(events: &[Event], chain: &[usize]) -> Vec<usize> {
    use crate::events::EventKind as K;
    let mut out = Vec::new();
    for &k in chain {
        let kill = &events[k];
        if kill.kind != K::OomKill {
            continue;
        }
        let Some(unit) = kill.unit.as_deref() else {
            continue;
        };
        if !crate::events::routine::is_routine_unit(unit) {
            continue;
        }
        let start = (0..k).rev().find(|&j| {
            let e = &events[j];
            e.kind == K::UnitStarted && e.host == kill.host && e.unit.as_deref() == Some(unit)
        });
        out.extend(start);
    }
    out
}

/// For a cron window without an end: Debian cron logs only the start by default; the end is
/// in the PAM session lines, which go to auth.log, not syslog (reference §4.1, §4.5). Say which
/// input is missing rather than leave "unknown" unexplained.
fn end_hint(
    w: &windows::Window,
    events: &[Event],
    routine: &[crate::events::routine::RoutineCount],
) -> Option<String> {
    if w.end.is_some() || w.unit.is_some() {
        return None;
    }
    let via = w.start_idx.and_then(|i| events[i].via()).unwrap_or("cron");
    if via != "cron" {
        return None;
    }
    let session = |k: crate::events::EventKind| {
        matches!(
            k,
            crate::events::EventKind::CronSessionOpen | crate::events::EventKind::CronSessionClose
        )
    };
    // Sessions of other jobs are routine lines: counted in the stats, not events.
    let has_sessions = events.iter().any(|e| *e.host == *w.host && session(e.kind))
        || routine.iter().any(|c| c.host == w.host && session(c.kind));
    Some(if has_sessions {
        "cron PAM session lines are present, but no end line matched this run (still running when the logs end, or its session lines are missing)".to_string()
    } else {
        "no cron PAM session lines for this host among the inputs: add its auth.log (Debian/Ubuntu; /var/log/cron or secure on RHEL) to measure the end".to_string()
    })
}

fn host_summaries(
    events: &[Event],
    inputs: &[InputSummary],
    incidents: &[crate::report::Incident],
    stats: &Stats,
) -> Vec<HostSummary> {
    struct Acc {
        first: Option<Timestamp>,
        last: Option<Timestamp>,
        offsets: BTreeSet<i32>,
        events: usize,
    }
    let mut m: BTreeMap<String, Acc> = BTreeMap::new();
    let mut touch = |h: &str, t: Option<Timestamp>, count: bool| {
        let a = m.entry(h.to_string()).or_insert(Acc {
            first: None,
            last: None,
            offsets: BTreeSet::new(),
            events: 0,
        });
        if let Some(t) = t {
            a.first = Some(a.first.map_or(t, |f| f.min(t)));
            a.last = Some(a.last.map_or(t, |l| l.max(t)));
            a.offsets.insert(t.offset_s);
        }
        if count {
            a.events += 1;
        }
    };
    for e in events {
        touch(&e.host, Some(e.time), true);
    }
    for i in inputs {
        if let Some(h) = &i.host {
            touch(h, i.first, false);
            touch(h, i.last, false);
        }
    }
    m.into_iter()
        .map(|(name, a)| HostSummary {
            tz: if a.offsets.is_empty() {
                "unknown".to_string()
            } else {
                a.offsets
                    .iter()
                    .map(|&o| crate::format::offset(o))
                    .collect::<Vec<_>>()
                    .join("/")
            },
            incidents: incidents.iter().filter(|i| i.host == name).count(),
            routine_lines: stats
                .routine
                .iter()
                .filter(|c| c.host == name)
                .map(|c| c.lines)
                .sum(),
            name,
            first: a.first,
            last: a.last,
            events: a.events,
        })
        .collect()
}

/// What the cascade did to the supervised programs, kept apart: the ones whose processes ended
/// and the ones that kept running without supervision (the orphans). Calling both "lost" would
/// contradict the orphan list. The OOM victims are named already and not counted again.
fn programs_down(inc: &crate::report::Incident) -> String {
    let victims: Vec<&str> = inc
        .oom_kills
        .iter()
        .filter_map(|k| k.program.as_deref())
        .collect();
    let stopped = inc
        .programs_stopped
        .iter()
        .filter(|p| !victims.contains(&p.as_str()))
        .count();
    let running = inc.programs_unsupervised.len();
    match (stopped, running) {
        (0, 0) => String::new(),
        (s, 0) => format!("; the stop took {s} more program(s) down"),
        (0, r) => format!("; {r} program(s) kept running unsupervised"),
        (s, r) => {
            format!("; the stop took {s} more program(s) down and left {r} running unsupervised")
        }
    }
}

/// When the incident started, as honestly as its lines tell it.
fn when(inc: &crate::report::Incident) -> String {
    use crate::report::TimeBasis;
    match inc.time_basis {
        Some(TimeBasis::NoTimestamp) => {
            "an unknown time (the log has no timestamps; shown at the file's mtime)".to_string()
        }
        Some(TimeBasis::KubectlAge) => format!(
            "about {} (from kubectl's event age)",
            crate::format::utc_with_local(&inc.start)
        ),
        Some(TimeBasis::DmesgUptime) => format!(
            "about {} (dmesg uptime, counted back from the file's mtime)",
            crate::format::utc_with_local(&inc.start)
        ),
        None => crate::format::utc_with_local(&inc.start),
    }
}

/// The incident in one sentence: what happened (`opening`), then what it left behind, the
/// backup it fell in and whether it recovered (`consequences`). Every clause rests on an event
/// of the chain; nothing is said of a supervisor, unit or backup the logs do not show.
fn summary(
    inc: &crate::report::Incident,
    w: Option<&windows::Window>,
    sup_unit: Option<&str>,
) -> String {
    opening(inc, sup_unit) + &consequences(inc, w)
}

/// Victims an incident's summary names; the rest are counted.
const SUMMARY_VICTIMS: usize = 10;

/// What happened, by incident kind.
fn opening(inc: &crate::report::Incident, sup_unit: Option<&str>) -> String {
    let mut victims: Vec<String> = inc
        .oom_kills
        .iter()
        .take(SUMMARY_VICTIMS)
        .map(|k| {
            let mut v = match &k.program {
                Some(p) => format!("{} {} ({p})", k.process, k.pid),
                None => format!("{} {}", k.process, k.pid),
            };
            if let Some(c) = &k.container {
                v.push_str(&format!(" in {c}"));
            }
            if let Some(l) = k.memcg_limit_kb {
                v.push_str(&format!(
                    " at its memory cgroup's limit of {}",
                    crate::format::size_kb(l)
                ));
            }
            v
        })
        .collect();
    if inc.oom_kills.len() > SUMMARY_VICTIMS {
        // An OOM storm kills thousands: the summary is one sentence, oom_kills has them all.
        victims.push(format!(
            "and {} more",
            inc.oom_kills.len() - SUMMARY_VICTIMS
        ));
    }
    // Only what the logs show: a supervisor is named when one is in the evidence (a killed
    // program it ran, its unit, a respawn), never assumed.
    let supervised = sup_unit.is_some()
        || inc.outage_s.is_some()
        || inc.oom_kills.iter().any(|k| {
            k.program.is_some() || k.unit.as_deref().is_some_and(incidents::supervisorish)
        })
        || inc
            .chain
            .iter()
            .any(|c| c.kind.as_str().starts_with("supervisor"));
    // The unit a chain line is about (`unit.service: …`).
    let first_unit = inc.chain.iter().find_map(|c| {
        c.text
            .split_once(": ")
            .map(|(u, _)| u)
            .filter(|u| u.contains('.'))
    });
    // Without a kernel kill line (rate-limited, or only systemd's notice survived) say where.
    let killed = if victims.is_empty() {
        format!("a process in {}", sup_unit.unwrap_or("a unit"))
    } else {
        victims.join(", ")
    };
    match inc.kind {
        IncidentKind::OomCascade => format!(
            "OOM killer killed {} at {}; {} was stopped as a result (OOMPolicy=stop inferred){}",
            killed,
            when(inc),
            sup_unit.unwrap_or("the supervising unit"),
            programs_down(inc)
        ),
        IncidentKind::OomKill if inc.supervisor_stopped => format!(
            "OOM killer killed {} at {}; {} failed with it{}",
            killed,
            when(inc),
            sup_unit.unwrap_or("its unit"),
            match inc.recovery {
                Some(Recovery::Running) => " and was started again",
                Some(_) => " and a restart was attempted",
                None => "",
            }
        ),
        IncidentKind::OomKill if supervised => format!(
            "OOM killer killed {} at {}; the supervisor survived{}",
            killed,
            when(inc),
            if inc.outage_s.is_some() {
                " and respawned it"
            } else {
                ""
            }
        ),
        IncidentKind::OomKill => {
            format!("OOM killer killed {} at {}", killed, when(inc))
        }
        IncidentKind::OomNoKill => format!(
            "the kernel ran out of memory at {} and found no process it could kill (a panic or hang usually follows)",
            when(inc)
        ),
        IncidentKind::OomdKill => format!(
            "a userspace OOM killer (systemd-oomd/earlyoom) killed {} at {}",
            sup_unit.map_or_else(|| "a cgroup".to_string(), |u| format!("the processes of {u}")),
            when(inc)
        ),
        IncidentKind::WorkerCrash => format!(
            "program(s) {} exited unexpectedly at {} without an OOM kill",
            if inc.workers_lost.is_empty() {
                "?".to_string()
            } else {
                inc.workers_lost.join(", ")
            },
            when(inc)
        ),
        IncidentKind::RestartLoop => format!(
            "{} kept dying after start from {}",
            inc.workers_lost.join(", "),
            when(inc)
        ),
        IncidentKind::OrphanedWorkers if !inc.supervisor_stopped => format!(
            "{} found process(es) of an earlier run still alive when it started at {} (that run's stop left them behind)",
            first_unit.unwrap_or("a unit"),
            when(inc)
        ),
        IncidentKind::OrphanedWorkers => format!(
            "{} stopped at {} and left processes of its programs running",
            sup_unit.unwrap_or("the supervisor"),
            when(inc)
        ),
        _ => format!(
            "{} at {}",
            inc.chain
                .iter()
                .find(|c| c.kind != crate::events::EventKind::BackupStart)
                .map_or("unit failure", |c| c.text.as_str()),
            when(inc)
        ),
    }
}

/// Orphans, the backup the incident fell in, and recovery (or its absence).
fn consequences(inc: &crate::report::Incident, w: Option<&windows::Window>) -> String {
    let mut s = String::new();
    if !inc.orphans.is_empty() {
        s += &format!("; {} orphaned process(es) left behind", inc.orphans.len());
    }
    if let (Some(w), Some(lag)) = (w, inc.backup_lag_s) {
        let when = match w.end {
            Some(e) if e < inc.start => format!(
                "{} after it ended",
                crate::format::duration(inc.start.seconds_since(&e))
            ),
            _ => "while it ran".to_string(),
        };
        s += &format!(
            "; {} into the backup `{}` ({when})",
            crate::format::duration(lag),
            w.job()
        );
    }
    match (inc.outage_s, inc.recovery) {
        (Some(o), Some(Recovery::Running)) => {
            s += &format!("; recovered after {}", crate::format::duration(o))
        }
        (Some(o), _) => {
            let at = Timestamp::from_utc_micros(
                inc.start.micros + (o * 1e6).round() as i64,
                inc.start.offset_s,
            );
            s += &format!(
                "; restart attempted at {} ({} later), but no RUNNING/Started line confirms it",
                crate::format::utc_with_local(&at),
                crate::format::duration(o)
            )
        }
        (None, _) if inc.supervisor_stopped => s += "; no restart seen in the logs",
        (None, _) => {}
    }
    s
}

#[cfg(test)]
mod tests;
