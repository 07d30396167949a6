//! Snapshots of every scenario in `sample-logs/` (its log tree under `logs/`): its JSON report
//! (`sample-logs/<scenario>/report.snap`) and its terminal summary (`summary.snap`), through
//! insta. A scenario's extra flags are in its `args` file, one per line. After an intended
//! change: `cargo insta review` (or `INSTA_UPDATE=always cargo test --test tests golden`), and
//! read the diff against the scenario's EXPECTED.md.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn args_of(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn run(dir: &Path, extra: &[&str]) -> Vec<u8> {
    let rel = dir.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
    let out = Command::cargo_bin("logautopsy")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("analyze")
        .arg(rel.join("logs"))
        .args(args_of(dir))
        .args(["--quiet", "--color", "never"])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: exit {:?}\n{}",
        rel.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The scenario's snapshot `name` (`sample-logs/<scenario>/<name>.snap`), through insta: a
/// difference leaves `<name>.snap.new` beside it (`cargo insta review`, or
/// `INSTA_UPDATE=always cargo test --test tests golden` after reading the diff). Every
/// scenario is checked before the test fails, so one run shows every change.
fn check(dir: &Path, name: &str, got: &[u8]) -> Option<String> {
    let got = String::from_utf8_lossy(got).into_owned();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name, got));
    }));
    result
        .err()
        .map(|_| format!("{}: {name} differs (see above)", dir.display()))
}

#[test]
fn every_scenario_matches_its_golden_report_and_summary() {
    let mut problems = Vec::new();
    let all = scenarios();
    assert!(all.len() >= 2, "sample-logs/ has no scenarios");
    for dir in all {
        problems.extend(check(&dir, "report", &run(&dir, &["--json", "-"])));
        problems.extend(check(&dir, "summary", &run(&dir, &[])));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
