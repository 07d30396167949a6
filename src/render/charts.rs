//! Charts (plotters), as PNG or SVG: the picture to paste next to the post-mortem.
//!
//! Three charts, all from the Report:
//! * **timeline** — one lane per host: incidents shaded, backup windows as bands labelled with
//!   their duration, and markers for OOM kills, unit stops/failures, supervisor shutdowns,
//!   orphaned workers and restarts (OOM kills drawn last, on top);
//! * **memory** — what held the memory at each OOM kill: resident memory by process name, one bar
//!   per incident, in GiB past 2 GiB, the victim, trigger and likely backup marked; OOM
//!   incidents without a task table are named in the legend, not silently left out;
//! * **backups** — backup duration per run over time, one line per host and job, runs that
//!   failed or overlapped an incident marked.
//!
//! Every legend sits in a panel beside the plot (never over data); labels that would collide
//! go to a second row or are left out and counted; time axes show hours under ten days.
//!
//! Which chart `-o FILE.png` / `-o FILE.svg` writes is chosen by the file name's stem
//! ([`Chart::for_path`]): a stem containing `memory` or `mem` gives the memory chart, one
//! containing `backup` the backup chart, anything else (e.g. `timeline.svg`, `report.png`) the
//! timeline. So `-o timeline.svg -o memory.png -o backups.png` writes all three.
//!
//! Text is drawn with DejaVu Sans compiled into the binary (`assets/fonts/`, licence beside it)
//! through plotters' `ab_glyph` backend: no fontconfig, no system fonts, same pixels everywhere.
//! Output is deterministic: same Report, same bytes.

use crate::model::{Error, Result, Timestamp};
use crate::report::Report;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Which chart to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    Timeline,
    Memory,
    Backups,
}

impl Chart {
    /// The chart for an output path, by file stem (see the module doc); stdout gets the timeline.
    pub fn for_path(path: Option<&Path>) -> Chart {
        let stem = path
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if stem.contains("mem") {
            Chart::Memory
        } else if stem.contains("backup") {
            Chart::Backups
        } else {
            Chart::Timeline
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Chart::Timeline => "timeline",
            Chart::Memory => "memory",
            Chart::Backups => "backups",
        }
    }

    /// Pixel size of the chart for this report.
    pub fn size(self, report: &Report) -> (u32, u32) {
        match self {
            // Tall enough for the legend panel beside a single lane.
            Chart::Timeline => (
                1400,
                (150 + 70 * report.hosts.len().clamp(1, 40) as u32).max(330),
            ),
            Chart::Memory => (1100, 620),
            Chart::Backups => (1100, 560),
        }
    }
}

fn font_ready() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Config(
            "the embedded chart font could not be loaded".into(),
        ))
    }
}

fn draw_err<E: std::fmt::Debug>(chart: Chart) -> impl Fn(E) -> Error {
    move |e| {
        Error::io(
            format!("<{} chart>", chart.name()),
            std::io::Error::other(format!("drawing failed: {e:?}")),
        )
    }
}

/// The chart as an SVG document.
pub fn svg(report: &Report, chart: Chart) -> Result<String> {
    font_ready()?;
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, chart.size(report)).into_drawing_area();
        draw(&root, report, chart)?;
        root.present().map_err(draw_err(chart))?;
    }
    Ok(s)
}

/// The chart as a PNG image.
pub fn png(report: &Report, chart: Chart) -> Result<Vec<u8>> {
    font_ready()?;
    let (w, h) = chart.size(report);
    let mut buf = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(&root, report, chart)?;
        root.present().map_err(draw_err(chart))?;
    }
    let mut out = Vec::new();
    use image::ImageEncoder;
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&buf, w, h, image::ColorType::Rgb8)
        .map_err(draw_err(chart))?;
    Ok(out)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report, chart: Chart) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err(chart))?;
    match chart {
        Chart::Timeline => timeline(root, r).map_err(draw_err(chart)),
        Chart::Memory => memory(root, r).map_err(draw_err(chart)),
        Chart::Backups => backups(root, r).map_err(draw_err(chart)),
    }
}

type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

