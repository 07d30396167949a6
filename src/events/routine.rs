//! Evidence versus routine: the one place that decides which matched lines are report events
//! and which are routine context.
//!
//! A busy host writes hundreds of thousands of lines that the rules recognise but that explain
//! nothing: every SSH or automation login starts and stops a `session-N.scope`, a user manager
//! (`user@UID.service`, `user-runtime-dir@UID.service`), a `user-UID.slice` and a
//! `run-user-UID.mount`; cron runs jobs every minute with a PAM session around each. Those lines
//! are **routine**: counted per host and kind. The ones a chain or a backup window may need —
//! unit starts and cron PAM sessions — are also kept in a compact `RoutineIndex` (time, host,
//! kind, unit or user, pid, source location; no message, no attributes: 32 bytes a line) so
//! that a chain can still cite one when an incident needs it. They never become `Event`s,
//! timeline rows, HTML lanes or chart markers on their own.
//!
//! The decision is made in two steps:
//!
//! 1. **At scan time** (`routine_at_scan`): the lifecycle (`Starting`, `Started`/`Finished`,
//!    `Stopping`, `Stopped`, `Deactivated successfully`, `Consumed …`) of units that are routine
//!    by name (`is_routine_unit`), every non-backup cron `CMD`, and every cron PAM session line.
//!    The scanner also has a fast path (`quick_systemd`) that recognises the common routine
//!    systemd lines from the envelope alone, without running the rules; a test pins that it
//!    agrees with the rules.
//! 2. **After merge and OOM assembly** (`select`): the lifecycle of any other unit stays an
//!    event only when evidence refers to it — a non-lifecycle event names the unit (OOM kill in
//!    its cgroup, `Failed with result`, left-over processes, a backup unit, …) or it is a
//!    supervisor unit. The rest (timers such as `sysstat-collect.service`, …) becomes routine.
//!    Conversely, routine lines of units that evidence names are promoted back into events (the
//!    session scope that held an OOM victim), and so are the cron PAM sessions of backup jobs,
//!    which measure the backup's end. A promoted line's message is rebuilt from its kind and
//!    unit (the index keeps no text); its source location points at the verbatim line.
//!
//! `mark_restarts` decides what a **restart** is: a start of a unit or program that earlier
//! stopped, exited, failed or was killed — never the first start of a scope or a timer's run.
//! Such starts carry the attribute `restart = true`, which renderers draw.

use super::{Attrs, Event, EventId, EventKind};
use crate::model::{Location, Timestamp};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Unit lifecycle kinds: the lines a healthy unit writes on every run.
pub fn is_lifecycle(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::UnitStarting
            | EventKind::UnitStarted
            | EventKind::UnitStopping
            | EventKind::UnitStopped
            | EventKind::UnitSucceeded
            | EventKind::UnitResources
    )
}

/// Units whose lifecycle is routine by their name alone: login sessions, user managers and
/// their runtime directories, slices and mounts.
pub fn is_routine_unit(unit: &str) -> bool {
    (unit.starts_with("session-") && unit.ends_with(".scope"))
        || (unit.starts_with("user@") && unit.ends_with(".service"))
        || (unit.starts_with("user-runtime-dir@") && unit.ends_with(".service"))
        || unit.ends_with(".slice")
        || unit.ends_with(".mount")
}

/// The same units in the older wording that names only the description (`Started Session 12
/// of user root.`, `Starting User Manager for UID 0...`).
fn is_routine_description(d: &str) -> bool {
    // Bytes, not a str slice: the cut may fall inside a multi-byte character (found by fuzzing).
    let lower_start = |p: &str| {
        d.as_bytes()
            .get(..p.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(p.as_bytes()))
    };
    (lower_start("Session ") && d.to_ascii_lowercase().contains(" of user "))
        || lower_start("User Manager for UID ")
        || lower_start("User Runtime Directory /run/user/")
        || lower_start("User Slice of ")
        || d.starts_with("/run/user/")
}

#[cfg(test)]
#[test]
fn a_description_cut_inside_a_character_is_not_a_panic() {
    // The fuzzer's crash: "Session" followed by U+FFFD straddling the prefix's length.
    assert!(!is_routine_description("Sessio\u{fffd}n of user x"));
    assert!(!is_routine_description("User Manager f\u{fffd}"));
    assert!(is_routine_description("Session 12 of user root."));
}

