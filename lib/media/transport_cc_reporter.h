// The receiving end of transport-wide congestion control: records when each packet with
// a transport-wide sequence number arrived and says when a feedback message is due, so
// the sender's estimator hears about every packet within 50-100 ms. A message goes 100 ms
// after its first arrival, or from 50 ms after the previous message as soon as it holds
// 10 packets or shows a loss (a gap in the sequence numbers: the sender should hear of
// loss quickly); also when it is full (what one compound carries). What the feedback
// says about a packet is where its sender's clock offset ends: arrival times are ours.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"
#include "media/transport_cc.h"

namespace rtcstack::media {

class TransportCcReporter {
 public:
  /// A packet carrying `sequence` arrived now.
  void on_packet(base::Instant now, std::uint16_t sequence);
  /// When the next message is due; max() while nothing waits.
  base::Instant next_time() const;
  /// Writes the message due (feedback count included) and starts the next one.
  void write(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc, base::Instant now);
  bool empty() const { return builder_.empty(); }
  std::uint64_t messages_sent() const { return messages_; }

 private:
  TransportCcBuilder builder_;
  std::size_t count_ = 0;
  base::Instant first_arrival_;
  std::optional<std::uint16_t> last_sequence_;
  bool gap_ = false, full_ = false;
  // An arrival the message being built could not take: it opens the next one.
  std::optional<std::pair<std::uint16_t, base::Instant>> carried_;
  std::optional<base::Instant> last_sent_;
  std::uint8_t feedback_count_ = 0;
  std::uint64_t messages_ = 0;
};

}  // namespace rtcstack::media
