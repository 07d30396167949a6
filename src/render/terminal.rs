//! Terminal summary: what an engineer reads first and pastes into the incident channel — hosts
//! and time range, backup windows and jobs, each incident with its chain and the `path:line` of
//! every step, orphans, what held the memory, and the recommendations. Colour only when asked
//! (the CLI decides from isatty and `NO_COLOR`); without colour the output is plain ASCII-safe
//! text with the same content, so a paste loses nothing. Every time is UTC (hosts in several
//! zones then sort and compare at a glance), with the host's own clock in parentheses where it
//! differs — that is what the people on the box saw; a header line says so.

use crate::events::EventKind;
use crate::format::utc_with_local as local;
use crate::model::Timestamp;
use crate::report::{Incident, Report};
use std::io::{self, Write};

/// Chain steps that repeat once per orphan.
const FOLDABLE: &[EventKind] = &[
    EventKind::UnitRemainsRunning,
    EventKind::UnitLeftoverProcess,
];
/// Fold a run of that many or more.
const FOLD_MIN: usize = 4;

struct Paint {
    on: bool,
    /// The output's colour marker (`escape::Visible`): log text cannot forge one.
    marker: String,
    /// Source locations are shown relative to this directory ("" for none).
    root: String,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            let m = &self.marker;
            format!("{m}{code}m{s}{m}0m")
        } else {
            s.to_string()
        }
    }
    fn head(&self, s: &str) -> String {
        self.wrap("1;4", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    /// A source location, relative to the inputs' common directory; a journal cursor as its
    /// file and entry number (`--verbose` shows the whole cursor).
    fn source(&self, l: &crate::model::Location, verbose: bool) -> String {
        let s = match l {
            crate::model::Location::Cursor { path, cursor } if !verbose => {
                format!("{path}#{}", crate::events::routine::cursor_seqnum(cursor))
            }
            _ => l.to_string(),
        };
        self.path(&s)
    }
    /// A path relative to the inputs' common directory.
    fn path(&self, s: &str) -> String {
        if self.root.is_empty() {
            return s.to_string();
        }
        match s.strip_prefix(&self.root) {
            Some(rest) if rest.starts_with('/') => rest[1..].to_string(),
            _ => s.to_string(),
        }
    }
    fn severity(&self, sev: &str) -> String {
        let code = match sev {
            "critical" => "1;31",
            "high" => "31",
            "medium" => "33",
            _ => "36",
        };
        self.wrap(code, &sev.to_ascii_uppercase())
    }
}

fn utc(t: &Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(t.micros).unwrap_or_default()
}

/// UTC clock time, with the date only when it differs from `since`'s UTC date.
fn local_short(t: &Timestamp, since: &Timestamp) -> String {
    let (l, s) = (utc(t), utc(since));
    if l.date_naive() == s.date_naive() {
        l.format("%H:%M:%S").to_string()
    } else {
        l.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn dur(s: Option<f64>) -> String {
    s.map(crate::format::duration)
        .unwrap_or_else(|| "?".to_string())
}

/// `(N routine lines)` after an event count, when there were any (`events::routine`).
fn routine_note(n: u64) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" (+{n} routine lines)")
    }
}

pub fn write(
    report: &Report,
    w: &mut dyn Write,
    opts: &super::output::WriteOptions,
) -> io::Result<()> {
    // Log text reaches the terminal only through this: escape sequences are shown, not obeyed;
    // then every line is fitted to the width.
    let mut visible = super::escape::Visible::new(super::wrap::Wrap::new(w, opts.width));
    let p = Paint {
        on: opts.color,
        marker: visible.marker(),
        root: common_root(report),
    };
    summary(report, &mut visible, &p, opts.verbose)?;
    visible.flush()
}

/// The inputs' common directory, which source locations are shown relative to.
fn common_root(report: &Report) -> String {
    let dirs: Vec<Vec<&str>> = report
        .inputs
        .iter()
        .filter(|i| i.path != "-")
        .map(|i| {
            // An archive member `a.tar.xz:x/y` is a path like any other: the root may end
            // inside the archive (`a.tar.xz:x`), which reads as well as a directory.
            let mut parts: Vec<&str> = i.path.split('/').collect();
            parts.pop();
            parts
        })
        .collect();
    let Some(first) = dirs.first() else {
        return String::new();
    };
    let n = dirs.iter().fold(first.len(), |n, d| {
        n.min(first.iter().zip(d).take_while(|(a, b)| a == b).count())
    });
    first[..n].join("/")
}

