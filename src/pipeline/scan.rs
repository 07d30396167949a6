//! Scanning text: the hot path. Like ripgrep, it searches whole buffers for the rules' literal
//! hints and only then looks at the line around a hit; every other line is counted with a
//! SIMD newline count and never decoded. A few more lines are sampled for the time range and
//! the year policy: each chunk's first and last line and the first line of every 64 KiB block.
//!
//! A `ChunkScan` covers one piece of a file (a range of a big plain file, or a whole stream);
//! its times may still lack a year (relative to its own first line) and its line numbers are
//! local. `FileScan::finish` stitches the pieces of a file in order: line numbers get their
//! offsets, relative years their base, zone-less times their zone.

use crate::config::TzPolicy;
use crate::events::routine::{self, PendingLine};
use crate::events::Event;
use crate::model::{Location, Timestamp};
use crate::parse::envelope::{self, Envelope, LineFormat, Stamp};
use crate::parse::time::{self, YearAnchor, YearTracker};
use crate::parse::{record_from, Record};
use crate::report::{InputWarning, InputWarningKind as K, TimeBasis};
use crate::rules::RuleSet;
use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Distance between sampled lines, for the year policy and the time range.
const SAMPLE_EVERY: usize = 64 * 1024;

/// A time as read, before the file-level year/zone policy.
#[derive(Clone, Copy, Debug)]
pub enum RawTime {
    Final(Timestamp),
    Local(NaiveDateTime),
    YearLess {
        rel: i32,
        month: u32,
        day: u32,
        time: NaiveTime,
    },
    Uptime(f64),
    /// Seconds before the file was written (`kubectl describe` ages).
    Ago(i64),
    /// No time at all: placed at the file's mtime, in file order.
    Unknown,
}

/// What one piece of a text file produced.
#[derive(Default)]
pub struct ChunkScan {
    pub lines: u64,
    pub bytes: u64,
    pub candidates: u64,
    pub unparsed: u64,
    pub unparsed_samples: Vec<(u64, String)>,
    pub overlong: u64,
    /// Lines holding NUL bytes (crash padding); the text between NUL runs is read as lines.
    pub nul_lines: u64,
    /// Events with local line numbers.
    pub events: Vec<Event>,
    /// The raw time of each event (its host is the event's own).
    pub times: Vec<RawTime>,
    pub tracker: YearTracker,
    pub first: Option<(RawTime, Option<String>)>,
    pub last: Option<(RawTime, Option<String>)>,
    pub hosts: BTreeMap<String, u64>,
    /// Lines of the host named last, not yet in `hosts`: a file is mostly one host's lines in
    /// runs, and a map lookup per candidate line showed in the profile of a busy host.
    /// `scan` adds it to `hosts` before it returns.
    run: (String, u64),
    /// The last RFC 3164 head parsed (`envelope::Head`).
    head: envelope::Head,
    pub max_uptime: Option<f64>,
    /// Routine lines (`events::routine`), with the raw time of each.
    pub routine: routine::Part,
    pub routine_times: Vec<(RawTime, PendingLine)>,
    /// `dmesg -H`: the time of every line of the current buffer (see `HumanClock`).
    human: HumanClock,
    /// Lines whose time had to be estimated, by how (for the input's warnings).
    pub untimed: u64,
    pub aged: u64,
    /// The last `kubectl describe` event row read, for the lines that continue its message.
    kubectl_row: Option<KubectlRow>,
}

#[derive(Clone)]
struct KubectlRow {
    line: u64,
    ago: i64,
    host: Option<String>,
    ident: String,
}

/// `dmesg -H` prints the minute when it changes and otherwise the seconds since the line
/// before, so a line's time depends on every line above it: for such files every line of a
/// buffer is read for its stamp (they are small: a kernel ring buffer), and the pieces are
/// never split (`pipeline::units`). Times are in a leap placeholder year; the year policy
/// dates them like any year-less stamp. Precision: the printed minute plus the deltas.
#[derive(Default)]
struct HumanClock {
    /// Line number (piece-local, 0-based) of `at[0]`.
    base: u64,
    at: Vec<Option<NaiveDateTime>>,
    last: Option<NaiveDateTime>,
}

impl HumanClock {
    fn read(&mut self, base: u64, buf: &[u8]) {
        self.base = base;
        self.at.clear();
        for line in buf.split_inclusive(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            let t = match envelope::parse_as(text.trim_end(), LineFormat::DmesgHuman)
                .map(|e| e.stamp)
            {
                Some(Stamp::YearLess { month, day, time }) => {
                    chrono::NaiveDate::from_ymd_opt(2000, month, day).map(|d| d.and_time(time))
                }
                Some(Stamp::Relative(d)) => self.last.and_then(|l| {
                    l.checked_add_signed(chrono::TimeDelta::microseconds((d * 1e6) as i64))
                }),
                _ => self.last,
            };
            self.last = t.or(self.last);
            self.at.push(t);
        }
    }

