//! `journalctl -o json` (and `json-seq`) lines: one object per line whose values are strings,
//! arrays of strings for multi-valued fields, arrays of byte values for values that are not
//! valid UTF-8 (a non-UTF-8 `MESSAGE`), or `null` for values journalctl left out.
//!
//! Only the kept fields are deserialised; the rest are skipped by serde without allocating.
//! Lines are read bounded ([`MAX_LINE`]); a line that is too long or is not a JSON object is
//! counted as unreadable and named in the input's single warning.

use super::export::read_line_capped;
use super::{EntryFields, JournalSummary, Notes};
use crate::model::{Error, Result};
use crate::parse::Record;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

/// Longest JSON line read. journalctl prints fields over 4 KiB as `null` unless `--all`, so
/// real lines are far shorter; a longer line is skipped and counted, not buffered.
pub const MAX_LINE: usize = 4 << 20;

#[derive(Deserialize, Default)]
struct Line {
    #[serde(rename = "__CURSOR")]
    cursor: Option<Value>,
    #[serde(rename = "__REALTIME_TIMESTAMP")]
    realtime: Option<Value>,
    #[serde(rename = "__MONOTONIC_TIMESTAMP")]
    monotonic: Option<Value>,
    #[serde(rename = "_SOURCE_REALTIME_TIMESTAMP")]
    source_realtime: Option<Value>,
    #[serde(rename = "_BOOT_ID")]
    boot_id: Option<Value>,
    #[serde(rename = "MESSAGE")]
    message: Option<Value>,
    #[serde(rename = "MESSAGE_ID")]
    message_id: Option<Value>,
    #[serde(rename = "_HOSTNAME")]
    hostname: Option<Value>,
    #[serde(rename = "SYSLOG_IDENTIFIER")]
    syslog_identifier: Option<Value>,
    #[serde(rename = "_COMM")]
    comm: Option<Value>,
    #[serde(rename = "_PID")]
    pid: Option<Value>,
    #[serde(rename = "SYSLOG_PID")]
    syslog_pid: Option<Value>,
    #[serde(rename = "_SYSTEMD_UNIT")]
    systemd_unit: Option<Value>,
    #[serde(rename = "UNIT")]
    unit: Option<Value>,
    #[serde(rename = "USER_UNIT")]
    user_unit: Option<Value>,
    #[serde(rename = "PRIORITY")]
    priority: Option<Value>,
    #[serde(rename = "_TRANSPORT")]
    transport: Option<Value>,
}

/// The bytes of a JSON field value: a string, a byte array, or the first of several values.
fn value_bytes(v: &Value) -> Option<Cow<'_, [u8]>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_bytes())),
        Value::Number(n) => Some(Cow::Owned(n.to_string().into_bytes())),
        Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_u64()) => {
            // A byte array: every element must be a byte, else the value is not trustworthy.
            a.iter()
                .map(|x| x.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect::<Option<Vec<u8>>>()
                .map(Cow::Owned)
        }
        Value::Array(a) => a.first().and_then(value_bytes),
        _ => None,
    }
}

