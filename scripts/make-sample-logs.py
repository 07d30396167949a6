#!/usr/bin/env python3
"""Write the lead scenarios of sample-logs/: a Debian 11 server (RFC 3164, rotated, gzipped,
auth.log and kern.log duplicates) that goes through the Frappe backup -> OOM -> OOMPolicy=stop
-> orphaned workers chain, and a Debian 12 server (RFC 3339) with a survived OOM kill.
Deterministic: same output every run. Message formats follow shared/reference/log-formats.md."""
import gzip, os, random, sys
from datetime import datetime, timedelta

R = random.Random(20250927)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-logs")
HOST = "frappe-prod-1"
BENCH = "frappe-bench"
PROGRAMS = [f"{BENCH}-frappe-web", f"{BENCH}-frappe-schedule", f"{BENCH}-frappe-build-worker",
            f"{BENCH}-frappe-default-worker-0", f"{BENCH}-frappe-default-worker-1",
            f"{BENCH}-frappe-short-worker-0", f"{BENCH}-frappe-short-worker-1",
            f"{BENCH}-frappe-long-worker-0", f"{BENCH}-frappe-long-worker-1",
            f"{BENCH}-redis-cache", f"{BENCH}-redis-queue", f"{BENCH}-node-socketio"]
BACKUP_CMD = "cd /home/frappe/frappe-bench && /usr/local/bin/bench --site all backup --with-files >> /home/frappe/frappe-bench/logs/backup.log 2>&1"

class Log:
    def __init__(self):
        self.lines = []  # (datetime, seq, text)
    def add(self, t, text):
        self.lines.append((t, len(self.lines), text))
    def sorted(self):
        return [x[2] for x in sorted(self.lines)]

def bsd(t):  # RFC 3164, space-padded day
    return t.strftime("%b ") + f"{t.day:>2}" + t.strftime(" %H:%M:%S")

syslog, auth, kern, sv = Log(), Log(), Log(), Log()
pid = [20000]
def npid(step=None):
    pid[0] += step or R.randint(2, 40)
    return pid[0]

def line(log, t, ident, msg, pidn=None):
    tag = f"{ident}[{pidn}]" if pidn is not None else ident
    log.add(t, f"{bsd(t)} {HOST} {tag}: {msg}")

BOOT = datetime(2025, 9, 20, 4, 2, 11)
_kseq = [0]
def kernel(t, msg):
    # Boot-relative stamps grow monotonically within a second, as printk's do.
    _kseq[0] += 1
    up = (t - BOOT).total_seconds() + 0.1 + (_kseq[0] % 5000) * 0.00013
    text = f"[{up:12.6f}] {msg}"
    line(syslog, t, "kernel", text)
    line(kern, t, "kernel", text)

def cron_job(t, user, cmd, dur, mta=False):
    """Debian cron: session opened (child pid) < CMD (grandchild pid); session closed in auth.log."""
    sess = npid()
    g = sess + 1
    line(auth, t, "CRON", f"pam_unix(cron:session): session opened for user {user}(uid={0 if user == 'root' else 1000}) by (uid=0)", sess)
    line(syslog, t, "CRON", f"({user}) CMD ({cmd})", g)
    end = t + dur
    if mta:
        line(syslog, end, "CRON", "(CRON) info (No MTA installed, discarding output)", sess)
    line(auth, end, "CRON", f"pam_unix(cron:session): session closed for user {user}", sess)
    return g, end

def supervisord(t, level, msg, spid):
    stamp = t.strftime("%Y-%m-%d %H:%M:%S") + f",{t.microsecond // 1000:03d}"
    body = f"{stamp} {level} {msg}"
    sv.add(t, body)
    line(syslog, t, "supervisord", body, spid)

# --- three days of routine ---------------------------------------------------------------
start = datetime(2025, 9, 25, 0, 0, 0)
end = datetime(2025, 9, 28, 9, 30, 0)
t = start
while t < end:
    if t.minute % 10 == 0:
        cron_job(t + timedelta(seconds=1), "root", "command -v debian-sa1 > /dev/null && debian-sa1 1 1", timedelta(seconds=1))
    if t.minute == 17:
        cron_job(t + timedelta(seconds=1), "root", "cd / && run-parts --report /etc/cron.hourly", timedelta(seconds=0))
    if R.random() < 0.08:
        ip = f"203.0.113.{R.randint(1, 254)}"
        p = npid()
        line(auth, t + timedelta(seconds=R.randint(0, 59)), "sshd", f"Invalid user {R.choice(['admin', 'test', 'oracle', 'ubuntu'])} from {ip} port {R.randint(30000, 65000)}", p)
    if t.minute == 39 and t.hour % 2 == 0:
        line(syslog, t + timedelta(seconds=2), "systemd", "Starting phpsessionclean.service - Clean php session files...", 1)
        line(syslog, t + timedelta(seconds=3), "systemd", "phpsessionclean.service: Deactivated successfully.", 1)
        line(syslog, t + timedelta(seconds=3), "systemd", "Finished phpsessionclean.service - Clean php session files.", 1)
    t += timedelta(minutes=1)

