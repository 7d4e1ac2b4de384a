// W3C RTCIceServer for lib/net users: STUN and TURN servers by URL ("stun:", "turn:...
// ?transport=tcp", "turns:", RFC 7064/7065), with the username and credential they share,
// resolved into the addresses a pc::Configuration takes.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "pc/configuration.h"

namespace rtcstack::net {

struct IceServer {
  std::vector<std::string> urls;
  std::string username;    ///< TURN only
  std::string credential;  ///< TURN only (the long-term password)
};

/// Adds `servers` to `configuration.ice`: stun: URLs to stun_servers, turn: and turns: to
/// turn_servers (with their transport, and for turns: the host name the certificate must
/// carry). Host names are resolved here, with getaddrinfo - this blocks while DNS answers:
/// call it before create_peer_connection, off the runtime's callbacks. Every address a
/// name has is added (IPv4 and IPv6 ones gather from sockets of their own family).
/// kInvalidArgument or kUnsupported for a bad URL (ice::parse_server_url), kInvalidArgument
/// for a name that does not resolve; `configuration` is unchanged then.
base::Result<void> add_ice_servers(pc::Configuration& configuration, const std::vector<IceServer>& servers);

}  // namespace rtcstack::net
