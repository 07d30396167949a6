//! Recommendations: each one follows from a specific piece of evidence in an incident and cites
//! its event ids, so an engineer can check the advice against the log line before changing a
//! unit. Advice that the evidence does not support is never given (no OOMPolicy advice without a
//! cascade, no KillMode advice without orphans), and values stay inside what systemd accepts
//! (`OOMScoreAdjust=` is −1000…1000).

use super::windows::Window;
use crate::events::{Event, EventKind as K};
use crate::report::{BackupJob, Incident, Recommendation};

fn ids(events: &[Event], chain: &[usize], pred: impl Fn(&Event) -> bool) -> Vec<String> {
    chain
        .iter()
        .map(|&i| &events[i])
        .filter(|e| pred(e))
        .map(|e| e.id.clone())
        .collect()
}

/// The advice for one incident. `window`/`job` are the linked backup and its job, if any.
pub(crate) fn recommend(
    inc: &Incident,
    events: &[Event],
    chain: &[usize],
    sup_unit: Option<&str>,
    window: Option<&Window>,
    job: Option<&BackupJob>,
) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    let mut add = |slug: &str, text: String, evidence: Vec<String>| {
        if !evidence.is_empty() {
            out.push(Recommendation {
                id: format!("{}-{slug}", inc.id),
                text,
                evidence,
            });
        }
    };
    let unit = sup_unit
        .map(str::to_string)
        .or_else(|| inc.oom_kills.iter().find_map(|k| k.unit.clone()))
        .unwrap_or_else(|| "supervisor.service".to_string());
    let oom_ids = ids(events, chain, |e| {
        matches!(e.kind, K::OomKill | K::UnitOom | K::OomdKill)
    });
    let backup_start = window
        .and_then(|w| w.start_idx)
        .map(|i| events[i].id.clone());

    if inc.kind == "oom-cascade" {
        let ev = ids(events, chain, |e| {
            e.kind == K::UnitOom
                || (e.kind == K::UnitFailed && e.attr_str("result") == Some("oom-kill"))
                || e.kind == K::UnitStopping
                || e.kind == K::SupervisorctlShutdown
        });
        add(
            "oompolicy",
            format!(
                "One OOM kill stopped all of {unit}: systemd's default OOMPolicy=stop (inferred from the \
                 sequence OOM notice → stop → Failed with result 'oom-kill'). Keep the unit running when \
                 the kernel kills one worker — supervisord respawns it: `systemctl edit {unit}` and add \
                 `[Service]` / `OOMPolicy=continue`, then `systemctl daemon-reload`."
            ),
            ev,
        );
        add(
            "oomscoreadjust",
            format!(
                "Make the OOM killer prefer the backup over the serving processes: give the backup a \
                 positive score (`OOMScoreAdjust=500` in its unit, or `choom -n 500 -- <command>` in the \
                 cron line) and, if supervisord itself must survive, a protective `OOMScoreAdjust=-500` \
                 in the {unit} drop-in (valid range −1000…1000; −1000 disables killing entirely, values \
                 such as −1500 are rejected)."
            ),
            oom_ids.clone(),
        );
    }
    if matches!(inc.kind.as_str(), "oom-cascade" | "oom-kill" | "oomd-kill") {
        if let (Some(w), Some(start_id)) = (window, backup_start.clone()) {
            let mut ev = vec![start_id.clone()];
            ev.extend(oom_ids.iter().cloned());
            let text = match &w.unit {
                Some(u) => format!(
                    "Cap the backup's memory so it cannot push the host into the OOM killer: \
                     `systemctl edit {u}` → `[Service]` / `MemoryHigh=` (throttles) and `MemoryMax=` \
                     (hard cap), sized below the memory the workers need."
                ),
                None => format!(
                    "Run the backup in a memory-limited scope so it cannot push the host into the OOM \
                     killer: in the crontab, `systemd-run --scope -p MemoryHigh=<soft> -p MemoryMax=<hard> \
                     {}` (sizes below the memory the workers need).",
                    w.command.as_deref().unwrap_or("<backup command>")
                ),
            };
            add("backup-memory", text, ev);
            let when = job
                .and_then(|j| j.schedule.clone())
                .map(|s| format!(" (schedule `{s}`)"))
                .unwrap_or_default();
            add(
                "backup-schedule",
                format!(
                    "The incident started {} into the backup `{}`{when}: move the backup off the busy \
                     hours, run it less often, or run it on a replica.",
                    super::human_duration(inc.backup_lag_s.unwrap_or(0.0)),
                    w.job()
                ),
                vec![start_id],
            );
        } else if !oom_ids.is_empty() && inc.kind != "oomd-kill" {
            add(
                "memory-limit",
                format!(
                    "Memory ran out without a backup running: check `memory_top` for the processes that \
                     held it, and bound the biggest with `MemoryHigh=`/`MemoryMax=` in their unit \
                     (`systemctl edit {unit}`) or fewer worker processes."
                ),
                oom_ids.clone(),
            );
        }
    }
    if !inc.orphans.is_empty() {
        let ev: Vec<String> = {
            let mut v: Vec<String> = inc.orphans.iter().map(|o| o.event.clone()).collect();
            v.sort();
            v.dedup();
            v
        };
        add(
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
    let timeouts = ids(events, chain, |e| {
        e.kind == K::UnitStopTimeout
            || (e.kind == K::UnitFailed && e.attr_str("result") == Some("timeout"))
    });
    if !timeouts.is_empty() {
        add(
            "stop-timeout",
            format!(
                "systemd killed {unit} before supervisord finished stopping its programs: set \
                 `TimeoutStopSec=` in the unit above the largest `stopwaitsecs` of its programs (Frappe's \
                 workers use up to 1560 s), or lower `stopwaitsecs`."
            ),
            timeouts,
        );
    }
    match inc.kind.as_str() {
        "worker-crash" => {
            let ev = ids(events, chain, |e| {
                matches!(
                    e.kind,
                    K::SupervisorExited | K::SupervisorSigkill | K::WorkerKilled
                )
            });
            add(
                "crash-logs",
                "A worker exited unexpectedly without an OOM kill: read the program's own stderr log \
                 (for Frappe `<bench>/logs/*.error.log`; `supervisorctl tail -f <program> stderr`) around \
                 the exit time for the traceback."
                    .to_string(),
                ev,
            );
        }
        "restart-loop" => {
            let ev = ids(events, chain, |e| {
                matches!(
                    e.kind,
                    K::SupervisorFatal | K::SupervisorExited | K::UnitRestartScheduled
                )
            });
            add(
                "restart-loop",
                "A program kept dying right after start: fix the cause in its error log before raising \
                 `startretries`/`startsecs` (supervisord) or `StartLimitBurst=` (systemd)."
                    .to_string(),
                ev,
            );
        }
        "oomd-kill" => {
            let ev = ids(events, chain, |e| e.kind == K::OomdKill);
            add(
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
    out
}
