// The rate at which the receiver got our packets, from the arrival times its feedback
// reports: bytes over the last half second of arrivals, counted in 25 ms buckets on the
// receiver's clock. It is what the rate controller cuts from at over-use, and the cap on
// how far it may grow past what the path has shown it carries.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/time.h"

namespace rtcstack::cc {

class AcknowledgedBitrate {
 public:
  void add(base::Instant arrival, std::size_t size);
  /// Empty until arrivals span 150 ms.
  std::optional<std::uint64_t> bps() const;

 private:
  static constexpr std::size_t kBuckets = 20;
  static constexpr base::Duration kBucket = base::Duration::milliseconds(25);
  std::array<std::uint64_t, kBuckets> bytes_{};
  std::int64_t newest_ = -1;  // bucket index (arrival / kBucket) of the newest arrival
  std::optional<base::Instant> first_arrival_;
  base::Instant newest_arrival_;
};

}  // namespace rtcstack::cc
