//! Loading and checking rule files: parse, compile, merge user directories over the built-ins,
//! and run every rule's samples through the same `RuleSet::apply` the scanner uses.
//!
//! Loader, `logautopsy patterns check` and the test suite share this code so that "the samples
//! pass" means one thing everywhere (DESIGN.md §3). A problem names the file, the rule id, what
//! is wrong and — for a sample that does not match — a caret under the byte where the regex
//! stopped matching, found by walking a lazy DFA of the rule's regex over the sample.

use super::fields::FieldType;
use super::lazy::LazyRegex;
use super::schema::{FieldSpec, NegativeDef, PatternFile, RuleDef, SampleDef};
use super::{builtin, event_fields, Field, Follow, FollowRule, Rule, RuleSet};
use crate::events::Key;
use crate::events::{Event, EventKind};
use crate::model::{Location, Timestamp};
use crate::parse::{JournalFields, Record};
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const STOPPED: &str = "regex stopped matching here";

/// One problem in the rule files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub rule: Option<String>,
    pub msg: String,
    /// The text a regex was run on, a byte offset in it, and what the caret shows.
    pub caret: Option<(String, usize)>,
    pub caret_label: &'static str,
}

impl Problem {
    fn new(file: &str, rule: Option<&str>, msg: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            rule: rule.map(str::to_string),
            msg: msg.into(),
            caret: None,
            caret_label: STOPPED,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(r) => write!(f, "{}: rule {}: {}", self.file, r, self.msg)?,
            None => write!(f, "{}: {}", self.file, self.msg)?,
        }
        if let Some((text, pos)) = &self.caret {
            let pos = (*pos).min(text.len());
            let pos = (0..=pos)
                .rev()
                .find(|&p| text.is_char_boundary(p))
                .unwrap_or(0);
            let col = text[..pos].chars().count();
            write!(
                f,
                "\n    {text}\n    {}^ {}",
                " ".repeat(col),
                self.caret_label
            )?;
        }
        Ok(())
    }
}

/// Check the built-in rules plus `dirs` (what `logautopsy patterns check [DIR]` runs).
pub fn check(dirs: &[PathBuf]) -> Vec<Problem> {
    load_checked(dirs, &[], Samples::Check).1
}

/// Whether loading compiles every regex and runs every rule's samples.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Samples {
    Check,
    /// The built-in rules alone: the test suite runs their samples (`tests/patterns_samples.rs`),
    /// so a run only parses them and compiles a regex when a line first needs it (`lazy`).
    Trust,
}