/// Is this freshly matched event routine? (Step 1 of the module doc.)
pub fn routine_at_scan(ev: &Event) -> bool {
    match ev.kind {
        k if is_lifecycle(k) => match &ev.unit {
            Some(u) => is_routine_unit(u),
            None => ev
                .attr_str("description")
                .is_some_and(is_routine_description),
        },
        // A backup's CMD is `backup_start`: what is left is the minute-by-minute job mix.
        EventKind::CronCmd | EventKind::CronSessionOpen | EventKind::CronSessionClose => true,
        _ => false,
    }
}

/// The scanner's fast path for cron's own routine lines: a PAM session opened or closed for a
/// cron job, and a `CMD` that is not a backup (`is_backup` is the rules' backup test of the
/// command). Returns the kind the rules would give the line and the user, or `None` for
/// anything the rules must read (a backup's CMD, an odd wording). A busy host writes these
/// every minute for every job: most of its candidate lines.
pub fn quick_cron<'m>(
    ident: Option<&str>,
    msg: &'m str,
    is_backup: impl Fn(&str) -> bool,
) -> Option<(EventKind, &'m str)> {
    let pam = msg
        .strip_prefix("pam_unix(cron:session): session ")
        .or_else(|| msg.strip_prefix("pam_unix(crond:session): session "));
    if let Some(rest) = pam {
        // As the rules: `opened for user (?P<user>[^\s(]+)`, `closed for user (?P<user>\S+)$`.
        if let Some(u) = rest.strip_prefix("opened for user ") {
            let user = u.split(|c: char| c.is_whitespace() || c == '(').next()?;
            return (!user.is_empty()).then_some((EventKind::CronSessionOpen, user));
        }
        let u = rest.strip_prefix("closed for user ")?;
        return (!u.is_empty() && !u.contains(char::is_whitespace))
            .then_some((EventKind::CronSessionClose, u));
    }
    // `(user) CMD (command)` of Debian's cron (with `-L 8`'s `[pid] ` before the command) and
    // cronie.
    let debian = match ident? {
        "CRON" | "cron" | "/USR/SBIN/CRON" | "/usr/sbin/cron" => true,
        "CROND" | "crond" => false,
        _ => return None,
    };
    let (user, rest) = msg.strip_prefix('(')?.split_once(") CMD (")?;
    if user.is_empty() || user.contains(')') {
        return None;
    }
    let mut command = rest.strip_suffix(')')?;
    if debian {
        if let Some((pid, after)) = command.strip_prefix('[').and_then(|c| c.split_once("] ")) {
            if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
                command = after;
            }
        }
    }
    (!is_backup(command)).then_some((EventKind::CronCmd, user))
}

/// The scanner's fast path: a systemd line (`ident == "systemd"`) that is routine lifecycle,
/// recognised without running the rules. Returns the kind the rules would give it and its unit.
pub fn quick_systemd(msg: &str) -> Option<(EventKind, &str)> {
    const JOBS: [(&str, EventKind); 5] = [
        ("Started ", EventKind::UnitStarted),
        ("Starting ", EventKind::UnitStarting),
        ("Stopping ", EventKind::UnitStopping),
        ("Stopped ", EventKind::UnitStopped),
        ("Finished ", EventKind::UnitStarted),
    ];
    // Every job wording starts with `S` or `F`: the other lines (`unit: Deactivated …`) skip
    // five compares.
    if matches!(msg.as_bytes().first(), Some(b'S' | b'F')) {
        for (prefix, kind) in JOBS {
            if let Some(rest) = msg.strip_prefix(prefix) {
                // `Started session-5.scope - Session 5 of User root.`
                let (unit, _) = split_once_ascii(rest, " - ")?;
                return (is_routine_unit(unit) && !unit.contains('/')).then_some((kind, unit));
            }
        }
    }
    let (unit, what) = split_once_ascii(msg, ": ")?;
    if unit.contains(' ') || !is_routine_unit(unit) {
        return None;
    }
    let kind = if what == "Deactivated successfully." || what == "Succeeded." {
        EventKind::UnitSucceeded
    } else if what.starts_with("Consumed ")
        // `contains` would set up a Two-Way searcher for every such line.
        && split_once_ascii(what, " CPU time").is_some()
        && what.ends_with('.')
    {
        EventKind::UnitResources
    } else {
        return None;
    };
    Some((kind, unit))
}

