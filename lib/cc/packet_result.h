// What congestion control knows about one packet it sent: when it left, how big it was
// on the wire, and - once the receiver's feedback names it - when it arrived, or that it
// never did. Every estimator in lib/cc reads these.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"

namespace rtcstack::cc {

/// No probe cluster: the packet was ordinary media.
inline constexpr int kNoProbe = -1;

struct SentPacket {
  std::int64_t sequence = 0;  ///< transport-wide, unwrapped (never repeats)
  base::Instant sent;
  std::size_t size = 0;  ///< bytes on the wire, the packet's headers included
  int probe_cluster = kNoProbe;
};

struct PacketResult {
  SentPacket packet;
  /// When it arrived, on the receiver's clock (only differences of it mean anything);
  /// empty when the receiver reported it lost.
  std::optional<base::Instant> arrival;
  bool received() const { return arrival.has_value(); }
};

}  // namespace rtcstack::cc
