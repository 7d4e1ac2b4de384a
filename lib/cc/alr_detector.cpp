#include "cc/alr_detector.h"

#include <algorithm>

namespace rtcstack::cc {
namespace {

constexpr double kUsedShare = 0.65;
constexpr double kWindowSeconds = 0.5;
constexpr double kStart = 0.80, kStop = 0.50;

}  // namespace

void AlrDetector::on_sent(base::Instant now, std::size_t size, std::uint64_t target_bps) {
  const double rate_bytes = static_cast<double>(target_bps) * kUsedShare / 8;
  const double cap = rate_bytes * kWindowSeconds;
  if (last_) budget_bytes_ += rate_bytes * std::max((now - *last_).as_seconds(), 0.0);
  last_ = now;
  budget_bytes_ = std::clamp(budget_bytes_ - static_cast<double>(size), -cap, cap);
  const double level = cap > 0 ? budget_bytes_ / cap : 0;
  if (!in_alr_ && level > kStart) {
    in_alr_ = true;
  } else if (in_alr_ && level < kStop) {
    in_alr_ = false;
  }
}

}  // namespace rtcstack::cc
