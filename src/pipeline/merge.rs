//! Merging the events of all inputs: one event per real occurrence. The same line reaching
//! several files (syslog + kern.log, journal + forwarded syslog, supervisord.log + supervisord's
//! stdout in the journal) becomes one event listing every source. Two events merge when they
//! share host, kind and message, come from different files, and lie within `WINDOW` of each
//! other; supervisord lines carry their own millisecond stamp, which identifies them whatever
//! zone each copy was read in. Repeats within one file are real repeats and never merge.
//!
//! When a supervisord line is found both in a zone-less file (read in an assumed zone) and in a
//! source with a real offset, the offset between the copies is the zone the file was written
//! in; every event of that file is shifted by it and the report says so.

use crate::events::Event;
use crate::parse::envelope::supervisord_stamp;
use crate::report::{Warning, WarningKind};
use std::collections::{BTreeMap, HashMap};

/// Largest time difference between two copies of one line (syslog receive time vs journal).
const WINDOW_US: i64 = 2_000_000;

/// Merge duplicates in place. `assumed[i]` says whether `events[i]`'s time was read under an
/// assumed zone/year. Leaves the events in time order; returns how many copies were merged
/// away. Events are never copied as a whole: the vector is the one the scanner filled.
pub fn merge(events: &mut Vec<Event>, assumed: &[bool], warnings: &mut Vec<Warning>) -> u64 {
    infer_file_zones(events, assumed, warnings);
    // Group by identity (indices sorted by host, kind and message: runs of equal keys are the
    // groups; no allocation per group), then merge within a group by time.
    let ident = |i: usize| {
        let e = &events[i];
        (&*e.host, e.kind, e.message.as_str())
    };
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|&a, &b| ident(a).cmp(&ident(b)).then(a.cmp(&b)));
    let mut absorbed_into: Vec<Option<usize>> = vec![None; events.len()];
    let mut group_list: Vec<Vec<usize>> = order
        .chunk_by(|&a, &b| ident(a) == ident(b))
        .filter(|g| g.len() > 1)
        .map(<[usize]>::to_vec)
        .collect();
    drop(order);
    group_list.sort();
    for mut g in group_list {
        // The copy whose time is best becomes the event: a real zone over an assumed one, then
        // sub-second precision (supervisord's own stamp) over whole seconds (RFC 3164).
        g.sort_by_key(|&i| {
            (
                assumed[i],
                events[i].time.micros % 1_000_000 == 0,
                events[i].time,
                i,
            )
        });
        let sv = supervisord_stamp(&events[g[0]].message).is_some();
        // Each keeper with the files it already has a copy from: one copy per file. Keepers are
        // found through time buckets of `WINDOW_US`, so a message repeated all day (a cron PAM
        // line) costs its repeats within a few seconds, not every earlier repeat.
        let mut keepers: Vec<(usize, Vec<String>)> = Vec::new();
        let mut buckets: HashMap<i64, Vec<usize>> = HashMap::new();
        let bucket = |i: usize| {
            if sv {
                0
            } else {
                events[i].time.micros.div_euclid(WINDOW_US)
            }
        };
        for &i in &g {
            let paths_i: Vec<String> = events[i]
                .sources
                .iter()
                .map(|s| s.path().to_string())
                .collect();
            let b = bucket(i);
            let target = (b - 1..=b + 1)
                .filter_map(|b| buckets.get(&b))
                .flatten()
                .copied()
                .filter(|&k| {
                    let (ki, paths) = &keepers[k];
                    let near =
                        sv || (events[*ki].time.micros - events[i].time.micros).abs() <= WINDOW_US;
                    near && paths_i.iter().all(|p| !paths.contains(p))
                })
                .min();
            match target {
                Some(k) => {
                    absorbed_into[i] = Some(keepers[k].0);
                    keepers[k].1.extend(paths_i);
                }
                None => {
                    buckets.entry(b).or_default().push(keepers.len());
                    keepers.push((i, paths_i));
                }
            }
        }
    }
    // Each absorbed copy gives its sources to its keeper, then leaves the vector.
    let mut merged = 0u64;
    let mut grown: Vec<usize> = Vec::new();
    for (i, a) in absorbed_into.iter().enumerate() {
        if let Some(k) = *a {
            let more = std::mem::take(&mut events[i].sources);
            events[k].sources.extend(more);
            grown.push(k);
            merged += 1;
        }
    }
    for k in grown {
        events[k].sources.sort();
        events[k].sources.dedup();
    }
    let mut i = 0;
    events.retain(|_| {
        i += 1;
        absorbed_into[i - 1].is_none()
    });
    sort_in_log_order(events);
    merged
}