    /// The time of 1-based piece-local line `line_no`.
    fn get(&self, line_no: u64) -> Option<NaiveDateTime> {
        let i = line_no.checked_sub(1 + self.base)?;
        self.at.get(usize::try_from(i).ok()?).copied().flatten()
    }
}

/// Per-file settings of a scan.
pub struct ScanCtx<'a> {
    pub rules: &'a RuleSet,
    pub path: Arc<str>,
    pub format: LineFormat,
    /// Host for lines that name none (and for all lines with `--host`).
    pub host: Option<String>,
    pub force_host: bool,
    pub max_samples: usize,
}

impl ChunkScan {
    pub fn new() -> Self {
        Self {
            head: envelope::Head::new(),
            ..Self::default()
        }
    }

    /// `line_no` (piece-local, 1-based) places `dmesg -H` deltas; `None` for sampled lines,
    /// which never carry such a stamp (`sample` skips them).
    fn raw_time(&mut self, env: &Envelope<'_>, line_no: Option<u64>) -> RawTime {
        match env.stamp {
            Stamp::Full(dt) => RawTime::Final(Timestamp::from_datetime(&dt)),
            Stamp::Local(ndt) => RawTime::Local(ndt),
            Stamp::YearLess { month, day, time } => RawTime::YearLess {
                rel: self.tracker.observe(month, day, time),
                month,
                day,
                time,
            },
            Stamp::Uptime(u) => {
                self.max_uptime = Some(self.max_uptime.map_or(u, |m: f64| m.max(u)));
                RawTime::Uptime(u)
            }
            Stamp::Relative(_) => {
                use chrono::Datelike;
                let Some(at) = line_no.and_then(|n| self.human.get(n)) else {
                    // Before the first minute stamp: nothing to count from.
                    self.untimed += 1;
                    return RawTime::Unknown;
                };
                let (month, day, time) = (at.month(), at.day(), at.time());
                RawTime::YearLess {
                    rel: self.tracker.observe(month, day, time),
                    month,
                    day,
                    time,
                }
            }
            Stamp::Ago(s) => {
                self.aged += 1;
                RawTime::Ago(s)
            }
            Stamp::Unknown => {
                self.untimed += 1;
                RawTime::Unknown
            }
        }
    }

    fn host_of(ctx: &ScanCtx<'_>, env: &Envelope<'_>) -> Option<String> {
        if ctx.force_host {
            return ctx.host.clone();
        }
        env.host.map(str::to_string).or_else(|| ctx.host.clone())
    }

    /// One more line of host `h` (see `run`).
    fn count_host(&mut self, h: &str) {
        if self.run.1 > 0 && self.run.0 == h {
            self.run.1 += 1;
            return;
        }
        self.end_run();
        self.run.0.clear();
        self.run.0.push_str(h);
        self.run.1 = 1;
    }

    fn end_run(&mut self) {
        if self.run.1 > 0 {
            match self.hosts.get_mut(&self.run.0) {
                Some(n) => *n += self.run.1,
                None => {
                    self.hosts.insert(self.run.0.clone(), self.run.1);
                }
            }
            self.run.1 = 0;
        }
    }

    /// Sample a line for the time range and the year tracker.
    fn sample(&mut self, ctx: &ScanCtx<'_>, line: &[u8]) {
        // Valid UTF-8 is the rule: checked in one pass, copied only when it is not.
        let text = match std::str::from_utf8(line) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(line),
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if let Some(env) = envelope::parse_as(text, ctx.format) {
            if matches!(
                env.stamp,
                Stamp::Unknown | Stamp::Relative(_) | Stamp::Ago(_)
            ) {
                // Such a stamp dates nothing alone (it needs the line's number or the file's
                // mtime), and the file's range comes from its events: sampling would only
                // count the line's estimate twice.
                return;
            }
            let t = self.raw_time(&env, None);
            let host = Self::host_of(ctx, &env);
            if let Some(h) = &host {
                *self.hosts.entry(h.clone()).or_default() += 1;
            }
            if self.first.is_none() {
                self.first = Some((t, host.clone()));
            }
            self.last = Some((t, host));
        }
    }

    /// Parse one candidate line and run the rules. Returns the follow token, if any.
    /// A line the prefilter hit (or that continues a block). NUL runs inside it are what a
    /// crash leaves: the text on either side is a line of its own, under the same line number.
    fn candidate(
        &mut self,
        ctx: &ScanCtx<'_>,
        line: &[u8],
        line_no: u64,
        follow: Option<crate::rules::Follow>,
    ) -> Option<crate::rules::Follow> {
        // One pass answers both questions about the bytes: a NUL (a crash's padding) and a byte
        // above 0x7f (then the line needs UTF-8 validation; an ASCII line is UTF-8 already).
        // It costs half of `memchr` plus `from_utf8` on a line of a few hundred bytes.
        let (or, min) = line
            .iter()
            .fold((0u8, u8::MAX), |(o, m), &b| (o | b, m.min(b)));
        if min != 0 {
            return self.candidate_text(ctx, line, or < 0x80, line_no, follow);
        }
        let mut next = follow;
        for piece in line.split(|&b| b == 0) {
            if piece.iter().any(|b| !b.is_ascii_whitespace()) {
                next = self.candidate_text(ctx, piece, false, line_no, next);
            }
        }
        next
    }

