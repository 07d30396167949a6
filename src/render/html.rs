//! The self-contained HTML timeline: one file that works offline (GoAccess-style, DESIGN.md §7).
//!
//! CSS (`assets/timeline.css`), JavaScript (`assets/timeline.js`) and the data are inlined; there
//! is no URL anywhere in the file. The page draws swim lanes per host (and per unit/program within
//! a host) on a canvas, with backup windows as bands, markers for kills, stops, shutdowns, orphans
//! and restarts, the incidents with their chains, zoom/pan, host and kind filters, evidence on
//! click and a UTC / host-local switch. Canvas plus per-lane binary search keeps 100,000 events
//! responsive: only the visible slice is visited, and markers that land on the same pixel are
//! drawn once.
//!
//! **Security.** Log text is attacker-controlled. The data travels as JSON inside
//! `<script type="application/json">`, with `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX`
//! so no log line can close the block or open a comment ([`embed_json`]). The script builds the
//! page with `textContent` only (a test scans the asset for `innerHTML` and friends). A
//! Content-Security-Policy meta tag allows no network at all (`default-src 'none'`) and only
//! the one inline script whose SHA-256 it names, so even an injected `<script>` would not run.

use crate::events::Event;
use crate::render::tables;
use crate::report::Report;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{self, Write};

const CSS: &str = include_str!("assets/timeline.css");
const JS: &str = include_str!("assets/timeline.js");

/// Most sub-lanes (units/programs) per host; busier hosts fold the rest into the host lane.
pub const MAX_SUBLANES: usize = 24;

/// Writes the HTML report.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// The HTML report as a string.
pub fn render(report: &Report) -> String {
    let data = embed_json(&data(report));
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(JS.as_bytes()));
    let hosts: Vec<&str> = report.hosts.iter().map(|h| h.name.as_str()).collect();
    let title = if hosts.is_empty() {
        "logautopsy report".to_string()
    } else {
        format!("logautopsy report: {}", hosts.join(", "))
    };
    let mut s = String::with_capacity(data.len() + CSS.len() + JS.len() + 4096);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
    ));
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    s.push_str(&format!(
        "<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n",
        text(&title)
    ));
    s.push_str(BODY);
    s.push_str("<script type=\"application/json\" id=\"logautopsy-data\">");
    s.push_str(&data);
    s.push_str("</script>\n<script>");
    s.push_str(JS);
    s.push_str("</script>\n</body>\n</html>\n");
    s
}

/// The static page skeleton; everything variable is filled in by the script with textContent.
const BODY: &str = r#"<body>
<header>
  <h1 id="title">logautopsy report</h1>
  <div id="meta"></div>
  <noscript><p>This report draws its timeline with JavaScript; the data is in the page source.</p></noscript>
</header>
<section id="incidents-section"><h2>Incidents</h2><div id="fleet"></div><div id="incidents"></div></section>
<section id="controls" aria-label="controls">
  <div class="group"><button type="button" id="inc-prev" title="previous incident (p)">&lsaquo; incident</button><button type="button" id="inc-next" title="next incident (n)">incident &rsaquo;</button></div>
  <div class="group"><button type="button" id="zoom-in" title="zoom in (or mouse wheel)">+</button><button type="button" id="zoom-out" title="zoom out">&minus;</button><button type="button" id="zoom-reset" title="show everything">reset</button> <span class="muted small">drag to zoom, shift+drag to pan</span></div>
  <div class="group"><input type="search" id="search" placeholder="search event text" aria-label="search event text" size="22"> <span id="search-count" class="muted small"></span></div>
  <div class="group"><label for="tz">times</label> <select id="tz"><option value="utc">UTC</option><option value="local">host local</option></select> <span id="axis-note"></span></div>
  <div class="group" id="host-filter" aria-label="hosts"></div>
  <div class="group" id="kind-filter" aria-label="event kinds"></div>
</section>
<main>
  <div id="tl-col">
  <canvas id="overview" aria-label="overview of the whole time range; drag to zoom"></canvas>
  <section id="timeline-wrap" aria-label="timeline">
    <div id="lane-labels"></div>
    <div id="canvas-wrap"><canvas id="timeline"></canvas><div id="tooltip" hidden></div></div>
  </section>
  </div>
  <section id="side">
    <h2>Evidence</h2>
    <div id="evidence"><p class="hint">Click a marker, an incident or an event to see its evidence.</p></div>
  </section>
