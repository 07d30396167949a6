//! Incidents: per host, failure evidence clustered in time, classified (DESIGN.md §5 kinds),
//! explained as an ordered chain of evidence, linked to the backup window it happened in, with
//! the orphans left behind, what held the memory, and how long the service was down.
//!
//! Why it works this way: a failure is a *sequence* spread over minutes (OOM kill → unit OOM
//! notice → stop → supervisord's "waiting for … to die" every 3 s → stop timeout → remains
//! running → failed) and its recovery may come hours later (restart with "Found left-over
//! process"). So clusters are built over failure evidence *and* the stop-sequence lines that
//! bridge it, only clusters holding real failure evidence become incidents (a planned, clean
//! restart has none), and each incident claims its own recovery lines so they do not become a
//! second incident.

use super::windows::Window;
use super::CorrelateOptions;
use crate::events::{Event, EventKind as K};
use crate::model::Timestamp;
use crate::report::{
    ChainStep, Incident, IncidentKind, MemoryUse, OomKill, Orphan, OrphanBasis, ProcessMemory,
    Recovery, Role,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

/// How long after the OOM evidence a stop of the supervising unit counts as caused by it
/// (`OOMPolicy=stop` acts within a second; allow for slow logging).
const CASCADE_S: i64 = 30;
/// Lines of one restart (Starting, Found left-over…, Started, supervisord started) come within
/// this many seconds of the first.
const RECOVERY_GROUP_S: i64 = 60;
/// The longest a backup with an unknown end is assumed to be running when no later run of the
/// same job bounds it.
const OPEN_WINDOW_MAX_S: i64 = 12 * 3600;
/// Most entries shown in `memory_top`.
const MEMORY_TOP: usize = 10;

/// An incident before ids, links and advice are final.
pub(crate) struct Draft {
    pub inc: Incident,
    /// Event indices of the chain, in order.
    pub chain_idx: Vec<usize>,
    /// Index (into the windows) of the linked backup.
    pub window: Option<usize>,
    /// The unit that was stopped by the cascade, if any.
    pub sup_unit: Option<String>,
}

fn is_failure(e: &Event) -> bool {
    match e.kind {
        K::OomKill
        | K::OomdKill
        | K::UnitOom
        | K::UnitFailed
        | K::SupervisorSigkill
        | K::SupervisorFatal
        | K::UnitRemainsRunning
        | K::UnitLeftoverProcess
        | K::UnitStopTimeout
        | K::OomNoKillable
        | K::WorkerKilled => true,
        K::SupervisorExited => e.expected() == Some(false),
        _ => false,
    }
}

pub(crate) fn supervisorish(u: &str) -> bool {
    u.to_ascii_lowercase().contains("supervisor")
}

/// Lines that carry a stop/kill sequence forward between failure lines.
fn is_bridge(e: &Event, watched: &HashSet<&str>) -> bool {
    match e.kind {
        K::OomInvoked
        | K::OomReaped
        | K::OomReapFailed
        | K::OomVictimExiting
        | K::SupervisorctlShutdown
        | K::SupervisorWaiting
        | K::SupervisorStopped
        | K::SupervisorExited
        | K::SupervisorSignal
        | K::UnitRestartScheduled => true,
        K::UnitStopping
        | K::UnitStopped
        | K::UnitKilling
        | K::UnitMainExited
        | K::UnitControlExited => e
            .unit
            .as_deref()
            .is_some_and(|u| watched.contains(u) || supervisorish(u)),
        _ => false,
    }
}

/// pid → program of supervisord's `spawned: 'X' with pid N`, per host, latest spawn first.
pub(crate) struct Spawns<'a> {
    by_host: BTreeMap<&'a str, Vec<(Timestamp, u32, &'a str)>>,
}

impl<'a> Spawns<'a> {
    pub fn new(events: &'a [Event]) -> Self {
        let mut by_host: BTreeMap<&str, Vec<(Timestamp, u32, &str)>> = BTreeMap::new();
        for e in events.iter().filter(|e| e.kind == K::SupervisorSpawned) {
            if let (Some(pid), Some(p)) = (e.pid, e.program.as_deref()) {
                by_host.entry(&*e.host).or_default().push((e.time, pid, p));
            }
        }
        Spawns { by_host }
    }
    /// The program that had `pid` at `t`.
    pub fn program(&self, host: &str, pid: u32, t: Timestamp) -> Option<&'a str> {
        self.by_host
            .get(host)?
            .iter()
            .rev()
            .find(|(st, p, _)| *p == pid && *st <= t)
            .map(|x| x.2)
    }
    /// The last pid of `program` spawned at or before `t`.
    pub fn pid(&self, host: &str, program: &str, t: Timestamp) -> Option<u32> {
        self.by_host
            .get(host)?
            .iter()
            .rev()
            .find(|(st, _, p)| *p == program && *st <= t)
            .map(|x| x.1)
    }
}

