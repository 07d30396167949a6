//! The pipeline: discover → sniff → scan (in parallel) → merge+dedup → assemble → correlate.
//!
//! Work is split into units that rayon runs in any order: a whole stream (gzip, stdin, small
//! files, journals) or a byte range of a big plain file. Units are collected in input order and
//! stitched per file, so the result is byte-identical at any `--threads`. Only events travel
//! past the scan; memory is bounded by events, not by input size.

mod archives;
mod hosts;
mod merge;
pub mod scan;
mod years;

use crate::config::Config;
use crate::events::routine::{self, RoutineIndex};
use crate::events::Event;
use crate::input::{self, chunk, Kind, Source};
use crate::model::{Error, Result};
use crate::parse::LineFormat;
use crate::report::{
    InputSummary, InputWarning, InputWarningKind, Report, Stats, Warning, WarningKind,
};
use crate::rules::RuleSet;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use scan::{ChunkScan, FinishCtx, ScanCtx};
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Plain files bigger than this are split into ranges scanned in parallel.
const SPLIT_ABOVE: u64 = 32 * 1024 * 1024;
/// Target size of one range.
const RANGE: u64 = 16 * 1024 * 1024;

/// Events and accounting, before correlation: what `logautopsy events` and `extract` need.
pub struct Extraction {
    pub events: Vec<Event>,
    pub inputs: Vec<InputSummary>,
    pub warnings: Vec<Warning>,
    pub stats: Stats,
    /// Per-input problems; any makes the run exit with 2.
    pub errors: Vec<Error>,
}

/// A finished analysis.
pub struct Analysis {
    pub report: Report,
    pub errors: Vec<Error>,
}

/// Progress callback: bytes of input done.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// What sniffing learned about one source.
struct Prepared {
    src: Source,
    kind: Kind,
    compression: input::Compression,
    file_bytes: u64,
    not_after: Option<DateTime<Utc>>,
    host: Option<String>,
    /// A stream that cannot be opened twice (stdin, a pipe, a FIFO, a process substitution):
    /// the stream opened for sniffing is kept and read from where sniffing left it.
    kept: Option<Mutex<Option<input::Opened>>>,
    /// Lines end with CR alone (read as LF by the opened stream, so never split in ranges).
    cr_only: bool,
    /// Where in its archive a member is (`Source::Member`).
    member: Option<archives::MemberOf>,
}

enum Unit {
    Stream(usize),
    Range(usize, u64, u64),
    /// The members of one archive, read in one pass in entry order.
    Archive(Vec<usize>),
}

// One value per scanned unit (a file or a 16 MiB range): variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum UnitOut {
    Text(ChunkScan, Option<String>),
    Journal(
        std::result::Result<(input::journal::JournalSummary, Vec<Event>, routine::Part), Error>,
    ),
    Events(std::result::Result<Vec<Event>, Error>),
    Failed(Error),
}

/// Run the whole analysis.
pub fn analyze(cfg: &Config, progress: Option<Progress<'_>>) -> Result<Analysis> {
    let rules = RuleSet::load(&cfg.pattern_dirs, &cfg.backup_match)?;
    let ex = extract(cfg, &rules, progress);
    let opts = crate::correlate::CorrelateOptions {
        backup_slack_s: cfg.backup_slack_s,
        ..Default::default()
    };
    let mut found = crate::correlate::correlate(ex.events, &ex.stats.routine, &opts);
    restrict(&mut found, cfg.since, cfg.until);
    Ok(Analysis {
        report: found.into_report(ex.inputs, ex.warnings, ex.stats),
        errors: ex.errors,
    })
}

fn in_range(t: i64, since: Option<i64>, until: Option<i64>) -> bool {
    since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u)
}

/// `--since/--until` for event listings: the events inside the range.
pub fn restrict_events(events: &mut Vec<Event>, since: Option<i64>, until: Option<i64>) {
    events.retain(|e| in_range(e.time.micros, since, until));
}

