//! Nothing lost, nothing injected: the failures an attack review found, each reproduced
//! through the real binary — streams read once, escape sequences shown not obeyed, CSV cells
//! that cannot become formulas, NUL padding, partial reads, exit codes.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;

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
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_of(&out)["stats"]["lines"], 20_000);
}