# supervisord running since Sep 20 boot: the program -> pid map is in supervisord.log
SV_PID = 1022
boot_sv = BOOT + timedelta(seconds=14)
supervisord(boot_sv, "INFO", f"supervisord started with pid {SV_PID}", SV_PID)
prog_pid = {}
for i, prog in enumerate(PROGRAMS):
    p = 1100 + i * 3
    prog_pid[prog] = p
    supervisord(boot_sv + timedelta(milliseconds=5 + 7 * i), "INFO", f"spawned: '{prog}' with pid {p}", SV_PID)
for i, prog in enumerate(PROGRAMS):
    supervisord(boot_sv + timedelta(seconds=1, milliseconds=30 + 11 * i), "INFO", f"success: {prog} entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)", SV_PID)

# --- backups: 0 */6 * * *, getting slower ------------------------------------------------
durations = [24, 26, 27, 29, 31, 33, 35, 38, 41, 45, 52, None, 44, 40]  # minutes; None = the incident run
runs = [datetime(2025, 9, 25, 0, 0, 1) + timedelta(hours=6 * i) for i in range(len(durations))]
INCIDENT = runs[11]  # Sep 27 18:00:01
for r, d in zip(runs, durations):
    incident_run = d is None
    if incident_run:
        d = 118 + 11 / 60
    g, _ = cron_job(r, "frappe", BACKUP_CMD, timedelta(minutes=d, seconds=R.randint(3, 50)))
    if incident_run:
        # The job's processes: cron's grandchild g is `sh -c`, bench g+1 (which later triggers
        # the OOM killer), its mysqldump | gzip pipeline g+3/g+4.
        BACKUP_G = g

# --- the incident ------------------------------------------------------------------------
T = datetime(2025, 9, 27, 19, 13, 47)
victim, victim_prog = prog_pid[f"{BENCH}-frappe-long-worker-0"], f"{BENCH}-frappe-long-worker-0"
kernel(T, "bench invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0")
kernel(T, f"CPU: 7 PID: {BACKUP_G + 1} Comm: bench Not tainted 5.10.0-35-amd64 #1 Debian 5.10.237-1")
kernel(T, "Mem-Info:")
kernel(T, "Tasks state (memory values in pages):")
kernel(T, "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")
tasks = [(812, 106, "mariadbd", 7340032, 6815744), (BACKUP_G, 1000, "sh", 600, 200),
         (BACKUP_G + 1, 1000, "bench", 1887436, 1572864), (BACKUP_G + 3, 1000, "mysqldump", 120000, 98000),
         (BACKUP_G + 4, 1000, "gzip", 2000, 900)]
for prog, p in prog_pid.items():
    if "worker" in prog:
        tasks.append((p, 1000, "python3", 1900000 if p == victim else 420000, 1650000 if p == victim else 330000))
    elif prog.endswith("web"):
        tasks.append((p, 1000, "gunicorn", 98000, 52000))
        for k in range(9):
            tasks.append((24117 + k, 1000, "gunicorn", 620000, 231000))
    elif "redis" in prog:
        tasks.append((p, 1000, "redis-server", 700000, 520000))
    elif "socketio" in prog:
        tasks.append((p, 1000, "node", 300000, 61000))
    else:
        tasks.append((p, 1000, "python3", 200000, 90000))
tasks.append((SV_PID, 0, "supervisord", 8000, 4500))
for p, uid, name, vm, rss in sorted(tasks):
    kernel(T, f"[{p:7d}] {uid:5d} {p:5d} {vm:8d} {rss:8d} {rss * 2:14d}        0             0 {name}")
