//! Correlation: events → backup windows, incidents, chains, orphans, advice → `Report`.
//! (Placeholder until the correlation work lands: builds the report without windows or
//! incidents.)

use crate::events::Event;
use crate::report::{HostSummary, InputSummary, Report, Stats, Tool, SCHEMA};

#[derive(Clone, Debug, Default)]
pub struct CorrelateOptions {
    pub backup_slack_s: i64,
}

pub fn correlate(
    events: Vec<Event>,
    inputs: Vec<InputSummary>,
    warnings: Vec<String>,
    stats: Stats,
    _opts: &CorrelateOptions,
) -> Report {
    let mut hosts: Vec<HostSummary> = Vec::new();
    for e in &events {
        match hosts.iter_mut().find(|h| h.name == e.host) {
            Some(h) => {
                h.events += 1;
                h.last = Some(e.time);
            }
            None => hosts.push(HostSummary {
                name: e.host.clone(),
                tz: "UTC".into(),
                first: Some(e.time),
                last: Some(e.time),
                events: 1,
                incidents: 0,
            }),
        }
    }
    hosts.sort_by(|a, b| a.name.cmp(&b.name));
    Report {
        schema: SCHEMA,
        tool: Tool::default(),
        inputs,
        hosts,
        events,
        backup_windows: vec![],
        incidents: vec![],
        backup_jobs: vec![],
        fleet: vec![],
        stats,
        warnings,
    }
}
