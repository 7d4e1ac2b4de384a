#include "media/red_payload.h"

#include <algorithm>
#include <cstring>

namespace rtcstack::media {
namespace {

constexpr std::uint32_t kMaxOffset = (1u << 14) - 1;  // 14 bits
constexpr std::size_t kMaxBlockLength = (1u << 10) - 1;  // 10 bits

}  // namespace

base::Result<RedPayload> parse_red_payload(base::ByteView payload, std::uint32_t timestamp) {
  RedPayload red;
  // Headers: F set, then 7 bits of payload type, 14 of timestamp offset, 10 of length;
  // the last header (F clear) is one byte, the primary's payload type.
  std::size_t offset = 0;
  std::array<std::uint32_t, RedPayload::kMaxBlocks> lengths{};
  while (true) {
    if (offset >= payload.size()) return base::Error{base::ErrorCode::kTruncated, "RED payload ends inside its headers"};
    if (red.count == RedPayload::kMaxBlocks) {
      return base::Error{base::ErrorCode::kMalformed, "RED payload with more than 8 blocks"};
    }
    RedBlock& block = red.blocks[red.count];
    block.payload_type = payload[offset] & 0x7F;
    if (!(payload[offset] & 0x80)) {
      block.timestamp = timestamp;
      ++offset;
      ++red.count;
      break;
    }
    if (offset + 4 > payload.size()) return base::Error{base::ErrorCode::kTruncated, "RED block header cut short"};
    const std::uint32_t word = std::uint32_t{payload[offset + 1]} << 16 | std::uint32_t{payload[offset + 2]} << 8 | payload[offset + 3];
    block.timestamp = timestamp - (word >> 10);
    lengths[red.count] = word & 0x3FF;
    offset += 4;
    ++red.count;
  }
  for (std::size_t i = 0; i + 1 < red.count; ++i) {
    if (lengths[i] > payload.size() - offset) return base::Error{base::ErrorCode::kTruncated, "RED block runs past the payload"};
    red.blocks[i].data = payload.subspan(offset, lengths[i]);
    offset += lengths[i];
  }
  red.blocks[red.count - 1].data = payload.subspan(offset);
  return red;
}

RedEncoder::RedEncoder(std::uint8_t payload_type, std::size_t distance)
    : payload_type_(payload_type & 0x7F), distance_(std::clamp<std::size_t>(distance, 1, 2)) {}

base::Result<base::ByteView> RedEncoder::encode(base::ByteView primary, std::uint32_t timestamp, base::MutableByteView out) {
  // The earlier packets that can go along, oldest first.
  std::array<const Earlier*, 2> along{};
  std::size_t count = 0;
  for (std::size_t i = distance_; i-- > 0;) {
    const Earlier& earlier = earlier_[i];
    if (!earlier.present || earlier.data.size() > kMaxBlockLength || earlier.data.empty()) continue;
    const std::uint32_t age = timestamp - earlier.timestamp;
    if (age == 0 || age > kMaxOffset) continue;
    along[count++] = &earlier;
  }
  std::size_t size = 1 + primary.size();
  for (std::size_t i = 0; i < count; ++i) size += 4 + along[i]->data.size();
  if (size > out.size()) return base::Error{base::ErrorCode::kInvalidArgument, "the RED payload does not fit the buffer"};
  std::size_t offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t word = (timestamp - along[i]->timestamp) << 10 | static_cast<std::uint32_t>(along[i]->data.size());
    out[offset] = static_cast<std::uint8_t>(0x80 | payload_type_);
    out[offset + 1] = static_cast<std::uint8_t>(word >> 16);
    out[offset + 2] = static_cast<std::uint8_t>(word >> 8);
    out[offset + 3] = static_cast<std::uint8_t>(word);
    offset += 4;
  }
  out[offset++] = payload_type_;
  for (std::size_t i = 0; i < count; ++i) {
    std::memcpy(out.data() + offset, along[i]->data.data(), along[i]->data.size());
    offset += along[i]->data.size();
  }
  std::memcpy(out.data() + offset, primary.data(), primary.size());
  offset += primary.size();
  // This packet is the next one's redundancy.
  std::swap(earlier_[0], earlier_[1]);
  earlier_[0].data.clear();
  earlier_[0].data.append(primary);
  earlier_[0].timestamp = timestamp;
  earlier_[0].present = true;
  return base::ByteView(out.data(), offset);
}

}  // namespace rtcstack::media