kernel(T, f"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/supervisor.service,task=python3,pid={victim},uid=1000")
kernel(T, f"Out of memory: Killed process {victim} (python3) total-vm:7600000kB, anon-rss:6598112kB, file-rss:1980kB, shmem-rss:0kB, UID:1000 pgtables:13120kB oom_score_adj:0")
T2 = T + timedelta(seconds=1)
kernel(T2, f"oom_reaper: reaped process {victim} (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB")
supervisord(T2 - timedelta(milliseconds=600), "INFO", f"exited: {victim_prog} (terminated by SIGKILL; not expected)", SV_PID)
line(syslog, T2, "systemd", "supervisor.service: A process of this unit has been killed by the OOM killer.", 1)
line(syslog, T2, "systemd", "system.slice: A process of this unit has been killed by the OOM killer.", 1)
line(syslog, T2, "systemd", "Stopping supervisor.service - Supervisor process control system for UNIX...", 1)
line(syslog, T2, "supervisorctl", "Shut down", 31337)
t_sv = T2 + timedelta(milliseconds=368)
supervisord(t_sv - timedelta(milliseconds=200), "WARN", "received SIGTERM indicating exit request", SV_PID)
alive = [p for p in PROGRAMS if p != victim_prog]
stopped_order = [f"{BENCH}-frappe-schedule", f"{BENCH}-redis-cache", f"{BENCH}-frappe-short-worker-0",
                 f"{BENCH}-frappe-short-worker-1", f"{BENCH}-node-socketio", f"{BENCH}-redis-queue"]
for k in range(30):
    tk = t_sv + timedelta(seconds=3 * k)
    supervisord(tk, "INFO", f"waiting for {', '.join(alive)} to die", SV_PID)
    if k < len(stopped_order):
        prog = stopped_order[k]
        alive.remove(prog)
        supervisord(tk + timedelta(milliseconds=410), "INFO", f"stopped: {prog} (terminated by SIGTERM)", SV_PID)
TK = T2 + timedelta(seconds=90)
line(syslog, TK, "systemd", "supervisor.service: State 'stop-sigterm' timed out. Killing.", 1)
line(syslog, TK, "systemd", f"supervisor.service: Killing process {SV_PID} (supervisord) with signal SIGKILL.", 1)
orphans = [(prog_pid[p], "gunicorn" if p.endswith("web") else "python3") for p in alive if p != victim_prog]
orphans += [(24117 + k, "gunicorn") for k in range(9)]
orphans.sort()
TS = TK + timedelta(milliseconds=120)
line(syslog, TS, "systemd", "supervisor.service: Main process exited, code=killed, status=9/KILL", 1)
for p, c in orphans:
    line(syslog, TS, "systemd", f"supervisor.service: Unit process {p} ({c}) remains running after unit stopped.", 1)
line(syslog, TS, "systemd", "supervisor.service: Failed with result 'oom-kill'.", 1)
line(syslog, TS, "systemd", "Stopped supervisor.service - Supervisor process control system for UNIX.", 1)
line(syslog, TS, "systemd", "supervisor.service: Consumed 6d 2h 41min 12.402s CPU time, 31.2G memory peak.", 1)

# --- next morning: someone notices the queue and restarts ----------------------------------
TR = datetime(2025, 9, 28, 3, 12, 40)
line(syslog, TR, "systemd", "Starting supervisor.service - Supervisor process control system for UNIX...", 1)
for p, c in orphans:
    line(syslog, TR, "systemd", f"supervisor.service: Found left-over process {p} ({c}) in control group while starting unit. Ignoring.", 1)
    line(syslog, TR, "systemd", "supervisor.service: This usually indicates unclean termination of a previous run, or service implementation deficiencies.", 1)
line(syslog, TR, "systemd", "Started supervisor.service - Supervisor process control system for UNIX.", 1)
NEW_SV = 61204
supervisord(TR + timedelta(milliseconds=700), "INFO", f"supervisord started with pid {NEW_SV}", NEW_SV)
for i, prog in enumerate(PROGRAMS):
    supervisord(TR + timedelta(seconds=1, milliseconds=20 * i), "INFO", f"spawned: '{prog}' with pid {61210 + 4 * i}", NEW_SV)
supervisord(TR + timedelta(seconds=3), "INFO", f"exited: {BENCH}-frappe-web (exit status 1; not expected)", NEW_SV)
supervisord(TR + timedelta(seconds=3, milliseconds=5), "INFO", f"spawned: '{BENCH}-frappe-web' with pid 61299", NEW_SV)

