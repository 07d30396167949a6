//! The attrs contract between the rules (`patterns/*.toml`) and the code that reads events:
//! for each event kind, the attributes correlation relies on and their types. `patterns check`
//! (and loading the rules) rejects a rule of that kind that does not produce a required
//! attribute, or produces a declared one with another type — so renaming `via` in `cron.toml`
//! fails the check instead of silently breaking backup windows.
//!
//! Only what code reads is declared; rules may add attributes freely.

use super::EventKind as K;

/// The JSON type an attribute has in an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    Str,
    /// Non-negative integer.
    Uint,
    Int,
    Float,
    Bool,
    /// Array of strings.
    List,
}

impl AttrType {
    pub fn name(self) -> &'static str {
        match self {
            AttrType::Str => "str",
            AttrType::Uint => "unsigned integer",
            AttrType::Int => "integer",
            AttrType::Float => "f64",
            AttrType::Bool => "bool",
            AttrType::List => "list",
        }
    }

    /// Whether a value of type `self` may stand where `want` is declared.
    pub fn fits(self, want: AttrType) -> bool {
        self == want
            || (want == AttrType::Int && self == AttrType::Uint)
            || (want == AttrType::Float && matches!(self, AttrType::Uint | AttrType::Int))
    }
}

/// One declared attribute.
#[derive(Clone, Copy, Debug)]
pub struct AttrSpec {
    pub kind: K,
    pub name: &'static str,
    pub ty: AttrType,
    /// Every rule of this kind must produce it.
    pub required: bool,
}

const fn req(kind: K, name: &'static str, ty: AttrType) -> AttrSpec {
    AttrSpec {
        kind,
        name,
        ty,
        required: true,
    }
}

const fn opt(kind: K, name: &'static str, ty: AttrType) -> AttrSpec {
    AttrSpec {
        kind,
        name,
        ty,
        required: false,
    }
}

use AttrType::*;

/// What correlation (`correlate::windows`, `incidents`, `advice`) and assembly read.
pub const CONTRACT: &[AttrSpec] = &[
    // Backup windows: who ran it and how its end is joined to its start.
    req(K::CronCmd, "command", Str),
    req(K::CronCmd, "user", Str),
    req(K::CronCmd, "via", Str),
    req(K::BackupStart, "via", Str),
    opt(K::BackupStart, "command", Str),
    opt(K::BackupStart, "user", Str),
    req(K::BackupEnd, "via", Str),
    opt(K::BackupEnd, "basis", Str),
    req(K::CronEnd, "basis", Str),
    req(K::CronEnd, "via", Str),
    opt(K::CronEnd, "grandchild", Uint),
    req(K::CronSessionOpen, "user", Str),
    req(K::CronSessionClose, "user", Str),
    req(K::AnacronStart, "job", Str),
    req(K::AnacronEnd, "job", Str),
    req(K::RunPartsStart, "dir", Str),
    req(K::RunPartsStart, "script", Str),
    req(K::RunPartsEnd, "dir", Str),
    req(K::RunPartsEnd, "script", Str),
    opt(K::UnitResources, "wall_s", Float),
    opt(K::UnitResources, "memory_peak_bytes", Uint),
    // Incidents: what was killed, by whom, and whether supervisord expected it.
    // 2.6.2x kernels print only the pid and name of a kill: the RSS is optional.
    opt(K::OomKill, "anon_rss_kb", Uint),
    req(K::UnitOom, "killer", Str),
    opt(K::UnitFailed, "result", Str),
    req(K::SupervisorExited, "expected", Bool),
    req(K::SupervisorWaiting, "programs", List),
    req(K::SupervisorSignal, "signal", Str),
    opt(K::OomSummary, "task_memcg", Str),
    opt(K::OomCpu, "cpu", Uint),
];

/// The declared attributes of one kind.
pub fn of(kind: K) -> impl Iterator<Item = &'static AttrSpec> {
    CONTRACT.iter().filter(move |s| s.kind == kind)
}