/// Load everything, returning the set (when it could be built) and every problem found.
pub(crate) fn load_checked(
    dirs: &[PathBuf],
    backup_match: &[String],
    samples: Samples,
) -> (Option<RuleSet>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut groups: Vec<Vec<(String, String)>> = vec![builtin::FILES
        .iter()
        .map(|(name, text)| (format!("builtin:patterns/{name}"), text.to_string()))
        .collect()];
    for dir in dirs {
        groups.push(read_dir(dir, &mut problems));
    }

    let mut order: Vec<(String, RuleDef)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut backup: Vec<(String, String)> = Vec::new();
    let mut backup_samples: Vec<(String, String, bool)> = Vec::new();
    for group in groups {
        let mut seen: HashMap<String, String> = HashMap::new();
        for (file, text) in group {
            let pf: PatternFile = match toml::from_str(&text) {
                Ok(pf) => pf,
                Err(e) => {
                    problems.push(Problem::new(
                        &file,
                        None,
                        e.to_string().trim_end().to_string(),
                    ));
                    continue;
                }
            };
            if pf.schema != 1 {
                problems.push(Problem::new(
                    &file,
                    None,
                    format!(
                        "schema = {} is not supported (this logautopsy reads schema = 1)",
                        pf.schema
                    ),
                ));
                continue;
            }
            if let Some(b) = pf.backup {
                backup.extend(b.matches.into_iter().map(|m| (file.clone(), m)));
                backup_samples.extend(b.sample.into_iter().map(|s| (file.clone(), s, true)));
                backup_samples.extend(b.negative.into_iter().map(|s| (file.clone(), s, false)));
            }
            for def in pf.rule {
                if let Some(other) = seen.get(&def.id) {
                    problems.push(Problem::new(
                        &file,
                        Some(&def.id),
                        format!("duplicate id (also defined in {other}); ids must be unique within a directory"),
                    ));
                    continue;
                }
                seen.insert(def.id.clone(), file.clone());
                match index.get(&def.id) {
                    Some(&pos) => order[pos] = (file.clone(), def),
                    None => {
                        index.insert(def.id.clone(), order.len());
                        order.push((file.clone(), def));
                    }
                }
            }
        }
    }

    let mut rules = Vec::new();
    let mut defs = Vec::new();
    for (file, def) in order {
        match compile(&file, &def) {
            Ok(r) => {
                rules.push(r);
                defs.push(def);
            }
            Err(ps) => problems.extend(ps),
        }
    }
    let mut patterns = Vec::new();
    for (file, m) in backup {
        match Regex::new(&m) {
            Ok(_) => patterns.push(m),
            Err(e) => problems.push(Problem::new(
                &file,
                None,
                format!("backup regex {m:?}: {e}"),
            )),
        }
    }
    for m in backup_match {
        match Regex::new(m) {
            Ok(_) => patterns.push(m.clone()),
            Err(e) => problems.push(Problem::new(
                "--backup-match",
                None,
                format!("{m:?} is not a valid regex: {e}"),
            )),
        }
    }
    let set = match RuleSet::build(rules, &patterns) {
        Ok(s) => s,
        Err(e) => {
            problems.push(Problem::new("patterns", None, e));
            return (None, problems);
        }
    };
    if samples == Samples::Trust {
        return (Some(set), problems);
    }
    for rule in set.rules() {
        let follow = rule.follow.as_ref().map(|f| ("follow.regex", &f.regex));
        let ident = rule.ident.as_ref().map(|r| ("ident", r));
        for (what, re) in [("regex", &rule.regex)]
            .into_iter()
            .chain(ident)
            .chain(follow)
        {
            if let Err(e) = re.compile() {
                problems.push(Problem::new(
                    &rule.file,
                    Some(&rule.id),
                    format!("{what} does not compile:\n{e}"),
                ));
            }
        }
    }
    for (file, text, positive) in backup_samples {
        if set.is_backup(&text) != positive {
            let what = if positive {
                "is not recognised as a backup"
            } else {
                "is wrongly recognised as a backup"
            };
            problems.push(Problem::new(
                &file,
                None,
                format!("backup sample {text:?} {what}"),
            ));
        }
    }
    for (i, def) in defs.iter().enumerate() {
        problems.extend(
            check_samples(&set, i, def)
                .into_iter()
                .flat_map(|(_, ps)| ps),
        );
    }
    (Some(set), problems)
}

/// One test per sample for the suite: `(rule id / label, problems)`, plus a `load` entry with
/// the problems that are not about one sample (parse errors, bad regexes, backup samples).
pub fn sample_results(dirs: &[PathBuf]) -> Vec<(String, Vec<Problem>)> {
    let (set, problems) = load_checked(dirs, &[], Samples::Check);
    let mut out = Vec::new();
    let mut rest = Vec::new();
    let Some(set) = set else {
        return vec![("load".into(), problems)];
    };
    // Re-run the per-sample checks to attribute them (cheap: a few hundred short lines).
    let defs = rule_defs(dirs);
    let mut attributed = 0;
    for (i, rule) in set.rules().iter().enumerate() {
        if let Some(def) = defs.get(&(rule.file.clone(), rule.id.clone())) {
            for (label, ps) in check_samples(&set, i, def) {
                attributed += ps.len();
                out.push((format!("{}/{}", rule.id, label), ps));
            }
        }
    }
    let _ = attributed;
    let sample_msgs: HashSet<String> = out
        .iter()
        .flat_map(|(_, ps)| ps.iter().map(|p| p.to_string()))
        .collect();
    for p in problems {
        if !sample_msgs.contains(&p.to_string()) {
            rest.push(p);
        }
    }
    out.insert(0, ("load".into(), rest));
    out
}

