//! Assembly of multi-record facts, run once on the merged, time-sorted events of all inputs.
//!
//! Rules see one record at a time, but some facts span records: a kernel OOM report is a block
//! (header → task table → summary → kill line), one kernel kill makes systemd write a
//! `unit_oom` line for the service *and* each parent slice, and old systemd names a unit only
//! by its description. This pass, per host:
//! 1. folds each OOM block's internal fragments into its `oom_kill` event (trigger, constraint,
//!    memcg, cpuset, memcg limit, unit, summed task table) and drops the fragments;
//! 2. collapses the parent-slice copies of one kill's `unit_oom` into the leaf unit
//!    (`also_units`);
//! 3. resolves old-style job descriptions to unit names, from the same host's new-style lines
//!    first and a small map of well-known Debian/RHEL descriptions second.
//!
//! It only rewrites events (never reorders), so determinism follows from the input order.

use super::{Event, EventKind};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An OOM block's fragments older than this (before its kill line) belong to another report.
const BLOCK_MAX_US: i64 = 60_000_000;
/// systemd writes the slice copies of one kill's notice within the same moment.
const UNIT_OOM_WINDOW_US: i64 = 1_000_000;
/// How far an `oom_kill` may be from the `unit_oom` lines it explains.
const KILL_NEAR_US: i64 = 5_000_000;

/// Well-known unit descriptions, for old-style job lines when no new-style line names the unit.
const KNOWN_DESCRIPTIONS: &[(&str, &str)] = &[
    (
        "Supervisor process control system for UNIX",
        "supervisor.service",
    ),
    (
        "Process Monitoring and Control Daemon",
        "supervisord.service",
    ),
    (
        "Regular background program processing daemon",
        "cron.service",
    ),
    ("Command Scheduler", "crond.service"),
    ("Periodic Command Scheduler", "cronie.service"),
    ("System Logging Service", "rsyslog.service"),
    ("Journal Service", "systemd-journald.service"),
    ("OpenBSD Secure Shell server", "ssh.service"),
    (
        "Userspace Out-Of-Memory (OOM) Killer",
        "systemd-oomd.service",
    ),
    (
        "Cleanup of Temporary Directories",
        "systemd-tmpfiles-clean.service",
    ),
    ("Docker Application Container Engine", "docker.service"),
    (
        "A high performance web server and a reverse proxy server",
        "nginx.service",
    ),
];

const UNIT_SUFFIXES: &[&str] = &[
    ".service",
    ".socket",
    ".target",
    ".timer",
    ".mount",
    ".automount",
    ".scope",
    ".slice",
    ".path",
    ".swap",
    ".device",
];

/// Run every assembly step and drop the internal fragments.
pub fn assemble(events: &mut Vec<Event>) {
    let mut by_host: BTreeMap<std::sync::Arc<str>, Vec<usize>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        by_host.entry(e.host.clone()).or_default().push(i);
    }
    let mut drop = vec![false; events.len()];
    for idxs in by_host.values() {
        fold_oom(events, idxs);
        collapse_unit_oom(events, idxs, &mut drop);
        resolve_descriptions(events, idxs);
    }
    let mut i = 0;
    events.retain(|e| {
        let keep = !drop[i] && !e.kind.is_internal();
        i += 1;
        keep
    });
}

#[derive(Default)]
struct Block {
    start: i64,
    header: Option<usize>,
    summary: Option<usize>,
    select: Option<usize>,
    cpu: Option<usize>,
    cpuset: Option<usize>,
    usage: Option<usize>,
    tasks: Vec<usize>,
}

