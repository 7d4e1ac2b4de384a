#!/usr/bin/env bash
# Starts a real TURN server (Debian's coturn) on loopback and runs the given program with
# where to find it, then stops the server by its PID:
#   RTCSTACK_TURN_SERVER=127.0.0.1:PORT, RTCSTACK_TURN_SERVER6=[::1]:PORT  UDP and TCP
#     (coturn takes both on PORT; it relays on the family it is reached over)
#   RTCSTACK_TURN_TLS_SERVER=127.0.0.1:TLSPORT  TLS, with a certificate made here for
#     "localhost" and 127.0.0.1, whose file is RTCSTACK_TURN_CA (what the test trusts)
# Usage: with_coturn.sh PROGRAM [ARGS...]
set -uo pipefail
command -v turnserver > /dev/null || { echo "coturn is missing: apt-get install coturn"; exit 1; }
work=$(mktemp -d)
# Ports free on both loopback addresses, for UDP and TCP.
read -r port tls_port < <(python3 -c '
import socket
def free():
    while True:
        probes = []
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
            probes.append(s)
            for family, kind, host in ((socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1"),
                                       (socket.AF_INET6, socket.SOCK_DGRAM, "::1"),
                                       (socket.AF_INET6, socket.SOCK_STREAM, "::1")):
                p = socket.socket(family, kind); p.bind((host, port)); probes.append(p)
            return port, probes
        except OSError:
            pass
a, keep = free()
b, keep2 = free()
print(a, b)')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/turn.key" -out "$work/turn.pem" 2> /dev/null \
  || { echo "openssl could not make the test certificate"; exit 1; }
turnserver -n --listening-ip=127.0.0.1 --listening-ip=::1 --listening-port="$port" --tls-listening-port="$tls_port" \
  --relay-ip=127.0.0.1 --relay-ip=::1 --cert="$work/turn.pem" --pkey="$work/turn.key" \
  --min-port=40000 --max-port=40999 --user=test:turn-secret-7Qx --realm=rtcstack.test --lt-cred-mech \
  --no-dtls --no-cli --allow-loopback-peers --stale-nonce=3 --pidfile="$work/turn.pid" \
  --log-file=stdout > "$work/turn.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2> /dev/null
  wait "$server" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# The listeners are up once the TLS port accepts (the last coturn opens).
for _ in $(seq 100); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $tls_port), 0.2)" 2> /dev/null; then break; fi
  sleep 0.05
done
echo "coturn (pid $server) on 127.0.0.1:$port and [::1]:$port (UDP, TCP), 127.0.0.1:$tls_port (TLS)"
RTCSTACK_TURN_SERVER="127.0.0.1:$port" RTCSTACK_TURN_SERVER6="[::1]:$port" \
  RTCSTACK_TURN_TLS_SERVER="127.0.0.1:$tls_port" RTCSTACK_TURN_CA="$work/turn.pem" "$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "--- coturn log (last 40 lines) ---"
  tail -n 40 "$work/turn.log"
fi
exit "$status"
