// Packet groups for delay-based estimation (draft-ietf-rmcat-gcc-02 §5.2): packets sent
// within 5 ms of a group's first form one group - a frame, or a pacer burst - and what
// the estimator sees is how much later a group arrived after the one before it than it
// was sent. Packets that arrive in a burst (less than 5 ms apart, earlier than their send
// spacing predicts) join the group in front: the network delivered them together, which
// says nothing about queues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/time.h"

namespace rtcstack::cc {

/// The difference between one completed group and the one before it.
struct GroupDelta {
  base::Duration send;     ///< between their last packets' send times
  base::Duration arrival;  ///< between their last packets' arrivals
  base::Instant arrived;   ///< the later group's last arrival
};

class InterArrival {
 public:
  /// Takes packets in send order; a delta when `sent` closed a group and the group before
  /// it existed. A packet sent before the current group is ignored (reordered feedback).
  std::optional<GroupDelta> add(base::Instant sent, base::Instant arrival, std::size_t size);
  /// Starts over (the arrival clock jumped, or nothing came for seconds).
  void reset();
  std::uint64_t resets() const { return resets_; }

 private:
  struct Group {
    base::Instant first_sent, last_sent;
    base::Instant first_arrival, last_arrival;
    std::size_t size = 0;
    bool empty() const { return size == 0; }
  };
  bool belongs_to_current(base::Instant sent, base::Instant arrival) const;
  Group current_, previous_;
  std::uint64_t resets_ = 0;
};

}  // namespace rtcstack::cc
