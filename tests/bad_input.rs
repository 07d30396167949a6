//! Nothing lost, nothing injected: the failures an attack review found, each reproduced
//! through the real binary — streams read once, escape sequences shown not obeyed, CSV cells
//! that cannot become formulas, NUL padding, partial reads, exit codes.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("logautopsy").unwrap()
}

/// `n` numbered syslog lines, each a kernel line that is not an event.
fn numbered(n: usize) -> String {
    let mut s = String::with_capacity(n * 64);
    for i in 0..n {
        s.push_str(&format!(
            "Mar 10 10:{:02}:{:02} web1 kernel: [{i}.000000] line number {i}\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    s
}

fn assert_ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: stderr {}", String::from_utf8_lossy(&out.stderr)))
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A path that is a pipe (`/dev/stdin`, a process substitution) was opened twice: sniffing ate
/// its first 64 KiB. Every line must be read, gzip included.
#[test]
fn a_pipe_given_as_a_path_is_read_completely() {
    let text = numbered(100_000);
    for (name, data) in [
        ("plain", text.clone().into_bytes()),
        ("gzip", gz(text.as_bytes())),
    ] {
        let out = bin()
            .args(["analyze", "/dev/stdin", "--year", "2025", "--json", "-"])
            .write_stdin(data)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(json_of(&out)["stats"]["lines"], 100_000, "{name}");
    }
    // A process substitution, as a shell user writes it.
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("num.log");
    std::fs::write(&f, &text).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} analyze <(gzip -c {}) --year 2025 --json -",
            assert_cmd::cargo::cargo_bin("logautopsy").display(),
            f.display()
        ))
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(json_of(&out)["stats"]["lines"], 100_000);
}

/// A named FIFO given as a path hung on the second open.
#[test]
fn a_fifo_given_as_a_path_is_read_once_and_does_not_hang() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("logs.fifo");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(ok.success());
    let text = numbered(20_000);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            f.write_all(text.as_bytes()).unwrap();
        })
    };
    let out = bin()
        .arg("analyze")
        .arg(&fifo)
        .args(["--year", "2025", "--json", "-"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    writer.join().unwrap();
    assert_ok(&out);
    assert_eq!(json_of(&out)["stats"]["lines"], 20_000);
}

/// Raw control and bidi characters in what one output wrote: none may pass.
fn raw_hidden(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| logautopsy::render::escape::hidden(c) && c != '\n')
        .collect()
}