/// The rule definitions by (file, id), re-read for `sample_results`.
fn rule_defs(dirs: &[PathBuf]) -> HashMap<(String, String), RuleDef> {
    let mut ignored = Vec::new();
    let mut groups: Vec<Vec<(String, String)>> = vec![builtin::FILES
        .iter()
        .map(|(name, text)| (format!("builtin:patterns/{name}"), text.to_string()))
        .collect()];
    for dir in dirs {
        groups.push(read_dir(dir, &mut ignored));
    }
    let mut out = HashMap::new();
    for (file, text) in groups.into_iter().flatten() {
        if let Ok(pf) = toml::from_str::<PatternFile>(&text) {
            for def in pf.rule {
                out.insert((file.clone(), def.id.clone()), def);
            }
        }
    }
    out
}

fn read_dir(dir: &Path, problems: &mut Vec<Problem>) -> Vec<(String, String)> {
    let label = dir.display().to_string();
    let mut paths: Vec<PathBuf> = if dir.is_file() {
        vec![dir.to_path_buf()]
    } else {
        match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect(),
            Err(e) => {
                problems.push(Problem::new(
                    &label,
                    None,
                    format!("cannot read the pattern directory: {e}"),
                ));
                return Vec::new();
            }
        }
    };
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        match std::fs::read_to_string(&p) {
            Ok(t) => out.push((p.display().to_string(), t)),
            Err(e) => problems.push(Problem::new(
                &p.display().to_string(),
                None,
                format!("cannot read: {e}"),
            )),
        }
    }
    out
}

fn kind_of(file: &str, id: &str, name: &str, ps: &mut Vec<Problem>) -> Option<EventKind> {
    let k = EventKind::parse(name);
    if k.is_none() {
        let all: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        ps.push(Problem::new(
            file,
            Some(id),
            format!("unknown event {name:?}; known: {}", all.join(", ")),
        ));
    }
    k
}

fn compile_regex(
    file: &str,
    id: &str,
    what: &str,
    src: &str,
    ps: &mut Vec<Problem>,
) -> Option<LazyRegex> {
    match LazyRegex::new(src) {
        Ok(r) => Some(r),
        Err(e) => {
            ps.push(Problem::new(
                file,
                Some(id),
                format!("{what} does not compile:\n{e}"),
            ));
            None
        }
    }
}

fn compile_fields(
    file: &str,
    id: &str,
    re: &LazyRegex,
    specs: &BTreeMap<String, FieldSpec>,
    ps: &mut Vec<Problem>,
) -> Vec<Field> {
    let names: HashSet<&str> = re.capture_names().collect();
    let mut out = Vec::new();
    let mut used = HashSet::new();
    for (name, spec) in specs {
        let (capture, ty) = match spec {
            FieldSpec::Type(t) => (name.clone(), t.clone()),
            FieldSpec::Full(f) => (f.capture.clone(), f.ty.clone()),
        };
        let Some(ty) = FieldType::parse(&ty) else {
            ps.push(Problem::new(
                file,
                Some(id),
                format!(
                    "field `{name}`: unknown type {ty:?}; known: {}",
                    FieldType::NAMES
                ),
            ));
            continue;
        };
        if !names.contains(capture.as_str()) {
            ps.push(Problem::new(
                file,
                Some(id),
                format!("field `{name}` reads capture `{capture}`, which the regex does not have (add `(?P<{capture}>…)`)"),
            ));
            continue;
        }
        if name == "pid" && !matches!(ty, FieldType::U32) {
            ps.push(Problem::new(
                file,
                Some(id),
                "field `pid` must have type u32",
            ));
        }
        used.insert(capture.clone());
        out.push(Field {
            name: crate::events::key(name),
            key: Key::named(name),
            capture,
            ty,
        });
    }
    let mut unused: Vec<&&str> = names.iter().filter(|n| !used.contains(**n)).collect();
    unused.sort();
    for n in unused {
        ps.push(Problem::new(
            file,
            Some(id),
            format!("capture `{n}` is not mapped to a field (add it under `fields`, or make the group non-capturing)"),
        ));
    }
    out
}

