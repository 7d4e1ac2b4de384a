// The loss-based controller of GCC (draft-ietf-rmcat-gcc-02 §6), as a limit on the
// target: loss over the packets reported since the last decision, once at least 20 are
// in. Over 10 % the rate is cut by half the loss, at most once per round trip and 300 ms;
// from 2 to 10 % it holds - random loss of that order is the link, not congestion, and
// must neither sink the rate nor let it climb; under 2 % the limit grows back by 8 % a
// second and, once the rate has caught up with the delay-based estimate, lifts.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"
#include "cc/aimd_rate_control.h"

namespace rtcstack::cc {

class LossBasedControl {
 public:
  /// Starts limiting nothing.
  explicit LossBasedControl(RateLimits limits);

  /// Packets reported by one feedback message: how many, how many of them lost.
  void add_reports(std::uint32_t reported, std::uint32_t lost);
  /// Decides at `now` from the reports gathered (nothing changes before 20 are in);
  /// `cap_bps` is the rate the other estimates allow. Returns the limit loss sets:
  /// max_bps while loss is low and the rate has caught up with the cap.
  std::uint64_t update(base::Instant now, std::uint64_t cap_bps, base::Duration rtt);

  std::uint64_t limit_bps() const { return rate_bps_; }
  /// The loss of the last decision, 0 to 1.
  double loss() const { return last_loss_; }

 private:
  RateLimits limits_;
  std::uint64_t rate_bps_;  // the limit
  std::uint32_t reported_ = 0, lost_ = 0;
  double last_loss_ = 0;
  std::optional<base::Instant> last_increase_, last_decrease_;
};

}  // namespace rtcstack::cc
