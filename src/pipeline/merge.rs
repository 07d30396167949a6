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
use std::collections::{BTreeMap, HashMap};

/// Largest time difference between two copies of one line (syslog receive time vs journal).
const WINDOW_US: i64 = 2_000_000;

/// Merge duplicates. `tagged` pairs each event with whether its time was read under an
/// assumed zone/year. Returns the events in time order and how many copies were merged away.
pub fn merge(mut tagged: Vec<(Event, bool)>, warnings: &mut Vec<String>) -> (Vec<Event>, u64) {
    infer_file_zones(&mut tagged, warnings);
    // Group by identity, then merge within a group by time.
    let mut groups: HashMap<(&str, crate::events::EventKind, &str), Vec<usize>> = HashMap::new();
    for (i, (e, _)) in tagged.iter().enumerate() {
        groups
            .entry((e.host.as_str(), e.kind, e.message.as_str()))
            .or_default()
            .push(i);
    }
    let mut absorbed_into: Vec<Option<usize>> = vec![None; tagged.len()];
    let mut group_list: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    group_list.sort();
    for mut g in group_list {
        // The copy whose time is best becomes the event: a real zone over an assumed one, then
        // sub-second precision (supervisord's own stamp) over whole seconds (RFC 3164).
        g.sort_by_key(|&i| {
            (
                tagged[i].1,
                tagged[i].0.time.micros % 1_000_000 == 0,
                tagged[i].0.time,
                i,
            )
        });
        let sv = supervisord_stamp(&tagged[g[0]].0.message).is_some();
        let mut keepers: Vec<usize> = Vec::new();
        for &i in &g {
            let paths_i: Vec<&str> = tagged[i].0.sources.iter().map(|s| s.path()).collect();
            let target = keepers.iter().copied().find(|&k| {
                let near =
                    sv || (tagged[k].0.time.micros - tagged[i].0.time.micros).abs() <= WINDOW_US;
                let disjoint = tagged[k]
                    .0
                    .sources
                    .iter()
                    .all(|s| !paths_i.contains(&s.path()));
                near && disjoint && absorbed_into[k].is_none()
            });
            match target {
                Some(k) => absorbed_into[i] = Some(k),
                None => keepers.push(i),
            }
        }
    }
    let mut extra: BTreeMap<usize, Vec<crate::model::Location>> = BTreeMap::new();
    let mut merged = 0u64;
    for (i, a) in absorbed_into.iter().enumerate() {
        if let Some(k) = a {
            extra
                .entry(*k)
                .or_default()
                .extend(tagged[i].0.sources.iter().cloned());
            merged += 1;
        }
    }
    let mut out: Vec<Event> = Vec::with_capacity(tagged.len() - merged as usize);
    for (i, (mut e, _)) in tagged.into_iter().enumerate() {
        if absorbed_into[i].is_some() {
            continue;
        }
        if let Some(more) = extra.remove(&i) {
            e.sources.extend(more);
            e.sources.sort();
            e.sources.dedup();
        }
        out.push(e);
    }
    sort_in_log_order(&mut out);
    (out, merged)
}

/// Shift zone-less files by the offset their supervisord lines show against exact copies.
fn infer_file_zones(tagged: &mut [(Event, bool)], warnings: &mut Vec<String>) {
    let mut exact: HashMap<(&str, &str), i64> = HashMap::new();
    for (e, assumed) in tagged.iter() {
        if !assumed && supervisord_stamp(&e.message).is_some() {
            exact.insert((e.host.as_str(), e.message.as_str()), e.time.micros);
        }
    }
    if exact.is_empty() {
        return;
    }
    // Per assumed file: the offsets seen, rounded to 15 minutes.
    let mut offsets: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for (e, assumed) in tagged.iter() {
        if !*assumed {
            continue;
        }
        if let Some(t) = exact.get(&(e.host.as_str(), e.message.as_str())) {
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
        for (e, assumed) in tagged.iter_mut() {
            if *assumed && e.sources.first().is_some_and(|s| s.path() == path) {
                e.time.micros -= shift;
                e.time.offset_s = (shift / 1_000_000) as i32;
            }
        }
        warnings.push(format!(
            "{path}: zone-less times read as UTC{:+.2}h, the offset its supervisord lines show against the same lines in the journal/syslog",
            shift as f64 / 3.6e9
        ));
    }
}

/// Time order; events with the same time keep the order of the log that holds most events
/// (syslog, typically): whole-second stamps make ties common, and a chain read in the wrong
/// order within its second tells the wrong story.
fn sort_in_log_order(events: &mut [Event]) {
    let mut per_file: HashMap<String, usize> = HashMap::new();
    for e in events.iter() {
        for s in &e.sources {
            *per_file.entry(s.path().to_string()).or_default() += 1;
        }
    }
    let key = |e: &Event| {
        let primary = e
            .sources
            .iter()
            .min_by_key(|s| {
                (
                    std::cmp::Reverse(per_file.get(s.path()).copied().unwrap_or(0)),
                    (*s).clone(),
                )
            })
            .cloned();
        let rank = primary
            .as_ref()
            .map(|s| std::cmp::Reverse(per_file.get(s.path()).copied().unwrap_or(0)));
        (
            e.time,
            e.host.clone(),
            rank,
            primary,
            e.kind,
            e.message.clone(),
        )
    };
    events.sort_by_cached_key(key);
}
