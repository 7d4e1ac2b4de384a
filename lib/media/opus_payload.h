// The Opus RTP payload (RFC 7587): one Opus packet per RTP packet, on a 48 kHz clock
// whatever the coded bandwidth. parse_opus_packet() checks a packet against RFC 6716 §3
// (TOC byte, frame count codes 0-3, frame lengths, padding, the 120 ms limit) without
// decoding it, so a receiver can drop garbage and advance its timestamps correctly.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::media {

inline constexpr std::uint32_t kOpusClockRate = 48000;  ///< RFC 7587 §4.1

enum class OpusMode : std::uint8_t { kSilk, kHybrid, kCelt };

struct OpusPacketInfo {
  std::uint8_t config = 0;  ///< TOC configuration number, 0-31
  OpusMode mode = OpusMode::kSilk;
  bool stereo = false;
  std::uint8_t frame_count = 0;         ///< 1-48
  std::uint32_t frame_duration_us = 0;  ///< 2500-60000
  std::uint32_t duration_us() const { return frame_count * frame_duration_us; }
  /// The RTP timestamp advance this packet stands for (48 kHz).
  std::uint32_t duration_samples() const { return duration_us() / 1000 * 48 + duration_us() % 1000 * 48 / 1000; }
};

/// kTruncated / kMalformed with the RFC 6716 rule the packet breaks.
base::Result<OpusPacketInfo> parse_opus_packet(base::ByteView packet);

}  // namespace rtcstack::media
