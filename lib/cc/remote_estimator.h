// The receiving end of REMB (draft-alvestrand-rmcat-remb): for a peer that sends no
// transport-wide sequence numbers but asked for goog-remb, the receiver estimates what it
// may send and tells it. The same delay-based core as the send side - packet groups,
// trendline over-use detector, AIMD (draft-ietf-rmcat-gcc-02 §5) - fed with the send times
// the abs-send-time extension carries and the rate at which packets arrive. A REMB goes out
// every second, and at once when the estimate falls by 3 % or more.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"
#include "cc/acknowledged_bitrate.h"
#include "cc/aimd_rate_control.h"
#include "cc/inter_arrival.h"
#include "cc/trendline.h"

namespace rtcstack::cc {

class RemoteEstimator {
 public:
  explicit RemoteEstimator(std::uint64_t start_bps = 300'000, RateLimits limits = {});

  /// A packet of `size` bytes arrived now, sent at `abs_send_time` (24 bits of 6.18
  /// fixed-point seconds, the sender's clock).
  void on_packet(base::Instant now, std::uint32_t abs_send_time, std::size_t size);
  void on_round_trip_time(base::Duration rtt) { rate_control_.set_round_trip_time(rtt); }

  /// When the next REMB is due; max() before the first packet.
  base::Instant next_report() const { return next_report_; }
  /// The estimate to report now; the next is due a second later.
  std::uint64_t take_report(base::Instant now);
  std::uint64_t estimate_bps() const { return rate_control_.estimate_bps(); }

 private:
  base::Instant unwrap(std::uint32_t abs_send_time);

  InterArrival inter_arrival_;
  Trendline trendline_;
  AimdRateControl rate_control_;
  AcknowledgedBitrate incoming_;
  std::optional<std::uint32_t> last_abs_;
  base::Instant send_clock_;  // the unwrapped send time of the last packet
  base::Instant next_report_ = base::Instant::max();
  std::uint64_t reported_bps_ = 0;
};

}  // namespace rtcstack::cc
