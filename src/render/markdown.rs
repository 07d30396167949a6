//! The Markdown post-mortem: what engineers paste into an incident document or a GitHub issue.
//!
//! Sections, in the order a post-mortem is read: summary, impact (workers lost and outage per
//! host), timeline, root-cause chain with evidence, what held the memory, backup durations,
//! recommendations, and an appendix of inputs and warnings. Every string that came from a log
//! is attacker-controlled and may hold `|`, backticks, `<script>` or Markdown syntax, so it goes
//! through [`cell`] (table cells and prose) or [`code_block`] (evidence lines, fenced longer than
//! any backtick run inside). Output depends only on the Report: no clock, no locale.

use crate::format::duration;
use crate::format::{local, utc};
use crate::render::escape;
use crate::render::tables::{self, Aggregates};
use crate::report::{Incident, Report};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// OOM kill rows per incident.
const KILL_ROWS: usize = 50;
/// Most rows the timeline table shows; the rest are counted, and the HTML report has them all.
pub const TIMELINE_ROWS: usize = 200;

/// Writes the post-mortem for `report`.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let aggs = tables::aggregates(report).unwrap_or_default();
    out.write_all(render(report, &aggs).as_bytes())
}

/// The post-mortem as a string, with aggregates computed by the caller.
pub fn render(report: &Report, aggs: &Aggregates) -> String {
    let mut s = String::new();
    header(&mut s, report);
    summary(&mut s, report);
    impact(&mut s, report);
    timeline(&mut s, report);
    root_cause(&mut s, report);
    backups(&mut s, report, aggs);
    recommendations(&mut s, report);
    fleet(&mut s, report);
    appendix(&mut s, report, aggs);
    s
}

/// Escapes text for a table cell or prose: Markdown punctuation is backslash-escaped, `<`/`>`/`&`
/// become entities (so no raw HTML reaches GitHub's sanitiser), line breaks become spaces so a
/// cell never ends a table row, and other control or bidi characters are shown as escapes.
pub fn cell(text: &str) -> String {
    let mut o = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                o.push('\\');
                o.push(c);
            }
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\r' | '\n' | '\t' => o.push(' '),
            c if escape::hidden(c) => escape::push_escaped(&mut o, c),
            c => o.push(c),
        }
    }
    o
}

/// Our prose with its `code` spans kept as code: commands in recommendations and summaries
/// render as code a reader can copy (`cd … && …`, not `cd … &amp;&amp; …` between escaped
/// backticks). Outside the spans the text is [`cell`]-escaped; inside, only what would end the
/// span or the line is changed (the fence is longer than any backtick run). Text whose backticks
/// do not pair (a command holding one) is escaped whole. For prose; [`rich_cell`] in tables.
pub fn rich(text: &str) -> String {
    rich_with(text, false)
}

/// [`rich`] for a table cell: a `|` inside a span is escaped too, or it would end the cell (in a
/// table GFM reads `\|` in a span as `|`; anywhere else the backslash would show).
fn rich_cell(text: &str) -> String {
    rich_with(text, true)
}

fn rich_with(text: &str, table: bool) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return cell(text);
    }
    let mut o = String::with_capacity(text.len() + 16);
    for (k, part) in parts.iter().enumerate() {
        if k % 2 == 0 {
            o.push_str(&cell(part));
        } else {
            o.push_str(&code_span(part, table));
        }
    }
    o
}

/// One inline code span holding `t` verbatim (control characters shown, line breaks as spaces,
/// and in a table `|` escaped so the cell does not end).
fn code_span(t: &str, table: bool) -> String {
    let t = escape::visible(t);
    let t = if table {
        t.replace('|', "\\|")
    } else {
        t.into_owned()
    };
    let fence = "`".repeat(longest_run(&t, '`') + 1);
    // A span that starts or ends with a backtick needs a space inside its fence.
    let pad = if t.starts_with('`') || t.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{t}{pad}{fence}")
}

/// [`cell`] for text that starts a line: a leading `-`, `+`, `=` or `1.` would make a list or a
/// heading underline, so it is escaped too.
pub fn para(text: &str) -> String {
    line_start(cell(text))
}

/// Escaped text made safe to start a line.
fn line_start(c: String) -> String {
    let digits = c.chars().take_while(|ch| ch.is_ascii_digit()).count();
    let after = c[digits..].chars().next();
    if c.starts_with(['-', '+', '=']) || (digits > 0 && matches!(after, Some('.') | Some(')'))) {
        if digits > 0 {
            format!("{}\\{}", &c[..digits], &c[digits..])
        } else {
            format!("\\{c}")
        }
    } else {
        c
    }
}

