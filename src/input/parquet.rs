//! Reading events back from Parquet written by `logautopsy extract` (or `-o events.parquet`), so
//! that `logautopsy analyze DIR/` correlates a fleet centrally without the raw logs.
//!
//! Accepts one `events.parquet` file (with a `host` column), a Hive directory as written by
//! `render::tables::write_parquet_dir` (`DIR/events/host=web1/part-0.parquet`, host taken from the
//! path and percent-decoded), or the `events/` directory itself. The read is lossless for
//! everything the table holds: ids, UTC instants with their original offsets, sources, attrs,
//! rule, ident and the raw evidence line. Files are visited in sorted path order and events are
//! returned sorted by (time, file order), so the result does not depend on directory listing order.

use crate::events::table::col;
use crate::events::{Event, EventKind};
use crate::model::{Error, Location, Result, Timestamp};
use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads every event from a Parquet file or a (Hive-partitioned) directory of them.
pub fn read_events(path: &Path) -> Result<Vec<Event>> {
    let files = if path.is_dir() {
        let root = if path.join("events").is_dir() {
            path.join("events")
        } else {
            path.to_path_buf()
        };
        let mut v = Vec::new();
        collect_parquet(&root, &mut v)?;
        v.sort();
        if v.is_empty() {
            return Err(Error::Input {
                path: path.into(),
                msg: "no .parquet files found (expected events/host=NAME/part-0.parquet, as written by `logautopsy extract -o DIR/`)".into(),
            });
        }
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut events = Vec::new();
    for f in &files {
        let host = host_from_path(f);
        read_file(f, host.as_deref(), &mut events)?;
    }
    // Stable sort: equal instants keep file order (and row order within a file).
    events.sort_by_key(|e| e.time.micros);
    Ok(events)
}

fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in rd {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // temporary and probe files
        }
        if p.is_dir() {
            collect_parquet(&p, out)?;
        } else if name.ends_with(".parquet") {
            out.push(p);
        }
    }
    Ok(())
}

/// `…/host=web%2D1/part-0.parquet` → `web-1` (the innermost `host=` component wins).
fn host_from_path(p: &Path) -> Option<String> {
    p.components().rev().find_map(|c| {
        let s = c.as_os_str().to_string_lossy();
        crate::events::table::host_of_partition_dir(&s)
    })
}

fn bad(path: &Path, msg: impl Into<String>) -> Error {
    Error::Input {
        path: path.into(),
        msg: msg.into(),
    }
}

fn strs(df: &DataFrame, name: &str, path: &Path, required: bool) -> Result<Vec<Option<String>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c
                .cast(&DataType::String)
                .map_err(|e| bad(path, format!("column {name}: {e}")))?;
            let ca = c
                .str()
                .map_err(|e| bad(path, format!("column {name}: {e}")))?;
            Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
        }
        Err(_) if !required => Ok(vec![None; df.height()]),
        Err(_) => Err(bad(
            path,
            format!("missing column `{name}`: not an events table written by logautopsy"),
        )),
    }
}

fn ints(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<i64>>> {
    let c = df.column(name).map_err(|_| {
        bad(
            path,
            format!("missing column `{name}`: not an events table written by logautopsy"),
        )
    })?;
    let c = c
        .cast(&DataType::Int64)
        .map_err(|e| bad(path, format!("column {name}: {e}")))?;
    let ca = c
        .i64()
        .map_err(|e| bad(path, format!("column {name}: {e}")))?;
    Ok(ca.iter().collect())
}

fn read_file(path: &Path, host: Option<&str>, out: &mut Vec<Event>) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| bad(path, format!("not readable as Parquet: {e}")))?;
    let n = df.height();
    let ids = strs(&df, col::ID, path, true)?;
    let times = ints(&df, col::TIME, path)?;
    let offsets = ints(&df, col::OFFSET_S, path)?;
    let hosts = if host.is_some() && df.column(col::HOST).is_err() {
        vec![host.map(str::to_string); n]
    } else {
        strs(&df, col::HOST, path, true)?
    };
    let kinds = strs(&df, col::KIND, path, true)?;
    let pids = match df.column(col::PID) {
        Ok(_) => ints(&df, col::PID, path)?,
        Err(_) => vec![None; n],
    };
    let process = strs(&df, col::PROCESS, path, false)?;
    let unit = strs(&df, col::UNIT, path, false)?;
    let program = strs(&df, col::PROGRAM, path, false)?;
    let message = strs(&df, col::MESSAGE, path, true)?;
    let sources = strs(&df, col::SOURCES, path, false)?;
    let attrs = strs(&df, col::ATTRS, path, false)?;
    let rule = strs(&df, col::RULE, path, false)?;
    let ident = strs(&df, col::IDENT, path, false)?;
    for i in 0..n {
        let row = i + 1;
        let kind_s = kinds[i].as_deref().unwrap_or("");
        let kind = EventKind::parse(kind_s).ok_or_else(|| {
            bad(
                path,
                format!(
                    "row {row}: unknown event kind `{kind_s}` (written by a newer logautopsy?)"
                ),
            )
        })?;
        let micros = times[i].ok_or_else(|| bad(path, format!("row {row}: time is null")))?;
        let offset_s = offsets[i].unwrap_or(0) as i32;
        let sources = match sources[i].as_deref() {
            Some(s) => {
                parse_sources(s).map_err(|m| bad(path, format!("row {row}: sources: {m}")))?
            }
            None => Vec::new(),
        };
        let attrs: crate::events::Attrs = match attrs[i].as_deref() {
            Some(s) => serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s)
                .map_err(|e| e.to_string())
                .and_then(crate::events::Attrs::from_json)
                .map_err(|e| bad(path, format!("row {row}: attrs: {e}")))?,
            None => Default::default(),
        };
        out.push(Event {
            id: ids[i].as_deref().unwrap_or_default().parse().map_err(
                |m: crate::events::ParseIdError| bad(path, format!("row {row}: id: {m}")),
            )?,
            time: Timestamp::from_utc_micros(micros, offset_s),
            host: crate::events::intern(hosts[i].as_deref().unwrap_or_default()),
            kind,
            pid: pids[i].and_then(|p| u32::try_from(p).ok()),
            process: process[i].as_deref().map(crate::events::intern),
            unit: unit[i].as_deref().map(crate::events::intern),
            program: program[i].as_deref().map(crate::events::intern),
            message: message[i].clone().unwrap_or_default(),
            sources,
            attrs,
            rule: crate::events::key(rule[i].as_deref().unwrap_or_default()),
            ident: crate::events::intern(ident[i].as_deref().unwrap_or_default()),
        });
    }
    Ok(())
}

/// `[{"path": "…", "line": 12}, {"path": "…", "cursor": "s=…"}]` → Locations.
fn parse_sources(s: &str) -> std::result::Result<Vec<Location>, String> {
    let v: Vec<serde_json::Value> = serde_json::from_str(s).map_err(|e| e.to_string())?;
    v.into_iter()
        .map(|o| {
            let path: Arc<str> = Arc::from(
                o.get("path")
                    .and_then(|p| p.as_str())
                    .ok_or("source without path")?,
            );
            if let Some(line) = o.get("line").and_then(|l| l.as_u64()) {
                Ok(Location::Line { path, line })
            } else if let Some(c) = o.get("cursor").and_then(|c| c.as_str()) {
                Ok(Location::Cursor {
                    path,
                    cursor: c.to_string(),
                })
            } else {
                Err("source without line or cursor".to_string())
            }
        })
        .collect()
}
