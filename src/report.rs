//! The serialisable report: the `logautopsy/report/v1` contract (DESIGN.md §5). Every renderer
//! reads only this. The contract only grows: new keys are welcome, required keys never change
//! meaning; a breaking change bumps `SCHEMA`. `schema/report-v1.json` is its JSON Schema.

use crate::events::{Event, EventId, WindowId};
use crate::model::{Location, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;
use std::sync::Arc;

pub const SCHEMA: &str = "logautopsy/report/v1";

/// A closed vocabulary of the report, serialised as its contract strings.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
        pub enum $name { $( $(#[$vm])* #[serde(rename = $s)] $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s,)* } }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        /// Compared with its contract string (`kind == "oom-cascade"`).
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

vocabulary! {
    /// What an incident was, from the evidence it gathered (most specific first).
    IncidentKind {
        OomCascade => "oom-cascade",
        OomKill => "oom-kill",
        OomdKill => "oomd-kill",
        /// The kernel ran out of memory and found nothing it could kill.
        OomNoKill => "oom-no-kill",
        RestartLoop => "restart-loop",
        OrphanedWorkers => "orphaned-workers",
        WorkerCrash => "worker-crash",
        UnitFailed => "unit-failed",
    }
}

vocabulary! {
    /// How a backup window's end was known (`backup_windows[].end_basis`).
    EndBasis {
        /// The cron PAM session closed (Debian's default `-L 1`).
        CronSession => "cron-session",
        /// cronie ≥ 1.5.6's `CMDEND`.
        CronieCmdend => "cronie-cmdend",
        /// Debian cron's `END` (`-L 2`).
        CronEnd => "cron-end",
        /// `(CRON) info (No MTA installed, discarding output)` after the job.
        CronNoMta => "cron-no-mta",
        /// `(CRON) error (grandchild #N failed …)`: the job ended, and failed.
        CronGrandchild => "cron-grandchild",
        /// `Finished …` / `Deactivated successfully.` of the backup unit.
        SystemdFinished => "systemd-finished",
        /// `Failed with result …` of the backup unit.
        SystemdFailed => "systemd-failed",
        /// `Consumed … over W wall clock time`: the run's length from its last line.
        SystemdConsumed => "systemd-consumed",
        RunParts => "run-parts",
        Anacron => "anacron",
        /// No end in the logs (`end` is null).
        Unknown => "unknown",
    }
}

impl EndBasis {
    /// The basis a rule names (`basis = "cron-end"` in `patterns/cron.toml`).
    pub fn parse(s: &str) -> Option<EndBasis> {
        EndBasis::ALL.iter().copied().find(|b| b.as_str() == s)
    }
    /// The run is known to have failed (cron writes `grandchild … failed` only then; systemd
    /// `Failed with result`).
    pub fn failed(self) -> bool {
        matches!(self, EndBasis::CronGrandchild | EndBasis::SystemdFailed)
    }
}

vocabulary! {
    /// How bad an incident is; ordered, `Critical` greatest.
    Severity {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

vocabulary! {
    /// What the numbers of a `backup_association` row allow one to say.
    Verdict {
        /// p < 0.05 with at least two incidents inside the windows.
        Linked => "linked",
        /// Enough incidents, but no more inside the windows than chance gives.
        NotLinked => "not-linked",
        /// Fewer than three incidents: nothing can be concluded.
        TooFew => "too-few",
    }
}

vocabulary! {
    /// What a run-level warning is about, for code that must act on one (tests, tools reading
    /// the report match the kind, never the text).
    WarningKind {
        /// A file inside a directory was empty.
        EmptyInput => "empty-input",
        /// A file inside a directory is not a log this tool reads.
        Skipped => "skipped",
        /// A file's host was taken from its copied tree or `--host`.
        HostAssigned => "host-assigned",
        /// Zone-less times were read as UTC.
        ZoneAssumed => "zone-assumed",
        /// A zone-less file's offset was learned from copies of its lines.
        ZoneLearned => "zone-learned",
        /// Year-less lines were moved to another year than the file's mtime said.
        YearShifted => "year-shifted",
        /// Lines dated Feb 29 in a year without one: the year policy is wrong for them.
        ImpossibleDate => "impossible-date",
    }
}

vocabulary! {
    /// What an input's warning is about, for code that must tell them apart.
    InputWarningKind {
        /// Lines end with CR alone; each CR was read as a line break.
        LineEndings => "line-endings",
        /// Reading stopped early (a read error, a truncated or oversized stream): a partial read.
        PartialRead => "partial-read",
        /// The input could not be read at all.
        Unreadable => "unreadable",
        /// The binary journal reader's own findings (dirty file, unknown flags, broken chains).
        Journal => "journal",
        /// Year-less lines and nothing to date them by.
        NoYear => "no-year",
        /// Lines dated Feb 29 in a year without one.
        ImpossibleDate => "impossible-date",
        /// Times estimated from something other than the line (uptime, kubectl ages, dmesg -H).
        TimeEstimated => "time-estimated",
        /// Lines with no time at all.
        TimeUnknown => "time-unknown",
        /// NUL bytes inside lines (what a crash leaves).
        NulBytes => "nul-bytes",
        /// Lines longer than the scanner searches.
        OverlongLines => "overlong-lines",
    }
}

/// A warning about one input (`inputs[].warnings`): its kind, and the message, which is what
/// the contract's strings hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputWarning {
    pub kind: InputWarningKind,
    pub message: String,
}

impl InputWarning {
    pub fn new(kind: InputWarningKind, message: impl Into<String>) -> Self {
        InputWarning {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for InputWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Serialize for InputWarning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for InputWarning {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "input_warning".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

/// A warning about the whole run: its kind, the input it is about (if one), and the message.
/// Serialised as the text `path: message`, as the contract's `warnings` strings always were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub path: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(kind: WarningKind, path: Option<&str>, message: impl Into<String>) -> Self {
        Warning {
            kind,
            path: path.map(str::to_string),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Warning {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "warning".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "description": "`path: message`, or the message alone.", "type": "string" })
    }
}

vocabulary! {
    /// How an incident ended, when the logs show a restart.
    Recovery {
        /// A start was confirmed (supervisord RUNNING for every respawn, or the unit's Started).
        Running => "running",
        /// A restart began but no line confirms it came up.
        RestartAttempted => "restart-attempted",
    }
}

vocabulary! {
    /// Why a process is listed as an orphan.
    OrphanBasis {
        /// systemd: `Unit process N (x) remains running after unit stopped.`
        RemainsRunning => "remains-running",
        /// systemd at the next start: `Found left-over process N (x) in control group …`.
        LeftOver => "left-over",
        /// supervisord was still waiting for the program when it was killed.
        WaitingList => "waiting-list",
    }
}

vocabulary! {
    /// What a process was at an OOM kill.
    Role {
        OomVictim => "oom-victim",
        OomTrigger => "oom-trigger",
        LikelyBackup => "likely-backup",
    }
}

vocabulary! {
    /// How an incident's times were known when its lines gave none.
    TimeBasis {
        /// No time at all: file order, placed at the file's mtime.
        NoTimestamp => "no-timestamp",
        /// Counted back from the file's mtime by kubectl's event ages.
        KubectlAge => "kubectl-age",
        /// Boot seconds (dmesg), the last line placed at the file's mtime.
        DmesgUptime => "dmesg-uptime",
    }
}

impl TimeBasis {
    pub fn parse(s: &str) -> Option<TimeBasis> {
        TimeBasis::ALL.iter().copied().find(|b| b.as_str() == s)
    }
}

vocabulary! {
    /// The container runtime an OOM victim's cgroup path names.
    ContainerRuntime {
        Docker => "docker",
        Containerd => "containerd",
        CriO => "cri-o",
        Lxc => "lxc",
    }
}

impl IncidentKind {
    pub fn severity(self) -> Severity {
        match self {
            // Nothing killable: the kernel panics or the host hangs.
            IncidentKind::OomCascade | IncidentKind::OomNoKill => Severity::Critical,
            IncidentKind::OomKill
            | IncidentKind::OomdKill
            | IncidentKind::OrphanedWorkers
            | IncidentKind::RestartLoop => Severity::High,
            IncidentKind::WorkerCrash => Severity::Medium,
            IncidentKind::UnitFailed => Severity::Low,
        }
    }

    /// The kinds that involve an OOM kill.
    pub fn is_oom(self) -> bool {
        matches!(
            self,
            IncidentKind::OomCascade
                | IncidentKind::OomKill
                | IncidentKind::OomdKill
                | IncidentKind::OomNoKill
        )
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Report {
    #[schemars(extend("const" = "logautopsy/report/v1"))]
    pub schema: &'static str,
    pub tool: Tool,
    pub inputs: Vec<InputSummary>,
    pub hosts: Vec<HostSummary>,
    pub events: Vec<Event>,
    pub backup_windows: Vec<BackupWindow>,
    pub incidents: Vec<Incident>,
    /// Backup jobs grouped by command/unit: schedule and duration trend.
    pub backup_jobs: Vec<BackupJob>,
    /// Incidents on several hosts at similar local times.
    pub fleet: Vec<FleetPattern>,
    /// Is it the backup? Incidents inside backup windows against what chance gives.
    pub backup_association: Vec<Association>,
    pub stats: Stats,
    /// Run-level warnings (e.g. "zone-less lines read as UTC in: …"), typed; JSON strings.
    pub warnings: Vec<Warning>,
}

/// The JSON Schema of the report, generated from these types (`schema/report-v1.json` is its
/// checked-in copy; `logautopsy schema` prints it). What the serialised output looks like, so
/// an `Option` that is always written is required and nullable, one that is skipped is not.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Report>();
    schema.insert(
        "$id".into(),
        "https://logautopsy.invalid/schema/report-v1.json".into(),
    );
    schema.insert(
        "title".into(),
        "logautopsy report, contract logautopsy/report/v1".into(),
    );
    schema.insert(
        "description".into(),
        "The JSON report of `logautopsy analyze --json`, generated from the types in \
         src/report.rs. The contract only grows: required keys never disappear or change \
         meaning; more keys may appear anywhere (objects stay open), and a vocabulary may gain \
         values. Times are RFC 3339 UTC with a Z and microseconds."
            .into(),
    );
    schema.to_value()
}

impl Report {
    /// A report of nothing: what a run over inputs without events starts from.
    pub fn empty() -> Report {
        Report {
            schema: SCHEMA,
            tool: Tool::default(),
            inputs: vec![],
            hosts: vec![],
            events: vec![],
            backup_windows: vec![],
            incidents: vec![],
            backup_jobs: vec![],
            fleet: vec![],
            backup_association: vec![],
            stats: Stats::default(),
            warnings: vec![],
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "logautopsy",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct InputSummary {
    pub path: String,
    /// Detected format, e.g. `rfc3164`, `rfc3339`, `supervisord`, `journal`, `journal-export`.
    pub format: String,
    /// Main host of the input (the one most of its lines name).
    pub host: Option<String>,
    /// Every host the input names.
    pub hosts_seen: Vec<String>,
    /// Bytes read (decompressed for `.gz`).
    pub bytes: u64,
    /// On-disk size (compressed for `.gz`).
    pub file_bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub unparsed: u64,
    /// Candidate lines (contained a rule hint) that were parsed.
    pub candidates: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub compression: Option<String>,
    /// How the year of year-less lines was chosen (`--year`, `mtime`, `gzip-mtime`, `n/a`).
    pub year_policy: String,
    /// Zone used for zone-less lines (`UTC (assumed)`, `Europe/Berlin (--tz)`, `n/a`).
    pub tz_policy: String,
    /// Journal file state (online/offline/archived) for binary journals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal_state: Option<String>,
    pub warnings: Vec<InputWarning>,
    /// First few unparsed candidate lines (`path:line: text`), shown under `--verbose`.
    pub unparsed_samples: Vec<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct HostSummary {
    pub name: String,
    /// IANA zone or fixed offset used/seen for this host.
    pub tz: String,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub events: usize,
    /// Routine lines of this host (`stats.routine`), counted but not events.
    pub routine_lines: u64,
    pub incidents: usize,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(transform = window_contract)]
pub struct BackupWindow {
    pub id: WindowId,
    pub host: String,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub end_basis: EndBasis,
    #[schemars(range(min = 0))]
    pub duration_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Event ids: start, end and anything joining them.
    #[schemars(length(min = 1))]
    pub events: Vec<EventId>,
    /// Why the end is unknown and what input would give it (only when `end` is null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_hint: Option<String>,
}

/// What the types cannot say: a window names its command or unit, and `end` null goes with
/// `end_basis` unknown and `duration_s` null (never an invented basis).
fn window_contract(schema: &mut schemars::Schema) {
    let extra = serde_json::json!({
        "anyOf": [{ "required": ["command"] }, { "required": ["unit"] }],
        "if": { "properties": { "end": { "type": "null" } } },
        "then": { "properties": { "end_basis": { "const": "unknown" }, "duration_s": { "type": "null" } } },
        "else": { "properties": { "end_basis": { "not": { "const": "unknown" } }, "duration_s": { "type": "number" } } },
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        schema.insert(k.clone(), v.clone());
    }
}

impl BackupWindow {
    /// The job this run belongs to: its unit, else its command (as `backup_jobs[].job`).
    pub fn job(&self) -> String {
        self.unit
            .clone()
            .or_else(|| self.command.clone())
            .unwrap_or_else(|| "?".to_string())
    }
}

/// One row of `backup_association` (see `correlate::association` for the model). Every number
/// recomputes from the row: `coverage = window_s / observed_s`, `expected = incidents ×
/// coverage`, `p_value = P(X ≥ inside)` for X ~ Binomial(incidents, coverage).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Association {
    /// `null` for the fleet row.
    pub host: Option<String>,
    /// The job (unit or command); `null` for a host's or the fleet's row (all jobs).
    pub job: Option<String>,
    /// Seconds the logs cover: first to last line (the sum over hosts for the fleet).
    #[schemars(range(min = 0))]
    pub observed_s: f64,
    /// Seconds inside the windows plus the linking slack after each end, overlaps once, clipped.
    #[schemars(range(min = 0))]
    pub window_s: f64,
    #[schemars(range(min = 0, max = 1))]
    pub coverage: f64,
    /// Incidents that began in the observed time, each once, of every kind.
    pub incidents: usize,
    /// Of those, the ones that began inside a window (with slack).
    pub inside: usize,
    #[schemars(range(min = 0))]
    pub expected: f64,
    #[schemars(range(min = 0, max = 1))]
    pub p_value: f64,
    pub verdict: Verdict,
    /// Backup runs counted.
    pub windows: usize,
    /// Runs without an end whose length was taken as the job's median measured run.
    pub ends_estimated: usize,
    /// Runs without an end and no measured run of the job: counted as start plus slack.
    pub ends_missing: usize,
    /// The row in one sentence, as the terminal and Markdown print it.
    pub summary: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct BackupJob {
    /// Command or unit that identifies the job.
    pub job: String,
    pub host: String,
    pub runs: usize,
    /// Inferred cron-like schedule of the start times, e.g. `0 1-23/6 * * *`.
    #[schemars(pattern(r"^\S+ \S+ \S+ \S+ \S+$"))]
    pub schedule: Option<String>,
    pub durations_s: Vec<Option<f64>>,
    pub mean_s: Option<f64>,
    pub max_s: Option<f64>,
    /// Relative growth of duration from the first to the last measured run (0.5 = +50 %).
    pub trend: Option<f64>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Incident {
    #[schemars(pattern(r"^i[0-9]+$"))]
    pub id: String,
    pub host: String,
    pub kind: IncidentKind,
    pub start: Timestamp,
    pub end: Timestamp,
    pub severity: Severity,
    #[schemars(length(min = 1))]
    pub summary: String,
    pub backup_window: Option<WindowId>,
    #[schemars(range(min = 0))]
    pub backup_lag_s: Option<f64>,
    pub oom_kills: Vec<OomKill>,
    pub supervisor_stopped: bool,
    pub orphans: Vec<Orphan>,
    /// Programs supervisord was still waiting for when it was killed, when systemd listed no
    /// process left in the unit (basis `waiting-list`): they may have run on. Not orphans.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub possibly_left_running: Vec<Orphan>,
    /// RSS by process name from the OOM report's task table; empty when the report had no
    /// task table (the victims' own anon-rss is in `oom_kills`).
    pub memory_top: Vec<MemoryUse>,
    /// The largest single processes of that task table, with their roles.
    pub memory_largest: Vec<ProcessMemory>,
    /// Event ids, in chain order.
    pub evidence: Vec<EventId>,
    /// The causal chain, one step per line, in order. A run of more than 64 steps of one kind
    /// keeps its first five and its last; one step between them counts the rest.
    pub chain: Vec<ChainStep>,
    pub recommendations: Vec<Recommendation>,
    /// Supervisor programs no longer running under supervision after the incident: killed,
    /// stopped, exited, or left running without their supervisor. `programs_stopped` and
    /// `programs_unsupervised` split it.
    pub workers_lost: Vec<String>,
    /// Programs of `workers_lost` whose processes ended (OOM-killed, stopped by supervisord,
    /// exited).
    pub programs_stopped: Vec<String>,
    /// Programs of `workers_lost` whose process kept running after the supervisor was gone
    /// (matched to an orphan by its `spawned:` pid, or still in the last waiting list).
    pub programs_unsupervised: Vec<String>,
    /// Seconds from the first failure evidence to recovery (restart), when known.
    #[schemars(range(min = 0))]
    pub outage_s: Option<f64>,
    /// What the restart at the end of `outage_s` is known to have achieved: `running`
    /// (supervisord `success: … entered RUNNING state`, or systemd `Started` of the unit) or
    /// `restart-attempted` (only a spawn / `Starting` was seen); `null` without a restart.
    pub recovery: Option<Recovery>,
    /// How the incident's times were known when its lines gave none: `no-timestamp` (no time
    /// at all: file order, placed at the file's mtime), `kubectl-age` (counted back from the
    /// file's mtime), `dmesg-uptime` (boot seconds, the last line placed at the mtime).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_basis: Option<TimeBasis>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct OomKill {
    pub pid: u32,
    pub process: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anon_rss_kb: Option<u64>,
    /// The container the victim ran in, from the kill's memory-cgroup path (or, before 4.19,
    /// the trigger's cpuset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Box<Container>>,
    /// The memory cgroup's limit, when the kernel printed it (`memory: usage …, limit …`: memory
    /// cgroup kills only). A kill at a limit is not the host running out of memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memcg_limit_kb: Option<u64>,
    pub event: EventId,
}

/// A container an OOM victim ran in (`correlate::container` reads it from the cgroup path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Container {
    pub runtime: ContainerRuntime,
    /// The first 12 hex digits of the container id (as `docker ps` shows it); an LXC name.
    pub id: String,
    /// The Kubernetes pod uid, dashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
}

impl std::fmt::Display for Container {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} container {}", self.runtime, self.id)?;
        if let Some(p) = &self.pod {
            write!(f, " (pod {p})")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Orphan {
    /// `null` when only the program name is known (from the waiting list); the contract
    /// requires the key, so it is never skipped.
    pub pid: Option<u32>,
    pub process: String,
    /// `remains-running`, `left-over`, or `waiting-list`.
    pub basis: OrphanBasis,
    pub event: EventId,
    /// Supervisor program the process belonged to (from `spawned: … with pid N`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MemoryUse {
    pub process: String,
    pub count: u64,
    pub rss_kb: u64,
    /// Processes of note summed into this row, e.g. `oom victim pid 1109`,
    /// `oom trigger pid 41790`, `likely backup pid 41704 (follows the cron CMD pid 41703)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
}

/// One process of the OOM report's task table, biggest RSS first.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ProcessMemory {
    pub pid: u32,
    pub process: String,
    pub rss_kb: u64,
    /// What the process was in the incident, when known: `oom-victim`, `oom-trigger`,
    /// `likely-backup`.
    pub roles: Vec<Role>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ChainStep {
    pub time: Timestamp,
    pub event: EventId,
    pub kind: crate::events::EventKind,
    pub text: String,
    pub sources: Vec<Location>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Recommendation {
    pub id: String,
    #[schemars(length(min = 1))]
    pub text: String,
    /// Event ids the recommendation follows from.
    #[schemars(length(min = 1))]
    pub evidence: Vec<EventId>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FleetPattern {
    pub summary: String,
    #[schemars(length(min = 2))]
    pub hosts: Vec<String>,
    #[schemars(inner(pattern(r"^i[0-9]+$")))]
    pub incidents: Vec<String>,
    /// Local time of day (`HH:MM`) the incidents cluster around.
    #[schemars(pattern(r"^[0-2][0-9]:[0-5][0-9]$"))]
    pub local_time: String,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Stats {
    pub bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub unparsed: u64,
    pub candidates: u64,
    /// Records seen in more than one source and merged into one.
    pub merged_duplicates: u64,
    pub events: usize,
    /// Routine lines (session scopes, user managers, cron jobs, unreferenced unit lifecycle:
    /// `events::routine`): counted, not reported as events.
    pub routine_lines: u64,
    /// Routine lines per host and kind.
    pub routine: Vec<crate::events::routine::RoutineCount>,
}