/// The summary, answer first: what happened (one line per incident, worst first) and whether
/// the backups explain it; then each incident with its chain, worst first; then the backup
/// jobs, hosts, fleet and warnings. The per-run backup windows and the inputs are `--verbose`.
/// The summary, section by section: what happened first, then the detail behind it.
/// `verbose` adds the inputs table, unparsed samples, every backup window, every source of each
/// chain step and every waiting line.
fn summary(report: &Report, w: &mut dyn Write, p: &Paint, verbose: bool) -> io::Result<()> {
    overview(report, w, p)?;
    what_happened(report, w, p, verbose)?;
    backup_jobs(report, w, p, verbose)?;
    backup_windows(report, w, p, verbose)?;
    hosts(report, w, p)?;
    warnings(report, w, p)?;
    if verbose {
        inputs(report, w, p)?;
    }
    Ok(())
}

/// Counts, the time range and how to read the times and paths below.
fn overview(report: &Report, w: &mut dyn Write, p: &Paint) -> io::Result<()> {
    let st = &report.stats;
    writeln!(
        w,
        "{} {} — {} input(s), {} lines, {} events{}, {} host(s), {} incident(s)",
        p.bold(report.tool.name),
        report.tool.version,
        report.inputs.len(),
        st.lines,
        report.events.len(),
        routine_note(st.routine_lines),
        report.hosts.len(),
        report.incidents.len()
    )?;
    let first = report.hosts.iter().filter_map(|h| h.first).min();
    let last = report.hosts.iter().filter_map(|h| h.last).max();
    if let (Some(f), Some(l)) = (first, last) {
        writeln!(w, "Time range (UTC): {} … {}", f.rfc3339(), l.rfc3339())?;
    }
    writeln!(
        w,
        "All times are UTC; a host's own clock is shown in parentheses where it differs."
    )?;
    if !p.root.is_empty() {
        writeln!(w, "Paths are relative to {}/.", p.root)?;
    }
    Ok(())
}

/// A headline per incident, worst first, the association and fleet findings, then each
/// incident with its chain.
fn what_happened(report: &Report, w: &mut dyn Write, p: &Paint, verbose: bool) -> io::Result<()> {
    let mut worst: Vec<&Incident> = report.incidents.iter().collect();
    worst.sort_by(|a, b| (b.severity, a.start, &a.id).cmp(&(a.severity, b.start, &b.id)));

    writeln!(w, "\n{}", p.head("WHAT HAPPENED"))?;
    if worst.is_empty() {
        writeln!(
            w,
            "  nothing: no OOM kills, crashes, unit failures or orphaned workers in these logs"
        )?;
    }
    for i in &worst {
        writeln!(w, "  {}", headline(p, report, i))?;
    }
    for a in super::association_rows(report) {
        writeln!(w, "  {}", a.summary)?;
    }
    for f in &report.fleet {
        writeln!(w, "  {}", f.summary)?;
    }

    if !worst.is_empty() {
        writeln!(w, "\n{}", p.head("INCIDENTS (worst first)"))?;
        for i in &worst {
            incident(p, w, i, verbose)?;
        }
    }
    Ok(())
}

/// One row per backup job: runs, schedule, mean, max, trend.
fn backup_jobs(report: &Report, w: &mut dyn Write, p: &Paint, verbose: bool) -> io::Result<()> {
    if !report.backup_jobs.is_empty() {
        writeln!(w, "\n{}", p.head("BACKUP JOBS"))?;
        for j in &report.backup_jobs {
            let trend = match j.trend {
                Some(t) if t > 0.2 => format!("  trend +{:.0}% (getting slower)", t * 100.0),
                Some(t) if t < -0.2 => format!("  trend {:.0}% (getting faster)", t * 100.0),
                Some(t) => format!("  trend {:+.0}% (steady)", t * 100.0),
                None => String::new(),
            };
            writeln!(
                w,
                "  {}  {}  {} run(s)  schedule {}  mean {}  max {}{}",
                j.host,
                j.job,
                j.runs,
                // cron fires on the host's clock, so the schedule is read there, not in UTC.
                j.schedule
                    .as_deref()
                    .map_or("?".to_string(), |s| format!("{s} (host's clock)")),
                dur(j.mean_s),
                dur(j.max_s),
                trend
            )?;
            if verbose {
                let ds: Vec<String> = j.durations_s.iter().map(|d| dur(*d)).collect();
                writeln!(w, "      durations: {}", ds.join(", "))?;
            }
        }
    }
    Ok(())
}

