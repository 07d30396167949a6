//! The typed `Event` and its vocabulary (DESIGN.md §4). Events are what travels past the rules:
//! about one line in ten thousand, each carrying every source it was seen in and a bounded raw
//! snippet as evidence.

use crate::model::{Location, Timestamp};
pub mod assemble;
pub mod attrs;
pub mod contract;
pub mod routine;
pub mod table;

pub use attrs::{AttrRef, AttrValue, Attrs, Key};

use serde::{Serialize, Serializer};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

/// Longest message kept as evidence; longer ones are cut on a char boundary with `…`.
pub const MAX_RAW: usize = 2048;

macro_rules! kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Event kinds. The names are the report contract's `kind` strings; never repurpose one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum EventKind { $( #[serde(rename = $name)] $variant, )* }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(EventKind::$variant => $name,)* } }
            pub fn parse(s: &str) -> Option<EventKind> {
                match s { $($name => Some(EventKind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    OomInvoked => "oom_invoked",
    OomKill => "oom_kill",
    OomReaped => "oom_reaped",
    OomdKill => "oomd_kill",
    // The OOM killer ran but killed nothing: its victim was already dying, nothing was
    // killable (panic follows), or the reaper could not free the victim's memory.
    OomVictimExiting => "oom_victim_exiting",
    OomNoKillable => "oom_no_killable",
    OomReapFailed => "oom_reap_failed",
    UnitOom => "unit_oom",
    UnitStarting => "unit_starting",
    UnitStarted => "unit_started",
    UnitStopping => "unit_stopping",
    UnitStopped => "unit_stopped",
    UnitFailed => "unit_failed",
    UnitMainExited => "unit_main_exited",
    // A unit's ExecStartPre=/ExecStop=/… process failed (`Control process exited, …`).
    UnitControlExited => "unit_control_exited",
    UnitStopTimeout => "unit_stop_timeout",
    UnitKilling => "unit_killing",
    UnitLeftoverProcess => "unit_leftover_process",
    UnitRemainsRunning => "unit_remains_running",
    UnitResources => "unit_resources",
    UnitSucceeded => "unit_succeeded",
    UnitRestartScheduled => "unit_restart_scheduled",
    SupervisorStarted => "supervisor_started",
    SupervisorSignal => "supervisor_signal",
    SupervisorWaiting => "supervisor_waiting",
    SupervisorStopped => "supervisor_stopped",
    SupervisorExited => "supervisor_exited",
    SupervisorSigkill => "supervisor_sigkill",
    SupervisorFatal => "supervisor_fatal",
    SupervisorSpawned => "supervisor_spawned",
    SupervisorSuccess => "supervisor_success",
    SupervisorctlShutdown => "supervisorctl_shutdown",
    CronSessionOpen => "cron_session_open",
    CronSessionClose => "cron_session_close",
    CronCmd => "cron_cmd",
    CronEnd => "cron_end",
    CronOutput => "cron_output",
    RunPartsStart => "run_parts_start",
    RunPartsEnd => "run_parts_end",
    AnacronStart => "anacron_start",
    AnacronEnd => "anacron_end",
    BackupStart => "backup_start",
    BackupEnd => "backup_end",
    WorkerKilled => "worker_killed",
    LogLoss => "log_loss",
    // Internal fragments of a kernel OOM report: emitted by the rules, folded into the
    // `oom_kill` event by `assemble`, and never reported (see `EventKind::is_internal`).
    OomSummary => "oom_summary",
    OomSelect => "oom_select",
    OomTaskTable => "oom_task_table",
    OomTask => "oom_task",
    // `CPU: N PID: P Comm: C` of the OOM report's stack dump: the trigger's pid.
    OomCpu => "oom_cpu",
    // ≤ 4.18's `<comm> cpuset=<cgroup> mems_allowed=<nodes>` (the trigger's cpuset: a container
    // id under Docker) and the memory cgroup's `memory: usage N kB, limit M kB, failcnt F`.
    OomCpuset => "oom_cpuset",
    OomMemcgUsage => "oom_memcg_usage",
}

impl EventKind {
    /// Kinds that only carry pieces of a multi-line report to `assemble`, which removes them.
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            EventKind::OomSummary
                | EventKind::OomSelect
                | EventKind::OomTaskTable
                | EventKind::OomTask
                | EventKind::OomCpu
                | EventKind::OomCpuset
                | EventKind::OomMemcgUsage
        )
    }
}

/// The kinds a report can hold (internal kinds never leave `assemble`).
impl schemars::JsonSchema for EventKind {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "event_kind".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = EventKind::ALL
            .iter()
            .filter(|k| !k.is_internal())
            .map(|k| k.as_str())
            .collect();
        schemars::json_schema!({
            "description": "An event kind of DESIGN.md §4. The vocabulary grows; a name is never repurposed.",
            "enum": names,
        })
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad` so width and alignment flags work (`{:<24}`).
        f.pad(self.as_str())
    }
}

/// A string that is not a report id of the kind asked for (`e12`, `b3`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {prefix} id: {text:?}")]
pub struct ParseIdError {
    pub prefix: &'static str,
    pub text: String,
}

/// Newtype ids of the report: a number, written `e12` (events) or `b3` (backup windows).
macro_rules! report_id {
    ($(#[$m:meta])* $name:ident, $prefix:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, so width and alignment flags work (`{:<5}` in the terminal's chains).
                f.pad(&format!(concat!($prefix, "{}"), self.0))
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, ParseIdError> {
                s.strip_prefix($prefix)
                    .and_then(|n| n.parse().ok())
                    .map($name)
                    .ok_or_else(|| ParseIdError { prefix: $prefix, text: s.to_string() })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": concat!("^", $prefix, "[0-9]+$"),
                })
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                other.parse::<$name>().is_ok_and(|o| o == *self)
            }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                *self == **other
            }
        }
    };
}

report_id!(
    /// An event's id within a report (`e1`, `e2`, … in time order; 0 until assigned).
    EventId,
    "e"
);
report_id!(
    /// A backup window's id within a report (`b1`, …).
    WindowId,
    "b"
);

/// One extracted event.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Event {
    /// Stable id within a report (`e1`, `e2`, … in time order); set by the pipeline after merge.
    pub id: EventId,
    pub time: Timestamp,
    pub host: Arc<str>,
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Process name (comm) the event is about, e.g. the OOM victim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<Arc<str>>,
    /// systemd unit the event is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Arc<str>>,
    /// supervisord program the event is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<Arc<str>>,
    /// The log message (without envelope).
    pub message: String,
    #[schemars(length(min = 1))]
    pub sources: Vec<Location>,
    /// Kind-specific typed fields (see `patterns/README.md` for each rule's attrs).
    pub attrs: Attrs,
    /// Id of the rule that produced it.
    #[serde(skip)]
    pub rule: &'static str,
    /// Syslog identifier of the line it came from (used for dedup and display).
    #[serde(skip)]
    pub ident: Arc<str>,
}

/// A shared copy of a host, unit, process, program or ident name. An OOM storm names the same
/// few hosts and processes hundreds of thousands of times; each thread keeps the names it saw
/// last, so repeats share one allocation. The cache is bounded: when full it starts over.
pub fn intern(s: &str) -> Arc<str> {
    const MAX: usize = 4096;
    thread_local! {
        static NAMES: std::cell::RefCell<rustc_hash::FxHashSet<Arc<str>>> = Default::default();
    }
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        if let Some(a) = n.get(s) {
            return a.clone();
        }
        if n.len() >= MAX {
            n.clear();
        }
        let a: Arc<str> = Arc::from(s);
        n.insert(a.clone());
        a
    })
}

/// The process-wide copy of an attribute name or rule id. The set is small and fixed by the
/// rules (tens of names), so each is leaked once and shared by every event.
pub fn key(s: &str) -> &'static str {
    static KEYS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = KEYS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(k) = set.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.to_string().into_boxed_str());
    set.insert(k);
    k
}

impl Event {
    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).and_then(|v| v.as_str())
    }
    pub fn attr_u64(&self, key: &str) -> Option<u64> {
        self.attrs.get(key).and_then(|v| v.as_u64())
    }
}

/// Cut `s` to at most `max` bytes on a char boundary, marking the cut.
pub fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
