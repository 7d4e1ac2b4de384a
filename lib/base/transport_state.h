// The state of a secure transport, by the W3C's names (RTCDtlsTransportState): what a DTLS
// endpoint and an SCTP association report, and what RTCPeerConnection aggregates. One enum
// for all three, so that no layer maps one onto another.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtcstack::base {

enum class TransportState : std::uint8_t { kNew, kConnecting, kConnected, kClosed, kFailed };

/// "new", "connecting", "connected", "closed", "failed".
std::string_view to_string(TransportState state);

}  // namespace rtcstack::base