pub(crate) fn find_incidents(
    events: &[Event],
    windows: &[Window],
    spawns: &Spawns,
    opts: &CorrelateOptions,
) -> Vec<Draft> {
    let hosts: BTreeSet<&str> = events.iter().map(|e| &*e.host).collect();
    let mut drafts = Vec::new();
    for host in hosts {
        let idx: Vec<usize> = (0..events.len())
            .filter(|&i| &*events[i].host == host)
            .collect();
        let watched: HashSet<&str> = idx
            .iter()
            .map(|&i| &events[i])
            .filter(|e| is_failure(e))
            .filter_map(|e| e.unit.as_deref())
            .collect();
        // Clusters over failure evidence and the lines bridging it.
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        let mut last: Option<Timestamp> = None;
        for &i in &idx {
            let e = &events[i];
            if !(is_failure(e) || is_bridge(e, &watched)) {
                continue;
            }
            let split =
                last.is_none_or(|l| e.time.micros - l.micros > opts.incident_gap_s * 1_000_000);
            if split {
                clusters.push(Vec::new());
            }
            if let Some(c) = clusters.last_mut() {
                c.push(i);
            }
            last = Some(e.time);
        }
        let mut claimed: HashSet<usize> = HashSet::new();
        for c in clusters {
            let c: Vec<usize> = c.into_iter().filter(|i| !claimed.contains(i)).collect();
            if !c.iter().any(|&i| is_failure(&events[i])) {
                continue;
            }
            let d = build(
                events,
                &idx,
                &c,
                windows,
                spawns,
                &mut claimed,
                opts.backup_slack_s,
            );
            drafts.push(d);
        }
    }
    drafts.sort_by(|a, b| (a.inc.start, &a.inc.host).cmp(&(b.inc.start, &b.inc.host)));
    drafts
}

fn kinds<'e>(
    events: &'e [Event],
    c: &[usize],
    k: K,
) -> impl Iterator<Item = (usize, &'e Event)> + 'e {
    let v: Vec<usize> = c.iter().copied().filter(|&i| events[i].kind == k).collect();
    v.into_iter().map(move |i| (i, &events[i]))
}

/// One cluster of failure evidence on one host, as the stages of `build` read it.
struct Cluster<'e> {
    events: &'e [Event],
    /// Every event of the host, in order.
    host_idx: &'e [usize],
    /// The cluster's events, in order (never empty).
    c: &'e [usize],
    host: String,
    spawns: &'e Spawns<'e>,
}

/// Stage 1: the OOM evidence of a cluster.
struct Oom<'e> {
    kills: Vec<(usize, &'e Event)>,
    unit_ooms: Vec<(usize, &'e Event)>,
    oomd: Vec<(usize, &'e Event)>,
    /// The first of them.
    first: Option<Timestamp>,
    /// The units they name.
    units: BTreeSet<String>,
}

fn oom_evidence<'e>(cl: &Cluster<'e>) -> Oom<'e> {
    let (events, c) = (cl.events, cl.c);
    let kills: Vec<(usize, &Event)> = kinds(events, c, K::OomKill).collect();
    let unit_ooms: Vec<(usize, &Event)> = kinds(events, c, K::UnitOom).collect();
    let oomd: Vec<(usize, &Event)> = kinds(events, c, K::OomdKill).collect();
    let all = || kills.iter().chain(&unit_ooms).chain(&oomd);
    let first = all().map(|(_, e)| e.time).min();
    let units = all()
        .filter_map(|(_, e)| e.unit.as_deref().map(str::to_string))
        .collect();
    Oom {
        kills,
        unit_ooms,
        oomd,
        first,
        units,
    }
}

impl Oom<'_> {
    /// A unit that supervises workers: one the OOM evidence names, or a supervisor unit.
    fn is_sup(&self, u: Option<&str>) -> bool {
        u.is_some_and(|u| self.units.contains(u) || supervisorish(u))
    }
}

/// Stage 2: did the supervising unit stop, and was it the OOM that stopped it?
struct Stop {
    /// Some line shows the supervisor being stopped.
    stopped: bool,
    /// systemd stopped the unit right after the kill: the OOMPolicy=stop signature.
    after_oom: bool,
    /// `Failed with result 'oom-kill'` and the stop left processes behind.
    failed_oom_leaving: bool,
    /// The unit that was stopped.
    unit: Option<String>,
}

fn analyse_stop(cl: &Cluster<'_>, oom: &Oom<'_>) -> Stop {
    let (events, c) = (cl.events, cl.c);
    let evidence: Vec<usize> = c
        .iter()
        .copied()
        .filter(|&i| {
            let e = &events[i];
            match e.kind {
                K::SupervisorctlShutdown | K::SupervisorWaiting => true,
                K::SupervisorSignal => e.request() == Some("exit"),
                K::UnitStopping | K::UnitStopped | K::UnitStopTimeout => {
                    oom.is_sup(e.unit.as_deref())
                }
                K::UnitFailed => oom.is_sup(e.unit.as_deref()),
                _ => false,
            }
        })
        .collect();
    let stopped = !evidence.is_empty();
    let failed_oom = c.iter().any(|&i| {
        let e = &events[i];
        e.kind == K::UnitFailed && e.result() == Some("oom-kill")
    });
    // The OOMPolicy=stop signature is systemd *stopping* the unit right after the kill (Stopping,
    // its ExecStop `supervisorctl shutdown`, supervisord's waiting list). `Failed with result
    // 'oom-kill'` alone is not enough: a single-process service whose main process was the
    // victim fails the same way without any cascade — unless the stop left processes behind.
    let after_oom = oom.first.is_some_and(|t0| {
        evidence.iter().any(|&i| {
            let e = &events[i];
            let dt = e.time.micros - t0.micros;
            !matches!(e.kind, K::UnitFailed | K::UnitStopped)
                && (0..=CASCADE_S * 1_000_000).contains(&dt)
        })
    });
    let failed_oom_leaving = failed_oom
        && c.iter().any(|&i| {
            matches!(
                events[i].kind,
                K::UnitRemainsRunning | K::UnitStopTimeout | K::UnitKilling
            )
        });
    let unit = evidence
        .iter()
        .filter_map(|&i| events[i].unit.as_deref().map(str::to_string))
        .next()
        .or_else(|| {
            if stopped {
                oom.units.iter().next().cloned()
            } else {
                None
            }
        });
    Stop {
        stopped,
        after_oom,
        failed_oom_leaving,
        unit,
    }
}