    /// `ascii`: the caller saw no byte above 0x7f in `line`.
    fn candidate_text(
        &mut self,
        ctx: &ScanCtx<'_>,
        line: &[u8],
        ascii: bool,
        line_no: u64,
        follow: Option<crate::rules::Follow>,
    ) -> Option<crate::rules::Follow> {
        // Valid UTF-8 is the rule: checked in one pass, copied only when it is not.
        let text = match ascii {
            // SAFETY: every byte is below 0x80, and ASCII is valid UTF-8.
            true => std::borrow::Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(line) }),
            false => match std::str::from_utf8(line) {
                Ok(t) => std::borrow::Cow::Borrowed(t),
                Err(_) => String::from_utf8_lossy(line),
            },
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if crate::input::sniff::is_journalctl_decoration(text) {
            return None;
        }
        let parsed = envelope::parse_with(text, Some(ctx.format), &mut self.head);
        // kubectl prints a multi-line event message (node-problem-detector's two-line OOM
        // report) with its later lines flush left: they belong to the row just above.
        let row = match (ctx.format, &parsed) {
            (LineFormat::Kubectl, Some(e)) => {
                if let Stamp::Ago(ago) = e.stamp {
                    self.kubectl_row = Some(KubectlRow {
                        line: line_no,
                        ago,
                        host: e.host.map(str::to_string),
                        ident: e.ident.unwrap_or_default().to_string(),
                    });
                }
                None
            }
            (LineFormat::Kubectl, None) => self.kubectl_row.clone(),
            _ => None,
        };
        let parsed = match parsed {
            None => row
                .as_ref()
                .filter(|r| line_no - r.line <= 3)
                .map(|r| Envelope {
                    format: LineFormat::Kubectl,
                    stamp: Stamp::Ago(r.ago),
                    host: r.host.as_deref(),
                    ident: Some(r.ident.as_str()),
                    pid: None,
                    message: text.trim(),
                    uptime: None,
                }),
            p => p,
        };
        let Some(env) = parsed else {
            if follow.is_none() {
                self.unparsed += 1;
                if self.unparsed_samples.len() < ctx.max_samples {
                    self.unparsed_samples
                        .push((line_no, crate::events::bounded(text, 300)));
                }
            }
            return None;
        };
        let t = self.raw_time(&env, Some(line_no));
        let host: Option<&str> = if ctx.force_host {
            ctx.host.as_deref()
        } else {
            env.host.or(ctx.host.as_deref())
        };
        if let Some(h) = host {
            self.count_host(h);
        }
        if self.first.is_none() {
            self.first = Some((t, host.map(str::to_string)));
        }
        // Routine systemd lifecycle, recognised without the rules: the bulk of a busy host's
        // candidates costs an envelope parse and a few byte comparisons.
        if follow.is_none() && env.ident == Some("systemd") {
            if let Some((kind, unit)) = routine::quick_systemd(env.message) {
                self.candidates += 1;
                if let Some(p) = self.routine.pending(kind, host, Some(unit), None, line_no) {
                    self.routine_times.push((t, p));
                }
                return None;
            }
        }
        // cron's minute-by-minute sessions and non-backup jobs, the same way.
        if follow.is_none() {
            let quick = routine::quick_cron(env.ident, env.message, |c| ctx.rules.is_backup(c));
            if let Some((kind, user)) = quick {
                self.candidates += 1;
                if let Some(p) = self
                    .routine
                    .pending(kind, host, Some(user), env.pid, line_no)
                {
                    self.routine_times.push((t, p));
                }
                return None;
            }
        }
        let host = host.map(str::to_string);
        self.last = Some((t, host.clone()));
        let provisional = match t {
            RawTime::Final(ts) => ts,
            _ => Timestamp::from_utc_micros(0, 0),
        };
        let mut rec: Record = record_from(
            &env,
            provisional,
            Location::Line {
                path: ctx.path.clone(),
                line: line_no,
            },
        );
        rec.host = host.clone();
        let before = self.events.len();
        let next = match follow {
            Some(f) => ctx
                .rules
                .apply_follow(f, &rec, &mut self.events)
                .then_some(f),
            None => {
                self.candidates += 1;
                ctx.rules.apply(&rec, &mut self.events)
            }
        };
        let mut k = before;
        while k < self.events.len() {
            // The rules took the host from `rec` (interned once there).
            let ev = &self.events[k];
            if follow.is_none() && routine::routine_at_scan(ev) {
                let ev = self.events.remove(k);
                if let Some(p) = self.routine.push_event(&ev, line_no) {
                    self.routine_times.push((t, p));
                }
            } else {
                self.times.push(t);
                k += 1;
            }
        }
        next
    }

    /// Scan one buffer of whole lines. `line_base` is the number of lines before it in this
    /// piece (line numbers stay local to the piece until `finish`).
    pub fn scan(&mut self, ctx: &ScanCtx<'_>, buf: &[u8]) {
        self.bytes += buf.len() as u64;
        if buf.is_empty() {
            return;
        }
        let ac = ctx.rules.prefilter();
        let base = self.lines;
        if ctx.format == LineFormat::DmesgHuman {
            self.human.read(base, buf);
        }
        self.nul_lines += lines_with_nul(buf);
        // Line numbers are counted incrementally between hits: one pass over the buffer overall.
        let mut counted_to = 0usize;
        let mut line_no = base; // lines before `counted_to`
        let mut pos = 0usize;
        let mut next_sample = 0usize;
        let line_end = |from: usize| {
            memchr::memchr(b'\n', &buf[from..])
                .map(|i| from + i + 1)
                .unwrap_or(buf.len())
        };
        // The first line of the buffer is always sampled.
        let first_end = line_end(0);
        self.sample(ctx, &buf[..first_end]);
        next_sample += SAMPLE_EVERY;
        loop {
            next_sample = next_sample.max(pos);
            let hit = ac.find(buf, pos);
            let hit_start = hit.unwrap_or(buf.len());
            // Sample block-first lines that come before the hit, in file order.
            while next_sample < hit_start {
                let ls = match memchr::memchr(b'\n', &buf[next_sample..]) {
                    Some(i) => next_sample + i + 1,
                    None => buf.len(),
                };
                if ls >= hit_start || ls >= buf.len() {
                    break;
                }
                let le = line_end(ls);
                self.sample(ctx, &buf[ls..le]);
                next_sample = ls + SAMPLE_EVERY;
            }
            let Some(m) = hit else { break };
            let ls = memchr::memrchr(b'\n', &buf[..m])
                .map(|i| i + 1)
                .unwrap_or(0);
            let mut le = line_end(m);
            line_no += bytecount::count(&buf[counted_to..ls], b'\n') as u64;
            counted_to = ls;
            let mut ln = line_no + 1;
            let mut follow = self.candidate(ctx, &buf[ls..le], ln, None);
            // Block continuation lines (task tables) have no hint of their own. Another
            // process's line, or another host's, may be written between two rows: look a few
            // lines ahead for the next row before calling the table done.
            while let Some(f) = follow {
                let mut probe = le;
                let mut found = None;
                for gap in 0..=MAX_TABLE_GAP {
                    if probe >= buf.len() {
                        break;
                    }
                    let ne = line_end(probe);
                    if let Some(f2) = self.candidate(ctx, &buf[probe..ne], ln + 1 + gap, Some(f)) {
                        found = Some((gap, probe, ne, f2));
                        break;
                    }
                    probe = ne;
                }
                let Some((gap, row_start, row_end, f2)) = found else {
                    break;
                };
                if gap > 0 {
                    // The foreign lines come first, in file order; the row waits for them.
                    let row = (self.events.pop(), self.times.pop());
                    let mut at = le;
                    for k in 0..gap {
                        let end = line_end(at);
                        if ac.find(&buf[at..end], 0).is_some() {
                            // A foreign line that opens a block of its own is read as a line.
                            let _ = self.candidate(ctx, &buf[at..end], ln + 1 + k, None);
                        }
                        at = end;
                    }
                    debug_assert_eq!(at, row_start);
                    if let (Some(e), Some(t)) = row {
                        self.events.push(e);
                        self.times.push(t);
                    }
                }
                ln += 1 + gap;
                le = row_end;
                follow = Some(f2);
            }
            // `[ls, le)` holds whole lines `line_no + 1 ..= ln`, each ending in a newline but
            // perhaps the buffer's last: counted without a second look at the bytes.
            let ends_open = buf[le - 1] != b'\n';
            let read = ln - line_no - u64::from(ends_open);
            debug_assert_eq!(read, bytecount::count(&buf[counted_to..le], b'\n') as u64);
            line_no += read;
            counted_to = le;
            pos = le;
            if pos >= buf.len() {
                break;
            }
        }
        line_no += bytecount::count(&buf[counted_to..], b'\n') as u64;
        if buf.last() != Some(&b'\n') {
            line_no += 1;
        }
        self.lines = line_no;
        self.end_run();
        // The last line, for the time range and the year tracker.
        let trimmed = buf.strip_suffix(b"\n").unwrap_or(buf);
        let last_start = memchr::memrchr(b'\n', trimmed).map(|i| i + 1).unwrap_or(0);
        if last_start > 0 {
            self.sample(ctx, &buf[last_start..]);
        }
    }
}

