// RTCStatsReport entries (W3C webrtc-stats) for what a PeerConnection has so far: the
// peer connection, its transport, candidate pairs, local and remote candidates,
// certificates and data channels. Member names are the W3C ones ("bytesSent",
// "selectedCandidatePairId", ...), so reports can be compared with a browser's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rtcstack::pc {

using StatValue = std::variant<std::uint64_t, double, std::string, bool>;

struct Stats {
  std::string id;    ///< unique in the report, stable between reports
  std::string type;  ///< RTCStatsType: "transport", "candidate-pair", "local-candidate", ...
  double timestamp = 0;  ///< milliseconds, on the caller's clock
  std::vector<std::pair<std::string, StatValue>> members;

  /// The member called `name`, if present.
  const StatValue* get(std::string_view name) const {
    for (const auto& [key, value] : members) {
      if (key == name) return &value;
    }
    return nullptr;
  }
};

/// What crossed the transport, for RTCTransportStats.
struct TransportCounters {
  std::uint64_t packets_sent = 0, bytes_sent = 0, packets_received = 0, bytes_received = 0;
  // Datagrams dropped: malformed, unauthenticated, replayed or unroutable at the ICE,
  // SRTP or RTP layer, or of no protocol we demultiplex (DTLS drops its own silently).
  std::uint64_t packets_discarded = 0;
};

}  // namespace rtcstack::pc
