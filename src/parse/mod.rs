//! Parsing a line's envelope into a `Record`: RFC 3164, RFC 3339, RFC 5424, journalctl's short
//! family, supervisord.log and dmesg (`envelope`); year and zone policy for lines that lack them
//! (`time`).

pub mod envelope;
mod record;
pub mod time;

pub use envelope::{Envelope, LineFormat, Stamp};
pub use record::{JournalFields, Record};

use crate::model::{Location, Timestamp};
use std::sync::Arc;

/// Build a `Record` from an envelope whose time is already resolved.
pub fn record_from(env: &Envelope<'_>, time: Timestamp, source: Location) -> Record {
    Record {
        time,
        host: env.host.map(str::to_string),
        ident: env.ident.map(str::to_string),
        pid: env.pid,
        message: env.message.to_string(),
        uptime: env.uptime,
        zone_assumed: !matches!(env.stamp, Stamp::Full(_)),
        year_inferred: matches!(env.stamp, Stamp::YearLess { .. }),
        journal: None,
        source,
    }
}

/// The year given to year-less sample lines in rule files.
pub const SAMPLE_YEAR: i32 = 2025;

/// Parse one standalone line as rule samples need it: any envelope, year-less lines in
/// `SAMPLE_YEAR`, zone-less lines in UTC, raw dmesg uptimes from the epoch.
pub fn parse_line_for_sample(line: &str) -> Option<Record> {
    let env = envelope::parse(line, None)?;
    let time = match env.stamp {
        Stamp::Full(dt) => Timestamp::from_datetime(&dt),
        Stamp::Local(ndt) => time::resolve_local(ndt, None),
        Stamp::YearLess {
            month,
            day,
            time: t,
        } => time::resolve_local(
            time::with_year(SAMPLE_YEAR, month, day, t)
                .or_else(|| time::with_year(2024, month, day, t))?,
            None,
        ),
        Stamp::Uptime(up) => Timestamp::from_utc_micros((up * 1e6) as i64, 0),
        // Relative to something a single line does not have: the epoch stands in.
        Stamp::Relative(_) | Stamp::Ago(_) | Stamp::Unknown => Timestamp::from_utc_micros(0, 0),
    };
    Some(record_from(
        &env,
        time,
        Location::Line {
            path: Arc::from("<sample>"),
            line: 1,
        },
    ))
}
