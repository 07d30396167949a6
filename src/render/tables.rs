//! The Report as tables (polars, eager only): `events`, `incidents` and `backup_windows`, written
//! as CSV, as one Parquet file, or as a Hive-partitioned Parquet directory
//! (`DIR/events/host=web1/part-0.parquet` …) that DuckDB, Spark and `logautopsy analyze DIR/` read.
//!
//! Columns are typed: times are `Datetime(µs, "UTC")` plus an `offset_s` column (the writer's
//! clock, so local time is never lost), `host`/`kind`/`severity` are categorical, `pid` is
//! `UInt32`, and nested values (`sources`, `attrs`, chains) are JSON strings, which every tool
//! can read and which round-trip losslessly into `Event`s (`input::parquet`). CSV holds the same
//! columns with times as RFC 3339 text, because CSV has no types.
//!
//! polars also computes the aggregates the Markdown and HTML reports show ([`aggregates`]):
//! events per hour per host and backup duration statistics.
//!
//! Host names come from logs and become directory names, so they are percent-encoded
//! (`events::table::encode_partition`, shared with the reader): a host called `../../etc` cannot
//! escape the output directory.

use crate::events::table::col;
pub use crate::events::table::{decode_partition, encode_partition};
use crate::events::Event;
use crate::model::{Error, Result, Timestamp};
use crate::report::{BackupWindow, Incident, Report};
use polars::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::Path;

/// The tables a Parquet directory holds, one sub-directory each.
pub const DIR_TABLES: [&str; 3] = ["events", "incidents", "backup_windows"];

/// The file name inside each `host=…` partition.
pub const PART_FILE: &str = "part-0.parquet";

fn perr(what: &str, e: PolarsError) -> Error {
    Error::Input {
        path: what.into(),
        msg: format!("table: {e}"),
    }
}

fn cat_dtype() -> DataType {
    DataType::from_categories(Categories::global())
}

fn str_col(name: &str, v: Vec<Option<String>>) -> Column {
    Column::new(name.into(), v)
}

fn cat_col(name: &str, v: Vec<String>) -> PolarsResult<Column> {
    Column::new(name.into(), v).cast(&cat_dtype())
}

fn time_col(name: &str, v: Vec<Option<i64>>) -> PolarsResult<Column> {
    // Set the logical type directly: a `cast` to a zoned Datetime drops the zone unless polars'
    // `timezones` feature is built, and "UTC" needs no zone database.
    Ok(Series::new(name.into(), v)
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_column())
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// How a table's times are stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Times {
    /// `Datetime(µs, UTC)`: Parquet.
    Typed,
    /// RFC 3339 strings: CSV.
    Text,
}

fn times(name: &str, v: Vec<Option<Timestamp>>, mode: Times) -> PolarsResult<Column> {
    match mode {
        Times::Typed => time_col(name, v.iter().map(|t| t.map(|t| t.micros)).collect()),
        Times::Text => Ok(str_col(
            name,
            v.iter().map(|t| t.map(|t| t.rfc3339())).collect(),
        )),
    }
}

/// The events table. `with_host = false` drops the host column (it lives in the partition path).
fn events_df(events: &[&Event], with_host: bool, mode: Times) -> PolarsResult<DataFrame> {
    let mut cols = vec![
        str_col(
            col::ID,
            events.iter().map(|e| Some(e.id.to_string())).collect(),
        ),
        times(
            col::TIME,
            events.iter().map(|e| Some(e.time)).collect(),
            mode,
        )?,
        Column::new(
            col::OFFSET_S.into(),
            events.iter().map(|e| e.time.offset_s).collect::<Vec<i32>>(),
        ),
    ];
    if with_host {
        cols.push(cat_col(
            col::HOST,
            events.iter().map(|e| e.host.to_string()).collect(),
        )?);
    }
    cols.extend([
        cat_col(
            col::KIND,
            events.iter().map(|e| e.kind.as_str().to_string()).collect(),
        )?,
        Column::new(
            col::PID.into(),
            events.iter().map(|e| e.pid).collect::<Vec<Option<u32>>>(),
        ),
        str_col(
            col::PROCESS,
            events
                .iter()
                .map(|e| e.process.as_deref().map(str::to_string))
                .collect(),
        ),
        str_col(
            col::UNIT,
            events
                .iter()
                .map(|e| e.unit.as_deref().map(str::to_string))
                .collect(),
        ),
        str_col(
            col::PROGRAM,
            events
                .iter()
                .map(|e| e.program.as_deref().map(str::to_string))
                .collect(),
        ),
        str_col(
            col::MESSAGE,
            events.iter().map(|e| Some(e.message.clone())).collect(),
        ),
        str_col(
            col::SOURCES,
            events.iter().map(|e| Some(json(&e.sources))).collect(),
        ),
        str_col(
            col::ATTRS,
            events.iter().map(|e| Some(json(&e.attrs))).collect(),
        ),
        str_col(
            col::RULE,
            events.iter().map(|e| Some(e.rule.to_string())).collect(),
        ),
        str_col(
            col::IDENT,
            events.iter().map(|e| Some(e.ident.to_string())).collect(),
        ),
        // `raw` stays in the table schema: the message (the event keeps no second copy).
        str_col(
            col::RAW,
            events.iter().map(|e| Some(e.message.clone())).collect(),
        ),
    ]);
    DataFrame::new(events.len(), cols)
}

