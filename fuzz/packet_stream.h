// Fuzz input read as a stream of RTP packets of one video stream, for the frame assembler:
// [length][flags] then `length` payload bytes, repeated, where flags bit 0 is the marker,
// bits 1-3 a sequence jump and bit 4 a new timestamp. Every packet is written and parsed
// as the network would deliver it.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/rtp_packet.h"

namespace rtcstack::fuzzing {

template <typename OnPacket>
void for_each_packet(const std::vector<std::uint8_t>& input, OnPacket&& on_packet) {
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::size_t offset = 0;
  std::array<std::uint8_t, 300> packet{};
  while (offset + 2 <= input.size()) {
    const std::size_t length = std::min<std::size_t>(input[offset], input.size() - offset - 2);
    const std::uint8_t flags = input[offset + 1];
    offset += 2;
    sequence = static_cast<std::uint16_t>(sequence + 1 + ((flags >> 1) & 0x07));
    if (flags & 0x10) timestamp += 3000;
    media::RtpHeader header;
    header.marker = (flags & 0x01) != 0;
    header.payload_type = 96;
    header.sequence_number = sequence;
    header.timestamp = timestamp;
    const auto written = media::write_rtp(header, {input.data() + offset, length}, packet);
    offset += length;
    if (!written.ok()) std::abort();
    const std::vector<std::uint8_t> exact(written->begin(), written->end());
    const auto rtp = media::RtpPacket::parse(exact);
    if (!rtp.ok()) std::abort();
    on_packet(*rtp);
  }
}

}  // namespace rtcstack::fuzzing
