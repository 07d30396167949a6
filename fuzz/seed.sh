#!/usr/bin/env bash
# Seed the fuzz corpora (fuzz/corpus/<target>/, not committed) from the project's fixtures and,
# when LOGAUTOPSY_CORPUS is set, from the shared corpus: systemd's AFL journals, its
# fuzz-journal-remote export seeds and real journals (cut to 256 KiB: libFuzzer's -max_len).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/journal_binary corpus/journal_export corpus/journal_json
for f in ../tests/fixtures/journal/*.journal.zst; do
  zstd -q -d -f "$f" -o "corpus/journal_binary/$(basename "$f" .zst)"
  # Keep seeds small: the used part of a fixture is well under 1 MiB.
  truncate -s 1M "corpus/journal_binary/$(basename "$f" .zst)"
done
cp ../tests/fixtures/journal/incident.export corpus/journal_export/
if command -v journalctl >/dev/null; then
  # From the whole file: journalctl refuses the cut seed (its header says it is longer).
  tmp=$(mktemp --suffix=.journal)
  zstd -q -d -f ../tests/fixtures/journal/zstd-compact-keyed.journal.zst -o "$tmp"
  journalctl --file "$tmp" -o json --all > corpus/journal_json/incident.json
  journalctl --file "$tmp" -o json-seq --all > corpus/journal_json/incident.json-seq
  rm -f "$tmp"
fi
if [ -n "${LOGAUTOPSY_CORPUS:-}" ]; then
  C=$LOGAUTOPSY_CORPUS/systemd
  i=0
  for f in "$C"/test-journals/decompressed/afl/* "$C"/test-journals/decompressed/corrupted/*; do
    cp "$f" "corpus/journal_binary/afl-$i"; i=$((i + 1))
  done
  for f in "$C"/fuzz/fuzz-journal-remote/*; do cp "$f" "corpus/journal_export/$(basename "$f")"; done
  for f in "$C"/journal-data/*; do cp "$f" "corpus/journal_export/$(basename "$f")"; done
fi
echo "seeded: $(ls corpus/journal_binary | wc -l) binary, $(ls corpus/journal_export | wc -l) export, $(ls corpus/journal_json | wc -l) json"
# The text path: the bundled scenarios' logs, and real excerpts from the shared corpus.
mkdir -p corpus/text_path
i=0
for f in $(find ../sample-logs -type f -path '*/logs/*' ! -name '*.gz' | sort); do
  { printf '\001'; head -c 65536 "$f"; } > "corpus/text_path/sample-$i"; i=$((i + 1))
done
if [ -n "${LOGAUTOPSY_CORPUS:-}" ]; then
  for f in "$LOGAUTOPSY_CORPUS"/github-issues/*.log "$LOGAUTOPSY_CORPUS"/cadvisor-oomparser/*.txt; do
    { printf '\001'; head -c 65536 "$f"; } > "corpus/text_path/corpus-$i"; i=$((i + 1))
  done
fi