fn fold_oom(events: &mut [Event], idxs: &[usize]) {
    let mut block: Option<Block> = None;
    for &i in idxs {
        let t = events[i].time.micros;
        match events[i].kind {
            EventKind::OomInvoked => {
                block = Some(Block {
                    start: t,
                    header: Some(i),
                    ..Block::default()
                })
            }
            EventKind::OomSummary
            | EventKind::OomSelect
            | EventKind::OomTaskTable
            | EventKind::OomTask
            | EventKind::OomCpuset
            | EventKind::OomMemcgUsage => {
                let b = block.get_or_insert_with(|| Block {
                    start: t,
                    ..Block::default()
                });
                match events[i].kind {
                    EventKind::OomSummary => b.summary = Some(i),
                    EventKind::OomSelect => b.select = Some(i),
                    EventKind::OomCpuset => b.cpuset = Some(i),
                    EventKind::OomMemcgUsage => b.usage = Some(i),
                    EventKind::OomTask => b.tasks.push(i),
                    // A second table header in one block means the first block had no kill line.
                    _ if !b.tasks.is_empty() => {
                        *b = Block {
                            start: t,
                            ..Block::default()
                        }
                    }
                    _ => {}
                }
            }
            // Stack dumps print this line for many reasons: it belongs to an OOM report only
            // right after the report's header.
            EventKind::OomCpu => {
                if let Some(b) = block
                    .as_mut()
                    .filter(|b| b.header.is_some() && b.cpu.is_none())
                {
                    b.cpu = Some(i);
                }
            }
            EventKind::OomKill => {
                if let Some(b) = block.take() {
                    if t - b.start <= BLOCK_MAX_US {
                        fold_block(events, &b, i);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Single task-table rows kept (biggest RSS first) in the kill's `tasks_top`.
const TASKS_TOP: usize = 5;

fn fold_block(events: &mut [Event], b: &Block, k: usize) {
    let mut add: Vec<(String, Value)> = Vec::new();
    let mut unit = None;
    if let Some(h) = b.header {
        if let Some(p) = &events[h].process {
            add.push(("trigger".into(), Value::from(&**p)));
        }
    }
    if let Some(pid) = b.cpu.and_then(|c| events[c].pid) {
        add.push(("trigger_pid".into(), Value::from(pid)));
    }
    if let Some(c) = b.cpuset {
        // `/` is the root cpuset: no container.
        if let Some(cs) = events[c].attr_str("cpuset").filter(|cs| *cs != "/") {
            add.push(("cpuset".into(), Value::from(cs)));
        }
    }
    if let Some(u) = b.usage {
        for key in ["memcg_usage_kb", "memcg_limit_kb"] {
            if let Some(v) = events[u].attrs.get(key) {
                add.push((key.into(), v.to_json()));
            }
        }
    }
    let mut constraint = None;
    if let Some(s) = b.summary {
        let s = &events[s];
        for key in ["constraint", "oom_memcg", "task_memcg", "uid"] {
            if let Some(v) = s.attrs.get(key) {
                add.push((key.into(), v.to_json()));
            }
        }
        constraint = s.attr_str("constraint").map(str::to_string);
        unit = s.unit.clone();
    }
    let mut scope = None;
    if let Some(s) = b.select {
        let s = &events[s];
        for key in ["prefix", "scope"] {
            if let Some(v) = s.attrs.get(key) {
                add.push((key.into(), v.to_json()));
            }
        }
        scope = s.attr_str("scope").map(str::to_string);
    }
    if scope.is_none() {
        if let Some(c) = constraint {
            let s = if c == "CONSTRAINT_MEMCG" {
                "memcg"
            } else {
                "global"
            };
            add.push(("scope".into(), Value::from(s)));
        }
    }
    if !b.tasks.is_empty() {
        let mut sum: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for &t in &b.tasks {
            let e = &events[t];
            let name = e.process.as_deref().unwrap_or_default().to_string();
            let entry = sum.entry(name).or_default();
            entry.0 += 1;
            entry.1 = entry.1.saturating_add(e.attr_u64("rss_kb").unwrap_or(0));
        }
        let mut rows: Vec<(String, u64, u64)> =
            sum.into_iter().map(|(n, (c, r))| (n, c, r)).collect();
        rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        let tasks: Vec<Value> =
            rows.into_iter().map(|(process, count, rss_kb)| json!({"process": process, "count": count, "rss_kb": rss_kb})).collect();
        add.push(("tasks".into(), Value::from(tasks)));
        // How many rows the table gave: a reader can tell a short table from a cut one.
        add.push(("task_rows".into(), Value::from(b.tasks.len())));
        // The sums hide which single process held the memory (one 9 GB backup process among
        // four python3 rows); keep the biggest rows with their pids.
        let mut single: Vec<(u64, u32, String)> = b
            .tasks
            .iter()
            .map(|&t| {
                let e = &events[t];
                (
                    e.attr_u64("rss_kb").unwrap_or(0),
                    e.pid.unwrap_or(0),
                    e.process.as_deref().unwrap_or_default().to_string(),
                )
            })
            .collect();
        single.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        single.truncate(TASKS_TOP);
        let top: Vec<Value> = single
            .into_iter()
            .map(|(rss_kb, pid, process)| json!({"pid": pid, "process": process, "rss_kb": rss_kb}))
            .collect();
        add.push(("tasks_top".into(), Value::from(top)));
    }
    let kill = &mut events[k];
    for (key, v) in add {
        // What the kill line itself says wins over what the block around it says.
        kill.attrs.insert_absent(&key, v);
    }
    if kill.unit.is_none() {
        kill.unit = unit;
    }
}

fn is_slice(unit: &str) -> bool {
    unit.ends_with(".slice")
}

/// `a-b.slice` is inside `a.slice`; `system.slice`, `user.slice` and `-.slice` hold everything
/// under them.
fn slice_contains(slice: &str, unit: &str) -> bool {
    let Some(stem) = slice.strip_suffix(".slice") else {
        return false;
    };
    stem == "-"
        || unit.starts_with(&format!("{stem}-"))
        || matches!(stem, "system" | "user" | "machine")
}

fn collapse_unit_oom(events: &mut [Event], idxs: &[usize], drop: &mut [bool]) {
    let ooms: Vec<usize> = idxs
        .iter()
        .copied()
        .filter(|&i| events[i].kind == EventKind::UnitOom)
        .collect();
    let kills: Vec<usize> = idxs
        .iter()
        .copied()
        .filter(|&i| events[i].kind == EventKind::OomKill)
        .collect();
    let mut start = 0;
    while start < ooms.len() {
        let t0 = events[ooms[start]].time.micros;
        let mut end = start + 1;
        while end < ooms.len() && events[ooms[end]].time.micros - t0 <= UNIT_OOM_WINDOW_US {
            end += 1;
        }
        collapse_cluster(events, &ooms[start..end], &kills, t0, drop);
        start = end;
    }
}

fn collapse_cluster(
    events: &mut [Event],
    cluster: &[usize],
    kills: &[usize],
    t0: i64,
    drop: &mut [bool],
) {
    // One event per unit name and killer: both wordings of one notice are one fact.
    let mut first_of: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut members: Vec<usize> = Vec::new();
    for &i in cluster {
        let Some(u) = events[i].unit.as_deref().map(str::to_string) else {
            continue;
        };
        let killer = events[i].attr_str("killer").unwrap_or("").to_string();
        match first_of.get(&(u.clone(), killer.clone())) {
            Some(&f) => {
                let src = events[i].sources.clone();
                merge_sources(&mut events[f], src);
                drop[i] = true;
            }
            None => {
                first_of.insert((u, killer), i);
                members.push(i);
            }
        }
    }
    let unit_of =
        |events: &[Event], i: usize| events[i].unit.as_deref().unwrap_or_default().to_string();
    let mut leaves: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| !is_slice(&unit_of(events, i)))
        .collect();
    let slices: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| is_slice(&unit_of(events, i)))
        .collect();
    // The kernel's task_memcg path names the exact chain of slices above the victim's unit.
    let paths: Vec<Vec<String>> = kills
        .iter()
        .filter(|&&k| (events[k].time.micros - t0).abs() <= KILL_NEAR_US)
        .filter_map(|&k| events[k].attr_str("task_memcg"))
        .map(|p| {
            p.split('/')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    if leaves.is_empty() {
        // Only slices: the deepest one (most `-` levels) is the leaf; keep unrelated ones apart.
        let Some(&deepest) = slices
            .iter()
            .max_by_key(|&&i| (unit_of(events, i).matches('-').count(), usize::MAX - i))
        else {
            return;
        };
        leaves.push(deepest);
    }
    let mut also: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for &s in &slices {
        if leaves.contains(&s) {
            continue;
        }
        let su = unit_of(events, s);
        let by_path = leaves.iter().copied().find(|&l| {
            let lu = unit_of(events, l);
            paths.iter().any(|p| p.contains(&su) && p.contains(&lu))
        });
        let target = by_path.or_else(|| {
            let related: Vec<usize> = leaves
                .iter()
                .copied()
                .filter(|&l| slice_contains(&su, &unit_of(events, l)))
                .collect();
            match (related.first(), leaves.len()) {
                (Some(&l), _) => Some(l),
                (None, 1) if !is_slice(&unit_of(events, leaves[0])) => Some(leaves[0]),
                _ => None,
            }
        });
        if let Some(l) = target {
            also.entry(l).or_default().insert(su);
            let src = events[s].sources.clone();
            merge_sources(&mut events[l], src);
            drop[s] = true;
        }
    }
    for (l, units) in also {
        let v: Vec<Value> = units.into_iter().map(Value::from).collect();
        events[l].attrs.insert("also_units", Value::from(v));
    }
}

fn merge_sources(e: &mut Event, more: Vec<crate::model::Location>) {
    for s in more {
        if !e.sources.contains(&s) {
            e.sources.push(s);
        }
    }
    e.sources.sort();
}

fn has_description(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::UnitStarting
            | EventKind::UnitStarted
            | EventKind::UnitStopping
            | EventKind::UnitStopped
            | EventKind::UnitFailed
            | EventKind::BackupStart
            | EventKind::BackupEnd
    )
}

fn resolve_descriptions(events: &mut [Event], idxs: &[usize]) {
    let mut named: HashMap<String, String> = HashMap::new();
    for &i in idxs {
        let e = &events[i];
        if let (true, Some(u), Some(d)) =
            (has_description(e.kind), &e.unit, e.attr_str("description"))
        {
            named.entry(d.to_string()).or_insert_with(|| u.to_string());
        }
    }
    for &i in idxs {
        let e = &mut events[i];
        if !has_description(e.kind) || e.unit.is_some() {
            continue;
        }
        let Some(d) = e.attr_str("description").map(str::to_string) else {
            continue;
        };
        let (unit, how) = if let Some(u) = named.get(&d) {
            (u.clone(), "same-host")
        } else if let Some((_, u)) = KNOWN_DESCRIPTIONS.iter().find(|(k, _)| *k == d) {
            (u.to_string(), "builtin-map")
        } else if !d.contains(' ') && UNIT_SUFFIXES.iter().any(|s| d.ends_with(s)) {
            (d.clone(), "description-is-unit")
        } else {
            continue;
        };
        e.unit = Some(unit.into());
        e.attrs.insert("unit_from", Value::from(how));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, Timestamp};
    use std::sync::Arc;

    fn ev(t_s: i64, kind: EventKind, line: u64, msg: &str) -> Event {
        Event {
            id: Default::default(),
            time: Timestamp::from_utc_micros(t_s * 1_000_000, 0),
            host: "largeweb2".into(),
            kind,
            pid: None,
            process: None,
            unit: None,
            program: None,
            message: msg.into(),
            sources: vec![Location::Line {
                path: Arc::from("syslog"),
                line,
            }],
            attrs: Default::default(),
            rule: "",
            ident: "".into(),
        }
    }

    fn unit_oom(t: i64, line: u64, unit: &str) -> Event {
        let mut e = ev(
            t,
            EventKind::UnitOom,
            line,
            &format!("{unit}: A process of this unit has been killed by the OOM killer."),
        );
        e.unit = Some(unit.into());
        e.attrs.insert("killer", Value::from("kernel"));
        e
    }

    #[test]
    fn parent_slice_copies_collapse_to_the_leaf_named_by_task_memcg() {
        // openprescribing#5431 shape: the service, its slice and system.slice in one second.
        let mut kill = ev(
            0,
            EventKind::OomKill,
            1,
            "Out of memory: Killed process 1 (postgres)",
        );
        kill.attrs.insert(
            "task_memcg",
            Value::from("/system.slice/system-postgresql.slice/postgresql@14-main.service"),
        );
        let mut evs = vec![
            kill,
            unit_oom(0, 2, "postgresql@14-main.service"),
            unit_oom(0, 3, "system-postgresql.slice"),
            unit_oom(0, 4, "system.slice"),
            unit_oom(9, 5, "cron.service"),
        ];
        assemble(&mut evs);
        assert_eq!(evs.len(), 3);
        assert_eq!(evs[1].unit.as_deref(), Some("postgresql@14-main.service"));
        assert_eq!(
            evs[1].attrs.json("also_units"),
            json!(["system-postgresql.slice", "system.slice"])
        );
        assert_eq!(evs[1].sources.len(), 3);
        assert_eq!(evs[2].unit.as_deref(), Some("cron.service"));
        assert!(!evs[2].attrs.contains_key("also_units"));
    }

    #[test]
    fn only_slices_keep_the_deepest_and_both_wordings_are_one_fact() {
        let mut evs = vec![
            unit_oom(0, 1, "user-1021.slice"),
            unit_oom(0, 2, "user.slice"),
            unit_oom(0, 3, "user-1021.slice"),
        ];
        assemble(&mut evs);
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].unit.as_deref(), Some("user-1021.slice"));
        assert_eq!(evs[0].attrs.json("also_units"), json!(["user.slice"]));
        assert_eq!(evs[0].sources.len(), 3);
    }

    #[test]
    fn old_style_descriptions_resolve_from_the_same_host_then_the_builtin_map() {
        let mut named = ev(
            0,
            EventKind::UnitStopping,
            1,
            "Stopping myapp.service - My App...",
        );
        named.unit = Some("myapp.service".into());
        named.attrs.insert("description", Value::from("My App"));
        let mut old = ev(5, EventKind::UnitStarting, 2, "Starting My App...");
        old.attrs.insert("description", Value::from("My App"));
        let mut sup = ev(
            6,
            EventKind::UnitStopped,
            3,
            "Stopped Supervisor process control system for UNIX.",
        );
        sup.attrs.insert(
            "description",
            Value::from("Supervisor process control system for UNIX"),
        );
        let mut other_host = ev(7, EventKind::UnitStarting, 4, "Starting My App...");
        other_host.host = "elsewhere".into();
        other_host
            .attrs
            .insert("description", Value::from("My App"));
        let mut evs = vec![named, old, sup, other_host];
        assemble(&mut evs);
        assert_eq!(evs[1].unit.as_deref(), Some("myapp.service"));
        assert_eq!(evs[1].attr_str("unit_from"), Some("same-host"));
        assert_eq!(evs[2].unit.as_deref(), Some("supervisor.service"));
        assert_eq!(evs[2].attr_str("unit_from"), Some("builtin-map"));
        assert_eq!(evs[3].unit, None);
    }

    #[test]
    fn task_rows_sum_by_name_sorted_by_rss() {
        let mut h = ev(0, EventKind::OomInvoked, 1, "php invoked oom-killer");
        h.process = Some("php".into());
        let row = |line, name: &str, rss: u64| {
            let mut r = ev(0, EventKind::OomTask, line, "[row]");
            r.process = Some(name.into());
            r.pid = Some(line as u32 * 100);
            r.attrs.insert("rss_kb", Value::from(rss));
            r
        };
        let mut kill = ev(1, EventKind::OomKill, 9, "Killed process 29587 (php)");
        kill.pid = Some(29587);
        let mut evs = vec![
            h,
            row(2, "php", 100),
            row(3, "bash", 400),
            row(4, "php", 350),
            kill,
        ];
        assemble(&mut evs);
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[1].attr_str("trigger"), Some("php"));
        assert_eq!(
            evs[1].attrs.json("tasks"),
            json!([{"process": "php", "count": 2, "rss_kb": 450}, {"process": "bash", "count": 1, "rss_kb": 400}])
        );
        assert_eq!(
            evs[1].attrs.json("tasks_top"),
            json!([{"pid": 300, "process": "bash", "rss_kb": 400}, {"pid": 400, "process": "php", "rss_kb": 350}, {"pid": 200, "process": "php", "rss_kb": 100}])
        );
    }

    #[test]
    fn stale_fragments_do_not_attach_to_a_later_kill() {
        let mut h = ev(0, EventKind::OomInvoked, 1, "a invoked oom-killer");
        h.process = Some("a".into());
        let kill = ev(
            3600,
            EventKind::OomKill,
            2,
            "Out of memory: Killed process 5 (b)",
        );
        let mut evs = vec![h, kill];
        assemble(&mut evs);
        assert_eq!(evs.len(), 2);
        assert!(!evs[1].attrs.contains_key("trigger"));
    }
}
