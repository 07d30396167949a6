//! Rules: `patterns/*.toml` loaded, validated and compiled; the literal-hint prefilter and the
//! regexes that turn a `Record` into typed `Event`s.
//!
//! Rules are data (DESIGN.md §3) so that a new log wording is a reviewed TOML change with its
//! own real samples, not code. This module owns everything between the text of a rule file and
//! an `Event`: parsing (`schema`), typed captures (`fields`), sample checking with caret
//! diagnostics (`check`), and the hot path (`RuleSet::apply`), which must cost almost nothing for
//! the lines that match no rule.
//!
//! API the pipeline relies on:
//! * `RuleSet::load(extra_dirs, backup_match) -> Result<RuleSet>`: built-in rules (compiled into
//!   the binary) plus user directories overriding by id; with user directories every sample is
//!   checked at load, the built-ins alone are checked by the test suite and their regexes
//!   compiled on first use (`lazy`).
//! * `RuleSet::prefilter() -> &Prefilter`: the search for every rule's literal (`prefilter`), run
//!   by the scanner over whole buffers; a line without a hit can hold no event.
//! * `RuleSet::apply(&Record, &mut Vec<Event>) -> Option<Follow>`: run the rules whose hint is in
//!   the message (or whose `message_id` equals the journal MESSAGE_ID); the first rule (in file
//!   order) that matches wins; push its event. `Some` when that rule declares `follow` lines
//!   (the OOM task table rows after their column header).
//! * `RuleSet::apply_follow(Follow, &Record, &mut Vec<Event>) -> bool`: a line right after a
//!   block start; false ends the block.

pub mod builtin;
mod check;
pub mod fields;
mod lazy;
mod prefilter;
mod schema;

pub use check::{check, journal_record, sample_record, sample_results, stop_position, Problem};

use crate::events::{bounded, intern, Attrs, Event, EventKind, Key, MAX_RAW};
use crate::model::{Error, Result};
use crate::parse::Record;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use fields::FieldType;
use lazy::LazyRegex;
pub use prefilter::Prefilter;
use regex::{Captures, Regex, RegexSet};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;

/// Continuation token for block rules (task tables): the index of the rule that opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Follow(pub usize);

/// One capture → field mapping.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// `events::key`'s copy: events share it.
    pub name: &'static str,
    /// The same name as an attribute key.
    pub key: Key,
    pub capture: String,
    pub ty: FieldType,
}

/// The continuation part of a block rule.
#[derive(Clone, Debug)]
pub(crate) struct FollowRule {
    pub kind: EventKind,
    pub regex: LazyRegex,
    pub fields: Vec<Field>,
    pub set: Vec<(Key, Value)>,
}

/// Which fields make the event a backup, the kind it becomes, and the fields it then gets.
pub(crate) type BackupTurn = (Vec<String>, EventKind, Vec<(Key, Value)>);

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    /// `events::key`'s copy of the id, which events carry.
    pub key: &'static str,
    pub kind: EventKind,
    pub hint: String,
    /// The scanner's literal for text lines when it differs from `hint` (see the schema).
    pub scan_hint: Option<String>,
    pub(crate) regex: LazyRegex,
    pub(crate) ident: Option<LazyRegex>,
    pub(crate) message_id: Option<String>,
    pub(crate) fields: Vec<Field>,
    pub(crate) set: Vec<(Key, Value)>,
    pub(crate) record_pid: bool,
    pub(crate) journal_unit: bool,
    pub(crate) backup: Option<BackupTurn>,
    pub(crate) follow: Option<FollowRule>,
    /// File the rule came from (`builtin:kernel.toml` or a user path).
    pub file: String,
    pub samples: usize,
}

/// What `patterns list` prints for a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub event: String,
    pub hint: String,
    pub file: String,
    pub samples: usize,
}

impl fmt::Display for RuleInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<40} {:<24} {:<38} {} ({} samples)",
            self.id,
            self.event,
            format!("{:?}", self.hint),
            self.file,
            self.samples
        )
    }
}

