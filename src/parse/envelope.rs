//! Line envelopes: the part of a log line before the message. Recognised forms (reference §0):
//!
//! * RFC 3164 / journalctl `-o short`: `Sep 27 19:13:48 host ident[pid]: msg`, space- or
//!   zero-padded day, optional `<PRI>`, optional host, English month names plus the French,
//!   German, Spanish, Russian and Chinese forms journalctl prints under those locales;
//! * RFC 3339 / journalctl `short-iso(-precise)`: `2025-09-27T19:13:48.368123+02:00 host …`,
//!   offsets `Z`, `+02:00` or `+0200`;
//! * RFC 5424: `<165>1 2003-08-24T05:14:15.000003-07:00 host app procid msgid sd msg`;
//! * journalctl `short-unix`: `1790033574.259647 host ident[pid]: msg`;
//! * supervisord.log: `2025-09-27 19:13:48,368 INFO msg` (local time, no host);
//! * `dmesg` raw `[ 1234.567890] msg` and `dmesg -T` `[Sun Jun 29 15:57:11 2025] msg`;
//! * `dmesg --time-format iso`: `2025-03-09T18:14:14,123456+01:00 msg` (a comma before the
//!   fraction and no host: what tells it from RFC 3339);
//! * `dmesg -H`: `[Mar  9 18:14] msg` when the minute changes, then `[  +0.000120] msg`, the
//!   seconds since the previous line (`Stamp::Relative`; the scanner keeps the running clock);
//! * `journalctl -o short-monotonic`: `[ 1234.567890] host ident[pid]: msg`;
//! * kernel messages with no stamp at all (printk times off): `Stamp::Unknown`, never guessed
//!   from the line — only chosen when the sniffer found no other envelope (`LineFormat::Bare`);
//! * `docker compose logs`: `service-1  | <any line above>` (the service stands in for a host
//!   the inner line does not name; with `-t`, docker's own RFC 3339 stamp dates the line);
//! * `kubectl describe` events: `  Warning  OOMKilling  44m  kernel-monitor, node-1  <message>`
//!   (the age is relative to when kubectl ran: `Stamp::Ago`).
//!
//! Parsing here is pure and allocation-free: it returns borrowed pieces and a `Stamp` that still
//! needs a year and/or a zone; `time.rs` turns stamps into UTC instants.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// The time as written, before year and zone policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stamp {
    /// Complete instant (RFC 3339 with offset, RFC 5424, short-unix).
    Full(DateTime<FixedOffset>),
    /// Date and time without zone (supervisord.log, `dmesg -T`).
    Local(NaiveDateTime),
    /// Month/day/time without year or zone (RFC 3164, journalctl short).
    YearLess {
        month: u32,
        day: u32,
        time: NaiveTime,
    },
    /// Only the kernel's boot-relative seconds (raw dmesg).
    Uptime(f64),
    /// Seconds since the previous line of the file (`dmesg -H`).
    Relative(f64),
    /// Seconds before the file was written (`kubectl describe`'s `Age`, the newest sighting).
    Ago(i64),
    /// No time on the line at all.
    Unknown,
}

/// Which envelope a line had. Also the per-file format the sniffer reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineFormat {
    Rfc3164,
    Rfc3339,
    Rfc5424,
    ShortUnix,
    Supervisord,
    Dmesg,
    DmesgT,
    DmesgIso,
    DmesgHuman,
    ShortMonotonic,
    Compose,
    Kubectl,
    /// Lines without any envelope (kernel messages without printk times). Never sniffed from
    /// one line: `sniff` picks it for a whole file (see `sniff::text_format`).
    Bare,
}

impl LineFormat {
    pub fn name(self) -> &'static str {
        match self {
            LineFormat::Rfc3164 => "rfc3164",
            LineFormat::Rfc3339 => "rfc3339",
            LineFormat::Rfc5424 => "rfc5424",
            LineFormat::ShortUnix => "journalctl-short-unix",
            LineFormat::Supervisord => "supervisord",
            LineFormat::Dmesg => "dmesg",
            LineFormat::DmesgT => "dmesg-T",
            LineFormat::DmesgIso => "dmesg-iso",
            LineFormat::DmesgHuman => "dmesg-H",
            LineFormat::ShortMonotonic => "journalctl-short-monotonic",
            LineFormat::Compose => "docker-compose",
            LineFormat::Kubectl => "kubectl-events",
            LineFormat::Bare => "no-timestamps",
        }
    }
    /// Every format a single line can be recognised in, in the order they are tried: the
    /// stricter of two forms that can read one line comes first (`dmesg-iso` before RFC 3339,
    /// short-monotonic before raw dmesg). `Bare` is not here: any line would be one.
    pub const ALL: [LineFormat; 12] = [
        LineFormat::DmesgIso,
        LineFormat::Rfc3339,
        LineFormat::Rfc3164,
        LineFormat::Supervisord,
        LineFormat::Rfc5424,
        LineFormat::ShortUnix,
        LineFormat::ShortMonotonic,
        LineFormat::Dmesg,
        LineFormat::DmesgT,
        LineFormat::DmesgHuman,
        LineFormat::Kubectl,
        LineFormat::Compose,
    ];
}

/// A line split into its envelope and message.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope<'a> {
    pub format: LineFormat,
    pub stamp: Stamp,
    pub host: Option<&'a str>,
    pub ident: Option<&'a str>,
    pub pid: Option<u32>,
    pub message: &'a str,
    /// The kernel's `[uptime]` prefix, stripped from `message`.
    pub uptime: Option<f64>,
}

/// Parse `line` trying `preferred` first, then every other format.
pub fn parse(line: &str, preferred: Option<LineFormat>) -> Option<Envelope<'_>> {
    parse_with(line, preferred, &mut Head::default())
}

/// `parse`, remembering the head of an RFC 3164 line in `head` for the next line.
pub fn parse_with<'a>(
    line: &'a str,
    preferred: Option<LineFormat>,
    head: &mut Head,
) -> Option<Envelope<'a>> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if let Some(f) = preferred {
        if let Some(e) = parse_as_with(line, f, head) {
            return Some(e);
        }
    }
    LineFormat::ALL
        .iter()
        .filter(|f| Some(**f) != preferred)
        .find_map(|f| parse_as(line, *f))
}

