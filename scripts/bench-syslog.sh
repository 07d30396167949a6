#!/usr/bin/env bash
# Throughput and peak memory of `logautopsy analyze` on a generated syslog, side by side in one
# Markdown table with ripgrep and grep over the same file:
#
#   scripts/bench-syslog.sh [SIZE_MB=1024] [PROFILE=busy] [THREADS=all cores]
#
# PROFILE is a gen_syslog profile: busy, cron-heavy, oom-dense or sparse (see
# examples/gen_syslog.rs). The file, bench-out/syslog-PROFILE-SIZEm (seed 42), is generated once
# and reused. THREADS goes to logautopsy's --threads (rg -c on one file uses one thread anyway).
#
# Rows: logautopsy analyze alone (JSON report on stdout); analyze writing the HTML, Markdown and
# JSON reports; rg with the 8-pattern alternation a hand-written post-mortem grep would use; rg
# with the routine lifecycle wordings alone (session scopes, user managers, timers, cron PAM
# sessions: the lines logautopsy must find to count them, so this row is a floor for any tool
# that reports them); rg and grep with logautopsy's literal hints (`logautopsy patterns hints`,
# the rules' prefilter).
# Each row: wall time and peak RSS from GNU time (-f '%e %M'), the best of 3 runs after one
# `cat FILE > /dev/null`, MB/s (MB = 2^20 bytes), and the wall as a multiple of the 8-pattern
# rg's. A command that fails is shown with its exit code and stderr instead of a time.
#
# Needs: ripgrep (apt-get install ripgrep), GNU time (apt-get install time).
# NO_BUILD=1 skips the cargo build; LOGAUTOPSY=… and GEN_SYSLOG=… point at other binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
profile=${2:-busy}
threads=${3:-}
case $size in '' | *[!0-9]*) echo "SIZE_MB must be a number, not '$size'" >&2; exit 2 ;; esac
case $profile in busy | cron-heavy | oom-dense | sparse) ;; *)
  echo "PROFILE must be busy, cron-heavy, oom-dense or sparse, not '$profile'" >&2; exit 2 ;;
esac
case $threads in *[!0-9]*) echo "THREADS must be a number, not '$threads'" >&2; exit 2 ;; esac
out=bench-out
mkdir -p "$out"
file="$out/syslog-${profile}-${size}m"

if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release --quiet --bin logautopsy --example gen_syslog
fi
bin=${LOGAUTOPSY:-target/release/logautopsy}
gen=${GEN_SYSLOG:-target/release/examples/gen_syslog}
if [ ! -s "$file" ]; then
  echo "generating $file ($size MiB, profile $profile, seed 42)…" >&2
  "$gen" "$size" 42 "$profile" > "$file.tmp"
  mv "$file.tmp" "$file"
fi
"$bin" patterns hints > "$out/hints.txt"
# The alternation a person would grep a syslog with after an OOM outage: the kernel's OOM report,
# supervisord stopping its programs, cron jobs, and systemd's unit-level OOM and left-overs.
rg8="oom-killer|Out of memory|oom-kill:|supervisord.*(waiting for|stopped:|exited:|killing)|CRON\[[0-9]+\]: \(.*\) CMD|remains running after unit stopped|Failed with result 'oom-kill'|left-over process"
# systemd's start/stop/finish/deactivation/CPU-accounting lines and cron's PAM sessions.
routine="Started |Starting |Stopped |Stopping |Finished |: Deactivated successfully|: Consumed |\(cron:session\): session "
bytes=$(stat -c %s "$file")
tflag=()
[ -n "$threads" ] && tflag=(--threads "$threads")
common=(--year 2025 --tz UTC --quiet "${tflag[@]}")

