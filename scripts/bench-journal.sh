#!/usr/bin/env bash
# Benchmark: logautopsy's journal reader against journalctl on a ≥ 1 GiB journal set.
#
#   scripts/bench-journal.sh [DIR]      # DIR defaults to /tmp/logautopsy-bench-journal
#
# 1. A seeded generator writes journald-like export text (realistic field sets: ~25 fields per
#    entry, a syslog/kernel/systemd/supervisord/app mix, ~0.2 % mention OOM, ~1 % over 512
#    bytes so they are stored compressed) straight into systemd-journal-remote, which writes
#    and rotates DIR/bench*.journal. Skipped when DIR already holds the set.
# 2. Each reader runs once over all files under /usr/bin/time -v; the table shows wall time,
#    entries/s, CPU time and peak RSS: `logautopsy analyze` (the whole analysis), the journal
#    reader alone (examples/journal_read: files in parallel with rayon, a `contains("oom")` on
#    every MESSAGE), `journalctl -o export` and `journalctl --grep oom`.
# Needs: systemd-journal-remote, systemd (journalctl), time (GNU), python3; a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/logautopsy-bench-journal}
ENTRIES=${ENTRIES:-1900000}
REMOTE=${REMOTE:-/lib/systemd/systemd-journal-remote}
mkdir -p "$DIR"

if ! ls "$DIR"/bench*.journal >/dev/null 2>&1; then
  echo "generating $ENTRIES entries into $DIR ..." >&2
  python3 - "$ENTRIES" <<'PY' | "$REMOTE" --output="$DIR/bench.journal" - 2>&1 | grep -v rotating >&2 || true
import random, sys
random.seed(42)
n = int(sys.argv[1])
out = sys.stdout.buffer
boot = "%032x" % random.getrandbits(128)
machine = "%032x" % random.getrandbits(128)
t0 = 1758900000_000000
units = ["nginx.service", "supervisor.service", "cron.service", "mariadb.service", "redis-server.service", "ssh.service"]
words = "request job worker queue backup site cache query commit session user upload report invoice".split()
def e(t, fields):
    lines = ["__REALTIME_TIMESTAMP=%d" % (t0 + t), "__MONOTONIC_TIMESTAMP=%d" % (5_000_000 + t),
             "_BOOT_ID=" + boot, "_MACHINE_ID=" + machine, "_HOSTNAME=bench-host"]
    lines += ["%s=%s" % kv for kv in fields]
    return ("\n".join(lines) + "\n\n").encode()
