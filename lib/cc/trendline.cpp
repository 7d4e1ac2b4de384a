#include "cc/trendline.h"

#include <algorithm>
#include <cmath>

namespace rtcstack::cc {
namespace {

constexpr double kSmoothing = 0.9;
constexpr double kThresholdGain = 4.0;
// The trend is multiplied by how many deltas stand behind it, up to this many.
constexpr double kMaxDeltas = 60;
// Over-use must last this long, over more than one delta, before it counts.
constexpr double kOverusingTimeMs = 10;
// Threshold adaptation (gcc-02 §5.4): gains up and down, limits, and an outlier margin
// past which a trend does not move the threshold (a delay spike is not the new normal).
constexpr double kUpGain = 0.0087, kDownGain = 0.039;
constexpr double kMinThreshold = 6, kMaxThreshold = 600, kOutlierMargin = 15;
constexpr double kMaxAdaptStepMs = 100;

double as_ms(base::Duration d) { return static_cast<double>(d.as_microseconds()) / 1000.0; }

}  // namespace

std::string_view to_string(BandwidthUsage usage) {
  switch (usage) {
    case BandwidthUsage::kNormal: return "normal";
    case BandwidthUsage::kUnderusing: return "underusing";
    case BandwidthUsage::kOverusing: return "overusing";
  }
  return "?";
}

BandwidthUsage Trendline::update(const GroupDelta& delta) {
  if (!started_) {
    started_ = true;
    first_arrival_ = delta.arrived;
  }
  deltas_ = std::min<std::uint32_t>(deltas_ + 1, 1000);
  accumulated_ms_ += as_ms(delta.arrival) - as_ms(delta.send);
  smoothed_ms_ = kSmoothing * smoothed_ms_ + (1 - kSmoothing) * accumulated_ms_;
  points_[head_] = {as_ms(delta.arrived - first_arrival_), smoothed_ms_};
  head_ = (head_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
  // Until the window is full the previous trend stands (zero at first).
  const double trend = count_ == kWindow ? slope() : previous_trend_;
  detect(trend, delta.send, delta.arrived);
  return state_;
}

double Trendline::slope() const {
  double x_mean = 0, y_mean = 0;
  for (const Point& p : points_) {
    x_mean += p.x_ms;
    y_mean += p.y_ms;
  }
  x_mean /= kWindow;
  y_mean /= kWindow;
  double numerator = 0, denominator = 0;
  for (const Point& p : points_) {
    numerator += (p.x_ms - x_mean) * (p.y_ms - y_mean);
    denominator += (p.x_ms - x_mean) * (p.x_ms - x_mean);
  }
  return denominator == 0 ? previous_trend_ : numerator / denominator;
}

void Trendline::detect(double trend, base::Duration send_delta, base::Instant now) {
  modified_trend_ = std::min<double>(deltas_, kMaxDeltas) * trend * kThresholdGain;
  if (modified_trend_ > threshold_) {
    const double send_ms = as_ms(send_delta);
    time_over_using_ms_ = time_over_using_ms_ < 0 ? send_ms / 2 : time_over_using_ms_ + send_ms;
    ++overuse_count_;
    if (time_over_using_ms_ > kOverusingTimeMs && overuse_count_ > 1 && trend >= previous_trend_) {
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
      state_ = BandwidthUsage::kOverusing;
    }
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = modified_trend_ < -threshold_ ? BandwidthUsage::kUnderusing : BandwidthUsage::kNormal;
  }
  previous_trend_ = trend;
  adapt_threshold(now);
}

void Trendline::adapt_threshold(base::Instant now) {
  if (!threshold_updated_) {
    threshold_updated_ = true;
    last_threshold_update_ = now;
  }
  const double magnitude = std::fabs(modified_trend_);
  if (magnitude > threshold_ + kOutlierMargin) {
    last_threshold_update_ = now;
    return;
  }
  const double gain = magnitude < threshold_ ? kDownGain : kUpGain;
  const double step_ms = std::min(as_ms(now - last_threshold_update_), kMaxAdaptStepMs);
  threshold_ = std::clamp(threshold_ + gain * (magnitude - threshold_) * step_ms, kMinThreshold, kMaxThreshold);
  last_threshold_update_ = now;
}

}  // namespace rtcstack::cc
