#include "media/nack_tracker.h"

#include <algorithm>

namespace rtcstack::media {

NackTracker::NackTracker(NackConfig config) : config_(config) { missing_.reserve(config_.max_missing); }

std::int64_t NackTracker::unwrap(std::uint16_t sequence) const {
  // The nearest number to the highest seen with these low 16 bits.
  const auto delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(sequence - static_cast<std::uint16_t>(*highest_)));
  return *highest_ + delta;
}

void NackTracker::on_packet(base::Instant now, std::uint16_t sequence) {
  if (!highest_) {
    highest_ = sequence;
    return;
  }
  const std::int64_t unwrapped = unwrap(sequence);
  if (unwrapped <= *highest_) {
    const auto found = std::lower_bound(missing_.begin(), missing_.end(), unwrapped,
                                        [](const Missing& m, std::int64_t s) { return m.sequence < s; });
    if (found != missing_.end() && found->sequence == unwrapped) {
      missing_.erase(found);
      ++recovered_;
    }
    return;
  }
  const std::int64_t gap = unwrapped - *highest_ - 1;
  if (gap > 0 && missing_.size() + static_cast<std::size_t>(gap) > config_.max_missing) {
    // Too much to repair packet by packet: forget it all; the decoder needs a key frame.
    given_up_ += missing_.size() + static_cast<std::uint64_t>(gap);
    missing_.clear();
  } else {
    for (std::int64_t s = *highest_ + 1; s < unwrapped; ++s) missing_.push_back(Missing{s, now, std::nullopt, 0});
  }
  highest_ = unwrapped;
}

std::size_t NackTracker::poll(base::Instant now, base::Duration rtt, std::span<std::uint16_t> out) {
  std::size_t written = 0;
  std::erase_if(missing_, [&](const Missing& m) {
    const bool expired = m.tries >= config_.max_retries || now - m.detected > config_.max_age;
    if (expired) ++given_up_;
    return expired;
  });
  for (Missing& m : missing_) {
    if (written == out.size()) break;
    if (m.last_asked && now - *m.last_asked < rtt) continue;
    out[written++] = static_cast<std::uint16_t>(m.sequence);
    m.last_asked = now;
    ++m.tries;
  }
  return written;
}

std::optional<base::Instant> NackTracker::next_poll(base::Duration rtt) const {
  std::optional<base::Instant> next;
  for (const Missing& m : missing_) {
    const base::Instant due = m.last_asked ? *m.last_asked + rtt : m.detected;
    const base::Instant expiry = m.detected + config_.max_age;
    const base::Instant at = std::min(due, expiry);
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace rtcstack::media