/// `--since/--until` for a report: the range chooses which incidents and backup windows are
/// reported (those overlapping it), not the evidence they were built from — a backup that began
/// before `--since` still explains an incident inside it. Events are kept when inside the range
/// or cited by a kept incident or window. Runs before the report is assembled, so host
/// summaries count what is kept.
pub fn restrict(found: &mut crate::correlate::Findings, since: Option<i64>, until: Option<i64>) {
    if since.is_none() && until.is_none() {
        return;
    }
    found.range = (since, until);
    let overlaps = |a: i64, b: i64| since.is_none_or(|s| b >= s) && until.is_none_or(|u| a < u);
    found
        .incidents
        .retain(|i| overlaps(i.start.micros, i.end.micros));
    found
        .backup_windows
        .retain(|w| overlaps(w.start.micros, w.end.map_or(w.start.micros, |e| e.micros)));
    let mut cited: std::collections::HashSet<crate::events::EventId> =
        std::collections::HashSet::new();
    for i in &found.incidents {
        cited.extend(i.evidence.iter().copied());
        cited.extend(i.chain.iter().map(|c| c.event));
    }
    for w in &found.backup_windows {
        cited.extend(w.events.iter().copied());
    }
    found
        .events
        .retain(|e| in_range(e.time.micros, since, until) || cited.contains(&e.id));
}

/// Read every input and extract its events.
pub fn extract(cfg: &Config, rules: &RuleSet, progress: Option<Progress<'_>>) -> Extraction {
    let (sources, mut errors) = input::discover(&cfg.inputs);
    let mut warnings = Vec::new();

    // Sniff everything first (cheap: the first 64 KiB), so host-less files can borrow the host
    // of their copied tree before they are scanned.
    let sniffed: Vec<std::result::Result<Prepared, Error>> = sources
        .into_par_iter()
        .map(|s| prepare(s, cfg.max_expand))
        .collect();
    let mut prepared = Vec::new();
    for s in sniffed {
        match s {
            Ok(p) => prepared.push(p),
            Err(e) => errors.push(e),
        }
    }
    let mut kept = Vec::new();
    for p in prepared {
        let explicit = matches!(p.src, Source::Stdin | Source::File { explicit: true, .. });
        match &p.kind {
            Kind::Empty => {
                let msg = "empty input: nothing to read";
                if explicit {
                    errors.push(Error::Input {
                        path: p.src.display().into(),
                        msg: msg.into(),
                    });
                } else {
                    warnings.push(Warning::new(
                        WarningKind::EmptyInput,
                        Some(&p.src.display()),
                        msg,
                    ));
                }
            }
            Kind::Unsupported(why) => {
                let msg = format!("skipped, {why}");
                if explicit {
                    errors.push(Error::Input {
                        path: p.src.display().into(),
                        msg,
                    });
                } else {
                    warnings.push(Warning::new(
                        WarningKind::Skipped,
                        Some(&p.src.display()),
                        msg,
                    ));
                }
            }
            // `extract` writes incidents and backup windows beside the events; analysis
            // recomputes them from the events, so those tables are not inputs.
            Kind::Parquet if is_derived_table(&p.src) => {}
            _ => kept.push(p),
        }
    }
    let prepared = archives::expand(kept, cfg.max_expand, &mut warnings, &mut errors);
    let assigned = hosts::assign(
        &prepared
            .iter()
            .map(|p| (p.src.clone(), p.host.clone(), needs_host(&p.kind)))
            .collect::<Vec<_>>(),
        cfg.host.as_deref(),
    );
    for (p, w) in prepared.iter().zip(&assigned) {
        if let Some(w) = &w.1 {
            warnings.push(Warning::new(
                WarningKind::HostAssigned,
                Some(&p.src.display()),
                w.as_str(),
            ));
        }
    }

    let mut units = Vec::new();
    let mut archive_units: Vec<(Arc<std::path::PathBuf>, Vec<usize>)> = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        if let Some(m) = &p.member {
            match archive_units.last_mut() {
                Some((a, v)) if Arc::ptr_eq(a, &m.archive) => v.push(i),
                _ => archive_units.push((m.archive.clone(), vec![i])),
            }
            continue;
        }
        match (&p.kind, &p.src, p.compression) {
            // `dmesg -H` lines are timed by the lines above them: never split.
            (Kind::Text(f), Source::File { .. }, input::Compression::None)
                if p.file_bytes > SPLIT_ABOVE
                    && p.kept.is_none()
                    && !p.cr_only
                    && *f != LineFormat::DmesgHuman =>
            {
                let n = p.file_bytes.div_ceil(RANGE);
                for k in 0..n {
                    units.push(Unit::Range(
                        i,
                        p.file_bytes * k / n,
                        p.file_bytes * (k + 1) / n,
                    ));
                }
            }
            _ => units.push(Unit::Stream(i)),
        }
    }
    units.extend(archive_units.into_iter().map(|(_, v)| Unit::Archive(v)));
    let outs: Vec<(usize, UnitOut)> = units
        .into_par_iter()
        .flat_map_iter(|u| run_unit(u, &prepared, &assigned, cfg, rules, progress))
        .collect();

    // Stitch per input, in input order.
    let mut per_input: Vec<Vec<UnitOut>> = (0..prepared.len()).map(|_| Vec::new()).collect();
    for (i, o) in outs {
        per_input[i].push(o);
    }
    let mut got = Gathered {
        errors,
        ..Default::default()
    };
    for (p, outs) in prepared.iter().zip(per_input) {
        got.add(p, outs, cfg);
    }
    got.settle(cfg, warnings)
}

