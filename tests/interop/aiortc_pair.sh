#!/usr/bin/env bash
# rtcstack against aiortc (Debian's python3-aiortc) over loopback, for the given echo types:
#   aiortc_pair.sh RTC_ECHO aiortc-server TYPE...   rtc-echo client -> aiortc_echo.py server
#   aiortc_pair.sh RTC_ECHO aiortc-client TYPE...   aiortc_echo.py client -> rtc-echo server
# Each server is started here and stopped by its PID.
set -euo pipefail
rtc_echo=$1
direction=$2
shift 2
peer="$(dirname "$0")/aiortc_echo.py"
log=$(mktemp)
if [ "$direction" = aiortc-server ]; then
  /usr/bin/python3 "$peer" server >"$log" 2>&1 &
  pattern='s|^aiortc server: \(http://[0-9.:]*\)/.*|\1|p'
else
  "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1 >"$log" 2>&1 &
  pattern='s|^rtc-echo server: \(http://[0-9.:]*\)/.*|\1|p'
fi
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 200); do
  url=$(sed -n "$pattern" "$log")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "the server did not start:"; cat "$log"; exit 1; }
echo "server: $(head -n 1 "$log")"
failed=0
for type in "$@"; do
  echo "--- type $type ($direction)"
  if [ "$direction" = aiortc-server ]; then
    "$rtc_echo" client -s "$url" -t "$type" --bind 127.0.0.1 || failed=1
  else
    /usr/bin/python3 "$peer" client -s "$url" -t "$type" || failed=1
  fi
done
[ "$failed" = 0 ] || { echo "server log:"; cat "$log"; }
exit "$failed"
