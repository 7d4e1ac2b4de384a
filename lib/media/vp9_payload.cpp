#include "media/vp9_payload.h"

#include <algorithm>
#include <cstring>

namespace rtcstack::media {
namespace {

constexpr std::uint8_t kI = 0x80, kP = 0x40, kL = 0x20, kF = 0x10, kB = 0x08, kE = 0x04, kV = 0x02, kZ = 0x01;

base::Error truncated(const char* what) {
  return base::Error{base::ErrorCode::kTruncated, std::string("VP9 payload descriptor ends inside its ") + what};
}

base::Result<Vp9ScalabilityStructure> parse_scalability(base::ByteView payload, std::size_t& offset) {
  if (offset >= payload.size()) return truncated("scalability structure");
  Vp9ScalabilityStructure ss;
  const std::uint8_t head = payload[offset++];
  ss.spatial_layers = static_cast<std::uint8_t>((head >> 5) + 1);
  ss.has_sizes = (head & 0x10) != 0;
  ss.has_groups = (head & 0x08) != 0;
  if (ss.has_sizes) {
    if (offset + 4u * ss.spatial_layers > payload.size()) return truncated("layer sizes");
    for (std::size_t i = 0; i < ss.spatial_layers; ++i) {
      ss.widths[i] = static_cast<std::uint16_t>(payload[offset] << 8 | payload[offset + 1]);
      ss.heights[i] = static_cast<std::uint16_t>(payload[offset + 2] << 8 | payload[offset + 3]);
      offset += 4;
    }
  }
  if (ss.has_groups) {
    if (offset >= payload.size()) return truncated("picture group count");
    ss.group_count = payload[offset++];
    if (ss.group_count > Vp9ScalabilityStructure::kMaxPictureGroups) {
      return base::Error{base::ErrorCode::kUnsupported, "VP9 scalability structure with more than 64 picture groups"};
    }
    for (std::size_t g = 0; g < ss.group_count; ++g) {
      if (offset >= payload.size()) return truncated("picture group");
      auto& group = ss.groups[g];
      const std::uint8_t byte = payload[offset++];
      group.temporal_id = static_cast<std::uint8_t>(byte >> 5);
      group.switching_up = (byte & 0x10) != 0;
      group.reference_count = static_cast<std::uint8_t>((byte >> 2) & 0x03);
      if (offset + group.reference_count > payload.size()) return truncated("picture group references");
      for (std::size_t r = 0; r < group.reference_count; ++r) group.differences[r] = payload[offset++];
    }
  }
  return ss;
}

std::size_t scalability_size(const Vp9ScalabilityStructure& ss) {
  std::size_t size = 1 + (ss.has_sizes ? 4u * ss.spatial_layers : 0);
  if (ss.has_groups) {
    size += 1;
    for (std::size_t g = 0; g < ss.group_count; ++g) size += 1 + ss.groups[g].reference_count;
  }
  return size;
}

// Reads the uncompressed header most significant bit first.
class BitReader {
 public:
  explicit BitReader(base::ByteView bytes) : bytes_(bytes) {}
  std::optional<std::uint32_t> read(int bits) {
    std::uint32_t value = 0;
    for (int i = 0; i < bits; ++i) {
      if (position_ >= bytes_.size() * 8) return std::nullopt;
      value = value << 1 | ((bytes_[position_ / 8] >> (7 - position_ % 8)) & 1);
      ++position_;
    }
    return value;
  }

