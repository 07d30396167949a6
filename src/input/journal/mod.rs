//! Systemd journals, read without systemd: binary `.journal` / `.journal~` files ([`binary`]),
//! `journalctl -o export` streams ([`export`]) and `journalctl -o json` lines ([`json`]).
//!
//! Each entry becomes one [`Record`] handed to a sink in file order; the pipeline sorts and
//! merges across files. Only the fields the analysis uses are kept (see [`EntryFields`]), each
//! capped at [`MAX_FIELD`] bytes, so memory does not grow with the input or with one huge
//! field. A damaged input yields every entry that can be read, a count of those that could not,
//! and one warning per input; `Err` is returned only when nothing can be read at all (not a
//! journal, unreadable header). The binary reader is our own implementation of the documented
//! file format (<https://systemd.io/JOURNAL_FILE_FORMAT/>); `docs/journal.md` says why.

pub mod binary;
pub mod export;
pub mod json;
pub mod lz4;

use crate::model::{Location, Timestamp};
use crate::parse::{JournalFields, Record};
use std::sync::Arc;

pub use binary::{read_journal_bytes, read_journal_file};
pub use export::read_export;
pub use json::read_json_lines;

/// Longest field value kept, in bytes. Longer values (a MESSAGE with a stack dump, a
/// compressed coredump) are cut here: events are found in the first lines of a message, and a
/// bound per field is what keeps memory independent of the input.
pub const MAX_FIELD: usize = 64 * 1024;

/// What reading one journal input found, for the report's `inputs[]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalSummary {
    /// `journal` (binary file), `journal-export` or `journal-json`.
    pub format: &'static str,
    /// Entries delivered to the sink.
    pub entries: u64,
    /// Entries known to exist that could not be read (damage, no timestamp, bad JSON line).
    pub unreadable: u64,
    /// Binary files: the header's state, `online` (being written or not closed cleanly),
    /// `offline` (closed cleanly) or `archived` (rotated).
    pub state: Option<String>,
    /// Binary files: the compression the header allows objects to use (`zstd`, `lz4`, `xz`).
    pub compression: Option<String>,
    /// At most one warning per input, naming what was damaged and how much was lost.
    pub warnings: Vec<String>,
    /// Bytes of the input (file size, or bytes consumed from a stream).
    pub bytes: u64,
}

/// The fields of one entry that the analysis keeps, filled field by field by the readers.
/// The first value of a multi-valued field wins, as `journalctl -o short` shows it.
#[derive(Clone, Debug, Default)]
pub struct EntryFields {
    pub realtime: Option<u64>,
    pub source_realtime: Option<u64>,
    pub monotonic: Option<u64>,
    pub boot_id: Option<String>,
    pub cursor: Option<String>,
    pub message: Option<String>,
    pub message_id: Option<String>,
    pub hostname: Option<String>,
    pub syslog_identifier: Option<String>,
    pub comm: Option<String>,
    pub pid: Option<u32>,
    pub syslog_pid: Option<u32>,
    pub systemd_unit: Option<String>,
    pub unit: Option<String>,
    pub user_unit: Option<String>,
    pub priority: Option<u8>,
    pub transport: Option<String>,
}

/// True for the field names [`EntryFields::set`] keeps. Readers use it to skip the work of
/// decoding (or decompressing) values nobody reads.
pub fn wanted(name: &[u8]) -> bool {
    matches!(
        name,
        b"MESSAGE"
            | b"MESSAGE_ID"
            | b"_HOSTNAME"
            | b"SYSLOG_IDENTIFIER"
            | b"_COMM"
            | b"_PID"
            | b"SYSLOG_PID"
            | b"_SYSTEMD_UNIT"
            | b"UNIT"
            | b"USER_UNIT"
            | b"PRIORITY"
            | b"_TRANSPORT"
            | b"_BOOT_ID"
            | b"__CURSOR"
            | b"__REALTIME_TIMESTAMP"
            | b"__MONOTONIC_TIMESTAMP"
            | b"_SOURCE_REALTIME_TIMESTAMP"
    )
}

