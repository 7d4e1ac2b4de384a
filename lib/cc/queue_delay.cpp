#include "cc/queue_delay.h"

#include <algorithm>

namespace rtcstack::cc {

void QueueDelay::add(base::Instant sent, base::Instant arrival) {
  const base::Duration one_way = arrival - sent;
  const std::int64_t index = sent.nanoseconds_since_origin() / kBucket.as_nanoseconds();
  Bucket& bucket = buckets_[static_cast<std::size_t>(index) % kBuckets];
  if (bucket.index != index) bucket = {index, one_way};
  bucket.floor = std::min(bucket.floor, one_way);
  latest_ = one_way;
}

std::optional<base::Duration> QueueDelay::current() const {
  if (!latest_) return std::nullopt;
  base::Duration floor = base::Duration::max();
  std::int64_t newest = -1;
  for (const Bucket& bucket : buckets_) newest = std::max(newest, bucket.index);
  for (const Bucket& bucket : buckets_) {
    if (bucket.index >= 0 && newest - bucket.index < static_cast<std::int64_t>(kBuckets)) floor = std::min(floor, bucket.floor);
  }
  return std::max(*latest_ - floor, base::Duration::zero());
}

}  // namespace rtcstack::cc