/// ESC, BEL and U+202E from log text and file names reached the terminal summary, the events
/// table, `-v` INPUTS, stderr and Markdown code spans.
#[test]
fn escape_sequences_in_logs_and_file_names_are_shown_not_obeyed() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("logs");
    std::fs::create_dir_all(&dir).unwrap();
    let evil = "x\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{202e}";
    let log = format!(
        "Sep 27 09:47:12 web3 kernel: [412345.002468] Out of memory: Killed process 2147 (g{evil}) total-vm:3600000kB, anon-rss:3425952kB, file-rss:2048kB, shmem-rss:0kB, UID:1000 pgtables:6707kB oom_score_adj:0\n\
         Sep 27 09:47:13 web3 systemd[1]: app{evil}.service: Failed with result 'oom-kill'.\n"
    );
    std::fs::write(dir.join(format!("kern{evil}.log")), &log).unwrap();
    // A file that is not a log, so its name reaches stderr in a warning.
    std::fs::write(
        dir.join(format!("junk{evil}")),
        [0u8, 159, 146, 150].repeat(3000),
    )
    .unwrap();
    let md = d.path().join("pm.md");
    let run = |args: &[&str]| {
        let out = bin()
            .args(args)
            .arg(&dir)
            .args(["--year", "2025", "-v"])
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (term, err) = run(&["analyze", "--color", "never", "-o", md.to_str().unwrap()]);
    assert!(
        term.contains("(gx\\x1b]52;c;aGk=\\x07\\x1b[2J\\u{202e})"),
        "{term}"
    );
    assert_eq!(raw_hidden(&term), vec![], "terminal: {term}");
    assert_eq!(raw_hidden(&err), vec![], "stderr: {err}");
    assert!(err.contains("junkx\\x1b]52"), "{err}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert_eq!(raw_hidden(&md), vec![], "markdown: {md}");
    let (table, err) = run(&["events"]);
    assert_eq!(raw_hidden(&table), vec![], "events: {table}");
    assert_eq!(raw_hidden(&err), vec![], "stderr: {err}");
    // With colour, the only escape sequences are the summary's own SGR colour codes.
    let (term, _) = run(&["analyze", "--color", "always"]);
    let sgr = regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    assert!(sgr.is_match(&term));
    assert_eq!(raw_hidden(&sgr.replace_all(&term, "")), vec![], "{term}");
}

/// The cells of a CSV text (RFC 4180 quoting).
fn csv_cells(text: &str) -> Vec<String> {
    let (mut cells, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',' | '\n', false) => cells.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    cells
}

/// A process named `=HYPERLINK(…)` was written as it was to `-o events.csv` and
/// `events --format csv`: a formula for whoever opens the file in a spreadsheet.
#[test]
fn csv_cells_cannot_start_a_formula() {
    let d = tempfile::tempdir().unwrap();
    let log = d.path().join("kern.log");
    std::fs::write(
        &log,
        "Sep 27 09:47:12 web3 kernel: [412345.002468] Out of memory: Killed process 2147 (=HYPERLINK(\"http://x\",\"y\")) total-vm:3600000kB, anon-rss:3425952kB, file-rss:2048kB, shmem-rss:0kB, UID:1000 pgtables:6707kB oom_score_adj:0\n\
         Sep 27 09:47:13 web3 systemd[1]: @evil.service: Failed with result 'oom-kill'.\n",
    )
    .unwrap();
    let csv = d.path().join("events.csv");
    bin()
        .arg("analyze")
        .arg(&log)
        .args(["--year", "2025", "--quiet", "-o"])
        .arg(&csv)
        .assert()
        .success();
    let listed = bin()
        .args(["events", "--format", "csv", "--year", "2025"])
        .arg(&log)
        .output()
        .unwrap();
    for (what, text) in [
        ("-o events.csv", std::fs::read_to_string(&csv).unwrap()),
        (
            "events --format csv",
            String::from_utf8(listed.stdout).unwrap(),
        ),
    ] {
        let cells = csv_cells(&text);
        assert!(
            cells.iter().any(|c| c == "'=HYPERLINK(\"http://x\",\"y\")"),
            "{what}: {cells:?}"
        );
        let live: Vec<&String> = cells
            .iter()
            .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
            .collect();
        assert!(live.is_empty(), "{what}: {live:?}");
    }
}

/// Ctrl-C left a hidden temporary file behind. A binary journal on stdin is spooled to a
/// temporary file while it is read; interrupt the run while it waits for more input.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    use std::process::{Command as Std, Stdio};
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("logautopsy"))
        .args(["analyze", "-", "--quiet"])
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut journal = b"LPKSHHRH".to_vec();
    journal.resize(200_000, 0);
    stdin.write_all(&journal).unwrap();
    let spooled = || std::fs::read_dir(tmp.path()).unwrap().count();
    let t0 = std::time::Instant::now();
    while spooled() == 0 {
        assert!(t0.elapsed().as_secs() < 60, "no spool file appeared");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(Std::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    drop(stdin);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(2), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Flag errors exited 2, which the README reserves for unreadable input; a full disk on stdout
/// named no path; `--host ''` was accepted; `--threads 100000` tried to start them all.
#[test]
fn exit_codes_and_messages_say_what_and_where() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-logs/worker-crash/logs");
    for bad in [
        &["analyze", "--year", "abc", sample][..],
        &["analyze", "--no-such-flag", sample],
        &["events", "--format", "xml", sample],
        &["analyze", sample, "--host", ""],
        &["analyze", sample, "--host", " "],
    ] {
        let out = bin().args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.is_empty() && !err.contains("panicked"),
            "{bad:?}: {err}"
        );
    }
    let out = bin()
        .args(["analyze", sample, "--host", ""])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--host: the host name is empty"));
    bin().arg("--version").assert().code(0);

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("logautopsy"))
        .args(["analyze", sample, "--quiet"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("logautopsy: standard output: No space left on device"),
        "{err}"
    );

    let out = bin()
        .args(["analyze", sample, "--threads", "100000", "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(
        err.contains(&format!("--threads 100000: using {}", cores * 4)),
        "{err}"
    );
}

/// Concurrent `extract` jobs into one dataset shared a fixed-name probe file (one failed with a
/// misleading message, its partitions missing), and `extract` deleted unrelated files inside a
/// `host=` partition.
#[test]
fn concurrent_extracts_into_one_dataset_all_land() {
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs/multi-host/logs");
    let d = tempfile::tempdir().unwrap();
    let set = d.path().join("fleet");
    let notes = set.join("events/host=ap-app1/NOTES.txt");
    std::fs::create_dir_all(notes.parent().unwrap()).unwrap();
    std::fs::write(&notes, "kept\n").unwrap();
    // Different hosts, and the same host twice, at once.
    let jobs = ["ap-app1", "eu-web1", "us-db1", "ap-app1", "eu-web1"];
    for round in 0..4 {
        let children: Vec<_> = jobs
            .iter()
            .map(|h| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("logautopsy"))
                    .arg("extract")
                    .arg(logs.join(h))
                    .args(["--year", "2025", "--quiet", "-o"])
                    .arg(&set)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (h, c) in jobs.iter().zip(children) {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}, {h}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    for h in ["ap-app1", "eu-web1", "us-db1"] {
        assert!(
            set.join(format!("events/host={h}/part-0.parquet"))
                .is_file(),
            "{h}"
        );
    }
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "kept\n");
    let stray: Vec<_> = walk(&set)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("logautopsy-"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
    // The dataset reads back whole.
    let out = bin()
        .arg("analyze")
        .arg(&set)
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["hosts"].as_array().unwrap().len(), 3);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

const KILL: &str = "Sep 27 09:47:12 web3 kernel: [412345.002468] Out of memory: Killed process 2147 (gunicorn) total-vm:3600000kB, anon-rss:3425952kB, file-rss:2048kB, shmem-rss:0kB, UID:1000 pgtables:6707kB oom_score_adj:0";

fn analyze_file(path: &Path) -> (i32, Value) {
    let out = bin()
        .arg("analyze")
        .arg(path)
        .args(["--year", "2025", "--json", "-"])
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), json_of(&out))
}