/// The kept field names, as statics a reader can store instead of copying a name.
const KEPT: [&[u8]; 17] = [
    b"MESSAGE",
    b"MESSAGE_ID",
    b"_HOSTNAME",
    b"SYSLOG_IDENTIFIER",
    b"_COMM",
    b"_PID",
    b"SYSLOG_PID",
    b"_SYSTEMD_UNIT",
    b"UNIT",
    b"USER_UNIT",
    b"PRIORITY",
    b"_TRANSPORT",
    b"_BOOT_ID",
    b"__CURSOR",
    b"__REALTIME_TIMESTAMP",
    b"__MONOTONIC_TIMESTAMP",
    b"_SOURCE_REALTIME_TIMESTAMP",
];

/// `name` as a static if it is a kept field.
pub fn kept_name(name: &[u8]) -> Option<&'static [u8]> {
    KEPT.iter().copied().find(|k| *k == name)
}

fn text(v: &[u8]) -> String {
    let v = &v[..v.len().min(MAX_FIELD)];
    String::from_utf8_lossy(v).into_owned()
}

fn number<T: std::str::FromStr>(v: &[u8]) -> Option<T> {
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}

/// Fill `slot` from `make` unless it already has a value: the first of a multi-valued field
/// wins, and a later value is not even decoded.
fn first<T>(slot: &mut Option<T>, make: impl FnOnce() -> Option<T>) {
    if slot.is_none() {
        *slot = make();
    }
}

impl EntryFields {
    /// Keep `value` if `name` is a field we use and it has no value yet. Returns whether it was
    /// a wanted field.
    pub fn set(&mut self, name: &[u8], value: &[u8]) -> bool {
        match name {
            b"MESSAGE" => first(&mut self.message, || Some(text(value))),
            b"MESSAGE_ID" => first(&mut self.message_id, || Some(text(value))),
            b"_HOSTNAME" => first(&mut self.hostname, || Some(text(value))),
            b"SYSLOG_IDENTIFIER" => first(&mut self.syslog_identifier, || Some(text(value))),
            b"_COMM" => first(&mut self.comm, || Some(text(value))),
            b"_PID" => first(&mut self.pid, || number(value)),
            b"SYSLOG_PID" => first(&mut self.syslog_pid, || number(value)),
            b"_SYSTEMD_UNIT" => first(&mut self.systemd_unit, || Some(text(value))),
            b"UNIT" => first(&mut self.unit, || Some(text(value))),
            b"USER_UNIT" => first(&mut self.user_unit, || Some(text(value))),
            b"PRIORITY" => first(&mut self.priority, || number(value)),
            b"_TRANSPORT" => first(&mut self.transport, || Some(text(value))),
            b"_BOOT_ID" => first(&mut self.boot_id, || Some(text(value))),
            b"__CURSOR" => first(&mut self.cursor, || Some(text(value))),
            b"__REALTIME_TIMESTAMP" => first(&mut self.realtime, || number(value)),
            b"__MONOTONIC_TIMESTAMP" => first(&mut self.monotonic, || number(value)),
            b"_SOURCE_REALTIME_TIMESTAMP" => first(&mut self.source_realtime, || number(value)),
            _ => return false,
        }
        true
    }

    /// The event time: `__REALTIME_TIMESTAMP` (when journald received the entry), else the
    /// sender's `_SOURCE_REALTIME_TIMESTAMP`. `None` when neither is a plausible instant.
    fn time(&self) -> Option<Timestamp> {
        // journald's own validity bound (VALID_REALTIME): non-zero and below 2^55 µs.
        let valid = |t: u64| t > 0 && t < (1u64 << 55);
        let t = self
            .realtime
            .filter(|t| valid(*t))
            .or(self.source_realtime.filter(|t| valid(*t)))?;
        Some(Timestamp::from_utc_micros(t as i64, 0))
    }

