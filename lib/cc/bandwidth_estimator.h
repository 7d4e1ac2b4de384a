// The send-side bandwidth estimator: Google Congestion Control as draft-ietf-rmcat-gcc-02
// describes it and libwebrtc ships it, driven by transport-wide feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01). A sans-IO core like every other:
// packets are recorded as they leave, the receiver's feedback comes in report by report,
// time is passed in, and the results - a target bitrate, probe clusters for the pacer -
// are read out.
//
// The target is the least of three estimates:
// - delay-based: packet groups (inter_arrival.h) -> delay trend and over-use detector
//   (trendline.h) -> AIMD rate controller (aimd_rate_control.h), which probe results
//   (probe_estimator.h) may raise at once;
// - loss-based (loss_based_control.h): cuts only past 10 % loss;
// - the receiver's own estimate, when it sends one (REMB).
// Probes are planned by probe_controller.h; application-limited periods
// (alr_detector.h) are neither grown from nor cut to.
//
// Beyond GCC, the queuing delay itself (queue_delay.h) is read too. While it is 80 ms or
// more the rate does not grow: after a capacity drop the queue stops growing long before it
// has drained, and GCC, which sees only the trend, would climb back into it.
//
// And a flow that only backs off on delay loses a shared queue to one that backs
// off on loss (TCP, or SCTP beside it on the same connection) - the competitor keeps the
// queue full whatever we do. When the queuing delay (queue_delay.h) has stayed over
// 100 ms for 5 s though the delay-based controller cut twice or more, the queue is not
// ours to drain: until it falls under 30 ms again, the controller cuts on loss instead of
// delay (as the competitor does, so that the two share the link).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/time.h"
#include "cc/acknowledged_bitrate.h"
#include "cc/aimd_rate_control.h"
#include "cc/alr_detector.h"
#include "cc/inter_arrival.h"
#include "cc/loss_based_control.h"
#include "cc/probe_controller.h"
#include "cc/probe_estimator.h"
#include "cc/queue_delay.h"
#include "cc/send_history.h"
#include "cc/trendline.h"

namespace rtcstack::cc {

struct BandwidthEstimatorConfig {
  /// Where the estimate starts before any feedback: libwebrtc's default, low enough for
  /// any link a call is made on, raised within a second by the initial probes.
  std::uint64_t start_bps = 300'000;
  RateLimits limits;
  /// Probing (initial, periodic, after a drop); off, the estimate only grows by AIMD.
  bool probing = true;
  /// Packets remembered for feedback (send_history.h).
  std::size_t history_packets = 4096;
};

/// The estimator's state, for stats, traces and tests.
struct BandwidthEstimate {
  std::uint64_t target_bps = 0;
  std::uint64_t delay_based_bps = 0;
  std::uint64_t loss_limit_bps = 0;
  std::optional<std::uint64_t> receiver_estimate_bps;  ///< REMB, when the peer sends it
  std::optional<std::uint64_t> acknowledged_bps;
  double loss = 0;  ///< of the loss controller's last decision
  BandwidthUsage usage = BandwidthUsage::kNormal;
  bool application_limited = false;
  bool competing = false;  ///< a loss-based flow holds the queue: loss, not delay, is acted on
  std::optional<base::Duration> queue_delay;
  base::Duration round_trip_time = base::Duration::milliseconds(200);
};

class BandwidthEstimator {
 public:
  explicit BandwidthEstimator(BandwidthEstimatorConfig config = {});

  /// The transport carries media from now: initial probes.
  void start(base::Instant now);

  // Sending.
  /// The transport-wide sequence number the next packet carries (its low 16 bits).
  std::uint16_t next_sequence() const { return static_cast<std::uint16_t>(history_.next_sequence()); }
  /// A packet left now with next_sequence() (`probe_cluster`: the cluster it was sent for).
  void on_packet_sent(base::Instant now, std::size_t size, int probe_cluster = kNoProbe);

  // Feedback: the reports of one message, then its end.
  /// The receiver says `wire_sequence` arrived at `arrival` (its clock), or not at all.
  void add_report(std::uint16_t wire_sequence, std::optional<base::Instant> arrival);
  /// Acts on the reports added since the last call.
  void end_feedback(base::Instant now);
  /// The receiver's estimate of what we may send (REMB): a cap on the target - and, from
  /// a peer that sends no transport-wide feedback, the delay-based estimate itself (its
  /// receiver ran the delay-based half, remote_estimator.h).
  void on_receiver_estimate(base::Instant now, std::uint64_t bps);
  /// A report block's loss (RTCP RR/SR, in 1/256): the loss-based controller's input when
  /// no transport-wide feedback comes (with it, that feedback's losses are used instead).
  void on_loss_report(base::Instant now, std::uint8_t fraction_lost);
  void on_round_trip_time(base::Duration rtt);

  void handle_timeout(base::Instant now);
  base::Instant next_timeout() const { return probes_.next_timeout(); }
  /// Probe clusters for the pacer, in order.
  std::optional<ProbeCluster> poll_probe();

  std::uint64_t target_bps() const { return estimate_.target_bps; }
  const BandwidthEstimate& estimate() const { return estimate_; }
  const FeedbackCounters& feedback_counters() const { return counters_; }
  std::size_t bytes_in_flight() const { return history_.bytes_in_flight(); }

 private:
  void update_target(base::Instant now);
  /// Whether a loss-based competitor holds the queue (see the top of this file).
  bool competing(base::Instant now, bool cut);

  BandwidthEstimatorConfig config_;
  SendHistory history_;
  InterArrival inter_arrival_;
  Trendline trendline_;
  AimdRateControl rate_control_;
  LossBasedControl loss_control_;
  AcknowledgedBitrate acknowledged_;
  ProbeEstimator probe_estimator_;
  ProbeController probes_;
  AlrDetector alr_;
  BandwidthEstimate estimate_;
  FeedbackCounters counters_;

  // The reports of the message being read, in the order given (storage reused).
  std::vector<PacketResult> reports_;
  // Arrival minus send time of the last plausible report: a clock offset that only
  // drifts; one far from it is a lie or a fault.
  std::optional<base::Duration> clock_offset_;
  int implausible_messages_ = 0;  // consecutive messages with nothing plausible
  bool message_implausible_ = true;
  QueueDelay queue_delay_;
  std::optional<base::Instant> high_delay_since_;
  int cuts_in_high_delay_ = 0;
};

}  // namespace rtcstack::cc