const HOUR_US: f64 = 3_600_000_000.0;

fn hours(t: &Timestamp, t0: i64) -> f64 {
    (t.micros - t0) as f64 / HOUR_US
}

fn label_time(t0: i64, h: f64, fmt: &str) -> String {
    Timestamp::from_utc_micros(t0 + (h * HOUR_US).round() as i64, 0)
        .utc()
        .format(fmt)
        .to_string()
}

fn nothing<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    what: &str,
) -> DrawResult<DB> {
    root.draw(&Text::new(
        title.to_string(),
        (20, 20),
        ("sans-serif", 24).into_font(),
    ))?;
    root.draw(&Text::new(
        what.to_string(),
        (20, 70),
        ("sans-serif", 18).into_font().color(&RGBColor(90, 90, 90)),
    ))?;
    Ok(())
}

/// Width of the legend panel beside the plot: legends never cover data.
const LEGEND_W: u32 = 270;

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Swatch {
    Dot(RGBColor),
    Band(RGBColor, f64),
    Line(RGBColor),
    Ring(RGBColor),
    Cross(RGBColor),
    /// Text only (a note under the entries).
    Note,
}

/// The legend panel: entries with swatches, then notes, wrapped to the panel's width.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String)],
) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let font = ("sans-serif", 13).into_font();
    let note_font = ("sans-serif", 12).into_font().color(&RGBColor(90, 90, 90));
    let mut y = 30i32;
    for (sw, text) in entries {
        let (x, cy) = (10i32, y + 7);
        match *sw {
            Swatch::Dot(c) => area.draw(&Circle::new((x + 8, cy), 5, c.filled()))?,
            Swatch::Band(c, a) => area.draw(&Rectangle::new(
                [(x, cy - 6), (x + 16, cy + 6)],
                c.mix(a).filled(),
            ))?,
            Swatch::Line(c) => area.draw(&PathElement::new(
                vec![(x, cy), (x + 16, cy)],
                c.stroke_width(2),
            ))?,
            Swatch::Ring(c) => area.draw(&Circle::new((x + 8, cy), 7, c.stroke_width(2)))?,
            Swatch::Cross(c) => area.draw(&Cross::new((x + 8, cy), 5, c.stroke_width(2)))?,
            Swatch::Note => {}
        }
        let (tx, f) = match sw {
            Swatch::Note => (x, &note_font),
            _ => (x + 24, &font.color(&BLACK)),
        };
        // Wrap on words to the panel's width (about 7 px a character at 13 px).
        let per_line = ((w as i32 - tx - 6) / 7).max(10) as usize;
        for line in wrap_words(text, per_line) {
            area.draw(&Text::new(line, (tx, y), f.clone()))?;
            y += 17;
        }
        y += 5;
    }
    Ok(())
}

fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let cur = lines.last_mut().expect("one line");
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines
}

/// The plot area and the legend panel.
type Areas<DB> = std::result::Result<
    (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>),
    DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>,
>;

/// The title above, the plot and the legend panel side by side below it. Text placed at a
/// chart's `backend_coord` is drawn on `root`: those coordinates are the backend's, not the
/// plot area's.
fn layout<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str) -> Areas<DB> {
    let body = root.margin(8, 0, 0, 0).titled(title, ("sans-serif", 22))?;
    let (w, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(w.saturating_sub(LEGEND_W)))
}

/// Time-axis labels: hours whenever the span is under ten days, the date always.
fn time_format(span_h: f64) -> &'static str {
    if span_h > 240.0 {
        "%Y-%m-%d"
    } else {
        "%m-%d %H:%M"
    }
}

/// Tick positions on a time axis, in hours from `t0` (µs): whole hours, days or weeks, at most
/// `max` of them between `lo` and `hi` hours, each with its label (`fmt`).
fn time_ticks(t0: i64, lo: f64, hi: f64, max: usize, fmt: &str) -> Vec<(f64, String)> {
    const STEPS_H: &[f64] = &[
        0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0, 336.0, 720.0, 2160.0, 8760.0,
    ];
    let span = (hi - lo).max(1e-9);
    let step = STEPS_H
        .iter()
        .copied()
        .find(|s| span / s <= max as f64)
        .unwrap_or(8760.0);
    // Ticks sit on multiples of the step since the epoch (UTC midnights for days).
    let base_h = t0 as f64 / HOUR_US;
    let first = ((base_h + lo) / step).ceil() * step - base_h;
    let mut out = Vec::new();
    let mut h = first;
    while h <= hi + 1e-9 && out.len() <= max {
        out.push((h, label_time(t0, h, fmt)));
        h += step;
    }
    out
}

