#include "media/send_statistics.h"

namespace rtcstack::media {

void SendStatistics::on_sent(base::Instant now, std::uint32_t rtp_timestamp, std::size_t payload_bytes) {
  ++packets_;
  octets_ += static_cast<std::uint32_t>(payload_bytes);
  last_timestamp_ = rtp_timestamp;
  last_sent_ = now;
}

std::optional<SenderInfo> SendStatistics::sender_info(base::Instant now, const NtpClock& clock) const {
  if (!last_timestamp_) return std::nullopt;
  SenderInfo info;
  info.ntp_timestamp = clock.ntp(now);
  const std::int64_t elapsed_us = (now - last_sent_).as_microseconds();
  info.rtp_timestamp = *last_timestamp_ + static_cast<std::uint32_t>(elapsed_us * clock_rate_ / 1'000'000);
  info.packet_count = packets_;
  info.octet_count = octets_;
  return info;
}

}  // namespace rtcstack::media