/// How many foreign lines may stand between two rows of one task table.
pub(crate) const MAX_TABLE_GAP: u64 = 4;

/// How many lines of `buf` hold a NUL byte (one pass of memchr when there is none).
fn lines_with_nul(buf: &[u8]) -> u64 {
    let mut n = 0;
    let mut line_end = 0;
    for at in memchr::memchr_iter(0, buf) {
        if at >= line_end {
            n += 1;
            line_end = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i + 1);
        }
    }
    n
}

/// File-level facts needed to finish times.
pub struct FinishCtx<'a> {
    pub tz: &'a TzPolicy,
    pub year: Option<i32>,
    /// Newest possible time of the file's last line: gzip header mtime, else file mtime.
    pub not_after: Option<DateTime<Utc>>,
}

/// The stitched result of all pieces of one file.
#[derive(Default)]
pub struct FileScan {
    pub lines: u64,
    pub bytes: u64,
    pub candidates: u64,
    pub unparsed: u64,
    pub unparsed_samples: Vec<String>,
    pub overlong: u64,
    pub nul_lines: u64,
    /// Lines dated Feb 29 of a year without one (read as Feb 28).
    pub bad_dates: u64,
    pub events: Vec<Event>,
    /// Per event: its time was zone-less or year-less, so read under an assumption.
    pub assumed: Vec<bool>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub hosts: BTreeMap<String, u64>,
    pub year_policy: String,
    pub tz_policy: String,
    pub warnings: Vec<InputWarning>,
    /// Routine lines with file-level line numbers and settled times.
    pub routine: routine::Part,
    /// Zone-less lines were read as UTC because no `--tz` applied.
    pub zone_assumed: bool,
    /// Year-less lines were dated from the file's mtime (weak evidence: see `years`).
    pub year_from_mtime: bool,
}