fn json_of(v: &toml::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn compile_set(set: &BTreeMap<String, toml::Value>) -> Vec<(Key, Value)> {
    set.iter()
        .map(|(k, v)| (Key::named(k), json_of(v)))
        .collect()
}

fn compile(file: &str, def: &RuleDef) -> Result<Rule, Vec<Problem>> {
    let mut ps = Vec::new();
    let id = def.id.as_str();
    let id_ok = !id.is_empty()
        && id.contains('.')
        && id.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        });
    if !id_ok {
        ps.push(Problem::new(
            file,
            Some(id),
            "id must be dotted lower-case words, e.g. `kernel.oom.kill`",
        ));
    }
    let kind = kind_of(file, id, &def.event, &mut ps);
    if def.hint.is_empty() || def.scan_hint.as_deref() == Some("") {
        ps.push(Problem::new(
            file,
            Some(id),
            "hint and scan_hint must be non-empty literals",
        ));
    }
    if let Some(mid) = &def.message_id {
        if mid.len() != 32
            || !mid
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            ps.push(Problem::new(
                file,
                Some(id),
                "message_id must be 32 lower-case hex digits",
            ));
        }
    }
    let regex = compile_regex(file, id, "regex", &def.regex, &mut ps);
    let ident = def
        .ident
        .as_deref()
        .and_then(|s| compile_regex(file, id, "ident", s, &mut ps));
    let fields = regex
        .as_ref()
        .map(|re| compile_fields(file, id, re, &def.fields, &mut ps))
        .unwrap_or_default();
    let backup = def.backup.as_ref().and_then(|b| {
        let k = kind_of(file, id, &b.event, &mut ps)?;
        if b.fields.is_empty() {
            ps.push(Problem::new(
                file,
                Some(id),
                "backup.fields must name at least one field",
            ));
        }
        Some((b.fields.clone(), k, compile_set(&b.set)))
    });
    let follow = def.follow.as_ref().and_then(|f| {
        let k = kind_of(file, id, &f.event, &mut ps)?;
        let re = compile_regex(file, id, "follow.regex", &f.regex, &mut ps)?;
        let fields = compile_fields(file, id, &re, &f.fields, &mut ps);
        if f.sample.is_empty() {
            ps.push(Problem::new(
                file,
                Some(id),
                "follow has no sample; add [[rule.follow.sample]]",
            ));
        }
        Some(FollowRule {
            kind: k,
            regex: re,
            fields,
            set: compile_set(&f.set),
        })
    });
    if let Some(k) = kind {
        let set = compile_set(&def.set);
        check_contract(file, id, k, &fields, &set, &mut ps);
        if let Some((_, bk, bset)) = &backup {
            let mut all = set.clone();
            all.extend(bset.iter().cloned());
            all.push((Key::named("backup_pattern"), Value::from("")));
            check_contract(file, id, *bk, &fields, &all, &mut ps);
        }
    }
    if !ps.is_empty() || regex.is_none() || kind.is_none() {
        return Err(ps);
    }
    Ok(Rule {
        id: def.id.clone(),
        key: crate::events::key(&def.id),
        kind: kind.expect("checked"),
        hint: def.hint.clone(),
        scan_hint: def.scan_hint.clone(),
        regex: regex.expect("checked"),
        ident,
        message_id: def.message_id.clone(),
        fields,
        set: compile_set(&def.set),
        record_pid: def.record_pid,
        journal_unit: def.journal_unit,
        backup,
        follow,
        file: file.to_string(),
        samples: def.sample.len() + def.negative.len() + follow_count(def),
    })
}

