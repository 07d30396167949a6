//! Seeded generator of a realistic Debian syslog (rsyslog's RFC 3164 format, host `web-prod-3`)
//! for benchmarks. Same seed, same profile, same parameters → same bytes.
//!
//! ```text
//! cargo run --release --example gen_syslog -- SIZE_MB [SEED=42] [PROFILE=sparse] [KEY=VALUE…] > syslog
//! ```
//!
//! Output goes to stdout and stops at the first line end at or past SIZE_MB MiB.
//!
//! # Profiles
//!
//! * `sparse` (the default; byte-identical to the generator before profiles existed): starts
//!   Jan 1, 7 lines a second, ~8.1 M lines and ~13 days per GiB, almost all noise (sshd, postfix,
//!   kernel firewall, nginx, dhclient, resolved, redis); one line in 10,000 is one of ten rare
//!   lines drawn at random, each on its own (backup CRON CMD, a frappe cron session close, OOM
//!   kill report, supervisor stop cascade lines). Takes no KEY=VALUE parameters.
//! * `busy`: a busy Debian 12 host, ~6.3 M lines and ~9 days per GiB (1 GiB: Dec 28 → Jan 5):
//!   - SSH/automation logins, 20 a minute: each user (uid 0 `root`, uid 1000 `frappe`) gets an
//!     automation run every ~30 s (± 20 %) of 4–6 logins 1–2 s apart, each 1–8 s long (0.1 % are
//!     interactive, 1–20 min). A login is sshd `Accepted publickey …`, `pam_unix(sshd:session):
//!     session opened for user U(uid=N) by (uid=0)`, systemd-logind `New session N of user U.`,
//!     systemd[1] `Started session-N.scope - Session N of User U.`; a logout is sshd
//!     `… session closed for user U`, `session-N.scope: Deactivated successfully.`,
//!     `session-N.scope: Consumed 1.204s CPU time.`, logind `Session N logged out. Waiting for
//!     processes to exit.` and `Removed session N.` Session numbers increase.
//!   - When a user with no user manager logs in: `Created slice user-N.slice …`,
//!     `Starting/Finished user-runtime-dir@N.service …`, `Starting/Started user@N.service …`;
//!     `user_stop_delay` s after its last logout (if nobody came back) the 8 stop lines, from
//!     `Stopping user@N.service …` to `user-N.slice: Consumed 2.345s CPU time.` With the
//!     defaults nearly every run starts and stops the user manager: 1 login in 5–6.
//!   - Timers: `sysstat-collect.service` every 10 min (`Starting … - system activity accounting
//!     tool...`, `…: Deactivated successfully.`, `Finished … .`), `phpsessionclean.service`
//!     (`Clean php session files`) at :09 and :39.
//!   - Cron, Debian's shape (session pid P, CMD pid P + 1): `cron_jobs` root jobs every minute at
//!     :01 (the first is `command -v debian-sa1 > /dev/null && debian-sa1 1 1`), `run-parts
//!     --report /etc/cron.hourly` at :17, and the Frappe backup (`0 */6 * * *`, user frappe,
//!     `bench --site all backup --with-files`), its cron session open for 20–45 min.
//!   - Once a day, 5–20 min into the 18:00 backup, the OOM cascade: the sparse profile's rare
//!     kernel/systemd/supervisor lines, in order (python3 invoked oom-killer, Out of memory:
//!     Killed process, A process of this unit has been killed by the OOM killer, Stopping
//!     supervisor.service, supervisorctl Shut down, supervisord `waiting for … to die` every 3 s
//!     for 30–90 s, `Unit process … remains running after unit stopped`, `Failed with result
//!     'oom-kill'`).
//!   - Noise, 4.3 lines a second: the sparse mix, weighted towards the long lines of a busy web
//!     host (32 % UFW BLOCK, 36 % nginx access lines with a user agent).
//! * `cron-heavy`: `busy` with 20 root cron jobs every minute (identical wording, own pids and
//!   commands) and 4 logins a minute: ~5.5 M lines and ~10 days per GiB.
//! * `oom-dense`: every line a kernel `Out of memory: Killed process …` report line with varying
//!   pids, process names, UIDs, sizes, oom_score_adj and times, 50 a second: ~5.1 M lines and
//!   ~1.2 days per GiB.
//!
//! Measured per GiB (seed 42, busy / cron-heavy): `Started session-` 262 k / 61 k, `Deactivated
//! successfully` 402 k / 99 k, `Consumed` 308 k / 73 k, `) CMD (` 13.2 k / 303 k, `session
//! opened` 275 k / 364 k, `Out of memory` 9 / ~9.
//!
//! The busy profiles start on `start` (default Dec 28: a file of ~400 MiB or more walks over
//! the year boundary into January; sparse starts Jan 1) and walk forward day by day, no leap
//! years. Give logautopsy `--year 2025`.
//!
//! # Parameters
//!
//! `KEY=VALUE` arguments, anywhere after SIZE_MB; defaults busy / cron-heavy. oom-dense takes
//! only `oom_per_sec` and `start`, sparse none.
//!
//! | key | busy | cron-heavy | meaning |
//! |---|---|---|---|
//! | `sessions_per_min` | 20 | 4 | SSH logins a minute (one every 3 s / 15 s on average) |
//! | `burst` | 5 | 5 | logins per automation run (burst−1 ..= burst+1) |
//! | `root_pct` | 50 | 50 | % of the runs as root (uid 0); the rest uid 1000 |
//! | `long_pct` | 0.1 | 0.1 | % of logins that are interactive (1–20 min; others 1–8 s) |
//! | `user_stop_delay` | 10 | 10 | s from a user's last logout to its user manager stopping (systemd 252 UserStopDelaySec) |
//! | `noise_per_sec` | 4.3 | 4.3 | mean noise lines a second |
//! | `cron_jobs` | 1 | 20 | root jobs every minute (20 distinct commands, then they repeat) |
//! | `sysstat_min` | 10 | 10 | minutes between sysstat-collect.service runs (0: none) |
//! | `phpclean_min` | 30 | 30 | minutes between phpsessionclean.service runs, from :09 (0: none) |
//! | `backup_h` | 6 | 6 | hours between backups, from 00:00 (0: none) |
//! | `oom_days` | 1 | 1 | days between OOM cascades, at 18:05–18:20 (0: none) |
//! | `oom_per_sec` | — | — | oom-dense: kill lines a second (default 50) |
//! | `start` | Dec-28 | Dec-28 | first day, `Mon-DD` |

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::process::exit;

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
    /// True with probability `p` (0..=1).
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) < p * (1u64 << 53) as f64
    }
    /// A count with mean `rate`: binomial over ceil(2·rate) trials.
    fn count(&mut self, rate: f64) -> u64 {
        if rate <= 0.0 {
            return 0;
        }
        let trials = (2.0 * rate).ceil().max(1.0) as u64;
        let p = rate / trials as f64;
        (0..trials).filter(|_| self.chance(p)).count() as u64
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const HOST: &str = "web-prod-3";
/// Year of the first line (what `--year` should say); bumped when the date walks into January.
const FIRST_YEAR: u32 = 2025;

fn die(msg: &str) -> ! {
    eprintln!("gen_syslog: {msg}");
    eprintln!("usage: gen_syslog SIZE_MB [SEED] [sparse|busy|cron-heavy|oom-dense] [KEY=VALUE…]");
    exit(2)
}

#[derive(Clone, Copy, PartialEq)]
enum Profile {
    Sparse,
    Busy,
    CronHeavy,
    OomDense,
}

/// The rates of the busy-host profiles (see the table in the module doc).
struct Params {
    sessions_per_min: f64,
    burst: u64,
    root_pct: f64,
    long_pct: f64,
    user_stop_delay: u64,
    noise_per_sec: f64,
    cron_jobs: usize,
    sysstat_min: u64,
    phpclean_min: u64,
    backup_h: u64,
    oom_days: u64,
    oom_per_sec: f64,
    start_month: usize,
    start_day: u32,
}

impl Params {
    fn new(p: Profile) -> Params {
        let heavy = p == Profile::CronHeavy;
        Params {
            sessions_per_min: if heavy { 4.0 } else { 20.0 },
            burst: 5,
            root_pct: 50.0,
            long_pct: 0.1,
            user_stop_delay: 10,
            noise_per_sec: 4.3,
            cron_jobs: if heavy { 20 } else { 1 },
            sysstat_min: 10,
            phpclean_min: 30,
            backup_h: 6,
            oom_days: 1,
            oom_per_sec: 50.0,
            start_month: 11,
            start_day: 28,
        }
    }

    fn set(&mut self, p: Profile, key: &str, val: &str) {
        let f = || -> f64 {
            match val.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => x,
                _ => die(&format!("{key}={val}: not a non-negative number")),
            }
        };
        let allowed = match p {
            Profile::Sparse => false,
            Profile::OomDense => matches!(key, "oom_per_sec" | "start"),
            _ => key != "oom_per_sec",
        };
        if !allowed {
            die(&format!("{key}=…: not a parameter of this profile"));
        }
        match key {
            "sessions_per_min" => self.sessions_per_min = f(),
            "burst" => self.burst = (f() as u64).max(1),
            "root_pct" => self.root_pct = f().min(100.0),
            "long_pct" => self.long_pct = f().min(100.0),
            "user_stop_delay" => self.user_stop_delay = f() as u64,
            "noise_per_sec" => self.noise_per_sec = f(),
            "cron_jobs" => self.cron_jobs = f() as usize,
            "sysstat_min" => self.sysstat_min = f() as u64,
            "phpclean_min" => self.phpclean_min = f() as u64,
            "backup_h" => self.backup_h = f() as u64,
            "oom_days" => self.oom_days = f() as u64,
            "oom_per_sec" => self.oom_per_sec = f().max(0.001),
            "start" => {
                let (m, d) = val
                    .split_once('-')
                    .unwrap_or_else(|| die(&format!("start={val}: use Mon-DD, e.g. Dec-28")));
                let month = MONTHS
                    .iter()
                    .position(|x| x.eq_ignore_ascii_case(m))
                    .unwrap_or_else(|| die(&format!("start={val}: unknown month {m}")));
                match d.parse::<u32>() {
                    Ok(day) if (1..=DAYS[month]).contains(&day) => {
                        self.start_month = month;
                        self.start_day = day;
                    }
                    _ => die(&format!("start={val}: no day {d} in {m}")),
                }
            }
            _ => die(&format!("unknown parameter {key}")),
        }
    }
}

