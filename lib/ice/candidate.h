// ICE candidates as the agent sees them (RFC 8445 §5.1): a transport address, its base,
// a priority and a foundation. lib/pc converts them to and from SDP candidate lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/socket_address.h"
#include "base/transport_protocol.h"

namespace rtcstack::ice {

enum class CandidateType : std::uint8_t { kHost, kServerReflexive, kPeerReflexive, kRelayed };

/// How a TURN client reaches its server (RFC 8656 §3.1; W3C relayProtocol). The relayed
/// address is UDP in every case.
enum class TurnTransport : std::uint8_t { kUdp, kTcp, kTls };

/// "udp", "tcp", "tls".
std::string_view to_string(TurnTransport transport);

/// "host", "srflx", "prflx", "relay" (the SDP names).
std::string_view to_string(CandidateType type);

/// The role of a TCP candidate (RFC 6544 §4.5): an active one opens connections (and is
/// signalled with port 9), a passive one accepts them, a simultaneous-open one does both.
enum class TcpType : std::uint8_t { kActive, kPassive, kSimultaneousOpen };

/// "active", "passive", "so".
std::string_view to_string(TcpType type);

/// The port an active TCP candidate is signalled with (RFC 6544 §4.5: the discard port;
/// its connections leave from ports the kernel picks).
inline constexpr std::uint16_t kActiveTcpPort = 9;

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
  /// The mDNS name signalled instead of the address: a local host candidate's that
  /// AgentConfig::host_names hides, or the name a peer signalled for a remote one (its
  /// address is what the name resolved to).
  std::string hostname;
  /// UDP, or TCP (RFC 6544) with its tcp_type.
  base::TransportProtocol protocol = base::TransportProtocol::kUdp;
  TcpType tcp_type = TcpType::kPassive;  ///< meaningful for TCP only

  /// Whether it is the candidate at `base_address` over `over`: what a datagram's local
  /// address and transport name.
  bool based_at(const base::SocketAddress& base_address, base::TransportProtocol over) const {
    return base == base_address && protocol == over;
  }

  /// "host 192.0.2.1:5000 prio 2130706431"
  std::string to_string() const;
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

/// Why no check may be sent to `address`, or nullopt when it can be a remote candidate.
/// Multicast, broadcast and unspecified addresses and port 0 cannot answer a check
/// (RFC 8445 §5.1.1.1 never gathers them) and would let a signalling peer aim our checks
/// at many hosts at once; IPv4-mapped IPv6 forms of them are refused as well.
std::optional<std::string_view> unusable_remote_address(const base::SocketAddress& address);

/// RFC 8445 §5.1.2.2 type preferences. TCP candidates rank below every UDP one but relayed
/// (RFC 6544 §4.2 leaves the choice to the agent): host 90 and peer-reflexive 80, as
/// libwebrtc ranks them, so that browsers and rtcstack agree which path wins when both
/// work.
std::uint32_t type_preference(CandidateType type,
                              base::TransportProtocol protocol = base::TransportProtocol::kUdp);

/// priority = 2^24 type preference + 2^8 local preference + (256 - component).
std::uint32_t candidate_priority(CandidateType type, std::uint16_t local_preference, std::uint16_t component,
                                 base::TransportProtocol protocol = base::TransportProtocol::kUdp);

/// The local preference of a TCP candidate (RFC 6544 §4.2): 2^13 direction preference
/// (active 6, passive 4, simultaneous-open 2, as for a host without NAT) + the low 13
/// bits of `other` (what tells a host's addresses apart).
std::uint16_t tcp_local_preference(TcpType type, std::uint16_t other);

/// A foundation shared by candidates of the same type, base IP, transport and STUN/TURN
/// server (RFC 8445 §5.1.1.3, RFC 6544 §4.4), as a short token of ice-chars.
std::string candidate_foundation(CandidateType type, const base::IpAddress& base,
                                 const std::optional<base::SocketAddress>& server,
                                 base::TransportProtocol protocol = base::TransportProtocol::kUdp);

/// Whether a local candidate can send checks to a remote one (RFC 6544 §6.2): same
/// transport and family, and for TCP an active one to a passive one or simultaneous-open
/// to simultaneous-open. A passive candidate reaches an active peer only over the
/// connection the peer opened, which makes the peer's address known as peer-reflexive.
bool can_pair(const Candidate& local, const Candidate& remote);

/// Pair priority (RFC 8445 §6.1.2.3) from the controlling (G) and controlled (D)
/// candidates' priorities.
std::uint64_t pair_priority(std::uint32_t controlling, std::uint32_t controlled);

}  // namespace rtcstack::ice