/// Shift zone-less files by the offset their supervisord lines show against exact copies.
fn infer_file_zones(events: &mut [Event], assumed: &[bool], warnings: &mut Vec<Warning>) {
    let mut exact: HashMap<(&str, &str), i64> = HashMap::new();
    for (e, assumed) in events.iter().zip(assumed) {
        if !assumed && supervisord_stamp(&e.message).is_some() {
            exact.insert((&*e.host, e.message.as_str()), e.time.micros);
        }
    }
    if exact.is_empty() {
        return;
    }
    // Per assumed file: the offsets seen, rounded to 15 minutes.
    let mut offsets: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for (e, assumed) in events.iter().zip(assumed) {
        if !*assumed {
            continue;
        }
        if let Some(t) = exact.get(&(&*e.host, e.message.as_str())) {
            let diff = e.time.micros - t;
            let q = 15 * 60 * 1_000_000i64;
            let rounded = (diff as f64 / q as f64).round() as i64 * q;
            if (diff - rounded).abs() <= WINDOW_US {
                if let Some(p) = e.sources.first() {
                    *offsets
                        .entry(p.path().to_string())
                        .or_default()
                        .entry(rounded)
                        .or_default() += 1;
                }
            }
        }
    }
    for (path, seen) in offsets {
        let (shift, _) = seen
            .into_iter()
            .max_by_key(|(s, n)| (*n, -s.abs()))
            .unwrap_or((0, 0));
        if shift == 0 {
            continue;
        }
        for (e, assumed) in events.iter_mut().zip(assumed) {
            if *assumed && e.sources.first().is_some_and(|s| s.path() == path) {
                e.time.micros -= shift;
                e.time.offset_s = (shift / 1_000_000) as i32;
            }
        }
        warnings.push(Warning::new(
            WarningKind::ZoneLearned,
            Some(&path),
            format!(
                "zone-less times read as UTC{:+.2}h, the offset its supervisord lines show against the same lines in the journal/syslog",
                shift as f64 / 3.6e9
            ),
        ));
    }
}