/// The loaded rules, their prefilter and the backup regexes.
pub struct RuleSet {
    rules: Vec<Rule>,
    prefilter: Prefilter,
    overlapping: AhoCorasick,
    /// Prefilter pattern id → rules (ascending) having that hint.
    hint_rules: Vec<Vec<usize>>,
    by_message_id: HashMap<String, Vec<usize>>,
    backup: RegexSet,
    /// A kernel `[uptime]` stamp inside a message: a `pr_cont` line glued to the next record.
    glued: Regex,
}

impl RuleSet {
    /// Built-in rules plus `extra_dirs` (later ones override earlier ones and the built-ins by
    /// id), and backup regexes: the defaults of the pattern files plus `backup_match`.
    /// With user directories, every problem `check` would report makes loading fail, listing
    /// them all; the built-ins alone are only parsed (`check::Samples::Trust`).
    pub fn load(extra_dirs: &[PathBuf], backup_match: &[String]) -> Result<RuleSet> {
        // The built-ins alone are trusted (the suite checks them); user rules are checked whole.
        let samples = if extra_dirs.is_empty() {
            check::Samples::Trust
        } else {
            check::Samples::Check
        };
        let (set, problems) = check::load_checked(extra_dirs, backup_match, samples);
        if !problems.is_empty() {
            let file = problems[0].file.clone();
            let msg = problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n");
            return Err(Error::Pattern {
                file,
                msg: format!(
                    "{} problem(s) in the pattern rules (run `logautopsy patterns check` for details):\n{msg}",
                    problems.len()
                ),
            });
        }
        set.ok_or_else(|| Error::Config("no rules loaded".into()))
    }