/// Stage 3: programs that exited unexpectedly, and whether something is restarting in a loop.
struct Exits<'e> {
    unexpected: Vec<(usize, &'e Event)>,
    looping: bool,
}

fn exits<'e>(cl: &Cluster<'e>) -> Exits<'e> {
    let (events, c) = (cl.events, cl.c);
    let unexpected: Vec<(usize, &Event)> = c
        .iter()
        .map(|&i| (i, &events[i]))
        .filter(|(_, e)| e.kind == K::SupervisorExited && e.expected() == Some(false))
        .collect();
    let mut exits_per_program: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, e) in &unexpected {
        *exits_per_program
            .entry(e.program.as_deref().unwrap_or("?"))
            .or_default() += 1;
    }
    let mut restarts_per_unit: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, e) in kinds(events, c, K::UnitRestartScheduled) {
        *restarts_per_unit
            .entry(e.unit.as_deref().unwrap_or("?"))
            .or_default() += 1;
    }
    let fatal = c.iter().any(|&i| events[i].kind == K::SupervisorFatal);
    let looping = fatal
        || exits_per_program.values().any(|&n| n >= 3)
        || restarts_per_unit.values().any(|&n| n >= 3);
    Exits {
        unexpected,
        looping,
    }
}

/// Stage 4: the lines after the cluster that show the service coming back.
struct Recovered {
    /// Recovery lines (sorted); they belong to this incident.
    lines: Vec<usize>,
    at: Option<Timestamp>,
    /// Whether the restart is known to have worked: supervisord's `success: … entered RUNNING
    /// state` for every respawned program, or systemd's `Started` of the unit. A spawn or a
    /// `Starting` alone is only an attempt.
    confirmed: bool,
}

fn find_recovery(cl: &Cluster<'_>, oom: &Oom<'_>, stop: &Stop, ex: &Exits<'_>) -> Recovered {
    let (events, c, host_idx, spawns, host) = (cl.events, cl.c, cl.host_idx, cl.spawns, &cl.host);
    let last_i = c[c.len() - 1];
    let last_t = events[last_i].time;
    let is_sup = |u: Option<&str>| oom.is_sup(u);
    let (supervisor_stopped, oom_kills, unexpected) = (stop.stopped, &oom.kills, &ex.unexpected);
    let after: Vec<usize> = host_idx
        .iter()
        .copied()
        .filter(|&i| events[i].time > last_t || (events[i].time == last_t && i > last_i))
        .collect();
    let mut recovery: Vec<usize> = Vec::new();
    let mut recovered_at: Option<Timestamp> = None;
    let mut confirmed = true;
    if supervisor_stopped {
        let starts = |e: &Event| {
            (matches!(e.kind, K::UnitStarting | K::UnitStarted) && is_sup(e.unit.as_deref()))
                || e.kind == K::SupervisorStarted
        };
        if let Some(&r0) = after.iter().find(|&&i| starts(&events[i])) {
            let t0 = events[r0].time;
            let mut orphans_seen = c.iter().any(|&i| events[i].kind == K::UnitRemainsRunning);
            let mut aftermath_progs: BTreeSet<String> = BTreeSet::new();
            for &i in after.iter().filter(|&&i| {
                events[i].time.micros - t0.micros <= RECOVERY_GROUP_S * 1_000_000
                    && events[i].time >= t0
            }) {
                let e = &events[i];
                if e.kind == K::UnitLeftoverProcess && is_sup(e.unit.as_deref()) {
                    orphans_seen = true;
                }
                // A program that dies right after the restart while orphans of the old run are
                // still alive (e.g. gunicorn cannot bind the port an orphan holds) is part of
                // this incident's aftermath, not a new incident.
                let aftermath = orphans_seen
                    && match e.kind {
                        K::SupervisorExited if e.expected() == Some(false) => {
                            aftermath_progs.extend(e.program.as_deref().map(str::to_string));
                            true
                        }
                        K::SupervisorFatal => true,
                        K::SupervisorSpawned => e
                            .program
                            .as_deref()
                            .is_some_and(|p| aftermath_progs.contains(p)),
                        _ => false,
                    };
                let part = starts(e)
                    || (e.kind == K::UnitLeftoverProcess && is_sup(e.unit.as_deref()))
                    || aftermath;
                if part {
                    recovery.push(i);
                    if matches!(e.kind, K::UnitStarted | K::SupervisorStarted)
                        && recovered_at.is_none()
                    {
                        recovered_at = Some(e.time);
                    }
                }
            }
            if !recovery
                .iter()
                .any(|&i| events[i].kind == K::UnitStarted && is_sup(events[i].unit.as_deref()))
            {
                confirmed = false;
            }
            recovered_at = recovered_at.or(Some(t0));
        }
    } else {
        // The supervisor survived: the lost programs come back with a new spawn.
        let mut lost: Vec<(Timestamp, String)> = Vec::new();
        for (_, e) in oom_kills {
            if let Some(p) = e
                .program
                .as_deref()
                .or_else(|| e.pid.and_then(|pid| spawns.program(host, pid, e.time)))
            {
                lost.push((e.time, p.to_string()));
            }
        }
        for (_, e) in unexpected {
            if let Some(p) = e.program.as_deref() {
                lost.push((e.time, p.to_string()));
            }
        }
        for (t, p) in &lost {
            // Respawns inside the cluster count too (supervisord restarts within a second).
            if let Some(i) = host_idx.iter().copied().find(|&i| {
                let e = &events[i];
                e.kind == K::SupervisorSpawned
                    && e.time >= *t
                    && e.program.as_deref() == Some(p.as_str())
            }) {
                if !recovery.contains(&i) {
                    recovery.push(i);
                }
                recovered_at =
                    Some(recovered_at.map_or(events[i].time, |r: Timestamp| r.max(events[i].time)));
                // RUNNING for this spawn: the program's next success line, unless it exits first.
                let spawned_t = events[i].time;
                let running = host_idx.iter().copied().find(|&j| {
                    let e = &events[j];
                    j > i
                        && e.time >= spawned_t
                        && e.program.as_deref() == Some(p.as_str())
                        && matches!(
                            e.kind,
                            K::SupervisorSuccess | K::SupervisorExited | K::SupervisorFatal
                        )
                });
                match running {
                    Some(j) if events[j].kind == K::SupervisorSuccess => {
                        if !recovery.contains(&j) {
                            recovery.push(j);
                        }
                    }
                    _ => confirmed = false,
                }
            }
        }
        // A failed unit (not supervised) recovers when it starts again.
        if lost.is_empty() {
            let failed_units: BTreeSet<&str> = kinds(events, c, K::UnitFailed)
                .filter_map(|(_, e)| e.unit.as_deref())
                .collect();
            for u in failed_units {
                if let Some(&i) = after.iter().find(|&&i| {
                    events[i].kind == K::UnitStarted && events[i].unit.as_deref() == Some(u)
                }) {
                    recovery.push(i);
                    recovered_at = Some(
                        recovered_at.map_or(events[i].time, |r: Timestamp| r.max(events[i].time)),
                    );
                }
            }
        }
    }
    recovery.sort_unstable();
    recovery.dedup();
    Recovered {
        lines: recovery,
        at: recovered_at,
        confirmed,
    }
}

