// The one datagram type of the sans-IO cores (DESIGN.md §1): what a core that speaks to
// the network (ice::Agent, pc::PeerConnection) asks its caller to send. Cores that speak
// only to the layer below them (DTLS records, SCTP packets, RTP before SRTP) hand down
// bytes, not Transmits: only the ICE agent knows the pair they leave on.
#pragma once

#include "base/bytes.h"
#include "base/socket_address.h"
#include "base/transport_protocol.h"

namespace rtcstack::base {

/// A datagram to send from the caller's socket `local` to `remote`. The bytes come from
/// the core's buffer pool: hand them back (recycle()) once sent to spare an allocation.
struct Transmit {
  SocketAddress local;
  SocketAddress remote;
  Buffer bytes;
  /// kTcp: one frame of the ICE-TCP connection between `local` and `remote` (RFC 6544),
  /// which the caller opens when `local` is an active candidate (port 9) and has none yet.
  TransportProtocol protocol = TransportProtocol::kUdp;
};

}  // namespace rtcstack::base
