#include "media/h264_payload.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace rtcstack::media {
namespace {

constexpr std::uint8_t kStartCode[] = {0, 0, 0, 1};
constexpr std::uint8_t kFuStart = 0x80, kFuEnd = 0x40;

std::uint8_t nal_type(std::uint8_t header) { return header & 0x1F; }

// The position of the next three-byte start code at or after `from`, if any.
std::optional<std::size_t> find_start_code(base::ByteView stream, std::size_t from) {
  for (std::size_t i = from; i + 3 <= stream.size(); ++i) {
    if (stream[i + 2] > 1) {
      i += 2;  // neither this byte nor the two before it can end a start code
      continue;
    }
    if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) return i;
  }
  return std::nullopt;
}

// Calls `unit` for each NAL unit of a STAP-A payload (after its header byte).
// kTruncated when a size runs past the payload, kMalformed for an empty unit or none.
template <typename Unit>
base::Result<void> for_each_aggregated(base::ByteView payload, Unit&& unit) {
  std::size_t offset = 1;
  std::size_t count = 0;
  while (offset < payload.size()) {
    if (offset + 2 > payload.size()) return base::Error{base::ErrorCode::kTruncated, "STAP-A ends inside a NAL unit size"};
    const std::size_t size = std::size_t{payload[offset]} << 8 | payload[offset + 1];
    offset += 2;
    if (size == 0) return base::Error{base::ErrorCode::kMalformed, "STAP-A holds an empty NAL unit"};
    if (offset + size > payload.size()) {
      return base::Error{base::ErrorCode::kTruncated, "STAP-A NAL unit runs past the payload"};
    }
    unit(payload.subspan(offset, size));
    offset += size;
    ++count;
  }
  if (count == 0) return base::Error{base::ErrorCode::kMalformed, "STAP-A with no NAL unit"};
  return {};
}

}  // namespace

std::optional<base::ByteView> AnnexBReader::next() {
  while (true) {
    const auto code = find_start_code(stream_, offset_);
    if (!code) {
      offset_ = stream_.size();
      return std::nullopt;
    }
    const std::size_t begin = *code + 3;
    std::size_t end = find_start_code(stream_, begin).value_or(stream_.size());
    offset_ = end;
    // Zero bytes before the next start code are its fourth byte or trailing_zero_8bits.
    while (end > begin && stream_[end - 1] == 0) --end;
    if (end > begin) return stream_.subspan(begin, end - begin);
  }
}

base::Result<void> H264Packetizer::start(base::ByteView frame, bool /*key_frame*/, std::size_t max_payload) {
  if (max_payload < 3) return base::Error{base::ErrorCode::kInvalidArgument, "H.264 payloads need room for a FU-A header and a byte"};
  AnnexBReader reader(frame);
  std::size_t units = 0;
  while (auto nal = reader.next()) {
    ++units;
    // Types 0 and 24-31 exist only in RTP payloads: a receiver would misread them.
    if (const std::uint8_t type = nal_type(nal->front()); type == 0 || type >= 24) {
      return base::Error{base::ErrorCode::kInvalidArgument,
                         "NAL unit type " + std::to_string(type) + " is not one an encoder writes"};
    }
    if (mode_ == 0 && nal->size() > max_payload) {
      return base::Error{base::ErrorCode::kInvalidArgument,
                         "packetization-mode 0 sends NAL units whole, and one is larger than a payload"};
    }
  }
  if (units == 0) return base::Error{base::ErrorCode::kInvalidArgument, "the H.264 frame holds no NAL unit"};
  frame_ = frame;
  max_payload_ = max_payload;
  reader_offset_ = 0;
  fragmenting_ = {};
  fragments_left_ = 0;
  final_ = false;
  return {};
}

