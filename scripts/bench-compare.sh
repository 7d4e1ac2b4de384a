#!/usr/bin/env bash
# The side-by-side benchmark (docs/performance.md): rtcstack, Pion and aiortc run the same
# scenarios on this machine; prints a markdown table (medians, min-max over runs, ratios).
# Installs what is missing (Go and Debian's Pion for the Pion peer, aiortc, Google
# Benchmark), builds rtcstack's benchmarks (build/gcc, debugoptimized) and the Pion peer
# (build/pion, offline GOPATH build). Extra arguments go to bench/compare.py (--runs N).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_packages "${BUILD_PACKAGES[@]}" golang-go golang-github-pion-webrtc.v3-dev python3-aiortc
say "Configuring and building rtcstack's benchmarks (build/gcc)"
configure_build build/gcc -Dbuildtype=debugoptimized
ninja -C build/gcc bench/bench_call bench/bench_srtp bench/bench_relay
say "Building the Pion peer (build/pion)"
bash bench/peers/build_pion.sh build/pion/pion-bench
say "Running every scenario on every stack (progress on stderr, the table at the end)"
/usr/bin/python3 bench/compare.py "$@"