/// What the pieces of a file say about its times, before any is resolved: each piece's
/// year offset in the file's frame, the base year, and what had to be estimated.
struct Frame {
    /// Per piece: its relative years shifted into the file's frame.
    offsets: Vec<i32>,
    /// Year of the file's first year-less line (from `--year` or the mtime).
    base: Option<i32>,
    base_tz: Option<chrono_tz::Tz>,
    any_yearless: bool,
    any_local: bool,
    max_uptime: Option<f64>,
    untimed: u64,
    aged: u64,
    /// `dmesg -H` clock in use.
    human: bool,
}

impl Frame {
    fn of(pieces: &[ChunkScan], fctx: &FinishCtx<'_>) -> Frame {
        // Global year tracker: each piece's relative years shifted to the file's frame.
        let mut global = YearTracker::default();
        let mut offsets = Vec::with_capacity(pieces.len());
        let (mut any_yearless, mut any_local) = (false, false);
        let mut max_uptime: Option<f64> = None;
        for p in pieces {
            let off = if global.last.is_none() {
                0
            } else {
                p.tracker.offset_after(&global)
            };
            offsets.push(off);
            if let Some((rel, m, d, t)) = p.tracker.first {
                any_yearless = true;
                if global.first.is_none() {
                    global.first = Some((rel + off, m, d, t));
                }
            }
            if let Some((rel, m, d, t)) = p.tracker.last {
                global.last = Some((rel + off, m, d, t));
            }
            if let Some(u) = p.max_uptime {
                max_uptime = Some(max_uptime.map_or(u, |m: f64| m.max(u)));
            }
            any_local |= p
                .times
                .iter()
                .chain(p.first.iter().map(|(t, _)| t))
                .chain(p.routine_times.iter().map(|(t, _)| t))
                .any(|t| matches!(t, RawTime::Local(_) | RawTime::YearLess { .. }));
        }
        let main_host = pieces
            .iter()
            .flat_map(|p| p.hosts.iter())
            .fold(BTreeMap::<&String, u64>::new(), |mut m, (h, n)| {
                *m.entry(h).or_default() += n;
                m
            })
            .into_iter()
            .max_by_key(|(h, n)| (*n, std::cmp::Reverse((*h).clone())))
            .map(|(h, _)| h.clone());
        let anchor = match (fctx.year, fctx.not_after) {
            (Some(y), _) => Some(YearAnchor::FirstLineYear(y)),
            (None, Some(t)) => Some(YearAnchor::NotAfter(t)),
            (None, None) => None,
        };
        let base_tz = fctx.tz.for_host(main_host.as_deref());
        Frame {
            offsets,
            base: anchor.map(|a| time::anchor_base_year(&global, a, base_tz)),
            base_tz,
            any_yearless,
            any_local,
            max_uptime,
            untimed: pieces.iter().map(|p| p.untimed).sum(),
            aged: pieces.iter().map(|p| p.aged).sum(),
            human: pieces.iter().any(|p| !p.human.at.is_empty()),
        }
    }

    /// The year and zone policy the report states for the file.
    fn policies(&self, fctx: &FinishCtx<'_>, out: &mut FileScan) {
        if self.any_yearless {
            out.year_policy = match (fctx.year, fctx.not_after) {
                (Some(y), _) => format!("--year {y} (year of the first line)"),
                (None, Some(t)) => {
                    out.year_from_mtime = true;
                    format!(
                        "newest line not after the file's mtime {}",
                        t.format("%Y-%m-%dT%H:%M:%SZ")
                    )
                }
                (None, None) => {
                    out.warnings.push(InputWarning::new(
                        K::NoYear,
                        "year-less lines and no mtime (stdin?): pass --year; read as 1970",
                    ));
                    "none: pass --year".into()
                }
            };
        }
        if self.any_local {
            out.tz_policy = match self.base_tz {
                Some(tz) => format!("{tz} (--tz)"),
                None => {
                    out.zone_assumed = true;
                    "UTC (assumed: pass --tz)".into()
                }
            };
        }
    }