/// Stage 5: processes that outlived their supervisor, and those that possibly did.
///
/// systemd's lists (`remains running after unit stopped`, `Found left-over process`) are
/// complete for the unit's cgroup: when it printed one, a program supervisord was still
/// waiting for but systemd does not list had gone. Only when systemd listed nothing does the
/// last waiting list say which programs possibly ran on — reported apart, never counted as
/// orphans.
fn orphans_of(cl: &Cluster<'_>, oom: &Oom<'_>, all: &[usize]) -> (Vec<Orphan>, Vec<Orphan>) {
    let (events, c, spawns, host) = (cl.events, cl.c, cl.spawns, &cl.host);
    let is_sup = |u: Option<&str>| oom.is_sup(u);
    let mut orphans: Vec<Orphan> = Vec::new();
    let mut possibly: Vec<Orphan> = Vec::new();
    for &i in all {
        let e = &events[i];
        let basis = match e.kind {
            K::UnitRemainsRunning => OrphanBasis::RemainsRunning,
            K::UnitLeftoverProcess => OrphanBasis::LeftOver,
            _ => continue,
        };
        if orphans.iter().any(|o| o.pid.is_some() && o.pid == e.pid) {
            // Seen again at the restart: the same process, still alive.
            continue;
        }
        orphans.push(Orphan {
            pid: e.pid,
            process: e.process.as_deref().unwrap_or("?").to_string(),
            basis,
            event: e.id,
            program: e
                .pid
                .and_then(|p| spawns.program(host, p, e.time))
                .map(str::to_string),
        });
    }
    // Programs still listed in the last "waiting for … to die" before supervisord was killed.
    if let Some(&wi) = c
        .iter()
        .rev()
        .find(|&&i| events[i].kind == K::SupervisorWaiting)
    {
        let killed_after = c.iter().any(|&i| {
            let e = &events[i];
            i > wi
                && (matches!(
                    e.kind,
                    K::UnitStopTimeout | K::UnitKilling | K::UnitRemainsRunning
                ) || (e.kind == K::UnitFailed && is_sup(e.unit.as_deref()))
                    || (e.kind == K::UnitMainExited && e.code() == Some("killed")))
        });
        if killed_after {
            let w = &events[wi];
            let stopped_after: HashSet<&str> = c
                .iter()
                .filter(|&&i| {
                    i > wi && matches!(events[i].kind, K::SupervisorStopped | K::SupervisorExited)
                })
                .filter_map(|&i| events[i].program.as_deref())
                .collect();
            let progs: Vec<&str> = w
                .attrs
                .get("programs")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            for p in progs.into_iter().filter(|p| !stopped_after.contains(p)) {
                let pid = spawns.pid(host, p, w.time);
                if let Some(o) = orphans.iter_mut().find(|o| pid.is_some() && o.pid == pid) {
                    o.program.get_or_insert_with(|| p.to_string());
                    continue;
                }
                if !orphans.is_empty() {
                    // systemd's list is complete: this one had gone.
                    continue;
                }
                possibly.push(Orphan {
                    pid,
                    process: p.to_string(),
                    basis: OrphanBasis::WaitingList,
                    event: w.id,
                    program: Some(p.to_string()),
                });
            }
        }
    }

    (orphans, possibly)
}