    /// Build the record, or `None` when the entry has no usable time (it cannot be placed on
    /// the timeline; the caller counts it as unreadable).
    pub fn into_record(
        self,
        path: &Arc<str>,
        fallback_cursor: impl FnOnce() -> String,
    ) -> Option<Record> {
        let time = self.time()?;
        let cursor = match self.cursor {
            Some(c) => c,
            None => fallback_cursor(),
        };
        let ident = self.syslog_identifier.or_else(|| self.comm.clone());
        Some(Record {
            time,
            host: self.hostname,
            ident,
            pid: self.pid.or(self.syslog_pid),
            message: self.message.unwrap_or_default(),
            uptime: None,
            zone_assumed: false,
            year_inferred: false,
            journal: Some(Box::new(JournalFields {
                message_id: self.message_id,
                unit: self.unit.or(self.user_unit),
                systemd_unit: self.systemd_unit,
                comm: self.comm,
                boot_id: self.boot_id,
                priority: self.priority,
                transport: self.transport,
                monotonic_us: self.monotonic,
            })),
            source: Location::Cursor {
                path: path.clone(),
                cursor,
            },
        })
    }
}

/// Joins the damage notes of one input into its single warning.
fn one_warning(display: &str, notes: &[String], dropped: usize) -> Option<String> {
    if notes.is_empty() {
        return None;
    }
    let mut w = format!("{display}: {}", notes.join("; "));
    if dropped > 0 {
        w.push_str(&format!("; and {dropped} more problems"));
    }
    Some(w)
}

/// Collects damage notes for one input, keeping the first few so a badly damaged file cannot
/// grow its warning without bound.
#[derive(Default)]
pub(crate) struct Notes {
    notes: Vec<String>,
    dropped: usize,
}

impl Notes {
    const KEEP: usize = 3;
    pub(crate) fn add(&mut self, note: String) {
        if self.notes.len() < Self::KEEP {
            self.notes.push(note);
        } else {
            self.dropped += 1;
        }
    }
    pub(crate) fn into_warnings(self, display: &str) -> Vec<String> {
        one_warning(display, &self.notes, self.dropped)
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_fields_build_a_record_with_fallbacks() {
        let mut f = EntryFields::default();
        assert!(f.set(b"__REALTIME_TIMESTAMP", b"1790229269318480"));
        assert!(f.set(b"_COMM", b"systemd"));
        assert!(f.set(b"SYSLOG_PID", b"1"));
        assert!(f.set(b"USER_UNIT", b"app.service"));
        assert!(f.set(b"MESSAGE", b"first"));
        assert!(f.set(b"MESSAGE", b"second"));
        assert!(!f.set(b"_UID", b"0"));
        let r = f.into_record(&Arc::from("j"), || "entry=1".into()).unwrap();
        assert_eq!(r.time.rfc3339(), "2026-09-24T05:54:29.318480Z");
        assert_eq!(r.ident.as_deref(), Some("systemd"));
        assert_eq!(r.pid, Some(1));
        assert_eq!(r.message, "first");
        let j = r.journal.unwrap();
        assert_eq!(j.unit.as_deref(), Some("app.service"));
        assert_eq!(j.comm.as_deref(), Some("systemd"));
        assert_eq!(
            r.source,
            Location::Cursor {
                path: Arc::from("j"),
                cursor: "entry=1".into()
            }
        );
    }

    #[test]
    fn entry_without_a_plausible_time_is_not_a_record() {
        let mut f = EntryFields::default();
        f.set(b"__REALTIME_TIMESTAMP", b"0");
        f.set(b"MESSAGE", b"x");
        assert!(f
            .clone()
            .into_record(&Arc::from("j"), String::new)
            .is_none());
        f.set(b"_SOURCE_REALTIME_TIMESTAMP", b"1000000");
        assert_eq!(
            f.into_record(&Arc::from("j"), String::new)
                .unwrap()
                .time
                .micros,
            1_000_000
        );
    }
}
