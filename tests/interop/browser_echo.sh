#!/usr/bin/env bash
# A headless browser against rtc-echo server over loopback: the page from GET / runs echo
# types 0-3 (2 with the browser's fake camera and microphone).
#   chromium: Debian's chromium, driven by playwright-core (chromium_echo.js)
#   firefox:  Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi
#             (firefox_echo.js); its audio comes as a bundle-only section
# The driver comes from npm into NODE_DIR (scripts/test-all.sh installs it there). The
# screenshot of the page with the echoed video is kept as BROWSER-echo.png in the working
# directory (the build directory under meson test). The server logs at debug level (ICE
# states and pairs, data channels the peer opens), shown when the page reports a failure;
# `--log trace` adds every SCTP chunk in and out, for a stall.
# With "tcp" (chromium only) the server offers ICE-TCP candidates alone (--transports tcp),
# the page runs types 0, 1 and 3, and every call must have gone over TCP.
# With "codecs" (chromium only) the page runs type 2 once per video codec, offering only
# that one (setCodecPreferences): the browser must have sent and rendered that codec, and
# the server (--decode-media) must have decoded 30 frames of each; then once more with RED
# first for audio, which the server must have read as Opus in RED (and echoed in RED).
# With "simulcast" (chromium only) the page sends VP8 in three encodings (sendEncodings
# q, h, f): the server must have decoded 30 frames of each, each at its own size.
# Usage: browser_echo.sh RTC_ECHO NODE_DIR chromium|firefox [tcp|codecs|simulcast]
set -euo pipefail
rtc_echo=$1
node_dir=$2
browser=$3
mode=${4:-udp}
case "$browser" in
  chromium) driver=playwright-core ;;
  firefox) driver=puppeteer-core ;;
  *) echo "usage: browser_echo.sh RTC_ECHO NODE_DIR chromium|firefox"; exit 2 ;;
esac
if [ ! -d "$node_dir/node_modules/$driver" ]; then
  echo "$driver is missing from $node_dir (scripts/test-all.sh installs it)"; exit 1
fi
source "$(dirname "$0")/start_server.sh"
server_args=(server --host 127.0.0.1 --port 0 --bind 127.0.0.1 --log debug)
driver_args=("$PWD/$browser-echo.png")
codecs=(VP8 H264 VP9 AV1)
if [ "$mode" = tcp ]; then
  server_args+=(--transports tcp)
  driver_args=("$PWD/$browser-tcp-echo.png" "0,1,3" tcp)
elif [ "$mode" = codecs ]; then
  server_args+=(--decode-media)
  types=$(printf '2-%s,' "${codecs[@]}")
  # ... and once with audio in RED both ways.
  driver_args=("$PWD/$browser-codecs-echo.png" "${types}2-VP8-red")
elif [ "$mode" = simulcast ]; then
  server_args+=(--decode-media)
  driver_args=("$PWD/$browser-simulcast-echo.png" "2-VP8-simulcast")
fi
start_server "$RTC_ECHO_URL" "$rtc_echo" "${server_args[@]}"
# Browsers keep profiles and caches under HOME: a directory of our own, removed after.
browser_home=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$browser_home" "$server_log"' EXIT
if ! HOME=$browser_home node "$(dirname "$0")/${browser}_echo.js" "$node_dir/node_modules" "$url" \
    "${driver_args[@]}"; then
  echo "server log:"; cat "$server_log"; exit 1
fi
if [ "$mode" = codecs ]; then
  for codec in "${codecs[@]}"; do
    if ! grep -q "^video: 30 frames of $codec decoded" "$server_log"; then
      echo "rtc-echo server decoded no 30 frames of $codec; its log:"; cat "$server_log"; exit 1
    fi
    grep "^video: 30 frames of $codec decoded" "$server_log"
  done
  if ! grep "^audio: 50 packets of Opus in RED" "$server_log"; then
    echo "rtc-echo server read no audio in RED; its log:"; cat "$server_log"; exit 1
  fi
fi
if [ "$mode" = simulcast ]; then
  # Three layers decoded, three sizes (the page waited for 60 frames of each to be sent).
  layers=$(grep -c "^video rid=[qhf]: 30 frames of VP8 decoded" "$server_log" || true)
  sizes=$(grep "^video rid=[qhf]: 30 frames of VP8 decoded" "$server_log" | sed 's/.*(\(.*\))/\1/' | sort -u | wc -l)
  grep "^video rid=" "$server_log" || true
  if [ "$layers" -ne 3 ] || [ "$sizes" -ne 3 ]; then
    echo "rtc-echo server decoded $layers simulcast layers in $sizes sizes, not 3; its log:"; cat "$server_log"; exit 1
  fi
fi