/// Everything the inputs gave, in input order, before years, merge and routine selection.
#[derive(Default)]
struct Gathered {
    inputs: Vec<InputSummary>,
    /// Every input's events in one vector (moved, not copied).
    events: Vec<Event>,
    /// Per event: its time was read under an assumed zone or year.
    assumed: Vec<bool>,
    stats: Stats,
    /// Inputs whose zone-less times were read as UTC.
    assumed_utc: Vec<String>,
    soft_years: Vec<years::Soft>,
    index: RoutineIndex,
    errors: Vec<Error>,
    /// Run-level warnings found while stitching inputs.
    warnings: Vec<Warning>,
}

impl Gathered {
    /// Stitch one input's scanned units: its summary, events and routine lines.
    fn add(&mut self, p: &Prepared, outs: Vec<UnitOut>, cfg: &Config) {
        let display = p.src.display();
        let mut summary = InputSummary {
            path: display.clone(),
            format: p.kind.name().to_string(),
            file_bytes: p.file_bytes,
            compression: p.compression.name().map(String::from),
            year_policy: "n/a".into(),
            tz_policy: "n/a".into(),
            ..Default::default()
        };
        if p.cr_only {
            summary
                .warnings
                .push(InputWarning::new(InputWarningKind::LineEndings, "lines end with CR alone (classic Mac OS or a serial console capture): each CR read as a line break"));
        }
        let mut text_pieces = Vec::new();
        for o in outs {
            match o {
                UnitOut::Text(scan, err) => {
                    text_pieces.push(scan);
                    if let Some(e) = err {
                        self.errors.push(Error::Input {
                            path: display.clone().into(),
                            msg: e.clone(),
                        });
                        summary
                            .warnings
                            .push(InputWarning::new(InputWarningKind::PartialRead, e));
                    }
                }
                UnitOut::Journal(Ok((js, evs, part))) => {
                    self.add_journal(&display, &mut summary, js, evs, part)
                }
                UnitOut::Journal(Err(e)) | UnitOut::Events(Err(e)) | UnitOut::Failed(e) => {
                    summary.warnings.push(InputWarning::new(
                        InputWarningKind::Unreadable,
                        e.to_string(),
                    ));
                    self.errors.push(e);
                }
                UnitOut::Events(Ok(evs)) => {
                    summary.records = evs.len() as u64;
                    summary.first = evs.iter().map(|e| e.time).min();
                    summary.last = evs.iter().map(|e| e.time).max();
                    gather(&mut self.events, &mut self.assumed, evs, None);
                }
            }
        }
        if !text_pieces.is_empty() {
            self.add_text(p, &display, &mut summary, text_pieces, cfg);
        }
        if let Some(msg) = shrank(p) {
            summary.warnings.push(InputWarning::new(
                InputWarningKind::PartialRead,
                msg.clone(),
            ));
            self.errors.push(Error::Input {
                path: display.clone().into(),
                msg,
            });
        }
        self.stats.bytes += summary.bytes;
        self.stats.lines += summary.lines;
        self.stats.records += summary.records;
        self.stats.unparsed += summary.unparsed;
        self.stats.candidates += summary.candidates;
        self.inputs.push(summary);
    }

