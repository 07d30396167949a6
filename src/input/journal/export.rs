//! `journalctl -o export` streams (<https://systemd.io/JOURNAL_EXPORT_FORMATS/>): entries of
//! `NAME=value` lines separated by a blank line, with binary-safe fields written as `NAME\n`,
//! a little-endian 64-bit length, the bytes and `\n`.
//!
//! Streaming and bounded: a line or binary value is kept up to [`MAX_FIELD`] bytes and the
//! rest skipped, so a stream of any size (or a corrupt length of 2^63) costs fixed memory and
//! ends at end of input. Entries without a usable timestamp are counted as unreadable.

use super::{EntryFields, JournalSummary, Notes, MAX_FIELD};
use crate::model::{Error, Result};
use crate::parse::Record;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::Arc;

/// Counts bytes read, for `JournalSummary::bytes`.
pub(crate) struct Counting<'a> {
    pub inner: &'a mut dyn Read,
    pub n: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Read one line (without its `\n`) into `buf`, keeping at most `cap` bytes and discarding
/// the rest of a longer line. `None` at end of input; else whether the line was cut and how
/// many bytes it took from the input (newline included).
pub(crate) fn read_line_capped(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<(bool, u64)>> {
    buf.clear();
    let mut cut = false;
    let mut any = false;
    let mut used_total = 0u64;
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(any.then_some((cut, used_total)));
        }
        any = true;
        let (chunk, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        let room = cap.saturating_sub(buf.len());
        if chunk.len() > room {
            cut = true;
        }
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        match done {
            Some(used) => {
                r.consume(used);
                return Ok(Some((cut, used_total + used as u64)));
            }
            None => {
                let used = avail.len();
                r.consume(used);
                used_total += used as u64;
            }
        }
    }
}

/// Read a `journalctl -o export` stream.
pub fn read_export(
    r: &mut dyn Read,
    display: &Arc<str>,
    sink: &mut dyn FnMut(Record),
) -> Result<JournalSummary> {
    let mut counting = Counting { inner: r, n: 0 };
    let mut r = BufReader::with_capacity(64 * 1024, &mut counting);
    let mut st = State {
        display,
        notes: Notes::default(),
        entries: 0,
        unreadable: 0,
        fields_seen: 0,
        index: 0,
    };
    let res = parse(&mut r, &mut st, sink);
    drop(r);
    let path = || PathBuf::from(&**display);
    match res {
        Err(e) if st.fields_seen == 0 => return Err(Error::io(path(), e)),
        Err(e) => st
            .notes
            .add(format!("read error after {} entries: {e}", st.entries)),
        Ok(()) => {}
    }
    if st.fields_seen == 0 && counting.n > 0 {
        return Err(Error::Input {
            path: path(),
            msg: "not a journalctl export stream (no FIELD=value lines)".into(),
        });
    }
    Ok(JournalSummary {
        format: "journal-export",
        entries: st.entries,
        unreadable: st.unreadable,
        state: None,
        compression: None,
        warnings: st.notes.into_warnings(display),
        bytes: counting.n,
    })
}

struct State<'d> {
    display: &'d Arc<str>,
    notes: Notes,
    entries: u64,
    unreadable: u64,
    fields_seen: u64,
    /// 1-based number of the entry being read, for cursors of entries without `__CURSOR`.
    index: u64,
}

impl State<'_> {
    fn finish(&mut self, f: &mut EntryFields, sink: &mut dyn FnMut(Record)) {
        self.index += 1;
        let index = self.index;
        match std::mem::take(f).into_record(self.display, || format!("entry={index}")) {
            Some(r) => {
                self.entries += 1;
                sink(r);
            }
            None => {
                self.unreadable += 1;
                self.notes
                    .add(format!("entry {index} has no valid __REALTIME_TIMESTAMP"));
            }
        }
    }
}