/// What follows the stamp of an RFC 3164 line up to its message (`web1 systemd[1]: `), as the
/// last line parsed with this `Head` had it, with where its host and ident lie. A busy host's
/// lines repeat a few heads (one host, a few writers): a line that starts with the same bytes
/// has the same host, ident and pid, and its message starts right after them, because
/// `host_tag_msg` decides by the tokens of the head alone. Only heads with an ident are kept
/// (without one the message is the trimmed rest, not a fixed suffix), and that end at the
/// space after the tag. `Head::default()` remembers nothing (one-off parses); the scanner keeps
/// a `Head::new()` per piece.
#[derive(Default)]
pub struct Head {
    on: bool,
    text: String,
    host: Option<(usize, usize)>,
    ident: (usize, usize),
    pid: Option<u32>,
    /// Lines split by the remembered head (what the test counts).
    #[cfg(test)]
    hits: usize,
}

impl Head {
    pub fn new() -> Head {
        Head {
            on: true,
            ..Head::default()
        }
    }

    /// Host, ident, pid and message of `rest` (a line after its stamp).
    fn split<'a>(
        &mut self,
        rest: &'a str,
    ) -> (Option<&'a str>, Option<&'a str>, Option<u32>, &'a str) {
        if !self.text.is_empty() {
            if let Some(message) = rest.strip_prefix(self.text.as_str()) {
                #[cfg(test)]
                {
                    self.hits += 1;
                }
                let at = |(a, b): (usize, usize)| &rest[a..b];
                return (self.host.map(at), Some(at(self.ident)), self.pid, message);
            }
        }
        let (host, ident, pid, message) = host_tag_msg(rest);
        if !self.on {
            return (host, ident, pid, message);
        }
        self.text.clear();
        let head = &rest[..rest.len() - message.len()];
        // The tag must end at a space inside the head: `web1 systemd[1]:` at the end of a line
        // is no head for `web1 systemd[1]: x`, whose message starts after that space.
        if let (Some(i), true) = (ident, head.ends_with(' ')) {
            // Every piece is a subslice of `rest`: its place is its distance from the start.
            let span = |p: &str| {
                let a = p.as_ptr() as usize - rest.as_ptr() as usize;
                (a, a + p.len())
            };
            self.text.push_str(head);
            self.host = host.map(span);
            self.ident = span(i);
            self.pid = pid;
        }
        (host, ident, pid, message)
    }
}

/// Parse `line` as exactly one format.
pub fn parse_as(line: &str, format: LineFormat) -> Option<Envelope<'_>> {
    parse_as_with(line, format, &mut Head::default())
}

fn parse_as_with<'a>(line: &'a str, format: LineFormat, head: &mut Head) -> Option<Envelope<'a>> {
    let mut env = match format {
        LineFormat::Rfc3164 => rfc3164(line, head),
        LineFormat::Rfc3339 => rfc3339(line),
        LineFormat::Rfc5424 => rfc5424(line),
        LineFormat::ShortUnix => short_unix(line),
        LineFormat::Supervisord => supervisord(line),
        LineFormat::Dmesg => dmesg(line),
        LineFormat::DmesgT => dmesg_t(line),
        LineFormat::DmesgIso => dmesg_iso(line),
        LineFormat::DmesgHuman => dmesg_human(line),
        LineFormat::ShortMonotonic => short_monotonic(line),
        LineFormat::Compose => compose(line),
        LineFormat::Kubectl => kubectl(line),
        LineFormat::Bare => bare(line),
    }?;
    if env.uptime.is_none() {
        if let Some((up, rest)) = strip_uptime(env.message) {
            env.uptime = Some(up);
            env.message = rest;
        }
    }
    Some(env)
}

/// `[ 1234.567890] rest` → (1234.56789, "rest"). Tolerates a missing space after `]`.
pub fn strip_uptime(msg: &str) -> Option<(f64, &str)> {
    let rest = msg.strip_prefix('[')?;
    let close = rest.find(']')?;
    let num = rest[..close].trim_start();
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') || !num.contains('.')
    {
        return None;
    }
    let up: f64 = num.parse().ok()?;
    let after = &rest[close + 1..];
    Some((up, after.strip_prefix(' ').unwrap_or(after)))
}

fn strip_pri(line: &str) -> &str {
    if let Some(rest) = line.strip_prefix('<') {
        if let Some(end) = rest.find('>') {
            if end <= 3 && rest[..end].bytes().all(|b| b.is_ascii_digit()) {
                return &rest[end + 1..];
            }
        }
    }
    line
}

/// Month from an abbreviated or full name in English, French, German, Spanish, Russian or
/// Chinese (`5月`). Case-insensitive; a trailing `.` is ignored.
pub fn month_from_name(tok: &str) -> Option<u32> {
    let tok = tok.trim_end_matches('.');
    // Every RFC 3164 line passes here: the English three-letter names without an allocation.
    if let &[a, b, c] = tok.as_bytes() {
        if let Some(m) = month3([a, b, c]) {
            return Some(m);
        }
    }
    let t = tok.to_lowercase();
    if let Some(n) = t.strip_suffix('月') {
        let m: u32 = n.trim().parse().ok()?;
        return (1..=12).contains(&m).then_some(m);
    }
    const NAMES: &[(&str, u32)] = &[
        // English (and the same-spelled German/Spanish/French abbreviations)
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
        // French (glibc fr_FR %b)
        ("janv", 1),
        ("févr", 2),
        ("fevr", 2),
        ("mars", 3),
        ("avr", 4),
        ("avril", 4),
        ("mai", 5),
        ("juin", 6),
        ("juil", 7),
        ("août", 8),
        ("aout", 8),
        ("déc", 12),
        // German
        ("mär", 3),
        ("mrz", 3),
        ("okt", 10),
        ("dez", 12),
        // Spanish
        ("ene", 1),
        ("abr", 4),
        ("ago", 8),
        ("dic", 12),
        // Russian (nominative and genitive abbreviations)
        ("янв", 1),
        ("фев", 2),
        ("мар", 3),
        ("апр", 4),
        ("май", 5),
        ("мая", 5),
        ("июн", 6),
        ("июл", 7),
        ("авг", 8),
        ("сен", 9),
        ("окт", 10),
        ("ноя", 11),
        ("дек", 12),
    ];
    NAMES
        .iter()
        .find(|(n, _)| *n == t)
        .map(|(_, m)| *m)
        .or_else(|| {
            // Full English month names ("September") and the like: match on the first three letters.
            if t.chars().count() > 3 && t.is_ascii() {
                NAMES
                    .iter()
                    .find(|(n, _)| n.len() == 3 && t.starts_with(n))
                    .map(|(_, m)| *m)
            } else {
                None
            }
        })
}

