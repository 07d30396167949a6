//! Second opinion on years that came from a plain file's mtime. A copy made without keeping
//! mtimes (`scp`, `cp` without `-p`, a git checkout) dates a year-less syslog to the copy's
//! year, a year or more off, splitting one outage across years. Two kinds of evidence overrule
//! such an mtime:
//!
//! * supervisord lines inside the file carry their own `YYYY-MM-DD` stamp: the year difference
//!   between that stamp and the line's inferred date is exact;
//! * otherwise, inputs of the same host whose years are firm (RFC 3339, journals, supervisord.log,
//!   gzip headers, `--year`): when the file's range lies more than `NEAR_DAYS` from all of them
//!   and a shift of one year brings it within `NEAR_DAYS`, it is shifted.
//!
//! Every shift is reported; `--year` always wins (soft files are only those without it).

use crate::config::TzPolicy;
use crate::events::routine::RoutineIndex;
use crate::events::Event;
use crate::model::Timestamp;
use crate::parse::envelope::supervisord_stamp;
use crate::parse::time::resolve_local;
use crate::report::{InputSummary, Warning, WarningKind};
use chrono::{Datelike, Months};
use std::ops::Range;

const NEAR_DAYS: i64 = 45;
const DAY_US: i64 = 86_400_000_000;

/// An input whose year came from its mtime, and its events' indices.
pub struct Soft {
    pub input: usize,
    pub events: Range<usize>,
}

fn shift(t: Timestamp, years: i32, tz: &TzPolicy, host: Option<&str>) -> Timestamp {
    let local = t.local().naive_local();
    let months = Months::new(12 * years.unsigned_abs());
    let moved = if years > 0 {
        local.checked_add_months(months)
    } else {
        local.checked_sub_months(months)
    };
    match moved {
        Some(m) => resolve_local(m, tz.for_host(host)),
        None => t,
    }
}

fn gap(a: (i64, i64), b: (i64, i64)) -> i64 {
    if a.1 < b.0 {
        b.0 - a.1
    } else if b.1 < a.0 {
        a.0 - b.1
    } else {
        0
    }
}

pub fn reconcile(
    events: &mut [Event],
    inputs: &mut [InputSummary],
    soft: &[Soft],
    tz: &TzPolicy,
    warnings: &mut Vec<Warning>,
    routine: &mut RoutineIndex,
) {
    let is_soft = |i: usize| soft.iter().any(|s| s.input == i);
    for s in soft {
        let host = inputs[s.input].host.clone();
        let (Some(first), Some(last)) = (inputs[s.input].first, inputs[s.input].last) else {
            continue;
        };
        // Exact evidence: supervisord's own stamps inside this file.
        let mut diffs: Vec<i32> = events[s.events.clone()]
            .iter()
            .filter_map(|e| {
                supervisord_stamp(&e.message).map(|(ndt, _, _)| ndt.year() - e.time.local().year())
            })
            .collect();
        diffs.sort();
        diffs.dedup();
        let (years, why) = if diffs.len() == 1 && diffs[0] != 0 {
            (diffs[0], "the dates in its supervisord lines".to_string())
        } else if diffs.is_empty() {
            // Neighbours: firm ranges of the same host.
            let firm: Vec<(i64, i64, &str)> = inputs
                .iter()
                .enumerate()
                .filter(|(i, x)| !is_soft(*i) && x.host == host && x.host.is_some())
                .filter_map(|(_, x)| Some((x.first?.micros, x.last?.micros, x.path.as_str())))
                .collect();
            let dist = |k: i64| {
                let span = (
                    first.micros + k * 365 * DAY_US,
                    last.micros + k * 365 * DAY_US,
                );
                firm.iter().map(|f| (gap(span, (f.0, f.1)), f.2)).min()
            };
            match (dist(0), dist(-1), dist(1)) {
                (Some((d0, _)), Some((dm, pm)), _)
                    if d0 > NEAR_DAYS * DAY_US && dm <= NEAR_DAYS * DAY_US =>
                {
                    (-1, format!("{pm}, of the same host"))
                }
                (Some((d0, _)), _, Some((dp, pp)))
                    if d0 > NEAR_DAYS * DAY_US && dp <= NEAR_DAYS * DAY_US =>
                {
                    (1, format!("{pp}, of the same host"))
                }
                _ => (0, String::new()),
            }
        } else {
            (0, String::new())
        };
        if years == 0 {
            continue;
        }
        for e in &mut events[s.events.clone()] {
            e.time = shift(e.time, years, tz, Some(&*e.host));
        }
        routine.retime(s.input, |t, host| shift(t, years, tz, host));
        let inp = &mut inputs[s.input];
        inp.first = Some(shift(first, years, tz, host.as_deref()));
        inp.last = Some(shift(last, years, tz, host.as_deref()));
        let year = inp.last.map(|t| t.local().year()).unwrap_or_default();
        inp.year_policy = format!(
            "{year}, from {why} (the file's mtime said {})",
            year - years
        );
        warnings.push(Warning::new(
            WarningKind::YearShifted,
            Some(&inp.path),
            format!(
                "lines have no year and the file's mtime points to {}; read as {year} instead, from {why} (pass --year to decide)",
                year - years
            ),
        ));
    }
}
