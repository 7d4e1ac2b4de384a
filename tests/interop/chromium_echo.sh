#!/usr/bin/env bash
# Headless Chromium against rtc-echo server over loopback: the page from GET / runs echo
# types 0, 1 and 3. playwright-core comes from npm into NODE_DIR (scripts/test-all.sh
# installs it there). Usage: chromium_echo.sh RTC_ECHO NODE_DIR
set -euo pipefail
rtc_echo=$1
node_dir=$2
if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  echo "playwright-core is missing from $node_dir (scripts/test-all.sh installs it)"; exit 1
fi
log=$(mktemp)
"$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's|^rtc-echo server: \(http://[0-9.:]*\)/.*|\1|p' "$log")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "rtc-echo server did not start:"; cat "$log"; exit 1; }
if ! node "$(dirname "$0")/chromium_echo.js" "$node_dir/node_modules" "$url"; then
  echo "server log:"; cat "$log"; exit 1
fi
