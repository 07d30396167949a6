//! The input side through the real binary: exit codes, messages naming the file, stdin,
//! directories, bad bytes, gzip damage, year/zone policy, and output that does not depend on
//! the thread count.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("logautopsy").unwrap()
}

/// Run `analyze --json -` and return (exit code, report, stderr).
fn analyze(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, Value, String) {
    let mut c = bin();
    c.arg("analyze").args(args).args(["--json", "-"]);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let out = c.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn input<'a>(r: &'a Value, suffix: &str) -> &'a Value {
    r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no input {suffix} in {r}"))
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

const LINE: &str = "Sep 27 19:13:48 web1 systemd[1]: supervisor.service: A process of this unit has been killed by the OOM killer.\n";

#[test]
fn missing_path_is_named_and_exits_2_but_the_rest_is_read() {
    let d = tempfile::tempdir().unwrap();
    let good = d.path().join("syslog");
    std::fs::write(&good, LINE).unwrap();
    let missing = d.path().join("no/such/syslog");
    let (code, r, err) = analyze(
        &[
            good.to_str().unwrap(),
            missing.to_str().unwrap(),
            "--year",
            "2025",
        ],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "logautopsy: {}: No such file or directory",
            missing.display()
        )),
        "{err}"
    );
    assert_eq!(input(&r, "/syslog")["lines"], 1);
}

#[test]
fn empty_explicit_input_is_an_error_naming_it() {
    let d = tempfile::tempdir().unwrap();
    let empty = d.path().join("syslog.1");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = analyze(&[empty.to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("logautopsy: {}: empty input", empty.display())),
        "{err}"
    );
}

#[test]
fn permission_denied_says_how_to_fix_it() {
    // Root reads everything: the check only means something for other users.
    if unsafe_is_root() {
        eprintln!("skipped: running as root, permission bits do not deny reads");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("auth.log");
    std::fs::write(&p, LINE).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (code, _, err) = analyze(&[p.to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("Permission denied") && err.contains("adm"),
        "{err}"
    );
}

fn unsafe_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn truncated_gzip_keeps_what_was_read_and_says_where_it_broke() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..20000 {
        text.push_str(&format!(
            "Sep 27 19:{:02}:{:02} web1 CRON[{}]: (root) CMD (true {i})\n",
            (i / 60) % 60,
            i % 60,
            1000 + i
        ));
    }
    let full = gz(text.as_bytes());
    let p = d.path().join("syslog.2.gz");
    std::fs::write(&p, &full[..full.len() / 2]).unwrap();
    let (code, r, err) = analyze(&[p.to_str().unwrap(), "--year", "2025"], None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "logautopsy: {}: truncated or corrupt gzip stream",
            p.display()
        )),
        "{err}"
    );
    let lines = input(&r, "syslog.2.gz")["lines"].as_u64().unwrap();
    assert!(lines > 1000 && lines < 20000, "kept {lines} lines");
}

#[test]
fn stdin_plain_and_gzip() {
    let (code, r, _) = analyze(&["-", "--year", "2025"], Some(LINE.repeat(3).into_bytes()));
    assert_eq!(code, 0);
    assert_eq!(input(&r, "-")["lines"], 3);
    assert_eq!(input(&r, "-")["format"], "rfc3164");
    let (code, r, _) = analyze(
        &["-", "--year", "2025"],
        Some(gz(LINE.repeat(5).as_bytes())),
    );
    assert_eq!(code, 0);
    assert_eq!(input(&r, "-")["lines"], 5);
    assert_eq!(input(&r, "-")["compression"], "gzip");
}

