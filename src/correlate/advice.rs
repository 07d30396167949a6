//! Recommendations: each one follows from a specific piece of evidence in an incident and cites
//! its event ids, so an engineer can check the advice against the log line before changing a
//! unit. Advice that the evidence does not support is never given (no OOMPolicy advice without a
//! cascade, no KillMode advice without orphans), and values stay inside what systemd accepts
//! (`OOMScoreAdjust=` is −1000…1000).

use super::windows::Window;
use crate::events::{Event, EventId, EventKind as K};
use crate::report::{BackupJob, Incident, IncidentKind, Recommendation};

fn ids(events: &[Event], chain: &[usize], pred: impl Fn(&Event) -> bool) -> Vec<EventId> {
    chain
        .iter()
        .map(|&i| &events[i])
        .filter(|e| pred(e))
        .map(|e| e.id)
        .collect()
}

/// The advice for one incident. `window`/`job` are the linked backup and its job, if any.
/// What every piece of advice reads about one incident.
struct Ctx<'a> {
    inc: &'a Incident,
    events: &'a [Event],
    chain: &'a [usize],
    /// The unit the evidence names: the stopped one, else the first victim's. Never assumed:
    /// advice without a unit says how to find it.
    unit: Option<String>,
    /// The incident's OOM evidence (kills, unit notices, oomd kills).
    oom_ids: Vec<EventId>,
    /// The linked backup's start line.
    backup_start: Option<EventId>,
    window: Option<&'a Window>,
    job: Option<&'a BackupJob>,
}

/// The recommendations so far; one without evidence is not given.
struct Advice {
    /// The incident's id, which prefixes each recommendation's.
    incident: String,
    out: Vec<Recommendation>,
}

impl Advice {
    fn add(&mut self, slug: &str, text: String, evidence: Vec<EventId>) {
        if !evidence.is_empty() {
            self.out.push(Recommendation {
                id: format!("{}-{slug}", self.incident),
                text,
                evidence,
            });
        }
    }
}

pub(crate) fn recommend(
    inc: &Incident,
    events: &[Event],
    chain: &[usize],
    sup_unit: Option<&str>,
    window: Option<&Window>,
    job: Option<&BackupJob>,
) -> Vec<Recommendation> {
    let c = Ctx {
        inc,
        events,
        chain,
        unit: sup_unit.map(str::to_string).or_else(|| {
            inc.oom_kills
                .iter()
                .find_map(|k| k.unit.as_deref().map(str::to_string))
        }),
        oom_ids: ids(events, chain, |e| {
            matches!(
                e.kind,
                K::OomKill | K::UnitOom | K::OomdKill | K::OomNoKillable
            )
        }),
        backup_start: window.and_then(|w| w.start_idx).map(|i| events[i].id),
        window,
        job,
    };
    let mut a = Advice {
        incident: inc.id.clone(),
        out: Vec::new(),
    };
    cascade(&c, &mut a);
    memory(&c, &mut a);
    orphans(&c, &mut a);
    stop_timeout(&c, &mut a);
    by_kind(&c, &mut a);
    a.out
}

