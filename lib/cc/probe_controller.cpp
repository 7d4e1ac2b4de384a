#include "cc/probe_controller.h"

#include <algorithm>

namespace rtcstack::cc {
namespace {

constexpr double kFurtherShare = 0.7;
// A periodic probe on a link others may share leads further only when the link carried
// nearly all of it: a burst that merely found the others idle for a moment is no proof of
// spare capacity.
constexpr double kPeriodicFurtherShare = 0.95;
constexpr base::Duration kResultWait = base::Duration::seconds(1);
constexpr base::Duration kPeriod = base::Duration::seconds(5);
constexpr double kDropShare = 0.66;
constexpr base::Duration kDropMemory = base::Duration::seconds(5);
constexpr double kAfterDropShare = 0.85;
constexpr base::Duration kClusterSpan = base::Duration::milliseconds(15);
// Periodic probes go at 1.5 times the estimate for 50 ms: long enough to sample a link other
// flows share in bursts (a 30 fps sender paced at 2.5 times its rate is idle half of each
// frame interval), gentle enough that the queue they build stays short.
constexpr double kPeriodicFactor = 1.5;
constexpr base::Duration kPeriodicSpan = base::Duration::milliseconds(50);

}  // namespace

void ProbeController::probe(base::Instant now, std::uint64_t bitrate_bps, base::Duration span) {
  bitrate_bps = std::min(bitrate_bps, limits_.max_bps);
  span_ = span;
  last_rate_ = bitrate_bps;
  const auto min_bytes = static_cast<std::size_t>(static_cast<double>(bitrate_bps) * span.as_seconds() / 8);
  pending_.push_back(ProbeCluster{next_id_++, bitrate_bps, 5, min_bytes});
  last_probe_ = now;
  const double share = span == kPeriodicSpan ? kPeriodicFurtherShare : kFurtherShare;
  probe_further_above_ = static_cast<std::uint64_t>(share * static_cast<double>(bitrate_bps));
  waiting_until_ = now + kResultWait;
}

void ProbeController::start(base::Instant now, std::uint64_t estimate_bps) {
  if (started_) return;
  started_ = true;
  last_estimate_ = estimate_bps;
  stable_since_ = now;
  next_periodic_ = now + kPeriod;
  // Never past the ceiling, and never a probe that could not raise the estimate.
  const std::uint64_t first = std::min(3 * estimate_bps, limits_.max_bps);
  const std::uint64_t second = std::min(6 * estimate_bps, limits_.max_bps);
  if (first > estimate_bps) probe(now, first, kClusterSpan);
  if (second > first) probe(now, second, kClusterSpan);
}

void ProbeController::on_estimate(base::Instant now, std::uint64_t estimate_bps, bool overusing) {
  if (!started_) return;
  if (overusing) {
    stable_since_ = now;
    next_periodic_ = std::max(next_periodic_, now + kPeriod);
  }
  if (estimate_bps < kDropShare * static_cast<double>(last_estimate_)) {
    drop_at_ = now;
    before_drop_bps_ = last_estimate_;
    drop_check_ = now;
  }
  last_estimate_ = estimate_bps;
  // Each result that reached most of what was probed earns a probe twice as high.
  if (probe_further_above_ && now < waiting_until_ && estimate_bps > *probe_further_above_ &&
      estimate_bps < limits_.max_bps) {
    // As long and as much above the estimate as the probe that started the chain.
    const double factor = span_ == kPeriodicSpan ? kPeriodicFactor : 2.0;
    probe(now, static_cast<std::uint64_t>(factor * static_cast<double>(estimate_bps)), span_);
  }
}

void ProbeController::handle_timeout(base::Instant now, std::uint64_t estimate_bps, bool application_limited) {
  if (!started_) return;
  if (now >= waiting_until_) {
    probe_further_above_.reset();
    waiting_until_ = base::Instant::max();
  }
  if (drop_at_ && now - *drop_at_ > kDropMemory) drop_at_.reset();
  if (drop_at_ && application_limited && before_drop_bps_ > estimate_bps) {
    drop_at_.reset();
    probe(now, static_cast<std::uint64_t>(kAfterDropShare * static_cast<double>(before_drop_bps_)), kClusterSpan);
  } else if (!probe_further_above_ && estimate_bps < limits_.max_bps && now - last_probe_ >= kPeriod &&
             now - stable_since_ >= kPeriod) {
    probe(now, static_cast<std::uint64_t>(kPeriodicFactor * static_cast<double>(estimate_bps)), kPeriodicSpan);
  }
  // Drops are acted on only while application-limited, which shows on sends: look again
  // every 100 ms while one is remembered.
  drop_check_ = drop_at_ ? now + base::Duration::milliseconds(100) : base::Instant::max();
  next_periodic_ = std::max(std::max(last_probe_, stable_since_) + kPeriod, now + base::Duration::milliseconds(100));
}

base::Instant ProbeController::next_timeout() const {
  if (!started_) return base::Instant::max();
  return std::min({next_periodic_, waiting_until_, drop_check_});
}

bool ProbeController::usable(std::uint64_t result_bps) const {
  return span_ != kPeriodicSpan || static_cast<double>(result_bps) >= kPeriodicFurtherShare * static_cast<double>(last_rate_);
}

std::optional<ProbeCluster> ProbeController::poll_probe() {
  if (pending_.empty()) return std::nullopt;
  ProbeCluster cluster = pending_.front();
  pending_.pop_front();
  return cluster;
}

}  // namespace rtcstack::cc