    pub(crate) fn build(
        rules: Vec<Rule>,
        backup: &[String],
    ) -> std::result::Result<RuleSet, String> {
        let mut hints: Vec<&str> = Vec::new();
        let mut hint_rules: Vec<Vec<usize>> = Vec::new();
        let mut hint_idx: HashMap<&str, usize> = HashMap::new();
        let mut by_message_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            let k = *hint_idx.entry(r.hint.as_str()).or_insert_with(|| {
                hints.push(r.hint.as_str());
                hint_rules.push(Vec::new());
                hints.len() - 1
            });
            hint_rules[k].push(i);
            if let Some(mid) = &r.message_id {
                by_message_id.entry(mid.clone()).or_default().push(i);
            }
        }
        // Two searches. The scanner's runs over whole multi-megabyte buffers and only asks
        // whether a line holds some rule's literal (its scan_hint, else its hint; a literal that
        // contains another adds nothing): `prefilter`, leftmost-first so that aho-corasick can
        // use its SIMD Teddy searcher (1.6x the throughput of the rare-byte prefilter standard
        // semantics get). `apply` needs every hint of one line: standard, overlapping.
        let scan_hints = scan_literals(&rules);
        let prefilter = Prefilter::new(&scan_hints)?;
        let overlapping = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&hints)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&hints)
            })
            .map_err(|e| format!("cannot build the hint prefilter: {e}"))?;
        let backup = RegexSet::new(backup).map_err(|e| format!("backup regex: {e}"))?;
        let glued = Regex::new(r"\[\s*\d+\.\d{6}\] ").expect("constant regex");
        Ok(RuleSet {
            rules,
            prefilter,
            overlapping,
            hint_rules,
            by_message_id,
            backup,
            glued,
        })
    }

    pub fn prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    /// The literals the scanner searches text for (for benchmarks that search the same
    /// literals with other tools).
    pub fn hints(&self) -> Vec<&str> {
        scan_literals(&self.rules)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// True when `text` matches one of the backup regexes.
    pub fn is_backup(&self, text: &str) -> bool {
        self.backup.is_match(text)
    }

    /// Run the rules on one record; see the module doc.
    pub fn apply(&self, rec: &Record, out: &mut Vec<Event>) -> Option<Follow> {
        let msg = rec.message.as_str();
        // `pr_cont` output can glue the next kernel record onto a line (`…,uid=1001[30104.280053]
        // Out of memory: …`): treat each piece as its own message.
        if let Some(m) = self.glued_at(msg) {
            let (first, rest) = (&msg[..m.0], &msg[m.1..]);
            let mut head = rec.clone();
            head.message = first.to_string();
            let f1 = self.apply_one(&head, out);
            let mut tail = rec.clone();
            tail.message = rest.to_string();
            let f2 = self.apply(&tail, out);
            return f2.or(f1);
        }
        self.apply_one(rec, out)
    }

    fn glued_at(&self, msg: &str) -> Option<(usize, usize)> {
        let bytes = msg.as_bytes();
        let i = memchr::memchr(b'[', bytes.get(1..)?)? + 1;
        self.glued
            .find_at(msg, i)
            .filter(|m| m.start() > 0)
            .map(|m| (m.start(), m.end()))
    }

    fn apply_one(&self, rec: &Record, out: &mut Vec<Event>) -> Option<Follow> {
        let msg = rec.message.as_str();
        let mut cands: Vec<usize> = Vec::new();
        for m in self.overlapping.find_overlapping_iter(msg) {
            cands.extend_from_slice(&self.hint_rules[m.pattern().as_usize()]);
        }
        let mid_rules = rec
            .journal
            .as_ref()
            .and_then(|j| j.message_id.as_deref())
            .and_then(|mid| self.by_message_id.get(mid));
        if let Some(ids) = mid_rules {
            cands.extend_from_slice(ids);
        }
        if cands.is_empty() {
            return None;
        }
        cands.sort_unstable();
        cands.dedup();
        for &i in &cands {
            let rule = &self.rules[i];
            if !ident_ok(rule, rec) {
                continue;
            }
            if let Some(caps) = rule.regex.captures(msg) {
                out.push(self.event(rule, rec, Some(&caps)));
                return rule.follow.as_ref().map(|_| Follow(i));
            }
        }
        // The journal says what the record is even when the wording is one no rule knows.
        if let Some(ids) = mid_rules {
            if let Some(&i) = ids.iter().find(|&&i| ident_ok(&self.rules[i], rec)) {
                let rule = &self.rules[i];
                out.push(self.event(rule, rec, None));
                return rule.follow.as_ref().map(|_| Follow(i));
            }
        }
        None
    }

    /// A continuation line of the block opened by `f`; false ends the block.
    pub fn apply_follow(&self, f: Follow, rec: &Record, out: &mut Vec<Event>) -> bool {
        let Some(rule) = self.rules.get(f.0) else {
            return false;
        };
        let Some(fr) = &rule.follow else { return false };
        if !ident_ok(rule, rec) {
            return false;
        }
        let Some(caps) = fr.regex.captures(&rec.message) else {
            return false;
        };
        let mut ev = blank_event(rule, fr.kind, rec);
        fill(&mut ev, &fr.fields, &fr.set, &caps);
        out.push(ev);
        true
    }

    fn event(&self, rule: &Rule, rec: &Record, caps: Option<&Captures<'_>>) -> Event {
        let mut ev = blank_event(rule, rule.kind, rec);
        match caps {
            Some(caps) => fill(&mut ev, &rule.fields, &rule.set, caps),
            None => apply_set(&mut ev, &rule.set),
        }
        if rule.record_pid && ev.pid.is_none() {
            ev.pid = rec.pid;
        }
        if rule.journal_unit && ev.unit.is_none() {
            ev.unit = rec
                .journal
                .as_ref()
                .and_then(|j| j.unit.as_deref().map(intern));
        }
        if let Some((fields, kind, set)) = &rule.backup {
            let hit = fields.iter().find_map(|f| {
                let text = field_text(&ev, f)?;
                self.backup
                    .matches(text)
                    .iter()
                    .next()
                    .map(|k| self.backup.patterns()[k].clone())
            });
            if let Some(pattern) = hit {
                ev.kind = *kind;
                ev.attrs.insert("backup_pattern", Value::from(pattern));
                apply_set(&mut ev, set);
            }
        }
        ev
    }
}

/// The scanner's literals: each rule's scan_hint or hint, without those that contain another.
fn scan_literals(rules: &[Rule]) -> Vec<&str> {
    let mut all: Vec<&str> = rules
        .iter()
        .map(|r| r.scan_hint.as_deref().unwrap_or(&r.hint))
        .collect();
    all.sort_unstable();
    all.dedup();
    all.iter()
        .copied()
        .filter(|h| !all.iter().any(|o| o != h && h.contains(o)))
        .collect()
}

fn ident_ok(rule: &Rule, rec: &Record) -> bool {
    match (&rule.ident, rec.ident.as_deref()) {
        (Some(re), Some(id)) => re.is_match(id),
        _ => true,
    }
}

