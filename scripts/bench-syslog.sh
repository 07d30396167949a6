#!/usr/bin/env bash
# Throughput and peak memory of `logautopsy analyze` on a generated syslog, side by side with
# ripgrep and grep searching the same literal hints (the rules' prefilter).
#
#   scripts/bench-syslog.sh [SIZE_MB=1024] [THREADS=all]
#
# Needs: ripgrep (apt-get install ripgrep), GNU time (apt-get install time). Warm cache: every
# tool reads the file once before it is timed, and each measurement is the best of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
threads=${2:-}
out=bench-out
mkdir -p "$out"
file="$out/syslog-${size}m"

cargo build --release --quiet --bin logautopsy --example gen_syslog
bin=target/release/logautopsy
if [ ! -s "$file" ]; then
  echo "generating $file ($size MiB, seed 42)…" >&2
  target/release/examples/gen_syslog "$size" 42 > "$file"
fi
"$bin" patterns hints > "$out/hints.txt"
# The same literals as an extended regex for grep -E (metacharacters escaped).
sed 's/[][\.*^$(){}?+|]/\\&/g' "$out/hints.txt" > "$out/hints.ere"
cat "$file" > /dev/null
bytes=$(stat -c %s "$file")

measure() { # name, command...
  local name=$1; shift
  local best_wall="" best_rss=""
  for _ in 1 2 3; do
    # grep exits 1 when nothing matched; anything above is a failure worth seeing.
    local rc=0
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > "$out/stdout.txt" 2> "$out/stderr.txt" || rc=$?
    if [ "$rc" -gt 1 ]; then echo "| $name | failed (exit $rc): $(head -c 200 "$out/stderr.txt") | | |"; return; fi
    read -r wall rss < "$out/time.txt"
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; best_rss=$rss; fi
  done
  awk -v n="$name" -v w="$best_wall" -v r="$best_rss" -v b="$bytes" \
    'BEGIN{ printf "| %-44s | %8.2f s | %8.0f MB/s | %7.1f MB |\n", n, w, (w>0? b/1048576/w : 0), r/1024 }'
}

tflag=()
[ -n "$threads" ] && tflag=(--threads "$threads")
echo "input: $file ($((bytes / 1048576)) MiB, $(nproc) cores, $(grep -c . "$out/hints.txt") hints)"
echo
echo "| tool | wall | throughput | peak RSS |"
echo "|---|---|---|---|"
measure "logautopsy analyze (all rules, full report)" "$bin" analyze "$file" --year 2025 --tz UTC --quiet "${tflag[@]}" --format json
measure "rg -c -F -f hints" rg -c -F -f "$out/hints.txt" "$file"
measure "grep -c -F -f hints" grep -c -F -f "$out/hints.txt" "$file"
measure "grep -E -c -f hints (as regexes)" grep -E -c -f "$out/hints.ere" "$file"
echo
echo "events found by logautopsy: $("$bin" events "$file" --year 2025 --tz UTC --quiet --format jsonl | wc -l)"
echo "lines matching a hint (rg): $(rg -c -F -f "$out/hints.txt" "$file")"
