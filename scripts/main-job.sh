#!/usr/bin/env bash
# The README's first command: the most end-to-end thing rtcstack can do today.
#
# The call: rtc-echo server and rtc-echo client, two PeerConnections in two processes,
# over loopback (ICE, DTLS, SCTP data channels, SRTP media), for every echo test type
# (0 connection, 1 echo, 2 VP8 video and Opus audio echoed and decoded, 3 stress),
# printing the state changes and the time to connected and to channel open. Then what
# the lower layers show on their own:
#   a. our DTLS endpoint against the openssl tool (s_server and s_client) in both roles;
#      two ICE agents through a real TURN server (coturn on 127.0.0.1, relay only), and
#      ICE agents across simulated NATs of every RFC 4787 kind;
#   b. lib/stun against coturn (Binding, Allocate with long-term credentials,
#      permissions, Send/Data, ChannelBind and ChannelData, deallocation);
#   c. lib/stun on real traffic captured between Chromium, aiortc and Pion;
#   d. lib/sdp on the real offers and answers of Chromium, aiortc, Pion and werift;
#   e. the installed library built into an outside program from rtcstack.pc alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${INTEROP_PACKAGES[@]}"
say "Configuring and building build/gcc"
configure_build build/gcc -Dwerror=true -Dbuildtype=debugoptimized
ninja -C build/gcc

say "The call: rtc-echo server <-> rtc-echo client over loopback, echo test types 0 1 2 3"
tests/interop/echo_pair.sh build/gcc/tools/rtc-echo/rtc-echo 0 1 2 3
say "a. DTLS against openssl s_server and s_client; ICE through coturn (relay only) and simulated NATs"
build/gcc/tests/test_interop_openssl_dtls --durations yes
tests/interop/with_coturn.sh build/gcc/tests/test_interop_ice_turn --durations yes
build/gcc/tests/test_ice "[nat]" --durations yes
say "b. STUN/TURN with coturn over loopback"
tests/interop/with_coturn.sh build/gcc/tests/test_interop_coturn --durations yes
say "c. STUN from real Chromium/aiortc/Pion captures: parse, FINGERPRINT, MESSAGE-INTEGRITY"
build/gcc/tests/test_stun "[capture]" --durations yes
say "d. SDP from Chromium, aiortc, Pion and werift through tools/rtc-sdp"
for file in tests/data/sdp/*.sdp; do build/gcc/tools/rtc-sdp/rtc-sdp check "$file"; done
say "e. Installed library: meson install into a temporary prefix, consumer built from rtcstack.pc"
tests/install/consumer_test.sh "$PWD" tests/install/consumer.cpp
say "Done. Two rtcstack PeerConnections connected over loopback, echoed data-channel messages (types 0, 1, 3) and VP8 video plus Opus audio over SRTP, decoded on return (type 2): RESULT lines above, with the time to connected and to channel open. DTLS interoperates with openssl, ICE works through coturn and NATs, STUN and SDP handle real browser traffic."
