// STUN and TURN server URLs (RFC 7064, RFC 7065), as W3C RTCIceServer.urls gives them:
// "stun:host[:port]", "turn:host[:port][?transport=udp|tcp]", "turns:host[:port]
// [?transport=tcp]". Parsing only: the host may be a name, which lib/net resolves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ice/candidate.h"

namespace rtcstack::ice {

struct ServerUrl {
  bool turn = false;            ///< turn:/turns: (a relay), or stun:
  std::string host;             ///< a name, or an IP address (an IPv6 one without brackets)
  std::uint16_t port = 3478;    ///< 3478, or 5349 for turns:, when the URL has none
  TurnTransport transport = TurnTransport::kUdp;  ///< turns: is kTls; stun: is always kUdp
};

/// kInvalidArgument for what is not such a URL (another scheme, an empty or malformed
/// host, a bad port, an unknown query); kUnsupported for what is one but rtcstack does
/// not speak: stuns: (STUN over TLS) and turns: with transport=udp (TURN over DTLS).
base::Result<ServerUrl> parse_server_url(std::string_view url);

}  // namespace rtcstack::ice
