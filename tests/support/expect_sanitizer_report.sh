#!/usr/bin/env bash
# Runs the sanitizer canary for one kind and passes only if the sanitizer stopped it with
# its own report (a crash for any other reason does not count).
# Usage: expect_sanitizer_report.sh CANARY address|undefined
set -uo pipefail
output=$("$1" "$2" 2>&1)
status=$?
case $2 in
  address) expected='ERROR: AddressSanitizer: heap-buffer-overflow' ;;
  undefined) expected='runtime error: signed integer overflow' ;;
  *) echo "unknown sanitizer $2"; exit 2 ;;
esac
if [ "$status" -ne 0 ] && grep -q "$expected" <<<"$output"; then
  echo "$2 sanitizer caught the canary: $(grep -o "$expected" <<<"$output" | head -n 1)"
  exit 0
fi
echo "the $2 sanitizer did not catch the canary (exit $status):"
echo "$output"
exit 1
