#include "media/vp8_payload.h"

#include <cstring>
#include <string>

namespace rtcstack::media {
namespace {

constexpr std::uint8_t kX = 0x80, kN = 0x20, kS = 0x10;
constexpr std::uint8_t kI = 0x80, kL = 0x40, kT = 0x20, kK = 0x10;
constexpr std::uint8_t kM = 0x80;

base::Error cut(std::string_view what) {
  return base::Error{base::ErrorCode::kTruncated, "VP8 payload descriptor cut in its " + std::string(what)};
}

}  // namespace

base::Result<Vp8PayloadView> parse_vp8_payload(base::ByteView payload) {
  if (payload.empty()) return cut("first byte");
  Vp8PayloadView view;
  Vp8Descriptor& d = view.descriptor;
  const std::uint8_t first = payload[0];
  d.non_reference = (first & kN) != 0;
  d.start_of_partition = (first & kS) != 0;
  d.partition_index = first & 0x07;
  std::size_t offset = 1;
  if (first & kX) {
    if (offset >= payload.size()) return cut("extension byte");
    const std::uint8_t extension = payload[offset++];
    if (extension & kI) {
      if (offset >= payload.size()) return cut("picture id");
      d.long_picture_id = (payload[offset] & kM) != 0;
      if (d.long_picture_id) {
        if (offset + 2 > payload.size()) return cut("15-bit picture id");
        d.picture_id = static_cast<std::uint16_t>((payload[offset] & 0x7F) << 8 | payload[offset + 1]);
        offset += 2;
      } else {
        d.picture_id = payload[offset++] & 0x7F;
      }
    }
    if (extension & kL) {
      if (offset >= payload.size()) return cut("TL0PICIDX");
      d.tl0_pic_index = payload[offset++];
    }
    if (extension & (kT | kK)) {
      if (offset >= payload.size()) return cut("TID/KEYIDX byte");
      const std::uint8_t byte = payload[offset++];
      if (extension & kT) {
        d.temporal_id = byte >> 6;
        d.layer_sync = (byte & 0x20) != 0;
      }
      if (extension & kK) d.key_index = byte & 0x1F;
    }
  }
  view.data = payload.subspan(offset);
  return view;
}

std::size_t vp8_descriptor_size(const Vp8Descriptor& d) {
  const bool extended = d.picture_id || d.tl0_pic_index || d.temporal_id || d.key_index;
  if (!extended) return 1;
  return 2 + (d.picture_id ? (d.long_picture_id ? 2 : 1) : 0) + (d.tl0_pic_index ? 1 : 0) +
         (d.temporal_id || d.key_index ? 1 : 0);
}

void write_vp8_descriptor(const Vp8Descriptor& d, base::MutableByteView out) {
  const bool extended = vp8_descriptor_size(d) > 1;
  out[0] = static_cast<std::uint8_t>((extended ? kX : 0) | (d.non_reference ? kN : 0) | (d.start_of_partition ? kS : 0) |
                                     (d.partition_index & 0x07));
  if (!extended) return;
  std::size_t offset = 2;
  std::uint8_t extension = 0;
  if (d.picture_id) {
    extension |= kI;
    if (d.long_picture_id) {
      out[offset++] = static_cast<std::uint8_t>(kM | ((*d.picture_id >> 8) & 0x7F));
      out[offset++] = static_cast<std::uint8_t>(*d.picture_id);
    } else {
      out[offset++] = static_cast<std::uint8_t>(*d.picture_id & 0x7F);
    }
  }
  if (d.tl0_pic_index) {
    extension |= kL;
    out[offset++] = *d.tl0_pic_index;
  }
  if (d.temporal_id || d.key_index) {
    std::uint8_t byte = 0;
    if (d.temporal_id) {
      extension |= kT;
      byte = static_cast<std::uint8_t>((*d.temporal_id & 0x03) << 6 | (d.layer_sync ? 0x20 : 0));
    }
    if (d.key_index) {
      extension |= kK;
      byte = static_cast<std::uint8_t>(byte | (*d.key_index & 0x1F));
    }
    out[offset++] = byte;
  }
  out[1] = extension;
}

base::Result<Vp8FrameHeader> parse_vp8_frame_header(base::ByteView frame) {
  if (frame.size() < 3) return base::Error{base::ErrorCode::kTruncated, "VP8 frame shorter than its 3-byte frame tag"};
  const std::uint32_t tag = std::uint32_t{frame[0]} | std::uint32_t{frame[1]} << 8 | std::uint32_t{frame[2]} << 16;
  Vp8FrameHeader header;
  header.key_frame = (tag & 1) == 0;
  header.version = static_cast<std::uint8_t>((tag >> 1) & 0x07);
  header.show_frame = ((tag >> 4) & 1) != 0;
  header.first_partition_size = tag >> 5;
  if (!header.key_frame) return header;
  if (frame.size() < 10) return base::Error{base::ErrorCode::kTruncated, "VP8 key frame shorter than its 10-byte header"};
  if (frame[3] != 0x9D || frame[4] != 0x01 || frame[5] != 0x2A) {
    return base::Error{base::ErrorCode::kMalformed, "VP8 key frame without the start code 9d 01 2a"};
  }
  header.width = static_cast<std::uint16_t>((frame[6] | frame[7] << 8) & 0x3FFF);
  header.height = static_cast<std::uint16_t>((frame[8] | frame[9] << 8) & 0x3FFF);
  return header;
}

base::Result<void> Vp8Packetizer::start(base::ByteView frame, bool /*key_frame*/, std::size_t max_payload) {
  descriptor_ = Vp8Descriptor{};
  descriptor_.picture_id = picture_id_;
  const std::size_t overhead = vp8_descriptor_size(descriptor_);
  if (frame.empty() || max_payload <= overhead) {
    return base::Error{base::ErrorCode::kInvalidArgument, "a VP8 frame needs bytes and room for its descriptor"};
  }
  frame_ = frame;
  offset_ = 0;
  sent_ = 0;
  const std::size_t room = max_payload - overhead;
  packets_ = (frame.size() + room - 1) / room;
  picture_id_ = static_cast<std::uint16_t>((picture_id_ + 1) & 0x7FFF);
  return {};
}

std::optional<base::ByteView> Vp8Packetizer::next(base::MutableByteView out) {
  if (offset_ >= frame_.size()) return std::nullopt;
  // Spread the bytes left over the packets left, so every packet carries about as much.
  const std::size_t left = packets_ - sent_;
  const std::size_t take = (frame_.size() - offset_ + left - 1) / left;
  descriptor_.start_of_partition = offset_ == 0;
  const std::size_t overhead = vp8_descriptor_size(descriptor_);
  write_vp8_descriptor(descriptor_, out);
  std::memcpy(out.data() + overhead, frame_.data() + offset_, take);
  offset_ += take;
  ++sent_;
  return base::ByteView(out.data(), overhead + take);
}

base::Result<FrameStart> Vp8Depacketizer::frame_start(base::ByteView payload) {
  auto parsed = parse_vp8_payload(payload);
  if (!parsed) return parsed.error();
  return parsed->descriptor.starts_frame() ? FrameStart::kStarts : FrameStart::kContinues;
}

base::Result<void> Vp8Depacketizer::append(base::ByteView payload, base::Buffer& frame) {
  auto parsed = parse_vp8_payload(payload);
  if (!parsed) return parsed.error();
  frame.append(parsed->data);
  return {};
}

base::Result<FrameInfo> Vp8Depacketizer::finish(base::Buffer& frame) {
  auto header = parse_vp8_frame_header(frame.view());
  if (!header) return header.error();
  return FrameInfo{header->key_frame, header->width, header->height};
}

}  // namespace rtcstack::media