</main>
<section id="events-section"><h2>Events in view <span id="events-count"></span></h2><div id="events"></div></section>
<section><h2>Backups</h2><div id="backups"></div></section>
<section><h2>Inputs and warnings</h2><div id="inputs"></div></section>
"#;

/// Escapes text for an HTML text node.
fn text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Serialises `v` for a `<script type="application/json">` block: `<`, `>`, `&`, U+2028 and
/// U+2029 become `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`. Those characters only ever
/// occur inside JSON strings, where the escapes mean the same thing, so `JSON.parse` returns the
/// original text while the HTML parser never sees `</script` or `<!--`.
pub fn embed_json(v: &Value) -> String {
    let raw = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let mut o = String::with_capacity(raw.len() + raw.len() / 50);
    for c in raw.chars() {
        match c {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            '\u{2028}' => o.push_str("\\u2028"),
            '\u{2029}' => o.push_str("\\u2029"),
            c => o.push(c),
        }
    }
    o
}

fn ms(micros: i64) -> f64 {
    // Milliseconds with the microseconds as a fraction: exact in an f64 for any log date.
    micros as f64 / 1000.0
}

/// Lane key of an event within its host: its program, else its unit, else the host lane.
fn lane_name(e: &Event) -> Option<String> {
    e.program
        .as_ref()
        .map(|p| format!("program {p}"))
        .or_else(|| e.unit.as_deref().map(str::to_string))
}

#[derive(Serialize)]
struct Lane {
    host: usize,
    name: String,
}

/// Hosts and their lanes: every host of the report (and any an event names that the host list
/// lacks), each with a lane of its own and sub-lanes for its busiest units/programs.
struct Layout {
    host_names: Vec<String>,
    lanes: Vec<Lane>,
    /// (host index, lane name; "" for the host's own lane) → lane index.
    lane_idx: BTreeMap<(usize, String), usize>,
}

impl Layout {
    fn of(r: &Report) -> Layout {
        let mut host_names: Vec<String> = r.hosts.iter().map(|h| h.name.clone()).collect();
        for e in &r.events {
            if !host_names.iter().any(|h| **h == *e.host) {
                host_names.push(e.host.to_string());
            }
        }
        let host_idx: BTreeMap<&str, usize> = host_names
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i))
            .collect();

        // Sub-lanes: the busiest MAX_SUBLANES units/programs per host, in name order.
        let mut counts: BTreeMap<(usize, String), usize> = BTreeMap::new();
        for e in &r.events {
            if let Some(n) = lane_name(e) {
                *counts.entry((host_idx[&*e.host], n)).or_default() += 1;
            }
        }
        let mut per_host: BTreeMap<usize, Vec<(String, usize)>> = BTreeMap::new();
        for ((h, n), c) in counts {
            per_host.entry(h).or_default().push((n, c));
        }
        let mut lanes: Vec<Lane> = Vec::new();
        let mut lane_idx: BTreeMap<(usize, String), usize> = BTreeMap::new();
        for (hi, _) in host_names.iter().enumerate() {
            lanes.push(Lane {
                host: hi,
                name: String::new(),
            });
            lane_idx.insert((hi, String::new()), lanes.len() - 1);
            let mut subs = per_host.remove(&hi).unwrap_or_default();
            subs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            subs.truncate(MAX_SUBLANES);
            subs.sort();
            for (n, _) in subs {
                lanes.push(Lane {
                    host: hi,
                    name: n.clone(),
                });
                lane_idx.insert((hi, n), lanes.len() - 1);
            }
        }
        Layout {
            host_names,
            lanes,
            lane_idx,
        }
    }
}

