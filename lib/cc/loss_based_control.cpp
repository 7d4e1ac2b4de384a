#include "cc/loss_based_control.h"

#include <algorithm>

namespace rtcstack::cc {
namespace {

constexpr std::uint32_t kMinReports = 20;
constexpr double kLowLoss = 0.02, kHighLoss = 0.10;
constexpr base::Duration kIncreaseInterval = base::Duration::seconds(1);
constexpr base::Duration kDecreaseInterval = base::Duration::milliseconds(300);

}  // namespace

LossBasedControl::LossBasedControl(RateLimits limits) : limits_(limits), rate_bps_(limits.max_bps) {}

void LossBasedControl::add_reports(std::uint32_t reported, std::uint32_t lost) {
  reported_ += reported;
  lost_ += std::min(lost, reported);
}

std::uint64_t LossBasedControl::update(base::Instant now, std::uint64_t cap_bps, base::Duration rtt) {
  if (reported_ < kMinReports) return rate_bps_;
  last_loss_ = static_cast<double>(lost_) / reported_;
  reported_ = lost_ = 0;
  // Below the cap the limit is what loss allowed; at or above it, loss limits nothing.
  const std::uint64_t current = std::min(rate_bps_, std::max(cap_bps, limits_.min_bps));
  if (last_loss_ <= kLowLoss) {
    if (rate_bps_ >= cap_bps) {
      rate_bps_ = limits_.max_bps;
    } else if (!last_increase_ || now - *last_increase_ >= kIncreaseInterval) {
      // Back up by 8 % a second after a loss cut.
      rate_bps_ = static_cast<std::uint64_t>(static_cast<double>(current) * 1.08) + 1000;
      last_increase_ = now;
    }
  } else if (last_loss_ <= kHighLoss) {
    rate_bps_ = current;  // hold: neither this controller nor the others may raise it
  } else if (!last_decrease_ || now - *last_decrease_ >= kDecreaseInterval + rtt) {
    rate_bps_ = static_cast<std::uint64_t>(static_cast<double>(current) * (1 - 0.5 * last_loss_));
    last_decrease_ = now;
    last_increase_ = now;
  } else {
    rate_bps_ = current;
  }
  rate_bps_ = std::clamp(rate_bps_, limits_.min_bps, limits_.max_bps);
  return rate_bps_;
}

}  // namespace rtcstack::cc
