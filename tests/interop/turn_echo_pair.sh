#!/usr/bin/env bash
# rtc-echo client, relay-only, reaches rtc-echo server through coturn over UDP, TCP and
# TLS (run by with_coturn.sh, which names the servers and the test CA): types 1 and 3 for
# each, the TURN server given by URL as a user would (turn:, turn:...?transport=tcp,
# turns:localhost).
# Usage: with_coturn.sh turn_echo_pair.sh RTC_ECHO
set -euo pipefail
rtc_echo=$1
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1
port=${RTCSTACK_TURN_SERVER##*:}
tls_port=${RTCSTACK_TURN_TLS_SERVER##*:}
failed=0
for ice_server in "turn:127.0.0.1:$port" "turn:127.0.0.1:$port?transport=tcp" "turns:localhost:$tls_port"; do
  for type in 1 3; do
    echo "--- $ice_server, type $type"
    "$rtc_echo" client -s "$url/offer" -t "$type" --bind 127.0.0.1 --relay-only --ice-server "$ice_server" \
      --ice-username test --ice-credential turn-secret-7Qx --tls-ca "$RTCSTACK_TURN_CA" || failed=1
  done
done
exit "$failed"