fn main() {
    let mut positional = Vec::new();
    let mut kv = Vec::new();
    for a in std::env::args().skip(1) {
        match a.split_once('=') {
            Some((k, v)) => kv.push((k.to_string(), v.to_string())),
            None => positional.push(a),
        }
    }
    if positional.len() > 3 {
        die("too many arguments");
    }
    let size_mb: u64 = match positional.first() {
        None => 1024,
        Some(s) => s
            .parse()
            .unwrap_or_else(|_| die(&format!("SIZE_MB {s}: not a number"))),
    };
    let seed: u64 = match positional.get(1) {
        None => 42,
        Some(s) => s
            .parse()
            .unwrap_or_else(|_| die(&format!("SEED {s}: not a number"))),
    };
    let profile = match positional.get(2).map(String::as_str) {
        None | Some("sparse") => Profile::Sparse,
        Some("busy") => Profile::Busy,
        Some("cron-heavy") => Profile::CronHeavy,
        Some("oom-dense") => Profile::OomDense,
        Some(p) => die(&format!("unknown profile {p}")),
    };
    let mut params = Params::new(profile);
    for (k, v) in &kv {
        params.set(profile, k, v);
    }
    let target = size_mb * 1024 * 1024;
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    let res = match profile {
        Profile::Sparse => sparse(target, seed, &mut w),
        Profile::OomDense => oom_dense(target, seed, &params, &mut w),
        Profile::Busy | Profile::CronHeavy => Busy::new(seed, &params).run(target, &mut w),
    };
    if let Err(e) = res.and_then(|_| w.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            exit(0); // `gen_syslog … | head` is fine
        }
        eprintln!("gen_syslog: writing: {e}");
        exit(1);
    }
}