t = 0
buf = []
for i in range(n):
    t += random.randint(100, 60000)
    r = random.random()
    unit = random.choice(units)
    pid = random.randint(300, 65000)
    common = [("_UID", "0"), ("_GID", "0"), ("_CAP_EFFECTIVE", "1ffffffffff"), ("_SELINUX_CONTEXT", "unconfined"),
              ("_SYSTEMD_SLICE", "system.slice"), ("_SYSTEMD_CGROUP", "/system.slice/" + unit), ("_SYSTEMD_UNIT", unit),
              ("_SYSTEMD_INVOCATION_ID", "%032x" % (hash(unit) & (2**128 - 1))), ("SYSLOG_FACILITY", "3")]
    if r < 0.002:
        msg = "Out of memory: Killed process %d (gunicorn) total-vm:%dkB, anon-rss:%dkB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:%dkB oom_score_adj:0" % (pid, random.randint(10**5, 10**7), random.randint(10**5, 10**7), random.randint(100, 9000))
        f = [("PRIORITY", "3"), ("SYSLOG_IDENTIFIER", "kernel"), ("_TRANSPORT", "kernel"), ("SYSLOG_FACILITY", "0"), ("MESSAGE", msg)]
    elif r < 0.012:
        msg = "Traceback (most recent call last): " + " | ".join("File \"/home/frappe/frappe-bench/apps/frappe/frappe/%s.py\", line %d, in %s" % (random.choice(words), random.randint(1, 3000), random.choice(words)) for _ in range(8))
        f = common + [("PRIORITY", "3"), ("SYSLOG_IDENTIFIER", "gunicorn"), ("_TRANSPORT", "stdout"), ("_PID", str(pid)), ("_COMM", "gunicorn"),
             ("_EXE", "/usr/bin/python3.11"), ("_CMDLINE", "/home/frappe/env/bin/python -m gunicorn -b 127.0.0.1:8000 -w 4"), ("_STREAM_ID", "%032x" % pid), ("MESSAGE", msg)]
    elif r < 0.3:
        msg = "%s: %s %s finished in %d ms" % (unit, random.choice(words), random.choice(words), random.randint(1, 99999))
        f = common + [("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "systemd"), ("_TRANSPORT", "journal"), ("_PID", "1"), ("_COMM", "systemd"),
             ("_EXE", "/usr/lib/systemd/systemd"), ("_CMDLINE", "/sbin/init"), ("CODE_FILE", "src/core/unit.c"), ("CODE_LINE", "5689"),
             ("CODE_FUNC", "unit_log_success"), ("MESSAGE_ID", "7ad2d189f7e94e70a38c781354912448"), ("UNIT", unit), ("MESSAGE", msg)]
    elif r < 0.5:
        msg = "%s INFO %s: '%s-%d' %s" % ("2025-09-26 %02d:%02d:%02d,%03d" % (random.randint(0, 23), random.randint(0, 59), random.randint(0, 59), random.randint(0, 999)), random.choice(["spawned", "success", "exited"]), random.choice(words), random.randint(0, 9), random.choice(words))
        f = common + [("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "supervisord"), ("_TRANSPORT", "stdout"), ("_PID", "1042"), ("_COMM", "supervisord"),
             ("_EXE", "/usr/bin/python3.11"), ("_CMDLINE", "/usr/bin/python3 /usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf"), ("_STREAM_ID", "9f1c0e1d2b3a4c5d6e7f8091a2b3c4d5"), ("MESSAGE", msg)]
    else:
        msg = "%s %s from 10.%d.%d.%d user=%s took=%dms id=%08x" % (random.choice(words), random.choice(words), random.randint(0, 255), random.randint(0, 255), random.randint(0, 255), random.choice(words), random.randint(1, 5000), random.getrandbits(32))
        f = common + [("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", random.choice(["nginx", "CRON", "sshd", "mariadbd", "redis-server"])), ("SYSLOG_PID", str(pid)),
             ("_TRANSPORT", "syslog"), ("_PID", str(pid)), ("_COMM", "nginx"), ("_EXE", "/usr/sbin/nginx"), ("_CMDLINE", "nginx: worker process"), ("MESSAGE", msg)]
    buf.append(e(t, f))
    if len(buf) >= 2000:
        out.write(b"".join(buf)); buf.clear()
out.write(b"".join(buf))
PY
fi

FILES=("$DIR"/bench*.journal)
BYTES=$(du -cb "${FILES[@]}" | tail -1 | cut -f1)
echo "journal set: ${#FILES[@]} files, $BYTES bytes" >&2
cargo build --release --example journal_read --bin logautopsy >&2
BIN=target/release/examples/journal_read

run() { # label, command...
  local label=$1; shift
  local out; out=$(mktemp)
  /usr/bin/time -v -o "$out.time" "$@" >"$out" 2>/dev/null
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$out.time")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s+=$2} END {print s}' "$out.time")
  echo "$label|$wall|$rss|$out|$cpu"
}
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
ours=$(run "logautopsy journal reader (rayon, contains oom)" "$BIN" "${FILES[@]}")
N=$(tail -1 "$(echo "$ours" | cut -d'|' -f4)" | awk '{print $2}')
analyze=$(run "logautopsy analyze -q (full analysis, terminal summary)" target/release/logautopsy analyze -q "${FILES[@]}")
export_=$(run "journalctl -o export > /dev/null" journalctl --no-pager --file "$DIR/bench*.journal" -o export)
grep_=$(run "journalctl --grep oom -o cat" journalctl --no-pager --file "$DIR/bench*.journal" --grep oom -o cat)
echo
echo "Entries: $N in ${#FILES[@]} files, $BYTES bytes; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "Load average before the runs: $LOAD (other processes share the cores: CPU s is the"
echo "reader's own user+system time; entries per CPU-second shows its cost without the contention)."
echo
echo "| reader | wall s | entries/s (wall) | CPU s | entries per CPU-s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|"
for row in "$analyze" "$ours" "$export_" "$grep_"; do
  IFS='|' read -r label wall rss _ cpu <<<"$row"
  printf '| %s | %.2f | %s | %.2f | %s | %s |\n' "$label" "$wall" "$(awk -v n="$N" -v w="$wall" 'BEGIN {printf "%.0f", n / w}')" \
    "$cpu" "$(awk -v n="$N" -v c="$cpu" 'BEGIN {printf "%.0f", n / c}')" "$rss"
done
