#!/usr/bin/env bash
# Time from the offer to an open data channel for a relay-only call through coturn on
# loopback, over TURN/UDP, TURN/TCP and TURN/TLS: runs the relay-only case of
# tests/interop/test_turn_streams.cpp RUNS times (each starts its own coturn through
# with_coturn.sh) and prints one JSON line per transport with the median and range.
# Usage: bench/turn_connect.sh BUILD_DIR [RUNS]    (RUNS: 20 by default)
set -euo pipefail
build=$1
runs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
for _ in $(seq "$runs"); do
  bash "$here/../tests/interop/with_coturn.sh" "$build/tests/test_interop_turn_streams" "relay-only*" | grep '^{"turn_connect"' >> "$lines"
done
python3 - "$lines" <<'PY'
import collections, json, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    entry = json.loads(line)["turn_connect"]
    times[entry["transport"]].append(entry["channel_open_ms"])
for transport in ("udp", "tcp", "tls"):
    values = times[transport]
    print(json.dumps({"bench": "turn_connect", "transport": transport, "runs": len(values),
                      "median_ms": round(statistics.median(values), 1), "min_ms": min(values), "max_ms": max(values)}))
PY