/// The attrs contract (`events::contract`): a rule of a declared kind produces every required
/// attribute, each declared one with its type.
fn check_contract(
    file: &str,
    id: &str,
    kind: EventKind,
    fields: &[Field],
    set: &[(Key, Value)],
    ps: &mut Vec<Problem>,
) {
    use crate::events::contract::{self, AttrType};
    let json_type = |v: &Value| match v {
        Value::String(_) => Some(AttrType::Str),
        Value::Bool(_) => Some(AttrType::Bool),
        Value::Number(n) if n.is_u64() => Some(AttrType::Uint),
        Value::Number(n) if n.is_i64() => Some(AttrType::Int),
        Value::Number(_) => Some(AttrType::Float),
        Value::Array(_) => Some(AttrType::List),
        _ => None,
    };
    let produced: Vec<(&str, Option<AttrType>)> = fields
        .iter()
        .map(|f| (f.name, Some(f.ty.attr_type())))
        .chain(set.iter().map(|(k, v)| (k.name(), json_type(v))))
        .collect();
    for spec in contract::of(kind) {
        match produced.iter().find(|(n, _)| *n == spec.name) {
            None if spec.required => ps.push(Problem::new(
                file,
                Some(id),
                format!(
                    "a `{kind}` event must carry `{}` ({}): correlation reads it (src/events/contract.rs); add it to `fields` or `set`",
                    spec.name,
                    spec.ty.name()
                ),
            )),
            Some((_, Some(t))) if !t.fits(spec.ty) => ps.push(Problem::new(
                file,
                Some(id),
                format!(
                    "`{}` of a `{kind}` event must be {}, not {} (src/events/contract.rs)",
                    spec.name,
                    spec.ty.name(),
                    t.name()
                ),
            )),
            _ => {}
        }
    }
    // `basis` says how a backup's end was known: one of the report's end bases, or the window
    // falls back to the generic one and the rule's precision is lost without a word.
    if matches!(kind, EventKind::CronEnd | EventKind::BackupEnd) {
        for (_, v) in set.iter().filter(|(k, _)| k.name() == "basis") {
            let known = v
                .as_str()
                .and_then(crate::report::EndBasis::parse)
                .is_some();
            if !known {
                let all: Vec<&str> = crate::report::EndBasis::ALL
                    .iter()
                    .map(|b| b.as_str())
                    .collect();
                ps.push(Problem::new(
                    file,
                    Some(id),
                    format!(
                        "`basis` = {v} is not an end basis of the report: use one of {}",
                        all.join(", ")
                    ),
                ));
            }
        }
    }
}

fn follow_count(def: &RuleDef) -> usize {
    def.follow
        .as_ref()
        .map(|f| f.sample.len() + f.negative.len())
        .unwrap_or(0)
}

/// A `Record` for a journal-field sample (`MESSAGE`, `MESSAGE_ID`, `UNIT`, …).
pub fn journal_record(m: &BTreeMap<String, String>) -> Record {
    let get = |k: &str| m.get(k).cloned();
    let micros = m
        .get("__REALTIME_TIMESTAMP")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    Record {
        time: Timestamp::from_utc_micros(micros, 0),
        host: get("_HOSTNAME"),
        ident: get("SYSLOG_IDENTIFIER").or_else(|| get("_COMM")),
        pid: m
            .get("_PID")
            .or_else(|| m.get("SYSLOG_PID"))
            .and_then(|s| s.parse().ok()),
        message: get("MESSAGE").unwrap_or_default(),
        uptime: None,
        zone_assumed: false,
        year_inferred: false,
        journal: Some(Box::new(JournalFields {
            message_id: get("MESSAGE_ID"),
            unit: get("UNIT").or_else(|| get("USER_UNIT")),
            systemd_unit: get("_SYSTEMD_UNIT"),
            comm: get("_COMM"),
            boot_id: get("_BOOT_ID"),
            ..JournalFields::default()
        })),
        source: Location::Cursor {
            path: Arc::from("<sample>"),
            cursor: "sample".into(),
        },
    }
}