/// Draws time ticks under a plot: light lines across it and labels below (plotters' own labels
/// fall at arbitrary hours).
fn draw_time_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    ticks: &[(f64, String)],
    y_range: (f64, f64),
) -> DrawResult<DB> {
    for (h, label) in ticks {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*h, y_range.0), (*h, y_range.1)],
            RGBColor(215, 215, 215),
        )))?;
        let (px, py) = chart.backend_coord(&(*h, y_range.0));
        let font = ("sans-serif", 14).into_font();
        let w = root.estimate_text_size(label, &font.clone().into())?.0 as i32;
        root.draw(&Text::new(label.clone(), (px - w / 2, py + 6), font))?;
    }
    Ok(())
}

/// Axis numbers without a useless `.0`.
fn axis_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Labels placed left to right in rows: a label goes in the first row where it does not
/// overlap the previous one, or is left out (and counted).
struct Rows {
    right: Vec<i32>,
    hidden: usize,
}

impl Rows {
    fn new(rows: usize) -> Self {
        Rows {
            right: vec![i32::MIN; rows],
            hidden: 0,
        }
    }
    /// The row for a label from `x` that is `width` px wide, if one has room.
    fn place(&mut self, x: i32, width: i32) -> Option<usize> {
        let row = self.right.iter().position(|&r| x > r + 4);
        match row {
            Some(k) => {
                self.right[k] = x + width;
                Some(k)
            }
            None => {
                self.hidden += 1;
                None
            }
        }
    }
}

/// Marker classes of the timeline, least important first: drawn in this order, so an OOM kill
/// is never hidden under a restart or an orphan.
const MARKS: &[(&str, RGBColor, &[&str])] = &[
    (
        "restart",
        RGBColor(44, 160, 44),
        // Starts count only when they are restarts (`events::routine::is_restart`).
        &["unit_restart_scheduled"],
    ),
    (
        "orphaned worker",
        RGBColor(140, 86, 75),
        &["unit_remains_running", "unit_leftover_process"],
    ),
    (
        "supervisor shutdown",
        RGBColor(148, 103, 189),
        &[
            "supervisor_signal",
            "supervisor_stopped",
            "supervisor_sigkill",
            "supervisor_fatal",
            "supervisorctl_shutdown",
            "supervisor_waiting",
        ],
    ),
    (
        "unit stop/failure",
        RGBColor(255, 127, 14),
        &[
            "unit_stopped",
            "unit_failed",
            "unit_oom",
            "unit_stop_timeout",
        ],
    ),
    (
        "OOM kill",
        RGBColor(214, 39, 40),
        &["oom_kill", "oomd_kill", "worker_killed", "oom_no_killable"],
    ),
];

const BACKUP: RGBColor = RGBColor(31, 119, 180);
const INCIDENT: RGBColor = RGBColor(214, 39, 40);

