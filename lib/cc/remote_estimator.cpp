#include "cc/remote_estimator.h"

namespace rtcstack::cc {
namespace {

constexpr base::Duration kReportInterval = base::Duration::seconds(1);
constexpr double kReportDrop = 0.97;
constexpr std::uint32_t kAbsWrap = 1u << 24;  // 64 s of 2^-18 s units

}  // namespace

RemoteEstimator::RemoteEstimator(std::uint64_t start_bps, RateLimits limits) : rate_control_(start_bps, limits) {}

base::Instant RemoteEstimator::unwrap(std::uint32_t abs_send_time) {
  abs_send_time &= kAbsWrap - 1;
  if (last_abs_) {
    // The shortest way round the 64 s circle: a reordered packet steps back.
    std::int64_t delta = static_cast<std::int64_t>((abs_send_time - *last_abs_) & (kAbsWrap - 1));
    if (delta >= kAbsWrap / 2) delta -= kAbsWrap;
    send_clock_ = send_clock_ + base::Duration::nanoseconds(delta * 1'000'000'000 / (1 << 18));
  }
  last_abs_ = abs_send_time;
  return send_clock_;
}

void RemoteEstimator::on_packet(base::Instant now, std::uint32_t abs_send_time, std::size_t size) {
  if (next_report_ == base::Instant::max()) next_report_ = now + kReportInterval;
  incoming_.add(now, size);
  const base::Instant sent = unwrap(abs_send_time);
  const auto delta = inter_arrival_.add(sent, now, size);
  if (!delta) return;
  const BandwidthUsage usage = trendline_.update(*delta);
  const std::uint64_t before = rate_control_.estimate_bps();
  rate_control_.update(now, usage, incoming_.bps());
  // A fall the sender should hear of now, not within the second.
  if (reported_bps_ != 0 && static_cast<double>(rate_control_.estimate_bps()) < kReportDrop * static_cast<double>(reported_bps_) &&
      rate_control_.estimate_bps() < before) {
    next_report_ = now;
  }
}

std::uint64_t RemoteEstimator::take_report(base::Instant now) {
  reported_bps_ = rate_control_.estimate_bps();
  next_report_ = now + kReportInterval;
  return reported_bps_;
}

}  // namespace rtcstack::cc