/// Read `journalctl -o json` lines.
pub fn read_json_lines(
    r: &mut dyn BufRead,
    display: &Arc<str>,
    sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    // Bytes are counted per line (the caller's BufRead is used as is, not wrapped).
    let mut bytes = 0u64;
    let mut notes = Notes::default();
    let (mut entries, mut unreadable, mut parsed, mut lineno) = (0u64, 0u64, 0u64, 0u64);
    let mut line = Vec::new();
    let path = || PathBuf::from(&**display);
    loop {
        let cut = match read_line_capped(r, &mut line, MAX_LINE) {
            Ok(Some((cut, used))) => {
                bytes += used;
                cut
            }
            Ok(None) => break,
            Err(e) if parsed == 0 => return Err(Error::io(path(), e)),
            Err(e) => {
                notes.add(format!("read error after line {lineno}: {e}"));
                break;
            }
        };
        lineno += 1;
        // json-seq puts an RS (0x1e) before each record; blank lines are not entries.
        let text = line.strip_prefix(b"\x1e").unwrap_or(&line);
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        if cut {
            unreadable += 1;
            notes.add(format!("line {lineno} is longer than {MAX_LINE} bytes"));
            continue;
        }
        let l: Line = match serde_json::from_slice(text) {
            Ok(l) => l,
            Err(e) => {
                unreadable += 1;
                notes.add(format!("line {lineno} is not a journal JSON object: {e}"));
                continue;
            }
        };
        parsed += 1;
        let mut f = EntryFields::default();
        let pairs: [(&[u8], &Option<Value>); 17] = [
            (b"__CURSOR", &l.cursor),
            (b"__REALTIME_TIMESTAMP", &l.realtime),
            (b"__MONOTONIC_TIMESTAMP", &l.monotonic),
            (b"_SOURCE_REALTIME_TIMESTAMP", &l.source_realtime),
            (b"_BOOT_ID", &l.boot_id),
            (b"MESSAGE", &l.message),
            (b"MESSAGE_ID", &l.message_id),
            (b"_HOSTNAME", &l.hostname),
            (b"SYSLOG_IDENTIFIER", &l.syslog_identifier),
            (b"_COMM", &l.comm),
            (b"_PID", &l.pid),
            (b"SYSLOG_PID", &l.syslog_pid),
            (b"_SYSTEMD_UNIT", &l.systemd_unit),
            (b"UNIT", &l.unit),
            (b"USER_UNIT", &l.user_unit),
            (b"PRIORITY", &l.priority),
            (b"_TRANSPORT", &l.transport),
        ];
        for (name, v) in pairs {
            if let Some(b) = v.as_ref().and_then(value_bytes) {
                f.set(name, &b);
            }
        }
        let n = lineno;
        match f.into_record(display, || format!("line={n}")) {
            Some(rec) => {
                entries += 1;
                sink(rec);
            }
            None => {
                unreadable += 1;
                notes.add(format!("line {lineno} has no valid __REALTIME_TIMESTAMP"));
            }
        }
    }
    if parsed == 0 && unreadable > 0 {
        return Err(Error::Input {
            path: path(),
            msg: "not journalctl JSON output (no line is a JSON object)".into(),
        });
    }
    Ok(JournalSummary {
        format: "journal-json",
        entries,
        unreadable,
        state: None,
        compression: None,
        warnings: notes.into_warnings(display),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Result<(JournalSummary, Vec<Record>)> {
        let mut recs = Vec::new();
        let s = read_json_lines(&mut input.as_bytes(), &Arc::from("j.json"), &mut |r| {
            recs.push(r)
        })?;
        Ok((s, recs))
    }

    #[test]
    fn strings_arrays_and_byte_arrays() {
        let input = concat!(
            r#"{"MESSAGE": "systemd-nspawn@e2e-busybox.service: The kernel OOM killer killed some processes in this unit.", "UNIT": "systemd-nspawn@e2e-busybox.service", "__REALTIME_TIMESTAMP": "1790229269318480", "_UID": "0", "_PID": "1", "MESSAGE_ID": "fe6faa94e7774663a0da52717891d8ef", "INVOCATION_ID": "1d1124bd88ba456ba2b0953e45f21d2a", "__CURSOR": "s=e991;i=7"}"#,
            "\n\n",
            r#"{"__REALTIME_TIMESTAMP":"1534860261221373","MESSAGE":[104,105,255],"_HOSTNAME":["a","b"],"SYSLOG_IDENTIFIER":null,"_COMM":"python","_EXE":{"x":1}}"#,
            "\n",
        );
        let (s, recs) = read(input).unwrap();
        assert_eq!((s.entries, s.unreadable, s.format), (2, 0, "journal-json"));
        assert_eq!(s.bytes, input.len() as u64);
        let r = &recs[0];
        assert_eq!(r.pid, Some(1));
        let j = r.journal.as_ref().unwrap();
        assert_eq!(
            j.message_id.as_deref(),
            Some("fe6faa94e7774663a0da52717891d8ef")
        );
        assert_eq!(
            j.unit.as_deref(),
            Some("systemd-nspawn@e2e-busybox.service")
        );
        assert_eq!(r.source.to_string(), "j.json@s=e991;i=7");
        assert_eq!(recs[1].message, "hi\u{fffd}");
        assert_eq!(recs[1].host.as_deref(), Some("a"));
        assert_eq!(recs[1].ident.as_deref(), Some("python"));
        assert_eq!(recs[1].source.to_string(), "j.json@line=3");
        assert_eq!(recs[1].time.rfc3339(), "2018-08-21T14:04:21.221373Z");
    }

    #[test]
    fn bad_lines_are_counted_and_warned_once() {
        let input = "{\"__REALTIME_TIMESTAMP\":\"5\",\"MESSAGE\":\"ok\"}\nnot json\n[1,2]\n{\"MESSAGE\":\"no time\"}\n";
        let (s, recs) = read(input).unwrap();
        assert_eq!((s.entries, s.unreadable, recs.len()), (1, 3, 1));
        assert_eq!(s.warnings.len(), 1);
        assert!(
            s.warnings[0].starts_with("j.json: line 2 is not a journal JSON object: "),
            "{}",
            s.warnings[0]
        );
        assert!(
            s.warnings[0].ends_with("; line 4 has no valid __REALTIME_TIMESTAMP"),
            "{}",
            s.warnings[0]
        );
    }

    #[test]
    fn json_seq_records_start_with_rs() {
        let input = "\x1e{\"__REALTIME_TIMESTAMP\":\"7\",\"MESSAGE\":\"a\"}\n\x1e{\"__REALTIME_TIMESTAMP\":\"8\",\"MESSAGE\":\"b\"}\n";
        let (s, recs) = read(input).unwrap();
        assert_eq!(
            (s.entries, s.unreadable, s.bytes),
            (2, 0, input.len() as u64)
        );
        assert_eq!((recs[0].message.as_str(), recs[1].time.micros), ("a", 8));
    }

    #[test]
    fn nothing_json_is_an_error() {
        assert_eq!(
            read("hello\nworld\n").unwrap_err().to_string(),
            "j.json: not journalctl JSON output (no line is a JSON object)"
        );
    }
}
