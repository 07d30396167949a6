//! Backup windows: pairs each `backup_start` with the line that proves the job ended, using only
//! the join keys real logs offer (reference §4.5). The reason this is its own module: the keys are
//! different for every scheduler (Debian cron's CMD pid is the *grandchild* while the PAM session
//! and "No MTA" lines carry the *child* pid; cronie's CMDEND carries the child pid and the command
//! text; systemd oneshots are joined by unit name), and a wrong join silently produces a wrong
//! duration. A window whose end cannot be proven keeps `end: None` / `end_basis: "unknown"`.

use crate::events::{Event, EventKind};
use crate::model::Timestamp;
use crate::report::EndBasis;
use std::collections::HashSet;

/// A window as correlation sees it: the report fields plus the indices of its start and end
/// events (incidents cite them in their chain).
#[derive(Clone, Debug)]
pub(crate) struct Window {
    pub host: String,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub end_basis: EndBasis,
    pub command: Option<String>,
    pub unit: Option<String>,
    pub user: Option<String>,
    /// Index of the start event; `None` for a window derived from `Consumed … wall clock time`.
    pub start_idx: Option<usize>,
    pub end_idx: Option<usize>,
    /// Every event index joining the window, in time order.
    pub members: Vec<usize>,
}

impl Window {
    /// The job identity: unit for systemd jobs, otherwise the command text.
    pub fn job(&self) -> String {
        self.unit
            .clone()
            .or_else(|| self.command.clone())
            .unwrap_or_else(|| "?".to_string())
    }
    pub fn duration_s(&self) -> Option<f64> {
        self.end.map(|e| e.seconds_since(&self.start))
    }
}

/// Cron's CMD line and its PAM `session opened` line are written in the same second by
/// processes forked a moment apart; allow one second for a tick between the two writes.
const SAME_SECOND_US: i64 = 1_000_000;

fn same_user(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        // A missing user on either side does not contradict the join.
        _ => true,
    }
}

/// Pair every backup start with its end. `events` must be time-sorted (the pipeline does it).
pub(crate) fn backup_windows(events: &[Event]) -> Vec<Window> {
    let mut used: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for (i, s) in events.iter().enumerate() {
        if s.kind != EventKind::BackupStart {
            continue;
        }
        let via = s
            .via()
            .unwrap_or(if s.unit.is_some() { "systemd" } else { "cron" });
        let w = match via {
            "systemd" => systemd_window(events, i, &mut used),
            "anacron" => keyed_window(
                events,
                i,
                &mut used,
                EventKind::AnacronEnd,
                EndBasis::Anacron,
            ),
            "run-parts" => keyed_window(
                events,
                i,
                &mut used,
                EventKind::RunPartsEnd,
                EndBasis::RunParts,
            ),
            _ => cron_window(events, i, &mut used),
        };
        out.push(w);
    }
    let derived = consumed_only_windows(events, &used, &out);
    out.extend(derived);
    out.sort_by(|a, b| {
        (a.start, &a.host, a.start_idx, a.end_idx).cmp(&(b.start, &b.host, b.start_idx, b.end_idx))
    });
    out
}

fn base(s: &Event, i: usize) -> Window {
    Window {
        host: s.host.to_string(),
        start: s.time,
        end: None,
        end_basis: EndBasis::Unknown,
        command: command_of(s),
        unit: s.unit.as_deref().map(str::to_string),
        user: s.user().map(str::to_string),
        start_idx: Some(i),
        end_idx: None,
        members: vec![i],
    }
}

/// The command a window is known by: the cron command, or `dir/script` for run-parts, or the
/// anacron job name (those rules carry no `command`).
fn command_of(s: &Event) -> Option<String> {
    if let Some(c) = s.command() {
        return Some(c.to_string());
    }
    match (s.dir(), s.script()) {
        (Some(d), Some(x)) => Some(format!("{}/{x}", d.trim_end_matches('/'))),
        (None, Some(x)) => Some(x.to_string()),
        _ => s.job().map(str::to_string),
    }
}

fn finish(
    mut w: Window,
    events: &[Event],
    end: Option<(usize, EndBasis)>,
    extra: Vec<usize>,
) -> Window {
    if let Some((j, basis)) = end {
        w.end = Some(events[j].time);
        w.end_basis = basis;
        w.end_idx = Some(j);
        w.members.push(j);
    }
    w.members.extend(extra);
    w.members.sort_unstable();
    w.members.dedup();
    w
}

