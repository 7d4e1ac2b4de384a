#!/usr/bin/env bash
# The README's first command: the most end-to-end thing rtcstack can do today.
#
# rtcstack has no PeerConnection yet (issue 8 brings the loopback call). Until then this
# builds the library and shows what already works end to end:
#   0. our DTLS endpoint against the openssl tool (s_server and s_client) in both roles;
#      two ICE agents connecting through a real TURN server (coturn on 127.0.0.1) with the
#      relay-only policy and exchanging data, and ICE agents across simulated NATs of every
#      RFC 4787 kind (which combinations connect directly, which need the relay);
#   1. lib/stun against a real TURN server (Debian's coturn on 127.0.0.1): Binding, an
#      Allocate with long-term credentials, permissions, Send/Data indications,
#      ChannelBind and ChannelData both ways, deallocation;
#   2. lib/stun on real traffic: every STUN message captured between Chromium, aiortc and
#      Pion parses, and its MESSAGE-INTEGRITY verifies with the passwords from the SDP;
#   3. STUN transactions retransmitting across a simulated network that loses 40%;
#   4. lib/sdp on the real offers and answers of Chromium, aiortc, Pion and werift, through
#      tools/rtc-sdp;
#   5. the installed library: `meson install` into a temporary prefix, then an outside
#      program built from rtcstack.pc alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${INTEROP_PACKAGES[@]}"
say "Configuring and building build/gcc"
configure_build build/gcc -Dwerror=true -Dbuildtype=debugoptimized
ninja -C build/gcc

say "0a. DTLS: our endpoint against openssl s_server and s_client over loopback (DTLS-SRTP, data both ways)"
build/gcc/tests/test_interop_openssl_dtls --durations yes
say "0b. ICE: two agents through coturn (relay only), then across simulated NATs"
tests/interop/with_coturn.sh build/gcc/tests/test_interop_ice_turn --durations yes
build/gcc/tests/test_ice "[nat]" --durations yes
say "1. STUN/TURN with coturn over loopback"
tests/interop/with_coturn.sh build/gcc/tests/test_interop_coturn --durations yes
say "2. STUN from real Chromium/aiortc/Pion captures: parse, FINGERPRINT, MESSAGE-INTEGRITY"
build/gcc/tests/test_stun "[capture]" --durations yes
say "3. STUN binding transactions over a simulated network with 40% loss each way"
build/gcc/tests/test_stun "[sim]" --durations yes
say "4. SDP from Chromium, aiortc, Pion and werift through tools/rtc-sdp"
for file in tests/data/sdp/*.sdp; do build/gcc/tools/rtc-sdp/rtc-sdp check "$file"; done
build/gcc/tools/rtc-sdp/rtc-sdp json tests/data/sdp/chromium-offer-av-data.sdp |
  /usr/bin/python3 -c 'import json, sys; m = json.load(sys.stdin)["media"]; print("chromium-offer-av-data.sdp as JSON:", ", ".join(s["media"] + " mid " + s["mid"] for s in m))'
say "5. Installed library: meson install into a temporary prefix, consumer built from rtcstack.pc"
tests/install/consumer_test.sh "$PWD" tests/install/consumer.cpp
say "Done. DTLS-SRTP handshakes with the openssl tool, ICE connects through NATs and TURN, STUN/TURN work against coturn and real browser traffic, SDP from four real stacks parses and round-trips. No call yet: rtcstack has no PeerConnection (issue 8)."
