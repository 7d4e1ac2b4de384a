#!/usr/bin/env bash
# rtc-conform server-test against rtc-echo server over loopback: every check that applies
# must pass (exit 0), the JUnit XML and JSON reports must say the same, and --only must
# narrow the run to the checks it names.
# Usage: conform_server.sh RTC_ECHO RTC_CONFORM
set -euo pipefail
rtc_echo=$1
rtc_conform=$2
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1
reports=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$server_log" "$reports"' EXIT
"$rtc_conform" server-test "$url/offer" --bind 127.0.0.1 --json "$reports/report.json" --junit "$reports/report.xml"
grep -q 'failures="0"' "$reports/report.xml" || { echo "the JUnit report has failures"; cat "$reports/report.xml"; exit 1; }
grep -q '"failed": 0' "$reports/report.json" || { echo "the JSON report has failures"; cat "$reports/report.json"; exit 1; }
# --only by prefix and by RFC: just those checks.
only=$("$rtc_conform" server-test "$url/offer" --bind 127.0.0.1 --only "dtls.,RFC 8841")
echo "$only"
checks=$(echo "$only" | grep -c '^pass\|^fail\|^n/a ' || true)
[ "$checks" -eq 3 ] || { echo "--only dtls.,RFC 8841 ran $checks checks, not 3"; exit 1; }
