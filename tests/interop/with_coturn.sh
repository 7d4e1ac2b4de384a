#!/usr/bin/env bash
# Starts a real TURN server (Debian's coturn) on a free loopback port of 127.0.0.1 and ::1
# (relaying on the same family), runs the given program with
# RTCSTACK_TURN_SERVER=127.0.0.1:PORT and RTCSTACK_TURN_SERVER6=[::1]:PORT, then stops the
# server by its PID.
# Usage: with_coturn.sh PROGRAM [ARGS...]
set -uo pipefail
command -v turnserver > /dev/null || { echo "coturn is missing: apt-get install coturn"; exit 1; }
work=$(mktemp -d)
# A port free on both loopback addresses.
port=$(python3 -c '
import socket
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", port)); print(port); break
    except OSError:
        pass')
turnserver -n --listening-ip=127.0.0.1 --listening-ip=::1 --listening-port="$port" --relay-ip=127.0.0.1 --relay-ip=::1 \
  --min-port=40000 --max-port=40999 --user=test:turn-secret-7Qx --realm=rtcstack.test --lt-cred-mech \
  --no-tcp --no-tls --no-dtls --no-cli --allow-loopback-peers --stale-nonce=3 --pidfile="$work/turn.pid" \
  --log-file=stdout > "$work/turn.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2> /dev/null
  wait "$server" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
echo "coturn (pid $server) on 127.0.0.1:$port and [::1]:$port"
RTCSTACK_TURN_SERVER="127.0.0.1:$port" RTCSTACK_TURN_SERVER6="[::1]:$port" "$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "--- coturn log (last 40 lines) ---"
  tail -n 40 "$work/turn.log"
fi
exit "$status"
