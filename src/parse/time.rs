//! Year and zone policy (DESIGN.md §6.7): turning what a line wrote into a UTC instant.
//!
//! * Zone-less times are local times of the writing host: read in `--tz` (per host with
//!   `HOST=ZONE`), else UTC, and flagged as assumed so the report can say so.
//! * Year-less times (RFC 3164, journalctl `short`) get their year in two steps. While a file is
//!   read, `YearTracker` follows the months of sampled lines and counts Dec→Jan rollovers, giving
//!   each line a year *relative* to the file's first line; a jump back of more than six months is
//!   a new year, a jump forward of more than six months an out-of-order line from the year
//!   before. When the file ends the relative years are anchored: with `--year Y` the file's first
//!   line is in Y (as plaso's preferred year); otherwise the newest line is in the latest year
//!   that puts it at or before the file's mtime (or the gzip header's mtime). Feb 29 only exists
//!   in leap years, which the anchor respects. Today's date is never used.

use crate::model::Timestamp;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Convert a zone-less local time. Returns the instant and whether the zone was assumed (no
/// `--tz` for this host: read as UTC).
pub fn resolve_local(ndt: NaiveDateTime, tz: Option<Tz>) -> Timestamp {
    match tz {
        // `--tz UTC` is common (the benchmarks, hosts kept in UTC): a zone without offset needs
        // no lookup in the zone's transitions, which cost a busy file's serial finish ~20 ms a
        // GiB of year-less lines.
        None => Timestamp::from_utc_micros(ndt.and_utc().timestamp_micros(), 0),
        Some(tz) if is_utc(tz) => Timestamp::from_utc_micros(ndt.and_utc().timestamp_micros(), 0),
        Some(tz) => {
            let dt = match tz.from_local_datetime(&ndt) {
                chrono::LocalResult::Single(d) => d,
                // Fall-back hour: the first of the two readings, as journalctl does.
                chrono::LocalResult::Ambiguous(a, _) => a,
                // Spring-forward gap: such a local time cannot have been written by a correct
                // clock; read it one hour later.
                chrono::LocalResult::None => {
                    match tz.from_local_datetime(&(ndt + chrono::Duration::hours(1))) {
                        chrono::LocalResult::Single(d) | chrono::LocalResult::Ambiguous(d, _) => d,
                        chrono::LocalResult::None => {
                            return Timestamp::from_utc_micros(ndt.and_utc().timestamp_micros(), 0)
                        }
                    }
                }
            };
            Timestamp::from_datetime(&dt)
        }
    }
}

/// The zones that are UTC at every instant, under their IANA names.
fn is_utc(tz: Tz) -> bool {
    use chrono_tz::Tz as Z;
    matches!(
        tz,
        Z::UTC
            | Z::UCT
            | Z::Universal
            | Z::Zulu
            | Z::Etc__UTC
            | Z::Etc__UCT
            | Z::Etc__Universal
            | Z::Etc__Zulu
    )
}

/// Follows the months of a file's year-less lines in file order.
#[derive(Clone, Debug, Default)]
pub struct YearTracker {
    rel: i32,
    prev_month: Option<u32>,
    /// The first and last observations: (relative year, month, day, time).
    pub first: Option<(i32, u32, u32, NaiveTime)>,
    pub last: Option<(i32, u32, u32, NaiveTime)>,
}

impl YearTracker {
    /// Record a line's month/day/time; returns its year relative to the file's first line.
    pub fn observe(&mut self, month: u32, day: u32, time: NaiveTime) -> i32 {
        if let Some(p) = self.prev_month {
            if month + 6 < p {
                self.rel += 1;
            } else if month > p + 6 {
                self.rel -= 1;
            }
        }
        self.prev_month = Some(month);
        let obs = (self.rel, month, day, time);
        if self.first.is_none() {
            self.first = Some(obs);
        }
        self.last = Some(obs);
        self.rel
    }

    /// Continue after `other` (the tracker of the previous chunk of the same file): returns the
    /// offset to add to this tracker's relative years.
    pub fn offset_after(&self, other: &YearTracker) -> i32 {
        match (other.last, self.first) {
            (Some((orel, om, _, _)), Some((_, m, _, _))) => {
                let mut t = YearTracker {
                    rel: orel,
                    prev_month: Some(om),
                    ..Default::default()
                };
                t.observe(m, 1, NaiveTime::MIN)
            }
            (Some((orel, _, _, _)), None) => orel,
            _ => 0,
        }
    }
}

/// Where the year of year-less lines comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YearAnchor {
    /// `--year`: the year of the file's first line.
    FirstLineYear(i32),
    /// The newest line was written at or before this instant (file or gzip-header mtime).
    NotAfter(chrono::DateTime<Utc>),
}