/// The original generator, unchanged: its output must stay byte-identical for a given seed.
fn sparse(target: u64, seed: u64, w: &mut impl Write) -> std::io::Result<()> {
    let mut rng = Rng(seed.max(1));
    let host = HOST;
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
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(())
}

/// Wall-clock date of the busy profiles: seconds since the first midnight → syslog header.
struct Clock {
    month: usize,
    day: u32,
    year: u32,
    /// Whole days since the start.
    days: u64,
    header: String,
}

impl Clock {
    fn new(month: usize, day: u32) -> Clock {
        Clock {
            month,
            day,
            year: FIRST_YEAR,
            days: 0,
            header: String::new(),
        }
    }
    /// Move to second `t` (never backwards) and rebuild the header `Mon DD HH:MM:SS host `.
    fn set(&mut self, t: u64) {
        while t / 86400 > self.days {
            self.days += 1;
            self.day += 1;
            if self.day > DAYS[self.month] {
                self.day = 1;
                self.month += 1;
                if self.month == 12 {
                    self.month = 0;
                    self.year += 1;
                }
            }
        }
        let s = t % 86400;
        self.header.clear();
        let _ = write!(
            self.header,
            "{} {:>2} {:02}:{:02}:{:02} {HOST} ",
            MONTHS[self.month],
            self.day,
            s / 3600,
            (s / 60) % 60,
            s % 60
        );
    }
}

const OOM_NAMES: [(&str, u32); 10] = [
    ("python3", 1000),
    ("gunicorn", 1000),
    ("node", 1000),
    ("java", 1001),
    ("mariadbd", 106),
    ("redis-server", 107),
    ("bench", 1000),
    ("php-fpm8.2", 33),
    ("chrome", 1000),
    ("celery", 1000),
];

