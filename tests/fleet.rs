//! Fleet scale: `extract` where the logs are, `analyze DIR/` centrally. Correlating the
//! extracted Parquet must give exactly the incidents and backup windows that analysing the raw
//! logs gives.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn scenario_args() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs/multi-host");
    let mut v = vec![dir.join("logs").display().to_string()];
    v.extend(
        std::fs::read_to_string(dir.join("args"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(String::from),
    );
    v
}

fn json(args: &[String]) -> Value {
    let out = Command::cargo_bin("logautopsy")
        .unwrap()
        .arg("analyze")
        .args(args)
        .args(["--quiet", "--json", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn extracted_parquet_correlates_like_the_raw_logs() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("fleet");
    let mut extract = Command::cargo_bin("logautopsy").unwrap();
    extract
        .arg("extract")
        .args(scenario_args())
        .args(["--quiet", "-o"])
        .arg(&dir);
    extract.assert().success();
    for host in ["ap-app1", "eu-web1", "us-db1"] {
        assert!(
            dir.join(format!("events/host={host}/part-0.parquet"))
                .is_file(),
            "{host}"
        );
    }
    let direct = json(&scenario_args());
    let central = json(&[dir.display().to_string()]);
    assert_eq!(central["incidents"], direct["incidents"]);
    assert_eq!(central["backup_windows"], direct["backup_windows"]);
    assert_eq!(
        central["events"].as_array().unwrap().len(),
        direct["events"].as_array().unwrap().len()
    );
    // A re-run replaces its hosts' partitions: nothing is counted twice.
    Command::cargo_bin("logautopsy")
        .unwrap()
        .arg("extract")
        .args(scenario_args())
        .args(["--quiet", "-o"])
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(
        json(&[dir.display().to_string()])["incidents"],
        direct["incidents"]
    );
}