/// The data the page script reads: columnar for events (100,000 objects would cost more to
/// parse and hold than parallel arrays).
fn data(r: &Report) -> Value {
    let Layout {
        host_names,
        lanes,
        lane_idx,
    } = Layout::of(r);
    let host_idx: BTreeMap<&str, usize> = host_names
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();

    let kinds: Vec<&str> = crate::events::EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let kind_idx: BTreeMap<&str, usize> = kinds.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut paths = Paths::default();

    let drawn = drawn(r);
    let ev = event_columns(r, &drawn, &host_idx, &lane_idx, &kind_idx, &mut paths);

    let backups: Vec<Value> = r
        .backup_windows
        .iter()
        .filter_map(|w| {
            Some(json!({
                "id": w.id, "host": host_idx.get(&*w.host)?, "s": ms(w.start.micros), "off": w.start.offset_s,
                "e": w.end.map(|e| ms(e.micros)), "d": w.duration_s, "basis": w.end_basis,
                "what": w.command.clone().or_else(|| w.unit.clone()), "events": w.events,
            }))
        })
        .collect();
    let incidents: Vec<Value> = r
        .incidents
        .iter()
        .filter_map(|i| {
            Some(json!({
                "id": i.id, "host": host_idx.get(&*i.host)?, "kind": i.kind, "severity": i.severity,
                "s": ms(i.start.micros), "e": ms(i.end.micros), "off": i.start.offset_s, "summary": i.summary,
                "backup_window": i.backup_window, "backup_lag_s": i.backup_lag_s, "outage_s": i.outage_s,
                "supervisor_stopped": i.supervisor_stopped, "workers_lost": i.workers_lost,
                // The page shows no kill list (the chain and the summary name them); a
                // storm's hundreds of thousands stay in the JSON report.
                "oom_kills": i.oom_kills.iter().take(LISTED).collect::<Vec<_>>(),
                "orphans": i.orphans, "memory_top": i.memory_top,
                "recommendations": i.recommendations.iter().map(|rec| json!({
                    "id": rec.id, "text": rec.text,
                    "evidence": rec.evidence.iter().take(LISTED).collect::<Vec<_>>(),
                    "more": rec.evidence.len().saturating_sub(LISTED),
                })).collect::<Vec<_>>(),
                "chain": i.chain.iter().map(|c| json!({
                    "t": ms(c.time.micros), "off": c.time.offset_s, "event": c.event, "kind": c.kind,
                    "text": c.text, "src": paths.src(&c.sources),
                })).collect::<Vec<_>>(),
            }))
        })
        .collect();
    let aggs = tables::aggregates(r).unwrap_or_default();
    let hourly: Vec<Value> = aggs
        .events_per_hour
        .iter()
        .filter_map(|h| {
            Some(json!([
                host_idx.get(&*h.host)?,
                ms(h.hour.micros),
                h.events
            ]))
        })
        .collect();
    let hosts: Vec<Value> = host_names
        .iter()
        .map(|h| {
            let s = r.hosts.iter().find(|x| &x.name == h);
            // The host's usual offset: the most common among its events (ties: smallest).
            let mut offs: BTreeMap<i32, usize> = BTreeMap::new();
            for e in r.events.iter().filter(|e| *e.host == **h) {
                *offs.entry(e.time.offset_s).or_default() += 1;
            }
            let off = offs.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(o, _)| *o).unwrap_or(0);
            json!({"name": h, "tz": s.map(|s| s.tz.clone()).unwrap_or_default(), "off": off,
                   "events": s.map(|s| s.events).unwrap_or(0), "incidents": s.map(|s| s.incidents).unwrap_or(0)})
        })
        .collect();
    let inputs: Vec<Value> = r
        .inputs
        .iter()
        .map(|i| json!({"path": i.path, "format": i.format, "host": i.host, "lines": i.lines, "records": i.records,
                         "unparsed": i.unparsed, "year": i.year_policy, "tz": i.tz_policy, "warnings": i.warnings}))
        .collect();
    json!({
        "schema": r.schema,
        "tool": {"name": r.tool.name, "version": r.tool.version},
        "kinds": kinds,
        "hosts": hosts,
        "lanes": lanes,
        "paths": paths.list,
        "ev": ev,
        "ev_total": r.events.len(),
        "backups": backups,
        "incidents": incidents,
        "hourly": hourly,
        "backup_stats": aggs.backups,
        "inputs": inputs,
        "warnings": r.warnings,
        "fleet": r.fleet,
        "association": super::association_rows(r)
            .iter()
            .map(|a| json!({"text": a.summary, "verdict": a.verdict}))
            .collect::<Vec<_>>(),
        "stats": r.stats,
    })
}

/// Most events the page draws: a 100 k-event page loads in Chromium in under a second
/// (tests/render_browser.rs); an OOM storm (every line a kill) has hundreds of thousands, which
/// made a 125 MB page and 1.5 GB of memory to write it.
pub const MAX_DRAWN: usize = 100_000;
/// Ids listed per incident's kill list and per recommendation's evidence.
const LISTED: usize = 20;

