//! Basic value types shared by every layer: instants with their original offset, source
//! locations, and the typed error every library layer reports with.
//!
//! Times are UTC instants plus the offset the log line was written in (DESIGN.md §6.7), so a
//! report can show both "what UTC said" and "what the on-call engineer saw on the box".

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use serde::{Serialize, Serializer};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A UTC instant and the UTC offset (seconds east) of the clock that wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Microseconds since the Unix epoch, UTC.
    pub micros: i64,
    /// Offset of the writer's local clock, seconds east of UTC.
    pub offset_s: i32,
}

impl Timestamp {
    pub fn from_utc_micros(micros: i64, offset_s: i32) -> Self {
        Timestamp { micros, offset_s }
    }

    pub fn from_datetime<Tz: TimeZone>(dt: &DateTime<Tz>) -> Self {
        let fixed = dt.fixed_offset();
        Timestamp {
            micros: dt.timestamp_micros(),
            offset_s: fixed.offset().local_minus_utc(),
        }
    }

    pub fn utc(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_micros(self.micros).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The instant on the writer's own clock.
    pub fn local(&self) -> DateTime<FixedOffset> {
        let off = FixedOffset::east_opt(self.offset_s).unwrap_or(FixedOffset::east_opt(0).unwrap());
        self.utc().with_timezone(&off)
    }

    /// RFC 3339, UTC, `Z`, microseconds: the report contract's time format.
    pub fn rfc3339(&self) -> String {
        self.utc().to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    pub fn seconds_since(&self, earlier: &Timestamp) -> f64 {
        (self.micros - earlier.micros) as f64 / 1e6
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "time".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "RFC 3339, UTC, `Z`, microseconds.",
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"
        })
    }
}

/// Where a record came from: a line of a text input, or an entry of a journal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "source")]
pub enum Location {
    Line { path: Arc<str>, line: u64 },
    Cursor { path: Arc<str>, cursor: String },
}

impl Location {
    pub fn path(&self) -> &str {
        match self {
            Location::Line { path, .. } | Location::Cursor { path, .. } => path,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { path, line } => write!(f, "{path}:{line}"),
            Location::Cursor { path, cursor } => write!(f, "{path}@{cursor}"),
        }
    }
}

/// Errors of the library layers. The binary turns them into `logautopsy: PATH: reason`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}{hint}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
        hint: &'static str,
    },
    #[error("{path}: {msg}")]
    Input { path: PathBuf, msg: String },
    #[error("{0}")]
    Config(String),
    #[error("{file}: {msg}")]
    Pattern { file: String, msg: String },
}

impl Error {
    /// An I/O error on `path`, with a hint for the errors users can fix themselves.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let hint = match source.kind() {
            std::io::ErrorKind::PermissionDenied => {
                " (run as root or as a member of the `adm` group, or copy the logs with sudo first)"
            }
            std::io::ErrorKind::NotFound => {
                " (check the path; globs are expanded by logautopsy too)"
            }
            _ => "",
        };
        Error::Io {
            path: path.into(),
            source,
            hint,
        }
    }
}

impl Error {
    /// An I/O error writing `path` (a report, a dataset, standard output), with the hints for
    /// writing — not those for reading logs.
    pub fn output(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let hint = match source.kind() {
            std::io::ErrorKind::PermissionDenied => " (choose a directory you can write to)",
            std::io::ErrorKind::StorageFull => " (free some space or write elsewhere)",
            _ => "",
        };
        Error::Io {
            path: path.into(),
            source,
            hint,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_utc_with_micros_and_z() {
        let dt = DateTime::parse_from_rfc3339("2025-09-27T19:13:48.368+05:30").unwrap();
        let t = Timestamp::from_datetime(&dt);
        assert_eq!(t.rfc3339(), "2025-09-27T13:43:48.368000Z");
        assert_eq!(t.offset_s, 19800);
        assert_eq!(t.local().to_rfc3339(), "2025-09-27T19:13:48.368+05:30");
    }
}