fn kills(r: &Value) -> usize {
    r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "oom_kill")
        .count()
}

/// Three NULs in the first 8 KiB made the whole file "binary data"; a NUL run glued onto the
/// next line lost it without a warning; a gzip followed by zero padding was skipped whole;
/// CR-only line endings gave 0 events without a warning.
#[test]
fn nul_padding_and_cr_line_endings_are_read() {
    let d = tempfile::tempdir().unwrap();
    let noise = numbered(50);
    // A crash: a cut line, a run of NULs, then the log goes on — the kill glued to the run.
    let mut crashed = noise.clone().into_bytes();
    crashed.extend_from_slice(b"Sep 27 09:47:11 web3 kernel: [412345.0] cut sh");
    crashed.extend(std::iter::repeat_n(0u8, 4096));
    crashed.extend_from_slice(KILL.as_bytes());
    crashed.push(b'\n');
    crashed.extend_from_slice(noise.as_bytes());
    let p = d.path().join("syslog");
    std::fs::write(&p, &crashed).unwrap();
    let (code, r) = analyze_file(&p);
    assert_eq!(code, 0);
    assert_eq!(kills(&r), 1, "the kill after the NUL run is found");
    assert_eq!(r["inputs"][0]["lines"], 101);
    let warn = r["inputs"][0]["warnings"].to_string();
    assert!(warn.contains("1 line(s) hold NUL bytes"), "{warn}");

    // A few NULs early on: text, not binary.
    let mut early = b"\0\0\0".to_vec();
    early.extend_from_slice(format!("{KILL}\n{noise}").as_bytes());
    std::fs::write(&p, &early).unwrap();
    let (code, r) = analyze_file(&p);
    assert_eq!((code, kills(&r)), (0, 1), "{r}");

    // gzip followed by zero padding: every line, no error.
    let mut padded = gz(format!("{noise}{KILL}\n").as_bytes());
    padded.extend(std::iter::repeat_n(0u8, 8192));
    let gzp = d.path().join("syslog.2.gz");
    std::fs::write(&gzp, &padded).unwrap();
    let (code, r) = analyze_file(&gzp);
    assert_eq!((code, kills(&r)), (0, 1), "{r}");
    assert_eq!(r["inputs"][0]["lines"], 51);

    // CR-only line endings.
    let cr = format!("{noise}{KILL}\n").replace('\n', "\r");
    std::fs::write(&p, cr).unwrap();
    let (code, r) = analyze_file(&p);
    assert_eq!((code, kills(&r)), (0, 1), "{r}");
    assert_eq!(r["inputs"][0]["lines"], 51);
    assert!(r["inputs"][0]["warnings"].to_string().contains("CR alone"));

    // A file of nothing but NULs is skipped with a reason, not read as text.
    std::fs::write(&p, vec![0u8; 10_000]).unwrap();
    let out = bin().arg("analyze").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only NUL bytes"));
}

