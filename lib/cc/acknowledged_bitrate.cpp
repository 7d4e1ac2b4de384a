#include "cc/acknowledged_bitrate.h"

#include <algorithm>

namespace rtcstack::cc {

void AcknowledgedBitrate::add(base::Instant arrival, std::size_t size) {
  const std::int64_t index = arrival.nanoseconds_since_origin() / kBucket.as_nanoseconds();
  if (!first_arrival_) first_arrival_ = arrival;
  if (index > newest_) {
    // Buckets between the newest and this one saw nothing.
    for (std::int64_t i = std::max(newest_ + 1, index - static_cast<std::int64_t>(kBuckets) + 1); i <= index; ++i) {
      bytes_[static_cast<std::size_t>(i) % kBuckets] = 0;
    }
    newest_ = index;
    newest_arrival_ = arrival;
  } else if (newest_ - index >= static_cast<std::int64_t>(kBuckets)) {
    return;  // older than the window
  }
  if (arrival < *first_arrival_) first_arrival_ = arrival;
  bytes_[static_cast<std::size_t>(index) % kBuckets] += size;
}

std::optional<std::uint64_t> AcknowledgedBitrate::bps() const {
  if (!first_arrival_) return std::nullopt;
  // The buckets hold what arrived from the oldest one's start to the newest arrival (or
  // from the first arrival, until the window has filled).
  const base::Instant oldest_start =
      base::Instant::from_nanoseconds((newest_ - static_cast<std::int64_t>(kBuckets) + 1) * kBucket.as_nanoseconds());
  const base::Duration span = newest_arrival_ - std::max(oldest_start, *first_arrival_);
  if (newest_arrival_ - *first_arrival_ < base::Duration::milliseconds(150)) return std::nullopt;
  std::uint64_t total = 0;
  for (std::uint64_t b : bytes_) total += b;
  return static_cast<std::uint64_t>(static_cast<double>(total) * 8.0 / span.as_seconds());
}

}  // namespace rtcstack::cc
