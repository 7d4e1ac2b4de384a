#!/usr/bin/env bash
# rtcstack against aiortc (Debian's python3-aiortc) over loopback, for the given echo types:
#   aiortc_pair.sh RTC_ECHO aiortc-server TYPE...   rtc-echo client -> aiortc_echo.py server
#   aiortc_pair.sh RTC_ECHO aiortc-client TYPE...   aiortc_echo.py client -> rtc-echo server
# Each server is started here and stopped by its PID. A type written 2:CODEC (aiortc-server
# only) has rtc-echo client offer only that video codec (--codec).
set -euo pipefail
rtc_echo=$1
direction=$2
shift 2
peer="$(dirname "$0")/aiortc_echo.py"
source "$(dirname "$0")/start_server.sh"
if [ "$direction" = aiortc-server ]; then
  start_server 's|^aiortc server: \(http://[0-9.:]*\)/.*|\1|p' /usr/bin/python3 "$peer" server
else
  start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1
fi
failed=0
for type in "$@"; do
  echo "--- type $type ($direction)"
  if [ "$direction" = aiortc-server ]; then
    codec=()
    [[ "$type" == *:* ]] && codec=(--codec "${type#*:}")
    "$rtc_echo" client -s "$url/offer" -t "${type%%:*}" ${codec[@]+"${codec[@]}"} --bind 127.0.0.1 || failed=1
  else
    /usr/bin/python3 "$peer" client -s "$url/offer" -t "$type" || failed=1
  fi
done
[ "$failed" = 0 ] || { echo "server log:"; cat "$server_log"; }
exit "$failed"