/// A truncated binary journal (some entries lost) exited 0 with nothing on stderr, while a
/// truncated gzip exits 2 with a message. Both are partial reads and are said the same way.
#[test]
fn a_truncated_journal_is_a_partial_read() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/journal/plain-regular-jenkins.journal.zst");
    let good = zstd::decode_all(std::fs::File::open(fixture).unwrap()).unwrap();
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("system@cut.journal");
    // journald preallocates: the written objects end where the zeros begin. Cut 8 KiB before
    // that end, inside the last entries.
    let written = good.len() - good.iter().rev().take_while(|&&b| b == 0).count();
    std::fs::write(&p, &good[..written - 8192]).unwrap();
    let out = bin()
        .arg("analyze")
        .arg(&p)
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let want = format!("logautopsy: {}: journal read in part: ", p.display());
    assert!(err.contains(&want), "{err}");
    assert!(err.contains("of 18 entries could not be read"), "{err}");
    let r = json_of(&out);
    assert!(r["inputs"][0]["warnings"]
        .to_string()
        .contains("shorter than its header"));
    // The whole file reads with exit 0.
    std::fs::write(&p, &good).unwrap();
    bin()
        .arg("analyze")
        .arg(&p)
        .args(["--json", "-"])
        .assert()
        .code(0);
}

/// A file cut while it was read (copytruncate) gave 41 of 340 MB with exit 0 and no warning.
#[cfg(target_os = "linux")]
#[test]
fn a_file_cut_while_it_is_read_is_a_partial_read() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("syslog");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        let block = numbered(20_000);
        for _ in 0..120 {
            f.write_all(block.as_bytes()).unwrap();
        }
    }
    let size = std::fs::metadata(&p).unwrap().len();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("logautopsy"))
        .arg("analyze")
        .arg(&p)
        .args(["--year", "2025", "--threads", "1", "--json", "-"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Cut the file once the run has it open, as logrotate's copytruncate would.
    let fds = format!("/proc/{}/fd", child.id());
    let t0 = std::time::Instant::now();
    loop {
        let open = std::fs::read_dir(&fds)
            .map(|rd| {
                rd.flatten()
                    .any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l == p))
            })
            .unwrap_or(false);
        if open || t0.elapsed().as_secs() > 30 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    // Past the open's size check; far from the end of reading 160 MB.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(size / 10)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "logautopsy: {}: the file shrank from {size} to",
            p.display()
        )),
        "{err}"
    );
}

