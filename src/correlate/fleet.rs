//! Fleet view: incidents on several hosts at similar *local* times of day. Hosts in different
//! zones that break at the same wall-clock hour share a cause in their configuration (the same
//! crontab, the same timer), not in the network — that is what this points out.

use crate::report::{BackupJob, FleetPattern, Incident};
use chrono::Timelike;
use std::collections::BTreeSet;

/// Incidents whose local start times lie within this many minutes of their neighbour's form one
/// pattern.
const NEAR_MIN: i64 = 20;

pub(crate) fn fleet(
    incidents: &[Incident],
    jobs: &[BackupJob],
    job_of: &dyn Fn(&Incident) -> Option<String>,
) -> Vec<FleetPattern> {
    let mut by_time: Vec<(i64, &Incident)> = incidents
        .iter()
        .map(|i| {
            let l = i.start.local();
            ((l.hour() * 60 + l.minute()) as i64, i)
        })
        .collect();
    by_time.sort_by(|a, b| (a.0, a.1.start, &a.1.id).cmp(&(b.0, b.1.start, &b.1.id)));
    let mut groups: Vec<Vec<(i64, &Incident)>> = Vec::new();
    for x in by_time {
        match groups.last_mut() {
            Some(g) if x.0 - g.last().map_or(x.0, |l| l.0) <= NEAR_MIN => g.push(x),
            _ => groups.push(vec![x]),
        }
    }
    // Close the circle: 23:55 and 00:05 are ten minutes apart.
    if groups.len() > 1 {
        let first_min = groups[0][0].0;
        let last_min = groups.last().and_then(|g| g.last()).map_or(0, |l| l.0);
        if first_min + 24 * 60 - last_min <= NEAR_MIN {
            let tail = groups.pop().unwrap_or_default();
            let mut merged = tail;
            merged.append(&mut groups[0]);
            groups[0] = merged;
        }
    }
    let mut out = Vec::new();
    for g in groups {
        let hosts: BTreeSet<&str> = g.iter().map(|(_, i)| &*i.host).collect();
        if hosts.len() < 2 {
            continue;
        }
        let m = g[0].0;
        let local_time = format!("{:02}:{:02}", m / 60, m % 60);
        let mut incs: Vec<&Incident> = g.iter().map(|(_, i)| *i).collect();
        incs.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        // Each incident with its own local time: "around 02:41" for a group spanning 02:41 and
        // 02:44 would misstate the later one.
        let hhmm = |i: &Incident| i.start.local().format("%H:%M").to_string();
        let (lo, hi) = g
            .iter()
            .fold((m, m), |(lo, hi), (x, _)| (lo.min(*x), hi.max(*x)));
        let span = if lo == hi {
            format!("at {local_time} local time")
        } else {
            format!(
                "between {:02}:{:02} and {:02}:{:02} local time",
                lo / 60,
                lo % 60,
                hi / 60,
                hi % 60
            )
        };
        let mut summary = format!(
            "{} hosts had incidents {span} ({}): a shared schedule is the likely common cause",
            hosts.len(),
            incs.iter()
                .map(|i| format!(
                    "{} on {} at {} {}",
                    i.id,
                    i.host,
                    hhmm(i),
                    crate::format::offset(i.start.offset_s)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // Each linked backup with its own host and schedule: one job's inferred schedule is not
        // evidence for another's (a job seen once has none).
        let mut linked: Vec<(String, String)> = incs
            .iter()
            .filter_map(|i| job_of(i).map(|j| (j, i.host.clone())))
            .collect();
        linked.sort();
        linked.dedup();
        if !linked.is_empty() {
            let described: Vec<String> = linked
                .iter()
                .map(|(job, host)| {
                    let sched = jobs
                        .iter()
                        .find(|j| &j.job == job && &j.host == host)
                        .map(|j| match &j.schedule {
                            Some(s) => format!("schedule `{s}`"),
                            None => format!("no schedule inferred from {} run(s)", j.runs),
                        })
                        .unwrap_or_else(|| "no schedule inferred".to_string());
                    format!("`{job}` on {host} ({sched})")
                })
                .collect();
            let all = if linked.len() == incs.len() {
                "each"
            } else {
                "some"
            };
            summary += &format!("; {all} happened during a backup: {}", described.join(", "));
        }
        out.push(FleetPattern {
            summary,
            hosts: hosts.into_iter().map(str::to_string).collect(),
            incidents: incs.iter().map(|i| i.id.clone()).collect(),
            local_time,
        });
    }
    out
}
