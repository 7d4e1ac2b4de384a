// How long our packets wait in queues on the path, estimated as LEDBAT does (RFC 6817
// §4.2): each packet's one-way delay (its arrival on the receiver's clock less its send
// time on ours - clock offset included) minus the smallest one seen over the last minute,
// kept as minima of six-second buckets so that a slow drift between the clocks ages out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/time.h"

namespace rtcstack::cc {

class QueueDelay {
 public:
  /// A packet sent at `sent` arrived at `arrival` (the receiver's clock).
  void add(base::Instant sent, base::Instant arrival);
  /// The latest packet's queuing delay; empty before the first.
  std::optional<base::Duration> current() const;

 private:
  static constexpr std::size_t kBuckets = 10;
  static constexpr base::Duration kBucket = base::Duration::seconds(6);
  struct Bucket {
    std::int64_t index = -1;  // sent / kBucket
    base::Duration floor = base::Duration::max();
  };
  std::array<Bucket, kBuckets> buckets_{};
  std::optional<base::Duration> latest_;
};

}  // namespace rtcstack::cc