#[test]
fn junk_in_a_directory_is_skipped_with_one_warning_each() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("syslog"), LINE).unwrap();
    std::fs::write(d.path().join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(d.path().join("notes.txt"), "remember to rotate\nthe logs\n").unwrap();
    let out = bin()
        .args([
            "analyze",
            d.path().to_str().unwrap(),
            "--year",
            "2025",
            "--json",
            "-",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        err.matches("logo.png: skipped, not a log file: a PNG image")
            .count(),
        1,
        "{err}"
    );
    assert_eq!(
        err.matches("notes.txt: skipped, not a recognised log format")
            .count(),
        1,
        "{err}"
    );
}

#[test]
fn hostile_bytes_never_panic_and_every_line_is_counted() {
    let d = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    data.extend_from_slice(b"Sep 27 19:13:48 web1 kernel: \xff\xfe invalid utf-8 Killed process 12 (x\xc3) total-vm:1kB\n");
    data.extend_from_slice(b"Sep 27 19:13:48 web1 kernel: nul \0\0\0 bytes OOM killer\r\n");
    data.extend_from_slice(b"Sep 27 19:13:49 web1 kernel: ");
    data.extend(std::iter::repeat_n(b'A', 50 * 1024 * 1024));
    data.extend_from_slice(b" invoked oom-killer\n");
    data.extend_from_slice(b"Sep 27 19:13:50 web1 CRON[5]: (root) CMD (no trailing newline)");
    let p = d.path().join("syslog");
    std::fs::write(&p, &data).unwrap();
    let (code, r, err) = analyze(&[p.to_str().unwrap(), "--year", "2025"], None);
    assert_eq!(code, 0, "{err}");
    let i = input(&r, "syslog");
    assert_eq!(i["lines"], 4);
    assert!(
        i["warnings"].to_string().contains("longer than 4 MiB"),
        "{i}"
    );
    assert_eq!(i["last"], "2025-09-27T19:13:50.000000Z");
}

fn set_mtime(p: &Path, rfc3339: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    let f = std::fs::File::options().write(true).open(p).unwrap();
    f.set_modified(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(t.timestamp() as u64),
    )
    .unwrap();
}

#[test]
fn year_comes_from_mtime_with_dec_to_jan_rollover() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("syslog");
    std::fs::write(&p, "Dec 31 23:59:58 web1 CRON[1]: (root) CMD (a)\nJan  1 00:00:02 web1 CRON[2]: (root) CMD (b)\n").unwrap();
    set_mtime(&p, "2026-01-01T00:10:00Z");
    let (_, r, _) = analyze(&[p.to_str().unwrap()], None);
    let i = input(&r, "syslog");
    assert_eq!(i["first"], "2025-12-31T23:59:58.000000Z");
    assert_eq!(i["last"], "2026-01-01T00:00:02.000000Z");
    assert!(
        i["year_policy"]
            .as_str()
            .unwrap()
            .contains("mtime 2026-01-01T00:10:00Z"),
        "{i}"
    );
    // --year names the first line's year.
    let (_, r, _) = analyze(&[p.to_str().unwrap(), "--year", "2019"], None);
    assert_eq!(input(&r, "syslog")["last"], "2020-01-01T00:00:02.000000Z");
}

#[test]
fn feb_29_lands_in_a_leap_year() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("syslog");
    std::fs::write(&p, "Feb 29 12:00:00 web1 CRON[1]: (root) CMD (a)\n").unwrap();
    set_mtime(&p, "2025-06-01T00:00:00Z");
    let (_, r, _) = analyze(&[p.to_str().unwrap()], None);
    assert_eq!(input(&r, "syslog")["first"], "2024-02-29T12:00:00.000000Z");
}