 private:
  base::ByteView bytes_;
  std::size_t position_ = 0;
};

}  // namespace

base::Result<Vp9PayloadView> parse_vp9_payload(base::ByteView payload) {
  if (payload.empty()) return base::Error{base::ErrorCode::kTruncated, "an empty VP9 payload"};
  Vp9PayloadView view;
  Vp9Descriptor& d = view.descriptor;
  const std::uint8_t head = payload[0];
  d.inter_predicted = head & kP;
  d.flexible = head & kF;
  d.begins_frame = head & kB;
  d.ends_frame = head & kE;
  d.not_upswitch_reference = head & kZ;
  std::size_t offset = 1;
  if (head & kI) {
    if (offset >= payload.size()) return truncated("picture id");
    d.long_picture_id = (payload[offset] & 0x80) != 0;
    if (d.long_picture_id) {
      if (offset + 2 > payload.size()) return truncated("15-bit picture id");
      d.picture_id = static_cast<std::uint16_t>((payload[offset] & 0x7F) << 8 | payload[offset + 1]);
      offset += 2;
    } else {
      d.picture_id = payload[offset++] & 0x7F;
    }
  }
  if (head & kL) {
    if (offset >= payload.size()) return truncated("layer indices");
    const std::uint8_t byte = payload[offset++];
    Vp9Descriptor::Layers layers;
    layers.temporal_id = static_cast<std::uint8_t>(byte >> 5);
    layers.switching_up = (byte & 0x10) != 0;
    layers.spatial_id = static_cast<std::uint8_t>((byte >> 1) & 0x07);
    layers.inter_layer_dependency = (byte & 0x01) != 0;
    if (!d.flexible) {
      if (offset >= payload.size()) return truncated("TL0PICIDX");
      layers.tl0_pic_index = payload[offset++];
    }
    d.layers = layers;
  }
  if (d.flexible && d.inter_predicted) {
    bool more = true;
    while (more) {
      if (offset >= payload.size()) return truncated("reference indices");
      if (d.reference_count == 3) return base::Error{base::ErrorCode::kMalformed, "VP9 picture with more than 3 references"};
      const std::uint8_t byte = payload[offset++];
      if ((byte >> 1) == 0) return base::Error{base::ErrorCode::kMalformed, "VP9 reference to itself (P_DIFF 0)"};
      d.reference_differences[d.reference_count++] = static_cast<std::uint8_t>(byte >> 1);
      more = (byte & 0x01) != 0;
    }
  }
  if (head & kV) {
    auto ss = parse_scalability(payload, offset);
    if (!ss) return ss.error();
    d.scalability = *ss;
  }
  view.data = payload.subspan(offset);
  return view;
}

std::size_t vp9_descriptor_size(const Vp9Descriptor& d) {
  std::size_t size = 1;
  if (d.picture_id) size += d.long_picture_id ? 2 : 1;
  if (d.layers) size += d.flexible ? 1 : 2;
  if (d.flexible && d.inter_predicted) size += d.reference_count;
  if (d.scalability) size += scalability_size(*d.scalability);
  return size;
}

void write_vp9_descriptor(const Vp9Descriptor& d, base::MutableByteView out) {
  std::size_t offset = 1;
  out[0] = static_cast<std::uint8_t>((d.picture_id ? kI : 0) | (d.inter_predicted ? kP : 0) | (d.layers ? kL : 0) |
                                     (d.flexible ? kF : 0) | (d.begins_frame ? kB : 0) | (d.ends_frame ? kE : 0) |
                                     (d.scalability ? kV : 0) | (d.not_upswitch_reference ? kZ : 0));
  if (d.picture_id) {
    if (d.long_picture_id) {
      out[offset++] = static_cast<std::uint8_t>(0x80 | ((*d.picture_id >> 8) & 0x7F));
      out[offset++] = static_cast<std::uint8_t>(*d.picture_id);
    } else {
      out[offset++] = static_cast<std::uint8_t>(*d.picture_id & 0x7F);
    }
  }
  if (d.layers) {
    const auto& l = *d.layers;
    out[offset++] = static_cast<std::uint8_t>((l.temporal_id & 0x07) << 5 | (l.switching_up ? 0x10 : 0) |
                                              (l.spatial_id & 0x07) << 1 | (l.inter_layer_dependency ? 1 : 0));
    if (!d.flexible) out[offset++] = l.tl0_pic_index.value_or(0);
  }
  if (d.flexible && d.inter_predicted) {
    for (std::size_t r = 0; r < d.reference_count; ++r) {
      out[offset++] = static_cast<std::uint8_t>(d.reference_differences[r] << 1 | (r + 1 < d.reference_count ? 1 : 0));
    }
  }
  if (d.scalability) {
    const auto& ss = *d.scalability;
    out[offset++] = static_cast<std::uint8_t>(((ss.spatial_layers - 1) & 0x07) << 5 | (ss.has_sizes ? 0x10 : 0) |
                                              (ss.has_groups ? 0x08 : 0));
    if (ss.has_sizes) {
      for (std::size_t i = 0; i < ss.spatial_layers; ++i) {
        out[offset++] = static_cast<std::uint8_t>(ss.widths[i] >> 8);
        out[offset++] = static_cast<std::uint8_t>(ss.widths[i]);
        out[offset++] = static_cast<std::uint8_t>(ss.heights[i] >> 8);
        out[offset++] = static_cast<std::uint8_t>(ss.heights[i]);
      }
    }
    if (ss.has_groups) {
      out[offset++] = ss.group_count;
      for (std::size_t g = 0; g < ss.group_count; ++g) {
        const auto& group = ss.groups[g];
        out[offset++] = static_cast<std::uint8_t>((group.temporal_id & 0x07) << 5 | (group.switching_up ? 0x10 : 0) |
                                                  (group.reference_count & 0x03) << 2);
        for (std::size_t r = 0; r < group.reference_count; ++r) out[offset++] = group.differences[r];
      }
    }
  }
}

base::Result<Vp9FrameHeader> parse_vp9_frame_header(base::ByteView frame) {
  BitReader bits(frame);
  // Built only when needed: every frame's header is read, and most parse.
  const auto short_frame = [] { return base::Error{base::ErrorCode::kTruncated, "VP9 frame shorter than its uncompressed header"}; };
  const auto marker = bits.read(2);
  if (!marker) return short_frame();
  if (*marker != 2) return base::Error{base::ErrorCode::kMalformed, "VP9 frame without its frame marker"};
  Vp9FrameHeader header;
  const auto low = bits.read(1), high = bits.read(1);
  if (!low || !high) return short_frame();
  header.profile = static_cast<std::uint8_t>(*high << 1 | *low);
  if (header.profile == 3 && !bits.read(1)) return short_frame();  // reserved_zero
  const auto show_existing = bits.read(1);
  if (!show_existing) return short_frame();
  header.show_existing_frame = *show_existing != 0;
  if (header.show_existing_frame) return header;
  const auto frame_type = bits.read(1), show_frame = bits.read(1), error_resilient = bits.read(1);
  if (!frame_type || !show_frame || !error_resilient) return short_frame();
  header.key_frame = *frame_type == 0;
  if (!header.key_frame) return header;
  const auto sync = bits.read(24);
  if (!sync) return short_frame();
  if (*sync != 0x498342) return base::Error{base::ErrorCode::kMalformed, "VP9 key frame without the sync code 49 83 42"};
  if (header.profile >= 2 && !bits.read(1)) return short_frame();  // ten_or_twelve_bit
  const auto color_space = bits.read(3);
  if (!color_space) return short_frame();
  const bool subsampling_bits = header.profile == 1 || header.profile == 3;
  if (*color_space != 7) {  // not sRGB: color_range, then subsampling in profiles 1 and 3
    if (!bits.read(1) || (subsampling_bits && !bits.read(3))) return short_frame();
  } else if (subsampling_bits && !bits.read(1)) {
    return short_frame();
  }
  const auto width = bits.read(16), height = bits.read(16);
  if (!width || !height) return short_frame();
  header.width = static_cast<std::uint16_t>(*width + 1);
  header.height = static_cast<std::uint16_t>(*height + 1);
  return header;
}

base::Result<void> Vp9Packetizer::start(base::ByteView frame, bool /*key_frame*/, std::size_t max_payload) {
  if (frame.empty()) return base::Error{base::ErrorCode::kInvalidArgument, "an empty VP9 frame"};
  const auto header = parse_vp9_frame_header(frame);
  if (!header) return base::Error{base::ErrorCode::kInvalidArgument, "not a VP9 frame: " + header.error().message};
  descriptor_ = Vp9Descriptor{};
  descriptor_.picture_id = picture_id_;
  descriptor_.inter_predicted = !header->key_frame;
  if (header->key_frame) {
    // Receivers learn the picture's size (and that there is one spatial layer) here.
    Vp9ScalabilityStructure ss;
    ss.has_sizes = true;
    ss.widths[0] = header->width;
    ss.heights[0] = header->height;
    descriptor_.scalability = ss;
  }
  descriptor_.begins_frame = descriptor_.ends_frame = true;  // the largest the descriptor gets
  const std::size_t overhead = vp9_descriptor_size(descriptor_);
  if (max_payload <= overhead) {
    return base::Error{base::ErrorCode::kInvalidArgument, "a VP9 payload needs room for its descriptor and a byte"};
  }
  frame_ = frame;
  max_payload_ = max_payload;
  offset_ = sent_ = 0;
  const std::size_t room = max_payload - overhead;
  packets_ = (frame.size() + room - 1) / room;
  picture_id_ = static_cast<std::uint16_t>((picture_id_ + 1) & 0x7FFF);
  return {};
}

std::optional<base::ByteView> Vp9Packetizer::next(base::MutableByteView out) {
  if (offset_ >= frame_.size()) return std::nullopt;
  // Spread the bytes left over the packets left, so every packet carries about as much.
  const std::size_t left = packets_ - sent_;
  const std::size_t take = (frame_.size() - offset_ + left - 1) / left;
  Vp9Descriptor descriptor = descriptor_;
  descriptor.begins_frame = offset_ == 0;
  descriptor.ends_frame = offset_ + take == frame_.size();
  if (offset_ != 0) descriptor.scalability.reset();  // in the first packet only
  const std::size_t overhead = vp9_descriptor_size(descriptor);
  write_vp9_descriptor(descriptor, out);
  std::memcpy(out.data() + overhead, frame_.data() + offset_, take);
  offset_ += take;
  ++sent_;
  return base::ByteView(out.data(), overhead + take);
}

base::Result<FrameStart> Vp9Depacketizer::frame_start(base::ByteView payload) {
  auto parsed = parse_vp9_payload(payload);
  if (!parsed) return parsed.error();
  return parsed->descriptor.starts_picture() ? FrameStart::kStarts : FrameStart::kContinues;
}

void Vp9Depacketizer::begin_frame() {
  layer_count_ = 0;
  in_layer_ = false;
  width_ = height_ = 0;
}

base::Result<void> Vp9Depacketizer::append(base::ByteView payload, base::Buffer& frame) {
  auto parsed = parse_vp9_payload(payload);
  if (!parsed) return parsed.error();
  const Vp9Descriptor& d = parsed->descriptor;
  if (d.begins_frame) {
    if (layer_count_ == layer_starts_.size()) {
      return base::Error{base::ErrorCode::kMalformed, "a VP9 picture of more than 8 layer frames"};
    }
    layer_starts_[layer_count_++] = frame.size();
    in_layer_ = true;
  } else if (!in_layer_) {
    return base::Error{base::ErrorCode::kMalformed, "a VP9 packet continuing a layer frame that never began"};
  }
  if (d.scalability && d.scalability->has_sizes) {
    width_ = d.scalability->widths[d.scalability->spatial_layers - 1];
    height_ = d.scalability->heights[d.scalability->spatial_layers - 1];
  }
  frame.append(parsed->data);
  if (d.ends_frame) in_layer_ = false;
  return {};
}

base::Result<FrameInfo> Vp9Depacketizer::finish(base::Buffer& frame) {
  if (layer_count_ == 0) return base::Error{base::ErrorCode::kMalformed, "a VP9 picture without a layer frame"};
  const std::size_t first_end = layer_count_ > 1 ? layer_starts_[1] : frame.size();
  const auto header = parse_vp9_frame_header(frame.view().subspan(0, first_end));
  if (!header) return header.error();
  if (layer_count_ > 1) {
    // VP9 Annex B: the layer frames' sizes after them, between two marker bytes saying
    // how many frames and how many bytes a size takes.
    std::size_t largest = 0;
    for (std::size_t i = 0; i < layer_count_; ++i) {
      const std::size_t end = i + 1 < layer_count_ ? layer_starts_[i + 1] : frame.size();
      if (end == layer_starts_[i]) return base::Error{base::ErrorCode::kMalformed, "an empty VP9 layer frame"};
      largest = std::max(largest, end - layer_starts_[i]);
    }
    const std::size_t size_bytes = largest < (1u << 8) ? 1 : largest < (1u << 16) ? 2 : largest < (1u << 24) ? 3 : 4;
    const auto index_marker = static_cast<std::uint8_t>(0xC0 | (size_bytes - 1) << 3 | (layer_count_ - 1));
    const std::size_t data_end = frame.size();
    frame.push_back(index_marker);
    for (std::size_t i = 0; i < layer_count_; ++i) {
      const std::size_t size = (i + 1 < layer_count_ ? layer_starts_[i + 1] : data_end) - layer_starts_[i];
      for (std::size_t b = 0; b < size_bytes; ++b) frame.push_back(static_cast<std::uint8_t>(size >> (8 * b)));
    }
    frame.push_back(index_marker);
  }
  FrameInfo info;
  info.key_frame = header->key_frame;
  info.width = width_ ? width_ : header->width;
  info.height = height_ ? height_ : header->height;
  return info;
}

}  // namespace rtcstack::media