/// The absolute year of relative year 0, given the tracker's observations.
/// `tz` is the zone the lines are local to (for comparing with the mtime).
pub fn anchor_base_year(tracker: &YearTracker, anchor: YearAnchor, tz: Option<Tz>) -> i32 {
    match anchor {
        YearAnchor::FirstLineYear(y) => y - tracker.first.map(|f| f.0).unwrap_or(0),
        YearAnchor::NotAfter(upper) => {
            let upper_local = match tz {
                Some(tz) => upper.with_timezone(&tz).naive_local(),
                None => upper.naive_utc(),
            };
            let Some((rel, m, d, t)) = tracker.last else {
                return upper_local.year();
            };
            // A day of slack: mtimes of copied files can be a little behind, clocks a little off.
            let limit = upper_local + chrono::Duration::days(1);
            let mut y = upper_local.year() + 1;
            for _ in 0..10 {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                    if NaiveDateTime::new(date, t) <= limit {
                        return y - rel;
                    }
                }
                y -= 1;
            }
            upper_local.year() - rel
        }
    }
}

/// The local date-time of a year-less line once its absolute year is known. `None` for Feb 29
/// in a year that has none.
pub fn with_year(year: i32, month: u32, day: u32, time: NaiveTime) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(year, month, day).map(|d| NaiveDateTime::new(d, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    fn mtime(s: &str) -> chrono::DateTime<Utc> {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn rollover_dec_to_jan_anchored_on_mtime() {
        let mut tr = YearTracker::default();
        assert_eq!(tr.observe(12, 30, t(23)), 0);
        assert_eq!(tr.observe(12, 31, t(23)), 0);
        assert_eq!(tr.observe(1, 1, t(0)), 1);
        assert_eq!(
            tr.observe(12, 31, t(23)),
            0,
            "an out-of-order line from the old year"
        );
        assert_eq!(tr.observe(1, 2, t(5)), 1);
        let base = anchor_base_year(
            &tr,
            YearAnchor::NotAfter(mtime("2025-01-02T06:00:00Z")),
            None,
        );
        assert_eq!(base, 2024);
        assert_eq!(
            with_year(base + 1, 1, 2, t(5)).unwrap().to_string(),
            "2025-01-02 05:00:00"
        );
    }

    #[test]
    fn last_line_after_mtime_day_means_previous_year() {
        let mut tr = YearTracker::default();
        tr.observe(11, 3, t(1));
        // Copied in March 2026: November lines are from 2025.
        assert_eq!(
            anchor_base_year(
                &tr,
                YearAnchor::NotAfter(mtime("2026-03-01T00:00:00Z")),
                None
            ),
            2025
        );
        // mtime the same day, minutes later: same year.
        assert_eq!(
            anchor_base_year(
                &tr,
                YearAnchor::NotAfter(mtime("2025-11-03T01:05:00Z")),
                None
            ),
            2025
        );
    }

    #[test]
    fn feb_29_anchors_to_a_leap_year() {
        let mut tr = YearTracker::default();
        tr.observe(2, 29, t(12));
        // File modified in 2027 (not leap) and 2025: the newest Feb 29 not after it is 2024.
        assert_eq!(
            anchor_base_year(
                &tr,
                YearAnchor::NotAfter(mtime("2027-03-05T00:00:00Z")),
                None
            ),
            2024
        );
        assert_eq!(
            anchor_base_year(
                &tr,
                YearAnchor::NotAfter(mtime("2024-03-05T00:00:00Z")),
                None
            ),
            2024
        );
        assert!(with_year(2025, 2, 29, t(1)).is_none());
    }

    #[test]
    fn explicit_year_is_the_first_lines_year() {
        let mut tr = YearTracker::default();
        tr.observe(12, 31, t(1));
        tr.observe(1, 1, t(1));
        assert_eq!(
            anchor_base_year(&tr, YearAnchor::FirstLineYear(2019), None),
            2019
        );
    }

    #[test]
    fn chunks_stitch_across_a_rollover() {
        let mut a = YearTracker::default();
        a.observe(12, 31, t(22));
        let mut b = YearTracker::default();
        b.observe(1, 1, t(0));
        assert_eq!(b.offset_after(&a), 1);
        let mut c = YearTracker::default();
        c.observe(12, 31, t(23));
        assert_eq!(c.offset_after(&a), 0);
    }

    #[test]
    fn local_times_use_the_zone_and_dst_rules() {
        let ndt =
            NaiveDateTime::parse_from_str("2025-09-27 19:13:48", "%Y-%m-%d %H:%M:%S").unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let ts = resolve_local(ndt, Some(berlin));
        assert_eq!(ts.rfc3339(), "2025-09-27T17:13:48.000000Z");
        assert_eq!(ts.offset_s, 7200);
        assert_eq!(
            resolve_local(ndt, None).rfc3339(),
            "2025-09-27T19:13:48.000000Z"
        );
        for utc in ["UTC", "Etc/UTC", "Zulu"] {
            let ts = resolve_local(ndt, Some(utc.parse().unwrap()));
            assert_eq!(
                (ts.rfc3339().as_str(), ts.offset_s),
                ("2025-09-27T19:13:48.000000Z", 0)
            );
        }
        // 02:30 on the spring-forward night does not exist in Berlin: read an hour later.
        let gap =
            NaiveDateTime::parse_from_str("2025-03-30 02:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            resolve_local(gap, Some(berlin)).rfc3339(),
            "2025-03-30T01:30:00.000000Z"
        );
    }
}