/// The runs whose end is unknown (with why), or every run under --verbose.
fn backup_windows(report: &Report, w: &mut dyn Write, p: &Paint, verbose: bool) -> io::Result<()> {
    let open = report.backup_windows.iter().filter(|b| b.end.is_none());
    if verbose || open.clone().count() > 0 {
        writeln!(w, "\n{}", p.head("BACKUP WINDOWS"))?;
        for b in &report.backup_windows {
            // Without --verbose only the runs whose end is unknown, with why.
            if !verbose && b.end.is_some() {
                continue;
            }
            let end = match b.end {
                Some(e) => format!("{}  {}", local_short(&e, &b.start), dur(b.duration_s)),
                None => "end unknown".to_string(),
            };
            writeln!(
                w,
                "  {} {}  {} → {}  ({})  {}",
                b.id,
                b.host,
                local(&b.start),
                end,
                b.end_basis,
                b.command.as_deref().or(b.unit.as_deref()).unwrap_or("?")
            )?;
            if let Some(h) = &b.end_hint {
                writeln!(w, "      end unknown: {h}")?;
            }
        }
        if !verbose {
            writeln!(
                w,
                "  ({} run(s) in all; every window with --verbose)",
                report.backup_windows.len()
            )?;
        }
    } else if report.backup_windows.is_empty() {
        writeln!(w, "\n{}", p.head("BACKUP WINDOWS"))?;
        writeln!(w, "  none found")?;
    }
    Ok(())
}

fn hosts(report: &Report, w: &mut dyn Write, p: &Paint) -> io::Result<()> {
    writeln!(w, "\n{}", p.head("HOSTS"))?;
    for h in &report.hosts {
        let range = match (h.first, h.last) {
            (Some(f), Some(l)) => format!("{} … {}", local(&f), local(&l)),
            _ => "no timed lines".to_string(),
        };
        writeln!(
            w,
            "  {}  zone {}  {}  {} events{}, {} incident(s){}",
            p.bold(&h.name),
            h.tz,
            range,
            h.events,
            routine_note(h.routine_lines),
            h.incidents,
            impact(report, &h.name)
        )?;
    }
    Ok(())
}

fn warnings(report: &Report, w: &mut dyn Write, p: &Paint) -> io::Result<()> {
    // Run-level warnings, then each input's (a time that had to be estimated, a partial read,
    // NUL bytes…): they qualify what the summary says, so they are not kept for --verbose.
    let per_input = report
        .inputs
        .iter()
        .flat_map(|i| i.warnings.iter().map(move |wa| (i.path.as_str(), wa)));
    if !report.warnings.is_empty() || per_input.clone().next().is_some() {
        writeln!(w, "\n{}", p.head("WARNINGS"))?;
        for wa in &report.warnings {
            writeln!(w, "  {wa}")?;
        }
        for (path, wa) in per_input {
            writeln!(w, "  {}: {wa}", p.path(path))?;
        }
    }
    Ok(())
}

fn inputs(report: &Report, w: &mut dyn Write, p: &Paint) -> io::Result<()> {
    if !report.inputs.is_empty() {
        writeln!(w, "\n{}", p.head("INPUTS"))?;
        for i in &report.inputs {
            writeln!(
                w,
                "  {}  {}  host {}  {} lines, {} records, {} unparsed  year: {}  zone: {}",
                i.path,
                i.format,
                i.host.as_deref().unwrap_or("?"),
                i.lines,
                i.records,
                i.unparsed,
                i.year_policy,
                i.tz_policy
            )?;
            for wa in &i.warnings {
                writeln!(w, "      warning: {wa}")?;
            }
            for s in &i.unparsed_samples {
                writeln!(w, "      unparsed: {s}")?;
            }
        }
    }
    Ok(())
}