/// [`rich`] for text that starts a line (as [`para`] is for [`cell`]).
fn para_rich(text: &str) -> String {
    line_start(rich(text))
}

/// Lighter escaping for identifiers that are ours or tame (ids, kinds, host names in headings):
/// the same rules, so a hostile host name still cannot break out.
fn id(text: &str) -> String {
    cell(text)
}

/// A fenced block of evidence lines; the fence is longer than any backtick run in the text.
pub fn code_block(lines: &[String]) -> String {
    let longest = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut s = format!("{fence}text\n");
    for l in lines {
        for c in l.chars() {
            // Control characters other than tab would garble the block; show them visibly.
            if escape::hidden(c) && c != '\t' {
                escape::push_escaped(&mut s, c);
            } else {
                s.push(c);
            }
        }
        s.push('\n');
    }
    s.push_str(&fence);
    s.push('\n');
    s
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn header(s: &mut String, r: &Report) {
    let hosts: Vec<String> = r.hosts.iter().map(|h| id(&h.name)).collect();
    let first = r.hosts.iter().filter_map(|h| h.first).min();
    let last = r.hosts.iter().filter_map(|h| h.last).max();
    s.push_str("# Post-mortem");
    if !hosts.is_empty() {
        s.push_str(": ");
        s.push_str(&hosts.join(", "));
    }
    s.push_str("\n\n");
    if let (Some(f), Some(l)) = (first, last) {
        s.push_str(&format!(
            "Logs from **{} UTC** to **{} UTC**. ",
            utc(&f),
            utc(&l)
        ));
    }
    s.push_str(&format!(
        "Generated by {} {} from {} input(s), {} lines, {} events and {} routine lines (session scopes, user managers, cron jobs, unit runs nothing refers to; counted, not listed) (report schema `{}`).\n\n",
        id(r.tool.name),
        id(r.tool.version),
        r.inputs.len(),
        r.stats.lines,
        r.events.len(),
        r.stats.routine_lines,
        r.schema
    ));
}

fn summary(s: &mut String, r: &Report) {
    s.push_str("## Summary\n\n");
    if r.incidents.is_empty() {
        s.push_str("No incidents found: no OOM kills, supervisor cascades or orphaned workers in these logs.\n\n");
        return;
    }
    let mut sev: BTreeMap<std::cmp::Reverse<crate::report::Severity>, (&str, usize)> =
        BTreeMap::new();
    for i in &r.incidents {
        sev.entry(std::cmp::Reverse(i.severity))
            .or_insert((i.severity.as_str(), 0))
            .1 += 1;
    }
    let counts: Vec<String> = sev
        .values()
        .map(|(n, c)| format!("{c} {}", cell(n)))
        .collect();
    let hosts: BTreeSet<&str> = r.incidents.iter().map(|i| &*i.host).collect();
    s.push_str(&format!(
        "**{} incident(s)** ({}) on {}.\n\n",
        r.incidents.len(),
        counts.join(", "),
        hosts
            .iter()
            .map(|h| format!("`{}`", code_span_text(h)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for i in &r.incidents {
        s.push_str(&format!(
            "- **{}** · {} · `{}` on **{}** at {} UTC ({}): {}",
            id(&i.id),
            id(i.severity.as_str()),
            code_span_text(i.kind.as_str()),
            id(&i.host),
            utc(&i.start),
            local(&i.start),
            rich(&i.summary)
        ));
        if let (Some(bw), Some(lag)) = (&i.backup_window, i.backup_lag_s) {
            s.push_str(&format!(
                " — {} after backup {} started",
                duration(lag),
                id(&bw.to_string())
            ));
        } else if let Some(bw) = &i.backup_window {
            s.push_str(&format!(" — during backup {}", id(&bw.to_string())));
        }
        s.push('\n');
    }
    s.push('\n');
    let linked = super::association_rows(r);
    if !linked.is_empty() {
        s.push_str("**Is it the backup?**\n\n");
        for a in linked {
            s.push_str(&format!("- {}\n", para(&a.summary)));
        }
        s.push('\n');
    }
}

/// Text safe inside a single-backtick code span in a table: backticks and pipes cannot appear.
fn code_span_text(t: &str) -> String {
    escape::visible(t)
        .replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn impact(s: &mut String, r: &Report) {
    s.push_str("## Impact\n\n");
    if r.incidents.is_empty() {
        s.push_str("None found.\n\n");
        return;
    }
    s.push_str(
        "| Host | Incidents | OOM kills | Supervisor stopped | Workers lost | Orphans | Outage |\n",
    );
    s.push_str("|---|---:|---:|---|---|---:|---|\n");
    let mut by_host: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for i in &r.incidents {
        by_host.entry(&*i.host).or_default().push(i);
    }
    for (host, incs) in by_host {
        let kills: usize = incs.iter().map(|i| i.oom_kills.len()).sum();
        let stopped = incs.iter().any(|i| i.supervisor_stopped);
        let lost: BTreeSet<&str> = incs
            .iter()
            .flat_map(|i| i.workers_lost.iter().map(|w| w.as_str()))
            .collect();
        let orphans: usize = incs.iter().map(|i| i.orphans.len()).sum();
        let outage: Vec<f64> = incs.iter().filter_map(|i| i.outage_s).collect();
        let outage = if outage.is_empty() {
            "unknown (no restart seen)".to_string()
        } else {
            duration(outage.iter().sum())
        };
        let lost = if lost.is_empty() {
            "none".to_string()
        } else {
            lost.iter().map(|w| cell(w)).collect::<Vec<_>>().join(", ")
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            id(host),
            incs.len(),
            kills,
            if stopped { "**yes**" } else { "no" },
            lost,
            orphans,
            outage
        ));
    }
    s.push('\n');
}

/// Events worth a row in the timeline table: failures, stops, restarts, backups. A start is
/// a row only when it is a restart (`events::routine::is_restart`).
fn notable(e: &crate::events::Event) -> bool {
    crate::events::routine::is_restart(e) || notable_kind(e.kind.as_str())
}

fn notable_kind(kind: &str) -> bool {
    matches!(
        kind,
        "oom_kill"
            | "oom_no_killable"
            | "unit_control_exited"
            | "oomd_kill"
            | "unit_oom"
            | "unit_stopping"
            | "unit_stopped"
            | "unit_failed"
            | "unit_main_exited"
            | "unit_stop_timeout"
            | "unit_leftover_process"
            | "unit_remains_running"
            | "unit_restart_scheduled"
            | "supervisor_signal"
            | "supervisor_waiting"
            | "supervisor_stopped"
            | "supervisor_exited"
            | "supervisor_sigkill"
            | "supervisor_fatal"
            | "supervisorctl_shutdown"
            | "backup_start"
            | "backup_end"
            | "worker_killed"
            | "log_loss"
    )
}

/// The curated timeline: incidents where they begin, backups, kills, stops and recoveries, and
/// what the incidents cite — never routine lines. A run of one kind on one host (supervisord's
/// `waiting for … to die` every 3 s, a line per orphan) is one row with its count and end.
fn timeline(s: &mut String, r: &Report) {
    s.push_str("## Timeline\n\n");
    // Notable kinds, plus anything an incident cites as evidence (e.g. the cron line before it).
    let cited: BTreeSet<crate::events::EventId> = r
        .incidents
        .iter()
        .flat_map(|i| i.evidence.iter().chain(i.chain.iter().map(|c| &c.event)))
        .copied()
        .collect();
    let events: Vec<_> = r
        .events
        .iter()
        .filter(|e| notable(e) || cited.contains(&e.id))
        .collect();
    if events.is_empty() {
        s.push_str("No notable events.\n\n");
        return;
    }
    // Runs of one kind on one host, in time order.
    let mut runs: Vec<(&crate::events::Event, &crate::events::Event, usize)> = Vec::new();
    for e in events {
        match runs.last_mut() {
            Some((first, last, n))
                if first.host == e.host
                    && first.kind == e.kind
                    && !matches!(e.kind.as_str(), "backup_start" | "backup_end" | "oom_kill") =>
            {
                *last = e;
                *n += 1;
            }
            _ => runs.push((e, e, 1)),
        }
    }
    s.push_str("| Time (UTC) | Host local | Host | Event | Message | Source |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    let mut by_start: Vec<&crate::report::Incident> = r.incidents.iter().collect();
    by_start.sort_by_key(|i| i.start);
    let mut incidents = by_start.into_iter().peekable();
    for (shown, (first, last, n)) in runs.iter().enumerate() {
        // An incident's row goes before its first line.
        while let Some(i) = incidents.next_if(|i| i.start <= first.time) {
            s.push_str(&incident_row(i));
        }
        if shown == TIMELINE_ROWS {
            break;
        }
        let src = first
            .sources
            .first()
            .map(|l| l.to_string())
            .unwrap_or_default();
        let (when, what) = if *n > 1 && utc(&last.time) != utc(&first.time) {
            (
                format!(
                    "{} → {}",
                    utc(&first.time),
                    utc(&last.time).split(' ').nth(1).unwrap_or("")
                ),
                format!(
                    "{} _(×{n}, the last at {})_",
                    cell(&first.message),
                    utc(&last.time)
                ),
            )
        } else if *n > 1 {
            (
                utc(&first.time),
                format!("{} _(×{n})_", cell(&first.message)),
            )
        } else {
            (utc(&first.time), cell(&first.message))
        };
        s.push_str(&format!(
            "| {} | {} | {} | `{}` | {} | `{}` |\n",
            when,
            local(&first.time),
            id(&first.host),
            first.kind.as_str(),
            what,
            code_span_text(&src)
        ));
    }
    for i in incidents {
        s.push_str(&incident_row(i));
    }
    if runs.len() > TIMELINE_ROWS {
        s.push_str(&format!(
            "\n_{} more rows not shown; the HTML report and `events.csv` have all {} events._\n",
            runs.len() - TIMELINE_ROWS,
            r.events.len()
        ));
    }
    s.push('\n');
}

/// The timeline row where an incident begins.
fn incident_row(i: &crate::report::Incident) -> String {
    format!(
        "| **{}** | {} | {} | **incident {}** | **{} {}** — see [Root cause](#root-cause) | |\n",
        utc(&i.start),
        local(&i.start),
        id(&i.host),
        id(&i.id),
        id(&i.severity.as_str().to_uppercase()),
        id(i.kind.as_str())
    )
}

fn root_cause(s: &mut String, r: &Report) {
    if r.incidents.is_empty() {
        return;
    }
    s.push_str("## Root cause\n\n");
    for i in &r.incidents {
        s.push_str(&format!(
            "### {} — {} on {} ({})\n\n{}\n\n",
            id(&i.id),
            id(i.kind.as_str()),
            id(&i.host),
            id(i.severity.as_str()),
            para_rich(&i.summary)
        ));
        s.push_str(&format!(
            "From {} UTC to {} UTC ({}).",
            utc(&i.start),
            utc(&i.end),
            duration(i.end.seconds_since(&i.start))
        ));
        if let Some(bw) = i
            .backup_window
            .as_ref()
            .and_then(|b| r.backup_windows.iter().find(|w| &w.id == b))
        {
            let what = bw.command.as_deref().or(bw.unit.as_deref()).unwrap_or("?");
            s.push_str(&format!(
                " Backup window {} (`{}`) started {} UTC",
                id(&bw.id.to_string()),
                code_span_text(what),
                utc(&bw.start)
            ));
            if let Some(lag) = i.backup_lag_s {
                s.push_str(&format!(", {} before the first failure", duration(lag)));
            }
            match bw.duration_s {
                Some(d) => s.push_str(&format!(", and ran {}.", duration(d))),
                None => s.push_str(", and its end is not in the logs."),
            }
        }
        s.push_str("\n\n");
        if !i.chain.is_empty() {
            // One row a step: when, what happened in words, and where it is written — the
            // reader never matches a numbered list against a block of lines by position.
            s.push_str("**Chain**\n\n| Time (UTC) | Step | Evidence |\n|---|---|---|\n");
            for step in &i.chain {
                let src: Vec<String> = step
                    .sources
                    .iter()
                    .map(|l| format!("`{}`", code_span_text(&l.to_string())))
                    .collect();
                s.push_str(&format!(
                    "| {} | {} | {} {} |\n",
                    utc(&step.time),
                    rich_cell(&step.text),
                    id(&step.event.to_string()),
                    src.join(", ")
                ));
            }
            s.push('\n');
        }
        if !i.oom_kills.is_empty() {
            s.push_str(&format!("**OOM kills** ({})\n\n| PID | Process | Program | Unit | anon-rss |\n|---:|---|---|---|---:|\n", i.oom_kills.len()));
            // An OOM storm kills thousands: a post-mortem shows the first rows and counts the rest.
            for k in i.oom_kills.iter().take(KILL_ROWS) {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    k.pid,
                    cell(&k.process),
                    k.program.as_deref().map(cell).unwrap_or_default(),
                    k.unit.as_deref().map(cell).unwrap_or_default(),
                    k.anon_rss_kb
                        .map(crate::format::size_kb)
                        .unwrap_or_default()
                ));
            }
            if i.oom_kills.len() > KILL_ROWS {
                s.push_str(&format!(
                    "\n… and {} more (the JSON report and `logautopsy events` list every kill).\n",
                    i.oom_kills.len() - KILL_ROWS
                ));
            }
            s.push('\n');
        }
        if !i.orphans.is_empty() {
            s.push_str("**Orphaned workers** (left running outside their supervisor)\n\n| PID | Process | Seen as |\n|---:|---|---|\n");
            for o in &i.orphans {
                s.push_str(&format!(
                    "| {} | {} | {} |\n",
                    o.pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
                    cell(&o.process),
                    cell(o.basis.as_str())
                ));
            }
            s.push('\n');
        }
        if !i.possibly_left_running.is_empty() {
            let names: Vec<String> = i
                .possibly_left_running
                .iter()
                .map(|o| format!("`{}`", code_span_text(&o.process)))
                .collect();
            s.push_str(&format!(
                "**Possibly left running:** {} — supervisord still waited for them when it was killed, and systemd listed no process left in the unit, so the logs do not say whether they ran on.\n\n",
                names.join(", ")
            ));
        }
        if !i.memory_top.is_empty() {
            s.push_str("**What held the memory** (task table at the OOM kill)\n\n| Process | Tasks | RSS | Share |\n|---|---:|---:|---:|\n");
            let total: u64 = i.memory_top.iter().map(|m| m.rss_kb).sum();
            for m in &i.memory_top {
                let share = if total > 0 {
                    m.rss_kb as f64 * 100.0 / total as f64
                } else {
                    0.0
                };
                s.push_str(&format!(
                    "| {} | {} | {} | {:.0} % |\n",
                    cell(&m.process),
                    m.count,
                    crate::format::size_kb(m.rss_kb),
                    share
                ));
            }
            s.push('\n');
        } else if i.kind.is_oom() && !i.oom_kills.is_empty() {
            s.push_str("**What held the memory:** unknown — the OOM report has no task table in these logs (add kern.log or the journal's kernel lines if you have them).\n\n");
        }
    }
}

fn backups(s: &mut String, r: &Report, aggs: &Aggregates) {
    s.push_str("## Backups\n\n");
    if r.backup_windows.is_empty() {
        s.push_str("No backup jobs recognised (add `--backup-match REGEX` if yours has an unusual name).\n\n");
        return;
    }
    if !aggs.backups.is_empty() {
        s.push_str("| Host | Job | Runs | Ended | Mean | Median | Min | Max | Last |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for b in &aggs.backups {
            let d = |v: Option<f64>| v.map(duration).unwrap_or_else(|| "—".into());
            s.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
                id(&b.host),
                code_span_text(&b.job),
                b.runs,
                b.ended,
                d(b.mean_s),
                d(b.median_s),
                d(b.min_s),
                d(b.max_s),
                d(b.last_s)
            ));
        }
        s.push('\n');
    }
    let trends: Vec<_> = r
        .backup_jobs
        .iter()
        .filter(|j| j.trend.is_some() || j.schedule.is_some())
        .collect();
    if !trends.is_empty() {
        for j in trends {
            s.push_str(&format!("- {} `{}`", id(&j.host), code_span_text(&j.job)));
            if let Some(sch) = &j.schedule {
                s.push_str(&format!(": schedule `{}`", code_span_text(sch)));
            }
            if let Some(t) = j.trend {
                s.push_str(&format!(
                    ", duration {:+.0} % from first to last run",
                    t * 100.0
                ));
            }
            s.push('\n');
        }
        s.push('\n');
    }
    s.push_str("| Window | Host | Start (UTC) | Host local | Duration | End known from |\n|---|---|---|---|---:|---|\n");
    for w in &r.backup_windows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            id(&w.id.to_string()),
            id(&w.host),
            utc(&w.start),
            local(&w.start),
            w.duration_s
                .map(duration)
                .unwrap_or_else(|| "unknown".into()),
            cell(w.end_basis.as_str())
        ));
    }
    s.push('\n');
}

