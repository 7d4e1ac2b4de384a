#!/usr/bin/env bash
# rtc-echo server and rtc-echo client over loopback for the given test types: starts the
# server on 127.0.0.1 (HTTP port chosen by the kernel), runs the client once per type,
# stops the server by its PID. Fails if any type fails. With --transports (tcp: ICE-TCP
# only), both sides get it. A type written 2:CODEC runs type 2 with --codec CODEC (the
# client offers only that video codec), 2:red with --audio-red (audio in RED).
# Usage: echo_pair.sh RTC_ECHO [--transports udp|tcp|udp,tcp] TYPE[:CODEC|:red]...
set -euo pipefail
rtc_echo=$1
shift
ice=()
if [ "${1:-}" = --transports ]; then
  ice=(--transports "$2")
  shift 2
fi
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1 ${ice[@]+"${ice[@]}"}
failed=0
# The convention's clients are given the offer URL itself; a URL without a path still
# works (rtc-echo appends /offer). Both forms are used, alternately.
form=0
for type in "$@"; do
  echo "--- type $type"
  target="$url/offer"
  [ $((form++ % 2)) -eq 1 ] && target="$url"
  codec=()
  [[ "$type" == *:* ]] && codec=(--codec "${type#*:}")
  [[ "$type" == *:red ]] && codec=(--audio-red)
  "$rtc_echo" client -s "$target" -t "${type%%:*}" ${codec[@]+"${codec[@]}"} --bind 127.0.0.1 ${ice[@]+"${ice[@]}"} ||
    failed=1
done
# A wrong path is an error, not a silent /offer.
if "$rtc_echo" client -s "$url/no-such-path" -t 0 --bind 127.0.0.1 --timeout 5; then
  echo "a client given a wrong offer URL succeeded"; failed=1
fi
# The server must shut down cleanly on SIGTERM (in the sanitizer build: without leaks).
kill -TERM "$server"
if ! wait "$server"; then
  echo "rtc-echo server did not exit cleanly:"; cat "$server_log"; failed=1
fi
trap 'rm -f "$server_log"' EXIT
exit "$failed"