fn oom_dense(target: u64, seed: u64, p: &Params, w: &mut impl Write) -> std::io::Result<()> {
    let mut rng = Rng(seed.max(1) ^ 0x6f6f_6d64);
    let mut clock = Clock::new(p.start_month, p.start_day);
    // Booted 518 s before the first midnight: the kernel clock is uptime in µs.
    let boot: u64 = 518_000_000;
    let mut t_us: u64 = 0;
    let step = (2_000_000.0 / p.oom_per_sec).max(1.0) as u64;
    let mut shown = u64::MAX;
    let mut written = 0u64;
    let mut line = String::with_capacity(512);
    while written < target {
        t_us += rng.below(step + 1);
        if t_us / 1_000_000 != shown {
            shown = t_us / 1_000_000;
            clock.set(shown);
        }
        let up = boot + t_us;
        let (name, uid) = OOM_NAMES[rng.below(OOM_NAMES.len() as u64) as usize];
        let vm = 20_000 + rng.below(8_000_000);
        let anon = vm / 2 + rng.below(vm / 2);
        line.clear();
        line.push_str(&clock.header);
        let _ = writeln!(
            line,
            "kernel: [{:>5}.{:06}] Out of memory: Killed process {} ({name}) total-vm:{vm}kB, anon-rss:{anon}kB, file-rss:{}kB, shmem-rss:{}kB, UID:{uid} pgtables:{}kB oom_score_adj:{}",
            up / 1_000_000,
            up % 1_000_000,
            300 + rng.below(4_194_000),
            rng.below(4) * rng.below(4000),
            rng.below(2) * rng.below(600),
            anon / 500 + rng.below(100),
            [0, 0, 0, 200, 300, 900, 1000][rng.below(7) as usize],
        );
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(())
}

/// Root's every-minute jobs of `cron-heavy` (the first one is busy's only job).
const CRON_CMDS: [&str; 20] = [
    "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
    "/usr/local/bin/healthcheck.sh --quiet",
    "/usr/bin/php8.2 /var/www/nextcloud/cron.php",
    "/usr/local/bin/node_exporter_textfile.sh > /var/lib/node_exporter/textfile/custom.prom",
    "cd /srv/app && /usr/bin/flock -n /run/lock/queue.lock ./bin/process-queue",
    "/usr/sbin/logrotate-check.sh",
    "/usr/local/sbin/check-disk-space.sh /dev/vda1 90",
    "test -x /usr/lib/php/sessionclean && /usr/lib/php/sessionclean --check",
    "/usr/bin/certbot-renew-hook-check",
    "/usr/local/bin/sync-dns-records --zone example.org",
    "/usr/bin/curl -fsS -m 10 --retry 3 https://hc-ping.example.net/2f9c > /dev/null",
    "/opt/monitoring/bin/push-metrics --interval 60",
    "/usr/local/bin/mailq-watch.sh",
    "/usr/local/bin/rotate-tmp.sh /srv/app/tmp 3600",
    "/usr/bin/redis-cli -s /run/redis/redis-server.sock ping > /dev/null",
    "/usr/local/bin/check-certs.sh /etc/ssl/private",
    "/usr/lib/sysstat/debian-sa1 --boot-check",
    "/usr/local/bin/ntp-drift-log.sh",
    "cd /srv/app && ./bin/scheduler --tick",
    "/usr/local/bin/fail2ban-report.sh --since 1m",
];
const BACKUP_CMD: &str = "cd /home/frappe/frappe-bench && /usr/local/bin/bench --site all backup --with-files >> /home/frappe/frappe-bench/logs/backup.log 2>&1";
const HOURLY_CMD: &str = "cd / && run-parts --report /etc/cron.hourly";

/// (uid, user name, public key fingerprint of the automation key).
const USERS: [(u32, &str, &str); 2] = [
    (
        0,
        "root",
        "ED25519 SHA256:Zr9l0w3bqkq8E1dDq3N1yq5Fv0yQ9uJm2H7tXxXw4Zk",
    ),
    (
        1000,
        "frappe",
        "RSA SHA256:7kV2v0m0pQ0e4oWfGm8b6t1c2yJtqY3Y9m4sN5sD0aE",
    ),
];

/// Something due at a later second.
enum Ev {
    /// The next login of an automation run (`left` more after this one).
    RunNext {
        user: usize,
        left: u64,
    },
    SessionEnd {
        sid: u64,
        user: usize,
        sshd: u64,
    },
    /// `user_stop_delay` after the last logout: stop the user manager if still idle.
    UserStop {
        user: usize,
        gen: u64,
    },
    CronClose {
        pid: u64,
        user: &'static str,
    },
    TimerStart {
        unit: usize,
    },
    TimerEnd {
        unit: usize,
    },
    /// A line of the OOM cascade, already formatted (body after the header).
    Text(String),
    /// A kernel line of the OOM cascade: body after the `[uptime]` stamp.
    Kernel(String),
}

struct Item {
    at: u64,
    seq: u64,
    ev: Ev,
}
impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (then first scheduled) on top.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

/// Per-user login state: open sessions and whether `user@UID.service` runs.
#[derive(Default)]
struct UserState {
    open: u32,
    manager_up: bool,
    /// Bumped on every login so that a pending UserStop of an earlier logout is void.
    gen: u64,
}

const TIMERS: [(&str, &str); 2] = [
    ("sysstat-collect.service", "system activity accounting tool"),
    ("phpsessionclean.service", "Clean php session files"),
];

struct Busy<'a> {
    p: &'a Params,
    rng: Rng,
    clock: Clock,
    queue: BinaryHeap<Item>,
    seq: u64,
    pid: u64,
    sid: u64,
    users: [UserState; 2],
    line: String,
    written: u64,
    /// Second of minute of the sysstat timer's run (a fixed per-boot offset, as systemd does).
    sysstat_offset: u64,
    /// Uptime in seconds at second 0 (the kernel's clock).
    boot: u64,
    /// Last kernel timestamp written, µs of uptime: kernel lines never go backwards.
    kernel_us: u64,
}

