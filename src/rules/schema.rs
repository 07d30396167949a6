//! The on-disk shape of a pattern file (`patterns/*.toml`, schema 1), as serde reads it.
//!
//! Kept apart from the compiled form so that unknown keys are rejected at the boundary
//! (`deny_unknown_fields` everywhere): a misspelt key in a user's rule file must be an error that
//! names the key, never a silently ignored setting.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One pattern file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternFile {
    pub schema: u32,
    #[serde(default)]
    pub rule: Vec<RuleDef>,
    /// Default backup command/unit regexes (only the built-in `backup.toml` needs it, but a
    /// user file may add more).
    #[serde(default)]
    pub backup: Option<BackupDef>,
}

/// Regexes that make a cron command or a unit a backup, with their own samples.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupDef {
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    /// Commands or unit names that must be recognised as backups.
    #[serde(default)]
    pub sample: Vec<String>,
    /// Commands or unit names that must not.
    #[serde(default)]
    pub negative: Vec<String>,
}

/// One rule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub event: String,
    pub hint: String,
    /// Literal the scanner looks for in a text line instead of `hint`, when the hint alone is
    /// common (`session opened for user ` is in every sshd login): it must occur in every
    /// positive sample `line`. Journal records do not go through the scanner.
    #[serde(default)]
    pub scan_hint: Option<String>,
    pub regex: String,
    /// Regex the record's identifier must match (records without one pass).
    #[serde(default)]
    pub ident: Option<String>,
    /// Journal MESSAGE_ID that makes a journal record match whatever its wording.
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    /// Constant fields added to every event of the rule.
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    /// The event's pid is the record's (syslog `tag[pid]`) unless a capture names one.
    #[serde(default)]
    pub record_pid: bool,
    /// Take `unit` from the journal's `UNIT=` field when the text names none.
    #[serde(default)]
    pub journal_unit: bool,
    #[serde(default)]
    pub backup: Option<BackupConv>,
    #[serde(default)]
    pub follow: Option<FollowDef>,
    #[serde(default)]
    pub sample: Vec<SampleDef>,
    #[serde(default)]
    pub negative: Vec<NegativeDef>,
}

/// Turn the event into a backup event when one of `fields` matches a backup regex.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConv {
    pub fields: Vec<String>,
    pub event: String,
    /// Constant fields added only when the event became a backup event.
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
}

/// Block continuation lines (the OOM task table rows after their column header).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowDef {
    pub event: String,
    pub regex: String,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub sample: Vec<SampleDef>,
    #[serde(default)]
    pub negative: Vec<NegativeDef>,
}

/// `field = "type"` (capture of the same name) or `field = { capture = "x", type = "t" }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FieldSpec {
    Type(String),
    Full(FieldFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldFull {
    pub capture: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// A positive sample: a full log line or a journal field set, and the exact fields it yields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleDef {
    #[serde(default)]
    pub line: Option<String>,
    #[serde(default)]
    pub journal: Option<BTreeMap<String, String>>,
    /// The kind the sample must yield when it is not the rule's (backup conversion).
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub expect: toml::Table,
}

/// A negative sample: a line, or `{ journal = { … } }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum NegativeDef {
    Line(String),
    Journal(NegJournal),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegJournal {
    pub journal: BTreeMap<String, String>,
}
