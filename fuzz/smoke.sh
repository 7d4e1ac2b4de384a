#!/usr/bin/env bash
# Runs one fuzz target for a bounded time on its seed corpus. New inputs go to a
# temporary directory so the committed corpus only changes when someone means it to.
# Usage: smoke.sh TARGET CORPUS_DIR
set -euo pipefail
target=$1
corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fuzz: $(basename "$target") for ${FUZZ_SECONDS:-20}s or ${FUZZ_RUNS:-100000} runs on $corpus"
"$target" -max_total_time="${FUZZ_SECONDS:-20}" -runs="${FUZZ_RUNS:-100000}" \
  -print_final_stats=1 -artifact_prefix="$work/" "$work" "$corpus" 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$crash" ] && { echo "reproducer ($crash):"; od -A x -t x1z "$crash" | head -n 20; }
  done
fi
exit "$status"
