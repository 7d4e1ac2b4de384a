#!/usr/bin/env bash
# A fuzz campaign: each named target runs for SECONDS on a copy of its committed corpus,
# then the corpus is minimised back into fuzz/corpus/<target>/: the named inputs (hand-made
# seeds, captures, regress-* reproducers of fixed findings) always stay, and the inputs
# libFuzzer named by their SHA-1 are replaced by those that add features to them. Prints one markdown row per target:
# executions, coverage (edges) and features at the end, corpus size before and after,
# and what was found (crash, leak, timeout or out-of-memory inputs, kept in the log dir).
# Usage: fuzz/campaign.sh BUILD_DIR SECONDS TARGET...   (BUILD_DIR configured with -Dfuzz=true)
set -uo pipefail
build=$1
seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
logs="$build/fuzz-campaign"
mkdir -p "$logs"
echo "| target | seconds | executions | coverage (cov) | features (ft) | corpus before -> after | findings |"
echo "|---|---|---|---|---|---|---|"
for target in "$@"; do
  exe="$build/fuzz/$target"
  corpus="$root/fuzz/corpus/$target"
  [ -x "$exe" ] || { echo "no $exe: build $build first" >&2; exit 2; }
  work="$logs/$target.work"
  findings="$logs/$target.findings"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  cp "$corpus"/* "$work"/
  before=$(ls "$corpus" | wc -l)
  echo "fuzz campaign: $target for ${seconds}s" >&2
  # A finding stops libFuzzer; go on fuzzing until the time is spent, collecting each.
  "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$findings/" "$work" > "$logs/$target.log" 2>&1
  executions=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$logs/$target.log" | tail -1 | awk '{print $2}')
  [ -n "$executions" ] || executions=$(grep -oE 'exec/s: [0-9]+' "$logs/$target.log" | tail -1)
  status=$(grep -E '^#[0-9]+' "$logs/$target.log" | grep -E 'cov: [0-9]+' | tail -1)
  runs=$(echo "$status" | grep -oE '^#[0-9]+' | tr -d '#')
  cov=$(echo "$status" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
  ft=$(echo "$status" | grep -oE 'ft: [0-9]+' | awk '{print $2}')
  # Minimise: start from the named inputs, add what keeps every other feature.
  merged="$logs/$target.merged"
  rm -rf "$merged" && mkdir -p "$merged"
  find "$corpus" -maxdepth 1 -type f ! -regex '.*/[0-9a-f]\{40\}' -exec cp {} "$merged"/ \;
  if "$exe" -merge=1 -timeout=10 -rss_limit_mb=2048 "$merged" "$corpus" "$work" > "$logs/$target.merge.log" 2>&1; then
    find "$corpus" -maxdepth 1 -type f -regex '.*/[0-9a-f]\{40\}' -delete
    cp "$merged"/* "$corpus"/
  else
    echo "merge failed for $target (see $logs/$target.merge.log): corpus left as it was" >&2
  fi
  after=$(ls "$corpus" | wc -l)
  found=$(ls "$findings" | wc -l)
  found_text="none"
  [ "$found" -gt 0 ] && found_text="$found input(s) in $findings: $(ls "$findings" | sed 's/-.*//' | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
  echo "| $target | $seconds | ${runs:-$executions} | ${cov:-?} | ${ft:-?} | $before -> $after | $found_text |"
done