    /// A journal input (binary, export or JSON): its accounting, its events and its routine
    /// lines; a journal with entries it could not read is a partial read (exit 2).
    fn add_journal(
        &mut self,
        display: &str,
        summary: &mut InputSummary,
        js: input::journal::JournalSummary,
        evs: Vec<Event>,
        part: routine::Part,
    ) {
        summary.format = js.format.to_string();
        summary.bytes = js.bytes;
        summary.lines = js.entries;
        summary.records = js.entries;
        summary.unparsed = js.unreadable;
        summary.journal_state = js.state.clone();
        if js.compression.is_some() {
            summary.compression = js.compression.clone();
        }
        summary.warnings.extend(
            js.warnings
                .iter()
                .map(|w| InputWarning::new(InputWarningKind::Journal, w.clone())),
        );
        // A binary journal with entries it counts but could not read was read in
        // part: said like a truncated gzip (stderr, exit 2), not only in -v.
        if js.format == "journal" && js.unreadable > 0 {
            self.errors.push(Error::Input {
                path: display.into(),
                msg: format!(
                    "journal read in part: {} of {} entries could not be read ({})",
                    js.unreadable,
                    js.entries + js.unreadable,
                    js.warnings.join("; ")
                ),
            });
        }
        summary.first = evs.iter().map(|e| e.time).min();
        summary.last = evs.iter().map(|e| e.time).max();
        // Hosts and range cover the routine lines too: a journal of nothing but
        // sessions and timers still names its host and its time span.
        let mut hs: Vec<String> = evs
            .iter()
            .map(|e| e.host.to_string())
            .chain(part.hosts().map(|h| h.into_owned()))
            .filter(|h| !h.is_empty())
            .collect();
        hs.sort();
        hs.dedup();
        summary.host = hs.first().cloned();
        summary.hosts_seen = hs;
        summary.candidates = evs.len() as u64 + part.counts.values().sum::<u64>();
        if let Some((f, l)) = part.range {
            summary.first = Some(summary.first.map_or(f, |x| x.min(f)));
            summary.last = Some(summary.last.map_or(l, |x| x.max(l)));
        }
        self.index
            .absorb(self.inputs.len(), Arc::from(display), true, part);
        gather(&mut self.events, &mut self.assumed, evs, None);
    }

    /// A text input's pieces, stitched (`scan::finish`): accounting, events, routine lines,
    /// and whether its years rest on the mtime alone.
    fn add_text(
        &mut self,
        p: &Prepared,
        display: &str,
        summary: &mut InputSummary,
        text_pieces: Vec<ChunkScan>,
        cfg: &Config,
    ) {
        let fctx = FinishCtx {
            tz: &cfg.tz,
            year: cfg.year,
            not_after: p.not_after,
        };
        let fs = scan::finish(display, text_pieces, &fctx);
        summary.bytes = fs.bytes;
        summary.lines = fs.lines;
        summary.records = fs.lines;
        summary.unparsed = fs.unparsed;
        summary.candidates = fs.candidates;
        summary.first = fs.first;
        summary.last = fs.last;
        summary.year_policy = fs.year_policy;
        summary.tz_policy = fs.tz_policy.clone();
        summary.unparsed_samples = fs.unparsed_samples;
        if fs.bad_dates > 0 {
            // Shown on stderr too: a wrong year moves every time in the file.
            self.warnings.push(Warning::new(
                WarningKind::ImpossibleDate,
                Some(display),
                format!(
                    "{} line(s) dated Feb 29, which the year {} does not have (read as Feb 28): pass --year",
                    fs.bad_dates,
                    fs.first.map_or("chosen".to_string(), |t| t.utc().format("%Y").to_string())
                ),
            ));
        }
        summary.warnings.extend(fs.warnings);
        let mut hs: Vec<(String, u64)> = fs.hosts.into_iter().collect();
        hs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        summary.host = hs.first().map(|h| h.0.clone());
        summary.hosts_seen = hs.into_iter().map(|h| h.0).collect();
        summary.hosts_seen.sort();
        if fs.zone_assumed {
            self.assumed_utc.push(display.to_string());
        }
        let from = self.events.len();
        gather(
            &mut self.events,
            &mut self.assumed,
            fs.events,
            Some(fs.assumed),
        );
        self.index
            .absorb(self.inputs.len(), Arc::from(display), false, fs.routine);
        // A plain file's mtime is the weakest year evidence (copies made without -p reset it).
        if cfg.year.is_none()
            && p.compression == input::Compression::None
            && p.member.is_none()
            && fs.year_from_mtime
        {
            self.soft_years.push(years::Soft {
                input: self.inputs.len(),
                events: from..self.events.len(),
            });
        }
    }