/// Each recommendation once: the same advice for several incidents (a fleet whose hosts share
/// one unit file, a cascade every night) is stated once with every incident it covers and the
/// union of their evidence, in the order it first appears.
fn recommendations(s: &mut String, r: &Report) {
    let mut recs: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
    for i in &r.incidents {
        for rec in &i.recommendations {
            let ev = rec.evidence.iter().map(|e| e.to_string());
            match recs.iter_mut().find(|(t, _, _)| *t == rec.text) {
                Some((_, incs, evs)) => {
                    if !incs.contains(&i.id.as_str()) {
                        incs.push(&i.id);
                    }
                    evs.extend(ev.filter(|e| !evs.contains(e)).collect::<Vec<_>>());
                }
                None => recs.push((&rec.text, vec![&i.id], ev.collect())),
            }
        }
    }
    if recs.is_empty() {
        return;
    }
    s.push_str("## Recommendations\n\n");
    for (n, (text, incs, evs)) in recs.iter().enumerate() {
        s.push_str(&format!(
            "{}. {} _(from {}; evidence: {})_\n",
            n + 1,
            rich(text),
            incs.iter().map(|i| id(i)).collect::<Vec<_>>().join(", "),
            id(&crate::render::evidence_list(evs))
        ));
    }
    s.push('\n');
}

