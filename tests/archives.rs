//! Logs as they arrive: archives of the bundled scenarios (tar.gz, tar.xz, tar.zst, tar.bz2,
//! zip) read exactly like their unpacked directories, with evidence located as
//! `ARCHIVE:MEMBER:LINE`; a sosreport names its host; rotated `.xz`/`.zst`/`.bz2` files read
//! like `.gz`; a truncated archive and a decompression bomb are reported, not fatal.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("logautopsy").unwrap()
}

fn scenario(name: &str) -> (PathBuf, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-logs")
        .join(name);
    let args = std::fs::read_to_string(dir.join("args"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(String::from)
        .collect();
    (dir, args)
}

fn analyze(input: &Path, args: &[String]) -> (i32, Value, String) {
    let out = bin()
        .arg("analyze")
        .arg(input)
        .args(args)
        .args(["--json", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    (out.status.code().unwrap_or(-1), v, err)
}

/// The archive tools these tests pack with (Debian: tar, xz-utils, zstd, bzip2, zip, time).
/// Missing locally, a test says so and passes; with `CI` set it fails, as the browser tests do.
fn tools() -> bool {
    let missing: Vec<&str> = ["tar", "xz", "zstd", "bzip2", "zip", "/usr/bin/time"]
        .into_iter()
        .filter(|t| {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {t}"))
                .output()
                .map_or(true, |o| !o.status.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "archive tools missing: {} (apt-get install tar xz-utils zstd bzip2 zip time)",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("CI is set, so the archive tests must run: {msg}");
    }
    eprintln!("SKIPPED: {msg}");
    false
}

fn sh(cmd: &str) {
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .status()
        .unwrap();
    assert!(ok.success(), "{cmd}");
}

/// The parts of a report that must not depend on how the logs were packed, with the archive's
/// `ARCHIVE:` prefix written as the directory it was packed from.
fn findings(r: &Value, from: &str, to: &str) -> String {
    let v = serde_json::json!({
        "events": r["events"], "backup_windows": r["backup_windows"],
        "incidents": r["incidents"], "backup_association": r["backup_association"],
    });
    v.to_string().replace(from, to)
}

#[test]
fn archives_read_like_their_unpacked_directories() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for name in ["frappe-oom-cascade", "multi-host"] {
        let (dir, args) = scenario(name);
        let (code, want, err) = analyze(&dir.join("logs"), &args);
        assert_eq!(code, 0, "{err}");
        let root = format!("{}/", dir.display());
        for (ext, flag) in [
            ("tar.gz", "-z"),
            ("tar.xz", "-J"),
            ("tar.zst", "--zstd"),
            ("tar.bz2", "-j"),
            ("zip", ""),
        ] {
            let a = tmp.path().join(format!("{name}.{ext}"));
            if ext == "zip" {
                sh(&format!(
                    "cd {} && zip -qr {} logs",
                    dir.display(),
                    a.display()
                ));
            } else {
                // -p keeps the mtimes the year inference reads from the headers.
                sh(&format!(
                    "tar -C {} {flag} -cpf {} logs",
                    dir.display(),
                    a.display()
                ));
            }
            let (code, got, err) = analyze(&a, &args);
            assert_eq!(code, 0, "{name}.{ext}: {err}");
            let prefix = format!("{}:", a.display());
            assert_eq!(
                findings(&got, &prefix, &root),
                findings(&want, "", ""),
                "{name}.{ext}"
            );
            // Evidence names the archive and the member.
            let src = &got["incidents"][0]["chain"][0]["sources"][0]["path"];
            assert!(
                src.as_str().unwrap().starts_with(&format!("{prefix}logs/")),
                "{src}"
            );
            assert_eq!(
                got["inputs"].as_array().unwrap().len(),
                want["inputs"].as_array().unwrap().len()
            );
        }
    }
}

#[test]
fn a_sosreport_names_its_host_and_its_copies_merge() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("sosreport-web7-2025-09-27-xyzabc");
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("hostname", "web7.example.com\n");
    w("etc/hosts", "127.0.0.1 localhost\n");
    w("sos_commands/host/uptime", " 10:00:00 up 3 days\n");
    let kill = "Out of memory: Killed process 2147 (gunicorn) total-vm:3600000kB, anon-rss:3425952kB, file-rss:2048kB, shmem-rss:0kB, UID:1000 pgtables:6707kB oom_score_adj:0";
    // The same kill in /var/log/messages and in the journal dump sos collected.
    w(
        "var/log/messages",
        &format!("Sep 27 09:47:12 web7 kernel: {kill}\n"),
    );
    w(
        "sos_commands/logs/journalctl_--no-pager",
        &format!("Sep 27 09:47:12 web7 kernel: {kill}\n"),
    );
    // supervisord.log names no host: the hostname file does.
    w(
        "var/log/supervisor/supervisord.log",
        "2025-09-27 09:47:13,100 WARN exited: frappe-web (terminated by SIGKILL; not expected)\n",
    );
    let tarball = tmp.path().join("sosreport-web7.tar.xz");
    sh(&format!(
        "tar -C {} -cJf {} {}",
        tmp.path().display(),
        tarball.display(),
        root.file_name().unwrap().to_str().unwrap()
    ));
    let (code, r, err) = analyze(&tarball, &["--year".into(), "2025".into()]);
    assert_eq!(code, 0, "{err}");
    let hosts: Vec<&str> = r["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["web7"]);
    let kills: Vec<&Value> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "oom_kill")
        .collect();
    assert_eq!(kills.len(), 1, "the two copies merge");
    assert_eq!(kills[0]["sources"].as_array().unwrap().len(), 2);
    let exited = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "supervisor_exited")
        .unwrap();
    assert_eq!(exited["host"], "web7");
    // The configuration files are one warning, not one each.
    let skipped: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.contains("not logs"))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("3 member(s)"), "{}", skipped[0]);
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn rotated_xz_zstd_bzip2_read_like_gzip() {
    if !tools() {
        return;
    }
    let (dir, args) = scenario("frappe-oom-cascade");
    let syslog = std::fs::read(dir.join("logs/var/log/syslog")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let g = tmp.path().join("syslog.2.gz");
    std::fs::write(&g, gz(&syslog)).unwrap();
    let (_, want, _) = analyze(&g, &args);
    for (ext, cmd) in [("xz", "xz -c"), ("zst", "zstd -q -c"), ("bz2", "bzip2 -c")] {
        let p = tmp.path().join(format!("syslog.2.{ext}"));
        sh(&format!(
            "{cmd} {} > {}",
            dir.join("logs/var/log/syslog").display(),
            p.display()
        ));
        let (code, got, err) = analyze(&p, &args);
        assert_eq!(code, 0, "{ext}: {err}");
        assert_eq!(
            findings(&got, &p.display().to_string(), "X"),
            findings(&want, &g.display().to_string(), "X"),
            "{ext}"
        );
        let c = got["inputs"][0]["compression"].as_str().unwrap();
        assert_eq!(
            c,
            match ext {
                "xz" => "xz",
                "zst" => "zstd",
                _ => "bzip2",
            }
        );
    }
    // A truncated .xz keeps what was read and says where it broke.
    let xz = std::fs::read(tmp.path().join("syslog.2.xz")).unwrap();
    let cut = tmp.path().join("syslog.3.xz");
    std::fs::write(&cut, &xz[..xz.len() / 2]).unwrap();
    let (code, got, err) = analyze(&cut, &args);
    assert_eq!(code, 2);
    assert!(err.contains("truncated or corrupt xz stream"), "{err}");
    assert!(got["inputs"][0]["lines"].as_u64().unwrap() > 0);
}

#[test]
fn a_truncated_archive_and_a_bomb_are_reported_not_fatal() {
    if !tools() {
        return;
    }
    let (dir, args) = scenario("frappe-oom-cascade");
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("logs.tar.gz");
    sh(&format!(
        "tar -C {} -czpf {} logs",
        dir.display(),
        a.display()
    ));
    let bytes = std::fs::read(&a).unwrap();
    let cut = tmp.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let (code, r, err) = analyze(&cut, &args);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("logautopsy: {}", cut.display())),
        "{err}"
    );
    assert!(
        r["stats"]["lines"].as_u64().unwrap() > 0,
        "the members before the cut are read"
    );

    // A bomb: a tar.gz whose one member is a log line and then 200 MiB of line feeds (gzip's
    // best ratio, about 1000:1).
    let bomb = tmp.path().join("bomb.tar.gz");
    {
        let size = 200u64 << 20;
        let line: &[u8] = b"Sep 27 09:47:12 web3 kernel: [1.0] a line, then nothing\n";
        let body = std::io::Read::take(std::io::Read::chain(line, std::io::repeat(b'\n')), size);
        let f = std::fs::File::create(&bomb).unwrap();
        let enc = flate2::write::GzEncoder::new(f, flate2::Compression::best());
        let mut b = tar::Builder::new(enc);
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "var/log/syslog", body).unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let ratio = (200u64 << 20) / std::fs::metadata(&bomb).unwrap().len();
    assert!(ratio > 500, "ratio {ratio}");
    // Through GNU time, for the peak memory: streamed, never held.
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(assert_cmd::cargo::cargo_bin("logautopsy"))
        .arg("analyze")
        .arg(&bomb)
        .args(["--year", "2025", "--json", "-"])
        .output()
        .expect("GNU time (apt-get install time)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("decompression bomb"), "{err}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let read = r["stats"]["bytes"].as_u64().unwrap();
    assert!(read > 0 && read <= 64 << 20, "stopped at the bound: {read}");
    let peak_kb: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("peak "))
        .and_then(|k| k.trim().parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        peak_kb < 200 * 1024,
        "peak RSS {peak_kb} kB for a 200 MiB bomb"
    );

    // The same as a zip member: bounded by its compressed size.
    let d = tmp.path().join("z");
    std::fs::create_dir(&d).unwrap();
    sh(&format!(
        "cd {} && (echo 'Sep 27 09:47:12 web3 kernel: [1.0] a line, then nothing'; head -c 200000000 /dev/zero | tr '\\0' '\\n') > syslog && zip -q -9 ../bomb.zip syslog",
        d.display()
    ));
    let (code, r, err) = analyze(
        &tmp.path().join("bomb.zip"),
        &["--year".into(), "2025".into()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("decompression bomb"), "{err}");
    assert!(r["stats"]["bytes"].as_u64().unwrap() <= 64 << 20);
}

#[test]
fn a_fleet_archive_names_hosts_by_their_folders_when_the_logs_do_not() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("fleet");
    for h in ["web1", "web2"] {
        let d = root.join(h).join("var/log/supervisor");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("supervisord.log"),
            "2025-09-27 09:47:13,100 WARN exited: frappe-web (terminated by SIGKILL; not expected)\n",
        )
        .unwrap();
    }
    let a = tmp.path().join("fleet.tar.gz");
    sh(&format!(
        "tar -C {} -czf {} web1 web2",
        root.display(),
        a.display()
    ));
    let (code, r, err) = analyze(&a, &["--tz".into(), "UTC".into()]);
    assert_eq!(code, 0, "{err}");
    let hosts: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["web1", "web2"], "{r}");
}

#[test]
fn a_binary_journal_member_reads_like_the_file() {
    if !tools() {
        return;
    }
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/journal/plain-regular-jenkins.journal.zst");
    let journal = zstd::decode_all(std::fs::File::open(fixture).unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("copy/var/log/journal/abc");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("system.journal"), &journal).unwrap();
    let (code, want, err) = analyze(&dir.join("system.journal"), &[]);
    assert_eq!(code, 0, "{err}");
    let a = tmp.path().join("journal.tar.zst");
    sh(&format!(
        "tar -C {} --zstd -cf {} var",
        tmp.path().join("copy").display(),
        a.display()
    ));
    let (code, got, err) = analyze(&a, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got["inputs"][0]["format"], "journal");
    assert_eq!(got["inputs"][0]["records"], want["inputs"][0]["records"]);
    assert_eq!(
        findings(
            &got,
            &format!("{}:var/log/journal/abc/system.journal", a.display()),
            "J"
        ),
        findings(
            &want,
            &dir.join("system.journal").display().to_string(),
            "J"
        )
    );
}
