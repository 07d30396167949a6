//! Seeded generator of a realistic Debian syslog for benchmarks: mostly noise (sshd, postfix,
//! kernel firewall, dhclient, systemd timers…) with about one interesting line in 10,000 —
//! cron backups every six hours and, once a day, an OOM cascade. Same seed, same bytes.
//!
//! `cargo run --release --example gen_syslog -- SIZE_MB [SEED] > syslog`

use std::io::{BufWriter, Write};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: small, fast, and stable across versions (unlike a crate's default RNG).
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let size_mb: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let target = size_mb * 1024 * 1024;
    let mut rng = Rng(seed.max(1));
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    let host = "web-prod-3";
    let (mut month, mut day, mut secs) = (0usize, 1u32, 0u32);
    let mut written = 0u64;
    let mut pid = 1000u64;
    let mut line = String::with_capacity(512);
    let mut n = 0u64;
    while written < target {
        n += 1;
        // ~1.2 ms per line: a busy server; the date walks forward and rolls over the year.
        if n.is_multiple_of(7) {
            secs += 1;
            if secs == 86400 {
                secs = 0;
                day += 1;
                if day > DAYS[month] {
                    day = 1;
                    month = (month + 1) % 12;
                }
            }
        }
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        line.clear();
        use std::fmt::Write as _;
        let _ = write!(
            line,
            "{} {:>2} {:02}:{:02}:{:02} {host} ",
            MONTHS[month], day, h, m, s
        );
        pid += 1 + rng.below(3);
        let r = rng.below(100_000);
        if r < 10 {
            // The rare lines that matter (~0.01 %).
            match r {
                0 => {
                    let _ = write!(line, "CRON[{pid}]: (frappe) CMD (cd /home/frappe/frappe-bench && bench --site all backup --with-files)");
                }
                1 => {
                    let _ = write!(
                        line,
                        "CRON[{pid}]: pam_unix(cron:session): session closed for user frappe"
                    );
                }
                2 => {
                    let _ = write!(line, "kernel: [{}.{:06}] python3 invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0", secs, rng.below(1_000_000));
                }
                3 => {
                    let _ = write!(line, "kernel: [{}.{:06}] Out of memory: Killed process {pid} (python3) total-vm:7600000kB, anon-rss:6598112kB, file-rss:1980kB, shmem-rss:0kB, UID:1000 pgtables:13120kB oom_score_adj:0", secs, rng.below(1_000_000));
                }
                4 => {
                    let _ = write!(line, "systemd[1]: supervisor.service: A process of this unit has been killed by the OOM killer.");
                }
                5 => {
                    let _ = write!(line, "supervisord[1022]: 2025-09-27 19:13:48,368 INFO waiting for frappe-bench-frappe-web, frappe-bench-frappe-short-worker-0 to die");
                }
                6 => {
                    let _ = write!(line, "systemd[1]: supervisor.service: Unit process {pid} (gunicorn) remains running after unit stopped.");
                }
                7 => {
                    let _ = write!(line, "supervisorctl[{pid}]: Shut down");
                }
                8 => {
                    let _ = write!(line, "systemd[1]: Stopping supervisor.service - Supervisor process control system for UNIX...");
                }
                _ => {
                    let _ = write!(
                        line,
                        "systemd[1]: supervisor.service: Failed with result 'oom-kill'."
                    );
                }
            }
        } else {
            match r % 9 {
                0 | 1 => {
                    let _ = write!(line, "sshd[{pid}]: Connection closed by authenticating user root 203.0.113.{} port {} [preauth]", rng.below(255), 1024 + rng.below(60000));
                }
                2 => {
                    let _ = write!(line, "sshd[{pid}]: Received disconnect from 198.51.100.{} port {}:11: Bye Bye [preauth]", rng.below(255), 1024 + rng.below(60000));
                }
                3 => {
                    let _ = write!(line, "kernel: [{}.{:06}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56 SRC=192.0.2.{} DST=10.0.0.5 LEN=40 TOS=0x00 PREC=0x00 TTL=244 ID={} PROTO=TCP SPT={} DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0", secs, rng.below(1_000_000), rng.below(255), rng.below(65535), rng.below(65535));
                }
                4 => {
                    let _ = write!(line, "postfix/smtpd[{pid}]: disconnect from unknown[192.0.2.{}] ehlo=1 auth=0/1 quit=1 commands=2/3", rng.below(255));
                }
                5 => {
                    let _ = write!(line, "nginx[{pid}]: 10.0.0.{} - - \"GET /api/method/frappe.desk.form.load.getdoc?doctype=Sales%20Invoice&name=SINV-{:05} HTTP/1.1\" 200 {}", rng.below(255), rng.below(99999), rng.below(90000));
                }
                6 => {
                    let _ = write!(line, "dhclient[812]: DHCPREQUEST for 10.0.0.5 on eth0 to 10.0.0.1 port 67 (xid=0x{:08x})", rng.below(u32::MAX as u64));
                }
                7 => {
                    let _ = write!(line, "systemd-resolved[533]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.");
                }
                _ => {
                    let _ = write!(
                        line,
                        "redis-server[{pid}]: {} changes in 300 seconds. Saving...",
                        rng.below(1000)
                    );
                }
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
    }
    w.flush().unwrap();
}
