//! Archives as inputs: `.tar` (plain, gzip, xz, zstd, bzip2) and `.zip`, given on the command
//! line or found in a directory, detected by content. Each regular member is an input of its
//! own, named `ARCHIVE:MEMBER` (so evidence reads `logs.tar.xz:var/log/syslog.1:1234`),
//! sniffed like a file (a `.gz` member is decompressed, a binary journal member is spooled to
//! a temporary file), dated by the archive header's mtime.
//!
//! A tar stream can only be read in order, so an archive is read twice: `list` sniffs every
//! member's first bytes, `read` streams the members that are logs to the scanner. Nothing is
//! unpacked to disk except journal members, whose format needs random access. Expansion is
//! bounded (`stream::EXPAND_FLOOR`, `--max-expand`): a tar stream relative to the archive's
//! size, a zip member relative to its compressed size, a compressed member relative to its
//! stored size; past the bound, what was read is kept and the input is reported as partial.

use super::sniff::{Kind, HEAD};
use super::stream::{self, Sniffed};
use crate::model::{Error, Result};
use chrono::{DateTime, TimeZone, Utc};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// One regular member of an archive.
#[derive(Clone, Debug)]
pub struct Member {
    /// Position among the archive's entries (the same in both passes).
    pub index: usize,
    /// Path inside the archive, `/`-separated, without a leading `./`.
    pub name: String,
    /// Bytes as stored (a zip member's compressed size).
    pub stored: u64,
    pub mtime: Option<DateTime<Utc>>,
    pub sniffed: Sniffed,
}

/// An archive's members, sniffed, and the host its layout names (a sosreport's `hostname`
/// file), if any.
pub struct Listing {
    pub members: Vec<Member>,
    pub host: Option<String>,
    /// Where the archive broke (a truncated or corrupt stream): the members before it are
    /// listed.
    pub error: Option<String>,
}

fn bad(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Input {
        path: path.into(),
        msg: format!("cannot read the archive: {e}"),
    }
}

fn clean(name: &str) -> String {
    name.trim_start_matches("./").to_string()
}

/// A sosreport keeps the host's name in `hostname` at its root and in
/// `sos_commands/host/hostname`.
fn is_hostname_file(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    matches!(parts.as_slice(), ["hostname"] | [_, "hostname"])
        || name.ends_with("sos_commands/host/hostname")
}

fn hostname_of(head: &[u8]) -> Option<String> {
    let h = String::from_utf8_lossy(head).trim().to_string();
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    ok.then(|| h.split('.').next().unwrap_or(&h).to_string())
}

/// A tar archive over its decompressed, bounded stream.
fn open_tar(path: &Path, max_expand: u64) -> Result<tar::Archive<stream::Stream<File>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map(|m| m.len()).ok();
    let (tar_stream, _) = stream::open(file, len, max_expand).map_err(|e| bad(path, e))?;
    Ok(tar::Archive::new(tar_stream))
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<File>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    zip::ZipArchive::new(file).map_err(|e| bad(path, e))
}

/// Pass one: every regular member with its first decompressed bytes sniffed.
pub fn list(path: &Path, kind: &Kind, max_expand: u64) -> Result<Listing> {
    let mut members = Vec::new();
    let mut host = None;
    let mut error = None;
    let mut add = |index: usize,
                   name: String,
                   stored: u64,
                   mtime: Option<DateTime<Utc>>,
                   r: &mut dyn Read| {
        // A member that cannot be read is listed as such and skipped; the archive goes on.
        let sn = match stream::open(r, Some(stored.max(1)), max_expand) {
            Ok((_, sn)) => sn,
            Err(e) => Sniffed {
                kind: Kind::Unsupported(format!("cannot read: {e}")),
                compression: super::sniff::Compression::None,
                gzip_mtime: None,
                head: Vec::new(),
                cr_only: false,
            },
        };
        if host.is_none() && is_hostname_file(&name) {
            host = hostname_of(&sn.head);
        }
        members.push(Member {
            index,
            name,
            stored,
            mtime,
            sniffed: sn,
        });
    };
    match kind {
        Kind::Tar => {
            let mut ar = open_tar(path, max_expand)?;
            for (index, entry) in ar.entries().map_err(|e| bad(path, e))?.enumerate() {
                let mut entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        error = Some(format!("the archive breaks after {} member(s): {e}", index));
                        break;
                    }
                };
                if !entry.header().entry_type().is_file() {
                    continue;
                }
                let name = clean(&entry.path().map_err(|e| bad(path, e))?.to_string_lossy());
                let stored = entry.header().size().unwrap_or(0);
                let mtime = entry
                    .header()
                    .mtime()
                    .ok()
                    .and_then(|t| Utc.timestamp_opt(t as i64, 0).single());
                let mut head = (&mut entry).take(HEAD as u64 + 16);
                add(index, name, stored, mtime, &mut head);
            }
        }
        Kind::Zip => {
            let mut ar = open_zip(path)?;
            for index in 0..ar.len() {
                let f = ar.by_index(index).map_err(|e| bad(path, e))?;
                if !f.is_file() {
                    continue;
                }
                let name = clean(f.name());
                let stored = f.compressed_size();
                let mtime = f.last_modified().and_then(zip_time);
                let mut head =
                    stream::limited(f, stored, max_expand, u64::MAX).take(HEAD as u64 + 16);
                add(index, name, stored, mtime, &mut head);
            }
        }
        _ => {}
    }
    Ok(Listing {
        members,
        host,
        error,
    })
}

/// A zip time is the zipping machine's local time without a zone: read as UTC (it only ever
/// decides a year).
fn zip_time(t: zip::DateTime) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(
        t.year() as i32,
        t.month() as u32,
        t.day() as u32,
        t.hour() as u32,
        t.minute() as u32,
        t.second() as u32,
    )
    .single()
}

/// Pass two: stream the members at `wanted` (sorted entry indices), each decompressed and
/// bounded as in `list`, to `f`.
pub fn read(
    path: &Path,
    kind: &Kind,
    wanted: &[usize],
    max_expand: u64,
    f: &mut dyn FnMut(usize, &mut dyn Read),
) -> Result<()> {
    match kind {
        Kind::Tar => {
            let mut ar = open_tar(path, max_expand)?;
            let mut next = wanted.iter().peekable();
            for (index, entry) in ar.entries().map_err(|e| bad(path, e))?.enumerate() {
                if next.peek().is_none() {
                    break;
                }
                let mut entry = entry.map_err(|e| bad(path, e))?;
                if next.peek() == Some(&&index) {
                    next.next();
                    f(index, &mut entry);
                }
            }
        }
        Kind::Zip => {
            // Each member is bounded by its own compressed size, and all of them together by
            // the archive's, as a tar stream is: a thousand small bombs are one big one.
            let len = std::fs::metadata(path).map_or(0, |m| m.len());
            let mut budget = stream::EXPAND_FLOOR.max(len.saturating_mul(max_expand));
            let mut ar = open_zip(path)?;
            for &index in wanted {
                let m = ar.by_index(index).map_err(|e| bad(path, e))?;
                let stored = m.compressed_size();
                let mut r = stream::limited(m, stored, max_expand, budget);
                f(index, &mut r);
                budget -= r.used();
            }
        }
        _ => {}
    }
    Ok(())
}