    /// A raw time as a UTC instant in the file's frame. `bad` counts Feb 29s of common years.
    fn resolve(
        &self,
        fctx: &FinishCtx<'_>,
        t: RawTime,
        host: Option<&str>,
        off: i32,
        bad: &mut u64,
    ) -> Timestamp {
        let tz = fctx.tz.for_host(host);
        // Where times relative to the file's writing are placed: its mtime (the epoch for a
        // stream that has none, which the warnings say).
        let end = || fctx.not_after.map(|t| t.timestamp_micros()).unwrap_or(0);
        match t {
            RawTime::Final(ts) => ts,
            RawTime::Local(ndt) => time::resolve_local(ndt, tz),
            RawTime::YearLess {
                rel,
                month,
                day,
                time: tm,
            } => {
                let year = self.base.unwrap_or(1970) + rel + off;
                match time::with_year(year, month, day, tm) {
                    Some(ndt) => time::resolve_local(ndt, tz),
                    None => {
                        *bad += 1;
                        time::resolve_local(
                            time::with_year(year, month, day - 1, tm).unwrap_or_default(),
                            tz,
                        )
                    }
                }
            }
            // Raw dmesg has only boot-relative seconds: the newest line sits at the mtime.
            RawTime::Uptime(u) => Timestamp::from_utc_micros(
                end() - ((self.max_uptime.unwrap_or(u) - u) * 1e6).round() as i64,
                0,
            ),
            RawTime::Ago(secs) => Timestamp::from_utc_micros(end() - secs * 1_000_000, 0),
            // Every line at one instant: the log order (`merge::sort_in_log_order`) keeps them
            // in file order.
            RawTime::Unknown => Timestamp::from_utc_micros(end(), 0),
        }
    }

    /// What the reader must know about times that were estimated, and lines read oddly.
    fn warnings(&self, fctx: &FinishCtx<'_>, out: &mut FileScan) {
        let w = &mut out.warnings;
        let mut w = |k: K, m: String| w.push(InputWarning::new(k, m));
        if out.bad_dates > 0 {
            w(K::ImpossibleDate, format!("{} line(s) dated Feb 29 in a year without one: the year policy is off; pass --year", out.bad_dates));
        }
        let placed_at = match fctx.not_after {
            Some(t) => format!("the file's mtime ({})", t.format("%Y-%m-%d %H:%M:%S UTC")),
            None => "1970-01-01 (a stream has no mtime)".to_string(),
        };
        if self.max_uptime.is_some() {
            w(K::TimeEstimated, format!("dmesg without wall-clock times: times estimated by placing the last line at {placed_at}"));
        }
        if self.untimed > 0 {
            w(K::TimeUnknown, format!(
                "{} line(s) without a timestamp (kernel printk times off?): the time is unknown; they are kept in file order, all placed at {placed_at}",
                self.untimed
            ));
        }
        if self.aged > 0 {
            w(K::TimeEstimated, format!(
                "{} kubectl event(s) dated by their age, counted back from {placed_at}: minute precision at best, and only as right as the file's time is for when kubectl ran",
                self.aged
            ));
        }
        if self.human {
            w(K::TimeEstimated, "dmesg -H prints the minute only when it changes: times are that minute plus the seconds between lines".into());
        }
        if out.nul_lines > 0 {
            w(K::NulBytes, format!(
                "{} line(s) hold NUL bytes (what a crash leaves in a log): the text on either side of each NUL run was read as a line",
                out.nul_lines
            ));
        }
        if out.overlong > 0 {
            w(
                K::OverlongLines,
                format!(
                    "{} line(s) longer than {} MiB: only their first {} MiB were searched",
                    out.overlong,
                    crate::input::chunk::MAX_LINE >> 20,
                    crate::input::chunk::MAX_LINE >> 20
                ),
            );
        }
    }
}

/// How a time the line did not give was found, for the incident summary to repeat.
fn time_basis(t: &RawTime) -> Option<TimeBasis> {
    match t {
        RawTime::Unknown => Some(TimeBasis::NoTimestamp),
        RawTime::Ago(_) => Some(TimeBasis::KubectlAge),
        RawTime::Uptime(_) => Some(TimeBasis::DmesgUptime),
        _ => None,
    }
}