fn parse(r: &mut dyn BufRead, st: &mut State, sink: &mut dyn FnMut(Record)) -> io::Result<()> {
    let mut line = Vec::new();
    let mut value = Vec::new();
    let mut f = EntryFields::default();
    let mut in_entry = false;
    while let Some((cut, _)) = read_line_capped(r, &mut line, MAX_FIELD + 256)? {
        if line.is_empty() {
            if in_entry {
                st.finish(&mut f, sink);
                in_entry = false;
            }
            continue;
        }
        if let Some(eq) = memchr::memchr(b'=', &line) {
            if eq == 0 {
                st.notes.add(format!(
                    "entry {}: a line without a field name",
                    st.index + 1
                ));
                continue;
            }
            f.set(&line[..eq], &line[eq + 1..]);
            if cut && &line[..eq] != b"MESSAGE" {
                st.notes.add(format!(
                    "entry {}: field {} cut at {MAX_FIELD} bytes",
                    st.index + 1,
                    String::from_utf8_lossy(&line[..eq])
                ));
            }
        } else {
            // Binary-safe field: NAME\n, le64 length, bytes, \n.
            let mut len = [0u8; 8];
            if let Err(e) = r.read_exact(&mut len) {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    st.notes.add(format!(
                        "entry {}: stream ends inside binary field {}",
                        st.index + 1,
                        String::from_utf8_lossy(&line)
                    ));
                    break;
                }
                return Err(e);
            }
            let len = u64::from_le_bytes(len);
            let keep = len.min(MAX_FIELD as u64);
            value.clear();
            let got = r.take(keep).read_to_end(&mut value)? as u64;
            let skipped = if got == keep {
                io::copy(&mut r.take(len - keep), &mut io::sink())?
            } else {
                0
            };
            if got + skipped < len {
                st.notes.add(format!(
                    "entry {}: stream ends inside binary field {}",
                    st.index + 1,
                    String::from_utf8_lossy(&line)
                ));
                f.set(&line, &value);
                st.fields_seen += 1;
                in_entry = true;
                break;
            }
            // The value is followed by a newline; a missing one means the length lied.
            if r.fill_buf()?.first() == Some(&b'\n') {
                r.consume(1);
            } else {
                st.notes.add(format!(
                    "entry {}: binary field {} is not followed by a newline",
                    st.index + 1,
                    String::from_utf8_lossy(&line)
                ));
            }
            f.set(&line, &value);
        }
        st.fields_seen += 1;
        in_entry = true;
    }
    if in_entry {
        st.finish(&mut f, sink);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Result<(JournalSummary, Vec<Record>)> {
        let mut recs = Vec::new();
        let s = read_export(&mut &input[..], &Arc::from("x.export"), &mut |r| {
            recs.push(r)
        })?;
        Ok((s, recs))
    }

    #[test]
    fn text_and_binary_fields() {
        let mut input = b"__CURSOR=s=abc;i=1\n__REALTIME_TIMESTAMP=1727442828368000\n__MONOTONIC_TIMESTAMP=5\n_BOOT_ID=b00\n_HOSTNAME=web1\nSYSLOG_IDENTIFIER=kernel\n_TRANSPORT=kernel\nPRIORITY=3\nMESSAGE\n".to_vec();
        let msg = b"Out of memory: Killed process 4242 (python3)\n\xff";
        input.extend_from_slice(&(msg.len() as u64).to_le_bytes());
        input.extend_from_slice(msg);
        input.extend_from_slice(
            b"\n_PID=12\n\n__REALTIME_TIMESTAMP=1727442828368001\nMESSAGE=second\n",
        );
        let (s, recs) = read(&input).unwrap();
        assert_eq!(
            (s.entries, s.unreadable, s.format),
            (2, 0, "journal-export")
        );
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.bytes, input.len() as u64);
        let r = &recs[0];
        assert_eq!(
            r.message,
            "Out of memory: Killed process 4242 (python3)\n\u{fffd}"
        );
        assert_eq!(r.time.rfc3339(), "2024-09-27T13:13:48.368000Z");
        assert_eq!(
            (r.host.as_deref(), r.ident.as_deref(), r.pid),
            (Some("web1"), Some("kernel"), Some(12))
        );
        let j = r.journal.as_ref().unwrap();
        assert_eq!(
            (j.priority, j.monotonic_us, j.boot_id.as_deref()),
            (Some(3), Some(5), Some("b00"))
        );
        assert_eq!(r.source.to_string(), "x.export@s=abc;i=1");
        assert_eq!(recs[1].source.to_string(), "x.export@entry=2");
        assert_eq!(recs[1].message, "second");
    }

    #[test]
    fn huge_binary_length_ends_at_end_of_input() {
        let mut input = b"__REALTIME_TIMESTAMP=1\nMESSAGE\n".to_vec();
        input.extend_from_slice(&u64::MAX.to_le_bytes());
        input.extend_from_slice(b"abc");
        let (s, recs) = read(&input).unwrap();
        assert_eq!(s.entries, 1);
        assert_eq!(recs[0].message, "abc");
        assert_eq!(
            s.warnings,
            vec!["x.export: entry 1: stream ends inside binary field MESSAGE".to_string()]
        );
    }

    #[test]
    fn binary_field_without_its_newline_is_kept_and_warned() {
        let mut input = b"__REALTIME_TIMESTAMP=1\nMESSAGE\n".to_vec();
        input.extend_from_slice(&3u64.to_le_bytes());
        input.extend_from_slice(b"abc_PID=9\n\n");
        let (s, recs) = read(&input).unwrap();
        assert_eq!((s.entries, recs[0].message.as_str()), (1, "abc"));
        // Reading goes on with the bytes after the value as the next line.
        assert_eq!(recs[0].pid, Some(9));
        assert_eq!(
            s.warnings,
            vec![
                "x.export: entry 1: binary field MESSAGE is not followed by a newline".to_string()
            ]
        );
    }

    #[test]
    fn entry_without_time_is_counted_unreadable() {
        let (s, recs) = read(b"MESSAGE=a\n\n__REALTIME_TIMESTAMP=2\nMESSAGE=b\n\n\n").unwrap();
        assert_eq!((s.entries, s.unreadable), (1, 1));
        assert_eq!(recs[0].message, "b");
        assert_eq!(
            s.warnings,
            vec!["x.export: entry 1 has no valid __REALTIME_TIMESTAMP".to_string()]
        );
    }

    #[test]
    fn not_export_is_an_error_and_empty_is_nothing() {
        assert_eq!(
            read(b"just some text\nmore\n").unwrap_err().to_string(),
            "x.export: not a journalctl export stream (no FIELD=value lines)"
        );
        let (s, recs) = read(b"").unwrap();
        assert_eq!((s.entries, recs.len()), (0, 0));
    }

    #[test]
    fn long_lines_are_cut_to_the_field_cap() {
        let mut input = b"__REALTIME_TIMESTAMP=1\nMESSAGE=".to_vec();
        input.extend(std::iter::repeat_n(b'a', MAX_FIELD + 1000));
        input.extend_from_slice(b"\nSYSLOG_IDENTIFIER=x\n");
        let (s, recs) = read(&input).unwrap();
        assert_eq!(s.entries, 1);
        assert_eq!(recs[0].message.len(), MAX_FIELD);
        assert_eq!(recs[0].ident.as_deref(), Some("x"));
    }
}
