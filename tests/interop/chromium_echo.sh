#!/usr/bin/env bash
# Headless Chromium against rtc-echo server over loopback: the page from GET / runs echo
# types 0-3 (2 with Chromium's fake camera and microphone). playwright-core comes from npm
# into NODE_DIR (scripts/test-all.sh installs it there). The screenshot of the page with
# the echoed video is kept as chromium-echo.png in the working directory (the build
# directory under meson test). Usage: chromium_echo.sh RTC_ECHO NODE_DIR
set -euo pipefail
rtc_echo=$1
node_dir=$2
if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  echo "playwright-core is missing from $node_dir (scripts/test-all.sh installs it)"; exit 1
fi
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1
if ! node "$(dirname "$0")/chromium_echo.js" "$node_dir/node_modules" "$url" "$PWD/chromium-echo.png"; then
  echo "server log:"; cat "$server_log"; exit 1
fi