echo "input: $file ($((bytes / 1048576)) MiB, $(wc -l < "$file") lines, profile $profile, $(grep -c . "$out/hints.txt") hints)"
echo "machine: $(nproc) cores$(lscpu 2>/dev/null | sed -n 's/^Model name: *\(.*\)/, \1/p'), load average $(cut -d' ' -f1-3 /proc/loadavg) before, logautopsy threads: ${threads:-all}"
echo "tools: $(rg --version | head -1), $(grep --version | head -1)"
cat "$file" > /dev/null

# Results, one entry per row, printed together at the end (the multiples need the rg row).
names=() walls=() rsss=() fails=()
measure() { # ok_rc name command... — ok_rc: the highest exit code that is not a failure
  local ok_rc=$1 name=$2 i=${#names[@]}
  shift 2
  local best_wall="" best_rss="" fail="" rc wall rss
  for _ in 1 2 3; do
    rc=0
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > "$out/stdout-$i.txt" 2> "$out/stderr.txt" || rc=$?
    if [ "$rc" -gt "$ok_rc" ]; then
      fail="failed (exit $rc): $(head -c 300 "$out/stderr.txt" | tr '\n|' ' /')"
      break
    fi
    # GNU time puts "Command exited with non-zero status N" before the figures when rc ≠ 0.
    read -r wall rss < <(tail -n 1 "$out/time.txt")
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
      best_wall=$wall best_rss=$rss
    fi
  done
  names+=("$name") walls+=("$best_wall") rsss+=("$best_rss") fails+=("$fail")
}

measure 0 "logautopsy analyze --format json (analyze alone)" \
  "$bin" analyze "$file" "${common[@]}" --format json
measure 0 "logautopsy analyze -o r.html -o r.md -o r.json" \
  "$bin" analyze "$file" "${common[@]}" -o "$out/r.html" -o "$out/r.md" -o "$out/r.json" --force
measure 1 "rg -c (8-pattern alternation)" rg -c "$rg8" "$file"
ref=2 # index of the 8-pattern rg row
measure 1 "rg -c routine lifecycle alternation" rg -c "$routine" "$file"
measure 1 "rg -c -F -f hints" rg -c -F -f "$out/hints.txt" "$file"
measure 1 "grep -c -F -f hints" grep -c -F -f "$out/hints.txt" "$file"

echo
echo "| command | wall | MB/s | peak RSS | × rg 8-pattern |"
echo "|---|---:|---:|---:|---:|"
for i in "${!names[@]}"; do
  if [ -n "${fails[i]}" ]; then
    echo "| ${names[i]} | ${fails[i]} | | | |"
    continue
  fi
  awk -v n="${names[i]}" -v w="${walls[i]}" -v r="${rsss[i]}" -v b="$bytes" -v ref="${walls[ref]}" \
    -v reffail="${fails[ref]}" 'BEGIN {
      mbs = w > 0 ? sprintf("%.0f", b / 1048576 / w) : "n/a"
      x = (reffail == "" && ref > 0) ? sprintf("%.2f×", w / ref) : "n/a"
      printf "| %s | %.2f s | %s | %.1f MB | %s |\n", n, w, mbs, r / 1024, x
    }'
done
echo

if [ -z "${fails[1]}" ]; then
  for f in r.html r.md r.json; do
    printf '%s %s KiB  ' "$f" "$(( $(stat -c %s "$out/$f") / 1024 ))"
  done
  echo "(HTML report size: $(stat -c %s "$out/r.html") bytes)"
fi
for i in 2 3 4 5; do
  if [ -z "${fails[i]}" ]; then echo "lines matched by ${names[i]}: $(cat "$out/stdout-$i.txt")"; fi
done
rm -f "$out/events.rc"
events=$( ( "$bin" events "$file" "${common[@]}" --format jsonl 2> "$out/events.err" \
  || echo $? > "$out/events.rc" ) | wc -l)
if [ -s "$out/events.rc" ]; then
  echo "events found by logautopsy: failed (exit $(cat "$out/events.rc")): $(head -c 300 "$out/events.err")"
else
  echo "events found by logautopsy: $events"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