fn incidents_df(incs: &[&Incident], with_host: bool, mode: Times) -> PolarsResult<DataFrame> {
    let mut cols = vec![str_col(
        "id",
        incs.iter().map(|i| Some(i.id.clone())).collect(),
    )];
    if with_host {
        cols.push(cat_col(
            "host",
            incs.iter().map(|i| i.host.clone()).collect(),
        )?);
    }
    cols.extend([
        cat_col("kind", incs.iter().map(|i| i.kind.to_string()).collect())?,
        cat_col(
            "severity",
            incs.iter().map(|i| i.severity.to_string()).collect(),
        )?,
        times("start", incs.iter().map(|i| Some(i.start)).collect(), mode)?,
        times("end", incs.iter().map(|i| Some(i.end)).collect(), mode)?,
        Column::new(
            "offset_s".into(),
            incs.iter().map(|i| i.start.offset_s).collect::<Vec<i32>>(),
        ),
        str_col(
            "summary",
            incs.iter().map(|i| Some(i.summary.clone())).collect(),
        ),
        str_col(
            "backup_window",
            incs.iter()
                .map(|i| i.backup_window.map(|b| b.to_string()))
                .collect(),
        ),
        Column::new(
            "backup_lag_s".into(),
            incs.iter().map(|i| i.backup_lag_s).collect::<Vec<_>>(),
        ),
        Column::new(
            "oom_kill_count".into(),
            incs.iter()
                .map(|i| i.oom_kills.len() as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "supervisor_stopped".into(),
            incs.iter()
                .map(|i| i.supervisor_stopped)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "orphan_count".into(),
            incs.iter()
                .map(|i| i.orphans.len() as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "outage_s".into(),
            incs.iter().map(|i| i.outage_s).collect::<Vec<_>>(),
        ),
        str_col(
            "workers_lost",
            incs.iter().map(|i| Some(json(&i.workers_lost))).collect(),
        ),
        str_col(
            "oom_kills",
            incs.iter().map(|i| Some(json(&i.oom_kills))).collect(),
        ),
        str_col(
            "orphans",
            incs.iter().map(|i| Some(json(&i.orphans))).collect(),
        ),
        str_col(
            "memory_top",
            incs.iter().map(|i| Some(json(&i.memory_top))).collect(),
        ),
        str_col(
            "evidence",
            incs.iter().map(|i| Some(json(&i.evidence))).collect(),
        ),
        str_col("chain", incs.iter().map(|i| Some(json(&i.chain))).collect()),
        str_col(
            "recommendations",
            incs.iter()
                .map(|i| Some(json(&i.recommendations)))
                .collect(),
        ),
    ]);
    DataFrame::new(incs.len(), cols)
}

fn windows_df(ws: &[&BackupWindow], with_host: bool, mode: Times) -> PolarsResult<DataFrame> {
    let mut cols = vec![str_col(
        "id",
        ws.iter().map(|w| Some(w.id.to_string())).collect(),
    )];
    if with_host {
        cols.push(cat_col(
            "host",
            ws.iter().map(|w| w.host.clone()).collect(),
        )?);
    }
    cols.extend([
        times("start", ws.iter().map(|w| Some(w.start)).collect(), mode)?,
        times("end", ws.iter().map(|w| w.end).collect(), mode)?,
        Column::new(
            "offset_s".into(),
            ws.iter().map(|w| w.start.offset_s).collect::<Vec<i32>>(),
        ),
        cat_col(
            "end_basis",
            ws.iter()
                .map(|w| w.end_basis.as_str().to_string())
                .collect(),
        )?,
        Column::new(
            "duration_s".into(),
            ws.iter().map(|w| w.duration_s).collect::<Vec<_>>(),
        ),
        str_col("command", ws.iter().map(|w| w.command.clone()).collect()),
        str_col("unit", ws.iter().map(|w| w.unit.clone()).collect()),
        str_col("user", ws.iter().map(|w| w.user.clone()).collect()),
        str_col("events", ws.iter().map(|w| Some(json(&w.events))).collect()),
    ]);
    DataFrame::new(ws.len(), cols)
}

/// The events table with typed columns (as written to Parquet).
pub fn events_frame(report: &Report) -> Result<DataFrame> {
    let evs: Vec<&Event> = report.events.iter().collect();
    events_df(&evs, true, Times::Typed).map_err(|e| perr("events", e))
}

/// `events.csv`: the events table, times as RFC 3339 UTC text.
pub fn write_events_csv(report: &Report, out: &mut dyn Write) -> Result<()> {
    let evs: Vec<&Event> = report.events.iter().collect();
    let mut df = events_df(&evs, true, Times::Text)
        .and_then(no_formulas)
        .map_err(|e| perr("events.csv", e))?;
    CsvWriter::new(out)
        .include_header(true)
        .finish(&mut df)
        .map_err(|e| perr("events.csv", e))
}

/// Every text cell through `escape::csv_cell`: a spreadsheet opening the CSV runs no formula
/// from the logs. (Parquet keeps the text as it was: it is data, not a sheet.)
fn no_formulas(mut df: DataFrame) -> PolarsResult<DataFrame> {
    let names: Vec<PlSmallStr> = df.get_column_names_owned();
    for name in names {
        let col = df.column(&name)?;
        if !matches!(col.dtype(), DataType::String | DataType::Categorical(..)) {
            continue;
        }
        let text = col.cast(&DataType::String)?;
        let safe: StringChunked = text
            .str()?
            .iter()
            .map(|v| v.map(|v| super::escape::csv_cell(v).into_owned()))
            .collect();
        df.with_column(safe.with_name(name).into_column())?;
    }
    Ok(df)
}

fn write_parquet(df: &mut DataFrame, out: &mut dyn Write, what: &str) -> Result<()> {
    ParquetWriter::new(out)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .map(|_| ())
        .map_err(|e| perr(what, e))
}

/// `events.parquet`: the events table as one Parquet file (host as a column).
pub fn write_events_parquet(report: &Report, out: &mut dyn Write) -> Result<()> {
    let mut df = events_frame(report)?;
    write_parquet(&mut df, out, "events.parquet")
}

/// `-o DIR/`: the three tables as Parquet, partitioned by host, Hive style:
/// `DIR/{events,incidents,backup_windows}/host=<host>/part-0.parquet`.
///
/// A Parquet directory is a dataset that many runs feed (`logautopsy extract` on each host of a
/// fleet into one shared directory), so a write replaces the partitions of *this report's*
/// hosts — a host's whole `host=…` directory, so no stale file survives — and leaves every
/// other host's partitions alone. Each file is written beside its final name and renamed.
pub fn write_parquet_dir(report: &Report, dir: &Path) -> Result<()> {
    let hosts: BTreeSet<&str> = report
        .hosts
        .iter()
        .map(|h| h.name.as_str())
        .chain(report.events.iter().map(|e| &*e.host))
        .collect();
    for host in hosts {
        let evs: Vec<&Event> = report.events.iter().filter(|e| *e.host == *host).collect();
        let incs: Vec<&Incident> = report.incidents.iter().filter(|i| i.host == host).collect();
        let ws: Vec<&BackupWindow> = report
            .backup_windows
            .iter()
            .filter(|w| w.host == host)
            .collect();
        let part = crate::events::table::partition_dir(host);
        let frames = [
            ("events", events_df(&evs, false, Times::Typed)),
            ("incidents", incidents_df(&incs, false, Times::Typed)),
            ("backup_windows", windows_df(&ws, false, Times::Typed)),
        ];
        for (table, df) in frames {
            let mut df = df.map_err(|e| perr(table, e))?;
            let pdir = dir.join(table).join(&part);
            fs::create_dir_all(&pdir).map_err(|e| Error::output(&pdir, e))?;
            // Many extract jobs share a dataset, some for the same host: each writes its own
            // unpredictable temporary name and renames it over the one file it owns, so a
            // reader sees the old partition or the new one, and nothing else in the directory
            // is touched.
            let path = pdir.join(PART_FILE);
            let tmp = tempfile::Builder::new()
                .prefix(&format!(".{PART_FILE}."))
                .suffix(".logautopsy-tmp")
                .tempfile_in(&pdir)
                .map_err(|e| Error::output(&pdir, e))?;
            let _listed = crate::cleanup::list(tmp.path());
            let mut w = std::io::BufWriter::new(tmp);
            write_parquet(&mut df, &mut w, &path.to_string_lossy())?;
            let tmp = w
                .into_inner()
                .map_err(|e| Error::output(&path, e.into_error()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                tmp.as_file()
                    .set_permissions(fs::Permissions::from_mode(0o644))
                    .map_err(|e| Error::output(&path, e))?;
            }
            tmp.persist(&path)
                .map_err(|e| Error::output(&path, e.error))?;
        }
    }
    Ok(())
}

/// Aggregates the reports show, computed with polars from the Report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Aggregates {
    /// Events per UTC hour per host, sorted by host then hour.
    pub events_per_hour: Vec<HourCount>,
    /// Backup duration statistics per host and job, sorted by host then job.
    pub backups: Vec<BackupStats>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HourCount {
    pub host: String,
    /// Start of the UTC hour.
    pub hour: Timestamp,
    pub events: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackupStats {
    pub host: String,
    /// Command or unit of the job.
    pub job: String,
    pub runs: u64,
    /// Runs whose end is known (the others have no duration).
    pub ended: u64,
    pub mean_s: Option<f64>,
    pub median_s: Option<f64>,
    pub min_s: Option<f64>,
    pub max_s: Option<f64>,
    pub total_s: Option<f64>,
    /// Duration of the latest run that ended.
    pub last_s: Option<f64>,
}

impl Aggregates {
    /// The hour with the most events on `host` (earliest on ties).
    pub fn busiest_hour(&self, host: &str) -> Option<&HourCount> {
        self.events_per_hour.iter().filter(|h| h.host == host).fold(
            None,
            |best: Option<&HourCount>, h| match best {
                Some(b) if b.events >= h.events => Some(b),
                _ => Some(h),
            },
        )
    }
}

const HOUR_US: i64 = 3_600_000_000;

/// Events per hour per host and backup duration statistics.
pub fn aggregates(report: &Report) -> Result<Aggregates> {
    let mut aggs = Aggregates::default();
    events_per_hour(report, &mut aggs)?;
    backup_stats(report, &mut aggs)?;
    Ok(aggs)
}

/// Events per host and hour.
#[allow(deprecated)] // polars marks eager group-by aggregations deprecated in favour of lazy,
                     // which we keep out of the build (it doubles compile time).
fn events_per_hour(report: &Report, aggs: &mut Aggregates) -> Result<()> {
    if !report.events.is_empty() {
        let df = DataFrame::new(
            report.events.len(),
            vec![
                Column::new(
                    "host".into(),
                    report
                        .events
                        .iter()
                        .map(|e| e.host.to_string())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "hour".into(),
                    report
                        .events
                        .iter()
                        .map(|e| e.time.micros.div_euclid(HOUR_US) * HOUR_US)
                        .collect::<Vec<i64>>(),
                ),
                Column::new("n".into(), vec![1u32; report.events.len()]),
            ],
        )
        .map_err(|e| perr("aggregates", e))?;
        let counted = df
            .group_by(["host", "hour"])
            .and_then(|g| g.select(["n"]).count())
            .and_then(|d| d.sort(["host", "hour"], SortMultipleOptions::default()))
            .map_err(|e| perr("aggregates", e))?;
        let hosts = counted
            .column("host")
            .and_then(|c| c.str().cloned())
            .map_err(|e| perr("aggregates", e))?;
        let hours = counted
            .column("hour")
            .and_then(|c| c.i64().cloned())
            .map_err(|e| perr("aggregates", e))?;
        let ns = counted
            .column("n_count")
            .and_then(|c| c.cast(&DataType::UInt64))
            .and_then(|c| c.u64().cloned())
            .map_err(|e| perr("aggregates", e))?;
        for ((h, t), n) in hosts.iter().zip(hours.iter()).zip(ns.iter()) {
            if let (Some(h), Some(t), Some(n)) = (h, t, n) {
                aggs.events_per_hour.push(HourCount {
                    host: h.to_string(),
                    hour: Timestamp::from_utc_micros(t, 0),
                    events: n,
                });
            }
        }
    }
    Ok(())
}

/// Backup duration statistics per host and job.
#[allow(deprecated)] // eager group-by: see `events_per_hour`
fn backup_stats(report: &Report, aggs: &mut Aggregates) -> Result<()> {
    if !report.backup_windows.is_empty() {
        let job = |w: &BackupWindow| {
            w.command
                .clone()
                .or_else(|| w.unit.clone())
                .unwrap_or_else(|| "?".into())
        };
        let df = DataFrame::new(
            report.backup_windows.len(),
            vec![
                Column::new(
                    "host".into(),
                    report
                        .backup_windows
                        .iter()
                        .map(|w| w.host.clone())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "job".into(),
                    report.backup_windows.iter().map(job).collect::<Vec<_>>(),
                ),
                Column::new(
                    "d".into(),
                    report
                        .backup_windows
                        .iter()
                        .map(|w| w.duration_s)
                        .collect::<Vec<Option<f64>>>(),
                ),
            ],
        )
        .map_err(|e| perr("aggregates", e))?;
        let g = df
            .group_by(["host", "job"])
            .map_err(|e| perr("aggregates", e))?;
        let g = g.select(["d"]);
        type Key = (String, String);
        let mut stats: BTreeMap<Key, BackupStats> = BTreeMap::new();
        let read = |d: PolarsResult<DataFrame>, col: &str| -> Result<Vec<(Key, Option<f64>)>> {
            let d = d.map_err(|e| perr("aggregates", e))?;
            let hs = d
                .column("host")
                .and_then(|c| c.str().cloned())
                .map_err(|e| perr("aggregates", e))?;
            let js = d
                .column("job")
                .and_then(|c| c.str().cloned())
                .map_err(|e| perr("aggregates", e))?;
            let vs = d
                .column(col)
                .and_then(|c| c.cast(&DataType::Float64))
                .and_then(|c| c.f64().cloned())
                .map_err(|e| perr("aggregates", e))?;
            Ok(hs
                .iter()
                .zip(js.iter())
                .zip(vs.iter())
                .map(|((h, j), v)| {
                    (
                        (h.unwrap_or("").to_string(), j.unwrap_or("").to_string()),
                        v,
                    )
                })
                .collect())
        };
        for ((h, j), v) in read(g.count(), "d_count")? {
            stats.insert(
                (h.clone(), j.clone()),
                BackupStats {
                    host: h,
                    job: j,
                    runs: v.unwrap_or(0.0) as u64,
                    ended: 0,
                    mean_s: None,
                    median_s: None,
                    min_s: None,
                    max_s: None,
                    total_s: None,
                    last_s: None,
                },
            );
        }
        for (k, v) in read(g.mean(), "d_mean")? {
            if let Some(s) = stats.get_mut(&k) {
                s.mean_s = v;
            }
        }
        for (k, v) in read(g.median(), "d_median")? {
            if let Some(s) = stats.get_mut(&k) {
                s.median_s = v;
            }
        }
        for (k, v) in read(g.min(), "d_min")? {
            if let Some(s) = stats.get_mut(&k) {
                s.min_s = v;
            }
        }
        for (k, v) in read(g.max(), "d_max")? {
            if let Some(s) = stats.get_mut(&k) {
                s.max_s = v;
            }
        }
        // Ended count, total and last run are order-dependent or null-aware in ways polars'
        // eager group-by does not offer without `lazy`; a plain pass does them.
        let mut by_start: Vec<&BackupWindow> = report.backup_windows.iter().collect();
        by_start.sort_by_key(|w| (w.start, w.id));
        for w in by_start {
            if let Some(s) = stats.get_mut(&(w.host.clone(), job(w))) {
                if let Some(d) = w.duration_s {
                    s.ended += 1;
                    s.total_s = Some(s.total_s.unwrap_or(0.0) + d);
                    s.last_s = Some(d);
                }
            }
        }
        aggs.backups = stats.into_values().collect();
    }
    Ok(())
}