#[test]
fn tz_flag_applies_per_host_and_utc_assumption_is_reported() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("syslog");
    std::fs::write(&p, "Sep 27 19:13:48 web1 CRON[1]: (root) CMD (a)\n").unwrap();
    let (_, r, _) = analyze(
        &[
            p.to_str().unwrap(),
            "--year",
            "2025",
            "--tz",
            "web1=Asia/Kolkata",
        ],
        None,
    );
    assert_eq!(input(&r, "syslog")["first"], "2025-09-27T13:43:48.000000Z");
    let (_, r, _) = analyze(&[p.to_str().unwrap(), "--year", "2025"], None);
    assert!(
        r["warnings"]
            .to_string()
            .contains("zone-less times read as UTC"),
        "{}",
        r["warnings"]
    );
    bin()
        .args(["analyze", p.to_str().unwrap(), "--tz", "Mars/Olympus"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown time zone `Mars/Olympus`"));
}

#[test]
fn output_is_identical_at_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("syslog");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    // ~40 MB: big enough to be split into ranges.
    for i in 0..400_000u32 {
        let s = i % 60;
        let m = (i / 60) % 60;
        let h = (i / 3600) % 24;
        if i % 5000 == 0 {
            writeln!(f, "Sep 27 {h:02}:{m:02}:{s:02} web1 kernel: Out of memory: Killed process {i} (python3) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB").unwrap();
        } else {
            writeln!(f, "Sep 27 {h:02}:{m:02}:{s:02} web1 sshd[{i}]: Connection closed by 203.0.113.{} port {} [preauth] padding padding", i % 250, 1024 + i % 60000).unwrap();
        }
    }
    drop(f);
    let run = |t: &str| {
        bin()
            .args([
                "analyze",
                p.to_str().unwrap(),
                "--year",
                "2025",
                "--quiet",
                "--threads",
                t,
                "--json",
                "-",
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one, two);
    let r: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(input(&r, "syslog")["lines"], 400_000);
    assert_eq!(input(&r, "syslog")["candidates"], 80);
}

#[test]
fn a_reset_mtime_is_overruled_by_dated_neighbours_and_supervisord_stamps() {
    let d = tempfile::tempdir().unwrap();
    let sv = d.path().join("supervisord.log");
    std::fs::write(&sv, "2025-09-27 19:13:48,368 INFO waiting for web to die\n").unwrap();
    let kern = d.path().join("kern.log");
    std::fs::write(&kern, "Sep 27 19:13:47 web1 kernel: Out of memory: Killed process 1121 (python3) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n").unwrap();
    let syslog = d.path().join("syslog");
    std::fs::write(&syslog, "Sep 27 19:13:48 web1 supervisord[1022]: 2025-09-27 19:13:48,368 INFO waiting for web to die\n").unwrap();
    // Copied without -p in January 2027: the mtime alone would say 2026.
    set_mtime(&kern, "2027-01-05T10:00:00Z");
    set_mtime(&syslog, "2027-01-05T10:00:00Z");
    let (code, r, err) = analyze(&[d.path().to_str().unwrap(), "--tz", "UTC"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        input(&r, "/kern.log")["first"],
        "2025-09-27T19:13:47.000000Z"
    );
    assert!(input(&r, "/kern.log")["year_policy"]
        .as_str()
        .unwrap()
        .contains("supervisord.log, of the same host"));
    assert_eq!(input(&r, "/syslog")["first"], "2025-09-27T19:13:48.000000Z");
    assert!(input(&r, "/syslog")["year_policy"]
        .as_str()
        .unwrap()
        .contains("dates in its supervisord lines"));
    assert!(err.contains("mtime points to 2026; read as 2025"), "{err}");
    // --year decides.
    let (_, r, _) = analyze(
        &[d.path().to_str().unwrap(), "--tz", "UTC", "--year", "2024"],
        None,
    );
    assert_eq!(
        input(&r, "/kern.log")["first"],
        "2024-09-27T19:13:47.000000Z"
    );
}

/// A busy host's routine: `sessions` SSH sessions (start, stop, CPU accounting, each with a
/// user manager every fifth session) and a timer nothing refers to. Returns the text and the
/// number of routine lines per kind.
fn busy_routine(sessions: u32) -> (String, std::collections::BTreeMap<&'static str, u64>) {
    let mut s = String::new();
    let mut n = std::collections::BTreeMap::new();
    let mut add = |s: &mut String, kind: &'static str, line: String| {
        s.push_str(&line);
        s.push('\n');
        *n.entry(kind).or_insert(0u64) += 1;
    };
    for i in 0..sessions {
        let t = 3600 + i * 4;
        let (h, m, sec) = (t / 3600, t / 60 % 60, t % 60);
        let at = format!("Sep 27 {h:02}:{m:02}:{sec:02} web1");
        s.push_str(&format!(
            "{at} systemd-logind[612]: New session {i} of user root.\n"
        ));
        if i % 5 == 0 {
            add(
                &mut s,
                "unit_starting",
                format!("{at} systemd[1]: Starting user@0.service - User Manager for UID 0..."),
            );
            add(
                &mut s,
                "unit_started",
                format!("{at} systemd[1]: Started user@0.service - User Manager for UID 0."),
            );
        }
        add(
            &mut s,
            "unit_started",
            format!("{at} systemd[1]: Started session-{i}.scope - Session {i} of User root."),
        );
        add(
            &mut s,
            "unit_succeeded",
            format!("{at} systemd[1]: session-{i}.scope: Deactivated successfully."),
        );
        add(
            &mut s,
            "unit_resources",
            format!("{at} systemd[1]: session-{i}.scope: Consumed 1.204s CPU time."),
        );
        if i % 5 == 4 {
            add(
                &mut s,
                "unit_succeeded",
                format!("{at} systemd[1]: run-user-0.mount: Deactivated successfully."),
            );
            add(
                &mut s,
                "unit_stopped",
                format!("{at} systemd[1]: Stopped user@0.service - User Manager for UID 0."),
            );
        }
        if i % 150 == 0 {
            // A timer's run: lifecycle of a unit that no evidence names.
            add(&mut s, "unit_starting", format!("{at} systemd[1]: Starting sysstat-collect.service - system activity accounting tool..."));
            add(
                &mut s,
                "unit_succeeded",
                format!("{at} systemd[1]: sysstat-collect.service: Deactivated successfully."),
            );
            add(&mut s, "unit_started", format!("{at} systemd[1]: Finished sysstat-collect.service - system activity accounting tool."));
        }
    }
    (s, n)
}

fn routine_counts(r: &Value) -> std::collections::BTreeMap<String, u64> {
    r["stats"]["routine"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["host"], "web1");
            (
                c["kind"].as_str().unwrap().to_string(),
                c["lines"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn ten_thousand_routine_session_lines_make_no_events() {
    let (text, expected) = busy_routine(2700);
    let total: u64 = expected.values().sum();
    assert!(total >= 10_000, "{total}");
    let (code, r, err) = analyze(
        &["-", "--year", "2025", "--tz", "UTC"],
        Some(text.into_bytes()),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        r["events"].as_array().unwrap().len(),
        0,
        "{}",
        r["events"][0]
    );
    assert_eq!(r["stats"]["routine_lines"], total);
    let want: std::collections::BTreeMap<String, u64> =
        expected.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(routine_counts(&r), want);
    // Every line is still counted, and the host still appears.
    assert_eq!(r["stats"]["lines"], text_lines(2700));
    assert_eq!(r["hosts"][0]["name"], "web1");
}

fn text_lines(sessions: u32) -> u64 {
    busy_routine(sessions).0.lines().count() as u64
}

#[test]
fn a_session_scope_that_held_an_oom_victim_is_cited_and_other_scopes_are_not() {
    let (mut text, _) = busy_routine(100);
    let started_line = text
        .lines()
        .position(|l| l.contains("Started session-42.scope"))
        .unwrap()
        + 1;
    for l in [
        "Sep 27 02:00:00 web1 kernel: [ 9000.100000] python3 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
        "Sep 27 02:00:00 web1 kernel: [ 9000.200000] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-0.slice/session-42.scope,task=python3,pid=4242,uid=0",
        "Sep 27 02:00:00 web1 kernel: [ 9000.300000] Out of memory: Killed process 4242 (python3) total-vm:9123456kB, anon-rss:8765432kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:17000kB oom_score_adj:0",
    ] {
        text.push_str(l);
        text.push('\n');
    }
    let (code, r, err) = analyze(
        &["-", "--year", "2025", "--tz", "UTC"],
        Some(text.into_bytes()),
    );
    assert_eq!(code, 0, "{err}");
    let events = r["events"].as_array().unwrap();
    let starts: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "unit_started")
        .collect();
    assert_eq!(starts.len(), 1, "only the victim's scope: {starts:?}");
    assert_eq!(starts[0]["unit"], "session-42.scope");
    assert_eq!(starts[0]["time"], "2025-09-27T01:02:48.000000Z");
    assert_eq!(starts[0]["attrs"]["routine"], true);
    let inc = &r["incidents"][0];
    let step = inc["chain"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "unit_started")
        .unwrap_or_else(|| panic!("no scope start in the chain: {}", inc["chain"]));
    assert_eq!(step["event"], starts[0]["id"]);
    assert_eq!(step["sources"][0]["line"], started_line as u64);
    // The scope's lines were promoted, not counted twice as routine.
    assert_eq!(routine_counts(&r)["unit_started"], 100 + 20 + 1 - 1);
}

#[test]
fn events_since_until_keep_only_the_events_inside_the_range() {
    let lines = [
        "Sep 27 10:00:00 web1 kernel: Out of memory: Killed process 100 (a) total-vm:10kB, anon-rss:5kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0",
        "Sep 27 11:00:00 web1 kernel: Out of memory: Killed process 200 (b) total-vm:10kB, anon-rss:5kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0",
        "Sep 27 12:00:00 web1 kernel: Out of memory: Killed process 300 (c) total-vm:10kB, anon-rss:5kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0",
    ];
    let pids = event_pids(
        &lines.join("\n"),
        &[
            "--since",
            "2025-09-27T10:30:00Z",
            "--until",
            "2025-09-27T12:00:00Z",
        ],
    );
    // `--until` is exclusive, as for analyze.
    assert_eq!(pids, [200]);
}

/// The pids of the events `logautopsy events` finds in `stdin` (year 2025, UTC) with `extra`.
fn event_pids(stdin: &str, extra: &[&str]) -> Vec<u64> {
    let out = bin()
        .args([
            "events", "-", "--year", "2025", "--tz", "UTC", "--format", "jsonl",
        ])
        .args(extra)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["pid"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

/// The CLI's times and durations: RFC 3339 or `YYYY-MM-DD HH:MM` in UTC, `900`/`15m`/`2h`; a
/// value it cannot read is named with its flag (exit 1, a bad flag), before any input is read.
#[test]
fn cli_times_and_durations_are_read_or_named() {
    let line = "Sep 27 11:00:00 web1 kernel: Out of memory: Killed process 200 (b) total-vm:10kB, anon-rss:5kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0";
    let pids = |extra: &[&str]| event_pids(line, extra);
    for slack in ["900", "15m", "2h"] {
        let out = bin()
            .args([
                "analyze",
                "-",
                "--year",
                "2025",
                "--quiet",
                "--backup-slack",
                slack,
            ])
            .write_stdin(line)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "--backup-slack {slack}");
    }
    // A zone-less `--since` is UTC: 10:59 keeps the 11:00 kill, 11:01 drops it.
    assert_eq!(pids(&["--since", "2025-09-27 10:59"]), [200]);
    assert_eq!(pids(&["--since", "2025-09-27 11:01"]), Vec::<u64>::new());
    assert_eq!(
        pids(&["--until", "2025-09-27T13:00:00+02:00"]),
        Vec::<u64>::new()
    );
    for (args, says) in [
        (
            &["--since", "yesterday"][..],
            "--since yesterday: not a time",
        ),
        (&["--backup-slack", "5 parsecs"][..], "--backup-slack"),
        (
            &[
                "--since",
                "2025-09-28T00:00:00Z",
                "--until",
                "2025-09-27T00:00:00Z",
            ][..],
            "--since must be before --until",
        ),
    ] {
        let out = bin()
            .args(["analyze", "-", "--year", "2025"])
            .args(args)
            .write_stdin(line)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn a_journal_of_only_routine_lines_still_names_its_host_and_time_span() {
    // journalctl -o export: three session scopes of one host, nothing else.
    let mut text = String::new();
    for (i, t) in [1_759_000_000u64, 1_759_000_060, 1_759_000_120]
        .iter()
        .enumerate()
    {
        text.push_str(&format!(
            "__CURSOR=s=abc;i={i:x}\n__REALTIME_TIMESTAMP={}\n_HOSTNAME=db2\nSYSLOG_IDENTIFIER=systemd\n_PID=1\nMESSAGE=Started session-{i}.scope - Session {i} of User root.\n\n",
            t * 1_000_000
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("routine.export");
    std::fs::write(&p, text).unwrap();
    let (code, r, err) = analyze(&[p.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["events"].as_array().unwrap().len(), 0);
    assert_eq!(r["stats"]["routine_lines"], 3);
    let host = &r["hosts"][0];
    assert_eq!(host["name"], "db2", "{}", r["hosts"]);
    assert_eq!(host["routine_lines"], 3);
    assert_eq!(host["first"], "2025-09-27T19:06:40.000000Z");
    assert_eq!(host["last"], "2025-09-27T19:08:40.000000Z");
}