    /// Settle years, merge copies, assemble OOM reports, split evidence from routine, number
    /// the events.
    fn settle(self, cfg: &Config, mut warnings: Vec<Warning>) -> Extraction {
        let Gathered {
            mut inputs,
            events: mut all,
            assumed,
            mut stats,
            assumed_utc,
            soft_years,
            mut index,
            errors,
            warnings: found,
        } = self;
        warnings.extend(found);
        if !assumed_utc.is_empty() {
            warnings.push(Warning::new(
                WarningKind::ZoneAssumed,
                None,
                format!(
                    "zone-less times read as UTC (pass --tz ZONE or --tz HOST=ZONE if the servers ran in another zone) in: {}",
                    some_of(&assumed_utc)
                ),
            ));
        }
        years::reconcile(
            &mut all,
            &mut inputs,
            &soft_years,
            &cfg.tz,
            &mut warnings,
            &mut index,
        );
        for e in all.iter_mut() {
            if e.host.is_empty() {
                e.host = "unknown".into();
            }
        }
        let mut events = all;
        let merged = merge::merge(&mut events, &assumed, &mut warnings);
        drop(assumed);
        stats.merged_duplicates = merged;
        crate::events::assemble::assemble(&mut events);
        // Evidence versus routine (events::routine): unreferenced lifecycle leaves the events,
        // routine lines that evidence needs come back as events.
        let promoted = routine::select(&mut events, &mut index);
        if !promoted.is_empty() {
            let mut promoted = promoted;
            let no = vec![false; promoted.len()];
            stats.merged_duplicates += merge::merge(&mut promoted, &no, &mut warnings);
            events.extend(promoted);
            merge::sort_in_log_order(&mut events);
        }
        routine::mark_restarts(&mut events);
        stats.routine_lines = index.total();
        stats.routine = index.counts();
        drop(index);
        for (i, e) in events.iter_mut().enumerate() {
            e.id = crate::events::EventId(i as u32 + 1);
        }
        stats.events = events.len();
        Extraction {
            events,
            inputs,
            warnings,
            stats,
            errors,
        }
    }
}

/// A list of paths for a one-line warning: all of a few, else the first few and how many more
/// (50 000 inputs made a 1.5 MB line). Each input's own policy stays in `inputs[]`.
fn some_of(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    if paths.len() <= SHOWN {
        return paths.join(", ");
    }
    format!(
        "{}, … and {} more ({} in all; each input's zone is in the JSON report and -v)",
        paths[..SHOWN].join(", "),
        paths.len() - SHOWN,
        paths.len()
    )
}

/// A plain file that is shorter now than when it was opened was cut while it was read (a
/// `copytruncate` rotation, a copy still being written over): what lay past the cut was lost.
fn shrank(p: &Prepared) -> Option<String> {
    let Source::File { path, .. } = &p.src else {
        return None;
    };
    if p.kept.is_some() || p.compression != input::Compression::None {
        return None;
    }
    let now = std::fs::metadata(path).ok()?.len();
    (now < p.file_bytes).then(|| {
        format!(
            "the file shrank from {} to {now} bytes while it was read (rotated with copytruncate?): the lines past the cut were not read",
            p.file_bytes
        )
    })
}

/// Add one input's events to everyone's: the first input's vector is taken as it is.
fn gather(
    all: &mut Vec<Event>,
    assumed: &mut Vec<bool>,
    mut evs: Vec<Event>,
    a: Option<Vec<bool>>,
) {
    assumed.extend(a.unwrap_or_else(|| vec![false; evs.len()]));
    if all.is_empty() {
        *all = evs;
    } else {
        all.append(&mut evs);
    }
}

fn is_derived_table(src: &Source) -> bool {
    match src {
        Source::File { path, .. } => path
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("incidents" | "backup_windows"))),
        Source::Stdin | Source::Member { .. } => false,
    }
}

/// Text inputs may have lines without a host; journals and event tables carry one per entry.
fn needs_host(kind: &Kind) -> bool {
    matches!(kind, Kind::Text(_))
}

fn prepare(src: Source, max_expand: u64) -> std::result::Result<Prepared, Error> {
    let opened = input::open(&src, max_expand)?;
    let host = match &opened.kind {
        Kind::Text(f) => input::sniff::head_host(&opened.head, *f),
        _ => None,
    };
    let not_after = opened.gzip_mtime.or(opened.mtime);
    // Only a regular file can be opened again at its start; anything else is read once.
    let once = match &src {
        Source::Stdin => true,
        Source::File { path, .. } => !std::fs::metadata(path).is_ok_and(|m| m.is_file()),
        Source::Member { .. } => false,
    };
    Ok(Prepared {
        kind: opened.kind.clone(),
        compression: opened.compression,
        cr_only: opened.cr_only,
        file_bytes: opened.file_bytes,
        not_after,
        host,
        kept: once.then(|| Mutex::new(Some(opened))),
        member: None,
        src,
    })
}

