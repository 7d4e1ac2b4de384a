// What a sender reports about one RTP stream in its SRs (RFC 3550 §6.4.1): packets and
// payload octets sent, and an NTP time paired with the RTP timestamp of the same instant,
// which receivers use for lip sync and which their LSR echoes for the round-trip time.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"
#include "media/receive_statistics.h"
#include "media/rtcp_reports.h"

namespace rtcstack::media {

class SendStatistics {
 public:
  explicit SendStatistics(std::uint32_t clock_rate) : clock_rate_(clock_rate) {}

  /// A packet was sent at `now`: its RTP timestamp and payload size (without header and
  /// padding). Retransmissions are not counted (RFC 3550 counts original data).
  void on_sent(base::Instant now, std::uint32_t rtp_timestamp, std::size_t payload_bytes);

  /// The sender information of an SR at `now`: the RTP timestamp is the last packet's,
  /// moved forward by the time since it was sent. Nothing before the first packet (an
  /// RTP sender sends RR until it has sent data).
  std::optional<SenderInfo> sender_info(base::Instant now, const NtpClock& clock) const;

  std::uint32_t packets_sent() const { return packets_; }
  std::uint32_t octets_sent() const { return octets_; }

 private:
  std::uint32_t clock_rate_;
  std::uint32_t packets_ = 0;  // RFC 3550: both wrap at 2^32
  std::uint32_t octets_ = 0;
  std::optional<std::uint32_t> last_timestamp_;
  base::Instant last_sent_;
};

}  // namespace rtcstack::media