impl<'a> Busy<'a> {
    fn new(seed: u64, p: &'a Params) -> Busy<'a> {
        let mut rng = Rng(seed.max(1) ^ 0x6275_7379);
        let sysstat_offset = rng.below(30);
        let sid = 1000 + rng.below(9000);
        let pid = 20_000 + rng.below(20_000);
        Busy {
            p,
            rng,
            clock: Clock::new(p.start_month, p.start_day),
            queue: BinaryHeap::new(),
            seq: 0,
            pid,
            sid,
            users: Default::default(),
            line: String::with_capacity(1024),
            written: 0,
            sysstat_offset,
            boot: 3 * 86400 + 4242,
            kernel_us: 0,
        }
    }

    fn at(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.queue.push(Item {
            at,
            seq: self.seq,
            ev,
        });
    }

    /// A fresh pid (Linux hands them out increasing, wrapping at pid_max 4194304).
    fn new_pid(&mut self, gap: u64) -> u64 {
        self.pid += 1 + self.rng.below(gap + 1);
        if self.pid >= 4_194_300 {
            self.pid = 300 + self.rng.below(1000);
        }
        self.pid
    }

    /// Write one line: header of the current second + `body`.
    fn emit(&mut self, w: &mut impl Write, body: std::fmt::Arguments) -> std::io::Result<()> {
        self.line.clear();
        self.line.push_str(&self.clock.header);
        let _ = self.line.write_fmt(body);
        self.line.push('\n');
        w.write_all(self.line.as_bytes())?;
        self.written += self.line.len() as u64;
        Ok(())
    }

    /// A kernel `[uptime.µs]` stamp in second `t`, after every earlier one.
    fn kernel_time(&mut self, t: u64) -> (u64, u64) {
        let base = (self.boot + t) * 1_000_000;
        let us = self.kernel_us.max(base) + 1 + self.rng.below(120_000);
        self.kernel_us = us.min(base + 999_999);
        (self.kernel_us / 1_000_000, self.kernel_us % 1_000_000)
    }

    fn run(mut self, target: u64, w: &mut impl Write) -> std::io::Result<()> {
        let p = self.p;
        // Each user's automation runs come periodically: root's share of the runs and the rest.
        let runs_per_sec = p.sessions_per_min / 60.0 / p.burst as f64;
        let share = [p.root_pct / 100.0, 1.0 - p.root_pct / 100.0];
        let period = share.map(|s| {
            if s * runs_per_sec > 0.0 {
                1.0 / (s * runs_per_sec)
            } else {
                f64::INFINITY
            }
        });
        let mut next_run = [0u64; 2];
        for u in 0..2 {
            next_run[u] = if period[u].is_finite() {
                self.rng.below(period[u] as u64 + 1)
            } else {
                u64::MAX
            };
        }
        let mut t = 0u64;
        while self.written < target {
            self.clock.set(t);
            let sod = t % 86400; // second of day
            let (hour, min, sec) = (sod / 3600, (sod / 60) % 60, sod % 60);
            if sec == 1 {
                self.cron_minute(t, hour, min, w)?;
            }
            if p.sysstat_min > 0 && sec == 0 && (sod / 60).is_multiple_of(p.sysstat_min) {
                let at = t + self.sysstat_offset;
                self.at(at, Ev::TimerStart { unit: 0 });
            }
            if p.phpclean_min > 0 && sec == 0 && (sod / 60) % p.phpclean_min == 9 % p.phpclean_min {
                let at = t + 1 + self.rng.below(2);
                self.at(at, Ev::TimerStart { unit: 1 });
            }
            if p.oom_days > 0 && sod == 18 * 3600 + 1 && self.clock.days.is_multiple_of(p.oom_days)
            {
                self.oom_cascade(t);
            }
            for user in 0..2 {
                if next_run[user] == t {
                    // burst-1 ..= burst+1 logins, then the next run a period ± 20 % later.
                    let n = (p.burst + self.rng.below(3)).saturating_sub(1).max(1);
                    self.login(t, user, n - 1, w)?;
                    let jitter = 0.8 + 0.4 * (self.rng.below(1000) as f64 / 1000.0);
                    next_run[user] = t.saturating_add(((period[user] * jitter) as u64).max(1));
                }
            }
            for _ in 0..self.rng.count(p.noise_per_sec) {
                self.noise(t, w)?;
            }
            while self.queue.peek().is_some_and(|i| i.at <= t) {
                let item = self.queue.pop().unwrap();
                self.due(t, item.ev, w)?;
                if self.written >= target {
                    break;
                }
            }
            t += 1;
        }
        Ok(())
    }

    fn cron_minute(
        &mut self,
        t: u64,
        hour: u64,
        min: u64,
        w: &mut impl Write,
    ) -> std::io::Result<()> {
        let p = self.p;
        for j in 0..p.cron_jobs {
            let cmd = CRON_CMDS[j % CRON_CMDS.len()];
            self.cron_job(t, "root", 0, cmd, 0, 2, w)?;
        }
        if min == 17 {
            self.cron_job(t, "root", 0, HOURLY_CMD, 0, 1, w)?;
        }
        if p.backup_h > 0 && min == 0 && hour.is_multiple_of(p.backup_h) {
            let dur = 20 * 60 + self.rng.below(25 * 60);
            self.cron_job(t, "frappe", 1000, BACKUP_CMD, dur, 0, w)?;
        }
        Ok(())
    }

    /// Debian cron: the child opens the PAM session, the grandchild (pid + 1) logs CMD, the child
    /// closes the session when the job ends, `min_s + 0..=spread_s` seconds later.
    #[allow(clippy::too_many_arguments)]
    fn cron_job(
        &mut self,
        t: u64,
        user: &'static str,
        uid: u32,
        cmd: &str,
        min_s: u64,
        spread_s: u64,
        w: &mut impl Write,
    ) -> std::io::Result<()> {
        let pid = self.new_pid(1);
        self.pid += 1;
        self.emit(w, format_args!("CRON[{pid}]: pam_unix(cron:session): session opened for user {user}(uid={uid}) by (uid=0)"))?;
        self.emit(w, format_args!("CRON[{}]: ({user}) CMD ({cmd})", pid + 1))?;
        let end = t + min_s + self.rng.below(spread_s + 1);
        self.at(end, Ev::CronClose { pid, user });
        Ok(())
    }

    fn login(&mut self, t: u64, user: usize, left: u64, w: &mut impl Write) -> std::io::Result<()> {
        let (uid, name, key) = USERS[user];
        let sshd = self.new_pid(3);
        let ip = [10, 20][user]; // the automation hosts: Ansible control node, CI runner
        let port = 32768 + self.rng.below(28000);
        self.sid += 1;
        let sid = self.sid;
        self.emit(w, format_args!("sshd[{sshd}]: Accepted publickey for {name} from 10.0.1.{ip} port {port} ssh2: {key}"))?;
        self.emit(w, format_args!("sshd[{sshd}]: pam_unix(sshd:session): session opened for user {name}(uid={uid}) by (uid=0)"))?;
        self.emit(
            w,
            format_args!("systemd-logind[612]: New session {sid} of user {name}."),
        )?;
        let st = &mut self.users[user];
        st.open += 1;
        st.gen += 1;
        if !st.manager_up {
            st.manager_up = true;
            self.emit(
                w,
                format_args!(
                    "systemd[1]: Created slice user-{uid}.slice - User Slice of UID {uid}."
                ),
            )?;
            self.emit(w, format_args!("systemd[1]: Starting user-runtime-dir@{uid}.service - User Runtime Directory /run/user/{uid}..."))?;
            self.emit(w, format_args!("systemd[1]: Finished user-runtime-dir@{uid}.service - User Runtime Directory /run/user/{uid}."))?;
            self.emit(
                w,
                format_args!(
                    "systemd[1]: Starting user@{uid}.service - User Manager for UID {uid}..."
                ),
            )?;
            self.emit(
                w,
                format_args!(
                    "systemd[1]: Started user@{uid}.service - User Manager for UID {uid}."
                ),
            )?;
        }
        self.emit(
            w,
            format_args!("systemd[1]: Started session-{sid}.scope - Session {sid} of User {name}."),
        )?;
        let dur = if self.rng.chance(self.p.long_pct / 100.0) {
            60 + self.rng.below(19 * 60)
        } else {
            1 + self.rng.below(8)
        };
        self.at(t + dur, Ev::SessionEnd { sid, user, sshd });
        if left > 0 {
            let next = t + 1 + self.rng.below(2);
            self.at(
                next,
                Ev::RunNext {
                    user,
                    left: left - 1,
                },
            );
        }
        Ok(())
    }

    fn due(&mut self, t: u64, ev: Ev, w: &mut impl Write) -> std::io::Result<()> {
        match ev {
            Ev::RunNext { user, left } => self.login(t, user, left, w)?,
            Ev::SessionEnd { sid, user, sshd } => {
                let name = USERS[user].1;
                self.emit(
                    w,
                    format_args!(
                        "sshd[{sshd}]: pam_unix(sshd:session): session closed for user {name}"
                    ),
                )?;
                self.emit(
                    w,
                    format_args!("systemd[1]: session-{sid}.scope: Deactivated successfully."),
                )?;
                let (cs, cms) = (self.rng.below(3), self.rng.below(1000));
                self.emit(
                    w,
                    format_args!(
                        "systemd[1]: session-{sid}.scope: Consumed {cs}.{cms:03}s CPU time."
                    ),
                )?;
                self.emit(w, format_args!("systemd-logind[612]: Session {sid} logged out. Waiting for processes to exit."))?;
                self.emit(
                    w,
                    format_args!("systemd-logind[612]: Removed session {sid}."),
                )?;
                let st = &mut self.users[user];
                st.open -= 1;
                if st.open == 0 {
                    let gen = st.gen;
                    self.at(t + self.p.user_stop_delay, Ev::UserStop { user, gen });
                }
            }
            Ev::UserStop { user, gen } => {
                let st = &mut self.users[user];
                if st.gen == gen && st.open == 0 && st.manager_up {
                    st.manager_up = false;
                    let uid = USERS[user].0;
                    self.emit(w, format_args!("systemd[1]: Stopping user@{uid}.service - User Manager for UID {uid}..."))?;
                    self.emit(
                        w,
                        format_args!("systemd[1]: user@{uid}.service: Deactivated successfully."),
                    )?;
                    self.emit(
                        w,
                        format_args!(
                            "systemd[1]: Stopped user@{uid}.service - User Manager for UID {uid}."
                        ),
                    )?;
                    self.emit(
                        w,
                        format_args!("systemd[1]: run-user-{uid}.mount: Deactivated successfully."),
                    )?;
                    self.emit(
                        w,
                        format_args!(
                            "systemd[1]: user-runtime-dir@{uid}.service: Deactivated successfully."
                        ),
                    )?;
                    self.emit(w, format_args!("systemd[1]: Stopped user-runtime-dir@{uid}.service - User Runtime Directory /run/user/{uid}."))?;
                    self.emit(
                        w,
                        format_args!(
                            "systemd[1]: Removed slice user-{uid}.slice - User Slice of UID {uid}."
                        ),
                    )?;
                    let (cs, cms) = (self.rng.below(4), self.rng.below(1000));
                    self.emit(
                        w,
                        format_args!(
                            "systemd[1]: user-{uid}.slice: Consumed {cs}.{cms:03}s CPU time."
                        ),
                    )?;
                }
            }
            Ev::CronClose { pid, user } => {
                self.emit(
                    w,
                    format_args!(
                        "CRON[{pid}]: pam_unix(cron:session): session closed for user {user}"
                    ),
                )?;
            }
            Ev::TimerStart { unit } => {
                let (u, d) = TIMERS[unit];
                self.emit(w, format_args!("systemd[1]: Starting {u} - {d}..."))?;
                let end = t + self.rng.below(2);
                self.at(end, Ev::TimerEnd { unit });
            }
            Ev::TimerEnd { unit } => {
                let (u, d) = TIMERS[unit];
                self.emit(
                    w,
                    format_args!("systemd[1]: {u}: Deactivated successfully."),
                )?;
                self.emit(w, format_args!("systemd[1]: Finished {u} - {d}."))?;
            }
            Ev::Text(s) => self.emit(w, format_args!("{s}"))?,
            Ev::Kernel(s) => {
                let (up, us) = self.kernel_time(t);
                self.emit(w, format_args!("kernel: [{up:>5}.{us:06}] {s}"))?
            }
        }
        Ok(())
    }

    /// The sparse profile's ten rare lines as one coherent incident, during the 18:00 backup:
    /// the kernel kills an rq worker inside supervisor.service, systemd's OOMPolicy=stop stops
    /// the unit, supervisord waits for its programs for a while, the stop fails.
    fn oom_cascade(&mut self, t0: u64) {
        let at = t0 + 5 * 60 + self.rng.below(15 * 60);
        // Long-running processes: low pids from boot (rq workers, gunicorn).
        let victim = 1100 + self.rng.below(60);
        let text = |s: String| Ev::Text(s);
        self.at(at, Ev::Kernel("python3 invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0".into()));
        self.at(at, Ev::Kernel(format!("Out of memory: Killed process {victim} (python3) total-vm:7600000kB, anon-rss:6598112kB, file-rss:1980kB, shmem-rss:0kB, UID:1000 pgtables:13120kB oom_score_adj:0")));
        self.at(at + 1, text("systemd[1]: supervisor.service: A process of this unit has been killed by the OOM killer.".into()));
        self.at(at + 1, text("systemd[1]: Stopping supervisor.service - Supervisor process control system for UNIX...".into()));
        let ctl = self.new_pid(2);
        self.at(at + 1, text(format!("supervisorctl[{ctl}]: Shut down")));
        // supervisord's own clock (local time, with ms), every 3 s until systemd gives up; still
        // the same day (the cascade starts 18:05–18:20 and lasts at most 90 s).
        let waits = 10 + self.rng.below(20);
        let (year, month, day) = (self.clock.year, self.clock.month + 1, self.clock.day);
        for k in 0..waits {
            let ts = at + 1 + 3 * k;
            let s = ts % 86400;
            self.at(ts, text(format!(
                "supervisord[1022]: {year}-{month:02}-{day:02} {:02}:{:02}:{:02},368 INFO waiting for frappe-bench-frappe-web, frappe-bench-frappe-short-worker-0 to die",
                s / 3600, (s / 60) % 60, s % 60
            )));
        }
        let end = at + 1 + 3 * waits;
        for _ in 0..1 + self.rng.below(3) {
            let g = 24_100 + self.rng.below(40);
            self.at(end, text(format!("systemd[1]: supervisor.service: Unit process {g} (gunicorn) remains running after unit stopped.")));
        }
        self.at(
            end,
            text("systemd[1]: supervisor.service: Failed with result 'oom-kill'.".into()),
        );
    }

    /// The sparse profile's noise shapes, weighted towards the long lines of a busy web host.
    fn noise(&mut self, t: u64, w: &mut impl Write) -> std::io::Result<()> {
        let r = self.rng.below(100);
        let pid = self.new_pid(2);
        let rng = &mut self.rng;
        let (a, b, c, d) = (
            rng.below(255),
            rng.below(65535),
            rng.below(65535),
            rng.below(1_000_000),
        );
        match r {
            0..=31 => {
                let (up, us) = self.kernel_time(t);
                let dpt = [23, 22, 3389, 445, 8080, 5900][(b % 6) as usize];
                self.emit(w, format_args!("kernel: [{up:>5}.{us:06}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:fe:54:00:12:34:56:08:00 SRC=192.0.2.{a} DST=10.0.0.5 LEN=40 TOS=0x00 PREC=0x00 TTL=244 ID={b} PROTO=TCP SPT={c} DPT={dpt} WINDOW=1024 RES=0x00 SYN URGP=0"))
            }
            32..=67 => {
                let (doc, ua) = [
                    ("Sales%20Invoice&name=SINV-", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
                    ("Sales%20Order&name=SO-", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"),
                    ("Customer&name=CUST-", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"),
                ][(c % 3) as usize];
                let (mon, day, year) = (MONTHS[self.clock.month], self.clock.day, self.clock.year);
                let s = t % 86400;
                self.emit(w, format_args!(
                    "nginx[{}]: 10.0.0.{a} - - [{:02}/{mon}/{}:{:02}:{:02}:{:02} +0000] \"GET /api/method/frappe.desk.form.load.getdoc?doctype={doc}{:05} HTTP/1.1\" 200 {} \"https://erp.example.com/app\" \"{ua}\"",
                    1201 + c % 4, day, year, s / 3600, (s / 60) % 60, s % 60, b % 99999, d % 90000
                ))
            }
            68..=79 => self.emit(w, format_args!("sshd[{pid}]: Connection closed by authenticating user root 203.0.113.{a} port {} [preauth]", 1024 + b % 60000)),
            80..=83 => self.emit(w, format_args!("sshd[{pid}]: Received disconnect from 198.51.100.{a} port {}:11: Bye Bye [preauth]", 1024 + b % 60000)),
            84..=89 => self.emit(w, format_args!("postfix/smtpd[{pid}]: disconnect from unknown[192.0.2.{a}] ehlo=1 auth=0/1 quit=1 commands=2/3")),
            90..=92 => self.emit(w, format_args!("dhclient[812]: DHCPREQUEST for 10.0.0.5 on eth0 to 10.0.0.1 port 67 (xid=0x{:08x})", b << 16 | c)),
            93..=95 => self.emit(w, format_args!("systemd-resolved[533]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.")),
            _ => self.emit(w, format_args!("redis-server[1127]: {} changes in 300 seconds. Saving...", d % 1000)),
        }
    }
}