/// An English three-letter month name, any case.
fn month3(b: [u8; 3]) -> Option<u32> {
    let m = match b.map(|c| c.to_ascii_lowercase()) {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    };
    Some(m)
}

fn parse_hms(s: &str) -> Option<NaiveTime> {
    // HH:MM:SS with optional fraction (. or ,)
    let b = s.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let h = two(&b[0..2])?;
    let m = two(&b[3..5])?;
    let sec = two(&b[6..8])?;
    let micros = if b.len() > 9 && (b[8] == b'.' || b[8] == b',') {
        frac_micros(&s[9..])?
    } else if b.len() == 8 {
        0
    } else {
        return None;
    };
    NaiveTime::from_hms_micro_opt(h, m, sec.min(59), micros)
}

fn two(b: &[u8]) -> Option<u32> {
    if b.len() == 2 && b[0].is_ascii_digit() && b[1].is_ascii_digit() {
        Some(((b[0] - b'0') * 10 + (b[1] - b'0')) as u32)
    } else {
        None
    }
}

fn frac_micros(f: &str) -> Option<u32> {
    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: u32 = 0;
    for (i, b) in f.bytes().take(6).enumerate() {
        v += (b - b'0') as u32 * 10u32.pow(5 - i as u32);
    }
    Some(v)
}

/// Split off the next space-delimited token, skipping leading spaces.
fn token(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(' ');
    if s.is_empty() {
        return None;
    }
    // A byte loop: tokens are a few bytes long, and `str::find` costs more to set up (this
    // runs for every candidate line's envelope).
    match s.bytes().position(|b| b == b' ') {
        Some(i) => Some((&s[..i], &s[i + 1..])),
        None => Some((s, "")),
    }
}

/// `ident[pid]:` / `ident:` → (ident, pid). `None` when the token is not a tag.
fn parse_tag(tok: &str) -> Option<(&str, Option<u32>)> {
    let body = tok.strip_suffix(':')?;
    if body.is_empty() {
        return None;
    }
    // A byte loop from the end: `rfind` sets up core's word-wise memrchr for a dozen bytes.
    if let Some(open) = body.bytes().rposition(|b| b == b'[') {
        if let Some(pid_s) = body[open + 1..].strip_suffix(']') {
            let pid = pid_s.parse().ok();
            if pid.is_some() && open > 0 {
                return Some((&body[..open], pid));
            }
        }
    }
    Some((body, None))
}

/// After the timestamp: `[host] tag: msg`. A first token that is itself a tag means no host
/// (journalctl without hostname, e.g. `Aug 07 01:00:57 systemd[1]: …`).
fn host_tag_msg(rest: &str) -> (Option<&str>, Option<&str>, Option<u32>, &str) {
    let Some((t1, after1)) = token(rest) else {
        return (None, None, None, "");
    };
    if let Some((ident, pid)) = parse_tag(t1) {
        return (None, Some(ident), pid, after1);
    }
    let host = Some(t1);
    match token(after1) {
        Some((t2, after2)) => match parse_tag(t2) {
            Some((ident, pid)) => (host, Some(ident), pid, after2),
            // No tag (e.g. `-- MARK --`, `last message repeated 3 times`): keep the rest whole.
            None => (host, None, None, after1.trim_start_matches(' ')),
        },
        None => (host, None, None, ""),
    }
}

/// The stamp (month, day, time) and what follows it.
type Rfc3164Stamp<'a> = (u32, u32, NaiveTime, &'a str);

/// `Mmm dd hh:mm:ss ` at fixed offsets, as rsyslog and journalctl write nearly every line, read
/// in place; `None` for any other layout or a value out of range (the token path decides).
fn rfc3164_fixed(line: &str) -> Option<Rfc3164Stamp<'_>> {
    let b = line.as_bytes();
    if b.len() < 16
        || b[3] != b' '
        || b[6] != b' '
        || b[9] != b':'
        || b[12] != b':'
        || b[15] != b' '
    {
        return None;
    }
    let month = month3([b[0], b[1], b[2]])?;
    let day = match b[4] {
        b' ' if b[5].is_ascii_digit() => (b[5] - b'0') as u32,
        _ => two(&b[4..6])?,
    };
    if !(1..=31).contains(&day) {
        return None;
    }
    let time = NaiveTime::from_hms_opt(two(&b[7..9])?, two(&b[10..12])?, two(&b[13..15])?.min(59))?;
    // Byte 15 is an ASCII space, so 16 is a char boundary.
    Some((month, day, time, &line[16..]))
}

/// Any RFC 3164 layout: an optional `<PRI>`, then the stamp token by token.
fn rfc3164_tokens(line: &str) -> Option<Rfc3164Stamp<'_>> {
    let s = strip_pri(line);
    let (mon, rest) = token(s)?;
    let month = month_from_name(mon)?;
    let (day_s, rest) = token(rest)?;
    let day: u32 = day_s.parse().ok()?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let (time_s, rest) = token(rest)?;
    let time = parse_hms(time_s)?;
    Some((month, day, time, rest))
}

fn rfc3164<'a>(line: &'a str, head: &mut Head) -> Option<Envelope<'a>> {
    let (month, day, time, rest) = rfc3164_fixed(line).or_else(|| rfc3164_tokens(line))?;
    let (host, ident, pid, message) = head.split(rest);
    Some(Envelope {
        format: LineFormat::Rfc3164,
        stamp: Stamp::YearLess { month, day, time },
        host,
        ident,
        pid,
        message,
        uptime: None,
    })
}

