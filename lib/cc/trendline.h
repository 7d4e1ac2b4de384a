// The delay gradient and the over-use detector of GCC (draft-ietf-rmcat-gcc-02 §5.3-5.5,
// in the trendline form libwebrtc ships instead of the draft's Kalman filter): each
// group delta adds its queuing delay change to an accumulated delay, smoothed, and the
// slope of a least-squares line through the last 20 points says whether queues are
// growing. Scaled by how many points back it, the slope is compared with a threshold
// that itself adapts - slowly up when the trend is far above it, faster down - so that a
// flow facing loss-based competitors (TCP, SCTP) is not starved by its own caution.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/time.h"
#include "cc/inter_arrival.h"

namespace rtcstack::cc {

/// What the detector concluded from the latest delta.
enum class BandwidthUsage : std::uint8_t {
  kNormal,     ///< queues are steady
  kUnderusing, ///< queues are draining
  kOverusing,  ///< queues are growing
};
std::string_view to_string(BandwidthUsage usage);

class Trendline {
 public:
  /// Feeds one group delta; returns the state after it.
  BandwidthUsage update(const GroupDelta& delta);
  BandwidthUsage state() const { return state_; }

 private:
  static constexpr std::size_t kWindow = 20;
  struct Point {
    double x_ms, y_ms;  // arrival time since the first group, smoothed accumulated delay
  };
  double slope() const;
  void detect(double trend, base::Duration send_delta, base::Instant now);
  void adapt_threshold(base::Instant now);

  std::array<Point, kWindow> points_{};
  std::size_t count_ = 0, head_ = 0;  // ring over points_
  bool started_ = false;
  base::Instant first_arrival_;
  double accumulated_ms_ = 0, smoothed_ms_ = 0;
  std::uint32_t deltas_ = 0;

  double modified_trend_ = 0, previous_trend_ = 0;
  double threshold_ = 12.5;
  bool threshold_updated_ = false;
  base::Instant last_threshold_update_;
  double time_over_using_ms_ = -1;
  int overuse_count_ = 0;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
};

}  // namespace rtcstack::cc