/// What the scanner needs to know about input `i`.
fn scan_ctx<'a>(
    i: usize,
    prepared: &[Prepared],
    assigned: &[(Option<String>, Option<String>)],
    cfg: &Config,
    rules: &'a RuleSet,
) -> ScanCtx<'a> {
    let p = &prepared[i];
    ScanCtx {
        rules,
        path: Arc::from(p.src.display()),
        format: match p.kind {
            Kind::Text(f) => f,
            _ => LineFormat::Rfc3164,
        },
        host: assigned[i].0.clone(),
        force_host: cfg.host.is_some(),
        max_samples: cfg.unparsed_samples,
    }
}

fn run_unit(
    u: Unit,
    prepared: &[Prepared],
    assigned: &[(Option<String>, Option<String>)],
    cfg: &Config,
    rules: &RuleSet,
    progress: Option<Progress<'_>>,
) -> Vec<(usize, UnitOut)> {
    let i = match u {
        Unit::Stream(i) | Unit::Range(i, ..) => i,
        Unit::Archive(members) => {
            return archives::run(&members, prepared, cfg, &|i, reader| {
                let ctx = scan_ctx(i, prepared, assigned, cfg, rules);
                stream_unit(reader, &prepared[i], &ctx, rules, progress)
            });
        }
    };
    let p = &prepared[i];
    let ctx = scan_ctx(i, prepared, assigned, cfg, rules);
    let out = match u {
        Unit::Range(_, s, e) => {
            let Source::File { path: fp, .. } = &p.src else {
                unreachable!("ranges are only made for files")
            };
            match chunk::range_chunker(fp, s, e) {
                Ok(mut c) => {
                    let mut scan = ChunkScan::new();
                    while let Some(buf) = c.next_chunk() {
                        scan.scan(&ctx, buf);
                        if let Some(pr) = progress {
                            pr(buf.len() as u64);
                        }
                    }
                    scan.overlong = c.overlong;
                    UnitOut::Text(scan, c.error.map(|e| format!("read error: {e}")))
                }
                Err(e) => UnitOut::Failed(Error::io(fp, e)),
            }
        }
        Unit::Stream(_) => {
            let opened = match &p.kept {
                Some(m) => m
                    .lock()
                    .ok()
                    .and_then(|mut g| g.take())
                    .ok_or_else(|| Error::Input {
                        path: p.src.display().into(),
                        msg: "a stream named twice is read once".into(),
                    }),
                None => input::open(&p.src, cfg.max_expand),
            };
            match opened {
                Err(e) => UnitOut::Failed(e),
                Ok(o) => stream_unit(o.reader, p, &ctx, rules, progress),
            }
        }
        Unit::Archive(_) => unreachable!("handled above"),
    };
    vec![(i, out)]
}