/// `str::split_once` for a short ASCII literal: memchr for its first byte, then a compare.
/// std's version sets up a Two-Way searcher per call, which showed in the profile of a busy
/// host (every systemd line comes here).
fn split_once_ascii<'a>(s: &'a str, lit: &str) -> Option<(&'a str, &'a str)> {
    let (b, l) = (s.as_bytes(), lit.as_bytes());
    let mut from = 0;
    while let Some(i) = memchr::memchr(l[0], &b[from..]) {
        let at = from + i;
        if b[at..].starts_with(l) {
            // `lit` is ASCII, so both cuts are on char boundaries.
            return Some((&s[..at], &s[at + l.len()..]));
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
#[test]
fn split_once_ascii_is_str_split_once() {
    for (s, lit) in [
        ("a -b - c - d", " - "),
        ("é -é - x", " - "),
        ("unit.service: Consumed 1s", ": "),
        ("no match here", ": "),
        ("ends with: ", ": "),
        ("", " - "),
    ] {
        assert_eq!(split_once_ascii(s, lit), s.split_once(lit), "{s:?}");
    }
}

/// `u32::MAX` in a name slot: no name.
const NONE: u32 = u32::MAX;
/// A name slot with this bit holds a login session's number: `session-N.scope` is the most
/// common routine unit and is not worth a string of its own.
const SESSION: u32 = 0x8000_0000;

/// Strings stored once, referred to by index (`session-N.scope` by its number).
#[derive(Default, Clone, Debug)]
pub struct Interner {
    // FxHash: every routine line interns its host and unit; SipHash was 3 % of a busy scan.
    ids: FxHashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl Interner {
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.session(s) {
            return id;
        }
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let a: Arc<str> = Arc::from(s);
        let i = self.names.len() as u32;
        self.names.push(a.clone());
        self.ids.insert(a, i);
        i
    }

    pub fn get(&self, i: u32) -> Option<std::borrow::Cow<'_, str>> {
        if i != NONE && i & SESSION != 0 {
            return Some(format!("session-{}.scope", i & !SESSION).into());
        }
        self.names.get(i as usize).map(|a| (&**a).into())
    }

    /// Whether `i` is the id of the name `s` (not a session's: hosts are what this compares).
    fn is(&self, i: u32, s: &str) -> bool {
        i & SESSION == 0 && self.names.get(i as usize).is_some_and(|n| **n == *s)
    }

    /// The id of `s`, if it has one.
    fn find(&self, s: &str) -> Option<u32> {
        match self.session(s) {
            Some(id) => Some(id),
            None => self.ids.get(s).copied(),
        }
    }

    fn session(&self, s: &str) -> Option<u32> {
        s.strip_prefix("session-")
            .and_then(|r| r.strip_suffix(".scope"))
            .filter(|n| !n.starts_with('0') || n.len() == 1)
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|&n| n < NONE & !SESSION)
            .map(|n| SESSION | n)
    }

    /// Ids of `self` as ids of `into` (adding what `into` lacks).
    fn remap_into(&self, into: &mut Interner) -> Remap {
        Remap(self.names.iter().map(|n| into.id(n)).collect())
    }
}

struct Remap(Vec<u32>);
impl Remap {
    fn apply(&self, i: u32) -> u32 {
        if i == NONE || i & SESSION != 0 {
            i
        } else {
            self.0[i as usize]
        }
    }
}

/// Whether a routine line of this kind is kept in the index, not only counted. Starts are
/// what a chain cites ("the scope that held the victim started at …"), and cron PAM sessions
/// measure the end of a cron backup; stops, deactivations, CPU accounting and the CMD lines of
/// other jobs are only counted.
fn kept(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::UnitStarted | EventKind::CronSessionOpen | EventKind::CronSessionClose
    )
}

/// One routine line before its file's year and zone are settled (the scanner's form).
#[derive(Clone, Copy, Debug)]
pub struct PendingLine {
    pub kind: EventKind,
    pub host: u32,
    pub name: u32,
    pub pid: u32,
    /// Line number local to the scanned piece, or a journal entry's sequence number.
    pub at: u64,
}

