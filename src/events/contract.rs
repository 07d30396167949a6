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
    opt(K::SupervisorExited, "exit_status", Uint),
    opt(K::SupervisorSignal, "request", Str),
    opt(K::UnitMainExited, "code", Str),
    opt(K::UnitMainExited, "status", Str),
    opt(K::OomdKill, "tool", Str),
    opt(K::OomdKill, "cgroup", Str),
];

/// The declared attributes of one kind.
pub fn of(kind: K) -> impl Iterator<Item = &'static AttrSpec> {
    CONTRACT.iter().filter(move |s| s.kind == kind)
}

/// Attributes the scanner and `assemble` write themselves (no rule produces them).
pub const SET_BY_CODE: &[&str] = &[
    "time_basis",
    "trigger",
    "trigger_pid",
    "scope",
    "constraint",
    "cpuset",
    "oom_memcg",
    "memcg_limit_kb",
    "task_memcg",
];

/// Typed accessors for the attributes code reads: `e.command()` instead of
/// `e.attr_str("command")`, so a key is spelled once, here, and the test below ties each to
/// the contract (or to `SET_BY_CODE`).
macro_rules! accessors {
    ($($name:ident: $key:literal -> $ty:ty = $conv:ident;)*) => {
        impl super::Event {
            $(
                #[doc = concat!("The `", $key, "` attribute.")]
                pub fn $name(&self) -> Option<$ty> {
                    // Interned once per accessor: a read compares 2-byte ids.
                    static KEY: std::sync::OnceLock<super::Key> = std::sync::OnceLock::new();
                    let k = *KEY.get_or_init(|| super::Key::named($key));
                    self.attrs.get_key(k).and_then(|v| v.$conv())
                }
            )*
        }
        /// Every key an accessor reads.
        pub const READ: &[&str] = &[$($key),*];
    };
}

accessors! {
    user: "user" -> &str = as_str;
    command: "command" -> &str = as_str;
    via: "via" -> &str = as_str;
    basis: "basis" -> &str = as_str;
    job: "job" -> &str = as_str;
    dir: "dir" -> &str = as_str;
    script: "script" -> &str = as_str;
    grandchild: "grandchild" -> u64 = as_u64;
    wall_s: "wall_s" -> f64 = as_f64;
    memory_peak_bytes: "memory_peak_bytes" -> u64 = as_u64;
    expected: "expected" -> bool = as_bool;
    exit_status: "exit_status" -> u64 = as_u64;
    signal: "signal" -> &str = as_str;
    request: "request" -> &str = as_str;
    result: "result" -> &str = as_str;
    code: "code" -> &str = as_str;
    status: "status" -> &str = as_str;
    killer: "killer" -> &str = as_str;
    tool: "tool" -> &str = as_str;
    cgroup: "cgroup" -> &str = as_str;
    anon_rss_kb: "anon_rss_kb" -> u64 = as_u64;
    trigger: "trigger" -> &str = as_str;
    trigger_pid: "trigger_pid" -> u64 = as_u64;
    scope: "scope" -> &str = as_str;
    constraint: "constraint" -> &str = as_str;
    cpuset: "cpuset" -> &str = as_str;
    oom_memcg: "oom_memcg" -> &str = as_str;
    memcg_limit_kb: "memcg_limit_kb" -> u64 = as_u64;
    task_memcg: "task_memcg" -> &str = as_str;
    time_basis: "time_basis" -> &str = as_str;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accessor_reads_a_declared_attribute() {
        for key in READ {
            assert!(
                CONTRACT.iter().any(|s| s.name == *key) || SET_BY_CODE.contains(key),
                "{key}: read by code but neither in CONTRACT nor SET_BY_CODE"
            );
        }
    }
}