fn stream_unit(
    mut reader: Box<dyn Read + '_>,
    p: &Prepared,
    ctx: &ScanCtx<'_>,
    rules: &RuleSet,
    progress: Option<Progress<'_>>,
) -> UnitOut {
    let path = ctx.path.clone();
    match &p.kind {
        Kind::Text(_) => {
            let mut c = chunk::LineChunker::new(reader);
            let mut scan = ChunkScan::new();
            while let Some(buf) = c.next_chunk() {
                scan.scan(ctx, buf);
                if p.compression == input::Compression::None {
                    if let Some(pr) = progress {
                        pr(buf.len() as u64);
                    }
                }
            }
            if p.compression != input::Compression::None {
                if let Some(pr) = progress {
                    pr(p.file_bytes);
                }
            }
            scan.overlong = c.overlong;
            let err = c.error.map(|e| {
                let bomb = e.to_string().contains("--max-expand");
                let what = match p.compression.name() {
                    Some(c) if bomb => format!("{c} stream"),
                    Some(c) => format!("truncated or corrupt {c} stream"),
                    None => "read error".to_string(),
                };
                format!(
                    "{what} after {} bytes (line {}): {e}; kept the {} lines read before it",
                    scan.bytes,
                    scan.lines + 1,
                    scan.lines
                )
            });
            UnitOut::Text(scan, err)
        }
        Kind::Journal | Kind::JournalExport | Kind::JournalJson => {
            let mut events = Vec::new();
            let mut part = routine::Part::default();
            let default_host = ctx.host.clone();
            // An open task table (as for text, a few foreign entries may stand between rows),
            // and how many foreign entries it has seen since its last row.
            let mut table: Option<(crate::rules::Follow, u64)> = None;
            let mut sink = |mut rec: crate::parse::Record| {
                if rec.host.is_none() {
                    rec.host = default_host.clone();
                }
                let before = events.len();
                let row = table.is_some_and(|(f, _)| rules.apply_follow(f, &rec, &mut events));
                if row {
                    table = table.map(|(f, _)| (f, 0));
                } else {
                    table = table
                        .filter(|&(_, gap)| gap < scan::MAX_TABLE_GAP)
                        .map(|(f, gap)| (f, gap + 1));
                    if let Some(f) = rules.apply(&rec, &mut events) {
                        table = Some((f, 0));
                    }
                }
                let mut k = before;
                while k < events.len() {
                    events[k].host = crate::events::intern(rec.host.as_deref().unwrap_or_default());
                    if routine::routine_at_scan(&events[k]) {
                        let ev = events.remove(k);
                        let at = match &rec.source {
                            crate::model::Location::Cursor { cursor, .. } => {
                                routine::cursor_seqnum(cursor)
                            }
                            crate::model::Location::Line { line, .. } => *line,
                        };
                        part.saw(ev.time);
                        if let Some(p) = part.push_event(&ev, at) {
                            part.finish(p, ev.time);
                        }
                    } else {
                        k += 1;
                    }
                }
            };
            let r = match p.kind {
                Kind::Journal => match (&p.src, &p.kept) {
                    (Source::File { path: fp, .. }, None) => {
                        input::journal::read_journal_file(fp, &path, &mut sink)
                    }
                    _ => {
                        // A binary journal from a stream: spool it, the format needs random
                        // access.
                        let (tmp, _listed) = match spool(&mut reader) {
                            Ok(t) => t,
                            Err(e) => return UnitOut::Failed(Error::io(&*path, e)),
                        };
                        input::journal::read_journal_file(tmp.path(), &path, &mut sink)
                    }
                },
                Kind::JournalExport => input::journal::read_export(&mut reader, &path, &mut sink),
                _ => {
                    let mut br = std::io::BufReader::new(reader);
                    input::journal::read_json_lines(&mut br, &path, &mut sink)
                }
            };
            if let Some(pr) = progress {
                pr(p.file_bytes);
            }
            UnitOut::Journal(r.map(|s| (s, events, part)))
        }
        Kind::Parquet => match (&p.src, &p.kept) {
            (Source::File { path: fp, .. }, None) => {
                UnitOut::Events(input::parquet::read_events(fp))
            }
            _ => UnitOut::Failed(Error::Input {
                path: path.to_string().into(),
                msg: "Parquet cannot be read from a stream: pass the file".into(),
            }),
        },
        Kind::Empty | Kind::Unsupported(_) | Kind::Tar | Kind::Zip => {
            unreachable!("filtered or expanded before scanning")
        }
    }
}

/// The largest binary journal spooled from a stream or an archive member. journald rotates
/// its files at a fraction of this (`SystemMaxFileSize=`, 128 MiB by default); anything bigger
/// is not a journal file worth filling a disk for.
const MAX_SPOOL: u64 = 4 << 30;

/// Copy a stream to a temporary file with an unpredictable name, created exclusively and
/// readable only by us (removed on drop), at most `MAX_SPOOL` bytes.
fn spool(r: &mut dyn Read) -> std::io::Result<(tempfile::NamedTempFile, crate::cleanup::Listed)> {
    let mut f = tempfile::Builder::new()
        .prefix("logautopsy-stream-")
        .suffix(".journal")
        .tempfile()?;
    let listed = crate::cleanup::list(f.path());
    let n = std::io::copy(&mut r.take(MAX_SPOOL + 1), f.as_file_mut())?;
    if n > MAX_SPOOL {
        return Err(std::io::Error::other(format!(
            "a binary journal over {} GiB from a stream or an archive: not spooled; unpack it and pass the file",
            MAX_SPOOL >> 30
        )));
    }
    Ok((f, listed))
}