/// An OOM cascade: OOMPolicy, the OOM score of the backup.
fn cascade(c: &Ctx<'_>, a: &mut Advice) {
    let Ctx {
        inc,
        events,
        chain,
        unit,
        oom_ids,
        ..
    } = c;
    let (backup_start, window) = (c.backup_start, c.window);
    // A cascade's evidence is a unit's stop: the unit is named unless the lines were cut.
    let unit = unit.as_deref().unwrap_or("<the unit>");
    if inc.kind == IncidentKind::OomCascade {
        let ev = ids(events, chain, |e| {
            e.kind == K::UnitOom
                || (e.kind == K::UnitFailed && e.result() == Some("oom-kill"))
                || e.kind == K::UnitStopping
                || e.kind == K::SupervisorctlShutdown
        });
        a.add(
            "oompolicy",
            format!(
                "One OOM kill stopped all of {unit}: systemd's default OOMPolicy=stop (inferred from the \
                 sequence OOM notice → stop → Failed with result 'oom-kill'). Keep the unit running when \
                 the kernel kills one worker — supervisord respawns it: `systemctl edit {unit}` and add \
                 `[Service]` / `OOMPolicy=continue`, then `systemctl daemon-reload`."
            ),
            ev,
        );
        // The score goes on the backup, written the way its scheduler takes it. A negative
        // score on the supervisor unit is not offered: supervisord's children inherit
        // oom_score_adj, so it would shield every worker too and push the kill elsewhere.
        if let (Some(w), Some(start_id)) = (window, backup_start) {
            let how = match (&w.unit, &w.command) {
                (Some(u), _) => format!(
                    "`systemctl edit {u}` → `[Service]` / `OOMScoreAdjust=500` in the backup's unit"
                ),
                (None, Some(c)) => format!(
                    "in the crontab, run it as `choom -n 500 -- sh -c {}`",
                    shell_quote(c)
                ),
                (None, None) => {
                    "`choom -n 500 -- <backup command>` where it is started".to_string()
                }
            };
            let mut ev = vec![start_id];
            ev.extend(oom_ids.iter().cloned());
            a.add(
                "oomscoreadjust",
                format!(
                    "Make the OOM killer prefer the backup over the serving processes: give the backup a \
                     positive score — {how} (valid range −1000…1000). Do not protect {unit} with a \
                     negative `OOMScoreAdjust=` instead: every process supervisord starts inherits \
                     oom_score_adj, so the workers would be shielded as well and the kernel would pick \
                     another victim (often the database)."
                ),
                ev,
            );
        }
    }
}

/// OOM kills: bound the backup's memory, move it, or bound the workers.
fn memory(c: &Ctx<'_>, a: &mut Advice) {
    let Ctx {
        inc,
        events,
        unit,
        oom_ids,
        ..
    } = c;
    let (backup_start, window, job) = (c.backup_start, c.window, c.job);
    if inc.kind.is_oom() {
        if let (Some(w), Some(start_id)) = (window, backup_start) {
            let mut ev = vec![start_id];
            ev.extend(oom_ids.iter().cloned());
            // systemd's `Consumed …, 1.2G memory peak.` says how much the backup itself held.
            // When that is less than a single victim held, the backup was not the main consumer:
            // say so rather than overstate what capping it would achieve.
            let peak = w.members.iter().map(|&j| &events[j]).find_map(|e| {
                (e.kind == K::UnitResources)
                    .then(|| e.memory_peak_bytes().map(|b| (b / 1024, e.id)))
                    .flatten()
            });
            let victim = inc
                .oom_kills
                .iter()
                .filter_map(|k| k.anon_rss_kb.map(|r| (r, k)))
                .max_by_key(|(r, k)| (*r, std::cmp::Reverse(k.pid)));
            // Both known and the backup's peak below the victim's anon-rss.
            let small_peak = match (&peak, victim) {
                (Some((p, id)), Some((r, k))) if *p < r => Some((*p, *id, r, k)),
                _ => None,
            };
            if let Some((_, id, _, _)) = &small_peak {
                ev.push(*id);
            }
            let text = match (&w.unit, &small_peak) {
                (Some(u), Some((p, _, r, k))) => format!(
                    "The backup's own memory peak was {} (its `Consumed …` line), less than the {} \
                     anon-rss of the killed {} {}: the backup overlapped the kill but was not the \
                     main memory user, so capping it frees at most that much. Find what grew first; \
                     if the backup is still suspected (page cache, I/O pressure), bound it with \
                     `systemctl edit {u}` → `[Service]` / `MemoryHigh=` (throttles) and \
                     `MemoryMax=` (hard cap).",
                    crate::format::size_kb(*p),
                    crate::format::size_kb(*r),
                    k.process,
                    k.pid
                ),
                (Some(u), None) => format!(
                    "Cap the backup's memory so it cannot push the host into the OOM killer: \
                     `systemctl edit {u}` → `[Service]` / `MemoryHigh=` (throttles) and `MemoryMax=` \
                     (hard cap), sized below the memory the workers need."
                ),
                (None, _) => format!(
                    "Run the backup in a memory-limited scope so it cannot push the host into the OOM \
                     killer: in the crontab, `systemd-run --scope -p MemoryHigh=<soft> -p MemoryMax=<hard> \
                     sh -c {}` (sizes below the memory the workers need).",
                    shell_quote(w.command.as_deref().unwrap_or("<backup command>"))
                ),
            };
            a.add("backup-memory", text, ev);
            let when = job
                .and_then(|j| j.schedule.clone())
                .map(|s| format!(" (schedule `{s}`)"))
                .unwrap_or_default();
            a.add(
                "backup-schedule",
                format!(
                    "The incident started {} into the backup `{}`{when}: move the backup off the busy \
                     hours, run it less often, or run it on a replica.",
                    crate::format::duration(inc.backup_lag_s.unwrap_or(0.0)),
                    w.job()
                ),
                vec![start_id],
            );
        } else if !oom_ids.is_empty() && inc.kind != IncidentKind::OomdKill {
            // A kill in a memory cgroup's OOM is at that cgroup's limit, whatever the host had.
            let memcg = c.chain.iter().map(|&i| &events[i]).any(|e| {
                e.kind == K::OomKill
                    && (e.scope() == Some("memcg") || e.constraint() == Some("CONSTRAINT_MEMCG"))
            });
            a.add(
                "memory-limit",
                no_backup_memory(inc, unit.as_deref(), memcg),
                oom_ids.clone(),
            );
        }
    }
}