/// Stitch the pieces of one file (in file order) and resolve every time.
pub fn finish(path: &str, mut pieces: Vec<ChunkScan>, fctx: &FinishCtx<'_>) -> FileScan {
    let n_events: usize = pieces.iter().map(|p| p.events.len()).sum();
    // The first piece's vector becomes the file's; room for the rest at once.
    let rest = n_events - pieces.first().map_or(0, |p| p.events.len());
    let mut out = FileScan {
        year_policy: "n/a".into(),
        tz_policy: "n/a".into(),
        assumed: Vec::with_capacity(n_events),
        ..Default::default()
    };
    let frame = Frame::of(&pieces, fctx);
    frame.policies(fctx, &mut out);
    let mut bad_dates = 0u64;
    let mut line_base = 0u64;
    let offsets = frame.offsets.clone();
    // Routine lines' times, settled piece by piece in parallel: a busy file keeps ~350 k a GiB,
    // and this runs after the scan, while nothing else does. Each piece's vector of unsettled
    // times becomes its settled one in place (a settled line is smaller), so a busy file's kept
    // lines never exist twice.
    let settled: Vec<(Vec<routine::RoutineLine>, u64)> = {
        use rayon::prelude::*;
        pieces
            .par_iter_mut()
            .zip(offsets.par_iter())
            .map(|(p, &off)| {
                let names = &p.routine.names;
                let mut bad = 0;
                let lines = std::mem::take(&mut p.routine_times)
                    .into_iter()
                    .map(|(t, line)| {
                        let host = names.get(line.host);
                        let ts = frame.resolve(fctx, t, host.as_deref(), off, &mut bad);
                        routine::settle(line, ts)
                    })
                    .collect();
                (lines, bad)
            })
            .collect()
    };
    for ((mut p, off), (settled, bad)) in pieces.into_iter().zip(offsets).zip(settled) {
        bad_dates += bad;
        for (ev, t) in p.events.iter_mut().zip(p.times) {
            let host = (!ev.host.is_empty()).then_some(&*ev.host);
            ev.time = frame.resolve(fctx, t, host, off, &mut bad_dates);
            out.assumed.push(!matches!(t, RawTime::Final(_)));
            if let Some(b) = time_basis(&t) {
                ev.attrs
                    .insert("time_basis", serde_json::Value::from(b.as_str()));
            }
            for s in &mut ev.sources {
                if let Location::Line { line, path: sp } = s {
                    if **sp == *path {
                        *line += line_base;
                    }
                }
            }
        }
        // Events move, never copied one by one: a whole stream's vector is taken as it is.
        if out.events.is_empty() {
            out.events = std::mem::take(&mut p.events);
            out.events.reserve_exact(rest);
        } else {
            out.events.append(&mut p.events);
        }
        // Routine lines (settled above), added with file line numbers.
        let mut part = p.routine;
        if part.lines.is_empty() {
            part.lines = settled;
        } else {
            part.lines.extend(settled);
        }
        // No room reserved for the later pieces' lines: their unsettled times are still alive,
        // and both at once were most of a 4 GiB file's peak. The vector grows in place (large
        // blocks are remapped, not copied) as each piece's times are freed.
        out.routine.absorb(part, 0, line_base);
        // The first and last lines are lines counted already (as events or routine) or not
        // lines that matter: their dates are not counted again.
        let mut again = 0;
        if let Some((t, h)) = p.first {
            let ts = frame.resolve(fctx, t, h.as_deref(), off, &mut again);
            out.first = Some(out.first.map_or(ts, |f: Timestamp| f.min(ts)));
        }
        if let Some((t, h)) = p.last {
            let ts = frame.resolve(fctx, t, h.as_deref(), off, &mut again);
            out.last = Some(out.last.map_or(ts, |l: Timestamp| l.max(ts)));
        }
        for (l, s) in p.unparsed_samples {
            if out.unparsed_samples.len() < 5 {
                out.unparsed_samples
                    .push(format!("{path}:{}: {s}", l + line_base));
            }
        }
        line_base += p.lines;
        out.lines += p.lines;
        out.bytes += p.bytes;
        out.candidates += p.candidates;
        out.unparsed += p.unparsed;
        out.overlong += p.overlong;
        out.nul_lines += p.nul_lines;
        for (h, n) in p.hosts {
            *out.hosts.entry(h).or_default() += n;
        }
    }
    // Growth by doubling leaves up to half of each vector unused, for the whole run: an
    // evidence-dense file is all events. Large blocks shrink in place (mremap), without a copy.
    out.events.shrink_to_fit();
    out.routine.lines.shrink_to_fit();
    // The range also covers the events: excerpts and merged files are not always in order.
    for e in &out.events {
        out.first = Some(out.first.map_or(e.time, |f: Timestamp| f.min(e.time)));
        out.last = Some(out.last.map_or(e.time, |l: Timestamp| l.max(e.time)));
    }
    out.bad_dates = bad_dates;
    frame.warnings(fctx, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use crate::events::routine::{quick_systemd, routine_at_scan};
    use crate::rules::RuleSet;

    /// The scanner's fast path must classify exactly as the rules plus `routine_at_scan` do.
    #[test]
    fn fast_path_agrees_with_the_rules() {
        let rules = RuleSet::load(&[], &[]).unwrap();
        let lines = [
            "Started session-4711.scope - Session 4711 of User root.",
            "session-4711.scope: Deactivated successfully.",
            "session-4711.scope: Consumed 1.204s CPU time.",
            "session-9.scope: Consumed 1min 2.5s CPU time, 12.3M memory peak, 0B memory swap peak.",
            "Starting user@1000.service - User Manager for UID 1000...",
            "Started user@1000.service - User Manager for UID 1000.",
            "Stopping user@1000.service - User Manager for UID 1000...",
            "Stopped user@1000.service - User Manager for UID 1000.",
            "user@1000.service: Deactivated successfully.",
            "Starting user-runtime-dir@1000.service - User Runtime Directory /run/user/1000...",
            "Finished user-runtime-dir@1000.service - User Runtime Directory /run/user/1000.",
            "run-user-1000.mount: Deactivated successfully.",
            "user-1000.slice: Consumed 2.345s CPU time.",
            "session-3.scope: Succeeded.",
            // Not routine by name: the fast path must leave them to the rules.
            "Starting sysstat-collect.service - system activity accounting tool...",
            "sysstat-collect.service: Deactivated successfully.",
            "Started supervisor.service - Supervisor process control system for UNIX.",
            "supervisor.service: Consumed 2h 3min 4.5s CPU time.",
            "session-4711.scope: Failed with result 'oom-kill'.",
            "session-7.scope: A process of this unit has been killed by the OOM killer.",
            "Started Session 12 of user root.",
        ];
        for msg in lines {
            let line = format!("Sep 27 10:00:01 web1 systemd[1]: {msg}");
            let rec = crate::parse::parse_line_for_sample(&line).unwrap();
            let mut evs = Vec::new();
            rules.apply(&rec, &mut evs);
            let by_rules = evs
                .first()
                .filter(|e| routine_at_scan(e))
                .map(|e| (e.kind, e.unit.as_deref().unwrap_or_default().to_string()));
            let fast = quick_systemd(msg).map(|(k, u)| (k, u.to_string()));
            match (&fast, &by_rules) {
                (Some(f), Some(r)) => assert_eq!(f, r, "{msg}"),
                // The fast path may leave routine lines to the rules (older wordings), never
                // the other way round.
                (None, _) => {}
                (Some(_), None) => panic!("fast path calls routine what the rules do not: {msg}"),
            }
            let routine_by_name = !msg.contains("sysstat")
                && !msg.contains("supervisor")
                && !msg.contains("Failed")
                && !msg.contains("OOM");
            assert_eq!(
                by_rules.is_some(),
                routine_by_name,
                "{msg}: {:?}",
                evs.first().map(|e| (e.kind, &e.unit))
            );
            if routine_by_name && !msg.starts_with("Started Session") {
                assert!(fast.is_some(), "fast path misses {msg}");
            }
        }
    }

    /// cron's fast path gives what the rules give (kind, user, pid) for routine cron lines, and
    /// leaves every backup CMD and odd wording to the rules.
    #[test]
    fn cron_fast_path_agrees_with_the_rules() {
        use crate::events::routine::quick_cron;
        let rules = RuleSet::load(&[], &[]).unwrap();
        let lines = [
            ("CRON[1340576]", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"),
            ("CRON[1573]", "pam_unix(cron:session): session opened for user root by (uid=0)"),
            ("CRON[1340576]", "pam_unix(cron:session): session closed for user root"),
            ("crond[4655]", "pam_unix(crond:session): session opened for user root(uid=0) by root(uid=0)"),
            ("CROND[4655]", "pam_unix(crond:session): session closed for user root"),
            ("CRON[26901]", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"),
            ("CRON[26902]", "(root) CMD ([26902] /usr/local/bin/healthcheck.sh --quiet)"),
            ("CROND[4656]", "(root) CMD (run-parts /etc/cron.hourly)"),
            ("/USR/SBIN/CRON[6411]", "(akudewan) CMD (/usr/local/bin/keeponline.sh 1> /dev/null)"),
            // Backups, and lines the rules read differently or not at all: not the fast path's.
            ("CRON[4954]", "(will) CMD (bash Scripts/bukkit_backup.sh)"),
            ("CRON[4955]", "(frappe) CMD ([4955] cd /home/frappe/frappe-bench && bench --site all backup --with-files)"),
            ("CROND[77]", "(root) CMD (/usr/local/bin/db-backup.sh)"),
            ("CRON[1]", "(root) CMDEND (x)"),
            ("CRON[1]", "(ro)ot) CMD (x)"),
            ("sshd[9]", "(root) CMD (x)"),
            ("CRON[1]", "pam_unix(cron:session): session closed for user root extra"),
        ];
        for (tag, msg) in lines {
            let line = format!("Sep 27 10:00:01 web1 {tag}: {msg}");
            let rec = crate::parse::parse_line_for_sample(&line).unwrap();
            let mut evs = Vec::new();
            rules.apply(&rec, &mut evs);
            let by_rules = evs
                .first()
                .filter(|e| routine_at_scan(e))
                .map(|e| (e.kind, e.user().unwrap_or("").to_string(), e.pid));
            let fast = quick_cron(rec.ident.as_deref(), msg, |c| rules.is_backup(c))
                .map(|(k, u)| (k, u.to_string(), rec.pid));
            assert_eq!(fast, by_rules, "{tag}: {msg}");
        }
        // The routine ones are all taken by the fast path.
        let taken = lines
            .iter()
            .filter(|(t, m)| {
                let ident = t.split('[').next();
                quick_cron(ident, m, |c| rules.is_backup(c)).is_some()
            })
            .count();
        assert_eq!(taken, 9);
    }
}