std::optional<base::ByteView> H264Packetizer::next(base::MutableByteView out) {
  if (fragments_left_ > 0) return write_fragment(out);
  const std::size_t first_offset = reader_offset_;
  AnnexBReader reader(frame_, first_offset);
  const auto first = reader.next();
  if (!first) return std::nullopt;
  if (first->size() > max_payload_) {  // mode 1 only: start() refused it in mode 0
    reader_offset_ = reader.offset();
    fragmenting_ = *first;
    fragment_offset_ = 1;  // the NAL header travels in the FU indicator and header
    const std::size_t room = max_payload_ - 2;
    fragments_left_ = (first->size() - 1 + room - 1) / room;
    return write_fragment(out);
  }
  // As many following units as fit go with it in a STAP-A (mode 1).
  std::size_t used = 1 + 2 + first->size();
  std::size_t count = 1;
  std::uint8_t forbidden = first->front() & 0x80, importance = first->front() & 0x60;
  reader_offset_ = reader.offset();
  while (mode_ == 1) {
    AnnexBReader ahead(frame_, reader_offset_);
    const auto unit = ahead.next();
    if (!unit || used + 2 + unit->size() > max_payload_) break;
    used += 2 + unit->size();
    forbidden |= unit->front() & 0x80;
    importance = std::max<std::uint8_t>(importance, unit->front() & 0x60);
    reader_offset_ = ahead.offset();
    ++count;
  }
  AnnexBReader rest(frame_, reader_offset_);
  final_ = !rest.next();
  if (count == 1) {
    std::memcpy(out.data(), first->data(), first->size());
    return base::ByteView(out.data(), first->size());
  }
  out[0] = static_cast<std::uint8_t>(forbidden | importance | h264_nal::kStapA);
  std::size_t offset = 1;
  AnnexBReader units(frame_, first_offset);
  for (std::size_t i = 0; i < count; ++i) {
    const auto unit = units.next();
    out[offset] = static_cast<std::uint8_t>(unit->size() >> 8);
    out[offset + 1] = static_cast<std::uint8_t>(unit->size());
    std::memcpy(out.data() + offset + 2, unit->data(), unit->size());
    offset += 2 + unit->size();
  }
  return base::ByteView(out.data(), offset);
}

base::ByteView H264Packetizer::write_fragment(base::MutableByteView out) {
  const std::uint8_t header = fragmenting_.front();
  // Spread what is left over the fragments left, so every packet carries about as much.
  const std::size_t take = (fragmenting_.size() - fragment_offset_ + fragments_left_ - 1) / fragments_left_;
  const bool first = fragment_offset_ == 1;
  --fragments_left_;
  out[0] = static_cast<std::uint8_t>((header & 0xE0) | h264_nal::kFuA);
  out[1] = static_cast<std::uint8_t>((first ? kFuStart : 0) | (fragments_left_ == 0 ? kFuEnd : 0) | nal_type(header));
  std::memcpy(out.data() + 2, fragmenting_.data() + fragment_offset_, take);
  fragment_offset_ += take;
  if (fragments_left_ == 0) {
    AnnexBReader rest(frame_, reader_offset_);
    final_ = !rest.next();
  }
  return base::ByteView(out.data(), 2 + take);
}

base::Result<FrameStart> H264Depacketizer::frame_start(base::ByteView payload) {
  if (payload.empty()) return base::Error{base::ErrorCode::kTruncated, "an empty H.264 payload"};
  const std::uint8_t type = nal_type(payload[0]);
  if (type >= 1 && type <= 23) return FrameStart::kUnknown;
  if (type == h264_nal::kStapA) {
    if (auto units = for_each_aggregated(payload, [](base::ByteView) {}); !units) return units.error();
    return FrameStart::kUnknown;
  }
  if (type == h264_nal::kFuA) {
    if (payload.size() < 3) return base::Error{base::ErrorCode::kTruncated, "FU-A shorter than its two headers and a byte"};
    if ((payload[1] & kFuStart) && (payload[1] & kFuEnd)) {
      return base::Error{base::ErrorCode::kMalformed, "FU-A with both start and end bits (RFC 6184 §5.8)"};
    }
    return (payload[1] & kFuStart) ? FrameStart::kUnknown : FrameStart::kContinues;
  }
  if (type == 25 || type == 26 || type == 27 || type == 29) {
    return base::Error{base::ErrorCode::kUnsupported, "STAP-B, MTAP and FU-B belong to the interleaved mode (2)"};
  }
  return base::Error{base::ErrorCode::kMalformed, "H.264 payload with reserved NAL unit type " + std::to_string(type)};
}