/// One kept routine line: 32 bytes (a busy host keeps ~350 k a GiB of syslog).
#[derive(Clone, Copy, Debug)]
pub struct RoutineLine {
    /// UTC microseconds.
    pub micros: i64,
    /// The writer's UTC offset in quarter hours (every real zone is a multiple of 15 min).
    pub offset_q: i8,
    pub kind: EventKind,
    pub host: u32,
    /// The unit (systemd kinds) or the user (cron kinds).
    pub name: u32,
    /// 0 when the line has none.
    pub pid: u32,
    /// Index of the input (`RoutineIndex::files`).
    pub file: u32,
    /// Line number in a text input; sequence number (`i=` of the cursor) in a journal
    /// (saturating at 2³²−1).
    pub at: u32,
}

impl RoutineLine {
    pub fn time(&self) -> Timestamp {
        Timestamp::from_utc_micros(self.micros, self.offset_q as i32 * 900)
    }
}

/// A kept line with its time settled.
pub fn settle(p: PendingLine, time: Timestamp) -> RoutineLine {
    RoutineLine {
        micros: time.micros,
        offset_q: (time.offset_s / 900).clamp(-128, 127) as i8,
        kind: p.kind,
        host: p.host,
        name: p.name,
        pid: p.pid,
        file: 0,
        at: u32::try_from(p.at).unwrap_or(u32::MAX),
    }
}

/// Lines of one kind seen on one host: the report's `stats.routine`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct RoutineCount {
    pub host: String,
    pub kind: EventKind,
    pub lines: u64,
}

/// The routine lines of one scanned piece, one file or one journal, with their own names.
#[derive(Debug)]
pub struct Part {
    pub names: Interner,
    pub lines: Vec<RoutineLine>,
    /// Every routine line, kept or not, per (host, kind).
    pub counts: FxHashMap<(u32, EventKind), u64>,
    /// Time range of every routine line seen (journals note it; text inputs sample their range).
    pub range: Option<(Timestamp, Timestamp)>,
    /// The id of the host `pending` saw last (`NONE` before the first).
    last_host: u32,
}

impl Default for Part {
    fn default() -> Self {
        Part {
            names: Interner::default(),
            lines: Vec::new(),
            counts: FxHashMap::default(),
            range: None,
            last_host: NONE,
        }
    }
}

impl Part {
    /// Count a routine line; `Some` when it is kept (its time still to be settled).
    pub fn pending(
        &mut self,
        kind: EventKind,
        host: Option<&str>,
        name: Option<&str>,
        pid: Option<u32>,
        at: u64,
    ) -> Option<PendingLine> {
        let host = match host.filter(|h| !h.is_empty()) {
            None => NONE,
            // The host of the line before, most often: compared, not hashed.
            Some(h) if self.names.is(self.last_host, h) => self.last_host,
            Some(h) => {
                self.last_host = self.names.id(h);
                self.last_host
            }
        };
        *self.counts.entry((host, kind)).or_default() += 1;
        kept(kind).then(|| PendingLine {
            kind,
            host,
            name: name.map_or(NONE, |n| self.names.id(n)),
            pid: pid.unwrap_or(0),
            at,
        })
    }

    /// `pending` for a routine event (step 1 of the module doc).
    pub fn push_event(&mut self, e: &Event, at: u64) -> Option<PendingLine> {
        self.pending(e.kind, Some(&e.host), name_of(e), e.pid, at)
    }