/// RFC 3339 with `T`, fraction optional, offset `Z`, `±HH:MM` or `±HHMM`.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b't') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(s[0..4].parse().ok()?, two(&b[5..7])?, two(&b[8..10])?)?;
    // split time and zone
    let tpart = &s[11..];
    let zpos = tpart.find(['Z', 'z', '+', '-'])?;
    let time = parse_hms(&tpart[..zpos])?;
    let zone = &tpart[zpos..];
    let off = if zone.eq_ignore_ascii_case("z") {
        0
    } else {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let z = zone[1..].replace(':', "");
        if z.len() != 4 {
            return None;
        }
        let zb = z.as_bytes();
        sign * (two(&zb[0..2])? as i32 * 3600 + two(&zb[2..4])? as i32 * 60)
    };
    let off = FixedOffset::east_opt(off)?;
    NaiveDateTime::new(date, time)
        .and_local_timezone(off)
        .single()
}

fn rfc3339(line: &str) -> Option<Envelope<'_>> {
    let s = strip_pri(line);
    let (ts, rest) = token(s)?;
    if ts.as_bytes().get(19) == Some(&b',') {
        // `dmesg --time-format iso`: no host follows; read as `dmesg_iso`.
        return None;
    }
    let dt = parse_rfc3339(ts)?;
    let (host, ident, pid, message) = host_tag_msg(rest);
    Some(Envelope {
        format: LineFormat::Rfc3339,
        stamp: Stamp::Full(dt),
        host,
        ident,
        pid,
        message,
        uptime: None,
    })
}

fn rfc5424(line: &str) -> Option<Envelope<'_>> {
    let rest = line.strip_prefix('<')?;
    let close = rest.find('>')?;
    let rest = rest[close + 1..].strip_prefix("1 ")?;
    let (ts, rest) = token(rest)?;
    let dt = parse_rfc3339(ts)?;
    let (host, rest) = token(rest)?;
    let (app, rest) = token(rest)?;
    let (procid, rest) = token(rest)?;
    let (_msgid, rest) = token(rest)?;
    // Structured data: `-` or one or more `[...]` groups.
    let rest = rest.trim_start_matches(' ');
    let msg = if let Some(r) = rest.strip_prefix('-') {
        r
    } else if rest.starts_with('[') {
        let mut depth_end = 0;
        let mut in_group = false;
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            match c {
                '\\' if in_group => escaped = !escaped,
                '[' if !in_group => in_group = true,
                ']' if in_group && !escaped => {
                    in_group = false;
                    depth_end = i + 1;
                }
                ' ' if !in_group => break,
                _ => escaped = false,
            }
        }
        &rest[depth_end..]
    } else {
        return None;
    };
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    fn nil(s: &str) -> Option<&str> {
        if s == "-" {
            None
        } else {
            Some(s)
        }
    }
    Some(Envelope {
        format: LineFormat::Rfc5424,
        stamp: Stamp::Full(dt),
        host: nil(host),
        ident: nil(app),
        pid: procid.parse().ok(),
        message: msg,
        uptime: None,
    })
}

fn short_unix(line: &str) -> Option<Envelope<'_>> {
    let (ts, rest) = token(line)?;
    let (secs, frac) = ts.split_once('.')?;
    if secs.len() < 9 || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let micros = secs.parse::<i64>().ok()?.checked_mul(1_000_000)? + frac_micros(frac)? as i64;
    let dt = DateTime::from_timestamp_micros(micros)?.fixed_offset();
    let (host, ident, pid, message) = host_tag_msg(rest);
    Some(Envelope {
        format: LineFormat::ShortUnix,
        stamp: Stamp::Full(dt),
        host,
        ident,
        pid,
        message,
        uptime: None,
    })
}

/// `YYYY-MM-DD HH:MM:SS,mmm LEVEL msg`: the stamp supervisord writes (local time, no zone).
/// Also used to recognise supervisord bodies inside syslog/journal messages.
pub fn supervisord_stamp(s: &str) -> Option<(NaiveDateTime, &str, &str)> {
    let b = s.as_bytes();
    if b.len() < 25
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[19] != b','
        || b[23] != b' '
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(s[0..4].parse().ok()?, two(&b[5..7])?, two(&b[8..10])?)?;
    let time = parse_hms(&s[11..23])?;
    let rest = &s[24..];
    let (level, msg) = rest.split_once(' ').unwrap_or((rest, ""));
    if !matches!(
        level,
        "CRIT" | "ERRO" | "WARN" | "INFO" | "DEBG" | "TRAC" | "BLAT"
    ) {
        return None;
    }
    Some((NaiveDateTime::new(date, time), level, msg))
}

fn supervisord(line: &str) -> Option<Envelope<'_>> {
    let (dt, _level, _msg) = supervisord_stamp(line)?;
    // The message keeps the stamp and level: the same text supervisord sends to the journal,
    // so both copies of a line match the same rules and deduplicate on the inner stamp.
    Some(Envelope {
        format: LineFormat::Supervisord,
        stamp: Stamp::Local(dt),
        host: None,
        ident: Some("supervisord"),
        pid: None,
        message: line,
        uptime: None,
    })
}

fn dmesg(line: &str) -> Option<Envelope<'_>> {
    let (up, rest) = strip_uptime(line)?;
    Some(Envelope {
        format: LineFormat::Dmesg,
        stamp: Stamp::Uptime(up),
        host: None,
        ident: Some("kernel"),
        pid: None,
        message: rest,
        uptime: Some(up),
    })
}

/// `[Sun Jun 29 15:57:11 2025] msg` (weekday in any language is ignored).
fn dmesg_t(line: &str) -> Option<Envelope<'_>> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let inner = &rest[..close];
    let mut it = inner.split_whitespace();
    let _wday = it.next()?;
    let month = month_from_name(it.next()?)?;
    let day: u32 = it.next()?.parse().ok()?;
    let time = parse_hms(it.next()?)?;
    let year: i32 = it.next()?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let msg = &rest[close + 1..];
    Some(Envelope {
        format: LineFormat::DmesgT,
        stamp: Stamp::Local(NaiveDateTime::new(date, time)),
        host: None,
        ident: Some("kernel"),
        pid: None,
        message: msg.strip_prefix(' ').unwrap_or(msg),
        uptime: None,
    })
}

