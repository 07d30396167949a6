//! Renderers: each a view of the same `Report` (DESIGN.md §1); none of them parses logs.
//! One file per format; `output` picks the format from a path and dispatches.

pub mod charts;
pub mod escape;
pub mod events;
pub mod html;
pub mod json;
pub mod markdown;
pub mod output;
pub mod tables;
pub mod terminal;
pub mod wrap;

/// Evidence ids for reading: the first few, then how many more (an incident of 400 k OOM kills
/// cites them all in the JSON report; a person needs the first ones and the count).
pub fn evidence_list<T: std::fmt::Display>(ids: &[T]) -> String {
    const SHOWN: usize = 8;
    let mut s: Vec<String> = ids.iter().take(SHOWN).map(|i| i.to_string()).collect();
    if ids.len() > SHOWN {
        s.push(format!("… {} more", ids.len() - SHOWN));
    }
    s.join(", ")
}

/// The `backup_association` rows a reader needs: each host that had backups, each
/// of its jobs when it had several, and the fleet when there are several hosts.
pub fn association_rows(report: &crate::report::Report) -> Vec<&crate::report::Association> {
    let rows = &report.backup_association;
    let hosts_with_windows: Vec<&str> = rows
        .iter()
        .filter(|a| a.job.is_none() && a.windows > 0)
        .filter_map(|a| a.host.as_deref())
        .collect();
    let jobs_of = |h: &str| {
        rows.iter()
            .filter(|a| a.job.is_some() && a.host.as_deref() == Some(h))
            .count()
    };
    let host_rows = rows
        .iter()
        .filter(|a| a.host.is_some() && a.job.is_none())
        .count();
    rows.iter()
        .filter(|a| match (a.host.as_deref(), &a.job) {
            (Some(h), None) => hosts_with_windows.contains(&h),
            (Some(h), Some(_)) => jobs_of(h) > 1,
            (None, _) => host_rows > 1,
        })
        .collect()
}
