//! Format detection from content, never from the file name: magic bytes first (gzip, journal,
//! Parquet, other compressors and common binary formats), then the envelopes of the first
//! non-empty lines. The sniffer also reports the host the first lines name, which lets
//! host-less files (supervisord.log, dmesg) borrow the host of their copied tree before scanning.

use crate::parse::envelope::{self, LineFormat};
use std::collections::BTreeMap;

/// How many leading bytes (decompressed) the sniffer looks at.
pub const HEAD: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

impl Compression {
    /// The name in `inputs[].compression`; `None` for an uncompressed input.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some("gzip"),
            Compression::Xz => Some("xz"),
            Compression::Zstd => Some("zstd"),
            Compression::Bzip2 => Some("bzip2"),
        }
    }
}

/// What a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text log lines, with the envelope most of the first lines have.
    Text(LineFormat),
    /// Binary systemd journal file (`LPKSHHRH`).
    Journal,
    /// `journalctl -o export` stream.
    JournalExport,
    /// `journalctl -o json` lines.
    JournalJson,
    /// Event Parquet written by `logautopsy extract`.
    Parquet,
    /// A tar archive (possibly compressed): its members are the inputs (`input::archive`).
    Tar,
    /// A zip archive: its members are the inputs.
    Zip,
    /// Nothing to read.
    Empty,
    /// Not something logautopsy reads; the reason says what it looks like and what to do.
    Unsupported(String),
}

impl Kind {
    pub fn name(&self) -> &str {
        match self {
            Kind::Text(f) => f.name(),
            Kind::Journal => "journal",
            Kind::JournalExport => "journal-export",
            Kind::JournalJson => "journal-json",
            Kind::Parquet => "parquet",
            Kind::Tar => "tar",
            Kind::Zip => "zip",
            Kind::Empty => "empty",
            Kind::Unsupported(_) => "unsupported",
        }
    }
}

/// The compression the magic bytes announce (logrotate's `compresscmd` may be any of these).
pub fn compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(b"\xfd7zXZ\x00") {
        Compression::Xz
    } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
        Compression::Zstd
    } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
        Compression::Bzip2
    } else {
        Compression::None
    }
}

/// The MTIME field of a gzip header (seconds since the epoch), when set.
pub fn gzip_mtime(head: &[u8]) -> Option<i64> {
    if head.len() >= 8 && head.starts_with(&[0x1f, 0x8b]) {
        let t = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        (t != 0).then_some(t as i64)
    } else {
        None
    }
}

/// Classify decompressed leading bytes. `complete` is true when `head` is the whole input.
pub fn kind(head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Empty;
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"\x7fELF", "an ELF binary"),
        (b"SQLite format 3", "an SQLite database"),
    ];
    if head.starts_with(b"LPKSHHRH") {
        return Kind::Journal;
    }
    if head.starts_with(b"PAR1") {
        return Kind::Parquet;
    }
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Kind::Unsupported(format!("not a log file: {what}"));
        }
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Kind::Tar;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    let first_line = first_nonempty_line(head);
    if first_line.starts_with(b"__CURSOR=") || first_line.starts_with(b"__REALTIME_TIMESTAMP=") {
        return Kind::JournalExport;
    }
    if first_line.starts_with(b"{")
        && memchr::memmem::find(first_line, b"\"__REALTIME_TIMESTAMP\"").is_some()
    {
        return Kind::JournalJson;
    }
    // NUL runs are what a crash leaves in a log (the file was extended, the data never
    // written): padding between lines, not a sign of a binary file. Binary is decided on the
    // bytes that are not NUL, over the whole head.
    let text: Vec<u8> = head.iter().copied().filter(|&b| b != 0).collect();
    if text.is_empty() {
        return Kind::Unsupported(
            "only NUL bytes in its first 64 KiB (a file zeroed by a crash?)".into(),
        );
    }
    // UTF-16 text has a NUL beside every ASCII character, runs of one.
    let lone_nuls = head
        .windows(3)
        .filter(|w| w[1] == 0 && w[0] != 0 && w[2] != 0)
        .count();
    if lone_nuls * 4 > head.len() {
        return Kind::Unsupported(
            "UTF-16 text: convert it first (`iconv -f UTF-16 -t UTF-8 FILE`)".into(),
        );
    }
    let ctrl = text
        .iter()
        .filter(|&&b| b < 0x09 || (b > 0x0d && b < 0x20 && b != 0x1b))
        .count();
    if ctrl * 10 > text.len() {
        return Kind::Unsupported("not a log file: binary data".into());
    }
    let head = split_nul_runs(head);
    match text_format(&head) {
        Some(f) => Kind::Text(f),
        None if kernel_text(&head) => Kind::Text(LineFormat::Bare),
        None => Kind::Unsupported(
            "not a recognised log format: none of the first lines has a syslog, journalctl, supervisord or dmesg timestamp".into(),
        ),
    }
}