/// `dmesg --time-format iso`: `2025-03-09T18:14:14,123456+01:00 msg`, kernel messages only.
fn dmesg_iso(line: &str) -> Option<Envelope<'_>> {
    let (ts, rest) = token(line)?;
    if ts.as_bytes().get(19) != Some(&b',') {
        return None;
    }
    let dt = parse_rfc3339(ts)?;
    Some(Envelope {
        format: LineFormat::DmesgIso,
        stamp: Stamp::Full(dt),
        host: None,
        ident: Some("kernel"),
        pid: None,
        message: rest,
        uptime: None,
    })
}

/// `dmesg -H`: `[Mar  9 18:14] msg` (util-linux prints the minute when it changes) or
/// `[  +0.000120] msg` (seconds since the previous line).
fn dmesg_human(line: &str) -> Option<Envelope<'_>> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let inner = rest[..close].trim();
    let msg = &rest[close + 1..];
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    let stamp = if let Some(d) = inner.strip_prefix('+') {
        if !d.contains('.') || !d.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        Stamp::Relative(d.parse().ok()?)
    } else {
        let mut it = inner.split_whitespace();
        let month = month_from_name(it.next()?)?;
        let day: u32 = it.next()?.parse().ok()?;
        let hm = it.next()?;
        if it.next().is_some() || hm.len() != 5 {
            return None;
        }
        let time = parse_hms(&format!("{hm}:00"))?;
        if !(1..=31).contains(&day) {
            return None;
        }
        Stamp::YearLess { month, day, time }
    };
    Some(Envelope {
        format: LineFormat::DmesgHuman,
        stamp,
        host: None,
        ident: Some("kernel"),
        pid: None,
        message: msg,
        uptime: None,
    })
}

/// `journalctl -o short-monotonic`: `[ 1234.567890] host ident[pid]: msg`. Raw dmesg has lines
/// of that shape too (`usb 1-1: new device`), so the tag must be `kernel:` or carry a pid.
fn short_monotonic(line: &str) -> Option<Envelope<'_>> {
    let (up, rest) = strip_uptime(line)?;
    let (host, rest) = token(rest)?;
    if host.contains([':', '[', '(', '=']) {
        return None;
    }
    let (tag, msg) = token(rest)?;
    let (ident, pid) = parse_tag(tag)?;
    if pid.is_none() && ident != "kernel" {
        return None;
    }
    Some(Envelope {
        format: LineFormat::ShortMonotonic,
        stamp: Stamp::Uptime(up),
        host: Some(host),
        ident: Some(ident),
        pid,
        message: msg,
        uptime: Some(up),
    })
}

/// `docker compose logs`: `service-1  | line` (v1: `service_1  | line`). The inner line is read
/// in any other envelope; with `-t` docker puts its own RFC 3339 stamp first, which dates the
/// line (the app's text after it may have no envelope at all). The service names the host when
/// the inner line names none: one container of a compose project is one machine to a reader.
fn compose(line: &str) -> Option<Envelope<'_>> {
    let bar = line.find(" | ").or_else(|| {
        // An empty inner line: `service-1  |`.
        line.strip_suffix(" |").map(|l| l.len())
    })?;
    let service = line[..bar].trim_end();
    if service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return None;
    }
    let inner = line.get(bar + 3..).unwrap_or("");
    let docker_stamp = token(inner).and_then(|(ts, rest)| {
        let dt = parse_rfc3339(ts)?;
        Some((dt, rest))
    });
    fn parsed(l: &str) -> Option<Envelope<'_>> {
        LineFormat::ALL
            .iter()
            .filter(|f| **f != LineFormat::Compose)
            .find_map(|f| parse_as(l, *f))
    }
    let mut env = match docker_stamp {
        Some((dt, rest)) => {
            let mut env = parsed(rest).unwrap_or(Envelope {
                format: LineFormat::Compose,
                stamp: Stamp::Full(dt),
                host: None,
                ident: None,
                pid: None,
                message: rest,
                uptime: None,
            });
            env.stamp = Stamp::Full(dt);
            env
        }
        None => parsed(inner)?,
    };
    env.format = LineFormat::Compose;
    env.host = env.host.or(Some(service));
    Some(env)
}

/// `kubectl describe` event rows: `  Type  Reason  Age  From  Message`, columns two or more
/// spaces apart. The node-problem-detector's `kernel-monitor, NODE` source carries kernel
/// lines: ident `kernel`, host the node.
fn kubectl(line: &str) -> Option<Envelope<'_>> {
    let s = line.strip_prefix("  ")?.trim_start();
    let (ty, rest) = s.split_once("  ")?;
    if ty != "Normal" && ty != "Warning" {
        return None;
    }
    fn cols(s: &str) -> Option<(&str, &str)> {
        let s = s.trim_start();
        s.find("  ").map(|i| (&s[..i], &s[i..]))
    }
    let (_reason, rest) = cols(rest)?;
    let (age, rest) = cols(rest)?;
    let (from, rest) = cols(rest)?;
    let message = rest.trim_start();
    let ago = kubectl_age(age)?;
    let (ident, host) = match from.split_once(", ") {
        Some((component, node)) => (component, Some(node)),
        None => (from, None),
    };
    let ident = if ident == "kernel-monitor" {
        "kernel"
    } else {
        ident
    };
    Some(Envelope {
        format: LineFormat::Kubectl,
        stamp: Stamp::Ago(ago),
        host,
        ident: Some(ident),
        pid: None,
        message,
        uptime: None,
    })
}

