#include "media/av1_payload.h"

#include <algorithm>
#include <cstring>

namespace rtcstack::media {
namespace {

constexpr std::uint8_t kZ = 0x80, kY = 0x40, kN = 0x08;
constexpr std::uint8_t kForbidden = 0x80, kExtension = 0x04, kHasSize = 0x02;

std::uint8_t obu_type(std::uint8_t header) { return (header >> 3) & 0x0F; }

bool sent_in_rtp(std::uint8_t type) {
  return type != av1_obu::kTemporalDelimiter && type != av1_obu::kTileList && type != av1_obu::kPadding;
}

// leb128 (AV1 §4.10.5): at most 8 bytes. The value and the bytes it took.
std::optional<std::pair<std::uint64_t, std::size_t>> read_leb128(base::ByteView bytes, std::size_t offset) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8 && offset + i < bytes.size(); ++i) {
    value |= std::uint64_t{bytes[offset + i] & 0x7Fu} << (7 * i);
    if (!(bytes[offset + i] & 0x80)) return std::make_pair(value, i + 1);
  }
  return std::nullopt;
}

std::size_t leb128_size(std::uint64_t value) {
  std::size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

std::size_t write_leb128(std::uint64_t value, std::uint8_t* out) {
  std::size_t size = 0;
  do {
    const auto byte = static_cast<std::uint8_t>(value & 0x7F);
    value >>= 7;
    out[size++] = static_cast<std::uint8_t>(byte | (value ? 0x80 : 0));
  } while (value);
  return size;
}

// Calls `element(bytes, last)` for each OBU element of a payload. kTruncated when a length
// runs past the payload, kMalformed for a payload with no element or an empty one.
template <typename Element>
base::Result<void> for_each_element(base::ByteView payload, Element&& element) {
  const std::size_t count = (payload[0] >> 4) & 0x03;  // W: 0 means each has its length
  std::size_t offset = 1, seen = 0;
  for (std::size_t i = 0; offset < payload.size(); ++i) {
    ++seen;
    const bool last_by_count = count != 0 && i + 1 == count;
    std::size_t size = payload.size() - offset;
    if (!last_by_count) {
      const auto length = read_leb128(payload, offset);
      if (!length) return base::Error{base::ErrorCode::kTruncated, "AV1 payload ends inside an element length"};
      offset += length->second;
      if (length->first > payload.size() - offset) {
        return base::Error{base::ErrorCode::kTruncated, "AV1 OBU element runs past the payload"};
      }
      size = static_cast<std::size_t>(length->first);
    }
    if (size == 0) return base::Error{base::ErrorCode::kMalformed, "an empty AV1 OBU element"};
    const bool last = last_by_count || offset + size == payload.size();
    if (auto taken = element(payload.subspan(offset, size), last); !taken) return taken;
    offset += size;
    if (last_by_count) break;
  }
  if (offset == 1) return base::Error{base::ErrorCode::kMalformed, "AV1 payload with no OBU element"};
  if (count != 0 && seen != count) {
    return base::Error{base::ErrorCode::kMalformed, "AV1 payload with fewer elements than W says"};
  }
  return {};
}

}  // namespace

base::Result<std::optional<Av1Obu>> Av1ObuReader::next() {
  if (offset_ >= stream_.size()) return std::optional<Av1Obu>();
  const std::uint8_t header = stream_[offset_];
  if (header & kForbidden) return base::Error{base::ErrorCode::kMalformed, "AV1 OBU with its forbidden bit set"};
  const std::size_t header_size = (header & kExtension) ? 2 : 1;
  if (offset_ + header_size > stream_.size()) return base::Error{base::ErrorCode::kTruncated, "AV1 OBU header cut short"};
  std::size_t position = offset_ + header_size;
  std::size_t size = stream_.size() - position;
  if (header & kHasSize) {
    const auto length = read_leb128(stream_, position);
    if (!length) return base::Error{base::ErrorCode::kMalformed, "AV1 OBU size is not a leb128 within 8 bytes"};
    position += length->second;
    if (length->first > stream_.size() - position) {
      return base::Error{base::ErrorCode::kTruncated, "AV1 OBU runs past the temporal unit"};
    }
    size = static_cast<std::size_t>(length->first);
  }
  Av1Obu obu{obu_type(header), stream_.subspan(offset_, header_size), stream_.subspan(position, size)};
  offset_ = position + size;
  return std::optional<Av1Obu>(obu);
}

base::Result<void> Av1Packetizer::start(base::ByteView frame, bool key_frame, std::size_t max_payload) {
  if (max_payload < 3) return base::Error{base::ErrorCode::kInvalidArgument, "AV1 payloads need room for a header, a length and a byte"};
  Av1ObuReader reader(frame);
  std::size_t sendable = 0;
  while (true) {
    auto obu = reader.next();
    if (!obu) return base::Error{base::ErrorCode::kInvalidArgument, "not an AV1 temporal unit: " + obu.error().message};
    if (!*obu) break;
    sendable += sent_in_rtp((*obu)->type);
  }
  if (sendable == 0) return base::Error{base::ErrorCode::kInvalidArgument, "the AV1 temporal unit has no OBU to send"};
  frame_ = frame;
  max_payload_ = max_payload;
  reader_offset_ = 0;
  key_frame_ = key_frame;
  first_packet_ = true;
  done_ = !load_next_obu();
  return {};
}

