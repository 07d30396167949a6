//! The input side on real third-party logs (`LOGAUTOPSY_CORPUS`, see shared/corpus/SOURCES.md):
//! line accounting, formats, hosts and time ranges exactly as the files hold them.

use assert_cmd::Command;
use serde_json::Value;

use crate::support::corpus;

fn analyze(args: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("logautopsy")
        .unwrap()
        .arg("analyze")
        .args(args)
        .args(["--json", "-", "--quiet"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn loghub_rfc3164_files_are_counted_exactly() {
    let Some(c) = corpus() else { return };
    for (file, host, first, last) in [
        (
            "loghub/Linux/Linux_2k.log",
            "combo",
            "2005-06-14T15:16:01.000000Z",
            "2005-07-27T14:42:00.000000Z",
        ),
        (
            "loghub/OpenSSH/OpenSSH_2k.log",
            "LabSZ",
            "2005-12-10T06:55:46.000000Z",
            "2005-12-10T11:04:45.000000Z",
        ),
    ] {
        let p = c.join(file);
        let (code, r, err) = analyze(&[p.to_str().unwrap(), "--year", "2005"]);
        assert_eq!(code, 0, "{err}");
        let i = &r["inputs"][0];
        // 1999 newlines and a last line without one.
        assert_eq!(i["lines"], 2000, "{file}");
        assert_eq!(i["format"], "rfc3164");
        assert_eq!(i["host"], host);
        assert_eq!(i["unparsed"], 0);
        assert_eq!(
            (i["first"].as_str().unwrap(), i["last"].as_str().unwrap()),
            (first, last),
            "{file}"
        );
    }
}

#[test]
fn a_non_syslog_file_is_rejected_with_its_name() {
    let Some(c) = corpus() else { return };
    let p = c.join("loghub/BGL/BGL_2k.log");
    let (code, _, err) = analyze(&[p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{}: skipped, not a recognised log format",
            p.display()
        )),
        "{err}"
    );
}

#[test]
fn every_real_excerpt_is_read_without_unparsed_candidates() {
    let Some(c) = corpus() else { return };
    let (code, r, err) = analyze(&[c.join("github-issues").to_str().unwrap(), "--year", "2025"]);
    assert_eq!(code, 0, "{err}");
    let inputs = r["inputs"].as_array().unwrap();
    assert!(inputs.len() >= 30, "{}", inputs.len());
    for i in inputs {
        assert_eq!(i["unparsed"], 0, "{}", i["path"]);
        assert!(i["lines"].as_u64().unwrap() > 0);
    }
    let sv = inputs
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .ends_with("Supervisor__supervisor__321.supervisord.log")
        })
        .unwrap();
    assert_eq!(sv["format"], "supervisord");
    assert_eq!(sv["first"], "2013-10-15T15:45:20.705000Z");
}