/// Stage 6: what kind of incident the evidence makes (most specific first).
fn classify(
    cl: &Cluster<'_>,
    oom: &Oom<'_>,
    stop: &Stop,
    ex: &Exits<'_>,
    orphans: &[Orphan],
) -> IncidentKind {
    let (events, c) = (cl.events, cl.c);
    let (oom_kills, unit_ooms, oomd) = (&oom.kills, &oom.unit_ooms, &oom.oomd);
    let (stop_after_oom, failed_oom_leaving) = (stop.after_oom, stop.failed_oom_leaving);
    let (looping, unexpected) = (ex.looping, &ex.unexpected);
    // systemd's notice says who killed (`killer`): a notice about systemd-oomd's kill is oomd
    // evidence, not the kernel's.
    let has_oom = !oom_kills.is_empty()
        || unit_ooms
            .iter()
            .any(|(_, e)| e.killer().is_none_or(|k| k == "kernel"));
    if has_oom && (stop_after_oom || failed_oom_leaving) {
        IncidentKind::OomCascade
    } else if has_oom {
        IncidentKind::OomKill
    } else if !oomd.is_empty() {
        IncidentKind::OomdKill
    } else if c.iter().any(|&i| events[i].kind == K::OomNoKillable) {
        IncidentKind::OomNoKill
    } else if looping {
        IncidentKind::RestartLoop
    } else if !orphans.is_empty() {
        IncidentKind::OrphanedWorkers
    } else if !unexpected.is_empty()
        || c.iter()
            .any(|&i| matches!(events[i].kind, K::SupervisorSigkill | K::WorkerKilled))
    {
        IncidentKind::WorkerCrash
    } else {
        IncidentKind::UnitFailed
    }
}