fn timeline<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> DrawResult<DB> {
    let title = "Timeline: incidents, backups, OOM kills, stops and restarts per host (UTC)";
    let (Some(t0), Some(t1)) = (
        r.events
            .iter()
            .map(|e| e.time.micros)
            .chain(r.backup_windows.iter().map(|w| w.start.micros))
            .min(),
        r.events
            .iter()
            .map(|e| e.time.micros)
            .chain(
                r.backup_windows
                    .iter()
                    .filter_map(|w| w.end.map(|e| e.micros)),
            )
            .max(),
    ) else {
        return nothing(root, title, "No events in this report.");
    };
    let hosts: Vec<&str> = if r.hosts.is_empty() {
        let mut v: Vec<&str> = r.events.iter().map(|e| &*e.host).collect();
        v.sort();
        v.dedup();
        v
    } else {
        r.hosts.iter().map(|h| h.name.as_str()).collect()
    };
    let lane: BTreeMap<&str, usize> = hosts.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let n = hosts.len().max(1) as f64;
    let span = ((t1 - t0) as f64 / HOUR_US).max(1.0 / 60.0);
    let pad = span * 0.02;
    let fmt = time_format(span);
    let (plot, side) = layout(root, title)?;
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .margin_right(50)
        .x_label_area_size(40)
        .y_label_area_size(120)
        .build_cartesian_2d(-pad..span + pad, 0f64..n)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .y_labels(0)
        .x_labels(0)
        .x_desc("time (UTC)")
        .label_style(("sans-serif", 14))
        .draw()?;
    let ticks = time_ticks(t0, -pad, span + pad, 8, fmt);
    draw_time_axis(root, &mut chart, &ticks, (0.0, n))?;
    // Lane separators and host names (drawn by hand: plotters' numeric y labels cannot be
    // centred on a lane).
    for (i, h) in hosts.iter().enumerate() {
        let y = n - i as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-pad, y - 1.0), (span + pad, y - 1.0)],
            RGBColor(220, 220, 220),
        )))?;
        let (px, py) = chart.backend_coord(&(-pad, y - 0.5));
        root.draw(&Text::new(
            truncate(h, 14),
            (px - 112, py - 8),
            ("sans-serif", 16).into_font(),
        ))?;
    }
    let lanes = Lanes { t0, span, n, lane };
    shade_incidents(root, &mut chart, r, &lanes)?;
    let (hidden, open_ended) = backup_bands(root, &mut chart, r, &lanes)?;
    draw_markers(&mut chart, r, &lanes)?;
    let mut entries: Vec<(Swatch, String)> = MARKS
        .iter()
        .rev()
        .map(|(name, color, _)| (Swatch::Dot(*color), name.to_string()))
        .collect();
    entries.push((
        Swatch::Band(BACKUP, 0.28),
        "backup window (label: duration)".into(),
    ));
    entries.push((
        Swatch::Band(INCIDENT, 0.16),
        "incident (id, severity)".into(),
    ));
    if hidden > 0 {
        entries.push((
            Swatch::Note,
            format!("{hidden} backup label(s) left out where runs are close: every duration is in the Markdown and HTML reports."),
        ));
    }
    if open_ended > 0 {
        entries.push((
            Swatch::Note,
            format!(
                "{open_ended} backup run(s) with no end in the logs: drawn pale to the right edge."
            ),
        ));
    }
    legend(&side, &entries)
}

/// The plot of a chart with two f64 axes.
type Plot<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Where a host's lane and a time are on the timeline.
struct Lanes<'r> {
    /// First time (µs) and span (hours) of the axis.
    t0: i64,
    span: f64,
    n: f64,
    lane: BTreeMap<&'r str, usize>,
}

impl Lanes<'_> {
    /// The centre of a host's lane.
    fn y(&self, host: &str) -> Option<f64> {
        self.lane.get(host).map(|i| self.n - *i as f64 - 0.5)
    }
    fn x(&self, t: &Timestamp) -> f64 {
        hours(t, self.t0)
    }
    /// The narrowest band drawn: a 90-second cascade in a week stays visible.
    fn min_w(&self) -> f64 {
        self.span / 400.0
    }
}

/// Incidents shaded behind everything, their id and severity at the lane's foot.
fn shade_incidents<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    r: &Report,
    lanes: &Lanes<'_>,
) -> DrawResult<DB> {
    let font12 = ("sans-serif", 12).into_font();
    let mut rows: BTreeMap<&str, Rows> = BTreeMap::new();
    for i in &r.incidents {
        let Some(y) = lanes.y(&i.host) else { continue };
        let (x0, x1) = (lanes.x(&i.start), lanes.x(&i.end));
        let alpha = if i.severity >= crate::report::Severity::High {
            0.16
        } else {
            0.09
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y - 0.5), (x1.max(x0 + lanes.min_w()), y + 0.5)],
            INCIDENT.mix(alpha).filled(),
        )))?;
        let label = format!("{} {}", i.id, i.severity.as_str().to_uppercase());
        let (px, py) = chart.backend_coord(&(x0, y - 0.5));
        let width = root.estimate_text_size(&label, &font12.clone().into())?.0 as i32;
        let lane_rows = rows.entry(&*i.host).or_insert_with(|| Rows::new(1));
        if lane_rows.place(px, width).is_some() {
            root.draw(&Text::new(
                label,
                (px + 2, py - 15),
                font12.color(&RGBColor(160, 30, 30)),
            ))?;
        }
    }
    Ok(())
}

