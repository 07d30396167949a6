#!/usr/bin/env bash
# Look at what we ship as its user will: every bundled scenario and a generated busy host,
# analysed into HTML, Markdown and the three charts, and the HTML screenshotted in headless
# Chromium at 1600, 1280 and 800 px wide. Open the PNGs in OUT afterwards.
#
#   scripts/screenshots.sh [OUT=/tmp/logautopsy-look]
#
# Needs chromium (Debian's `chromium` package) and a built binary (`cargo build`, or
# BIN=target/release/logautopsy). The busy host is made by `examples/gen_syslog.rs`.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/logautopsy-look}
BIN=${BIN:-target/debug/logautopsy}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
mkdir -p "$OUT"
[ -x "$BIN" ] || cargo build --bin logautopsy

shoot() { # html, name
  local html=$1 name=$2
  [ -n "$CHROMIUM" ] || { echo "no chromium: skipping screenshots of $html" >&2; return; }
  for w in 1600 1280 800; do
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
      --window-size="$w,1000" --virtual-time-budget=3000 \
      --screenshot="$OUT/$name-$w.png" "file://$(realpath "$html")" >/dev/null 2>&1
  done
}

analyse() { # name, args...
  local name=$1; shift
  "$BIN" analyze "$@" -q --force \
    -o "$OUT/$name.html" -o "$OUT/$name.md" \
    -o "$OUT/$name-timeline.png" -o "$OUT/$name-memory.png" -o "$OUT/$name-backups.png" \
    > "$OUT/$name.txt" || true
  COLUMNS=80 "$BIN" analyze "$@" -q --color never > "$OUT/$name-80col.txt" || true
  shoot "$OUT/$name.html" "$name"
}

for dir in sample-logs/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  [ -d "$dir/logs" ] || continue
  args=()
  # One argument per line; `#` lines are comments (as tests/golden.rs reads them).
  [ -f "$dir/args" ] && mapfile -t args < <(grep -v '^#' "$dir/args")
  analyse "$name" "$dir/logs" "${args[@]}"
done

# A busy host: session scopes every few seconds, timers, cron every minute, a backup every 6 h.
busy="$OUT/busy-syslog"
[ -s "$busy" ] || cargo run -q --release --example gen_syslog -- 150 42 busy > "$busy"
analyse busy "$busy" --year 2025

echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
