//! Criterion benchmarks, in bytes per second: the scanner with every built-in rule loaded (the
//! hot path of `analyze`) over a sparse syslog and over a busy host's (two lines in five are
//! routine session-scope and cron lines the scanner must recognise and count), envelope
//! parsing of candidate lines, and loading the built-in rules (every run pays it first: a
//! small input's whole run time). The end-to-end comparison with ripgrep/grep is
//! `scripts/bench-syslog.sh` (busy profile: `examples/gen_syslog.rs`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use logautopsy::parse::envelope;
use logautopsy::pipeline::scan::{ChunkScan, ScanCtx};
use logautopsy::rules::RuleSet;
use std::sync::Arc;

/// ~16 MiB of a busy Debian 12 host: an SSH session every ~8 lines (scope start, deactivation,
/// CPU accounting, logind), cron every 60 lines with its PAM session, nginx/UFW noise.
fn busy() -> Vec<u8> {
    let mut s = String::with_capacity(17 << 20);
    let mut i = 0u64;
    while s.len() < 16 << 20 {
        i += 1;
        let (h, m, sec) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        let n = i / 8;
        let body = match i % 60 {
            0 => format!("CRON[{i}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"),
            1 => format!("CRON[{}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", i + 1),
            2 => format!("CRON[{}]: pam_unix(cron:session): session closed for user root", i - 2),
            _ => match i % 8 {
                0 => format!("systemd-logind[612]: New session {n} of user root."),
                1 => format!("systemd[1]: Started session-{n}.scope - Session {n} of User root."),
                2 => format!("systemd[1]: session-{n}.scope: Deactivated successfully."),
                3 => format!("systemd[1]: session-{n}.scope: Consumed 1.204s CPU time."),
                4 => format!("kernel: [{i}.000001] [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.{} DST=10.0.0.5 LEN=40 PROTO=TCP SPT={} DPT=23", i % 255, i % 65535),
                _ => format!("nginx[811]: 203.0.113.{} - - \"GET /api/method/ping HTTP/1.1\" 200 18 \"-\" \"kube-probe/1.29\"", i % 255),
            },
        };
        s.push_str(&format!("Dec 28 {h:02}:{m:02}:{sec:02} web1 {body}\n"));
    }
    s.into_bytes()
}

/// ~16 MiB of noise with one interesting line in 10,000.
fn corpus() -> Vec<u8> {
    let mut s = String::with_capacity(17 << 20);
    let mut i = 0u64;
    while s.len() < 16 << 20 {
        i += 1;
        let (h, m, sec) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        let body = match i % 10_000 {
            0 => format!("kernel: [{i}.000001] Out of memory: Killed process {i} (python3) total-vm:7600000kB, anon-rss:6598112kB, file-rss:1980kB, shmem-rss:0kB, UID:1000 pgtables:13120kB oom_score_adj:0"),
            5000 => format!("CRON[{i}]: (frappe) CMD (bench --site all backup)"),
            n if n % 3 == 0 => format!("sshd[{i}]: Connection closed by authenticating user root 203.0.113.{} port {} [preauth]", i % 255, 1024 + i % 60000),
            n if n % 3 == 1 => format!("kernel: [{i}.000001] [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.{} DST=10.0.0.5 LEN=40 PROTO=TCP SPT={} DPT=23", i % 255, i % 65535),
            _ => format!("postfix/smtpd[{i}]: disconnect from unknown[192.0.2.{}] ehlo=1 auth=0/1 quit=1 commands=2/3", i % 255),
        };
        s.push_str(&format!("Sep 27 {h:02}:{m:02}:{sec:02} web1 {body}\n"));
    }
    s.into_bytes()
}

fn scan(c: &mut Criterion) {
    let rules = RuleSet::load(&[], &[]).expect("built-in rules load");
    let buf = corpus();
    for (name, data) in [
        ("syslog_16MiB_all_rules", &buf),
        ("busy_16MiB_all_rules", &busy()),
    ] {
        let mut g = c.benchmark_group("scan");
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.sample_size(20);
        g.bench_function(name, |b| {
            b.iter(|| {
                let ctx = ScanCtx {
                    rules: &rules,
                    path: Arc::from("bench"),
                    format: envelope::LineFormat::Rfc3164,
                    host: None,
                    force_host: false,
                    max_samples: 5,
                };
                let mut s = ChunkScan::new();
                for chunk in data.chunks(4 << 20) {
                    // Chunks end mid-line here; fine for throughput, not for accounting.
                    s.scan(&ctx, chunk);
                }
                s.lines
            })
        });
        g.finish();
    }

    let lines: Vec<&str> = std::str::from_utf8(&buf)
        .unwrap()
        .lines()
        .take(100_000)
        .collect();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let mut g = c.benchmark_group("envelope");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("rfc3164_parse", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| envelope::parse(l, Some(envelope::LineFormat::Rfc3164)).is_some())
                .count()
        })
    });
    g.finish();
}

fn load(c: &mut Criterion) {
    c.bench_function("rules/load_builtin", |b| {
        b.iter(|| RuleSet::load(&[], &[]).expect("built-in rules load"))
    });
}

criterion_group!(benches, scan, load);
criterion_main!(benches);