/// Debian cron and cronie. The end is, in order of directness: cronie `CMDEND` / cron `END`
/// (joined by command text + user), `grandchild #PID failed` (PID == CMD pid), the PAM
/// `session closed` of the session opened for this job, and `No MTA installed` of that session.
fn cron_window(events: &[Event], i: usize, used: &mut HashSet<usize>) -> Window {
    let s = &events[i];
    let w = base(s, i);
    let user = s.user();
    let cmd = s.command();

    // The session: opened in the same second by the same user, pid below the CMD pid, nearest.
    let session = s.pid.and_then(|gpid| {
        events
            .iter()
            .enumerate()
            .filter(|(j, e)| {
                e.kind == EventKind::CronSessionOpen
                    && e.host == s.host
                    && !used.contains(j)
                    && (e.time.micros - s.time.micros).abs() <= SAME_SECOND_US
                    && same_user(e.user(), user)
                    && e.pid.is_some_and(|p| p < gpid)
            })
            .max_by_key(|(j, e)| (e.pid, std::cmp::Reverse(*j)))
            .map(|(j, e)| (j, e.pid.unwrap_or(0)))
    });
    let spid = session.map(|(_, p)| p);

    let mut best: [Option<usize>; 5] = [None; 5];
    const BASES: [EndBasis; 5] = [
        EndBasis::CronieCmdend,
        EndBasis::CronEnd,
        EndBasis::CronGrandchild,
        EndBasis::CronSession,
        EndBasis::CronNoMta,
    ];
    for (j, e) in events.iter().enumerate().skip(i + 1) {
        if e.host != s.host || used.contains(&j) || e.time < s.time {
            continue;
        }
        let slot = match e.kind {
            EventKind::CronEnd | EventKind::BackupEnd => {
                match e.basis().and_then(EndBasis::parse) {
                    Some(b @ (EndBasis::CronieCmdend | EndBasis::CronEnd)) => {
                        let same_cmd = cmd.is_some() && e.command() == cmd;
                        let pid_ok = match (e.pid, spid) {
                            (Some(p), Some(sp)) => p == sp || Some(p) == s.pid,
                            _ => true,
                        };
                        (same_cmd && same_user(e.user(), user) && pid_ok)
                            .then_some(if b == EndBasis::CronieCmdend { 0 } else { 1 })
                    }
                    Some(EndBasis::CronGrandchild) => {
                        let g = e.grandchild().map(|g| g as u32).or(e.pid);
                        (s.pid.is_some() && g == s.pid).then_some(2)
                    }
                    Some(EndBasis::CronNoMta) => (spid.is_some() && e.pid == spid).then_some(4),
                    _ => None,
                }
            }
            EventKind::CronSessionClose => {
                (spid.is_some() && e.pid == spid && same_user(e.user(), user)).then_some(3)
            }
            _ => None,
        };
        if let Some(k) = slot {
            if best[k].is_none() {
                best[k] = Some(j);
            }
        }
        // A session pid is only ours until its close; stop scanning once everything is found.
        // Every end of a run is written by the time its session closes; lines a minute past
        // the close belong to later runs.
        if best.iter().all(Option::is_some)
            || best[3].is_some_and(|c| e.time.micros - events[c].time.micros > 60_000_000)
        {
            break;
        }
    }
    // "No MTA" keyed on a pid that was reused by a later session (after our close) is not ours.
    if let (Some(j), Some(c)) = (best[4], best[3]) {
        if events[j].time > events[c].time {
            best[4] = None;
        }
    }
    let chosen = (0..5).find_map(|k| best[k].map(|j| (k, j)));
    let mut extra: Vec<usize> = best.iter().flatten().copied().collect();
    if let Some((j, _)) = session {
        extra.push(j);
    }
    // Everything that belongs to this run is consumed so a later run cannot take it.
    used.extend(extra.iter().copied());
    finish(w, events, chosen.map(|(k, j)| (j, BASES[k])), extra)
}

/// systemd writes the lines ending one run (`Deactivated successfully`, `Finished`, `Failed with
/// result`, `Consumed …`) in the same instant; allow a little for slow logging. A line further
/// away than this from the first end line belongs to a later run.
const END_GROUP_US: i64 = 5_000_000;