    /// Widen the time range by a routine line's time.
    pub fn saw(&mut self, t: Timestamp) {
        self.range = Some(self.range.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
    }

    /// The hosts the routine lines named.
    pub fn hosts(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> + '_ {
        let mut ids: Vec<u32> = self.counts.keys().map(|&(h, _)| h).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().filter_map(|h| self.names.get(h))
    }

    pub fn finish(&mut self, p: PendingLine, time: Timestamp) {
        self.lines.push(settle(p, time));
    }

    /// Add another part's lines and counts (names re-interned); `at` offsets line numbers.
    pub fn absorb(&mut self, other: Part, file: u32, at: u64) {
        let map = other.names.remap_into(&mut self.names);
        for ((h, k), n) in other.counts {
            *self.counts.entry((map.apply(h), k)).or_default() += n;
        }
        let fix = |mut l: RoutineLine| {
            l.host = map.apply(l.host);
            l.name = map.apply(l.name);
            l.file = file;
            l.at = l.at.saturating_add(u32::try_from(at).unwrap_or(u32::MAX));
            l
        };
        if self.lines.is_empty() {
            // The first part's vector is kept (no copy of a busy file's lines).
            self.lines = other.lines;
            for l in self.lines.iter_mut() {
                *l = fix(*l);
            }
        } else {
            self.lines.extend(other.lines.into_iter().map(fix));
        }
    }
}

/// The unit (lifecycle) or user (cron) an event is about.
fn name_of(e: &Event) -> Option<&str> {
    if is_lifecycle(e.kind) {
        e.unit.as_deref().or(e.attr_str("description"))
    } else {
        e.user()
    }
}

/// The routine lines of every input.
#[derive(Default, Debug)]
pub struct RoutineIndex {
    part: Part,
    /// Input paths, by input index; `true` for journals (whose `at` is a sequence number).
    files: Vec<(Arc<str>, bool)>,
}

impl RoutineIndex {
    /// Add one input's routine lines as input number `file`.
    pub fn absorb(&mut self, file: usize, path: Arc<str>, journal: bool, part: Part) {
        if self.files.len() <= file {
            self.files.resize(file + 1, (Arc::from(""), false));
        }
        self.files[file] = (path, journal);
        self.part.absorb(part, file as u32, 0);
        self.part.lines.shrink_to_fit();
    }

    pub fn lines(&self) -> &[RoutineLine] {
        &self.part.lines
    }

    /// Move the kept lines of input `file` by `f` (the year policy's second opinion).
    pub fn retime(&mut self, file: usize, f: impl Fn(Timestamp, Option<&str>) -> Timestamp) {
        let names = &self.part.names;
        for l in self
            .part
            .lines
            .iter_mut()
            .filter(|l| l.file as usize == file)
        {
            let t = f(l.time(), names.get(l.host).as_deref());
            l.micros = t.micros;
            l.offset_q = (t.offset_s / 900).clamp(-128, 127) as i8;
        }
    }

    /// Every routine line, kept or only counted.
    pub fn total(&self) -> u64 {
        self.part.counts.values().sum()
    }

    fn name(&self, i: u32) -> Option<std::borrow::Cow<'_, str>> {
        self.part.names.get(i)
    }

    fn host(&self, i: u32) -> String {
        self.name(i)
            .map_or_else(|| "unknown".to_string(), |h| h.into_owned())
    }

    pub fn location(&self, l: &RoutineLine) -> Location {
        // Every line comes from an input absorbed here; a line demoted from an event read back
        // from a Parquet dataset has no text input of its own, and is named by what it has.
        let (path, journal) = self
            .files
            .get(l.file as usize)
            .cloned()
            .unwrap_or_else(|| (Arc::from("?"), false));
        if journal {
            Location::Cursor {
                path,
                cursor: format!("i={:x}", l.at),
            }
        } else {
            Location::Line {
                path,
                line: l.at as u64,
            }
        }
    }

    /// Lines per host and kind, sorted.
    pub fn counts(&self) -> Vec<RoutineCount> {
        let mut out: Vec<RoutineCount> = self
            .part
            .counts
            .iter()
            .filter(|(_, &n)| n > 0)
            .map(|(&(h, kind), &lines)| RoutineCount {
                host: self.host(h),
                kind,
                lines,
            })
            .collect();
        out.sort();
        out
    }

    /// Turn an event into routine lines (one per source).
    fn demote(&mut self, e: &Event, file_of: &HashMap<Arc<str>, usize>) {
        for s in &e.sources {
            let (file, at) = match s {
                Location::Line { path, line } => (file_of.get(&**path).copied(), *line),
                Location::Cursor { path, cursor } => {
                    (file_of.get(&**path).copied(), cursor_seqnum(cursor))
                }
            };
            if let Some(p) = self.part.push_event(e, at) {
                self.part.finish(p, e.time);
                if let Some(l) = self.part.lines.last_mut() {
                    l.file = file.map_or(u32::MAX, |f| f as u32);
                }
            }
        }
    }

