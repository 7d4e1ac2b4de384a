#!/usr/bin/env bash
# Congestion control against a real browser (issue 23): headless Chromium sends its fake
# camera to rtc-echo server through bench_relay - RATE bit/s each way (default 800 000),
# 40 ms round trip, a 300 ms drop-tail queue - and rtc-echo echoes it back the same way.
# Chromium's estimate follows rtcstack's transport-wide feedback; rtcstack's pacer and
# estimate follow Chromium's. chromium_bandwidth.js checks the figures of the last 15 s.
# The relay sits in front of a server port known in advance (--media-ports P-P); the page
# sends no candidates of its own and points the server's at the relay, so no packet
# passes beside it.
# Usage: browser_bandwidth.sh RTC_ECHO BENCH_RELAY NODE_DIR [RATE [SECONDS]]
set -euo pipefail
rtc_echo=$1
relay=$2
node_dir=$3
rate=${4:-800000}
seconds=${5:-40}
if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  echo "playwright-core is missing from $node_dir (scripts/test-all.sh installs it)"; exit 1
fi
media_port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1 \
  --media-ports "$media_port-$media_port" --log info
relay_log=$(mktemp)
"$relay" 40 0 $((seconds + 60)) 7 "$rate" 300 "127.0.0.1:$media_port" >"$relay_log" 2>&1 &
relay_pid=$!
browser_home=$(mktemp -d)
trap 'kill "$server" "$relay_pid" 2>/dev/null || true; wait "$server" "$relay_pid" 2>/dev/null || true;
      rm -rf "$browser_home" "$server_log" "$relay_log"' EXIT
via=""
for _ in $(seq 1 100); do
  via=$(sed -n 's/.*"alias_b":\([0-9]*\).*/\1/p' "$relay_log")
  [ -n "$via" ] && break
  sleep 0.05
done
[ -n "$via" ] || { echo "the relay did not start:"; cat "$relay_log"; exit 1; }
echo "relay: port $via -> 127.0.0.1:$media_port, $rate bit/s each way"
if ! HOME=$browser_home node "$(dirname "$0")/chromium_bandwidth.js" "$node_dir/node_modules" "$url" "$via" "$seconds" \
    "$rate" "$PWD/chromium-bandwidth.png"; then
  echo "server log:"; cat "$server_log"; exit 1
fi
