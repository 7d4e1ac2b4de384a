#include "media/receive_statistics.h"

#include <algorithm>

namespace rtcstack::media {
namespace {

constexpr std::uint32_t kMaxDropout = 3000;  // A.1
constexpr std::uint32_t kMaxMisorder = 100;
constexpr std::uint32_t kSeqMod = 1u << 16;

}  // namespace

std::uint64_t NtpClock::ntp(base::Instant now) const {
  const std::int64_t ns = (now - origin_).as_nanoseconds();
  const auto seconds = static_cast<std::uint64_t>(ns / 1'000'000'000);
  const auto fraction = static_cast<std::uint64_t>(ns % 1'000'000'000);
  return ntp_at_origin_ + (seconds << 32) + (fraction << 32) / 1'000'000'000u;
}

std::optional<base::Duration> round_trip_time(std::uint32_t compact_ntp_now, const ReportBlock& block) {
  if (block.last_sender_report == 0) return std::nullopt;
  const auto rtt = static_cast<std::int64_t>(compact_ntp_now) - block.last_sender_report - block.delay_since_last_sender_report;
  if (rtt < 0) return std::nullopt;
  return base::Duration::microseconds(rtt * 1'000'000 / 65536);
}

void ReceiveStatistics::restart(std::uint16_t sequence) {
  base_sequence_ = sequence;
  max_sequence_ = sequence;
  bad_sequence_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  expected_prior_ = 0;
  received_prior_ = 0;
}

bool ReceiveStatistics::on_packet(base::Instant now, std::uint16_t sequence, std::uint32_t rtp_timestamp) {
  if (!started_) {
    // A.1 init: the first packet starts probation.
    restart(sequence);
    max_sequence_ = static_cast<std::uint16_t>(sequence - 1);
    started_ = true;
  }
  const auto delta = static_cast<std::uint16_t>(sequence - max_sequence_);
  if (probation_ > 0) {
    // Sequential packets are needed before the stream counts.
    if (sequence == static_cast<std::uint16_t>(max_sequence_ + 1)) {
      --probation_;
      max_sequence_ = sequence;
      if (probation_ == 0) {
        restart(sequence);
        ++received_;
        last_transit_.reset();
      } else {
        return false;
      }
    } else {
      probation_ = 1;  // A.1 sets MIN_SEQUENTIAL - 1
      max_sequence_ = sequence;
      return false;
    }
  } else if (delta < kMaxDropout) {
    if (sequence < max_sequence_) cycles_ += kSeqMod;  // wrapped
    max_sequence_ = sequence;
    ++received_;
  } else if (delta <= kSeqMod - kMaxMisorder) {
    // A large jump: a restarted sender, or garbage. Two in a row restart the stream.
    if (sequence == bad_sequence_) {
      restart(sequence);
      ++received_;
      last_transit_.reset();
    } else {
      bad_sequence_ = (sequence + 1u) & (kSeqMod - 1);
      return false;
    }
  } else {
    ++received_;  // duplicate or reordered: counted, does not move the highest
  }
  // A.8 interarrival jitter, in timestamp units.
  const std::int64_t arrival = now.nanoseconds_since_origin() / 1000 * clock_rate_ / 1'000'000;
  const std::int64_t transit = arrival - static_cast<std::int64_t>(rtp_timestamp);
  if (last_transit_) {
    // Timestamps wrap at 2^32: take the transit difference modulo that.
    const auto d32 = static_cast<std::int32_t>(static_cast<std::uint32_t>(transit - *last_transit_));
    const std::int64_t d = d32 < 0 ? -std::int64_t{d32} : d32;
    jitter_ += d - ((jitter_ + 8) >> 4);
  }
  last_transit_ = transit;
  return true;
}

void ReceiveStatistics::on_sender_report(base::Instant now, std::uint64_t ntp_timestamp) {
  last_sr_ = compact_ntp(ntp_timestamp);
  last_sr_arrival_ = now;
}

std::int64_t ReceiveStatistics::cumulative_lost() const {
  const std::int64_t expected = std::int64_t{extended_highest_sequence()} - base_sequence_ + 1;
  return expected - static_cast<std::int64_t>(received_);
}

ReportBlock ReceiveStatistics::report(base::Instant now, std::uint32_t ssrc) {
  ReportBlock block;
  block.ssrc = ssrc;
  const std::uint64_t expected = std::uint64_t{extended_highest_sequence()} - base_sequence_ + 1;
  const std::uint64_t expected_interval = expected - expected_prior_;
  const std::uint64_t received_interval = received_ - received_prior_;
  expected_prior_ = expected;
  received_prior_ = received_;
  const auto lost_interval = static_cast<std::int64_t>(expected_interval) - static_cast<std::int64_t>(received_interval);
  block.fraction_lost = expected_interval == 0 || lost_interval <= 0
                            ? 0
                            : static_cast<std::uint8_t>(std::min<std::int64_t>(255, (lost_interval << 8) / static_cast<std::int64_t>(expected_interval)));
  // 24 bits signed: clamp rather than wrap (RFC 3550 §6.4.1).
  block.cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(cumulative_lost(), -0x800000, 0x7FFFFF));
  block.extended_highest_sequence = extended_highest_sequence();
  block.jitter = jitter();
  if (last_sr_) {
    block.last_sender_report = *last_sr_;
    const std::int64_t delay_ns = (now - last_sr_arrival_).as_nanoseconds();
    block.delay_since_last_sender_report = static_cast<std::uint32_t>(delay_ns * 65536 / 1'000'000'000);
  }
  return block;
}

}  // namespace rtcstack::media
