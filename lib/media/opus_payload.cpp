#include "media/opus_payload.h"

#include <string>

namespace rtcstack::media {
namespace {

constexpr std::size_t kMaxFrameBytes = 1275;        // RFC 6716 §3.4 R2
constexpr std::uint32_t kMaxPacketUs = 120'000;     // RFC 6716 §3.4 R5

base::Error broken(base::ErrorCode code, const std::string& why) { return base::Error{code, "Opus packet: " + why}; }

// RFC 6716 §3.2.1: a frame length in one byte (0-251) or two (252-1275).
bool read_length(base::ByteView packet, std::size_t& offset, std::size_t& length) {
  if (offset >= packet.size()) return false;
  const std::size_t first = packet[offset++];
  if (first < 252) {
    length = first;
    return true;
  }
  if (offset >= packet.size()) return false;
  length = first + 4 * std::size_t{packet[offset++]};
  return true;
}

std::uint32_t frame_duration_us(std::uint8_t config) {
  if (config < 12) {  // SILK-only: 10, 20, 40, 60 ms
    static constexpr std::uint32_t kSilk[] = {10'000, 20'000, 40'000, 60'000};
    return kSilk[config % 4];
  }
  if (config < 16) return config % 2 ? 20'000 : 10'000;  // hybrid
  static constexpr std::uint32_t kCelt[] = {2'500, 5'000, 10'000, 20'000};
  return kCelt[config % 4];
}

}  // namespace

base::Result<OpusPacketInfo> parse_opus_packet(base::ByteView packet) {
  if (packet.empty()) return broken(base::ErrorCode::kTruncated, "no TOC byte (RFC 6716 §3.4 R1)");
  OpusPacketInfo info;
  const std::uint8_t toc = packet[0];
  info.config = toc >> 3;
  info.mode = info.config < 12 ? OpusMode::kSilk : info.config < 16 ? OpusMode::kHybrid : OpusMode::kCelt;
  info.stereo = (toc & 0x04) != 0;
  info.frame_duration_us = frame_duration_us(info.config);
  const std::size_t rest = packet.size() - 1;
  switch (toc & 0x03) {
    case 0:  // one frame
      if (rest > kMaxFrameBytes) return broken(base::ErrorCode::kMalformed, "a frame over 1275 bytes (R2)");
      info.frame_count = 1;
      break;
    case 1:  // two frames of equal size
      if (rest % 2 != 0) return broken(base::ErrorCode::kMalformed, "code 1 with an odd number of frame bytes (R3)");
      if (rest / 2 > kMaxFrameBytes) return broken(base::ErrorCode::kMalformed, "a frame over 1275 bytes (R2)");
      info.frame_count = 2;
      break;
    case 2: {  // two frames, the first one's length given
      std::size_t offset = 1, first = 0;
      if (!read_length(packet, offset, first)) return broken(base::ErrorCode::kTruncated, "code 2 without its frame length (R4)");
      if (first > packet.size() - offset) return broken(base::ErrorCode::kTruncated, "code 2 first frame past the end (R4)");
      if (first > kMaxFrameBytes || packet.size() - offset - first > kMaxFrameBytes) {
        return broken(base::ErrorCode::kMalformed, "a frame over 1275 bytes (R2)");
      }
      info.frame_count = 2;
      break;
    }
    default: {  // code 3: a count byte, optional padding, CBR or VBR frames
      if (packet.size() < 2) return broken(base::ErrorCode::kTruncated, "code 3 without its frame count byte (R6)");
      const std::uint8_t count_byte = packet[1];
      const bool vbr = (count_byte & 0x80) != 0;
      const bool padded = (count_byte & 0x40) != 0;
      info.frame_count = count_byte & 0x3F;
      if (info.frame_count == 0) return broken(base::ErrorCode::kMalformed, "code 3 with zero frames (R5)");
      std::size_t offset = 2;
      std::size_t padding = 0;
      if (padded) {
        // Each 255 adds 254 bytes of padding and another length byte follows.
        while (true) {
          if (offset >= packet.size()) return broken(base::ErrorCode::kTruncated, "code 3 padding length cut (R6/R7)");
          const std::size_t byte = packet[offset++];
          padding += byte == 255 ? 254 : byte;
          if (byte != 255) break;
        }
      }
      if (offset + padding > packet.size()) return broken(base::ErrorCode::kTruncated, "code 3 padding past the end (R6/R7)");
      std::size_t data = packet.size() - offset - padding;  // lengths and frames
      if (vbr) {
        std::size_t used = 0;
        for (std::size_t i = 0; i + 1 < info.frame_count; ++i) {
          std::size_t length = 0;
          const std::size_t before = offset;
          if (!read_length(packet, offset, length)) return broken(base::ErrorCode::kTruncated, "code 3 VBR frame length cut (R7)");
          if (length > kMaxFrameBytes) return broken(base::ErrorCode::kMalformed, "a frame over 1275 bytes (R2)");
          const std::size_t length_bytes = offset - before;
          if (length_bytes + length > data - used) {
            return broken(base::ErrorCode::kTruncated, "code 3 VBR frames past the end (R7)");
          }
          used += length_bytes + length;
        }
        if (data - used > kMaxFrameBytes) return broken(base::ErrorCode::kMalformed, "a frame over 1275 bytes (R2)");
      } else {
        if (data % info.frame_count != 0) {
          return broken(base::ErrorCode::kMalformed, "code 3 CBR bytes do not split into equal frames (R6)");
        }
        if (data / info.frame_count > kMaxFrameBytes) return broken(base::ErrorCode::kMalformed, "a frame over 1275 bytes (R2)");
      }
      break;
    }
  }
  if (info.duration_us() > kMaxPacketUs) return broken(base::ErrorCode::kMalformed, "more than 120 ms of audio (R5)");
  return info;
}

}  // namespace rtcstack::media
