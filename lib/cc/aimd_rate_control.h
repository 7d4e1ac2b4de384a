// The delay-based rate controller of GCC (draft-ietf-rmcat-gcc-02 §5.5): a state machine
// driven by the over-use detector. Over-use cuts the rate to 85 % of what the receiver
// acknowledged; under-use holds it while queues drain; otherwise it grows - by 8 % a
// second while the link's capacity is unknown, by about a packet per round trip once
// the rate is near the capacity last seen at a cut. Growth stops at 1.5 times what is
// acknowledged: a sender that sends little (an application-limited one) does not talk
// itself into a rate it never tried.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"
#include "cc/trendline.h"

namespace rtcstack::cc {

struct RateLimits {
  std::uint64_t min_bps = 30'000;
  std::uint64_t max_bps = 20'000'000;
};

class AimdRateControl {
 public:
  AimdRateControl(std::uint64_t start_bps, RateLimits limits);

  /// The detector's state at `now`, with the acknowledged bitrate if known; returns
  /// the new estimate.
  std::uint64_t update(base::Instant now, BandwidthUsage usage, std::optional<std::uint64_t> acknowledged_bps);
  /// Sets the estimate outright (a probe measured the path, or a cap applies).
  void set_estimate(base::Instant now, std::uint64_t bps);
  void set_round_trip_time(base::Duration rtt) { rtt_ = rtt; }

  std::uint64_t estimate_bps() const { return current_bps_; }
  /// Whether a cut now would be soon after the last one: the controller waits a round
  /// trip for a cut to show in the feedback before cutting again.
  bool cut_recently(base::Instant now) const;
  /// Forgets the capacity seen at cuts: growth is multiplicative again.
  void forget_capacity() { capacity_.reset(); }
  /// The capacity estimated from acknowledged rates at cuts, if any.
  std::optional<double> link_capacity_bps() const { return capacity_; }

 private:
  enum class Phase : std::uint8_t { kHold, kIncrease, kDecrease };
  std::uint64_t clamp(double bps) const;
  double near_max_increase_per_second() const;
  void observe_capacity(double acknowledged_bps);
  /// The capacity's standard deviation, in bit/s.
  double capacity_deviation() const;

  RateLimits limits_;
  std::uint64_t current_bps_;
  Phase phase_ = Phase::kIncrease;
  std::optional<base::Instant> last_change_;
  std::optional<base::Instant> last_cut_;
  base::Duration rtt_ = base::Duration::milliseconds(200);
  // Capacity at cuts: an exponential average of the acknowledged rate and its variance
  // (normalised by the average), so "near the capacity" widens when it wanders.
  std::optional<double> capacity_;
  double capacity_variance_ = 0.4;
};

}  // namespace rtcstack::cc