/// Advice for an OOM no backup overlapped, from what the evidence shows: a kill at a memory
/// cgroup's limit (a container's, a unit's `MemoryMax=`) is about that limit, not the host; a
/// unit is named only when a line names it.
fn no_backup_memory(inc: &Incident, unit: Option<&str>, memcg: bool) -> String {
    let find = if inc.memory_top.is_empty() {
        "the OOM report has no task table (add kern.log or the journal's kernel lines if you have \
         them), so find what grew with your metrics"
    } else {
        "`memory_top` lists the processes that held the memory"
    };
    let at_limit = inc
        .oom_kills
        .iter()
        .find(|k| k.container.is_some() || k.memcg_limit_kb.is_some())
        .or_else(|| inc.oom_kills.first().filter(|_| memcg));
    if let Some(k) = at_limit {
        let whose = match &k.container {
            Some(c) => c.to_string(),
            None => "its memory cgroup".to_string(),
        };
        let limit = k
            .memcg_limit_kb
            .map(|l| format!(" ({})", crate::format::size_kb(l)))
            .unwrap_or_default();
        return format!(
            "{} {} was killed at the memory limit of {whose}{limit}, not because the host ran out: \
             raise that limit (the container's or pod's `resources.limits.memory`, or the unit's \
             `MemoryMax=`) or cut what runs inside it; {find}.",
            k.process, k.pid
        );
    }
    let bound = match unit {
        Some(u) => format!(
            "bound the biggest with fewer worker processes or `MemoryHigh=` (throttles) in their \
             unit (`systemctl edit {u}`). If you add a hard `MemoryMax=` to {u}, add \
             `OOMPolicy=continue` with it: a kill at that limit is an OOM kill inside the unit, and \
             the default OOMPolicy=stop would then stop the whole unit and every program in it"
        ),
        None => "no line names the victim's unit (on the host, `systemctl status <pid>` tells while \
                 it runs); bound the biggest consumer with fewer worker processes or `MemoryHigh=` \
                 in its unit"
            .to_string(),
    };
    format!("No backup window in these logs overlaps this OOM: {find}, and {bound}.")
}