/// Time order; events with the same time keep the order of the log that holds most events
/// (syslog, typically): whole-second stamps make ties common, and a chain read in the wrong
/// order within its second tells the wrong story.
pub(super) fn sort_in_log_order(events: &mut [Event]) {
    let mut per_file: HashMap<String, usize> = HashMap::new();
    for e in events.iter() {
        for s in &e.sources {
            *per_file.entry(s.path().to_string()).or_default() += 1;
        }
    }
    // Keys borrow from the events (no copy of a message or path per event); the order found
    // for the indices is then applied in place.
    let order: Vec<usize> = {
        let keys: Vec<_> = events
            .iter()
            .map(|e| {
                let rank = |s: &crate::model::Location| {
                    std::cmp::Reverse(per_file.get(s.path()).copied().unwrap_or(0))
                };
                let primary = e
                    .sources
                    .iter()
                    .min_by(|a, b| (rank(a), *a).cmp(&(rank(b), *b)));
                (
                    e.time,
                    &*e.host,
                    primary.map(rank),
                    primary,
                    e.kind,
                    e.message.as_str(),
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..events.len()).collect();
        // Stable, as sort_by_cached_key was: equal keys keep their order.
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        order
    };
    permute(events, order);
}

/// Reorder `v` so that `v[k]` becomes the old `v[order[k]]`, in place (cycle by cycle).
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut k = start;
        while order[k] != start {
            let next = order[k];
            v.swap(k, next);
            order[k] = k;
            k = next;
        }
        order[k] = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventKind;
    use crate::model::{Location, Timestamp};
    use std::sync::Arc;

    fn ev(kind: EventKind, micros: i64, msg: &str, path: &str, line: u64) -> Event {
        Event {
            id: Default::default(),
            time: Timestamp::from_utc_micros(micros, 0),
            host: "web1".into(),
            kind,
            pid: None,
            process: None,
            unit: None,
            program: None,
            message: msg.into(),
            sources: vec![Location::Line {
                path: Arc::from(path),
                line,
            }],
            attrs: Default::default(),
            rule: "",
            ident: "".into(),
        }
    }

    const S: i64 = 1_000_000;

    fn merge_pairs(tagged: Vec<(Event, bool)>, w: &mut Vec<Warning>) -> (Vec<Event>, u64) {
        let (mut events, assumed): (Vec<Event>, Vec<bool>) = tagged.into_iter().unzip();
        let merged = merge(&mut events, &assumed, w);
        (events, merged)
    }

    #[test]
    fn permute_applies_an_order_in_place() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut v, vec![2, 0, 1, 4, 3]);
        assert_eq!(v, ['c', 'a', 'b', 'e', 'd']);
    }

    #[test]
    fn copies_in_different_files_merge_and_repeats_in_one_file_do_not() {
        let kill = "Out of memory: Killed process 1121 (python3)";
        let unit = "supervisor.service: A process of this unit has been killed by the OOM killer.";
        let tagged = vec![
            (ev(EventKind::OomKill, 100 * S, kill, "syslog", 10), true),
            (ev(EventKind::OomKill, 100 * S, kill, "kern.log", 3), true),
            // Journal copy, 0.4 s off the syslog receive time.
            (
                ev(
                    EventKind::UnitOom,
                    101 * S + 400_000,
                    unit,
                    "system.journal",
                    7,
                ),
                false,
            ),
            (ev(EventKind::UnitOom, 101 * S, unit, "syslog", 11), true),
            // Two real notices in the same second of one file.
            (ev(EventKind::UnitOom, 101 * S, unit, "syslog", 12), true),
        ];
        let mut w = Vec::new();
        let (out, merged) = merge_pairs(tagged, &mut w);
        assert_eq!(merged, 2);
        assert_eq!(out.len(), 3);
        let kills: Vec<_> = out
            .iter()
            .filter(|e| e.kind == EventKind::OomKill)
            .collect();
        assert_eq!(
            kills[0]
                .sources
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
            ["kern.log:3", "syslog:10"]
        );
        let units: Vec<_> = out
            .iter()
            .filter(|e| e.kind == EventKind::UnitOom)
            .collect();
        assert_eq!(units.len(), 2);
        // The journal's exact time wins over syslog's assumed one.
        assert!(units
            .iter()
            .any(|e| e.time.micros == 101 * S + 400_000 && e.sources.len() == 2));
    }

    #[test]
    fn supervisord_log_zone_is_learned_from_its_syslog_copies() {
        // supervisord.log written in UTC+2 but read as UTC: two hours late.
        let a = "2025-09-27 19:13:48,368 INFO waiting for web to die";
        let b = "2025-09-27 19:13:51,368 INFO waiting for web to die";
        let c = "2025-09-27 19:20:00,001 INFO spawned: 'web' with pid 7";
        let real = 1_759_000_000 * S;
        let tagged = vec![
            (
                ev(EventKind::SupervisorWaiting, real, a, "syslog", 1),
                false,
            ),
            (
                ev(EventKind::SupervisorWaiting, real + 3 * S, b, "syslog", 2),
                false,
            ),
            (
                ev(
                    EventKind::SupervisorWaiting,
                    real + 7200 * S,
                    a,
                    "supervisord.log",
                    1,
                ),
                true,
            ),
            (
                ev(
                    EventKind::SupervisorWaiting,
                    real + 7203 * S,
                    b,
                    "supervisord.log",
                    2,
                ),
                true,
            ),
            (
                ev(
                    EventKind::SupervisorSpawned,
                    real + 7200 * S + 372 * S,
                    c,
                    "supervisord.log",
                    3,
                ),
                true,
            ),
        ];
        let mut w = Vec::new();
        let (out, merged) = merge_pairs(tagged, &mut w);
        assert_eq!(merged, 2);
        let spawned = out
            .iter()
            .find(|e| e.kind == EventKind::SupervisorSpawned)
            .unwrap();
        assert_eq!(
            spawned.time.micros,
            real + 372 * S,
            "shifted back by the learned 2 h"
        );
        assert_eq!(spawned.time.offset_s, 7200);
        assert_eq!(w[0].kind, WarningKind::ZoneLearned, "{w:?}");
        assert_eq!(w[0].path.as_deref(), Some("supervisord.log"));
    }

    #[test]
    fn same_second_events_keep_the_order_of_the_busiest_log() {
        let tagged = vec![
            (
                ev(EventKind::UnitStopped, 5 * S, "Stopped x.", "syslog", 9),
                true,
            ),
            (
                ev(
                    EventKind::UnitFailed,
                    5 * S,
                    "x: Failed with result 'oom-kill'.",
                    "syslog",
                    8,
                ),
                true,
            ),
            (
                ev(
                    EventKind::UnitStopTimeout,
                    5 * S,
                    "x: State 'stop-sigterm' timed out. Killing.",
                    "syslog",
                    7,
                ),
                true,
            ),
            (ev(EventKind::OomKill, 4 * S, "k", "kern.log", 1), true),
        ];
        let (out, _) = merge_pairs(tagged, &mut Vec::new());
        let kinds: Vec<_> = out.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::OomKill,
                EventKind::UnitStopTimeout,
                EventKind::UnitFailed,
                EventKind::UnitStopped
            ]
        );
    }
}
