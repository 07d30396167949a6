//! Golden reports: every scenario in `sample-logs/` (its log tree under `logs/`) is analysed
//! and its JSON report compared
//! byte for byte with `sample-logs/<scenario>/expected-report.json` (and the terminal summary
//! with `expected-summary.txt`). A scenario's extra flags are in its `args` file, one per line.
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test tests golden`, then review the diff
//! against the scenario's EXPECTED.md.

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

fn check(dir: &Path, name: &str, got: &[u8]) -> Option<String> {
    let path = dir.join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
        return None;
    }
    let want = std::fs::read(&path).unwrap_or_default();
    if want == got {
        return None;
    }
    let (w, g) = (String::from_utf8_lossy(&want), String::from_utf8_lossy(got));
    let first = w
        .lines()
        .zip(g.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(w.lines().count().min(g.lines().count()));
    Some(format!(
        "{}: differs from the golden file at line {} (UPDATE_GOLDEN=1 to accept after review)\n  want: {}\n  got:  {}",
        path.display(),
        first + 1,
        w.lines().nth(first).unwrap_or("<end>"),
        g.lines().nth(first).unwrap_or("<end>")
    ))
}

#[test]
fn every_scenario_matches_its_golden_report_and_summary() {
    let mut problems = Vec::new();
    let all = scenarios();
    assert!(all.len() >= 2, "sample-logs/ has no scenarios");
    for dir in all {
        problems.extend(check(
            &dir,
            "expected-report.json",
            &run(&dir, &["--json", "-"]),
        ));
        problems.extend(check(&dir, "expected-summary.txt", &run(&dir, &[])));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
