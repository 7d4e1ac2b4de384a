#include "ice/candidate.h"

#include <algorithm>
#include <cstdio>

#include "base/crc32.h"

namespace rtcstack::ice {

std::string_view to_string(TurnTransport transport) {
  switch (transport) {
    case TurnTransport::kUdp: return "udp";
    case TurnTransport::kTcp: return "tcp";
    case TurnTransport::kTls: return "tls";
  }
  return "udp";
}

std::string_view to_string(CandidateType type) {
  switch (type) {
    case CandidateType::kHost: return "host";
    case CandidateType::kServerReflexive: return "srflx";
    case CandidateType::kPeerReflexive: return "prflx";
    case CandidateType::kRelayed: return "relay";
  }
  return "host";
}

std::string_view to_string(TcpType type) {
  switch (type) {
    case TcpType::kActive: return "active";
    case TcpType::kPassive: return "passive";
    case TcpType::kSimultaneousOpen: return "so";
  }
  return "passive";
}

std::string Candidate::to_string() const {
  std::string text(ice::to_string(type));
  if (protocol == base::TransportProtocol::kTcp) text += std::string(" tcp ") + std::string(ice::to_string(tcp_type));
  return text + ' ' + address.to_string() + " prio " + std::to_string(priority);
}

std::optional<std::string_view> unusable_remote_address(const base::SocketAddress& address) {
  const base::IpAddress ip = address.ip().unmapped();
  if (address.port() == 0) return "port 0";
  if (ip.is_unspecified()) return "an unspecified address";
  if (ip.is_multicast()) return "a multicast address";
  if (ip.is_broadcast()) return "the broadcast address";
  return std::nullopt;
}

std::uint32_t type_preference(CandidateType type, base::TransportProtocol protocol) {
  if (protocol == base::TransportProtocol::kTcp) {
    switch (type) {
      case CandidateType::kHost: return 90;
      case CandidateType::kPeerReflexive: return 80;
      case CandidateType::kServerReflexive: return 65;
      case CandidateType::kRelayed: return 0;
    }
  }
  switch (type) {
    case CandidateType::kHost: return 126;
    case CandidateType::kPeerReflexive: return 110;
    case CandidateType::kServerReflexive: return 100;
    case CandidateType::kRelayed: return 0;
  }
  return 0;
}

std::uint32_t candidate_priority(CandidateType type, std::uint16_t local_preference, std::uint16_t component,
                                 base::TransportProtocol protocol) {
  return (type_preference(type, protocol) << 24) + (std::uint32_t{local_preference} << 8) +
         (256u - std::min<std::uint32_t>(component, 256));
}

std::uint16_t tcp_local_preference(TcpType type, std::uint16_t other) {
  std::uint16_t direction = 2;
  if (type == TcpType::kActive) direction = 6;
  if (type == TcpType::kPassive) direction = 4;
  return static_cast<std::uint16_t>((direction << 13) | (other & 0x1fff));
}

std::string candidate_foundation(CandidateType type, const base::IpAddress& base,
                                 const std::optional<base::SocketAddress>& server, base::TransportProtocol protocol) {
  // The foundation only has to be equal for equal inputs and differ otherwise; a CRC of
  // the inputs is short, stable across runs and made of ice-chars once printed.
  std::string key(ice::to_string(type));
  key += '|' + base.to_string() + '|' + std::string(base::to_string(protocol)) + '|';
  if (server) key += server->ip().to_string();
  char text[12];
  std::snprintf(text, sizeof text, "%u", base::crc32(base::as_bytes(key)));
  return text;
}

bool can_pair(const Candidate& local, const Candidate& remote) {
  if (local.protocol != remote.protocol || local.address.family() != remote.address.family()) return false;
  if (local.protocol == base::TransportProtocol::kUdp) return true;
  switch (local.tcp_type) {
    case TcpType::kActive: return remote.tcp_type == TcpType::kPassive;
    case TcpType::kSimultaneousOpen: return remote.tcp_type == TcpType::kSimultaneousOpen;
    case TcpType::kPassive:
      return remote.tcp_type == TcpType::kActive && remote.type == CandidateType::kPeerReflexive;
  }
  return false;
}

std::uint64_t pair_priority(std::uint32_t controlling, std::uint32_t controlled) {
  const std::uint64_t g = controlling;
  const std::uint64_t d = controlled;
  return (std::min(g, d) << 32) + 2 * std::max(g, d) + (g > d ? 1 : 0);
}

}  // namespace rtcstack::ice
