// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
// extensions-01 §3.1): RTPFB FMT 15, reporting for each transport-wide sequence number
// whether and when it arrived. Parsing is a validated view; building collects arrivals in
// storage that is reused from one feedback message to the next. The RTP session sends it
// for what arrives and feeds what it reads to the bandwidth estimator (lib/cc).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/time.h"
#include "media/rtcp_packet.h"

namespace rtcstack::media {

/// One received transport-wide CC feedback message.
class TransportCc {
 public:
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  std::uint16_t base_sequence_number = 0;
  std::uint16_t status_count = 0;       ///< packets reported, from the base on
  std::int32_t reference_time_64ms = 0;  ///< 24-bit signed, in units of 64 ms
  std::uint8_t feedback_count = 0;       ///< counts feedback messages, to detect lost ones

  /// kInvalidArgument for another message; kTruncated / kMalformed when the chunks or
  /// receive deltas do not fit the status count.
  static base::Result<TransportCc> parse(const RtcpPacket& packet);

  /// Calls `visit(sequence_number, arrival)` for every reported packet in order;
  /// `arrival` is empty for a packet not received, otherwise its arrival time in
  /// microseconds after the reference time (which may be negative).
  template <typename Visit>
  void for_each(Visit&& visit) const {
    (void)walk(visit);
  }

 private:
  base::ByteView chunks_;  // packet status chunks, then receive deltas, then padding
  template <typename Visit>
  bool walk(Visit& visit) const;
};

/// Collects the arrivals of one feedback message and writes it.
class TransportCcBuilder {
 public:
  /// Adds a packet that arrived at `arrival`. False when it cannot join this message (an
  /// older sequence number, a gap past 2^15, or a delta past what 16 bits hold): write the
  /// message, reset(), and add it again.
  bool add(std::uint16_t sequence_number, base::Instant arrival);
  bool empty() const { return arrivals_.empty(); }
  /// Appends the message (reference time: the first arrival, rounded down to 64 ms).
  void write(RtcpWriter& writer, std::uint32_t sender_ssrc, std::uint32_t media_ssrc, std::uint8_t feedback_count) const;
  /// Starts the next message; keeps the storage.
  void reset() { arrivals_.clear(); }

 private:
  struct Arrival {
    std::uint16_t offset;  // sequence number - base
    std::int64_t at_us;
  };
  /// Arrival i's delta in 250 us ticks (the first one's from the reference time).
  std::int64_t delta_ticks(std::size_t i) const;
  /// Calls `emit_chunk(chunk)` for each packet status chunk, in order.
  template <typename Emit>
  void encode_chunks(Emit&& emit_chunk) const;
  std::vector<Arrival> arrivals_;
  std::uint16_t base_ = 0;
};

template <typename Visit>
bool TransportCc::walk(Visit& visit) const {
  // First find where the deltas start: chunks until the status count is covered.
  std::size_t symbols = 0, chunk_bytes = 0;
  while (symbols < status_count) {
    if (chunk_bytes + 2 > chunks_.size()) return false;
    const unsigned chunk = unsigned{chunks_[chunk_bytes]} << 8 | chunks_[chunk_bytes + 1];
    symbols += (chunk & 0x8000) ? ((chunk & 0x4000) ? 7 : 14) : (chunk & 0x1FFF);
    chunk_bytes += 2;
  }
  std::size_t delta = chunk_bytes;
  std::int64_t arrival_us = 0;
  std::uint16_t sequence = base_sequence_number;
  std::size_t reported = 0;
  // One status symbol: 0 not received, 1 small delta (1 byte), 2 large delta (2 bytes).
  const auto symbol = [&](unsigned status) {
    if (reported == status_count) return true;  // the last chunk may hold unused symbols
    ++reported;
    const std::uint16_t this_sequence = sequence++;
    if (status == 0) {
      visit(this_sequence, std::optional<std::int64_t>());
      return true;
    }
    if (status == 3) return false;
    const std::size_t size = status;
    if (delta + size > chunks_.size()) return false;
    const std::int64_t ticks = size == 1 ? std::int64_t{chunks_[delta]}
                                         : std::int64_t{static_cast<std::int16_t>(chunks_[delta] << 8 | chunks_[delta + 1])};
    delta += size;
    arrival_us += ticks * 250;
    visit(this_sequence, std::optional<std::int64_t>(arrival_us));
    return true;
  };
  for (std::size_t offset = 0; offset < chunk_bytes; offset += 2) {
    const unsigned chunk = unsigned{chunks_[offset]} << 8 | chunks_[offset + 1];
    if (!(chunk & 0x8000)) {  // run length: one status for a run
      for (unsigned i = 0; i < (chunk & 0x1FFF); ++i) {
        if (!symbol((chunk >> 13) & 0x03)) return false;
      }
    } else if (!(chunk & 0x4000)) {  // status vector of 14 one-bit symbols
      for (int bit = 13; bit >= 0; --bit) {
        if (!symbol((chunk >> bit) & 0x01)) return false;
      }
    } else {  // status vector of 7 two-bit symbols
      for (int shift = 12; shift >= 0; shift -= 2) {
        if (!symbol((chunk >> shift) & 0x03)) return false;
      }
    }
  }
  return true;
}

}  // namespace rtcstack::media