/// One line: how bad, what, where, when, and the facts that make it so.
fn headline(p: &Paint, report: &Report, i: &Incident) -> String {
    use crate::report::IncidentKind as K;
    let what = match i.kind {
        K::OomCascade => "OOM kill stopped the supervisor",
        K::OomKill => "OOM kill",
        K::OomdKill => "systemd-oomd kill",
        K::OomNoKill => "out of memory, nothing killable",
        K::RestartLoop => "restart loop",
        K::OrphanedWorkers => "workers orphaned",
        K::WorkerCrash => "worker crash",
        K::UnitFailed => "unit failed",
    };
    let mut facts: Vec<String> = Vec::new();
    if let Some(k) = i.oom_kills.first() {
        let who = k.program.as_deref().unwrap_or(&k.process);
        let more = match i.oom_kills.len() {
            1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        facts.push(format!("killed {} {}{more}", who, k.pid));
    }
    if !i.orphans.is_empty() {
        facts.push(format!("{} orphaned", i.orphans.len()));
    }
    if !i.programs_unsupervised.is_empty() {
        facts.push(format!(
            "{} program(s) left unsupervised",
            i.programs_unsupervised.len()
        ));
    }
    match (i.outage_s, i.recovery) {
        (Some(o), Some(crate::report::Recovery::Running)) => {
            facts.push(format!("down {}", crate::format::duration(o)))
        }
        (Some(o), _) => facts.push(format!("down ≥ {}", crate::format::duration(o))),
        (None, _) if i.supervisor_stopped => facts.push("no restart seen".into()),
        _ => {}
    }
    if let Some(b) = i
        .backup_window
        .and_then(|id| report.backup_windows.iter().find(|w| w.id == id))
    {
        // The whole command is in the chain; a headline names it.
        let job = b.job();
        let job = match job.char_indices().nth(48) {
            Some((at, _)) => format!("{}…", &job[..at]),
            None => job,
        };
        facts.push(format!("during backup `{job}`"));
    }
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!(": {}", facts.join(", "))
    };
    format!(
        "{} {} {} {} {}{facts}",
        p.severity(i.severity.as_str()),
        p.bold(&i.id),
        i.host,
        local(&i.start),
        what
    )
}

/// The host's service impact: time the supervisor was down (stop → restart), summed over its
/// incidents; an incident with no restart in the logs is down at least until the host's last line.
fn impact(report: &Report, host: &str) -> String {
    let last = report
        .hosts
        .iter()
        .find(|h| h.name == host)
        .and_then(|h| h.last);
    let mut down = 0.0;
    let mut open = false;
    let mut any = false;
    for i in report
        .incidents
        .iter()
        .filter(|i| i.host == host && i.supervisor_stopped)
    {
        any = true;
        match (i.outage_s, last) {
            (Some(o), _) => down += o,
            (None, Some(l)) => {
                down += l.seconds_since(&i.start).max(0.0);
                open = true;
            }
            (None, None) => open = true,
        }
    }
    match (any, open) {
        (false, _) => String::new(),
        (true, false) => format!(", supervisor down {}", dur(Some(down))),
        (true, true) => format!(", supervisor down ≥ {} (no restart seen)", dur(Some(down))),
    }
}

fn incident(p: &Paint, w: &mut dyn Write, i: &Incident, verbose: bool) -> io::Result<()> {
    writeln!(
        w,
        "\n  {} {} {}  {}  {} … {}",
        p.bold(&i.id),
        p.severity(i.severity.as_str()),
        p.bold(i.kind.as_str()),
        i.host,
        local(&i.start),
        local_short(&i.end, &i.start)
    )?;
    writeln!(w, "    {}", i.summary)?;
    if let Some(b) = &i.backup_window {
        writeln!(
            w,
            "    backup: {b}, incident began {} after its start",
            dur(i.backup_lag_s)
        )?;
    }
    match (i.outage_s, i.recovery) {
        (Some(o), Some(crate::report::Recovery::Running)) => {
            writeln!(w, "    outage: {}", crate::format::duration(o))?
        }
        (Some(o), _) => writeln!(
            w,
            "    outage: at least {} (restart attempted then; no RUNNING/Started line confirms it)",
            crate::format::duration(o)
        )?,
        _ => {}
    }
    chain(p, w, i, verbose)?;
    casualties(w, i, verbose)?;
    memory(w, i)?;
    recommendations(p, w, i)
}

