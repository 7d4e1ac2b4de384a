// Application-limited regions: whether the sender sends well below the target because it
// has nothing more to send (a still picture, a paused stream), not because the network
// holds it back. A budget fills at 65 % of the target and what is sent drains it; a budget
// left mostly unspent (over 80 % of half a second's worth) starts a region, one under
// 50 % ends it. While application-limited, a rate the sender never used says nothing
// about the network: it is neither grown from nor cut to.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"

namespace rtcstack::cc {

class AlrDetector {
 public:
  void on_sent(base::Instant now, std::size_t size, std::uint64_t target_bps);
  bool in_alr() const { return in_alr_; }

 private:
  std::optional<base::Instant> last_;
  double budget_bytes_ = 0;
  bool in_alr_ = false;
};

}  // namespace rtcstack::cc