fn blank_event(rule: &Rule, kind: EventKind, rec: &Record) -> Event {
    Event {
        id: Default::default(),
        time: rec.time,
        host: intern(rec.host.as_deref().unwrap_or_default()),
        kind,
        pid: None,
        process: None,
        unit: None,
        program: None,
        message: bounded(&rec.message, MAX_RAW),
        sources: vec![rec.source.clone()],
        attrs: Attrs::new(),
        rule: rule.key,
        ident: intern(rec.ident.as_deref().unwrap_or_default()),
    }
}

fn fill(ev: &mut Event, fields: &[Field], set: &[(Key, Value)], caps: &Captures<'_>) {
    // The attrs are encoded once, from all of the rule's fields.
    let mut attrs = Vec::with_capacity(fields.len() + set.len());
    for f in fields {
        let Some(m) = caps.name(&f.capture) else {
            continue;
        };
        let Some(v) = f.ty.convert(m.as_str()) else {
            continue;
        };
        if let Some(v) = put(ev, f.key, v) {
            attrs.push((f.key, v.into()));
        }
    }
    for (k, v) in set {
        if let Some(v) = put(ev, *k, v.clone()) {
            attrs.push((*k, v.into()));
        }
    }
    ev.attrs = Attrs::from_fields(attrs);
}

fn apply_set(ev: &mut Event, set: &[(Key, Value)]) {
    for (k, v) in set {
        if let Some(v) = put(ev, *k, v.clone()) {
            ev.attrs.insert_key(*k, v);
        }
    }
}

/// Top-level fields go to the `Event` struct; the rest is returned, for `attrs`.
fn put(ev: &mut Event, key: Key, v: Value) -> Option<Value> {
    match key.name() {
        "pid" => ev.pid = v.as_u64().and_then(|p| u32::try_from(p).ok()),
        "process" => ev.process = v.as_str().map(intern),
        "unit" => ev.unit = v.as_str().map(intern),
        "program" => ev.program = v.as_str().map(intern),
        _ => return Some(v),
    }
    None
}

fn field_text<'a>(ev: &'a Event, name: &str) -> Option<&'a str> {
    match name {
        "process" => ev.process.as_deref(),
        "unit" => ev.unit.as_deref(),
        "program" => ev.program.as_deref(),
        _ => ev.attr_str(name),
    }
}

/// Every field of an event as one map (top-level and attrs), the form samples are written in.
pub fn event_fields(ev: &Event) -> BTreeMap<String, Value> {
    let mut m: BTreeMap<String, Value> = ev
        .attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_json()))
        .collect();
    if let Some(p) = ev.pid {
        m.insert("pid".into(), Value::from(p));
    }
    if let Some(p) = &ev.process {
        m.insert("process".into(), Value::from(&**p));
    }
    if let Some(u) = &ev.unit {
        m.insert("unit".into(), Value::from(&**u));
    }
    if let Some(p) = &ev.program {
        m.insert("program".into(), Value::from(&**p));
    }
    m
}

/// The rules of a set as `patterns list` shows them, in match order.
pub fn list(set: &RuleSet) -> Vec<RuleInfo> {
    set.rules
        .iter()
        .map(|r| RuleInfo {
            id: r.id.clone(),
            event: r.kind.as_str().to_string(),
            hint: r.hint.clone(),
            file: r.file.clone(),
            samples: r.samples,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Teddy packs at most 64 patterns; past that aho-corasick silently falls back to its
    /// automaton, which once took 40 % of the scan. And a pattern shorter than four bytes makes
    /// every fingerprint shorter (`prefilter`). A rule that breaks either must fail here, not
    /// in a benchmark.
    #[test]
    fn builtin_rules_keep_the_teddy_prefilter() {
        let set = RuleSet::load(&[], &[]).expect("built-in rules");
        let p = set.prefilter();
        assert!(
            p.is_packed(),
            "{} patterns: give a new rule a scan_hint that contains an existing literal or anchor",
            p.patterns()
        );
        assert!(
            p.shortest() >= 4,
            "a scan pattern of {} bytes: give the rule a longer scan_hint",
            p.shortest()
        );
    }
}