/// An interleaved line inside an OOM task table (another process's line, another host's) ended
/// the table: every later row was missing from "memory at the OOM kill", with no warning.
#[test]
fn a_foreign_line_inside_a_task_table_does_not_end_it() {
    let k = |ts: &str, msg: &str| format!("Sep 27 09:47:12 web3 kernel: [{ts}] {msg}");
    let lines = [
        k("412345.001000", "gunicorn invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0"),
        k("412345.001100", "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"),
        k("412345.001200", "[   2140]  1000  2140   900000   500000  4000000        0             0 gunicorn"),
        "Sep 27 09:47:12 web3 CRON[777]: (root) CMD (/usr/lib/sysstat/debian-sa1 1 1)".to_string(),
        k("412345.001300", "[   2147]  1000  2147   900000   800000  6000000        0             0 gunicorn"),
        "Sep 27 09:47:12 db9 sshd[4242]: Accepted publickey for deploy from 10.0.0.9 port 50000 ssh2".to_string(),
        "Sep 27 09:47:12 web3 systemd[1]: Started session-77.scope - Session 77 of User deploy.".to_string(),
        k("412345.001400", "[   2200]     0  2200  2000000  1500000  9000000        0             0 mariadbd"),
        KILL.to_string(),
    ];
    let text = lines.join("\n") + "\n";
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("syslog");
    std::fs::write(&p, &text).unwrap();
    let (code, r) = analyze_file(&p);
    assert_eq!(code, 0);
    let kill = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "oom_kill")
        .unwrap();
    assert_eq!(kill["attrs"]["task_rows"], 3, "{kill}");
    let top = &r["incidents"][0]["memory_top"];
    assert_eq!(top[0]["process"], "mariadbd", "{top}");
    assert_eq!(top[0]["rss_kb"], 6_000_000);
    assert_eq!(top[1]["process"], "gunicorn");
    assert_eq!(
        (top[1]["count"].as_u64(), top[1]["rss_kb"].as_u64()),
        (Some(2), Some(5_200_000))
    );
    // The foreign lines are read as lines of their own: the cron job is a routine line.
    assert_eq!(r["stats"]["lines"], 9);

    // The same entries as `journalctl -o json`: the table spans entries there.
    let json_lines: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let host = if l.contains(" db9 ") { "db9" } else { "web3" };
            let (ident, msg) = match l.split_once(" kernel: ") {
                Some((_, m)) => ("kernel", m.split_once("] ").unwrap().1.to_string()),
                None => {
                    let rest = l.splitn(5, ' ').nth(4).unwrap();
                    let (who, m) = rest.split_once(": ").unwrap();
                    (who.split('[').next().unwrap(), m.to_string())
                }
            };
            serde_json::json!({
                "__CURSOR": format!("s=1;i={i:x}"),
                "__REALTIME_TIMESTAMP": (1_758_966_432_000_000u64 + i as u64).to_string(),
                "_HOSTNAME": host, "SYSLOG_IDENTIFIER": ident, "MESSAGE": msg,
            })
            .to_string()
        })
        .collect();
    let j = d.path().join("journal.json");
    std::fs::write(&j, json_lines.join("\n") + "\n").unwrap();
    let (code, r) = analyze_file(&j);
    assert_eq!(code, 0);
    let kill = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "oom_kill")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(kill["attrs"]["task_rows"], 3, "{kill}");
}

/// The zone warning for 50 000 files was one 1.5 MB line; Feb 29 in a year without one became
/// Feb 28 with the warning only in -v and the JSON.
#[test]
fn warnings_are_short_and_on_stderr() {
    let d = tempfile::tempdir().unwrap();
    for i in 0..12 {
        std::fs::write(d.path().join(format!("h{i:02}.log")), numbered(3)).unwrap();
    }
    let out = bin()
        .arg("analyze")
        .arg(d.path())
        .args(["--year", "2025", "--json", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let zone = err
        .lines()
        .find(|l| l.contains("zone-less times read as UTC"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(zone.contains("h04.log, … and 7 more (12 in all;"), "{zone}");
    assert!(!zone.contains("h05.log"), "{zone}");

    let leap = d.path().join("leap");
    std::fs::create_dir(&leap).unwrap();
    std::fs::write(
        leap.join("syslog"),
        format!(
            "Feb 28 23:59:59 web3 kernel: [1.0] x\n{}\n",
            KILL.replace("Sep 27 09:47:12", "Feb 29 00:00:01")
        ),
    )
    .unwrap();
    let out = bin()
        .arg("analyze")
        .arg(&leap)
        .args(["--year", "2025"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 line(s) dated Feb 29, which the year 2025 does not have (read as Feb 28): pass --year"),
        "{err}"
    );
}

/// An unwritable `-o` got the hint meant for unreadable logs ("run as root or as a member of
/// the adm group").
#[test]
fn write_errors_get_write_hints() {
    use logautopsy::model::Error;
    let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    let w = Error::output("/srv/report.html", denied()).to_string();
    assert!(w.starts_with("/srv/report.html: "), "{w}");
    assert!(w.contains("choose a directory you can write to"), "{w}");
    assert!(!w.contains("adm"), "{w}");
    let r = Error::io("/var/log/syslog", denied()).to_string();
    assert!(r.contains("adm"), "{r}");
    let full = Error::output(
        "standard output",
        std::io::Error::from(std::io::ErrorKind::StorageFull),
    );
    assert!(full.to_string().contains("free some space"), "{full}");
}
