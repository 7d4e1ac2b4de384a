// An ICE candidate as SDP carries it (RFC 8839 §5.1), both inside an SDP
// ("a=candidate:...") and alone, as trickle ICE delivers it (RFC 8840).
//
//   candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
//             [raddr <address>] [rport <port>] [tcptype <type>] *(<name> <value>)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/socket_address.h"

namespace rtcstack::sdp {

enum class CandidateType : std::uint8_t { kHost, kServerReflexive, kPeerReflexive, kRelay };
enum class CandidateTransport : std::uint8_t { kUdp, kTcp };
enum class TcpType : std::uint8_t { kActive, kPassive, kSimultaneousOpen };

/// "host", "srflx", "prflx", "relay".
std::string_view to_string(CandidateType type);
/// "udp", "tcp".
std::string_view to_string(CandidateTransport transport);
/// "active", "passive", "so".
std::string_view to_string(TcpType type);

struct Candidate {
  static constexpr std::string_view kName = "candidate";
  std::string foundation;
  std::uint16_t component = 1;
  CandidateTransport transport = CandidateTransport::kUdp;
  std::uint32_t priority = 0;
  /// An IPv4 or IPv6 address, or a host name (browsers hide host addresses behind
  /// random ".local" mDNS names).
  std::string address;
  std::uint16_t port = 0;
  CandidateType type = CandidateType::kHost;
  std::optional<std::string> related_address;
  std::optional<std::uint16_t> related_port;
  std::optional<TcpType> tcp_type;
  /// Further name/value pairs (generation, ufrag, network-id, network-cost, ...) in order.
  std::vector<std::pair<std::string, std::string>> extensions;

  /// Parses a candidate with or without its "candidate:" or "a=candidate:" prefix.
  /// Errors (kMalformed) say which field is wrong.
  static base::Result<Candidate> parse(std::string_view text);

  /// The attribute value, canonical: "<foundation> 1 udp ... typ host ..." (no prefix).
  std::string to_string() const;
  /// "candidate:" + to_string(), the form trickle ICE and addIceCandidate use.
  std::string to_candidate_line() const { return "candidate:" + to_string(); }

  /// The value of an extension pair, e.g. extension("ufrag").
  std::optional<std::string_view> extension(std::string_view name) const;
  /// The address as an IP address, when it is one (not a host name).
  std::optional<base::IpAddress> ip() const;

  friend bool operator==(const Candidate&, const Candidate&) = default;
};

}  // namespace rtcstack::sdp
