// ICE candidates as the agent sees them (RFC 8445 §5.1): a transport address, its base,
// a priority and a foundation. lib/pc converts them to and from SDP candidate lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/socket_address.h"

namespace rtcstack::ice {

enum class CandidateType : std::uint8_t { kHost, kServerReflexive, kPeerReflexive, kRelayed };

/// How a TURN client reaches its server (RFC 8656 §3.1; W3C relayProtocol). The relayed
/// address is UDP in every case.
enum class TurnTransport : std::uint8_t { kUdp, kTcp, kTls };

/// "udp", "tcp", "tls".
std::string_view to_string(TurnTransport transport);

/// "host", "srflx", "prflx", "relay" (the SDP names).
std::string_view to_string(CandidateType type);

struct Candidate {
  CandidateType type = CandidateType::kHost;
  base::SocketAddress address;  ///< where peers send to
  base::SocketAddress base;     ///< where the agent sends from (equal to address for host)
  std::uint32_t priority = 0;
  std::string foundation;
  std::uint16_t component = 1;
  std::optional<base::SocketAddress> related_address;  ///< raddr/rport for non-host types
  /// Local server-reflexive and relayed candidates: the STUN or TURN server they came from,
  /// as a URL ("stun:192.0.2.9:3478", "turns:turn.example:5349?transport=tcp"); never
  /// signalled.
  std::string url;
  /// Local relayed candidates: how the TURN server is reached.
  TurnTransport relay_protocol = TurnTransport::kUdp;

  /// "host 192.0.2.1:5000 prio 2130706431"
  std::string to_string() const;
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

/// Why no check may be sent to `address`, or nullopt when it can be a remote candidate.
/// Multicast, broadcast and unspecified addresses and port 0 cannot answer a check
/// (RFC 8445 §5.1.1.1 never gathers them) and would let a signalling peer aim our checks
/// at many hosts at once; IPv4-mapped IPv6 forms of them are refused as well.
std::optional<std::string_view> unusable_remote_address(const base::SocketAddress& address);

/// RFC 8445 §5.1.2.2 type preferences.
std::uint32_t type_preference(CandidateType type);

/// priority = 2^24 type preference + 2^8 local preference + (256 - component).
std::uint32_t candidate_priority(CandidateType type, std::uint16_t local_preference,
                                 std::uint16_t component);

/// A foundation shared by candidates of the same type, base IP and STUN/TURN server
/// (RFC 8445 §5.1.1.3), as a short token of ice-chars.
std::string candidate_foundation(CandidateType type, const base::IpAddress& base,
                                 const std::optional<base::SocketAddress>& server);

/// Pair priority (RFC 8445 §6.1.2.3) from the controlling (G) and controlled (D)
/// candidates' priorities.
std::uint64_t pair_priority(std::uint32_t controlling, std::uint32_t controlled);

}  // namespace rtcstack::ice
