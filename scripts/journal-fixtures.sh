#!/usr/bin/env bash
# Regenerates the binary journal fixtures in tests/fixtures/journal/ from export text, with
# systemd's own writer (Debian: apt-get install systemd-journal-remote zstd).
#
#   scripts/journal-fixtures.sh            # writes incident.export and the *.journal.zst files
#
# incident.export is made by the seeded generator below and committed, so the fixtures can be
# checked against it. Journals are committed zstd-compressed: journald preallocates 8 MiB, and
# that is mostly zeros. tests/journal_fixtures.rs decompresses them into a temp dir.
# The rotation fixture mounts a small tmpfs (see below), so the script needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=tests/fixtures/journal
REMOTE=${REMOTE:-/lib/systemd/systemd-journal-remote}
[ -x "$REMOTE" ] || { echo "missing $REMOTE: apt-get install systemd-journal-remote" >&2; exit 1; }
command -v zstd >/dev/null || { echo "missing zstd: apt-get install zstd" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'umount "$TMP/rot" 2>/dev/null; rm -rf "$TMP"' EXIT

# The export text: one host's incident (backup cron → kernel OOM kills → supervisord waits for
# its workers → systemd notes the unit OOM), a message over 512 bytes (so it is compressed),
# a non-UTF-8 MESSAGE (binary field), a user-unit entry and a multi-valued field.
python3 - "$OUT/incident.export" "$TMP/rotate.export" <<'PY'
import random, struct, sys
random.seed(20250927)
BOOT = "6c0ff1d4c9a04b6f9a8f3b1e2d7c5a10"
MACHINE = "3e5f2a1b9c8d4e7f8a6b5c4d3e2f1a0b"
BASE = 1758980400_000000          # 2025-09-27T13:40:00Z
UPTIME = 86_400_000000            # the box has been up a day

def entry(t, fields):
    out = [b"__REALTIME_TIMESTAMP=%d" % (BASE + t), b"__MONOTONIC_TIMESTAMP=%d" % (UPTIME + t),
           b"_BOOT_ID=" + BOOT.encode(), b"_MACHINE_ID=" + MACHINE.encode(), b"_HOSTNAME=erp-prod-1"]
    for k, v in fields:
        v = v if isinstance(v, bytes) else v.encode()
        if b"\n" in v or any(c < 32 and c != 9 for c in v) or any(c > 127 for c in v) and not _utf8(v):
            out.append(k.encode() + b"\n" + struct.pack("<Q", len(v)) + v)
        else:
            out.append(k.encode() + b"=" + v)
    return b"\n".join(out) + b"\n\n"

def _utf8(v):
    try:
        v.decode("utf-8"); return True
    except UnicodeDecodeError:
        return False

def kernel(msg, prio="6"):
    return [("PRIORITY", prio), ("SYSLOG_FACILITY", "0"), ("SYSLOG_IDENTIFIER", "kernel"), ("_TRANSPORT", "kernel"), ("MESSAGE", msg)]

def pid1(unit, msg, mid=None, prio="6", extra=()):
    f = [("PRIORITY", prio), ("SYSLOG_FACILITY", "3"), ("SYSLOG_IDENTIFIER", "systemd"), ("_TRANSPORT", "journal"),
         ("_PID", "1"), ("_UID", "0"), ("_GID", "0"), ("_COMM", "systemd"), ("_EXE", "/usr/lib/systemd/systemd"),
         ("_SYSTEMD_CGROUP", "/init.scope"), ("_SYSTEMD_UNIT", "init.scope"), ("CODE_FILE", "src/core/unit.c")]
    if mid: f.append(("MESSAGE_ID", mid))
    f += [("UNIT", unit), ("INVOCATION_ID", "9b1f0e3c2d4a4b5c8d7e6f5a4b3c2d1e")] + list(extra) + [("MESSAGE", msg)]
    return f

def supervisord(msg, pid="1042"):
    return [("PRIORITY", "6"), ("SYSLOG_FACILITY", "3"), ("SYSLOG_IDENTIFIER", "supervisord"), ("_TRANSPORT", "stdout"),
            ("_PID", pid), ("_COMM", "supervisord"), ("_SYSTEMD_UNIT", "supervisor.service"),
            ("_SYSTEMD_CGROUP", "/system.slice/supervisor.service"), ("MESSAGE", msg)]

def cron(pid, msg):
    return [("PRIORITY", "6"), ("SYSLOG_FACILITY", "9"), ("SYSLOG_IDENTIFIER", "CRON"), ("SYSLOG_PID", pid),
            ("_TRANSPORT", "syslog"), ("_PID", pid), ("_COMM", "cron"), ("_SYSTEMD_UNIT", "cron.service"), ("MESSAGE", msg)]

trace = "\n".join(["CPU: 1 PID: 31337 Comm: gunicorn Not tainted 6.1.0-25-amd64 #1 Debian 6.1.106-3",
    "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
    "Call Trace:", " <TASK>", " dump_stack_lvl+0x44/0x5c", " dump_header+0x4a/0x211",
    " oom_kill_process.cold+0xb/0x10", " out_of_memory+0x1fd/0x4f0", " __alloc_pages_slowpath.constprop.0+0xcb0/0xe10",
    " __alloc_pages+0x305/0x330", " folio_alloc+0x17/0x50", " __filemap_get_folio+0x155/0x340",
    " filemap_fault+0x139/0x910", " __do_fault+0x30/0x110", " do_fault+0x1b9/0x410", " __handle_mm_fault+0x660/0xfa0",
    " handle_mm_fault+0xdb/0x2d0", " do_user_addr_fault+0x191/0x600", " exc_page_fault+0x70/0x170",
    " asm_exc_page_fault+0x22/0x30", " </TASK>"])

E = []
E.append((0, cron("30001", "pam_unix(cron:session): session opened for user frappe(uid=1000) by (uid=0)")))
E.append((1000, cron("30002", "(frappe) CMD (cd /home/frappe/frappe-bench && bench --site all backup --with-files)")))
E.append((120_000000, kernel("gunicorn invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0", "4")))
E.append((120_000100, kernel(trace, "4")))
E.append((120_004000, kernel("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/supervisor.service,task=gunicorn,pid=31337,uid=1000", "6")))
E.append((120_004100, kernel("Out of memory: Killed process 31337 (gunicorn) total-vm:2863404kB, anon-rss:1843200kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4012kB oom_score_adj:0", "3")))
E.append((120_050000, kernel("oom_reaper: reaped process 31337 (gunicorn), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB", "6")))
E.append((120_060000, pid1("supervisor.service", "supervisor.service: A process of this unit has been killed by the OOM killer.", "fe6faa94e7774663a0da52717891d8ef", "4")))
E.append((121_000000, supervisord("2025-09-27 19:12:01,377 WARN exited: frappe-bench-frappe-web (terminated by SIGKILL; not expected)")))
E.append((228_368000, supervisord("2025-09-27 19:13:48,368 INFO waiting for frappe-bench-frappe-short-worker-0, frappe-bench-frappe-long-worker-0, frappe-bench-frappe-schedule to die")))
E.append((228_400000, pid1("supervisor.service", "supervisor.service: Main process exited, code=killed, status=9/KILL", "98e322203f7a4ed290d09fe03c09fe15", "5", [("EXIT_CODE", "killed"), ("EXIT_STATUS", "9")])))
E.append((228_400100, pid1("supervisor.service", "supervisor.service: Failed with result 'oom-kill'.", "d9b373ed55a64feb8242e02dbe79a49c", "4", [("UNIT_RESULT", "oom-kill")])))
E.append((228_400200, pid1("supervisor.service", "supervisor.service: Unit process 31410 (python) remains running after unit stopped.", None, "4")))
# Not UTF-8: journalctl -o json prints it as an array of byte values.
E.append((229_000000, [("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "backup.sh"), ("_TRANSPORT", "stdout"), ("_PID", "30003"),
    ("_COMM", "backup.sh"), ("_SYSTEMD_UNIT", "cron.service"), ("MESSAGE", b"tar: r\xe9sum\xe9.pdf: file changed as we read it")]))
# A user unit (USER_UNIT, no UNIT) and a field written twice (multi-valued).
E.append((230_000000, [("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "systemd"), ("_TRANSPORT", "journal"), ("_PID", "1201"),
    ("_COMM", "systemd"), ("_SYSTEMD_UNIT", "user@1000.service"), ("USER_UNIT", "bench-watch.service"),
    ("MESSAGE_ID", "9d1aaa27d60140bd96365438aad20286"), ("TAG", "a"), ("TAG", "b"), ("MESSAGE", "Stopped bench-watch.service - Bench file watcher.")]))
E.append((260_000000, cron("30001", "pam_unix(cron:session): session closed for user frappe")))
E.append((300_000000, pid1("supervisor.service", "supervisor.service: Scheduled restart job, restart counter is at 1.", "5eb03494b6584870a536b337290809b3", "6", [("N_RESTARTS", "1")])))
E.append((300_100000, supervisord("2025-09-27 19:15:00,501 INFO supervisord started with pid 32001", "32001")))
with open(sys.argv[1], "wb") as f:
    for t, fields in E:
        f.write(entry(t, fields))

# Rotation input: enough distinct entries to fill several small files.
words = "backup worker queue job site frappe redis mariadb nginx gunicorn scheduler".split()
with open(sys.argv[2], "wb") as f:
    for i in range(3500):
        msg = "job %d: %s done" % (i, random.choice(words))
        f.write(entry(400_000000 + i * 1000, [("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "rq-worker"), ("_TRANSPORT", "stdout"),
            ("_PID", str(20000 + i % 5)), ("_COMM", "python3"), ("_SYSTEMD_UNIT", "supervisor.service"), ("MESSAGE", msg)]))
PY

make() { # name, env..., remote args...
  local name=$1; shift
  rm -f "$TMP/$name.journal"
  env "$@" "$REMOTE" --output="$TMP/$name.journal" "${REMOTE_ARGS[@]}" "$OUT/incident.export"
  zstd -q -19 -f "$TMP/$name.journal" -o "$OUT/$name.journal.zst"
}
REMOTE_ARGS=(); make zstd-compact-keyed SYSTEMD_JOURNAL_COMPACT=1
REMOTE_ARGS=(--compress=no); make plain-compact-keyed SYSTEMD_JOURNAL_COMPACT=1
REMOTE_ARGS=(); make zstd-regular-keyed SYSTEMD_JOURNAL_COMPACT=0
REMOTE_ARGS=(); make zstd-compact-jenkins SYSTEMD_JOURNAL_COMPACT=1 SYSTEMD_JOURNAL_KEYED_HASH=0
REMOTE_ARGS=(--compress=no); make plain-regular-jenkins SYSTEMD_JOURNAL_COMPACT=0 SYSTEMD_JOURNAL_KEYED_HASH=0

# XZ: systemd 252 can read but no longer write XZ objects (systemd <= 245 could), so one is
# made by hand, DERIVED from plain-regular-jenkins: its one large data object (the kernel call
# trace) is re-encoded the way old systemd did (xz, preset 6, no integrity check) in place,
# the object keeps its size (the stream is followed by zero padding, which readers ignore
# after the end of the xz stream), and the header gains the COMPRESSED_XZ flag.
zstd -q -d -f "$OUT/plain-regular-jenkins.journal.zst" -o "$TMP/xz.journal"
python3 - "$TMP/xz.journal" <<'PY'
import lzma, struct, sys
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
header_size, arena = struct.unpack_from("<QQ", b, 88)
pos, done = header_size, 0
while pos + 16 <= header_size + arena:
    typ, size = b[pos], struct.unpack_from("<Q", b, pos + 8)[0]
    if size == 0:
        break
    payload = bytes(b[pos + 64:pos + size])
    if typ == 1 and b[pos + 1] == 0 and payload.startswith(b"MESSAGE=CPU: 1 PID: 31337"):
        xz = lzma.compress(payload, format=lzma.FORMAT_XZ, check=lzma.CHECK_NONE, preset=6)
        assert len(xz) < len(payload), "xz must be smaller to fit in place"
        b[pos + 1] = 1                                   # OBJECT_COMPRESSED_XZ
        b[pos + 64:pos + size] = xz + bytes(len(payload) - len(xz))
        done += 1
    pos += (size + 7) & ~7
assert done == 1, done
struct.pack_into("<I", b, 12, struct.unpack_from("<I", b, 12)[0] | 1)   # HEADER_INCOMPATIBLE_COMPRESSED_XZ
open(path, "wb").write(b)
PY
zstd -q -19 -f "$TMP/xz.journal" -o "$OUT/xz-regular-jenkins.journal.zst"

# Rotation: systemd-journal-remote (252) has no MaxFileSize= and sizes files from the free
# space of the output's file system (max file size = 1/8 of 10 %, at least 512 KiB), so the
# rotation fixture is written into a small tmpfs: rotate.journal is archived as
# rotate@<seqnum-id>-<seqnum>-<time>.journal whenever its hash table or size fills.
mkdir -p "$TMP/rot"
mount -t tmpfs -o size=8m tmpfs "$TMP/rot"
"$REMOTE" --output="$TMP/rot/rotate.journal" "$TMP/rotate.export"
rm -f "$OUT"/rotate*.journal.zst
for f in "$TMP"/rot/*.journal; do zstd -q -19 -f "$f" -o "$OUT/$(basename "$f").zst"; done
umount "$TMP/rot"
ls -l "$OUT"