/// systemd oneshot: one `Starting` is one run. Its end is `Finished` (a `backup_end`), else
/// `Deactivated successfully`, else `Failed with result`, else `Consumed … over W wall clock
/// time` — alternative lines for the *same* end, so every one of them written with the first is
/// claimed by this window (otherwise the leftover `Consumed` would become a second,
/// start-less window of the same run).
fn systemd_window(events: &[Event], i: usize, used: &mut HashSet<usize>) -> Window {
    let s = &events[i];
    let w = base(s, i);
    let Some(unit) = s.unit.as_deref() else {
        return w;
    };
    let mut best: [Option<usize>; 4] = [None; 4];
    const BASES: [EndBasis; 4] = [
        EndBasis::SystemdFinished,
        EndBasis::SystemdFinished,
        EndBasis::SystemdFailed,
        EndBasis::SystemdConsumed,
    ];
    for (j, e) in events.iter().enumerate().skip(i + 1) {
        // The first end line fixes the run's end; only lines written with it still belong.
        let first_end = best.iter().flatten().map(|&b| events[b].time).min();
        if first_end.is_some_and(|t| e.time.micros - t.micros > END_GROUP_US) {
            break;
        }
        if e.host != s.host || e.unit.as_deref() != Some(unit) || used.contains(&j) {
            continue;
        }
        let slot = match e.kind {
            EventKind::BackupStart | EventKind::UnitStarting => break,
            EventKind::BackupEnd => Some(0),
            EventKind::UnitSucceeded => Some(1),
            EventKind::UnitFailed => Some(2),
            EventKind::UnitResources if e.attrs.contains_key("wall_s") => Some(3),
            _ => None,
        };
        if let Some(k) = slot {
            if best[k].is_none() {
                best[k] = Some(j);
            }
        }
        if best[3].is_some() {
            // `Consumed` is the unit's last word on a run.
            break;
        }
    }
    let chosen = (0..4).find_map(|k| best[k].map(|j| (j, BASES[k])));
    let extra: Vec<usize> = best.iter().flatten().copied().collect();
    used.extend(extra.iter().copied());
    let mut w = finish(w, events, chosen, extra);
    let ruled = best[0].and_then(|j| events[j].basis().and_then(EndBasis::parse));
    if let (Some(j), Some(basis)) = (best[0], ruled) {
        // A rule may have been more precise about the end line it saw.
        if w.end_idx == Some(j) {
            w.end_basis = basis;
        }
    }
    w
}

/// anacron (`Job `x' started` / `terminated`) and run-parts (`starting x` / `finished x`):
/// joined by job name, or by directory + script.
fn keyed_window(
    events: &[Event],
    i: usize,
    used: &mut HashSet<usize>,
    end_kind: EventKind,
    basis: EndBasis,
) -> Window {
    let s = &events[i];
    let w = base(s, i);
    let key = |e: &Event| {
        (
            e.job().or(e.script()).or(e.command()).map(str::to_string),
            e.dir().map(str::to_string),
        )
    };
    let k = key(s);
    let end = events.iter().enumerate().skip(i + 1).find(|(j, e)| {
        e.host == s.host
            && !used.contains(j)
            && (e.kind == end_kind
                || (e.kind == EventKind::BackupEnd && e.via() == Some(basis.as_str())))
            && key(e) == k
    });
    let end = end.map(|(j, _)| j);
    if let Some(j) = end {
        used.insert(j);
    }
    finish(w, events, end.map(|j| (j, basis)), vec![])
}

/// A backup unit whose start line is missing (rotated away) but whose `Consumed … over W wall
/// clock time` survives: the window is [end − W, end]. Only units known as backups (named by a
/// backup event on the host, or with "backup" in the name) qualify.
/// A `Consumed` line at the end of a run that already has a window (from its `Starting` line)
/// is that run's, never a second window.
fn consumed_only_windows(events: &[Event], used: &HashSet<usize>, have: &[Window]) -> Vec<Window> {
    let backup_units: HashSet<(&str, &str)> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::BackupStart | EventKind::BackupEnd))
        .filter_map(|e| e.unit.as_deref().map(|u| (&*e.host, u)))
        .collect();
    let mut out = Vec::new();
    for (j, e) in events.iter().enumerate() {
        if e.kind != EventKind::UnitResources || used.contains(&j) {
            continue;
        }
        let (Some(unit), Some(wall)) = (e.unit.as_deref(), e.wall_s()) else {
            continue;
        };
        if !(backup_units.contains(&(&*e.host, unit))
            || unit.to_ascii_lowercase().contains("backup"))
        {
            continue;
        }
        let ended_here = have.iter().any(|w| {
            *w.host == *e.host
                && w.unit.as_deref() == Some(unit)
                && w.end
                    .is_some_and(|t| (t.micros - e.time.micros).abs() <= END_GROUP_US)
        });
        if ended_here {
            continue;
        }
        let start = Timestamp::from_utc_micros(
            e.time.micros - (wall * 1e6).round() as i64,
            e.time.offset_s,
        );
        out.push(Window {
            host: e.host.to_string(),
            start,
            end: Some(e.time),
            end_basis: EndBasis::SystemdConsumed,
            command: None,
            unit: Some(unit.to_string()),
            user: None,
            start_idx: None,
            end_idx: Some(j),
            members: vec![j],
        });
    }
    out
}