/// Backup bands with their duration above (two rows of labels per lane). Returns how many
/// labels had no room and how many runs have no end.
fn backup_bands<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    r: &Report,
    lanes: &Lanes<'_>,
) -> std::result::Result<(usize, usize), DrawingAreaErrorKind<DB::ErrorType>> {
    let font12 = ("sans-serif", 12).into_font();
    let mut rows: BTreeMap<&str, Rows> = BTreeMap::new();
    let mut open_ended = 0;
    for w in &r.backup_windows {
        let Some(y) = lanes.y(&w.host) else { continue };
        let x0 = lanes.x(&w.start);
        let (x1, alpha, label) = match (w.end, w.duration_s) {
            (Some(e), Some(d)) => (lanes.x(&e), 0.28, crate::format::duration(d)),
            _ => {
                open_ended += 1;
                (lanes.span, 0.10, "end unknown".to_string())
            }
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y - 0.30), (x1.max(x0 + lanes.min_w()), y + 0.30)],
            BACKUP.mix(alpha).filled(),
        )))?;
        let (px, py) = chart.backend_coord(&(x0, y + 0.30));
        let width = root.estimate_text_size(&label, &font12.clone().into())?.0 as i32;
        let lane_rows = rows.entry(&*w.host).or_insert_with(|| Rows::new(2));
        if let Some(row) = lane_rows.place(px, width) {
            root.draw(&Text::new(
                label,
                (px + 2, py - 14 - 13 * row as i32),
                font12.color(&RGBColor(31, 80, 140)),
            ))?;
        }
    }
    Ok((rows.values().map(|r| r.hidden).sum(), open_ended))
}