void H264Depacketizer::begin_frame() {
  in_fragment_ = false;
  frame_sps_ = frame_pps_ = frame_idr_ = frame_picture_ = false;
}

base::Result<void> H264Depacketizer::append(base::ByteView payload, base::Buffer& frame) {
  auto start = frame_start(payload);
  if (!start) return start.error();
  const std::uint8_t type = nal_type(payload[0]);
  if (type == h264_nal::kFuA) {
    const std::uint8_t fu_header = payload[1];
    if (fu_header & kFuStart) {
      if (in_fragment_) return base::Error{base::ErrorCode::kMalformed, "FU-A start before the last fragmented NAL unit ended"};
      in_fragment_ = true;
      fragment_start_ = frame.size();
      frame.append(kStartCode);
      frame.push_back(static_cast<std::uint8_t>((payload[0] & 0xE0) | nal_type(fu_header)));
    } else if (!in_fragment_ || nal_type(frame[fragment_start_ + 4]) != nal_type(fu_header)) {
      return base::Error{base::ErrorCode::kMalformed, "FU-A fragment without the start of its NAL unit"};
    }
    frame.append(payload.subspan(2));
    if (fu_header & kFuEnd) {
      in_fragment_ = false;
      nal_complete(frame, fragment_start_);
    }
    return {};
  }
  if (in_fragment_) return base::Error{base::ErrorCode::kMalformed, "a fragmented NAL unit ended without its end bit"};
  if (type == h264_nal::kStapA) {
    return for_each_aggregated(payload, [&](base::ByteView unit) { append_nal(unit, frame); });
  }
  append_nal(payload, frame);
  return {};
}

void H264Depacketizer::append_nal(base::ByteView nal, base::Buffer& frame) {
  const std::size_t start = frame.size();
  frame.append(kStartCode);
  frame.append(nal);
  nal_complete(frame, start);
}

void H264Depacketizer::nal_complete(const base::Buffer& frame, std::size_t start) {
  const base::ByteView nal = frame.view().subspan(start + sizeof kStartCode);
  switch (nal_type(nal[0])) {
    case h264_nal::kSps:
      sps_.clear();
      sps_.append(nal);
      frame_sps_ = true;
      break;
    case h264_nal::kPps:
      pps_.clear();
      pps_.append(nal);
      frame_pps_ = true;
      break;
    case h264_nal::kIdrSlice:
      frame_idr_ = true;
      frame_picture_ = true;
      break;
    case h264_nal::kSlice:
    case 2:  // data partitions A-C (Extended profile)
    case 3:
    case 4:
      frame_picture_ = true;
      break;
    default: break;
  }
}

base::Result<FrameInfo> H264Depacketizer::finish(base::Buffer& frame) {
  if (in_fragment_) return base::Error{base::ErrorCode::kMalformed, "the frame's last NAL unit lacks its FU-A end"};
  if (!frame_picture_) return base::Error{base::ErrorCode::kMalformed, "an H.264 frame without a slice"};
  const bool parameter_sets = !sps_.empty() && !pps_.empty();
  if (frame_idr_ && parameter_sets && (!frame_sps_ || !frame_pps_)) {
    scratch_.clear();
    if (!frame_sps_) {
      scratch_.append(kStartCode);
      scratch_.append(sps_.view());
    }
    if (!frame_pps_) {
      scratch_.append(kStartCode);
      scratch_.append(pps_.view());
    }
    scratch_.append(frame.view());
    std::swap(frame, scratch_);
  }
  return FrameInfo{frame_idr_ && parameter_sets, 0, 0};
}

}  // namespace rtcstack::media
