#!/usr/bin/env bash
# rtc-echo server and rtc-echo client over loopback for the given test types: starts the
# server on 127.0.0.1 (HTTP port chosen by the kernel), runs the client once per type,
# stops the server by its PID. Fails if any type fails.
# Usage: echo_pair.sh RTC_ECHO TYPE...
set -euo pipefail
rtc_echo=$1
shift
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1
failed=0
for type in "$@"; do
  echo "--- type $type"
  "$rtc_echo" client -s "$url" -t "$type" --bind 127.0.0.1 || failed=1
done
# The server must shut down cleanly on SIGTERM (in the sanitizer build: without leaks).
kill -TERM "$server"
if ! wait "$server"; then
  echo "rtc-echo server did not exit cleanly:"; cat "$server_log"; failed=1
fi
trap 'rm -f "$server_log"' EXIT
exit "$failed"