    /// An event for a routine line that evidence needs; it stops being routine.
    fn promote(&mut self, i: usize) -> Event {
        let l = self.part.lines[i];
        if let Some(n) = self.part.counts.get_mut(&(l.host, l.kind)) {
            *n = n.saturating_sub(1);
        }
        let name = self.name(l.name).map(|n| n.into_owned());
        let is_unit = is_lifecycle(l.kind);
        let message = rebuilt_message(l.kind, name.as_deref().unwrap_or("?"));
        let mut attrs = Attrs::new();
        attrs.insert("routine", Value::Bool(true));
        if !is_unit {
            if let Some(u) = &name {
                attrs.insert("user", Value::from(u.as_str()));
            }
        }
        Event {
            id: EventId::default(),
            time: l.time(),
            host: crate::events::intern(&self.host(l.host)),
            kind: l.kind,
            pid: (l.pid != 0).then_some(l.pid),
            process: None,
            unit: if is_unit { name.map(Arc::from) } else { None },
            program: None,
            message,
            sources: vec![self.location(&l)],
            attrs,
            rule: "routine",
            ident: Arc::from(""),
        }
    }
}

/// The `i=` field of a journal cursor (0 when absent).
pub fn cursor_seqnum(cursor: &str) -> u64 {
    cursor
        .split(';')
        .find_map(|f| f.strip_prefix("i="))
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

/// What systemd or PAM writes for a routine line, in today's wording.
fn rebuilt_message(kind: EventKind, name: &str) -> String {
    match kind {
        EventKind::UnitStarted => format!("Started {name}."),
        EventKind::CronSessionOpen => {
            format!("pam_unix(cron:session): session opened for user {name}")
        }
        EventKind::CronSessionClose => {
            format!("pam_unix(cron:session): session closed for user {name}")
        }
        other => format!("{other} ({name})"),
    }
}

/// Within this of a cron backup's `CMD`, the PAM session that ran it was opened.
const SAME_SECOND_US: i64 = 1_000_000;

/// Step 2 of the module doc, on merged, assembled, time-ordered events. Returns the events that
/// were promoted (not yet merged with each other); demoted ones leave `events`.
pub fn select(events: &mut Vec<Event>, index: &mut RoutineIndex) -> Vec<Event> {
    // Units that evidence names, per host.
    let mut named: HashSet<(Arc<str>, Arc<str>)> = HashSet::new();
    for e in events.iter() {
        if !is_lifecycle(e.kind) {
            if let Some(u) = &e.unit {
                named.insert((e.host.clone(), u.clone()));
            }
        }
    }
    let keep = |e: &Event| {
        !is_lifecycle(e.kind)
            || e.unit.as_ref().is_some_and(|u| {
                u.to_ascii_lowercase().contains("supervisor")
                    || named.contains(&(e.host.clone(), u.clone()))
            })
    };
    let file_of: HashMap<Arc<str>, usize> = index
        .files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.clone(), i))
        .collect();
    // In place: a second vector of every event doubled the peak on evidence-dense inputs.
    events.retain(|e| {
        let k = keep(e);
        if !k {
            index.demote(e, &file_of);
        }
        k
    });

    // Promote routine lines of named units, and the cron sessions of cron backups. Compared in
    // the index's id space: no string is built for the lines that stay routine.
    let names = &index.part.names;
    let named_ids: FxHashSet<(u32, u32)> = named
        .iter()
        .filter_map(|(h, u)| Some((names.find(h)?, names.find(u)?)))
        .collect();
    let backups: Vec<(u32, i64, u32, Option<u32>)> = events
        .iter()
        .filter(|e| {
            e.kind == EventKind::BackupStart && e.via().is_some_and(|v| v.starts_with("cron"))
        })
        .filter_map(|e| {
            let user = e.user().map(|u| names.find(u).unwrap_or(NONE));
            Some((names.find(&e.host)?, e.time.micros, e.pid?, user))
        })
        .collect();
    let lines = index.lines();
    let mut promote: Vec<usize> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let wanted = match l.kind {
            EventKind::UnitStarted => named_ids.contains(&(l.host, l.name)),
            EventKind::CronSessionOpen => backups.iter().any(|&(h, t, gpid, u)| {
                h == l.host
                    && (l.micros - t).abs() <= SAME_SECOND_US
                    && l.pid != 0
                    && l.pid < gpid
                    && (u.is_none() || l.name == NONE || u == Some(l.name))
            }),
            _ => false,
        };
        if wanted {
            promote.push(i);
        }
    }
    // The close of each promoted session: the first one after its open with the same pid,
    // found in one pass over the lines (a busy host keeps ~350 k a GiB, and a fleet has a
    // backup every few hours on every host).
    // Per (host, pid): each open's time, and the earliest close after it so far (time, line).
    type Closes = Vec<(i64, Option<(i64, usize)>)>;
    let mut opens: FxHashMap<(u32, u32), Closes> = FxHashMap::default();
    for l in promote.iter().map(|&i| &lines[i]) {
        if l.kind == EventKind::CronSessionOpen {
            opens
                .entry((l.host, l.pid))
                .or_default()
                .push((l.micros, None));
        }
    }
    if !opens.is_empty() {
        for (i, l) in lines.iter().enumerate() {
            if l.kind != EventKind::CronSessionClose {
                continue;
            }
            for (t, close) in opens.get_mut(&(l.host, l.pid)).into_iter().flatten() {
                if l.micros >= *t && close.is_none_or(|c| (l.micros, i) < c) {
                    *close = Some((l.micros, i));
                }
            }
        }
        promote.extend(opens.values().flatten().filter_map(|(_, c)| c.map(|c| c.1)));
    }
    promote.sort_unstable();
    promote.dedup();
    let out = promote.iter().map(|&i| index.promote(i)).collect();
    // A promoted line is an event now, no longer routine.
    let mut k = 0;
    let mut next = promote.iter().peekable();
    index.part.lines.retain(|_| {
        let drop = next.peek() == Some(&&k);
        if drop {
            next.next();
        }
        k += 1;
        !drop
    });
    out
}