/// `head` with each run of NUL bytes made a line break, as the scanner reads them.
fn split_nul_runs(head: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if memchr::memchr(0, head).is_none() {
        return std::borrow::Cow::Borrowed(head);
    }
    let mut out = Vec::with_capacity(head.len());
    for (i, &b) in head.iter().enumerate() {
        if b != 0 {
            out.push(b);
        } else if i == 0 || head[i - 1] != 0 {
            out.push(b'\n');
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Classic Mac OS and some serial-console captures end lines with CR alone: a head with CRs
/// and no LF at all.
pub fn cr_only(head: &[u8]) -> bool {
    memchr::memchr(b'\n', head).is_none() && memchr::memchr(b'\r', head).is_some()
}

fn first_nonempty_line(head: &[u8]) -> &[u8] {
    head.split(|b| *b == b'\n')
        .find(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
        .unwrap_or(&[])
}

/// journalctl interleaves lines that are not log records: boot separators, `-x` catalog text.
pub fn is_journalctl_decoration(line: &str) -> bool {
    line.starts_with("-- ") || line.starts_with("░░") || line == "--"
}

/// Lines only the kernel writes: a file of kernel messages without any stamp (printk times
/// off, or `dmesg -t`) holds one of them near its top, an OOM report one of the last.
const KERNEL_MARKS: &[&str] = &[
    "Linux version ",
    "Command line: ",
    " invoked oom-killer: ",
    "Out of memory: ",
    "Out of memory and no killable processes",
    "Memory cgroup out of memory: ",
    "Killed process ",
    "oom-kill:constraint=",
    "oom_reaper: ",
    "Call Trace:",
];

/// A text file none of whose first lines has an envelope, but which holds kernel messages.
fn kernel_text(head: &[u8]) -> bool {
    head.split(|b| *b == b'\n').take(400).any(|raw| {
        let line = String::from_utf8_lossy(raw);
        KERNEL_MARKS.iter().any(|m| line.contains(m))
    })
}

/// The envelope most of the first (up to 40) non-empty lines have; `None` when under a third
/// of them parse as any log line. `kubectl describe` is the exception: its events table is
/// the end of a longer text, so one event row under an `Events:` heading decides.
pub fn text_format(head: &[u8]) -> Option<LineFormat> {
    let kubectl_events = head
        .split(|b| *b == b'\n')
        .skip_while(|l| l.trim_ascii() != b"Events:")
        .any(|l| envelope::parse_as(&String::from_utf8_lossy(l), LineFormat::Kubectl).is_some());
    if kubectl_events {
        return Some(LineFormat::Kubectl);
    }
    let mut tally: BTreeMap<LineFormat, usize> = BTreeMap::new();
    let mut seen = 0;
    for raw in head.split(|b| *b == b'\n').take(400) {
        let line = String::from_utf8_lossy(raw);
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || is_journalctl_decoration(line) {
            continue;
        }
        seen += 1;
        if let Some(env) = envelope::parse(line, None) {
            *tally.entry(env.format).or_default() += 1;
        }
        if seen >= 40 {
            break;
        }
    }
    let (fmt, n) = tally
        .into_iter()
        .max_by_key(|(f, n)| (*n, std::cmp::Reverse(*f)))?;
    (n * 3 >= seen).then_some(fmt)
}

/// The host most of the first lines name, if any.
pub fn head_host(head: &[u8], format: LineFormat) -> Option<String> {
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let head = split_nul_runs(head);
    for raw in head.split(|b| *b == b'\n').take(200) {
        let line = String::from_utf8_lossy(raw);
        if let Some(h) = envelope::parse(&line, Some(format)).and_then(|e| e.host) {
            *tally.entry(h.to_string()).or_default() += 1;
        }
    }
    tally
        .into_iter()
        .max_by_key(|(h, n)| (*n, std::cmp::Reverse(h.clone())))
        .map(|(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_from_content() {
        assert_eq!(
            kind(b"Sep 27 19:13:48 web1 CRON[1]: (root) CMD (x)\n"),
            Kind::Text(LineFormat::Rfc3164)
        );
        assert_eq!(
            kind(b"-- Boot 0123 --\n2025-09-27T19:13:48.1+00:00 web1 kernel: x\n"),
            Kind::Text(LineFormat::Rfc3339)
        );
        assert_eq!(
            kind(b"2013-10-16 16:04:58,346 WARN received SIGTERM indicating exit request\n"),
            Kind::Text(LineFormat::Supervisord)
        );
        assert_eq!(kind(b"LPKSHHRH\0\0\0\0"), Kind::Journal);
        assert_eq!(
            kind(b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1\n"),
            Kind::JournalExport
        );
        assert_eq!(
            kind(b"{ \"__CURSOR\" : \"s\", \"__REALTIME_TIMESTAMP\" : \"1\" }\n"),
            Kind::JournalJson
        );
        assert_eq!(kind(b""), Kind::Empty);
        assert!(matches!(kind(b"\x89PNG\r\n\x1a\n"), Kind::Unsupported(_)));
        assert!(matches!(kind(b"hello\nworld\n"), Kind::Unsupported(_)));
        assert!(matches!(
            kind(&[0u8, 1, 2, 3, 0, 0, 7, 8]),
            Kind::Unsupported(_)
        ));
        assert_eq!(
            head_host(
                b"Sep 27 19:13:48 web1 CRON[1]: x\nSep 27 19:13:49 web1 kernel: y\n",
                LineFormat::Rfc3164
            )
            .as_deref(),
            Some("web1")
        );
    }

    #[test]
    fn pasted_dmesg_kubectl_and_compose() {
        let text = |s: &str| kind(s.as_bytes());
        assert_eq!(
            text("[Mar  9 18:14] php-fpm invoked oom-killer: gfp_mask=0x140cca, order=0\n[  +0.000120] CPU: 1 PID: 3902942 Comm: php-fpm\n"),
            Kind::Text(LineFormat::DmesgHuman)
        );
        assert_eq!(
            text(
                "2025-03-09T18:14:14,123456+01:00 php-fpm invoked oom-killer: gfp_mask=0x140cca\n"
            ),
            Kind::Text(LineFormat::DmesgIso)
        );
        assert_eq!(
            text("[ 5864.708443] web01 kernel: php-fpm invoked oom-killer: gfp_mask=0x140cca\n[ 5864.9] web01 systemd[1]: Started x.\n"),
            Kind::Text(LineFormat::ShortMonotonic)
        );
        // A task table row is a pid in brackets, not an uptime: raw dmesg with rows stays dmesg.
        assert_eq!(
            text("[ 1234.568000] [ pid ]   uid  tgid total_vm      rss name\n[ 1234.568010] [ 4321]    48  4321   308641   246913 httpd\n[ 4321]    48  4321   308641   246913 httpd\n"),
            Kind::Text(LineFormat::Dmesg)
        );
        assert_eq!(
            text("worker-1  | 2025-09-27 19:13:48,368 INFO spawned: 'rq-worker' with pid 41\n"),
            Kind::Text(LineFormat::Compose)
        );
        let describe = "Name:         web-5d4f\nNamespace:    default\nNode:         node-1/10.0.0.5\nStatus:       Running\nEvents:\n  Type     Reason      Age   From                    Message\n  ----     ------      ----  ----                    -------\n  Warning  OOMKilling  44m   kernel-monitor, node-1  Memory cgroup out of memory: Killed process 1012 (node)\n";
        assert_eq!(text(describe), Kind::Text(LineFormat::Kubectl));
        // No envelope anywhere, but kernel lines: read with unknown times.
        assert_eq!(
            text("php-fpm invoked oom-killer: gfp_mask=0x140cca, order=0\nOut of memory: Killed process 1 (x)\n"),
            Kind::Text(LineFormat::Bare)
        );
        assert!(matches!(text("hello\nworld\n"), Kind::Unsupported(_)));
    }

    #[test]
    fn gzip_header_mtime() {
        let h = [0x1f, 0x8b, 8, 0, 0x80, 0x3e, 0x17, 0x68];
        assert_eq!(gzip_mtime(&h), Some(0x68173e80));
        assert_eq!(compression(&h), Compression::Gzip);
    }
}
