// The sending end of congestion control for an RTP session: every outgoing RTP packet
// waits in the pacer (lib/cc), and leaves with its transport-wide sequence number and
// abs-send-time written into the slots its header reserved, recorded by the bandwidth
// estimator; the peer's transport-wide feedback, REMB and round-trip times drive the
// estimate, whose changes the session reports as the target bitrate. Sans-IO: time comes
// in, packets and the next timeout go out.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/time.h"
#include "cc/bandwidth_estimator.h"
#include "cc/pacer.h"
#include "media/transport_cc.h"

namespace rtcstack::media {

struct CongestionControlConfig {
  cc::BandwidthEstimatorConfig estimator;
  cc::PacerConfig pacer;
  /// The pacer runs this many times faster than the target (libwebrtc's factor).
  double pacing_factor = 2.5;
};

/// The extension ids (0: none) of the values a packet gets as it leaves.
struct LeaveStamps {
  std::uint8_t transport_sequence = 0;
  std::uint8_t abs_send_time = 0;
};

/// What the congestion controller did with the feedback it read.
struct CongestionCounters {
  cc::FeedbackCounters feedback;
  std::uint64_t malformed_feedback = 0;  ///< transport-wide feedback that did not parse
  std::uint64_t receiver_estimates = 0;  ///< REMB messages taken
  std::uint64_t pacer_drops = 0;         ///< packets refused by a full pacer queue
  std::uint64_t padding_packets = 0, padding_bytes = 0;
};

class CongestionControl {
 public:
  explicit CongestionControl(CongestionControlConfig config = {});

  /// Media flows from now: initial probes.
  void start(base::Instant now);

  // Sending.
  /// Queues a packet for the pacer. False when the queue is full (the packet is left in
  /// `bytes` for the caller to recycle).
  bool enqueue(base::Instant now, base::Buffer& bytes, cc::PacketPriority priority, LeaveStamps stamps);
  /// The next packet that leaves now, stamped and recorded.
  std::optional<base::Buffer> next_packet(base::Instant now);
  /// Padding wanted now for a probe: bytes of RTP packet to make (0: none).
  std::size_t padding_wanted(base::Instant now) const { return pacer_.padding_wanted(now); }
  /// A padding packet the caller made for the probe leaves now: stamped and recorded.
  void send_padding(base::Instant now, base::MutableByteView packet, LeaveStamps stamps);
  /// The caller cannot make padding: the probe is given up.
  void cancel_probe() { pacer_.cancel_probe(); }

  // Feedback.
  void on_transport_feedback(base::Instant now, const TransportCc& feedback);
  void on_receiver_estimate(base::Instant now, std::uint64_t bps);
  /// Transport-wide feedback that did not parse: counted, nothing else.
  void on_malformed_feedback() { ++counters_.malformed_feedback; }
  void on_round_trip_time(base::Duration rtt) { estimator_.on_round_trip_time(rtt); }
  /// A report block about what we send (its fraction lost, in 1/256).
  void on_loss_report(base::Instant now, std::uint8_t fraction_lost);

  void handle_timeout(base::Instant now);
  /// When a packet may leave or the estimator wants time; max() for neither.
  base::Instant next_timeout(base::Instant now) const;

  /// The target, once it has moved by 1 % or more since it was last taken (and the first
  /// time): what encoders should follow.
  std::optional<std::uint64_t> poll_target_change();
  const cc::BandwidthEstimate& estimate() const { return estimator_.estimate(); }
  CongestionCounters counters() const;

 private:
  void stamp_and_record(base::Instant now, base::MutableByteView packet, LeaveStamps stamps);
  void follow_estimate();

  CongestionControlConfig config_;
  cc::BandwidthEstimator estimator_;
  cc::Pacer pacer_;
  CongestionCounters counters_;
  std::optional<std::uint64_t> reported_target_;
};

}  // namespace rtcstack::media
