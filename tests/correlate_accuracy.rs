//! Accuracy, measured: seeded copied-log trees with known truth (`support::gen`) go through the
//! whole pipeline, and the report must match the truth exactly — every backup window (start,
//! end, basis), every OOM kill, every incident's kind, start, backup link and orphans.

use crate::support;

use logautopsy::config::Config;
use support::gen::generate;

const SEEDS: std::ops::RangeInclusive<u64> = 1..=12;
const RUNS: usize = 8;

#[test]
fn generated_scenarios_are_correlated_exactly() {
    let mut failures = Vec::new();
    for seed in SEEDS {
        let s = generate(seed, RUNS);
        let dir = tempfile::tempdir().expect("tempdir");
        s.write(dir.path()).expect("write tree");
        let cfg = Config {
            inputs: vec![dir.path().display().to_string()],
            year: Some(s.year),
            host: Some(s.truth.host.clone()),
            ..Default::default()
        };
        let report = logautopsy::pipeline::analyze(&cfg, None)
            .expect("analyze")
            .report;

        let windows: Vec<(String, Option<String>, String)> = report
            .backup_windows
            .iter()
            .map(|w| {
                (
                    w.start.rfc3339(),
                    w.end.map(|e| e.rfc3339()),
                    w.end_basis.as_str().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, Option<String>, String)> = s
            .truth
            .windows
            .iter()
            .map(|w| (w.start.clone(), w.end.clone(), w.end_basis.clone()))
            .collect();
        if windows != want {
            failures.push(format!(
                "seed {seed}: windows\n got {windows:#?}\nwant {want:#?}"
            ));
        }

        let kills: Vec<(String, u32, String, Option<String>)> = report
            .incidents
            .iter()
            .flat_map(|i| i.oom_kills.iter())
            .map(|k| {
                let t = report
                    .events
                    .iter()
                    .find(|e| e.id == k.event)
                    .map(|e| e.time.rfc3339())
                    .unwrap_or_default();
                (
                    t,
                    k.pid,
                    k.process.to_string(),
                    k.unit.as_deref().map(str::to_string),
                )
            })
            .collect();
        // The unit comes from the `oom-kill:` summary's task_memcg, folded in by assembly.
        let want: Vec<(String, u32, String, Option<String>)> = s
            .truth
            .kills
            .iter()
            .map(|k| {
                (
                    k.time.clone(),
                    k.pid,
                    k.process.clone(),
                    Some("supervisor.service".to_string()),
                )
            })
            .collect();
        if kills != want {
            failures.push(format!(
                "seed {seed}: kills\n got {kills:#?}\nwant {want:#?}"
            ));
        }

        let incidents: Vec<(String, String, Option<usize>, Vec<u32>)> = report
            .incidents
            .iter()
            .map(|i| {
                let w = i
                    .backup_window
                    .as_ref()
                    .and_then(|b| report.backup_windows.iter().position(|w| &w.id == b));
                let mut o: Vec<u32> = i.orphans.iter().filter_map(|o| o.pid).collect();
                o.sort_unstable();
                o.dedup();
                (i.kind.to_string(), i.start.rfc3339(), w, o)
            })
            .collect();
        let want: Vec<(String, String, Option<usize>, Vec<u32>)> = s
            .truth
            .incidents
            .iter()
            .map(|i| (i.kind.clone(), i.start.clone(), i.window, i.orphans.clone()))
            .collect();
        if incidents != want {
            failures.push(format!(
                "seed {seed}: incidents\n got {incidents:#?}\nwant {want:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