bool Av1Packetizer::load_next_obu() {
  Av1ObuReader reader(frame_, reader_offset_);
  while (true) {
    auto obu = reader.next();
    if (!obu || !*obu) return false;  // start() walked it whole: only the end comes here
    reader_offset_ = reader.offset();
    if (!sent_in_rtp((*obu)->type)) continue;
    element_header_size_ = (*obu)->header.size();
    std::copy((*obu)->header.begin(), (*obu)->header.end(), element_header_.begin());
    element_header_[0] &= static_cast<std::uint8_t>(~kHasSize);  // RTP carries OBUs without size fields
    element_payload_ = (*obu)->payload;
    element_sent_ = 0;
    return true;
  }
}

std::optional<base::ByteView> Av1Packetizer::next(base::MutableByteView out) {
  if (done_) return std::nullopt;
  const bool continues = element_sent_ > 0;
  bool goes_on = false;
  std::size_t position = 1;
  while (max_payload_ - position >= 2) {  // room for a length and a byte
    const std::size_t element_size = element_header_size_ + element_payload_.size();
    const std::size_t room = max_payload_ - position;
    std::size_t take = std::min(element_size - element_sent_, room - 1);
    while (leb128_size(take) + take > room) --take;
    position += write_leb128(take, out.data() + position);
    // The element is its rewritten header, then the OBU's payload.
    for (std::size_t i = 0; i < take; ++i) {
      const std::size_t at = element_sent_ + i;
      out[position + i] = at < element_header_size_ ? element_header_[at] : element_payload_[at - element_header_size_];
    }
    position += take;
    element_sent_ += take;
    if (element_sent_ < element_size) {
      goes_on = true;  // the packet is full
      break;
    }
    if (!load_next_obu()) {
      done_ = true;
      break;
    }
  }
  out[0] = static_cast<std::uint8_t>((continues ? kZ : 0) | (goes_on ? kY : 0) | (first_packet_ && key_frame_ ? kN : 0));
  first_packet_ = false;
  return base::ByteView(out.data(), position);
}

base::Result<FrameStart> Av1Depacketizer::frame_start(base::ByteView payload) {
  if (payload.empty()) return base::Error{base::ErrorCode::kTruncated, "an empty AV1 payload"};
  if (auto elements = for_each_element(payload, [](base::ByteView, bool) { return base::Result<void>{}; }); !elements) {
    return elements.error();
  }
  return (payload[0] & kZ) ? FrameStart::kContinues : FrameStart::kUnknown;
}

void Av1Depacketizer::begin_frame() {
  in_fragment_ = false;
  first_packet_ = true;
  new_sequence_ = false;
  obus_ = 0;
}

base::Result<void> Av1Depacketizer::append(base::ByteView payload, base::Buffer& frame) {
  if (payload.empty()) return base::Error{base::ErrorCode::kTruncated, "an empty AV1 payload"};
  const bool continues = payload[0] & kZ, goes_on = payload[0] & kY;
  if (first_packet_) new_sequence_ = payload[0] & kN;
  first_packet_ = false;
  if (continues != in_fragment_) {
    return base::Error{base::ErrorCode::kMalformed, continues ? "AV1 packet continuing an OBU that never began"
                                                              : "AV1 packet after an OBU that was cut short"};
  }
  bool first = true;
  return for_each_element(payload, [&](base::ByteView element, bool last) -> base::Result<void> {
    if (!(first && continues)) obu_.clear();
    first = false;
    obu_.append(element);
    in_fragment_ = last && goes_on;
    return in_fragment_ ? base::Result<void>{} : complete_obu(frame);
  });
}

base::Result<void> Av1Depacketizer::complete_obu(base::Buffer& frame) {
  const std::uint8_t header = obu_[0];
  if (header & kForbidden) return base::Error{base::ErrorCode::kMalformed, "AV1 OBU with its forbidden bit set"};
  const std::size_t header_size = (header & kExtension) ? 2 : 1;
  if (obu_.size() < header_size) return base::Error{base::ErrorCode::kMalformed, "AV1 OBU header cut short"};
  if (!sent_in_rtp(obu_type(header))) return {};  // a sender should not have; the decoder needs none
  if (header & kHasSize) {
    // A sender that kept the size field: it must say what the element holds.
    Av1ObuReader reader(obu_.view());
    auto obu = reader.next();
    if (!obu || !*obu || reader.offset() != obu_.size()) {
      return base::Error{base::ErrorCode::kMalformed, "AV1 OBU whose size field disagrees with its element"};
    }
    frame.append(obu_.view());
  } else {
    const std::size_t payload_size = obu_.size() - header_size;
    std::array<std::uint8_t, 10> prefix{};
    prefix[0] = static_cast<std::uint8_t>(header | kHasSize);
    if (header_size == 2) prefix[1] = obu_[1];
    const std::size_t prefix_size = header_size + write_leb128(payload_size, prefix.data() + header_size);
    frame.append({prefix.data(), prefix_size});
    frame.append(obu_.view().subspan(header_size));
  }
  ++obus_;
  return {};
}

base::Result<FrameInfo> Av1Depacketizer::finish(base::Buffer& /*frame*/) {
  if (in_fragment_) return base::Error{base::ErrorCode::kMalformed, "the temporal unit's last OBU never ended"};
  if (obus_ == 0) return base::Error{base::ErrorCode::kMalformed, "an AV1 temporal unit without an OBU"};
  return FrameInfo{new_sequence_, 0, 0};
}

}  // namespace rtcstack::media
