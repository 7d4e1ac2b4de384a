#!/usr/bin/env bash
# rtc-echo server and rtc-echo client over loopback for the given test types: starts the
# server on 127.0.0.1 (HTTP port chosen by the kernel), runs the client once per type,
# stops the server by its PID. Fails if any type fails. With --transports (tcp: ICE-TCP
# only), both sides get it. A type written 2:CODEC runs type 2 with --codec CODEC (the
# client offers only that video codec), 2:red with --audio-red (audio in RED),
# 2:simulcast with --simulcast: the server (--decode-media) must then have decoded 30
# frames of each of the client's three encodings, each at its own size.
# Usage: echo_pair.sh RTC_ECHO [--transports udp|tcp|udp,tcp] TYPE[:CODEC|:red|:simulcast]...
set -euo pipefail
rtc_echo=$1
shift
ice=()
if [ "${1:-}" = --transports ]; then
  ice=(--transports "$2")
  shift 2
fi
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1 --decode-media \
  ${ice[@]+"${ice[@]}"}
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
  [[ "$type" == *:simulcast ]] && codec=(--simulcast)
  logged=$(wc -l < "$server_log")
  "$rtc_echo" client -s "$target" -t "${type%%:*}" ${codec[@]+"${codec[@]}"} --bind 127.0.0.1 ${ice[@]+"${ice[@]}"} ||
    failed=1
  if [[ "$type" == *:simulcast ]]; then
    # The client is done once each encoding has sent 30 frames; the server's decoding of
    # the last of them may still be on its way: up to 5 s.
    layers=(q:160x120 h:320x240 f:640x480)
    for _ in $(seq 50); do
      found=0
      for layer in "${layers[@]}"; do
        tail -n +"$((logged + 1))" "$server_log" | grep -q "^video rid=${layer%%:*}: 30 frames of VP8 decoded (${layer#*:})" &&
          found=$((found + 1))
      done
      [ "$found" -eq "${#layers[@]}" ] && break
      sleep 0.1
    done
    tail -n +"$((logged + 1))" "$server_log" | grep "^video rid=" || true
    if [ "$found" -ne "${#layers[@]}" ]; then
      echo "rtc-echo server decoded $found of ${#layers[@]} simulcast layers"; failed=1
    fi
  fi
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