/// The record a sample stands for: its line through the envelope parser, or its journal fields.
pub fn sample_record(
    line: Option<&str>,
    journal: Option<&BTreeMap<String, String>>,
) -> Result<Record, String> {
    match (line, journal) {
        (Some(l), None) => crate::parse::parse_line_for_sample(l)
            .ok_or_else(|| format!("the envelope of this line cannot be read: {l:?}")),
        (None, Some(j)) => Ok(journal_record(j)),
        _ => Err("a sample needs exactly one of `line` or `journal`".into()),
    }
}

/// Per-sample results of one rule: `(label, problems)`; label like `sample-2`, `negative-1`,
/// `follow-sample-1`; `rule` collects problems about the rule as a whole.
fn check_samples(set: &RuleSet, idx: usize, def: &RuleDef) -> Vec<(String, Vec<Problem>)> {
    let rule = &set.rules()[idx];
    let (file, id) = (rule.file.as_str(), rule.id.as_str());
    let mut out = Vec::new();
    if def.sample.is_empty() {
        out.push((
            "rule".to_string(),
            vec![Problem::new(
                file,
                Some(id),
                "no positive sample: a rule without a passing sample does not load; add [[rule.sample]] with a real line",
            )],
        ));
    }
    for (n, s) in def.sample.iter().enumerate() {
        out.push((format!("sample-{}", n + 1), positive(set, rule, s, n + 1)));
    }
    for (n, neg) in def.negative.iter().enumerate() {
        out.push((format!("negative-{}", n + 1), negative(rule, neg, n + 1)));
    }
    if let (Some(_), Some(fdef)) = (&rule.follow, &def.follow) {
        for (n, s) in fdef.sample.iter().enumerate() {
            out.push((
                format!("follow-sample-{}", n + 1),
                follow_positive(set, idx, s, n + 1),
            ));
        }
        for (n, neg) in fdef.negative.iter().enumerate() {
            out.push((
                format!("follow-negative-{}", n + 1),
                follow_negative(rule, neg, n + 1),
            ));
        }
    }
    out
}

fn positive(set: &RuleSet, rule: &Rule, s: &SampleDef, n: usize) -> Vec<Problem> {
    let (file, id) = (rule.file.as_str(), rule.id.as_str());
    let rec = match sample_record(s.line.as_deref(), s.journal.as_ref()) {
        Ok(r) => r,
        Err(e) => return vec![Problem::new(file, Some(id), format!("sample {n}: {e}"))],
    };
    let by_mid = rule.message_id.is_some()
        && rec.journal.as_ref().and_then(|j| j.message_id.as_ref()) == rule.message_id.as_ref();
    if !rec.message.contains(&rule.hint) && !by_mid {
        return vec![Problem::new(
            file,
            Some(id),
            format!(
                "hint {:?} is not in sample {n}'s message {:?}: the prefilter would hide this line",
                rule.hint, rec.message
            ),
        )];
    }
    if let (Some(sh), Some(line)) = (&rule.scan_hint, &s.line) {
        if !line.contains(sh.as_str()) {
            return vec![Problem::new(
                file,
                Some(id),
                format!(
                    "scan_hint {sh:?} is not in sample {n}'s line {line:?}: the scanner would skip this line"
                ),
            )];
        }
    }
    let mut evs = Vec::new();
    set.apply(&rec, &mut evs);
    match evs.iter().find(|e| e.rule == rule.id) {
        Some(ev) => compare(rule, s, ev, &rec, n, "sample"),
        None => vec![why_no_match(rule, &rec, &evs, n)],
    }
}

fn negative_record(neg: &NegativeDef) -> Record {
    let rec = match neg {
        NegativeDef::Line(l) => sample_record(Some(l), None),
        NegativeDef::Journal(j) => Ok(journal_record(&j.journal)),
    };
    // A negative line need not have a readable envelope: then it is taken as a bare message.
    rec.unwrap_or_else(|_| {
        let mut m = BTreeMap::new();
        if let NegativeDef::Line(l) = neg {
            m.insert("MESSAGE".to_string(), l.clone());
        }
        let mut r = journal_record(&m);
        r.journal = None;
        r
    })
}

