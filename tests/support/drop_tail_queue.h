// A bottleneck as a router has one: a link of limited rate behind a drop-tail queue. What
// the simulated network's bottlenecks and the impairment relay's rate limit share: given
// when a datagram arrives and its size, whether the queue takes it, how long it waits, and
// when it has left (after its own serialization time, bytes * 8 / rate). Test code.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/time.h"

namespace rtcstack::testing {

struct Bottleneck {
  std::uint64_t rate_bps = 1'000'000;
  /// Drop-tail limits: a datagram that would find more than queue_bytes waiting (the one
  /// being sent included), or would wait longer than queue_delay, is dropped. Whichever
  /// is set (non-zero) applies, both if both are.
  std::size_t queue_bytes = 0;
  base::Duration queue_delay = base::Duration::zero();
};

class DropTailQueue {
 public:
  explicit DropTailQueue(Bottleneck limits = {}) : limits_(limits) {}
  /// New limits from now on; what is queued keeps its departure time.
  void set_limits(Bottleneck limits) { limits_ = limits; }
  const Bottleneck& limits() const { return limits_; }

  struct Admission {
    bool dropped = false;
    base::Duration queued = base::Duration::zero();  ///< what it waits (or would have) behind the others
    base::Instant departure;                          ///< when it has left the link (taken ones)
  };
  Admission admit(base::Instant now, std::size_t bytes) {
    const base::Duration waiting = std::max(busy_until_ - now, base::Duration::zero());
    // What the queue holds now: the bytes the link has yet to send.
    const auto backlog = static_cast<std::uint64_t>(static_cast<double>(waiting.as_nanoseconds()) *
                                                    static_cast<double>(limits_.rate_bps) / 8e9);
    const bool over_bytes = limits_.queue_bytes != 0 && backlog + bytes > limits_.queue_bytes;
    const bool over_time = limits_.queue_delay > base::Duration::zero() && waiting > limits_.queue_delay;
    if (over_bytes || over_time) return {true, waiting, {}};
    const auto serialization = base::Duration::nanoseconds(
        static_cast<std::int64_t>(bytes * 8 * 1'000'000'000 / std::max<std::uint64_t>(limits_.rate_bps, 1)));
    busy_until_ = std::max(busy_until_, now) + serialization;
    return {false, waiting, busy_until_};
  }

 private:
  Bottleneck limits_;
  base::Instant busy_until_;  // when what it holds has left
};

}  // namespace rtcstack::testing
