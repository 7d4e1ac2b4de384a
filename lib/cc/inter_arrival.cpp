#include "cc/inter_arrival.h"

namespace rtcstack::cc {
namespace {

constexpr base::Duration kGroupSpan = base::Duration::milliseconds(5);
constexpr base::Duration kBurstSpacing = base::Duration::milliseconds(5);
constexpr base::Duration kMaxBurst = base::Duration::milliseconds(100);
// An arrival clock that moves this far between groups, or backwards, has jumped: nothing
// measured across the jump is a queue.
constexpr base::Duration kArrivalJump = base::Duration::seconds(3);

}  // namespace

bool InterArrival::belongs_to_current(base::Instant sent, base::Instant arrival) const {
  if (sent - current_.first_sent <= kGroupSpan) return true;
  // A burst: it came right behind the group, earlier than its send time says it should.
  const base::Duration arrival_delta = arrival - current_.last_arrival;
  const base::Duration propagation = arrival_delta - (sent - current_.last_sent);
  return propagation < base::Duration::zero() && arrival_delta <= kBurstSpacing &&
         arrival - current_.first_arrival < kMaxBurst;
}

std::optional<GroupDelta> InterArrival::add(base::Instant sent, base::Instant arrival, std::size_t size) {
  if (current_.empty()) {
    current_ = {sent, sent, arrival, arrival, size};
    return std::nullopt;
  }
  if (sent < current_.first_sent) return std::nullopt;
  if (belongs_to_current(sent, arrival)) {
    if (sent > current_.last_sent) current_.last_sent = sent;
    if (arrival > current_.last_arrival) current_.last_arrival = arrival;
    current_.size += size;
    return std::nullopt;
  }
  std::optional<GroupDelta> delta;
  if (!previous_.empty()) {
    const GroupDelta candidate{current_.last_sent - previous_.last_sent, current_.last_arrival - previous_.last_arrival,
                               current_.last_arrival};
    if (candidate.arrival < base::Duration::zero() || candidate.arrival > kArrivalJump) {
      reset();
      current_ = {sent, sent, arrival, arrival, size};
      return std::nullopt;
    }
    delta = candidate;
  }
  previous_ = current_;
  current_ = {sent, sent, arrival, arrival, size};
  return delta;
}

void InterArrival::reset() {
  current_ = {};
  previous_ = {};
  ++resets_;
}

}  // namespace rtcstack::cc