fn negative(rule: &Rule, neg: &NegativeDef, n: usize) -> Vec<Problem> {
    let rec = negative_record(neg);
    let hit = super::ident_ok(rule, &rec) && rule.regex.is_match(&rec.message);
    let by_mid = rule.message_id.is_some()
        && rec.journal.as_ref().and_then(|j| j.message_id.as_ref()) == rule.message_id.as_ref();
    if hit || by_mid {
        return vec![Problem::new(
            &rule.file,
            Some(&rule.id),
            format!(
                "negative sample {n} matches but must not: {:?}",
                rec.message
            ),
        )];
    }
    Vec::new()
}

fn follow_positive(set: &RuleSet, idx: usize, s: &SampleDef, n: usize) -> Vec<Problem> {
    let rule = &set.rules()[idx];
    let Some(fr) = &rule.follow else {
        return Vec::new();
    };
    let (file, id) = (rule.file.as_str(), rule.id.as_str());
    let rec = match sample_record(s.line.as_deref(), s.journal.as_ref()) {
        Ok(r) => r,
        Err(e) => {
            return vec![Problem::new(
                file,
                Some(id),
                format!("follow sample {n}: {e}"),
            )]
        }
    };
    let mut evs = Vec::new();
    if !set.apply_follow(Follow(idx), &rec, &mut evs) {
        let mut p = Problem::new(
            file,
            Some(id),
            format!("follow sample {n} does not match follow.regex"),
        );
        p.caret = Some((
            rec.message.clone(),
            stop_position(fr.regex.as_str(), &rec.message),
        ));
        return vec![p];
    }
    let as_follow = Rule {
        kind: fr.kind,
        regex: fr.regex.clone(),
        fields: fr.fields.clone(),
        ..rule.clone()
    };
    compare(&as_follow, s, &evs[0], &rec, n, "follow sample")
}

fn follow_negative(rule: &Rule, neg: &NegativeDef, n: usize) -> Vec<Problem> {
    let Some(fr) = &rule.follow else {
        return Vec::new();
    };
    let rec = negative_record(neg);
    if super::ident_ok(rule, &rec) && fr.regex.is_match(&rec.message) {
        return vec![Problem::new(
            &rule.file,
            Some(&rule.id),
            format!(
                "follow negative sample {n} matches but must not: {:?}",
                rec.message
            ),
        )];
    }
    Vec::new()
}

fn why_no_match(rule: &Rule, rec: &Record, evs: &[Event], n: usize) -> Problem {
    let (file, id) = (rule.file.as_str(), rule.id.as_str());
    if !super::ident_ok(rule, rec) {
        return Problem::new(
            file,
            Some(id),
            format!(
                "sample {n}: identifier {:?} does not match ident {:?}",
                rec.ident.as_deref().unwrap_or(""),
                rule.ident.as_ref().map(|r| r.as_str()).unwrap_or("")
            ),
        );
    }
    if rule.regex.is_match(&rec.message) {
        let others: Vec<&str> = evs.iter().map(|e| e.rule).collect();
        return Problem::new(
            file,
            Some(id),
            format!(
                "sample {n} matches this rule but is taken first by {} (earlier in match order); make that rule stricter",
                others.join(", ")
            ),
        );
    }
    let mut p = Problem::new(
        file,
        Some(id),
        format!("sample {n} does not match the regex"),
    );
    p.caret = Some((
        rec.message.clone(),
        stop_position(rule.regex.as_str(), &rec.message),
    ));
    p
}

