#include "media/transport_cc.h"

#include <cstring>
#include <string>

#include "base/endian.h"
#include "media/rtcp_feedback.h"

namespace rtcstack::media {
namespace {

constexpr std::int64_t kDeltaUs = 250;
constexpr std::int64_t kReferenceUs = 64'000;
constexpr std::size_t kFixedSize = 8;  // base sequence, status count, reference time, feedback count

unsigned status_of(std::int64_t ticks) { return ticks >= 0 && ticks <= 255 ? 1 : 2; }

}  // namespace

base::Result<TransportCc> TransportCc::parse(const RtcpPacket& packet) {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::kTransportFeedback) || packet.count != kFmtTransportCc) {
    return base::Error{base::ErrorCode::kInvalidArgument, "RTCP packet is not transport-wide CC feedback"};
  }
  auto feedback = parse_feedback(packet);
  if (!feedback) return feedback.error();
  if (feedback->fci.size() < kFixedSize) {
    return base::Error{base::ErrorCode::kTruncated, "transport-wide CC feedback shorter than its 8 fixed bytes"};
  }
  const std::uint8_t* p = feedback->fci.data();
  TransportCc message;
  message.sender_ssrc = feedback->sender_ssrc;
  message.media_ssrc = feedback->media_ssrc;
  message.base_sequence_number = base::load_be16(p);
  message.status_count = base::load_be16(p + 2);
  const std::uint32_t reference = std::uint32_t{p[4]} << 16 | std::uint32_t{p[5]} << 8 | p[6];
  message.reference_time_64ms = static_cast<std::int32_t>(reference ^ 0x800000) - 0x800000;
  message.feedback_count = p[7];
  message.chunks_ = feedback->fci.subspan(kFixedSize);
  const auto ignore = [](std::uint16_t, std::optional<std::int64_t>) {};
  if (!message.walk(ignore)) {
    return base::Error{base::ErrorCode::kMalformed,
                       "transport-wide CC feedback for " + std::to_string(message.status_count) +
                           " packets: its status chunks or receive deltas run past the packet, or use the reserved symbol"};
  }
  return message;
}

bool TransportCcBuilder::add(std::uint16_t sequence_number, base::Instant arrival) {
  const std::int64_t at_us = arrival.nanoseconds_since_origin() / 1000;
  if (arrivals_.empty()) {
    base_ = sequence_number;
    arrivals_.push_back({0, at_us});
    return true;
  }
  const auto offset = static_cast<std::uint16_t>(sequence_number - base_);
  const Arrival& last = arrivals_.back();
  if (offset <= last.offset || offset >= 0x8000) return false;
  const std::int64_t ticks = at_us / kDeltaUs - last.at_us / kDeltaUs;
  if (ticks < INT16_MIN || ticks > INT16_MAX) return false;
  arrivals_.push_back({offset, at_us});
  return true;
}

std::int64_t TransportCcBuilder::delta_ticks(std::size_t i) const {
  // Deltas are in 250 us ticks between consecutive arrivals, the first from the reference
  // time; rounding each arrival down to a tick keeps the errors from adding up.
  const std::int64_t previous = i == 0 ? arrivals_.front().at_us / kReferenceUs * (kReferenceUs / kDeltaUs)
                                       : arrivals_[i - 1].at_us / kDeltaUs;
  return arrivals_[i].at_us / kDeltaUs - previous;
}

template <typename Emit>
void TransportCcBuilder::encode_chunks(Emit&& emit_chunk) const {
  const std::size_t count = arrivals_.back().offset + 1u;
  // The status of each reported sequence offset, walked without materialising them all.
  const auto status_at = [&](std::size_t offset, std::size_t& next_arrival) -> unsigned {
    if (next_arrival < arrivals_.size() && arrivals_[next_arrival].offset == offset) {
      return status_of(delta_ticks(next_arrival++));
    }
    return 0;
  };
  std::size_t offset = 0, next_arrival = 0;
  while (offset < count) {
    // A run-length chunk when 14 or more statuses repeat (looked ahead without consuming).
    std::size_t probe_arrival = next_arrival;
    const unsigned first = status_at(offset, probe_arrival);
    std::size_t run = 1;
    std::size_t run_arrival = probe_arrival;
    while (offset + run < count && run < 0x1FFF) {
      std::size_t a = run_arrival;
      if (status_at(offset + run, a) != first) break;
      run_arrival = a;
      ++run;
    }
    if (run >= 14) {
      emit_chunk(static_cast<std::uint16_t>(first << 13 | run));
      offset += run;
      next_arrival = run_arrival;
      continue;
    }
    // A status vector: one-bit symbols when the next 14 need no large delta.
    bool large = first == 2;
    std::size_t a = next_arrival;
    for (std::size_t i = 0; i < 14 && offset + i < count; ++i) large = status_at(offset + i, a) == 2 || large;
    const std::size_t symbols = large ? 7 : 14;
    std::uint16_t chunk = large ? 0xC000 : 0x8000;
    for (std::size_t i = 0; i < symbols; ++i) {
      const unsigned status = offset + i < count ? status_at(offset + i, next_arrival) : 0;
      chunk = static_cast<std::uint16_t>(chunk | (large ? status << (12 - 2 * i) : status << (13 - i)));
    }
    emit_chunk(chunk);
    offset += symbols;
  }
}

void TransportCcBuilder::write(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
                               std::uint8_t feedback_count) const {
  if (arrivals_.empty()) {
    writer.fail({base::ErrorCode::kInvalidArgument, "transport-wide CC feedback reports at least one packet"});
    return;
  }
  // Sized first (chunks and delta bytes), so the packet is reserved at its size.
  std::size_t chunk_count = 0;
  encode_chunks([&](std::uint16_t) { ++chunk_count; });
  std::size_t delta_bytes = 0;
  for (std::size_t i = 0; i < arrivals_.size(); ++i) delta_bytes += status_of(delta_ticks(i));
  const std::size_t fci_size = kFixedSize + 2 * chunk_count + delta_bytes;
  const std::size_t padded = (fci_size + 3) & ~std::size_t{3};

  base::MutableByteView body = writer.begin_packet(RtcpType::kTransportFeedback, kFmtTransportCc, 8 + padded);
  if (body.empty()) return;
  std::uint8_t* p = body.data();
  base::store_be32(p, sender_ssrc);
  base::store_be32(p + 4, media_ssrc);
  base::store_be16(p + 8, base_);
  base::store_be16(p + 10, static_cast<std::uint16_t>(arrivals_.back().offset + 1u));
  const auto reference = static_cast<std::uint32_t>(arrivals_.front().at_us / kReferenceUs) & 0xFFFFFF;
  p[12] = static_cast<std::uint8_t>(reference >> 16);
  p[13] = static_cast<std::uint8_t>(reference >> 8);
  p[14] = static_cast<std::uint8_t>(reference);
  p[15] = feedback_count;
  std::uint8_t* out = p + 16;
  encode_chunks([&](std::uint16_t chunk) {
    base::store_be16(out, chunk);
    out += 2;
  });
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    const std::int64_t ticks = delta_ticks(i);
    if (status_of(ticks) == 1) {
      *out++ = static_cast<std::uint8_t>(ticks);
    } else {
      base::store_be16(out, static_cast<std::uint16_t>(static_cast<std::int16_t>(ticks)));
      out += 2;
    }
  }
  std::memset(out, 0, padded - fci_size);
}

}  // namespace rtcstack::media