/// `44m`, `3h2m`, `2d5h`, `10s`, `3m (x2 over 5m)`, `<unknown>`: seconds ago of the newest
/// sighting (the part before any parenthesis).
fn kubectl_age(age: &str) -> Option<i64> {
    let a = age.split(" (").next()?.trim();
    if a == "<unknown>" || a == "<invalid>" {
        return Some(0);
    }
    let (mut total, mut n, mut any) = (0i64, 0i64, false);
    for c in a.chars() {
        if let Some(d) = c.to_digit(10) {
            n = n.checked_mul(10)?.checked_add(d as i64)?;
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'y' => 365 * 86_400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        (n, any) = (0, true);
    }
    (any && n == 0).then_some(total)
}

/// A line with no envelope: a kernel message whose time is unknown. A `kernel: ` left by a
/// paste that cut the stamp and host off a syslog line is not part of the message.
fn bare(line: &str) -> Option<Envelope<'_>> {
    let message = line.strip_prefix("kernel: ").unwrap_or(line);
    (!message.trim().is_empty()).then_some(Envelope {
        format: LineFormat::Bare,
        stamp: Stamp::Unknown,
        host: None,
        ident: Some("kernel"),
        pid: None,
        message,
        uptime: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Envelope<'_> {
        parse(line, None).unwrap_or_else(|| panic!("no envelope: {line}"))
    }

    #[test]
    fn the_fixed_layout_fast_path_reads_what_the_token_path_reads() {
        let stamps = [
            "Sep 27 10:00:00",
            "Jan  5 23:59:59",
            "jan 05 00:00:00",
            "DEC 31 12:34:60",
            "Feb 30 01:02:03",
            "Mar 00 01:02:03",
            "Apr 32 01:02:03",
            "May  0 01:02:03",
            "Jun 15 24:00:00",
            "Jul 15 12:60:00",
            "Aug 1x 12:00:00",
            "Oct 15 1a:00:00",
            "Nov 15 12:00:00.123",
            "Sept 27 10:00:00",
            "<30>Sep 27 10:00:00",
            "Foo 27 10:00:00",
            "Sep 27  10:00:00",
            "Sep 27 10-00-00",
            "Sep 5  10:00:00",
        ];
        let rests = [
            " web1 systemd[1]: Started session-5.scope - Session 5 of User root.",
            " web1 kernel: [  518.050606] Out of memory: Killed process 15784 (python3)",
            " systemd[1]: no host here",
            " web1 -- MARK --",
            " web1",
            " ",
            "",
            "x web1 sshd[1]: glued to the time",
        ];
        let mut fast = 0;
        for st in stamps {
            for r in rests {
                let line = format!("{st}{r}");
                if let Some(f) = rfc3164_fixed(&line) {
                    fast += 1;
                    assert_eq!(Some(f), rfc3164_tokens(&line), "{line:?}");
                }
            }
        }
        assert!(
            fast >= 4 * 6,
            "the common layouts take the fast path: {fast}"
        );
    }

    #[test]
    fn a_remembered_head_reads_what_a_fresh_parse_reads() {
        // In this order, each line after a line with the same head, a different one, or none.
        let lines = [
            "Sep 27 10:00:00 web1 systemd[1]: Started session-5.scope - Session 5 of User root.",
            "Sep 27 10:00:01 web1 systemd[1]: session-5.scope: Deactivated successfully.",
            "Sep 27 10:00:01 web1 systemd[1]:  two spaces before the message",
            "Sep 27 10:00:01 web1 systemd[1]:",
            "Sep 27 10:00:02 web1 systemd[1]: back",
            "Sep 27 10:00:02 web1 systemd[12]: another pid",
            "Sep 27 10:00:03 web1 systemd[1]: and back",
            "Sep 27 10:00:04 web2 systemd[1]: another host",
            "Sep 27 10:00:05 web1 kernel: [  518.050606] Out of memory: Killed process 15784 (python3)",
            "Sep 27 10:00:05 web1 kernel: [  518.050700] oom_reaper: reaped process 15784 (python3)",
            "Sep 27 10:00:06 web1 -- MARK --",
            "Sep 27 10:00:06 web1 -- MARK -- again",
            "Sep 27 10:00:07 systemd[1]: no host here",
            "Sep 27 10:00:07 systemd[1]: no host again",
            "Sep 27 10:00:08 web1 systemd[1]: Started x.service",
            "Sep 27 10:00:08 web1 systemd[1]:x glued",
            "Sep 27 10:00:09 web1 CRON[77]: (root) CMD (true)",
            "Sep 27 10:00:09 web1 CRON[77]: (root) CMD (true)",
            "Sep 27 10:00:10 web1 systemd[1]: Started y.service\r",
            "2025-09-27T10:00:11+00:00 web1 systemd[1]: another format between",
            "Sep 27 10:00:12 web1 systemd[1]: Started z.service",
        ];
        let mut head = Head::new();
        for line in lines {
            let got = parse_with(line, Some(LineFormat::Rfc3164), &mut head);
            assert_eq!(got, parse(line, Some(LineFormat::Rfc3164)), "{line:?}");
        }
        // The repeats after a kept head: Deactivated, two spaces, oom_reaper, no host again,
        // the second CMD and z.service (across the line of another format). Not after a line
        // that ends at its tag, nor after `-- MARK --` or a tag glued to its message.
        assert_eq!(head.hits, 6);
    }

    #[test]
    fn rfc3164_space_padded_with_kernel_uptime() {
        let e = p("May 15 23:09:30 ubuntu-s-1vcpu-2gb-ams3-01 kernel: [  518.050606] Out of memory: Killed process 15784 (python3) total-vm:11964kB");
        assert_eq!(e.format, LineFormat::Rfc3164);
        assert_eq!(
            e.stamp,
            Stamp::YearLess {
                month: 5,
                day: 15,
                time: NaiveTime::from_hms_opt(23, 9, 30).unwrap()
            }
        );
        assert_eq!(e.host, Some("ubuntu-s-1vcpu-2gb-ams3-01"));
        assert_eq!(e.ident, Some("kernel"));
        assert_eq!(e.uptime, Some(518.050606));
        assert!(e.message.starts_with("Out of memory: Killed process 15784"));
        let e = p("Jul  2 08:10:02 ranjandesk /USR/SBIN/CRON[6411]: (akudewan) CMD (/usr/local/bin/keeponline.sh 1> /dev/null)");
        assert_eq!(
            (e.host, e.ident, e.pid),
            (Some("ranjandesk"), Some("/USR/SBIN/CRON"), Some(6411))
        );
        assert_eq!(
            e.message,
            "(akudewan) CMD (/usr/local/bin/keeponline.sh 1> /dev/null)"
        );
    }

    #[test]
    fn rfc3164_with_pri_and_zero_padded_day() {
        let e = p("<86>Dec 24 17:05:01 foo-bar CRON[10049]: pam_unix(cron:session): session closed for user root");
        assert_eq!(
            (e.host, e.ident, e.pid),
            (Some("foo-bar"), Some("CRON"), Some(10049))
        );
        let e = p("Jul 05 12:41:42 ubuntu supervisord[19944]: 2021-07-05 12:41:42,367 CRIT Supervisor is running as root.");
        assert_eq!(
            e.stamp,
            Stamp::YearLess {
                month: 7,
                day: 5,
                time: NaiveTime::from_hms_opt(12, 41, 42).unwrap()
            }
        );
        assert_eq!(
            e.message,
            "2021-07-05 12:41:42,367 CRIT Supervisor is running as root."
        );
    }

    #[test]
    fn journalctl_short_without_host_and_in_other_locales() {
        let e = p("Aug 07 01:00:57 systemd[1]: moq-relay.service: The kernel OOM killer killed some processes in this unit.");
        assert_eq!((e.host, e.ident, e.pid), (None, Some("systemd"), Some(1)));
        let e = p("avril 16 21:08:50 systemd-oomd[93234]: Considered 97 cgroups for killing, top candidates were:");
        assert!(matches!(
            e.stamp,
            Stamp::YearLess {
                month: 4,
                day: 16,
                ..
            }
        ));
        let e = p("5月 29 23:06:20 Analyse systemd-oomd[111564]: Killed /user.slice");
        assert!(matches!(
            e.stamp,
            Stamp::YearLess {
                month: 5,
                day: 29,
                ..
            }
        ));
        assert_eq!(e.host, Some("Analyse"));
        let e = p("дек 18 10:01:01 localhost.localdomain CROND[2651118]: (root) CMD (run-parts /etc/cron.hourly)");
        assert!(matches!(
            e.stamp,
            Stamp::YearLess {
                month: 12,
                day: 18,
                ..
            }
        ));
        for (tok, m) in [
            ("janv.", 1),
            ("févr.", 2),
            ("Mär", 3),
            ("Okt", 10),
            ("dic", 12),
            ("ago", 8),
            ("мая", 5),
            ("12月", 12),
        ] {
            assert_eq!(month_from_name(tok), Some(m), "{tok}");
        }
    }

    #[test]
    fn rfc3339_offsets_and_fractions() {
        let e = p("2025-02-02T09:50:42.211184+01:00 mail postfix/smtpd[24510]: warning: x");
        let Stamp::Full(dt) = e.stamp else { panic!() };
        assert_eq!(dt.to_rfc3339(), "2025-02-02T09:50:42.211184+01:00");
        assert_eq!(
            (e.host, e.ident, e.pid),
            (Some("mail"), Some("postfix/smtpd"), Some(24510))
        );
        let e = p("2026-09-21T10:02:23+0000 priceless-mayer systemd[1]: mariadb.service: A process of this unit has been killed by the OOM killer.");
        let Stamp::Full(dt) = e.stamp else { panic!() };
        assert_eq!(dt.timestamp(), 1789984943);
        let e = p("2025-08-06T12:40:30-05:00 username systemd[1]: run-user-1001.mount: Deactivated successfully.");
        let Stamp::Full(dt) = e.stamp else { panic!() };
        assert_eq!(dt.offset().local_minus_utc(), -5 * 3600);
        let e = p("2020-05-31T00:00:45.698463+00:00 localhost rsyslogd:  message repeated 76 times: [-- MARK --]");
        assert_eq!(e.ident, Some("rsyslogd"));
    }

    #[test]
    fn rfc5424_and_short_unix() {
        let e = p("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
        assert_eq!(e.format, LineFormat::Rfc5424);
        assert_eq!(
            (e.host, e.ident, e.pid),
            (Some("192.0.2.1"), Some("myproc"), Some(8710))
        );
        assert_eq!(e.message, "%% It's time to make the do-nuts.");
        let e = p("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event");
        assert_eq!(e.message, "An application event");
        let e = p("1790033574.259647 fhr-server kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null)");
        assert_eq!(e.format, LineFormat::ShortUnix);
        let Stamp::Full(dt) = e.stamp else { panic!() };
        assert_eq!(dt.timestamp_micros(), 1790033574259647);
        assert_eq!(e.host, Some("fhr-server"));
    }

    #[test]
    fn supervisord_and_dmesg() {
        let e = p("2013-10-16 16:04:58,346 WARN received SIGTERM indicating exit request");
        assert_eq!(e.format, LineFormat::Supervisord);
        assert_eq!(
            e.stamp,
            Stamp::Local(
                NaiveDateTime::parse_from_str("2013-10-16 16:04:58.346", "%Y-%m-%d %H:%M:%S%.3f")
                    .unwrap()
            )
        );
        assert_eq!(
            e.message,
            "2013-10-16 16:04:58,346 WARN received SIGTERM indicating exit request"
        );
        let e = p("[ 1171.795551] Out of memory: Killed process 1669 (xdg-desktop-por)");
        assert_eq!(
            (e.format, e.uptime, e.message),
            (
                LineFormat::Dmesg,
                Some(1171.795551),
                "Out of memory: Killed process 1669 (xdg-desktop-por)"
            )
        );
        let e = p("[Di Aug 12 03:54:03 2025] php-fpm invoked oom-killer: gfp_mask=0x140cca");
        assert_eq!(e.format, LineFormat::DmesgT);
        assert_eq!(e.message, "php-fpm invoked oom-killer: gfp_mask=0x140cca");
    }

    #[test]
    fn dmesg_as_people_paste_it() {
        // `dmesg --time-format iso`: the comma before the fraction, no host.
        let e =
            p("2025-03-09T18:14:14,123456+01:00 Out of memory: Killed process 3902942 (php-fpm)");
        assert_eq!(e.format, LineFormat::DmesgIso);
        assert_eq!((e.host, e.ident), (None, Some("kernel")));
        assert_eq!(e.message, "Out of memory: Killed process 3902942 (php-fpm)");
        assert_eq!(
            e.stamp,
            Stamp::Full(DateTime::parse_from_rfc3339("2025-03-09T18:14:14.123456+01:00").unwrap())
        );
        // `dmesg -H`: the minute, then seconds since the line before.
        let e = p("[Mar  9 18:14] php-fpm invoked oom-killer: gfp_mask=0x140cca, order=0");
        assert_eq!(e.format, LineFormat::DmesgHuman);
        assert_eq!(
            e.stamp,
            Stamp::YearLess {
                month: 3,
                day: 9,
                time: NaiveTime::from_hms_opt(18, 14, 0).unwrap()
            }
        );
        let e = p("[  +0.000120] CPU: 1 PID: 3902942 Comm: php-fpm Not tainted 5.15.0-97-generic");
        assert_eq!(
            (e.format, e.stamp),
            (LineFormat::DmesgHuman, Stamp::Relative(0.00012))
        );
        assert_eq!(
            e.message,
            "CPU: 1 PID: 3902942 Comm: php-fpm Not tainted 5.15.0-97-generic"
        );
        // `journalctl -o short-monotonic`: an uptime, then host and tag.
        let e = p("[ 5864.708443] web01 kernel: Out of memory: Killed process 1 (x)");
        assert_eq!(e.format, LineFormat::ShortMonotonic);
        assert_eq!(
            (e.host, e.ident, e.uptime),
            (Some("web01"), Some("kernel"), Some(5864.708443))
        );
        assert_eq!(e.message, "Out of memory: Killed process 1 (x)");
        let e = p("[   12.000001] web01 systemd[1]: Started cron.service - Regular background program processing daemon.");
        assert_eq!(
            (e.format, e.ident, e.pid),
            (LineFormat::ShortMonotonic, Some("systemd"), Some(1))
        );
        // Raw dmesg lines shaped like `host tag:` stay raw dmesg.
        let e = p("[    2.512000] usb 1-1: new high-speed USB device number 2 using ehci-pci");
        assert_eq!((e.format, e.host), (LineFormat::Dmesg, None));
        assert_eq!(
            e.message,
            "usb 1-1: new high-speed USB device number 2 using ehci-pci"
        );
        let e = p("[    5.100000] systemd[1]: Started Journal Service.");
        assert_eq!(e.format, LineFormat::Dmesg);
    }

    #[test]
    fn compose_and_kubectl_wrappers() {
        let e = p("worker-1  | 2025-09-27 19:20:01,002 WARN exited: rq-worker (terminated by SIGKILL; not expected)");
        assert_eq!(e.format, LineFormat::Compose);
        assert_eq!((e.host, e.ident), (Some("worker-1"), Some("supervisord")));
        assert_eq!(
            e.message,
            "2025-09-27 19:20:01,002 WARN exited: rq-worker (terminated by SIGKILL; not expected)"
        );
        // An inner syslog line names its own host.
        let e = p("syslog_1  | Sep 27 19:13:48 web1 CRON[1]: (root) CMD (x)");
        assert_eq!(
            (e.format, e.host, e.ident),
            (LineFormat::Compose, Some("web1"), Some("CRON"))
        );
        // `docker compose logs -t`: docker's stamp dates app text that has none.
        let e = p("web-1  | 2025-09-27T19:20:02.100000000Z [2025-09-27 19:20:02 +0000] [41] [CRITICAL] WORKER TIMEOUT (pid:57)");
        assert_eq!(
            (e.format, e.host, e.ident),
            (LineFormat::Compose, Some("web-1"), None)
        );
        assert_eq!(
            e.stamp,
            Stamp::Full(DateTime::parse_from_rfc3339("2025-09-27T19:20:02.1Z").unwrap())
        );
        assert_eq!(
            e.message,
            "[2025-09-27 19:20:02 +0000] [41] [CRITICAL] WORKER TIMEOUT (pid:57)"
        );
        assert!(parse("web-1  | just some text", None).is_none());

        let e = p("  Warning  OOMKilling  44m                kernel-monitor, gke-pool-1-abc  Memory cgroup out of memory: Killed process 1012 (node) total-vm:1045916kB");
        assert_eq!(e.format, LineFormat::Kubectl);
        assert_eq!(
            (e.host, e.ident, e.stamp),
            (Some("gke-pool-1-abc"), Some("kernel"), Stamp::Ago(44 * 60))
        );
        assert_eq!(
            e.message,
            "Memory cgroup out of memory: Killed process 1012 (node) total-vm:1045916kB"
        );
        let e = p(
            "  Normal   Killing     3m (x2 over 5m)    kubelet            Stopping container app",
        );
        assert_eq!(
            (e.host, e.ident, e.stamp),
            (None, Some("kubelet"), Stamp::Ago(180))
        );
        assert_eq!(kubectl_age("2d5h"), Some(2 * 86_400 + 5 * 3600));
        assert_eq!(kubectl_age("5"), None);
        assert!(parse("  Type     Reason      Age   From          Message", None).is_none());
        // No envelope: only as the file's format, never sniffed from a line.
        assert!(parse("Out of memory: Killed process 1 (x)", None).is_none());
        let e = parse_as("Out of memory: Killed process 1 (x)", LineFormat::Bare).unwrap();
        assert_eq!((e.stamp, e.ident), (Stamp::Unknown, Some("kernel")));
    }

    #[test]
    fn crlf_garbage_and_truncated_lines_do_not_parse_or_panic() {
        assert_eq!(p("Feb  2 09:11:46 host sshd[1]: hi\r").message, "hi");
        for junk in [
            "",
            " ",
            "Feb",
            "Feb 31",
            "Feb 30 99:99:99 x",
            "2025-13-01T00:00:00Z h x: y",
            "<1>1 ",
            "[",
            "[ 12]",
            "1234567890.x h",
            "\u{0}\u{0}",
            "2025-09-27 19:13:48,368 NOPE x",
        ] {
            let _ = parse(junk, None);
        }
        assert!(parse("2025-09-27 19:13:48,368 NOPE x", None).is_none());
        assert!(parse("hello world", None).is_none());
    }
}
