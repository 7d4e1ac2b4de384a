// What a receiver knows about one RTP stream (RFC 3550 §6.4.1 and Appendix A): sequence
// numbers extended over wraps with the A.1 validation (probation, dropouts, restarts),
// loss, interarrival jitter (A.8), and the report block it sends back in RR or SR, with
// LSR/DLSR so the sender can measure the round-trip time. Sans-IO: time is passed in.
#pragma once

#include <cstdint>
#include <optional>

#include "base/time.h"
#include "media/rtcp_reports.h"

namespace rtcstack::media {

/// Maps monotonic time onto the NTP timestamps (32.32 seconds since 1900) that SRs carry;
/// the caller reads the wall clock once and gives it here.
class NtpClock {
 public:
  NtpClock() = default;
  NtpClock(base::Instant origin, std::uint64_t ntp_at_origin) : origin_(origin), ntp_at_origin_(ntp_at_origin) {}
  std::uint64_t ntp(base::Instant now) const;

 private:
  base::Instant origin_;
  std::uint64_t ntp_at_origin_ = 0;
};

/// The round-trip time a report block reveals to the sender that wrote the SR it cites
/// (RFC 3550 §6.4.1: now - LSR - DLSR, in compact NTP). Nothing when the block cites no
/// SR or the result is negative (clock trouble).
std::optional<base::Duration> round_trip_time(std::uint32_t compact_ntp_now, const ReportBlock& block);

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(std::uint32_t clock_rate) : clock_rate_(clock_rate) {}

  /// A packet of the stream arrived (not a retransmission: those would distort jitter).
  /// Returns false while the stream is on probation or for a packet A.1 rejects.
  bool on_packet(base::Instant now, std::uint16_t sequence, std::uint32_t rtp_timestamp);
  /// An SR of the stream arrived: the next report cites it (LSR) and how long ago (DLSR).
  void on_sender_report(base::Instant now, std::uint64_t ntp_timestamp);

  /// The report block for `ssrc` as of `now`; starts the next reporting interval (the
  /// fraction lost covers the time since the previous call).
  ReportBlock report(base::Instant now, std::uint32_t ssrc);

  bool valid() const { return probation_ == 0 && received_ > 0; }
  std::uint64_t packets_received() const { return received_; }
  std::uint32_t extended_highest_sequence() const { return cycles_ + max_sequence_; }
  /// Expected minus received since the first packet (negative with duplicates).
  std::int64_t cumulative_lost() const;
  /// Interarrival jitter in timestamp units (A.8).
  std::uint32_t jitter() const { return static_cast<std::uint32_t>(jitter_ / 16); }

 private:
  void restart(std::uint16_t sequence);

  std::uint32_t clock_rate_;
  std::uint16_t max_sequence_ = 0;
  std::uint32_t cycles_ = 0;        // sequence number wraps, << 16
  std::uint32_t base_sequence_ = 0;
  std::uint32_t bad_sequence_ = 1u << 16 | 1;  // RTP_SEQ_MOD + 1: none
  int probation_ = 2;                // A.1 MIN_SEQUENTIAL
  std::uint64_t received_ = 0;
  std::uint64_t expected_prior_ = 0;
  std::uint64_t received_prior_ = 0;
  std::int64_t jitter_ = 0;          // scaled by 16, in timestamp units (A.8)
  std::optional<std::int64_t> last_transit_;
  std::optional<std::uint32_t> last_sr_;  // compact NTP of the last SR
  base::Instant last_sr_arrival_;
  bool started_ = false;
};

}  // namespace rtcstack::media
