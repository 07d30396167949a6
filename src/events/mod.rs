//! The typed `Event` and its vocabulary (DESIGN.md §4). Events are what travels past the rules:
//! about one line in ten thousand, each carrying every source it was seen in and a bounded raw
//! snippet as evidence.

use crate::model::{Location, Timestamp};
pub mod assemble;
pub mod routine;

use serde::Serialize;
use std::collections::BTreeMap;

/// Longest raw line kept as evidence; longer lines are cut on a char boundary with `…`.
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
    UnitOom => "unit_oom",
    UnitStarting => "unit_starting",
    UnitStarted => "unit_started",
    UnitStopping => "unit_stopping",
    UnitStopped => "unit_stopped",
    UnitFailed => "unit_failed",
    UnitMainExited => "unit_main_exited",
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
        )
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad` so width and alignment flags work (`{:<24}`).
        f.pad(self.as_str())
    }
}

/// One extracted event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Stable id within a report (`e1`, `e2`, … in time order); set by the pipeline after merge.
    pub id: String,
    pub time: Timestamp,
    pub host: String,
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Process name (comm) the event is about, e.g. the OOM victim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// systemd unit the event is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// supervisord program the event is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The log message (without envelope).
    pub message: String,
    pub sources: Vec<Location>,
    /// Kind-specific typed fields (see `patterns/README.md` for each rule's attrs).
    pub attrs: BTreeMap<String, serde_json::Value>,
    /// Id of the rule that produced it.
    #[serde(skip)]
    pub rule: String,
    /// The whole original line (or `MESSAGE`), cut at `MAX_RAW`.
    #[serde(skip)]
    pub raw: String,
    /// Syslog identifier of the line it came from (used for dedup and display).
    #[serde(skip)]
    pub ident: String,
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
