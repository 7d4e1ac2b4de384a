#include "media/rtp_packet.h"

#include <cstring>
#include <string>

#include "base/endian.h"

namespace rtcstack::media {
namespace {

constexpr std::uint8_t kOneByteReservedId = 15;  // RFC 8285 §4.2: stop parsing the block here

// RFC 8285 §4.2-4.3: id 0 is padding, one byte long whatever the rest of the byte says.
bool is_padding(std::uint8_t first, bool two_byte) { return two_byte ? first == 0 : first >> 4 == 0; }

bool is_two_byte(std::uint16_t profile) {
  return (profile & kTwoByteExtensionProfileMask) == kTwoByteExtensionProfile;
}

// Checks every element of an RFC 8285 block so that iteration needs no checks.
base::Result<void> validate_elements(base::ByteView block, bool two_byte) {
  std::size_t offset = 0;
  while (offset < block.size()) {
    const std::uint8_t first = block[offset];
    if (is_padding(first, two_byte)) {
      ++offset;
      continue;
    }
    std::size_t value_size = 0;
    std::size_t element_header = 1;
    if (two_byte) {
      if (offset + 2 > block.size()) {
        return base::Error{base::ErrorCode::kMalformed, "two-byte header extension element cut off after its id"};
      }
      value_size = block[offset + 1];
      element_header = 2;
    } else {
      if (first >> 4 == kOneByteReservedId) return {};
      value_size = (first & 0x0F) + 1u;
    }
    if (offset + element_header + value_size > block.size()) {
      return base::Error{base::ErrorCode::kMalformed, "header extension element " + std::to_string(two_byte ? first : first >> 4) +
                                                          " of " + std::to_string(value_size) +
                                                          " bytes runs past the extension block"};
    }
    offset += element_header + value_size;
  }
  return {};
}

bool fits_one_byte_form(std::span<const HeaderExtension> extensions) {
  for (const HeaderExtension& extension : extensions) {
    if (extension.id < 1 || extension.id > 14 || extension.value.empty() || extension.value.size() > 16) return false;
  }
  return true;
}

std::size_t extension_block_size(std::span<const HeaderExtension> extensions, bool one_byte) {
  std::size_t size = 0;
  for (const HeaderExtension& extension : extensions) size += (one_byte ? 1 : 2) + extension.value.size();
  return (size + 3) & ~std::size_t{3};
}

}  // namespace

HeaderExtensionIterator::HeaderExtensionIterator(base::ByteView block, bool two_byte)
    : block_(block), two_byte_(two_byte) {}

std::optional<HeaderExtension> HeaderExtensionIterator::next() {
  while (offset_ < block_.size() && is_padding(block_[offset_], two_byte_)) ++offset_;
  if (offset_ >= block_.size()) return std::nullopt;
  const std::uint8_t first = block_[offset_];
  HeaderExtension element;
  if (two_byte_) {
    element.id = first;
    element.value = block_.subspan(offset_ + 2, block_[offset_ + 1]);
    offset_ += 2 + element.value.size();
  } else {
    if (first >> 4 == kOneByteReservedId) {
      offset_ = block_.size();
      return std::nullopt;
    }
    element.id = first >> 4;
    element.value = block_.subspan(offset_ + 1, (first & 0x0F) + 1u);
    offset_ += 1 + element.value.size();
  }
  return element;
}

base::Result<RtpPacket> RtpPacket::parse(base::ByteView bytes) {
  if (bytes.size() < kRtpFixedHeaderSize) {
    return base::Error{base::ErrorCode::kTruncated,
                       "RTP packet of " + std::to_string(bytes.size()) + " bytes is shorter than the 12-byte header"};
  }
  if (bytes[0] >> 6 != 2) {
    return base::Error{base::ErrorCode::kMalformed, "RTP version " + std::to_string(bytes[0] >> 6) + " is not 2"};
  }
  RtpPacket packet;
  packet.bytes_ = bytes;
  std::size_t offset = kRtpFixedHeaderSize + 4 * packet.csrc_count();
  if (offset > bytes.size()) {
    return base::Error{base::ErrorCode::kTruncated,
                       "RTP CSRC count " + std::to_string(packet.csrc_count()) + " runs past the packet"};
  }
  if (packet.has_extension()) {
    if (offset + 4 > bytes.size()) {
      return base::Error{base::ErrorCode::kTruncated, "RTP extension header runs past the packet"};
    }
    packet.extension_profile_ = base::load_be16(bytes.data() + offset);
    const std::size_t block_size = 4 * std::size_t{base::load_be16(bytes.data() + offset + 2)};
    if (offset + 4 + block_size > bytes.size()) {
      return base::Error{base::ErrorCode::kTruncated,
                         "RTP extension length " + std::to_string(block_size) + " bytes runs past the packet"};
    }
    packet.extension_block_ = bytes.subspan(offset + 4, block_size);
    offset += 4 + block_size;
    if (packet.has_rfc8285_extensions()) {
      if (auto valid = validate_elements(packet.extension_block_, is_two_byte(packet.extension_profile_)); !valid) {
        return valid.error();
      }
    }
  }
  packet.header_size_ = offset;
  if (packet.has_padding()) {
    const std::size_t padding = bytes.back();
    if (padding == 0) return base::Error{base::ErrorCode::kMalformed, "RTP padding count is 0"};
    if (padding > bytes.size() - offset) {
      return base::Error{base::ErrorCode::kTruncated,
                         "RTP padding count " + std::to_string(padding) + " is longer than the payload"};
    }
    packet.padding_size_ = padding;
  }
  return packet;
}

std::uint16_t RtpPacket::sequence_number() const { return base::load_be16(bytes_.data() + 2); }
std::uint32_t RtpPacket::timestamp() const { return base::load_be32(bytes_.data() + 4); }
std::uint32_t RtpPacket::ssrc() const { return base::load_be32(bytes_.data() + 8); }

std::uint32_t RtpPacket::csrc(std::size_t index) const {
  return index < csrc_count() ? base::load_be32(bytes_.data() + kRtpFixedHeaderSize + 4 * index) : 0;
}

bool RtpPacket::has_rfc8285_extensions() const {
  return has_extension() && (extension_profile_ == kOneByteExtensionProfile || is_two_byte(extension_profile_));
}

HeaderExtensionIterator RtpPacket::extensions() const {
  if (!has_rfc8285_extensions()) return {};
  return HeaderExtensionIterator(extension_block_, is_two_byte(extension_profile_));
}

std::optional<base::ByteView> RtpPacket::extension(std::uint8_t id) const {
  HeaderExtensionIterator elements = extensions();
  while (auto element = elements.next()) {
    if (element->id == id) return element->value;
  }
  return std::nullopt;
}

std::size_t rtp_header_size(const RtpHeader& header) {
  std::size_t size = kRtpFixedHeaderSize + 4 * header.csrcs.size();
  if (!header.extensions.empty()) size += 4 + extension_block_size(header.extensions, fits_one_byte_form(header.extensions));
  return size;
}

base::Result<base::ByteView> write_rtp(const RtpHeader& header, base::ByteView payload, base::MutableByteView out,
                                       std::uint8_t padding) {
  if (header.csrcs.size() > kMaxCsrcs) {
    return base::Error{base::ErrorCode::kInvalidArgument, "an RTP packet carries at most 15 CSRCs"};
  }
  if (header.payload_type > 127) {
    return base::Error{base::ErrorCode::kInvalidArgument, "RTP payload type " + std::to_string(header.payload_type) + " is over 127"};
  }
  for (const HeaderExtension& extension : header.extensions) {
    if (extension.id == 0 || extension.value.size() > 255) {
      return base::Error{base::ErrorCode::kInvalidArgument,
                         "header extension id " + std::to_string(extension.id) + " with " +
                             std::to_string(extension.value.size()) + " bytes cannot be written (ids 1-255, values up to 255 bytes)"};
    }
  }
  const std::size_t header_size = rtp_header_size(header);
  const std::size_t total = header_size + payload.size() + padding;
  if (total > out.size()) {
    return base::Error{base::ErrorCode::kResourceExhausted, "RTP packet of " + std::to_string(total) +
                                                                " bytes does not fit the " + std::to_string(out.size()) +
                                                                "-byte buffer"};
  }
  // The payload first: it may sit where the header goes if the caller placed it late.
  if (!payload.empty()) std::memmove(out.data() + header_size, payload.data(), payload.size());
  std::uint8_t* p = out.data();
  p[0] = static_cast<std::uint8_t>(0x80 | (padding ? 0x20 : 0) | (header.extensions.empty() ? 0 : 0x10) |
                                   header.csrcs.size());
  p[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0) | header.payload_type);
  base::store_be16(p + 2, header.sequence_number);
  base::store_be32(p + 4, header.timestamp);
  base::store_be32(p + 8, header.ssrc);
  p += kRtpFixedHeaderSize;
  for (std::uint32_t csrc : header.csrcs) {
    base::store_be32(p, csrc);
    p += 4;
  }
  if (!header.extensions.empty()) {
    const bool one_byte = fits_one_byte_form(header.extensions);
    const std::size_t block_size = extension_block_size(header.extensions, one_byte);
    base::store_be16(p, one_byte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
    base::store_be16(p + 2, static_cast<std::uint16_t>(block_size / 4));
    std::uint8_t* element = p + 4;
    for (const HeaderExtension& extension : header.extensions) {
      if (one_byte) {
        *element++ = static_cast<std::uint8_t>(extension.id << 4 | (extension.value.size() - 1));
      } else {
        *element++ = extension.id;
        *element++ = static_cast<std::uint8_t>(extension.value.size());
      }
      if (!extension.value.empty()) std::memcpy(element, extension.value.data(), extension.value.size());
      element += extension.value.size();
    }
    std::memset(element, 0, static_cast<std::size_t>(p + 4 + block_size - element));
  }
  if (padding) {
    std::uint8_t* pad = out.data() + header_size + payload.size();
    std::memset(pad, 0, padding - 1u);
    pad[padding - 1] = padding;
  }
  return base::ByteView(out.data(), total);
}

}  // namespace rtcstack::media
