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

std::string Candidate::to_string() const {
  return std::string(ice::to_string(type)) + ' ' + address.to_string() + " prio " +
         std::to_string(priority);
}

std::optional<std::string_view> unusable_remote_address(const base::SocketAddress& address) {
  const base::IpAddress ip = address.ip().unmapped();
  if (address.port() == 0) return "port 0";
  if (ip.is_unspecified()) return "an unspecified address";
  if (ip.is_multicast()) return "a multicast address";
  if (ip.is_broadcast()) return "the broadcast address";
  return std::nullopt;
}

std::uint32_t type_preference(CandidateType type) {
  switch (type) {
    case CandidateType::kHost: return 126;
    case CandidateType::kPeerReflexive: return 110;
    case CandidateType::kServerReflexive: return 100;
    case CandidateType::kRelayed: return 0;
  }
  return 0;
}

std::uint32_t candidate_priority(CandidateType type, std::uint16_t local_preference,
                                 std::uint16_t component) {
  return (type_preference(type) << 24) + (std::uint32_t{local_preference} << 8) +
         (256u - std::min<std::uint32_t>(component, 256));
}

std::string candidate_foundation(CandidateType type, const base::IpAddress& base,
                                 const std::optional<base::SocketAddress>& server) {
  // The foundation only has to be equal for equal inputs and differ otherwise; a CRC of
  // the inputs is short, stable across runs and made of ice-chars once printed.
  std::string key(ice::to_string(type));
  key += '|' + base.to_string() + "|udp|";
  if (server) key += server->ip().to_string();
  char text[12];
  std::snprintf(text, sizeof text, "%u", base::crc32(base::as_bytes(key)));
  return text;
}

std::uint64_t pair_priority(std::uint32_t controlling, std::uint32_t controlled) {
  const std::uint64_t g = controlling;
  const std::uint64_t d = controlled;
  return (std::min(g, d) << 32) + 2 * std::max(g, d) + (g > d ? 1 : 0);
}

}  // namespace rtcstack::ice