/// Mark starts that are restarts (`restart = true`): a unit's start after that unit stopped,
/// exited, failed or was killed; a supervisord program's spawn after it exited, stopped or was
/// killed; supervisord's own start after it shut down. `events` must be in time order.
pub fn mark_restarts(events: &mut [Event]) {
    // (host, unit or program) that is down: an end was seen since its last start.
    let mut down: HashSet<(Arc<str>, String)> = HashSet::new();
    for e in events.iter_mut() {
        let unit = e
            .unit
            .as_ref()
            .map(|u| (e.host.clone(), format!("unit:{u}")));
        let program = e
            .program
            .as_ref()
            .map(|p| (e.host.clone(), format!("program:{p}")));
        let supervisord = (e.host.clone(), "supervisord".to_string());
        let mut ended = |k: Option<(Arc<str>, String)>| down.extend(k);
        let restart = match e.kind {
            EventKind::UnitStopping
            | EventKind::UnitStopped
            | EventKind::UnitFailed
            | EventKind::UnitMainExited
            | EventKind::UnitKilling
            | EventKind::UnitOom
            | EventKind::UnitStopTimeout
            | EventKind::UnitRestartScheduled
            | EventKind::OomdKill => {
                ended(unit);
                false
            }
            EventKind::SupervisorExited
            | EventKind::SupervisorStopped
            | EventKind::SupervisorSigkill
            | EventKind::SupervisorFatal
            | EventKind::WorkerKilled => {
                ended(program);
                false
            }
            EventKind::OomKill => {
                ended(program);
                ended(unit);
                false
            }
            EventKind::SupervisorSignal | EventKind::SupervisorctlShutdown => {
                ended(Some(supervisord));
                false
            }
            // `Starting` after a stop announces the restart; `Started` completes it. A
            // oneshot's `Finished` is the end of a run, not a start.
            EventKind::UnitStarting => unit.is_some_and(|k| down.contains(&k)),
            EventKind::UnitStarted if !e.attrs.contains_key("finished") => {
                unit.is_some_and(|k| down.remove(&k))
            }
            EventKind::SupervisorSpawned => program.is_some_and(|k| down.remove(&k)),
            EventKind::SupervisorStarted => down.remove(&supervisord),
            _ => false,
        };
        if restart {
            e.attrs.insert("restart", Value::Bool(true));
        }
    }
}

/// True when the event is a restart in the sense of `mark_restarts`.
pub fn is_restart(e: &Event) -> bool {
    e.attrs.get("restart").and_then(|v| v.as_bool()) == Some(true)
}
