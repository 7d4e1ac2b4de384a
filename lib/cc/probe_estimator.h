// What a probe measured: a probe cluster is a burst of packets the pacer sent at a set
// rate; the rate at which the receiver got them is what the path can carry, up to the
// rate they were sent at. The send rate leaves out the last packet (it marks the end of
// the sending interval), the receive rate the first (it marks the start of the arrival
// interval). Results need most of the cluster's packets, and are discounted a little
// when the receiver got them noticeably slower than they were sent - the queue was
// already building.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "cc/packet_result.h"

namespace rtcstack::cc {

class ProbeEstimator {
 public:
  /// A result of a received packet that was part of a probe; the cluster's estimate when
  /// enough of it is in.
  std::optional<std::uint64_t> add(const PacketResult& result, std::size_t min_packets);

 private:
  struct Cluster {
    int id = kNoProbe;
    base::Instant first_sent, last_sent, first_arrival, last_arrival;
    std::size_t packets = 0, bytes = 0;
    std::size_t last_sent_size = 0, first_arrival_size = 0;
  };
  // The few clusters that may be in flight at once (initial probing sends two).
  std::array<Cluster, 4> clusters_{};
};

}  // namespace rtcstack::cc
