//! Backup jobs: the windows of one command/unit on one host seen as a series — how many runs,
//! how long each took, whether it is getting slower, and the schedule that explains the start
//! times. The schedule is inferred on the writer's local clock (cron runs on local time), so a
//! job at 02:30 in Berlin reads `30 2 * * *`, not its UTC hour.

use super::windows::Window;
use crate::model::Timestamp;
use crate::report::BackupJob;
use chrono::{Datelike, Timelike};
use std::collections::BTreeMap;

/// Group windows by (host, job) in first-start order.
pub(crate) fn backup_jobs(windows: &[Window]) -> Vec<BackupJob> {
    let mut groups: BTreeMap<(String, String), Vec<&Window>> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for w in windows {
        let key = (w.host.clone(), w.job());
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(w);
    }
    order
        .into_iter()
        .map(|key| {
            let ws = &groups[&key];
            let durations: Vec<Option<f64>> = ws.iter().map(|w| w.duration_s()).collect();
            let measured: Vec<f64> = durations.iter().flatten().copied().collect();
            let mean_s = (!measured.is_empty())
                .then(|| measured.iter().sum::<f64>() / measured.len() as f64);
            let max_s = measured
                .iter()
                .copied()
                .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
            let trend = match (measured.first(), measured.last()) {
                (Some(&f), Some(&l)) if measured.len() >= 2 && f > 0.0 => Some(round3((l - f) / f)),
                _ => None,
            };
            // Windows derived from `Consumed … wall clock` have a computed start, not a
            // scheduled one; they still count as runs but not for the schedule.
            let starts: Vec<Timestamp> = ws
                .iter()
                .filter(|w| w.start_idx.is_some())
                .map(|w| w.start)
                .collect();
            BackupJob {
                job: key.1.clone(),
                host: key.0.clone(),
                runs: ws.len(),
                schedule: infer_schedule(&starts),
                durations_s: durations,
                mean_s: mean_s.map(round3),
                max_s,
                trend,
            }
        })
        .collect()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Largest number of values written as a comma list before giving up on a schedule.
const MAX_LIST: usize = 6;

/// Infer a cron expression (`m h dom mon dow`) from start times, read on each start's own
/// local clock. Needs at least two runs; returns `None` when the starts fit no simple schedule
/// (e.g. a timer with a randomised delay).
pub fn infer_schedule(starts: &[Timestamp]) -> Option<String> {
    if starts.len() < 2 {
        return None;
    }
    let mut locals: Vec<chrono::DateTime<chrono::FixedOffset>> =
        starts.iter().map(|t| t.local()).collect();
    locals.sort();
    // Minutes since the first start, on the local clock (cron fires at second 0; the log line
    // may be a second late).
    let mins: Vec<i64> = locals
        .iter()
        .map(|d| {
            (d.naive_local() - locals[0].naive_local())
                .num_seconds()
                .div_euclid(60)
        })
        .collect();
    let diffs: Vec<i64> = mins.windows(2).map(|w| w[1] - w[0]).collect();

    // Sub-hourly: every consecutive pair the same step, a divisor of 60.
    if let Some(&d) = diffs.first() {
        if d > 0 && d < 60 && 60 % d == 0 && diffs.iter().all(|&x| x == d) {
            let m0 = locals[0].minute() as i64 % d;
            let field = if m0 == 0 {
                format!("*/{d}")
            } else {
                format!("{m0}-59/{d}")
            };
            return Some(format!("{field} * * * *"));
        }
    }

    let minutes: Vec<u32> = dedup_sorted(locals.iter().map(|d| d.minute()).collect());
    let hours: Vec<u32> = dedup_sorted(locals.iter().map(|d| d.hour()).collect());
    let minute_f = step_or_list(&minutes, 60)?;
    let hour_f = if hours.len() == 1 {
        hours[0].to_string()
    } else {
        step_or_list(&hours, 24)?
    };
    // Weekly: one time of day, every run a whole number of weeks apart.
    let dow_f = if hours.len() == 1
        && minutes.len() == 1
        && diffs.iter().all(|&d| d > 0 && d % (7 * 24 * 60) == 0)
    {
        locals[0].weekday().num_days_from_sunday().to_string()
    } else {
        "*".to_string()
    };
    Some(format!("{minute_f} {hour_f} * * {dow_f}"))
}

fn dedup_sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// A cron field for the values seen: one value, an arithmetic step (`*/6`, `1-23/6`, `*`), or
/// a short list. A step needs three values to be believed; two values stay a list.
fn step_or_list(vals: &[u32], range: u32) -> Option<String> {
    match vals {
        [] => None,
        [v] => Some(v.to_string()),
        _ => {
            let d = vals[1] - vals[0];
            let ap = vals.windows(2).all(|w| w[1] - w[0] == d);
            if ap && vals.len() >= 3 && range.is_multiple_of(d) {
                let base = vals[0] % d;
                return Some(match (d, base) {
                    (1, 0) => "*".to_string(),
                    (_, 0) => format!("*/{d}"),
                    _ => format!("{base}-{}/{d}", range - 1),
                });
            }
            (vals.len() <= MAX_LIST).then(|| {
                vals.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::from_datetime(&chrono::DateTime::parse_from_rfc3339(s).unwrap())
    }

    #[test]
    fn six_hourly_from_midnight_is_star_slash_6() {
        let s: Vec<_> = [
            "2025-09-27T00:00:01+05:30",
            "2025-09-27T06:00:01+05:30",
            "2025-09-27T12:00:01+05:30",
            "2025-09-27T18:00:01+05:30",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(infer_schedule(&s).as_deref(), Some("0 */6 * * *"));
    }

    #[test]
    fn six_hourly_from_one_is_a_range_step() {
        let s: Vec<_> = [
            "2025-09-27T01:00:01Z",
            "2025-09-27T07:00:01Z",
            "2025-09-27T13:00:01Z",
            "2025-09-27T19:00:02Z",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(infer_schedule(&s).as_deref(), Some("0 1-23/6 * * *"));
    }

    #[test]
    fn daily_on_local_clock_not_utc() {
        // 02:30 in Berlin (summer) is 00:30 UTC; cron ran on the local clock.
        let s: Vec<_> = [
            "2025-07-01T02:30:01+02:00",
            "2025-07-02T02:30:01+02:00",
            "2025-07-03T02:30:00+02:00",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(infer_schedule(&s).as_deref(), Some("30 2 * * *"));
    }

    #[test]
    fn every_fifteen_minutes() {
        let s: Vec<_> = [
            "2025-07-01T10:00:01Z",
            "2025-07-01T10:15:01Z",
            "2025-07-01T10:30:01Z",
            "2025-07-01T10:45:01Z",
            "2025-07-01T11:00:01Z",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(infer_schedule(&s).as_deref(), Some("*/15 * * * *"));
    }

    #[test]
    fn weekly_gets_a_weekday() {
        // 2025-07-06 is a Sunday.
        let s: Vec<_> = [
            "2025-07-06T03:00:00Z",
            "2025-07-13T03:00:00Z",
            "2025-07-20T03:00:00Z",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(infer_schedule(&s).as_deref(), Some("0 3 * * 0"));
    }

    #[test]
    fn one_run_or_random_starts_give_no_schedule() {
        assert_eq!(infer_schedule(&[ts("2025-07-06T03:00:00Z")]), None);
        let s: Vec<_> = [
            "2025-07-06T03:07:00Z",
            "2025-07-06T04:19:00Z",
            "2025-07-06T05:23:00Z",
            "2025-07-06T06:41:00Z",
            "2025-07-06T07:02:00Z",
            "2025-07-06T08:55:00Z",
            "2025-07-06T09:13:00Z",
        ]
        .iter()
        .map(|s| ts(s))
        .collect();
        assert_eq!(infer_schedule(&s), None);
    }
}