fn compare(
    rule: &Rule,
    s: &SampleDef,
    ev: &Event,
    rec: &Record,
    n: usize,
    what: &str,
) -> Vec<Problem> {
    let (file, id) = (rule.file.as_str(), rule.id.as_str());
    let mut ps = Vec::new();
    let want_kind = s
        .kind
        .clone()
        .unwrap_or_else(|| rule.kind.as_str().to_string());
    if ev.kind.as_str() != want_kind {
        ps.push(Problem::new(
            file,
            Some(id),
            format!(
                "{what} {n}: yields kind {} but the sample expects {want_kind}",
                ev.kind
            ),
        ));
    }
    let got = event_fields(ev);
    let want: BTreeMap<String, Value> = s
        .expect
        .iter()
        .map(|(k, v)| (k.clone(), json_of(v)))
        .collect();
    let keys: std::collections::BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    for k in keys {
        let msg = match (want.get(k), got.get(k)) {
            (Some(w), Some(g)) if w == g => continue,
            (Some(w), Some(g)) => format!("field `{k}`: expected {w}, got {g}"),
            (Some(w), None) => format!("field `{k}`: expected {w}, but the rule yields none"),
            (None, Some(g)) => format!(
                "field `{k}` = {g} is yielded but not in `expect` (samples list every field)"
            ),
            (None, None) => continue,
        };
        let mut p = Problem::new(file, Some(id), format!("{what} {n}: {msg}"));
        // Point at the capture the field came from, when it matched.
        if let Some(f) = rule.fields.iter().find(|f| f.name == k) {
            if let Some(m) = rule
                .regex
                .captures(&rec.message)
                .and_then(|c| c.name(&f.capture))
            {
                p.caret = Some((rec.message.clone(), m.start()));
                p.caret_label = "the capture starts here";
                p.msg
                    .push_str(&format!(" (capture `{}` = {:?})", f.capture, m.as_str()));
            }
        }
        ps.push(p);
    }
    ps
}

/// Byte offset in `hay` where `pattern` stopped matching: where the attempt that got furthest
/// (the longest partial match, earliest on ties) died. Falls back to 0 when the regex cannot be
/// run as a lazy DFA.
pub fn stop_position(pattern: &str, hay: &str) -> usize {
    use regex_automata::hybrid::dfa::DFA;
    use regex_automata::{Anchored, Input};
    let Ok(dfa) = DFA::new(pattern) else { return 0 };
    let mut cache = dfa.create_cache();
    let anchored = pattern.starts_with('^');
    let (mut best, mut best_len) = (0, 0);
    for start in 0..=hay.len() {
        if !hay.is_char_boundary(start) || (anchored && start > 0) {
            continue;
        }
        let input = Input::new(hay).range(start..).anchored(Anchored::Yes);
        let Ok(mut sid) = dfa.start_state_forward(&mut cache, &input) else {
            return best;
        };
        let mut pos = start;
        for &b in &hay.as_bytes()[start..] {
            match dfa.next_state(&mut cache, sid, b) {
                Ok(next) if !next.is_dead() && !next.is_quit() => sid = next,
                _ => break,
            }
            pos += 1;
        }
        if pos - start > best_len || (start == 0 && best_len == 0) {
            (best, best_len) = (pos, pos - start);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_first_byte_the_regex_cannot_take() {
        let msg = "Out of memory: Killed process 15784 (python3) total-vm:11964kB";
        assert_eq!(
            stop_position(
                r"^Out of memory: Killed process (\d+) \(([^)]*)\) rss:",
                msg
            ),
            46
        );
        // `.*` can always go on, so a failure after it is reported at the end of the text.
        assert_eq!(
            stop_position(r"^Out of memory: Killed process (\d+) \((.*)\) rss:", msg),
            msg.len()
        );
        // Unanchored: the furthest any start reached.
        assert_eq!(stop_position(r"Killed process \d+ x", msg), 36);
        let p = Problem {
            file: "f.toml".into(),
            rule: Some("a.b".into()),
            msg: "sample 1 does not match the regex".into(),
            caret: Some(("abcdef".into(), 3)),
            caret_label: STOPPED,
        };
        assert_eq!(
            p.to_string(),
            "f.toml: rule a.b: sample 1 does not match the regex\n    abcdef\n       ^ regex stopped matching here"
        );
    }
}