/// The causal chain, in UTC.
fn chain(p: &Paint, w: &mut dyn Write, i: &Incident, verbose: bool) -> io::Result<()> {
    if !i.chain.is_empty() {
        writeln!(w, "    chain (UTC):")?;
        let mut k = 0;
        while k < i.chain.len() {
            let c = &i.chain[k];
            // Runs of "remains running" / "found left-over" lines (one per orphan) are folded
            // into one line unless --verbose: the orphans section lists them all anyway.
            let run = i.chain[k..]
                .iter()
                .take_while(|x| x.kind == c.kind && FOLDABLE.contains(&c.kind))
                .count();
            if !verbose && run >= FOLD_MIN {
                let last = &i.chain[k + run - 1];
                let what = if c.kind == EventKind::UnitRemainsRunning {
                    "processes remain running after the unit stopped"
                } else {
                    "left-over processes found while starting"
                };
                writeln!(
                    w,
                    "      {}  {}…{}  {run} {what} (see orphans)  {}",
                    local_short(&c.time, &i.start),
                    c.event,
                    last.event,
                    p.dim(&format!(
                        "{} … {}",
                        c.sources
                            .first()
                            .map(|s| p.source(s, verbose))
                            .unwrap_or_default(),
                        last.sources
                            .first()
                            .map(|s| p.source(s, verbose))
                            .unwrap_or_default()
                    ))
                )?;
                k += run;
                continue;
            }
            let src = if verbose {
                c.sources
                    .iter()
                    .map(|s| p.source(s, verbose))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                c.sources
                    .first()
                    .map(|s| p.source(s, verbose))
                    .unwrap_or_default()
            };
            writeln!(
                w,
                "      {}  {:<5} {}  {}",
                local_short(&c.time, &i.start),
                c.event,
                c.text,
                p.dim(&src)
            )?;
            k += 1;
        }
    }
    Ok(())
}

/// What the incident killed, orphaned, stopped or left unsupervised.
/// OOM kills listed per incident without --verbose.
const KILLS_SHOWN: usize = 20;

