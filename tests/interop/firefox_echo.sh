#!/usr/bin/env bash
# Headless Firefox ESR against rtc-echo server over loopback: the page from GET / runs echo
# types 0-3 with max-bundle, so Firefox's audio comes as a bundle-only section (2 with its
# fake camera and microphone). puppeteer-core comes from npm into NODE_DIR
# (scripts/test-all.sh installs it there). The screenshot is kept as firefox-echo.png in the
# working directory. Usage: firefox_echo.sh RTC_ECHO NODE_DIR
set -euo pipefail
rtc_echo=$1
node_dir=$2
if [ ! -d "$node_dir/node_modules/puppeteer-core" ]; then
  echo "puppeteer-core is missing from $node_dir (scripts/test-all.sh installs it)"; exit 1
fi
source "$(dirname "$0")/start_server.sh"
start_server "$RTC_ECHO_URL" "$rtc_echo" server --host 127.0.0.1 --port 0 --bind 127.0.0.1
# Firefox writes its profile under HOME's cache; keep it in a directory of our own.
export HOME
HOME=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$HOME" "$server_log"' EXIT
if ! node "$(dirname "$0")/firefox_echo.js" "$node_dir/node_modules" "$url" "$PWD/firefox-echo.png"; then
  echo "server log:"; cat "$server_log"; exit 1
fi