# --- write the tree, rotated like Debian's logrotate at midnight -----------------------------
def write_rotated(log, name, with_gz=True):
    lines = sorted(log.lines)
    days = [datetime(2025, 9, 26), datetime(2025, 9, 27)]
    parts = [[x for x in lines if x[0] < days[0]], [x for x in lines if days[0] <= x[0] < days[1]], [x for x in lines if x[0] >= days[1]]]
    base = os.path.join(ROOT, "frappe-oom-cascade", "logs", "var", "log")
    os.makedirs(base, exist_ok=True)
    old = "\n".join(x[2] for x in parts[0]) + "\n"
    if with_gz:
        with open(os.path.join(base, name + ".2.gz"), "wb") as f:
            # mtime in the gzip header: when logrotate compressed it (next day, 00:00:05).
            f.write(gzip.compress(old.encode(), mtime=int(datetime(2025, 9, 27, 0, 0, 5).timestamp())))
    with open(os.path.join(base, name + ".1"), "w") as f:
        f.write("\n".join(x[2] for x in parts[1]) + "\n")
    with open(os.path.join(base, name), "w") as f:
        f.write("\n".join(x[2] for x in parts[2]) + "\n")

write_rotated(syslog, "syslog")
write_rotated(auth, "auth.log")
base = os.path.join(ROOT, "frappe-oom-cascade", "logs", "var", "log")
with open(os.path.join(base, "kern.log"), "w") as f:
    f.write("\n".join(kern.sorted()) + "\n")
os.makedirs(os.path.join(base, "supervisor"), exist_ok=True)
with open(os.path.join(base, "supervisor", "supervisord.log"), "w") as f:
    f.write("\n".join(sv.sorted()) + "\n")
print("wrote sample-logs/frappe-oom-cascade", file=sys.stderr)

# === bookworm-rfc3339: Debian 12, RFC 3339 timestamps at +02:00, a systemd-timer backup and an
# OOM kill that supervisord survives (it respawns the worker; no cascade). ====================
from datetime import timezone
TZ2 = timezone(timedelta(hours=2))
H2 = "erp-2"
b = []
def l2(t, ident, msg, pidn=None):
    tag = f"{ident}[{pidn}]" if pidn is not None else ident
    b.append((t, len(b), f"{t.isoformat(timespec='microseconds')} {H2} {tag}: {msg}"))
t0 = datetime(2025, 10, 3, 1, 30, 0, 112233, tzinfo=TZ2)
for k in range(3):
    d = t0 + timedelta(days=k)
    l2(d, "systemd", "Starting pg-backup.service - Nightly PostgreSQL dump...", 1)
    wall = timedelta(minutes=38 + 4 * k, seconds=12, microseconds=500000)
    e = d + wall
    l2(e, "systemd", "pg-backup.service: Deactivated successfully.", 1)
    l2(e, "systemd", "Finished pg-backup.service - Nightly PostgreSQL dump.", 1)
    l2(e, "systemd", f"pg-backup.service: Consumed 2min 3.100s CPU time over {38 + 4 * k}min 12.500s wall clock time, 1.2G memory peak.", 1)
    for m in range(0, 24 * 60, 30):
        n = d - timedelta(hours=1) + timedelta(minutes=m, seconds=7)
        l2(n, "CRON", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", 40000 + m)
        l2(n + timedelta(seconds=2, microseconds=3000), "systemd", "sysstat-collect.service: Deactivated successfully.", 1)
k = t0 + timedelta(days=1, minutes=21, seconds=4)
l2(k, "kernel", "gunicorn invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0")
l2(k, "kernel", "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/supervisor.service,task=gunicorn,pid=7741,uid=1000")
l2(k, "kernel", "Out of memory: Killed process 7741 (gunicorn) total-vm:2849976kB, anon-rss:2411800kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:5112kB oom_score_adj:0")
l2(k + timedelta(microseconds=90210), "systemd", "supervisor.service: A process of this unit has been killed by the OOM killer.", 1)
l2(k + timedelta(milliseconds=310), "gunicorn", "[2025-10-04 01:51:04 +0200] [7702] [WARNING] Worker (pid:7741) was sent SIGKILL! Perhaps out of memory?", 7702)
l2(k + timedelta(milliseconds=322), "gunicorn", "[2025-10-04 01:51:04 +0200] [7760] [INFO] Booting worker with pid: 7760", 7760)
os.makedirs(os.path.join(ROOT, "bookworm-rfc3339", "logs", "var", "log"), exist_ok=True)
with open(os.path.join(ROOT, "bookworm-rfc3339", "logs", "var", "log", "syslog"), "w") as f:
    f.write("\n".join(x[2] for x in sorted(b)) + "\n")
print("wrote sample-logs/bookworm-rfc3339", file=sys.stderr)