fn casualties(w: &mut dyn Write, i: &Incident, verbose: bool) -> io::Result<()> {
    if !i.oom_kills.is_empty() {
        writeln!(w, "    OOM kills ({}):", i.oom_kills.len())?;
        // An OOM storm kills thousands; the screen shows the first few unless --verbose.
        let shown = if verbose {
            i.oom_kills.len()
        } else {
            KILLS_SHOWN
        };
        for k in i.oom_kills.iter().take(shown) {
            writeln!(
                w,
                "      pid {} {}{}{}{}  [{}]",
                k.pid,
                k.process,
                k.program
                    .as_deref()
                    .map(|x| format!("  program {x}"))
                    .unwrap_or_default(),
                k.unit
                    .as_deref()
                    .map(|x| format!("  unit {x}"))
                    .unwrap_or_default(),
                k.anon_rss_kb
                    .map(|x| format!("  anon-rss {}", crate::format::size_kb(x)))
                    .unwrap_or_default(),
                k.event
            )?;
        }
        if i.oom_kills.len() > shown {
            writeln!(
                w,
                "      … {} more (--verbose lists them; the JSON report and `logautopsy events` have all)",
                i.oom_kills.len() - shown
            )?;
        }
    }
    if !i.orphans.is_empty() {
        writeln!(w, "    orphans ({}):", i.orphans.len())?;
        for o in &i.orphans {
            writeln!(
                w,
                "      pid {} {}{}  ({})  [{}]",
                o.pid
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "?".to_string()),
                o.process,
                o.program
                    .as_deref()
                    .filter(|x| *x != o.process)
                    .map(|x| format!("  program {x}"))
                    .unwrap_or_default(),
                o.basis,
                o.event
            )?;
        }
    }
    if !i.possibly_left_running.is_empty() {
        writeln!(
            w,
            "    possibly left running (supervisord still waited for them when it was killed; systemd listed no process left, so this is not certain): {}",
            i.possibly_left_running
                .iter()
                .map(|o| match o.pid {
                    Some(p) => format!("{} (pid {p})", o.process),
                    None => o.process.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    // Stopped and still-running programs are listed apart: an orphaned program was not lost,
    // it ran on without its supervisor.
    if !i.programs_stopped.is_empty() {
        let label = if i.supervisor_stopped {
            "programs stopped or killed"
        } else {
            "programs killed or exited"
        };
        writeln!(w, "    {label}: {}", i.programs_stopped.join(", "))?;
    }
    if !i.programs_unsupervised.is_empty() {
        writeln!(
            w,
            "    programs left running unsupervised: {}",
            i.programs_unsupervised.join(", ")
        )?;
    }
    Ok(())
}

/// What held the memory at the OOM kill.
fn memory(w: &mut dyn Write, i: &Incident) -> io::Result<()> {
    if !i.memory_top.is_empty() {
        writeln!(
            w,
            "    memory at the OOM kill (task table, RSS by process name):"
        )?;
        for m in &i.memory_top {
            writeln!(
                w,
                "      {:>10}  {:>4}×  {}{}",
                crate::format::size_kb(m.rss_kb),
                m.count,
                m.process,
                if m.includes.is_empty() {
                    String::new()
                } else {
                    format!("  (incl. {})", m.includes.join("; "))
                }
            )?;
        }
    } else if !i.oom_kills.is_empty() {
        // Only the victims' anon-rss is known; it is not what the host's memory was spent on.
        writeln!(
            w,
            "    memory at the OOM kill: unknown, the OOM report has no task table (add kern.log or the journal's kernel lines if you have them; the victims' anon-rss is under OOM kills)"
        )?;
    }
    if !i.memory_largest.is_empty() {
        writeln!(w, "    largest single processes:")?;
        for m in &i.memory_largest {
            writeln!(
                w,
                "      {:>10}  pid {} {}{}",
                crate::format::size_kb(m.rss_kb),
                m.pid,
                m.process,
                if m.roles.is_empty() {
                    String::new()
                } else {
                    format!(
                        "  [{}]",
                        m.roles
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            )?;
        }
    }
    Ok(())
}

/// The recommendations, each with the evidence it follows from.
fn recommendations(p: &Paint, w: &mut dyn Write, i: &Incident) -> io::Result<()> {
    if !i.recommendations.is_empty() {
        writeln!(w, "    recommendations:")?;
        for r in &i.recommendations {
            writeln!(
                w,
                "      - {}  {}",
                r.text,
                p.dim(&format!(
                    "[{}; evidence {}]",
                    r.id,
                    crate::render::evidence_list(&r.evidence)
                ))
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_relative_and_cursors_short() {
        use crate::model::Location;
        let p = Paint {
            on: false,
            marker: String::new(),
            root: "/srv/copies/web1".into(),
        };
        let line = Location::Line {
            path: "/srv/copies/web1/var/log/syslog".into(),
            line: 12,
        };
        assert_eq!(p.source(&line, false), "var/log/syslog:12");
        let cursor = Location::Cursor {
            path: "/srv/copies/web1/journal/system.journal".into(),
            cursor: "s=4f2a;i=1a2b;b=9c1d;m=2e;t=6400;x=77".into(),
        };
        assert_eq!(p.source(&cursor, false), "journal/system.journal#6699");
        assert_eq!(
            p.source(&cursor, true),
            "journal/system.journal@s=4f2a;i=1a2b;b=9c1d;m=2e;t=6400;x=77"
        );
        let other = Location::Line {
            path: "/srv/copies/web10/syslog".into(),
            line: 1,
        };
        assert_eq!(p.source(&other, false), "/srv/copies/web10/syslog:1");
    }

    #[test]
    fn plain_output_has_no_escape_codes_and_says_none() {
        let r = Report::empty();
        let opts = |color| super::super::output::WriteOptions {
            color,
            verbose: false,
            width: 80,
        };
        let mut out = Vec::new();
        write(&r, &mut out, &opts(false)).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains('\x1b'));
        assert!(s.contains("WHAT HAPPENED\n  nothing: no OOM kills"), "{s}");
        let mut out = Vec::new();
        write(&r, &mut out, &opts(true)).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("\x1b[1;4mWHAT HAPPENED\x1b[0m"));
    }
}
