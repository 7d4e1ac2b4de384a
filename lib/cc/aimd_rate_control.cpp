#include "cc/aimd_rate_control.h"

#include <algorithm>
#include <cmath>

namespace rtcstack::cc {
namespace {

constexpr double kBeta = 0.85;
constexpr double kMultiplicativeGrowth = 1.08;  // per second
constexpr double kAcknowledgedHeadroom = 1.5;
constexpr double kAcknowledgedSlack = 10'000;
constexpr double kMinAdditivePerSecond = 4'000;
constexpr double kMinMultiplicativeStep = 1'000;

}  // namespace

AimdRateControl::AimdRateControl(std::uint64_t start_bps, RateLimits limits)
    : limits_(limits), current_bps_(std::clamp(start_bps, limits.min_bps, limits.max_bps)) {}

std::uint64_t AimdRateControl::clamp(double bps) const {
  return std::clamp(static_cast<std::uint64_t>(std::max(bps, 0.0)), limits_.min_bps, limits_.max_bps);
}

bool AimdRateControl::cut_recently(base::Instant now) const {
  const base::Duration wait = std::clamp(rtt_, base::Duration::milliseconds(10), base::Duration::milliseconds(200));
  return last_cut_ && now - *last_cut_ < wait;
}

double AimdRateControl::near_max_increase_per_second() const {
  // About one packet per response time, packets being a 30 fps frame's share of the rate.
  const double bits_per_frame = static_cast<double>(current_bps_) / 30.0;
  const double packets_per_frame = std::ceil(bits_per_frame / (1200.0 * 8.0));
  const double bits_per_packet = bits_per_frame / packets_per_frame;
  const double response_s = (rtt_ + base::Duration::milliseconds(100)).as_seconds();
  return std::max(kMinAdditivePerSecond, bits_per_packet / response_s);
}

void AimdRateControl::observe_capacity(double acknowledged_bps) {
  if (!capacity_) {
    capacity_ = acknowledged_bps;
    return;
  }
  const double alpha = 0.05;
  *capacity_ = (1 - alpha) * *capacity_ + alpha * acknowledged_bps;
  // In kbit/s, as the variance's limits are meant: a deviation of at least
  // sqrt(0.4 * capacity in kbit/s) kbit/s - about 6 % of 1 Mbit/s at three deviations.
  const double norm = std::max(*capacity_ / 1000, 1.0);
  const double error = (*capacity_ - acknowledged_bps) / 1000;
  capacity_variance_ = std::clamp((1 - alpha) * capacity_variance_ + alpha * error * error / norm, 0.4, 2.5);
}

double AimdRateControl::capacity_deviation() const {
  return capacity_ ? std::sqrt(capacity_variance_ * *capacity_ / 1000) * 1000 : 0;
}

std::uint64_t AimdRateControl::update(base::Instant now, BandwidthUsage usage, std::optional<std::uint64_t> acknowledged_bps) {
  switch (usage) {
    case BandwidthUsage::kOverusing: phase_ = Phase::kDecrease; break;
    case BandwidthUsage::kUnderusing: phase_ = Phase::kHold; break;
    case BandwidthUsage::kNormal:
      if (phase_ == Phase::kHold || phase_ == Phase::kDecrease) phase_ = Phase::kIncrease;
      break;
  }
  const double elapsed_s = last_change_ ? std::min((now - *last_change_).as_seconds(), 1.0) : 0.0;
  double next = static_cast<double>(current_bps_);
  const double current = next;
  const std::optional<double> acknowledged =
      acknowledged_bps ? std::optional<double>(static_cast<double>(*acknowledged_bps)) : std::nullopt;

  if (phase_ == Phase::kIncrease) {
    // A capacity seen at cuts that the rate now far exceeds no longer describes the link.
    if (capacity_ && current > *capacity_ + 3 * capacity_deviation()) capacity_.reset();
    if (capacity_ && last_change_) {
      next += near_max_increase_per_second() * elapsed_s;
    } else if (last_change_) {
      next += std::max(current * (std::pow(kMultiplicativeGrowth, elapsed_s) - 1), kMinMultiplicativeStep * (elapsed_s > 0));
    }
    if (acknowledged) next = std::min(next, std::max(current, kAcknowledgedHeadroom * *acknowledged + kAcknowledgedSlack));
    last_change_ = now;
  } else if (phase_ == Phase::kDecrease) {
    if (!cut_recently(now)) {
      const double basis = acknowledged ? *acknowledged : current;
      double cut = kBeta * basis;
      // Cutting below what the link demonstrably carried is an over-reaction to a burst.
      if (cut > current && capacity_) cut = kBeta * *capacity_;
      if (cut < current) next = cut;
      if (acknowledged) {
        if (capacity_ && *acknowledged < *capacity_ - 3 * capacity_deviation()) capacity_.reset();
        observe_capacity(*acknowledged);
      }
      last_cut_ = now;
    }
    phase_ = Phase::kHold;
    last_change_ = now;
  }
  current_bps_ = clamp(next);
  return current_bps_;
}

void AimdRateControl::set_estimate(base::Instant now, std::uint64_t bps) {
  current_bps_ = clamp(static_cast<double>(bps));
  last_change_ = now;
}

}  // namespace rtcstack::cc