/// The events the page draws, as indices in time order: all of them up to `MAX_DRAWN`; beyond
/// that, every event an incident's chain, a listed recommendation evidence or a backup window
/// cites, and an even sample of the rest. The header says how many are drawn of how many.
fn drawn(r: &Report) -> Vec<usize> {
    let n = r.events.len();
    if n <= MAX_DRAWN {
        return (0..n).collect();
    }
    let at: std::collections::HashMap<crate::events::EventId, usize> = r
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id, i))
        .collect();
    let mut keep = vec![false; n];
    let cited = r
        .incidents
        .iter()
        .flat_map(|i| {
            i.chain.iter().map(|c| c.event).chain(
                i.recommendations
                    .iter()
                    .flat_map(|rec| rec.evidence.iter().take(LISTED).copied()),
            )
        })
        .chain(
            r.backup_windows
                .iter()
                .flat_map(|w| w.events.iter().copied()),
        );
    for id in cited {
        if let Some(&i) = at.get(&id) {
            keep[i] = true;
        }
    }
    let kept = keep.iter().filter(|k| **k).count();
    // Exactly `budget` of the `rest`, evenly: the j-th is taken when ⌊j·budget/rest⌋ steps up.
    let (rest, budget) = (n - kept, MAX_DRAWN.saturating_sub(kept));
    for (j, slot) in keep.iter_mut().filter(|k| !**k).enumerate() {
        *slot = (j + 1) * budget / rest > j * budget / rest;
    }
    (0..n).filter(|&i| keep[i]).collect()
}

/// The events as parallel columns (`t`, `lane`, `k`, `id`, `off`, `msg`, `src`, `pid`, `who`,
/// `rs`): 100,000 objects would cost more to parse and hold than arrays.
fn event_columns(
    r: &Report,
    drawn: &[usize],
    host_idx: &BTreeMap<&str, usize>,
    lane_idx: &BTreeMap<(usize, String), usize>,
    kind_idx: &BTreeMap<&str, usize>,
    paths: &mut Paths,
) -> Value {
    let n = drawn.len();
    let events = || drawn.iter().map(|&i| &r.events[i]);
    // Restarts (events::routine::mark_restarts) are drawn as such; other starts are not.
    let rs: Vec<u8> = events()
        .map(|e| crate::events::routine::is_restart(e) as u8)
        .collect();
    let (mut t, mut lane, mut k, mut id, mut off, mut msg, mut src, mut pid, mut who) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for e in events() {
        let hi = host_idx[&*e.host];
        let li = lane_name(e)
            .and_then(|nm| lane_idx.get(&(hi, nm)).copied())
            .unwrap_or_else(|| lane_idx[&(hi, String::new())]);
        t.push(json!(ms(e.time.micros)));
        lane.push(li);
        k.push(kind_idx.get(e.kind.as_str()).copied().unwrap_or(0));
        id.push(e.id);
        off.push(e.time.offset_s);
        msg.push(e.message.clone());
        // The raw line is the evidence; when the pipeline kept none, the message stands in.
        src.push(Value::Array(paths.src(&e.sources)));
        pid.push(e.pid);
        who.push(
            e.process
                .as_deref()
                .or(e.program.as_deref())
                .or(e.unit.as_deref()),
        );
    }
    json!({"t": t, "lane": lane, "k": k, "id": id, "off": off, "msg": msg, "src": src, "pid": pid, "who": who, "rs": rs})
}

/// Source paths, each written once; a location is `[path index, line]` or `[path index,
/// cursor]`.
#[derive(Default)]
struct Paths {
    list: Vec<String>,
    idx: BTreeMap<String, usize>,
}

impl Paths {
    fn src(&mut self, locs: &[crate::model::Location]) -> Vec<Value> {
        locs.iter()
            .map(|l| {
                let p = l.path();
                let i = match self.idx.get(p) {
                    Some(&i) => i,
                    None => {
                        self.list.push(p.to_string());
                        self.idx.insert(p.to_string(), self.list.len() - 1);
                        self.list.len() - 1
                    }
                };
                match l {
                    crate::model::Location::Line { line, .. } => json!([i, line]),
                    crate::model::Location::Cursor { cursor, .. } => json!([i, cursor]),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_its_script() {
        let v = json!({"a": "</script><script>alert(1)</script><!-- & \u{2028}\u{2029}"});
        let s = embed_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v, "the escapes decode to the original text");
    }

    #[test]
    fn the_script_never_builds_html_from_strings() {
        for bad in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "http://",
            "https://",
        ] {
            assert!(!JS.contains(bad), "timeline.js must not use {bad}");
        }
        for bad in ["url(", "@import", "http:", "https:"] {
            assert!(
                !CSS.contains(bad),
                "timeline.css must not load anything ({bad})"
            );
        }
    }
}
