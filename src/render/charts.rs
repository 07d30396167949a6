//! Charts (plotters), as PNG or SVG: the picture to paste next to the post-mortem.
//!
//! Three charts, all from the Report:
//! * **timeline** — one lane per host: backup windows as shaded bands labelled with their
//!   duration, and markers for OOM kills, unit stops/failures, supervisor shutdowns, orphaned
//!   workers and restarts;
//! * **memory** — what held the memory at each OOM kill: resident memory by process name, one bar
//!   per incident;
//! * **backups** — backup duration per run over time, one line per host and job.
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
            Chart::Timeline => (1400, 150 + 70 * report.hosts.len().clamp(1, 40) as u32),
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
    Timestamp::from_utc_micros(t0 + (h * HOUR_US) as i64, 0)
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

/// Marker classes of the timeline, in legend order.
const MARKS: &[(&str, RGBColor, &[&str])] = &[
    (
        "OOM kill",
        RGBColor(214, 39, 40),
        &["oom_kill", "oomd_kill", "worker_killed"],
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
        "orphaned worker",
        RGBColor(140, 86, 75),
        &["unit_remains_running", "unit_leftover_process"],
    ),
    (
        "restart",
        RGBColor(44, 160, 44),
        // Starts count only when they are restarts (`events::routine::is_restart`).
        &["unit_restart_scheduled"],
    ),
];

fn timeline<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> DrawResult<DB> {
    let title = "Timeline: backups, OOM kills, stops and restarts per host (UTC)";
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
        let mut v: Vec<&str> = r.events.iter().map(|e| e.host.as_str()).collect();
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
    let fmt = if span > 48.0 {
        "%m-%d %H:%M"
    } else {
        "%d %H:%M"
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(120)
        .build_cartesian_2d(-pad..span + pad, 0f64..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(10)
        .x_label_formatter(&|h| label_time(t0, *h, fmt))
        .x_desc("time (UTC)")
        .label_style(("sans-serif", 14))
        .draw()?;
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
    let lane_y = |host: &str| lane.get(host).map(|i| n - *i as f64 - 0.5);
    // Backup bands, with their duration above.
    for w in &r.backup_windows {
        let Some(y) = lane_y(&w.host) else { continue };
        let x0 = hours(&w.start, t0);
        let (x1, color, label) = match (w.end, w.duration_s) {
            (Some(e), Some(d)) => (
                hours(&e, t0),
                RGBColor(31, 119, 180).mix(0.25),
                crate::format::duration(d),
            ),
            _ => (
                span,
                RGBColor(31, 119, 180).mix(0.10),
                "end unknown".to_string(),
            ),
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y - 0.38), (x1.max(x0 + span / 800.0), y + 0.38)],
            color.filled(),
        )))?;
        let (px, py) = chart.backend_coord(&(x0, y + 0.38));
        root.draw(&Text::new(
            label,
            (px + 2, py - 2),
            ("sans-serif", 12).into_font().color(&RGBColor(31, 80, 140)),
        ))?;
    }
    // Markers, one series per class so the legend explains them.
    for (ci, (name, color, kinds)) in MARKS.iter().enumerate() {
        let dy = (ci as f64 - 2.0) * 0.12;
        let pts: Vec<(f64, f64)> = r
            .events
            .iter()
            .filter(|e| {
                kinds.contains(&e.kind.as_str())
                    || (*name == "restart" && crate::events::routine::is_restart(e))
            })
            .filter_map(|e| lane_y(&e.host).map(|y| (hours(&e.time, t0), y + dy)))
            .collect();
        let c = *color;
        chart
            .draw_series(pts.into_iter().map(move |p| Circle::new(p, 5, c.filled())))?
            .label(*name)
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, c.filled()));
    }
    let c = RGBColor(31, 119, 180).mix(0.25);
    chart
        .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
        .label("backup window")
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], c.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()?;
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

fn memory<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> DrawResult<DB> {
    let title = "Memory at each OOM kill, by process (resident, MiB)";
    let incs: Vec<_> = r
        .incidents
        .iter()
        .filter(|i| !i.memory_top.is_empty())
        .take(PALETTE.len())
        .collect();
    if incs.is_empty() {
        return nothing(root, title, "No OOM kill with a task table in this report.");
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
    let max_mib = procs
        .first()
        .map(|p| p.1 as f64 / 1024.0)
        .unwrap_or(1.0)
        .max(1.0)
        * 1.15;
    let np = procs.len() as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(140)
        .build_cartesian_2d(0f64..max_mib, 0f64..np)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc("resident memory (MiB)")
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
    for (k, i) in incs.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let bars: Vec<Rectangle<(f64, f64)>> = procs
            .iter()
            .enumerate()
            .filter_map(|(pi, (p, _))| {
                let m = i.memory_top.iter().find(|m| m.process == *p)?;
                let top = np - pi as f64 - 0.1 - k as f64 * w;
                Some(Rectangle::new(
                    [(0.0, top - w), (m.rss_kb as f64 / 1024.0, top)],
                    color.filled(),
                ))
            })
            .collect();
        let label = format!(
            "{} {} {} UTC",
            i.id,
            truncate(&i.host, 16),
            i.start.utc().format("%Y-%m-%d %H:%M")
        );
        chart
            .draw_series(bars)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()?;
    Ok(())
}

fn backups<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> DrawResult<DB> {
    let title = "Backup duration per run (minutes)";
    let mut series: BTreeMap<(String, String), Vec<(i64, f64)>> = BTreeMap::new();
    for w in &r.backup_windows {
        let job = w
            .command
            .clone()
            .or_else(|| w.unit.clone())
            .unwrap_or_else(|| "?".into());
        if let Some(d) = w.duration_s {
            series
                .entry((w.host.clone(), job))
                .or_default()
                .push((w.start.micros, d / 60.0));
        }
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
    let t0 = series
        .values()
        .flat_map(|v| v.iter().map(|p| p.0))
        .min()
        .unwrap_or(0);
    let t1 = series
        .values()
        .flat_map(|v| v.iter().map(|p| p.0))
        .max()
        .unwrap_or(t0);
    let span = ((t1 - t0) as f64 / HOUR_US).max(1.0);
    let ymax = series
        .values()
        .flat_map(|v| v.iter().map(|p| p.1))
        .fold(1.0f64, f64::max)
        * 1.15;
    let fmt = if span > 72.0 {
        "%Y-%m-%d"
    } else {
        "%m-%d %H:%M"
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(-span * 0.03..span * 1.03, 0f64..ymax)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .x_label_formatter(&|h| label_time(t0, *h, fmt))
        .x_desc("run start (UTC)")
        .y_desc("minutes")
        .label_style(("sans-serif", 14))
        .draw()?;
    for (k, ((host, job), pts)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let pts: Vec<(f64, f64)> = pts
            .iter()
            .map(|(t, m)| ((*t - t0) as f64 / HOUR_US, *m))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
            .label(format!("{}: {}", truncate(host, 16), truncate(job, 48)))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
            });
        chart.draw_series(
            pts.into_iter()
                .map(move |p| Circle::new(p, 4, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()?;
    Ok(())
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
