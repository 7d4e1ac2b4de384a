#!/usr/bin/env bash
# Headless Chromium and rtc-echo server over mDNS candidates: each in a network namespace
# of its own, joined by a veth pair this script makes and removes (root needed), with
# multicast on the link. The server hides its address behind a .local name
# (--mdns-host-names); Chromium hides its own, as it does for a page without camera or
# microphone permission. The page runs echo types 0 and 1. The server must have answered
# Chromium's queries for our names and resolved each of Chromium's names (from the
# announcement Chromium multicasts as it registers one, or by asking) to its address.
# Which pair each side selects first is a race - checks may come before a name resolves,
# and teach the address as peer-reflexive - so it is printed, not required.
# Usage: browser_mdns.sh RTC_ECHO NODE_DIR
set -euo pipefail
rtc_echo=$1
node_dir=$2
if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  echo "playwright-core is missing from $node_dir (scripts/test-all.sh installs it)"; exit 1
fi
tag=$(( $$ % 100000 ))
ns_server=rtcm${tag}s
ns_browser=rtcm${tag}b
subnet=10.78.$(( $$ % 250 + 1 ))
browser_home=$(mktemp -d)
server=""
server_log=""
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  ip netns del "$ns_server" 2>/dev/null || true
  ip netns del "$ns_browser" 2>/dev/null || true
  rm -rf "$browser_home" "$server_log"
}
trap cleanup EXIT
echo "namespaces $ns_server ($subnet.1) and $ns_browser ($subnet.2), joined by a veth pair"
ip netns add "$ns_server"
ip netns add "$ns_browser"
ip link add "vs$tag" type veth peer name "vb$tag"
ip link set "vs$tag" netns "$ns_server"
ip link set "vb$tag" netns "$ns_browser"
for side in "$ns_server vs$tag 1" "$ns_browser vb$tag 2"; do
  set -- $side
  ip -n "$1" link set lo up
  ip -n "$1" addr add "$subnet.$3/24" dev "$2"
  ip -n "$1" link set "$2" up multicast on
  ip -n "$1" route add 224.0.0.0/4 dev "$2"
done
# Chromium gathers no candidate at all in a namespace without a default route.
ip -n "$ns_browser" route add default via "$subnet.1"
source "$(dirname "$0")/start_server.sh"
# `ip netns exec` becomes the server (it execs it): $server is the server's PID.
start_server "$RTC_ECHO_URL" ip netns exec "$ns_server" "$rtc_echo" server --host "$subnet.1" --port 0 \
  --bind "$subnet.1" --mdns-host-names --log debug
trap cleanup EXIT  # start_server set its own
failed=0
if ! ip netns exec "$ns_browser" env HOME="$browser_home" node "$(dirname "$0")/chromium_echo.js" \
    "$node_dir/node_modules" "$url" "$PWD/chromium-mdns-echo.png" "0,1" "udp"; then
  failed=1
fi
# Each call's name (Chromium makes one per connection) resolved to Chromium's address, and
# Chromium asked for ours.
resolved=$(grep -c "mDNS: .*\.local resolved to $subnet.2" "$server_log" || true)
unresolved=$(grep -c 'mDNS: .* did not resolve' "$server_log" || true)
answered=$(grep -c "mDNS: answered $subnet.2:" "$server_log" || true)
echo "server: $resolved of Chromium's names resolved, $unresolved not; $answered of Chromium's queries answered"
if [ "$resolved" -lt 2 ] || [ "$unresolved" -ne 0 ] || [ "$answered" -lt 1 ]; then failed=1; fi
if [ "$failed" -ne 0 ]; then echo "server log:"; cat "$server_log"; fi
exit "$failed"