/// Markers, least important class first (see `MARKS`).
fn draw_markers<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    r: &Report,
    lanes: &Lanes<'_>,
) -> DrawResult<DB> {
    for (ci, (name, color, kinds)) in MARKS.iter().enumerate() {
        let dy = (2.0 - ci as f64) * 0.09;
        let pts: Vec<(f64, f64)> = r
            .events
            .iter()
            .filter(|e| {
                kinds.contains(&e.kind.as_str())
                    || (*name == "restart" && crate::events::routine::is_restart(e))
            })
            .filter_map(|e| lanes.y(&e.host).map(|y| (lanes.x(&e.time), y + dy)))
            .collect();
        let c = *color;
        chart.draw_series(pts.into_iter().map(move |p| Circle::new(p, 5, c.filled())))?;
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

const PALETTE: &[RGBColor] = &[
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// What a memory row held that a reader must see: the victim, the trigger, a likely backup.
fn row_marks(m: &crate::report::MemoryUse) -> String {
    let mut marks: Vec<&str> = Vec::new();
    for (needle, mark) in [
        ("oom victim", "victim"),
        ("oom trigger", "trigger"),
        ("likely backup", "backup?"),
    ] {
        if m.includes.iter().any(|s| s.starts_with(needle)) && !marks.contains(&mark) {
            marks.push(mark);
        }
    }
    marks.join(", ")
}

fn memory<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> DrawResult<DB> {
    let title = "What held the memory at each OOM kill (resident, by process)";
    let incs: Vec<_> = r
        .incidents
        .iter()
        .filter(|i| !i.memory_top.is_empty())
        .take(PALETTE.len())
        .collect();
    // OOM incidents the chart cannot show are named, not silently left out.
    let untabled: Vec<String> = r
        .incidents
        .iter()
        .filter(|i| i.kind.is_oom() && i.memory_top.is_empty())
        .map(|i| {
            format!(
                "{} {} {} UTC: no task table in the OOM report (add kern.log or the journal's kernel lines)",
                i.id,
                truncate(&i.host, 16),
                i.start.utc().format("%Y-%m-%d %H:%M")
            )
        })
        .collect();
    if incs.is_empty() {
        let what = match untabled.first() {
            Some(u) => format!("Nothing to draw. {u}"),
            None => "No OOM kill with a task table in this report.".to_string(),
        };
        return nothing(root, title, &what);
    }
    // Processes ranked by their largest RSS in any incident; ties by name for determinism.
    let mut best: BTreeMap<&str, u64> = BTreeMap::new();
    for i in &incs {
        for m in &i.memory_top {
            let e = best.entry(m.process.as_str()).or_insert(0);
            *e = (*e).max(m.rss_kb);
        }
    }
    let mut procs: Vec<(&str, u64)> = best.into_iter().collect();
    procs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    procs.truncate(12);
    let max_kb = procs.first().map_or(1, |p| p.1).max(1);
    // GiB once the biggest row passes 2 GiB: "17.4", not "17800.0".
    let (unit, div) = if max_kb >= 2 * 1024 * 1024 {
        ("GiB", 1024.0 * 1024.0)
    } else {
        ("MiB", 1024.0)
    };
    // Room right of the longest bar for its size and marks.
    let max_v = max_kb as f64 / div * 1.35;
    let np = procs.len() as f64;
    let (plot, side) = layout(root, title)?;
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .margin_right(30)
        .x_label_area_size(40)
        .y_label_area_size(140)
        .build_cartesian_2d(0f64..max_v, 0f64..np)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_label_formatter(&|v| axis_num(*v))
        .x_desc(format!("resident memory ({unit})"))
        .label_style(("sans-serif", 14))
        .draw()?;
    let w = 0.8 / incs.len() as f64;
    for (pi, (p, _)) in procs.iter().enumerate() {
        let y = np - pi as f64 - 0.5;
        let (px, py) = chart.backend_coord(&(0.0, y));
        root.draw(&Text::new(
            truncate(p, 16),
            (px - 132, py - 8),
            ("sans-serif", 15).into_font(),
        ))?;
    }
    let mut entries = Vec::new();
    for (k, i) in incs.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        for (pi, (p, _)) in procs.iter().enumerate() {
            let Some(m) = i.memory_top.iter().find(|m| m.process == *p) else {
                continue;
            };
            let top = np - pi as f64 - 0.1 - k as f64 * w;
            let v = m.rss_kb as f64 / div;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, top - w), (v, top)],
                color.filled(),
            )))?;
            let marks = row_marks(m);
            let text = if marks.is_empty() {
                crate::format::size_kb(m.rss_kb)
            } else {
                format!("{} · {marks}", crate::format::size_kb(m.rss_kb))
            };
            let (px, py) = chart.backend_coord(&(v, top - w / 2.0));
            let size = if w * 60.0 >= 12.0 { 12 } else { 10 };
            root.draw(&Text::new(
                text,
                (px + 4, py - size / 2),
                ("sans-serif", size)
                    .into_font()
                    .color(&RGBColor(60, 60, 60)),
            ))?;
        }
        entries.push((
            Swatch::Band(color, 1.0),
            format!(
                "{} {} {} UTC",
                i.id,
                truncate(&i.host, 16),
                i.start.utc().format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    entries.push((
        Swatch::Note,
        "victim: the process the OOM killer killed; trigger: the one whose allocation failed; backup?: forked right after the backup's cron line.".into(),
    ));
    for u in untabled {
        entries.push((Swatch::Note, u));
    }
    legend(&side, &entries)
}

fn backups<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> DrawResult<DB> {
    let title = "Backup duration per run (minutes)";
    /// One run: start, minutes, failed, incident ids it overlapped.
    type Run = (i64, f64, bool, Vec<String>);
    let mut series: BTreeMap<(String, String), Vec<Run>> = BTreeMap::new();
    let mut open_ended = 0;
    for w in &r.backup_windows {
        let Some(d) = w.duration_s else {
            open_ended += 1;
            continue;
        };
        let failed = w.end_basis.failed();
        let incidents: Vec<String> = r
            .incidents
            .iter()
            .filter(|i| i.backup_window == Some(w.id))
            .map(|i| i.id.clone())
            .collect();
        series.entry((w.host.clone(), w.job())).or_default().push((
            w.start.micros,
            d / 60.0,
            failed,
            incidents,
        ));
    }
    if series.is_empty() {
        return nothing(
            root,
            title,
            "No backup run with a known end in this report.",
        );
    }
    for v in series.values_mut() {
        v.sort_by_key(|p| p.0);
    }
    let starts = || series.values().flat_map(|v| v.iter().map(|p| p.0));
    let t0 = starts().min().unwrap_or(0);
    let t1 = starts().max().unwrap_or(t0);
    let span = ((t1 - t0) as f64 / HOUR_US).max(1.0);
    let ymax = series
        .values()
        .flat_map(|v| v.iter().map(|p| p.1))
        .fold(1.0f64, f64::max)
        * 1.2;
    let fmt = time_format(span);
    let (plot, side) = layout(root, title)?;
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .margin_right(50)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(-span * 0.03..span * 1.03, 0f64..ymax)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&|v| axis_num(*v))
        .x_desc("run start (UTC)")
        .y_desc("minutes")
        .label_style(("sans-serif", 14))
        .draw()?;
    let ticks = time_ticks(t0, -span * 0.03, span * 1.03, 6, fmt);
    draw_time_axis(root, &mut chart, &ticks, (0.0, ymax))?;
    let mut entries = Vec::new();
    let (mut any_failed, mut any_incident) = (false, false);
    for (k, ((host, job), runs)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let pts: Vec<(f64, f64)> = runs
            .iter()
            .map(|(t, m, ..)| ((*t - t0) as f64 / HOUR_US, *m))
            .collect();
        chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?;
        chart.draw_series(pts.iter().map(move |p| Circle::new(*p, 4, color.filled())))?;
        for ((_, _, failed, incs), p) in runs.iter().zip(&pts) {
            if *failed {
                any_failed = true;
                chart.draw_series(std::iter::once(Cross::new(*p, 7, BLACK.stroke_width(2))))?;
            }
            if !incs.is_empty() {
                any_incident = true;
                chart.draw_series(std::iter::once(Circle::new(
                    *p,
                    9,
                    INCIDENT.stroke_width(2),
                )))?;
                let (px, py) = chart.backend_coord(p);
                root.draw(&Text::new(
                    incs.join(" "),
                    (px + 12, py - 6),
                    ("sans-serif", 12).into_font().color(&RGBColor(160, 30, 30)),
                ))?;
            }
        }
        entries.push((
            Swatch::Line(color),
            format!("{}: {}", truncate(host, 16), truncate(job, 60)),
        ));
    }
    if any_incident {
        entries.push((
            Swatch::Ring(INCIDENT),
            "run during an incident (its id)".into(),
        ));
    }
    if any_failed {
        entries.push((
            Swatch::Cross(BLACK),
            "failed run (cron grandchild failed, or systemd Failed with result)".into(),
        ));
    }
    if open_ended > 0 {
        entries.push((
            Swatch::Note,
            format!("{open_ended} run(s) with no end in the logs are not drawn (see the report's end_hint)."),
        ));
    }
    legend(&side, &entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_is_chosen_by_file_stem() {
        assert_eq!(
            Chart::for_path(Some(Path::new("out/memory.png"))),
            Chart::Memory
        );
        assert_eq!(
            Chart::for_path(Some(Path::new("erp1-mem.svg"))),
            Chart::Memory
        );
        assert_eq!(
            Chart::for_path(Some(Path::new("backups.svg"))),
            Chart::Backups
        );
        assert_eq!(
            Chart::for_path(Some(Path::new("timeline.png"))),
            Chart::Timeline
        );
        assert_eq!(
            Chart::for_path(Some(Path::new("report.png"))),
            Chart::Timeline
        );
        assert_eq!(Chart::for_path(None), Chart::Timeline);
    }
}