fn fleet(s: &mut String, r: &Report) {
    if r.fleet.is_empty() {
        return;
    }
    s.push_str("## Across hosts\n\n");
    for f in &r.fleet {
        s.push_str(&format!(
            "- {} (hosts: {}; incidents: {}; around {} local)\n",
            rich(&f.summary),
            f.hosts.iter().map(|h| id(h)).collect::<Vec<_>>().join(", "),
            f.incidents
                .iter()
                .map(|h| id(h))
                .collect::<Vec<_>>()
                .join(", "),
            cell(&f.local_time)
        ));
    }
    s.push('\n');
}

fn appendix(s: &mut String, r: &Report, aggs: &Aggregates) {
    s.push_str("## Appendix: inputs and warnings\n\n");
    s.push_str("| Input | Format | Host | Lines | Records | Unparsed | Year from | Zone |\n|---|---|---|---:|---:|---:|---|---|\n");
    for i in &r.inputs {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            code_span_text(&i.path),
            cell(&i.format),
            i.host.as_deref().map(id).unwrap_or_default(),
            i.lines,
            i.records,
            i.unparsed,
            cell(&i.year_policy),
            cell(&i.tz_policy)
        ));
    }
    s.push('\n');
    if !r.hosts.is_empty() {
        s.push_str("| Host | Zone | Events | Busiest hour (UTC) | Events that hour |\n|---|---|---:|---|---:|\n");
        for h in &r.hosts {
            let busiest = aggs.busiest_hour(&h.name);
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                id(&h.name),
                cell(&h.tz),
                h.events,
                busiest.map(|b| utc(&b.hour)).unwrap_or_default(),
                busiest.map(|b| b.events.to_string()).unwrap_or_default()
            ));
        }
        s.push('\n');
    }
    let mut warnings: Vec<String> = r.warnings.iter().map(|w| cell(&w.to_string())).collect();
    for i in &r.inputs {
        for w in &i.warnings {
            warnings.push(format!(
                "`{}`: {}",
                code_span_text(&i.path),
                cell(&w.message)
            ));
        }
    }
    if warnings.is_empty() {
        s.push_str("No warnings.\n");
    } else {
        s.push_str("**Warnings**\n\n");
        for w in warnings {
            s.push_str(&format!("- {w}\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_stay_code_a_reader_can_copy() {
        assert_eq!(
            rich("run `cd /srv && bench backup | gzip` now, <b>"),
            "run `cd /srv && bench backup | gzip` now, &lt;b&gt;"
        );
        // In a table the `|` in the span is escaped, or it would end the cell.
        assert_eq!(rich_cell("run `a | b` now"), "run `a \\| b` now");
        // A backtick inside a span: the fence grows.
        assert_eq!(code_span("a`b", false), "``a`b``");
        assert_eq!(code_span("`x", true), "`` `x ``");
        // Unpaired backticks: all escaped, nothing becomes code by accident.
        assert_eq!(rich("it's a `half"), "it's a \\`half");
        assert_eq!(para_rich("- `x`"), "\\- `x`");
    }

    #[test]
    fn cells_cannot_break_tables_or_inject_html() {
        let c = cell("a|b <script>alert(1)</script>\n*x*");
        assert!(!c.contains("<script"), "{c}");
        assert!(c.contains("a\\|b"));
        assert!(!c.contains('\n'));
        assert!(c.contains("\\*x\\*"));
    }

    #[test]
    fn code_block_fence_outlives_backticks() {
        let b = code_block(&["a ```` b".to_string()]);
        assert!(b.starts_with("`````text\n"), "{b}");
        assert!(b.ends_with("\n`````\n"));
    }
}
