//! `Record`: one log line (or journal entry) with its envelope read — time, host, identifier,
//! pid — and the message body. Only records that could hold an event are ever built; the rest
//! of a file is counted, never materialised.

use crate::model::{Location, Timestamp};

/// Journal metadata kept for an entry (issue: binary journals). Text inputs leave it empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalFields {
    pub message_id: Option<String>,
    /// `UNIT=` / `USER_UNIT=`: the unit a PID-1 message is about.
    pub unit: Option<String>,
    /// `_SYSTEMD_UNIT=`: the unit the writing process runs in.
    pub systemd_unit: Option<String>,
    pub comm: Option<String>,
    pub boot_id: Option<String>,
    pub priority: Option<u8>,
    pub transport: Option<String>,
    pub monotonic_us: Option<u64>,
}

/// One parsed line or journal entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub time: Timestamp,
    /// Host as written in the line; `None` when the format has none (supervisord.log, dmesg).
    pub host: Option<String>,
    /// Syslog tag / `SYSLOG_IDENTIFIER` (e.g. `kernel`, `systemd`, `CRON`, `supervisord`).
    pub ident: Option<String>,
    pub pid: Option<u32>,
    /// The message body, after the envelope and the kernel's `[uptime]` stamp.
    pub message: String,
    /// The kernel's `[ 1234.567890]` boot-relative stamp, in seconds, when the line had one.
    pub uptime: Option<f64>,
    /// True when the time had no zone and was read in an assumed one (`--tz`, or UTC).
    pub zone_assumed: bool,
    /// True when the year was inferred (RFC 3164, journalctl short).
    pub year_inferred: bool,
    pub journal: Option<Box<JournalFields>>,
    pub source: Location,
}

impl Record {
    /// The identifier, lower-cased comparisons are the caller's business.
    pub fn ident(&self) -> &str {
        self.ident.as_deref().unwrap_or("")
    }
}
