// Which transport a candidate, a datagram or a Transmit travels on. ICE candidates are UDP
// or TCP (RFC 6544); over TCP every datagram of the layers above is a frame of an RFC 4571
// stream, which the caller splits and joins, so the cores still see datagrams.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtcstack::base {

enum class TransportProtocol : std::uint8_t { kUdp, kTcp };

/// "udp", "tcp" (the SDP and W3C names).
constexpr std::string_view to_string(TransportProtocol protocol) {
  return protocol == TransportProtocol::kTcp ? "tcp" : "udp";
}

}  // namespace rtcstack::base
