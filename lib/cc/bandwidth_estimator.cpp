#include "cc/bandwidth_estimator.h"

#include <algorithm>

namespace rtcstack::cc {
namespace {

// An arrival this far from what the others say about the clocks cannot be true.
constexpr base::Duration kImplausibleShift = base::Duration::seconds(10);
// Messages in a row with nothing plausible in them: the receiver's clock really jumped.
constexpr int kRebaseAfter = 3;
constexpr std::size_t kProbeMinPackets = 5;
// Competing with a loss-based flow (see bandwidth_estimator.h).
constexpr base::Duration kHighQueue = base::Duration::milliseconds(100);
constexpr base::Duration kHighQueueFor = base::Duration::seconds(5);
constexpr int kFutileCuts = 2;
constexpr base::Duration kDrainedQueue = base::Duration::milliseconds(30);
// A queue this long is not grown into further.
constexpr base::Duration kStandingQueue = base::Duration::milliseconds(80);

base::Duration magnitude(base::Duration d) { return d < base::Duration::zero() ? -d : d; }

}  // namespace

BandwidthEstimator::BandwidthEstimator(BandwidthEstimatorConfig config)
    : config_(config),
      history_(config.history_packets),
      rate_control_(config.start_bps, config.limits),
      loss_control_(config.limits),
      probes_(config.limits) {
  estimate_.target_bps = rate_control_.estimate_bps();
  estimate_.delay_based_bps = estimate_.target_bps;
  estimate_.loss_limit_bps = loss_control_.limit_bps();
}

void BandwidthEstimator::start(base::Instant now) {
  if (config_.probing) probes_.start(now, estimate_.target_bps);
}

void BandwidthEstimator::on_packet_sent(base::Instant now, std::size_t size, int probe_cluster) {
  history_.record(now, size, probe_cluster);
  alr_.on_sent(now, size, estimate_.target_bps);
  estimate_.application_limited = alr_.in_alr();
}

void BandwidthEstimator::add_report(std::uint16_t wire_sequence, std::optional<base::Instant> arrival) {
  const auto result = history_.report(wire_sequence, arrival, counters_);
  if (!result) return;
  if (arrival) {
    const base::Duration offset = *arrival - result->packet.sent;
    if (clock_offset_ && magnitude(offset - *clock_offset_) > kImplausibleShift) {
      ++counters_.implausible;
      return;
    }
    clock_offset_ = offset;
    message_implausible_ = false;
  }
  if (reports_.size() == reports_.capacity()) reports_.reserve(std::max<std::size_t>(reports_.size() * 2, 256));
  reports_.push_back(*result);
}

void BandwidthEstimator::end_feedback(base::Instant now) {
  ++counters_.messages;
  // A receiver whose clock jumped sends nothing but implausible arrivals: after a few
  // such messages its new clock is believed, and delay measurement starts over.
  if (message_implausible_ && counters_.implausible > 0 && ++implausible_messages_ >= kRebaseAfter) {
    clock_offset_.reset();
    inter_arrival_.reset();
    implausible_messages_ = 0;
  } else if (!message_implausible_) {
    implausible_messages_ = 0;
  }
  message_implausible_ = true;
  if (reports_.empty()) return;

  std::uint32_t lost = 0;
  std::optional<std::uint64_t> probe_result;
  BandwidthUsage usage = trendline_.state();
  for (const PacketResult& report : reports_) {
    if (!report.arrival) {
      ++lost;
      continue;
    }
    acknowledged_.add(*report.arrival, report.packet.size);
    queue_delay_.add(report.packet.sent, *report.arrival);
    if (report.packet.probe_cluster != kNoProbe) {
      if (auto measured = probe_estimator_.add(report, kProbeMinPackets)) {
        probe_result = std::max(probe_result.value_or(0), *measured);
      }
      // A probe overruns the path on purpose, by up to twice the estimate for 15 ms: the
      // queue it builds is its measurement, not congestion for the rate controller to cut.
      continue;
    }
    if (auto delta = inter_arrival_.add(report.packet.sent, *report.arrival, report.packet.size)) {
      usage = trendline_.update(*delta);
    }
  }
  loss_control_.add_reports(static_cast<std::uint32_t>(reports_.size()), lost);
  reports_.clear();

  const std::optional<std::uint64_t> acknowledged = acknowledged_.bps();
  estimate_.acknowledged_bps = acknowledged;
  estimate_.usage = usage;
  const bool would_cut = usage == BandwidthUsage::kOverusing && !rate_control_.cut_recently(now);
  // Competing, loss takes the place of delay as the signal the controller cuts on - as the
  // loss-based flow does, so that the two share rather than one starving the other.
  // Growth then is multiplicative, as the competitor's is in effect (a capacity learnt at
  // cuts the competitor forced is no ceiling to creep up to).
  if (competing(now, would_cut)) {
    usage = lost > 0 ? BandwidthUsage::kOverusing : BandwidthUsage::kNormal;
    rate_control_.forget_capacity();
  } else if (usage == BandwidthUsage::kNormal && estimate_.queue_delay && *estimate_.queue_delay >= kStandingQueue) {
    // A queue that is no longer growing but still long (after a capacity drop) drains only
    // while the rate stays below the link: no growth until it has.
    usage = BandwidthUsage::kUnderusing;
  }
  if (usage == BandwidthUsage::kOverusing) {
    // While application-limited, what was acknowledged is what the application sent, not
    // what the path carries: the cut is from the estimate.
    rate_control_.update(now, usage, alr_.in_alr() ? std::nullopt : acknowledged);
  } else if (probe_result && *probe_result > rate_control_.estimate_bps() && probes_.usable(*probe_result)) {
    rate_control_.set_estimate(now, *probe_result);
  } else {
    rate_control_.update(now, usage, acknowledged);
  }
  update_target(now);
  if (config_.probing) probes_.on_estimate(now, estimate_.target_bps, usage == BandwidthUsage::kOverusing);
}

bool BandwidthEstimator::competing(base::Instant now, bool cut) {
  const std::optional<base::Duration> queued = queue_delay_.current();
  estimate_.queue_delay = queued;
  if (!queued) return false;
  if (*queued >= kHighQueue) {
    if (!high_delay_since_) {
      high_delay_since_ = now;
      cuts_in_high_delay_ = 0;
    }
    cuts_in_high_delay_ += cut;
    if (now - *high_delay_since_ >= kHighQueueFor && cuts_in_high_delay_ >= kFutileCuts) estimate_.competing = true;
  } else if (!estimate_.competing || *queued < kDrainedQueue) {
    high_delay_since_.reset();
    estimate_.competing = false;
  }
  return estimate_.competing;
}

void BandwidthEstimator::on_receiver_estimate(base::Instant now, std::uint64_t bps) {
  estimate_.receiver_estimate_bps = bps;
  if (counters_.messages == 0) rate_control_.set_estimate(now, bps);
  update_target(now);
}

void BandwidthEstimator::on_loss_report(base::Instant now, std::uint8_t fraction_lost) {
  if (counters_.messages != 0) return;
  loss_control_.add_reports(256, fraction_lost);
  update_target(now);
}

void BandwidthEstimator::on_round_trip_time(base::Duration rtt) {
  if (rtt <= base::Duration::zero()) return;
  estimate_.round_trip_time = rtt;
  rate_control_.set_round_trip_time(rtt);
}

void BandwidthEstimator::update_target(base::Instant now) {
  estimate_.delay_based_bps = rate_control_.estimate_bps();
  std::uint64_t cap = estimate_.delay_based_bps;
  if (estimate_.receiver_estimate_bps) cap = std::min(cap, *estimate_.receiver_estimate_bps);
  estimate_.loss_limit_bps = loss_control_.update(now, cap, estimate_.round_trip_time);
  estimate_.loss = loss_control_.loss();
  estimate_.target_bps = std::clamp(std::min(cap, estimate_.loss_limit_bps), config_.limits.min_bps, config_.limits.max_bps);
}

void BandwidthEstimator::handle_timeout(base::Instant now) {
  if (config_.probing) probes_.handle_timeout(now, estimate_.target_bps, alr_.in_alr());
}

std::optional<ProbeCluster> BandwidthEstimator::poll_probe() { return probes_.poll_probe(); }

}  // namespace rtcstack::cc