/// Processes that outlived their supervisor.
fn orphans(c: &Ctx<'_>, a: &mut Advice) {
    let Ctx { inc, unit, .. } = c;
    let unit = unit.as_deref().unwrap_or("<the unit>");
    if !inc.orphans.is_empty() {
        let ev: Vec<EventId> = {
            let mut v: Vec<EventId> = inc.orphans.iter().map(|o| o.event).collect();
            v.sort();
            v.dedup();
            v
        };
        a.add(
            "orphans",
            format!(
                "{} process(es) outlived {unit} (KillMode=process lets supervisord's children survive it, \
                 re-parented to PID 1). Stop them before restarting (they stay in the unit's control group: \
                 `systemd-cgls -u {unit}` lists them; `kill` the pids listed) and consider \
                 `KillMode=mixed` in a drop-in so systemd SIGKILLs what remains after supervisord exits.",
                inc.orphans.len()
            ),
            ev,
        );
    }
}

/// systemd's stop timeout cut supervisord's own stop short.
fn stop_timeout(c: &Ctx<'_>, a: &mut Advice) {
    let Ctx {
        events,
        chain,
        unit,
        ..
    } = c;
    let unit = unit.as_deref().unwrap_or("<the unit>");
    let timeouts = ids(events, chain, |e| {
        e.kind == K::UnitStopTimeout || (e.kind == K::UnitFailed && e.result() == Some("timeout"))
    });
    if !timeouts.is_empty() {
        a.add(
            "stop-timeout",
            format!(
                "systemd killed {unit} before supervisord finished stopping its programs: set \
                 `TimeoutStopSec=` in the unit above the largest `stopwaitsecs` of its programs (Frappe's \
                 workers use up to 1560 s), or lower `stopwaitsecs`."
            ),
            timeouts,
        );
    }
}

/// Advice that belongs to one incident kind only.
fn by_kind(c: &Ctx<'_>, a: &mut Advice) {
    let Ctx {
        inc, events, chain, ..
    } = c;
    match inc.kind {
        IncidentKind::WorkerCrash => {
            let ev = ids(events, chain, |e| {
                matches!(
                    e.kind,
                    K::SupervisorExited | K::SupervisorSigkill | K::WorkerKilled
                )
            });
            a.add(
                "crash-logs",
                format!(
                    "A program exited unexpectedly without an OOM kill: read its own stderr log around the \
                     exit time for the traceback — the file (for Frappe `<bench>/logs/*.error.log`), or \
                     `supervisorctl tail -20000 <group>:{} stderr` for its last 20 kB (`tail -f` would \
                     only follow new output).",
                    inc.workers_lost.first().map_or("<program>", |p| p.as_str())
                ),
                ev,
            );
        }
        IncidentKind::RestartLoop => {
            let ev = ids(events, chain, |e| {
                matches!(
                    e.kind,
                    K::SupervisorFatal | K::SupervisorExited | K::UnitRestartScheduled
                )
            });
            a.add(
                "restart-loop",
                "A program kept dying right after start: fix the cause in its error log before raising \
                 `startretries`/`startsecs` (supervisord) or `StartLimitBurst=` (systemd)."
                    .to_string(),
                ev,
            );
        }
        IncidentKind::OomdKill => {
            let ev = ids(events, chain, |e| e.kind == K::OomdKill);
            a.add(
                "oomd",
                "systemd-oomd killed a whole cgroup under memory pressure: raise \
                 `ManagedOOMMemoryPressureLimit=` for that slice, or exclude the unit with \
                 `ManagedOOMPreference=avoid`, after bounding the memory hog."
                    .to_string(),
                ev,
            );
        }
        _ => {}
    }
}

/// Single-quote `s` for a POSIX shell (`'` becomes `'\''`), so a cron command with `cd … && …`
/// or redirections can run under `sh -c` as one argument.
pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
