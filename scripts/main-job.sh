#!/usr/bin/env bash
# The README's first command: the most end-to-end thing rtcstack can do today.
#
# rtcstack has no PeerConnection yet (issue 8 brings the loopback call). Until then this
# builds the library and shows the two things that already work end to end:
#   1. the simulated network: two simulated hosts exchanging thousands of datagrams over
#      links with delay, jitter, loss, duplication and reordering, deterministically;
#   2. the installed library: `meson install` into a temporary prefix, then an outside
#      program built from rtcstack.pc alone, run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_packages "${BUILD_PACKAGES[@]}"
say "Configuring and building build/gcc"
configure_build build/gcc -Dwerror=true -Dbuildtype=debugoptimized
ninja -C build/gcc

say "Simulated network: two hosts, lossy and reordering links, same seed => same trace"
build/gcc/tests/test_support --reporter compact
say "Installed library: meson install into a temporary prefix, consumer built from rtcstack.pc"
tests/install/consumer_test.sh "$PWD" tests/install/consumer.cpp
say "Done: the simulated network and the installed library work. No call yet: rtcstack has no PeerConnection (issue 8)."