/// Stage 7: the programs the incident took down (stopped, killed, or left unsupervised).
fn programs_lost(
    cl: &Cluster<'_>,
    kills: &[OomKill],
    stop: &Stop,
    ex: &Exits<'_>,
) -> BTreeSet<String> {
    let (events, c) = (cl.events, cl.c);
    let (supervisor_stopped, unexpected) = (stop.stopped, &ex.unexpected);
    let mut workers_lost: BTreeSet<String> = BTreeSet::new();
    for k in kills {
        if let Some(p) = &k.program {
            workers_lost.insert(p.to_string());
        }
    }
    for (_, e) in unexpected {
        if let Some(p) = &e.program {
            workers_lost.insert(p.to_string());
        }
    }
    if supervisor_stopped {
        for &i in c {
            let e = &events[i];
            match e.kind {
                K::SupervisorStopped | K::SupervisorSigkill => {
                    if let Some(p) = &e.program {
                        workers_lost.insert(p.to_string());
                    }
                }
                K::SupervisorWaiting => {
                    for p in e
                        .attrs
                        .get("programs")
                        .and_then(|v| v.as_array())
                        .into_iter()
                        .flatten()
                    {
                        if let Some(p) = p.as_str() {
                            workers_lost.insert(p.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }

    workers_lost
}

fn build(
    events: &[Event],
    host_idx: &[usize],
    c: &[usize],
    windows: &[Window],
    spawns: &Spawns,
    claimed: &mut HashSet<usize>,
    slack_s: i64,
) -> Draft {
    let cl = Cluster {
        events,
        host_idx,
        c,
        host: events[c[0]].host.to_string(),
        spawns,
    };
    let host = cl.host.clone();
    let oom = oom_evidence(&cl);
    let stop = analyse_stop(&cl, &oom);
    let ex = exits(&cl);
    let rec = find_recovery(&cl, &oom, &stop, &ex);
    claimed.extend(rec.lines.iter().copied());
    let all: Vec<usize> = {
        let mut v: Vec<usize> = c.iter().chain(&rec.lines).copied().collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (orphans, possibly_left_running) = orphans_of(&cl, &oom, &all);
    let kind = classify(&cl, &oom, &stop, &ex, &orphans);
    let kills: Vec<OomKill> = oom
        .kills
        .iter()
        .map(|(_, e)| OomKill {
            pid: e.pid.unwrap_or(0),
            process: e.process.clone().unwrap_or_else(|| "?".into()),
            program: e.program.clone().or_else(|| {
                e.pid
                    .and_then(|p| spawns.program(&host, p, e.time))
                    .map(Arc::from)
            }),
            unit: e.unit.clone(),
            anon_rss_kb: e.anon_rss_kb(),
            container: e
                .task_memcg()
                .or_else(|| e.oom_memcg())
                .and_then(super::container::from_memcg)
                .or_else(|| e.cpuset().and_then(super::container::from_cpuset))
                .map(Box::new),
            memcg_limit_kb: e.memcg_limit_kb(),
            event: e.id,
        })
        .collect();
    let mut workers_lost = programs_lost(&cl, &kills, &stop, &ex);
    // A program whose process is among the orphans was not stopped: it kept running, only
    // without its supervisor. Listing it as "lost" next to the orphan would contradict it.
    let unsupervised: BTreeSet<String> = orphans.iter().filter_map(|o| o.program.clone()).collect();
    workers_lost.extend(unsupervised.iter().cloned());

    // The chain: the waiting line repeats every 3 s; its first and last say all there is.
    let waits: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| events[i].kind == K::SupervisorWaiting)
        .collect();
    let chain_idx: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| {
            events[i].kind != K::SupervisorWaiting
                || Some(&i) == waits.first()
                || Some(&i) == waits.last()
        })
        .collect();

    let start = events[all[0]].time;
    let end = events[*all.last().unwrap_or(&all[0])].time;
    let mut inc = Incident {
        id: String::new(),
        host: host.clone(),
        kind,
        start,
        end,
        severity: kind.severity(),
        summary: String::new(),
        backup_window: None,
        backup_lag_s: None,
        oom_kills: kills,
        supervisor_stopped: stop.stopped,
        orphans,
        possibly_left_running,
        memory_top: Vec::new(),
        memory_largest: Vec::new(),
        evidence: Vec::new(),
        chain: Vec::new(),
        recommendations: Vec::new(),
        programs_stopped: workers_lost
            .iter()
            .filter(|p| !unsupervised.contains(*p))
            .cloned()
            .collect(),
        programs_unsupervised: unsupervised.into_iter().collect(),
        workers_lost: workers_lost.into_iter().collect(),
        outage_s: rec.at.map(|r| r.seconds_since(&start)),
        recovery: rec.at.map(|_| {
            if rec.confirmed {
                Recovery::Running
            } else {
                Recovery::RestartAttempted
            }
        }),
        time_basis: None,
    };
    let window = link_backup(windows, &host, start, slack_s);
    let backup_pid = window
        .and_then(|wi| windows[wi].start_idx)
        .filter(|&si| events[si].via().is_none_or(|v| v == "cron"))
        .and_then(|si| events[si].pid);
    let (top, largest) = memory(&oom.kills, backup_pid);
    inc.memory_top = top;
    inc.memory_largest = largest;
    Draft {
        inc,
        chain_idx,
        window,
        sup_unit: stop.unit,
    }
}

/// Most single processes listed in `memory_largest`.
const MEMORY_LARGEST: usize = 5;
/// A process whose pid is at most this far above the backup's cron CMD pid was most likely
/// forked by the backup (pids are handed out in order); it is marked "likely", never certain.
const BACKUP_PID_SPAN: u32 = 3;

/// From the task table of the first OOM report that has one: RSS summed by process name,
/// biggest first, and the largest single processes — each marked with what it was (the OOM
/// victim, the trigger, a likely backup process), because a per-name sum hides that one python3
/// of four was the backup. Without a task table both stay empty: the victims' anon-rss is not
/// "memory at the kill" and is reported under the kills.
fn memory(
    oom_kills: &[(usize, &Event)],
    backup_pid: Option<u32>,
) -> (Vec<MemoryUse>, Vec<ProcessMemory>) {
    let Some((_, kill)) = oom_kills.iter().find(|(_, e)| {
        e.attrs
            .get("tasks")
            .and_then(|t| t.as_array())
            .is_some_and(|a| !a.is_empty())
    }) else {
        return (Vec::new(), Vec::new());
    };
    let victims: BTreeSet<u32> = oom_kills.iter().filter_map(|(_, e)| e.pid).collect();
    let trigger = kill.trigger();
    let rows = |key: &str| {
        kill.attrs
            .get(key)
            .and_then(|t| t.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in rows("tasks") {
        let Some(p) = r.get("process").and_then(|v| v.as_str()) else {
            continue;
        };
        let e = m.entry(p.to_string()).or_default();
        e.0 += r.get("count").and_then(|v| v.as_u64()).unwrap_or(1);
        e.1 += r.get("rss_kb").and_then(|v| v.as_u64()).unwrap_or(0);
    }
    let singles: Vec<(u32, String, u64)> = rows("tasks_top")
        .iter()
        .filter_map(|r| {
            Some((
                r.get("pid")?.as_u64()? as u32,
                r.get("process")?.as_str()?.to_string(),
                r.get("rss_kb")?.as_u64()?,
            ))
        })
        .collect();
    // The trigger is known by pid when the report's `CPU: … PID: … Comm:` line was read;
    // otherwise by name, which names a row only when that name has one process.
    let trigger_pid = kill.trigger_pid().map(|p| p as u32);
    let trigger_unique = trigger.filter(|t| m.get(*t).is_some_and(|(c, _)| *c == 1));
    let roles = |pid: u32, process: &str| {
        let mut v = Vec::new();
        if victims.contains(&pid) {
            v.push(Role::OomVictim);
        }
        let is_trigger = match trigger_pid {
            Some(t) => t == pid,
            None => trigger_unique == Some(process),
        };
        if is_trigger {
            v.push(Role::OomTrigger);
        }
        if backup_pid.is_some_and(|b| pid >= b && pid - b <= BACKUP_PID_SPAN) {
            v.push(Role::LikelyBackup);
        }
        v
    };
    let largest: Vec<ProcessMemory> = singles
        .iter()
        .take(MEMORY_LARGEST)
        .map(|(pid, process, rss_kb)| ProcessMemory {
            pid: *pid,
            process: process.clone(),
            rss_kb: *rss_kb,
            roles: roles(*pid, process),
        })
        .collect();
    let mut v: Vec<MemoryUse> = m
        .into_iter()
        .map(|(process, (count, rss_kb))| {
            let mut includes: Vec<String> = Vec::new();
            // Victims are named even when the top rows cut them off.
            for (_, k) in oom_kills {
                if k.process.as_deref() == Some(process.as_str()) {
                    if let Some(p) = k.pid {
                        includes.push(format!("oom victim pid {p}"));
                    }
                }
            }
            if trigger == Some(process.as_str()) {
                includes.push(if count > 1 {
                    format!("the oom trigger (one of the {count})")
                } else {
                    "the oom trigger".to_string()
                });
            }
            for (pid, p, _) in &singles {
                if p == &process && roles(*pid, p).contains(&Role::LikelyBackup) {
                    includes.push(format!(
                        "likely backup pid {pid} (follows the cron CMD pid {})",
                        backup_pid.unwrap_or(0)
                    ));
                }
            }
            MemoryUse {
                process,
                count,
                rss_kb,
                includes,
            }
        })
        .collect();
    // Biggest first; the name breaks ties so the order never depends on the input order.
    v.sort_by(|a, b| {
        b.rss_kb
            .cmp(&a.rss_kb)
            .then_with(|| a.process.cmp(&b.process))
    });
    v.truncate(MEMORY_TOP);
    (v, largest)
}

/// The backup window an incident at `t` happened in, or that ended at most `slack_s` before it.
/// A window without a known end counts as running until the same job starts again (or for
/// `OPEN_WINDOW_MAX_S`). The latest-starting candidate wins.
pub(crate) fn link_backup(
    windows: &[Window],
    host: &str,
    t: Timestamp,
    slack_s: i64,
) -> Option<usize> {
    windows
        .iter()
        .enumerate()
        .filter(|(_, w)| w.host == host && w.start <= t)
        .filter(|(wi, w)| match w.end {
            Some(end) => t.micros <= end.micros + slack_s * 1_000_000,
            None => {
                let next = windows
                    .iter()
                    .skip(wi + 1)
                    .find(|n| n.host == w.host && n.job() == w.job() && n.start > w.start)
                    .map(|n| n.start.micros);
                let bound = next.unwrap_or(w.start.micros + OPEN_WINDOW_MAX_S * 1_000_000);
                t.micros < bound
            }
        })
        .max_by_key(|(wi, w)| (w.start, *wi))
        .map(|(wi, _)| wi)
}

/// A run of more than this many chain steps of one kind is folded (`chain`).
const FOLD_OVER: usize = 64;
/// Steps of a folded run kept as they are: its first few, and its last.
const FOLD_HEAD: usize = 5;
const FOLD_TAIL: usize = 1;

/// The chain's steps for `idx` (chain order). A run of one kind longer than `FOLD_OVER` steps
/// (an OOM killer looping over a fork bomb kills thousands of processes) keeps its first
/// `FOLD_HEAD` steps and its last, and says in one step in between how many were left out and
/// what they were: a reader wants the shape of the run, and 400 000 steps cost ~90 MB and a
/// page nobody reads. The incident's `evidence` and `oom_kills` still list every event.
pub(crate) fn chain(events: &[Event], idx: &[usize], spawns: &Spawns) -> Vec<ChainStep> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let kind = events[idx[i]].kind;
        let run = idx[i..]
            .iter()
            .take_while(|&&j| events[j].kind == kind)
            .count();
        let run_idx = &idx[i..i + run];
        if run > FOLD_OVER {
            let (head, rest) = run_idx.split_at(FOLD_HEAD);
            let (folded, tail) = rest.split_at(rest.len() - FOLD_TAIL);
            out.extend(head.iter().map(|&j| step(&events[j], spawns)));
            out.push(folded_step(events, folded));
            out.extend(tail.iter().map(|&j| step(&events[j], spawns)));
        } else {
            out.extend(run_idx.iter().map(|&j| step(&events[j], spawns)));
        }
        i += run;
    }
    out
}

/// One step standing for `run` (events of one kind, in chain order): placed at its first
/// event, it counts them, names the processes of OOM kills, and gives the last one's time.
fn folded_step(events: &[Event], run: &[usize]) -> ChainStep {
    let first = &events[run[0]];
    let last = &events[run[run.len() - 1]];
    let what = if first.kind == K::OomKill {
        let mut by_proc: BTreeMap<&str, usize> = BTreeMap::new();
        for &j in run {
            *by_proc
                .entry(events[j].process.as_deref().unwrap_or("?"))
                .or_default() += 1;
        }
        let mut top: Vec<(&str, usize)> = by_proc.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut names: Vec<String> = top
            .iter()
            .take(3)
            .map(|(p, n)| format!("{p} ×{n}"))
            .collect();
        if top.len() > 3 {
            names.push(format!("{} other names", top.len() - 3));
        }
        format!("OOM kills ({})", names.join(", "))
    } else {
        format!("{} events", first.kind)
    };
    ChainStep {
        time: first.time,
        event: first.id,
        kind: first.kind,
        text: format!(
            "… {} more {what}, the last at {} ({})",
            run.len(),
            last.time.rfc3339(),
            last.id
        ),
        sources: first.sources.clone(),
    }
}

/// One chain line for an event.
pub(crate) fn step(e: &Event, spawns: &Spawns) -> ChainStep {
    ChainStep {
        time: e.time,
        event: e.id,
        kind: e.kind,
        text: describe(e, spawns),
        sources: e.sources.clone(),
    }
}

/// What one chain step says, in words: the event's kind, with the pid, process, unit or
/// program it names. Lines no family describes keep their message.
fn describe(e: &Event, spawns: &Spawns) -> String {
    let n = Names {
        unit: e.unit.as_deref().unwrap_or("?"),
        pid: e
            .pid
            .map(|p| p.to_string())
            .unwrap_or_else(|| "?".to_string()),
        proc_: e.process.as_deref().unwrap_or("?"),
        prog: e.program.as_deref().unwrap_or("?"),
    };
    describe_kernel(e, spawns, &n)
        .or_else(|| describe_unit(e, &n))
        .or_else(|| describe_supervisor(e, &n))
        .or_else(|| describe_cron(e, &n))
        .unwrap_or_else(|| e.message.clone())
}

/// The names a step's sentence uses, `?` where the line gave none.
struct Names<'e> {
    unit: &'e str,
    pid: String,
    proc_: &'e str,
    prog: &'e str,
}

/// The kernel's OOM lines and the userspace OOM killers.
fn describe_kernel(e: &Event, spawns: &Spawns, n: &Names<'_>) -> Option<String> {
    let Names {
        unit, pid, proc_, ..
    } = n;
    Some(match e.kind {
        K::OomInvoked => format!("{proc_} invoked the OOM killer"),
        K::OomVictimExiting => format!(
            "OOM victim pid {pid} ({proc_}) was already exiting: the kernel skipped killing"
        ),
        K::OomNoKillable => {
            "the OOM killer found no killable process (a panic or hang usually follows)".to_string()
        }
        K::OomReapFailed => format!(
            "the OOM reaper could not free the memory of pid {pid} ({proc_}); it is freed when the process exits"
        ),
        K::OomKill => {
            let program = e
                .program
                .as_deref()
                .or_else(|| e.pid.and_then(|p| spawns.program(&e.host, p, e.time)));
            let mut s = format!("OOM killer killed pid {pid} ({proc_})");
            if let Some(p) = program {
                s += &format!(", supervisor program {p}");
            }
            if let Some(u) = &e.unit {
                s += &format!(", in {u}");
            }
            if let Some(r) = e.anon_rss_kb() {
                s += &format!(", anon-rss {}", crate::format::size_kb(r));
            }
            if let Some(t) = e.trigger() {
                s += &format!("; triggered by {t}");
            }
            s
        }
        K::OomdKill => format!(
            "{} killed {}",
            e.tool().unwrap_or("oomd"),
            e.cgroup().unwrap_or(unit)
        ),
        _ => return None,
    })
}

/// systemd's unit lines.
fn describe_unit(e: &Event, n: &Names<'_>) -> Option<String> {
    let Names {
        unit, pid, proc_, ..
    } = n;
    Some(match e.kind {
        K::UnitControlExited => format!(
            "{unit}: control process (ExecStartPre/ExecStop…) exited, code={}, status={}",
            e.code().unwrap_or("?"),
            e.status().unwrap_or("?")
        ),
        K::UnitOom => {
            // systemd repeats the notice for the parent slices; assemble folded those copies
            // into this event (`also_units`), and its second source line is one of them.
            let also: Vec<&str> = e
                .attrs
                .get("also_units")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            let mut s = format!("{unit}: systemd saw the OOM kill in the unit");
            if !also.is_empty() {
                s += &format!(" (also reported for {})", also.join(", "));
            }
            s
        }
        K::UnitStopping => format!("{unit}: stopping"),
        K::UnitStopTimeout => format!("{unit}: stop timed out, killing"),
        K::UnitKilling => format!(
            "{unit}: killing pid {pid} ({proc_}) with {}",
            e.signal().unwrap_or("a signal")
        ),
        K::UnitRemainsRunning => {
            format!("{unit}: pid {pid} ({proc_}) remains running after the unit stopped")
        }
        K::UnitFailed => format!("{unit}: failed with result '{}'", e.result().unwrap_or("?")),
        K::UnitMainExited => format!(
            "{unit}: main process exited, code={}, status={}",
            e.code().unwrap_or("?"),
            e.attrs
                .get("status")
                .map(|v| v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_json().to_string()))
                .unwrap_or_else(|| "?".to_string())
        ),
        K::UnitStopped => format!("{unit}: stopped"),
        K::UnitStarting => format!("{unit}: starting"),
        K::UnitStarted => format!("{unit}: started"),
        K::UnitLeftoverProcess => {
            format!("{unit}: found left-over pid {pid} ({proc_}) while starting")
        }
        K::UnitSucceeded => format!("{unit}: deactivated successfully (job ended)"),
        K::UnitResources => format!(
            "{unit}: resources consumed{}",
            e.attrs
                .get("wall_s")
                .and_then(|v| v.as_f64())
                .map(|w| format!(" over {} wall clock", crate::format::duration(w)))
                .unwrap_or_default()
        ),
        _ => return None,
    })
}

/// supervisord's and supervisorctl's lines.
fn describe_supervisor(e: &Event, n: &Names<'_>) -> Option<String> {
    let Names { pid, prog, .. } = n;
    Some(match e.kind {
        K::SupervisorctlShutdown => "supervisorctl: Shut down (the unit's ExecStop)".to_string(),
        K::SupervisorSignal => format!(
            "supervisord received {} ({} request)",
            e.signal().unwrap_or("?"),
            e.request().unwrap_or("?")
        ),
        K::SupervisorWaiting => {
            let progs: Vec<&str> = e
                .attrs
                .get("programs")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            format!(
                "supervisord waiting for {} program(s) to die: {}",
                progs.len(),
                progs.join(", ")
            )
        }
        K::SupervisorStopped => format!("supervisord stopped {prog}"),
        K::SupervisorExited => format!(
            "{prog} exited ({}){}",
            e.signal()
                .map(str::to_string)
                .or_else(|| e.exit_status().map(|s| format!("exit status {s}")))
                .unwrap_or_else(|| "?".to_string()),
            if e.expected() == Some(false) {
                ", not expected"
            } else {
                ""
            }
        ),
        K::SupervisorSigkill => format!("supervisord killed {prog} (pid {pid}) with SIGKILL"),
        K::SupervisorFatal => format!("{prog} entered FATAL state (gave up restarting)"),
        K::SupervisorSpawned => format!("supervisord spawned {prog} (pid {pid})"),
        K::SupervisorSuccess => format!("{prog} entered RUNNING state (restart confirmed)"),
        K::SupervisorStarted => format!("supervisord started (pid {pid})"),
        _ => return None,
    })
}

/// Backup, cron and worker lines.
fn describe_cron(e: &Event, n: &Names<'_>) -> Option<String> {
    let Names { pid, proc_, .. } = n;
    Some(match e.kind {
        K::BackupStart => format!(
            "backup started: {}{}",
            e.command().or(e.unit.as_deref()).unwrap_or("?"),
            e.user().map(|u| format!(" (user {u})")).unwrap_or_default()
        ),
        K::CronSessionOpen => format!("cron session {pid} opened for {}", e.user().unwrap_or("?")),
        K::CronSessionClose => format!("backup's cron session {pid} closed (job ended)"),
        K::CronEnd | K::BackupEnd => format!(
            "backup ended: {} ({})",
            e.command().or(e.unit.as_deref()).unwrap_or("job"),
            e.basis().unwrap_or("end line")
        ),
        K::WorkerKilled => format!(
            "{proc_} worker pid {pid} was sent {}",
            e.signal().unwrap_or("SIGKILL")
        ),

        _ => return None,
    })
}
