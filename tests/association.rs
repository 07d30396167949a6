//! Is it the backup? `backup_association` on whole pipeline runs: every row recomputes exactly
//! from its own fields, the fleet row is the sum of the host rows, the counts agree with the
//! generator's truth, and the sentence reaches the terminal and the Markdown. (The model's
//! hand-computed cases are unit tests in `correlate::association`; the HTML is checked in
//! `render_browser`.)

use crate::support;

use assert_cmd::Command;
use logautopsy::config::Config;
use logautopsy::correlate::binomial_tail;
use logautopsy::report::{Association, Report, Verdict};
use std::path::Path;
use support::gen::{generate, SLACK_S};

fn analyze(seed: u64, runs: usize) -> (Report, support::gen::Scenario) {
    let s = generate(seed, runs);
    let dir = tempfile::tempdir().unwrap();
    s.write(dir.path()).unwrap();
    let cfg = Config {
        inputs: vec![dir.path().display().to_string()],
        year: Some(s.year),
        host: Some(s.truth.host.clone()),
        ..Default::default()
    };
    let report = logautopsy::pipeline::analyze(&cfg, None).unwrap().report;
    (report, s)
}

/// The row's numbers from its own fields, exactly.
fn recomputes(a: &Association) {
    assert_eq!(a.coverage, a.window_s / a.observed_s, "{a:?}");
    assert_eq!(a.expected, a.incidents as f64 * a.coverage, "{a:?}");
    assert_eq!(a.p_value, binomial_tail(a.incidents, a.inside, a.coverage));
    // And the tail by a direct sum, independent of the library's log-space one.
    let (n, p) = (a.incidents as i32, a.coverage);
    let choose = |k: i32| (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
    let direct: f64 = (a.inside as i32..=n)
        .map(|k| choose(k) * p.powi(k) * (1.0 - p).powi(n - k))
        .sum();
    assert!(
        (a.p_value - direct.min(1.0)).abs() < 1e-12,
        "{a:?} direct {direct}"
    );
    let verdict = if a.incidents < 3 {
        Verdict::TooFew
    } else if a.p_value < 0.05 && a.inside >= 2 {
        Verdict::Linked
    } else {
        Verdict::NotLinked
    };
    assert_eq!(a.verdict, verdict, "{a:?}");
    assert!(
        a.window_s <= a.observed_s && a.inside <= a.incidents,
        "{a:?}"
    );
}

#[test]
fn rows_recompute_and_match_the_truth() {
    for seed in 1..=8 {
        let (r, s) = analyze(seed, 12);
        let rows = &r.backup_association;
        // One job, one host: the job row, the host row, the fleet row.
        assert_eq!(rows.len(), 3, "seed {seed}: {rows:#?}");
        rows.iter().for_each(recomputes);
        let host = rows
            .iter()
            .find(|a| a.host.is_some() && a.job.is_none())
            .unwrap();
        let fleet = rows.iter().find(|a| a.host.is_none()).unwrap();
        assert_eq!(
            (
                fleet.observed_s,
                fleet.window_s,
                fleet.incidents,
                fleet.inside
            ),
            (host.observed_s, host.window_s, host.incidents, host.inside)
        );
        // Every incident counts once, whatever its kind.
        assert_eq!(host.incidents, r.incidents.len(), "seed {seed}");
        assert_eq!(host.windows, s.truth.windows.len());
        // Inside, from the truth: a window with an end holds [start, end + slack].
        let t = |x: &str| chrono::DateTime::parse_from_rfc3339(x).unwrap().timestamp();
        let ends_known = s.truth.windows.iter().all(|w| w.end.is_some());
        let inside = s
            .truth
            .incidents
            .iter()
            .filter(|i| {
                s.truth.windows.iter().any(|w| {
                    w.end.as_deref().is_some_and(|e| {
                        t(&w.start) <= t(&i.start) && t(&i.start) <= t(e) + SLACK_S
                    })
                })
            })
            .count();
        if ends_known {
            assert_eq!(host.inside, inside, "seed {seed}");
        } else {
            assert!(host.inside >= inside, "seed {seed}");
            assert!(host.ends_estimated > 0 && host.summary.contains("median run"));
        }
    }
}

#[test]
fn the_sentence_reaches_the_terminal_and_the_markdown() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs/multi-host");
    let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(String::from)
        .collect();
    let out = tempfile::tempdir().unwrap();
    let md = out.path().join("pm.md");
    let json = out.path().join("r.json");
    let run = Command::cargo_bin("logautopsy")
        .unwrap()
        .arg("analyze")
        .arg(dir.join("logs"))
        .args(&args)
        .arg("-o")
        .arg(&md)
        .arg("-o")
        .arg(&json)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "0")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let term = String::from_utf8(run.stdout).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let rows = report["backup_association"].as_array().unwrap();
    // Three hosts with backups, one row each plus a job row each, and the fleet.
    assert_eq!(rows.len(), 7, "{rows:#?}");
    let fleet = rows.iter().find(|a| a["host"].is_null()).unwrap();
    assert_eq!(
        (
            fleet["incidents"].as_u64(),
            fleet["inside"].as_u64(),
            fleet["verdict"].as_str()
        ),
        (Some(2), Some(2), Some("too-few"))
    );
    // The fleet row is the sum of the host rows (in host order, so the float sums are exact).
    let hosts: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|a| !a["host"].is_null() && a["job"].is_null())
        .collect();
    for key in ["observed_s", "window_s"] {
        let sum = hosts.iter().fold(0.0, |s, a| s + a[key].as_f64().unwrap());
        assert_eq!(fleet[key].as_f64().unwrap(), sum, "{key}");
    }
    for key in ["incidents", "inside", "windows"] {
        let sum: u64 = hosts.iter().map(|a| a[key].as_u64().unwrap()).sum();
        assert_eq!(fleet[key].as_u64().unwrap(), sum, "{key}");
    }
    let sentence = fleet["summary"].as_str().unwrap();
    assert!(sentence.starts_with("Fleet: 2 of 2 incidents began inside a backup window"));
    assert!(sentence.contains("too few incidents"), "{sentence}");
    // The terminal states it under WHAT HAPPENED, before the incidents' details.
    let head = term.find("WHAT HAPPENED").unwrap();
    let at = term.find(sentence).expect("fleet sentence in the terminal");
    assert!(head < at && at < term.find("INCIDENTS").unwrap(), "{term}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("**Is it the backup?**"), "{md}");
    for a in rows.iter().filter(|a| a["job"].is_null()) {
        let s = a["summary"].as_str().unwrap();
        assert!(term.contains(s), "terminal lacks {s}");
        assert!(
            md.contains(&logautopsy::render::markdown::para(s)),
            "markdown lacks {s}"
        );
    }
}
