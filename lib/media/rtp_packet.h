// RTP packets (RFC 3550 §5.1) with RFC 8285 header extensions: a validated zero-copy view
// for receiving, and a writer into caller buffers for sending. Neither allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::media {

inline constexpr std::size_t kRtpFixedHeaderSize = 12;
inline constexpr std::size_t kMaxCsrcs = 15;
/// "defined by profile" values of the extension header that mark RFC 8285 extensions.
inline constexpr std::uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr std::uint16_t kTwoByteExtensionProfileMask = 0xFFF0;
inline constexpr std::uint16_t kTwoByteExtensionProfile = 0x1000;

/// One RFC 8285 header extension element: its local id (from a=extmap) and its value.
struct HeaderExtension {
  std::uint8_t id = 0;
  base::ByteView value;
};

/// Walks the elements of an RFC 8285 extension block (one-byte or two-byte form),
/// skipping padding. Built by RtpPacket, whose parse() validated the block, so iteration
/// cannot fail.
class HeaderExtensionIterator {
 public:
  HeaderExtensionIterator() = default;
  HeaderExtensionIterator(base::ByteView block, bool two_byte);
  /// The next element, or nothing at the end of the block.
  std::optional<HeaderExtension> next();

 private:
  base::ByteView block_;
  std::size_t offset_ = 0;
  bool two_byte_ = false;
};

/// A view of one RTP packet over the caller's bytes. parse() checks everything a getter
/// relies on (version, CSRC list, extension block and its RFC 8285 elements, padding), so
/// getters cannot fail and never read past the packet.
class RtpPacket {
 public:
  /// kTruncated: a length field (CSRC count, extension length, padding count) points past
  /// the end. kMalformed: version is not 2, an RFC 8285 element overruns its block, or
  /// a padding count of zero.
  static base::Result<RtpPacket> parse(base::ByteView bytes);

  bool has_padding() const { return (bytes_[0] & 0x20) != 0; }
  bool marker() const { return (bytes_[1] & 0x80) != 0; }
  std::uint8_t payload_type() const { return bytes_[1] & 0x7F; }
  std::uint16_t sequence_number() const;
  std::uint32_t timestamp() const;
  std::uint32_t ssrc() const;
  std::size_t csrc_count() const { return bytes_[0] & 0x0F; }
  std::uint32_t csrc(std::size_t index) const;

  /// True when the X bit is set (an extension block follows the CSRCs).
  bool has_extension() const { return (bytes_[0] & 0x10) != 0; }
  /// The extension header's "defined by profile" value (0xBEDE for one-byte elements).
  std::uint16_t extension_profile() const { return extension_profile_; }
  /// The extension block without its 4-byte header.
  base::ByteView extension_block() const { return extension_block_; }
  /// True when the block holds RFC 8285 elements (one-byte or two-byte form).
  bool has_rfc8285_extensions() const;
  /// Every RFC 8285 element in order; empty for other profiles.
  HeaderExtensionIterator extensions() const;
  /// The value of element `id` (1-255), if present.
  std::optional<base::ByteView> extension(std::uint8_t id) const;

  /// Everything before the payload: fixed header, CSRCs, extension block.
  base::ByteView header() const { return bytes_.first(header_size_); }
  std::size_t header_size() const { return header_size_; }
  /// The payload without padding.
  base::ByteView payload() const { return bytes_.subspan(header_size_, bytes_.size() - header_size_ - padding_size_); }
  std::size_t padding_size() const { return padding_size_; }
  /// The whole packet as given to parse().
  base::ByteView bytes() const { return bytes_; }

 private:
  base::ByteView bytes_;
  base::ByteView extension_block_;
  std::size_t header_size_ = 0;
  std::size_t padding_size_ = 0;
  std::uint16_t extension_profile_ = 0;
};

/// What a sent packet's header says. The extension values are views the caller keeps
/// alive until write_rtp() returns.
struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence_number = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::span<const std::uint32_t> csrcs;  ///< at most 15
  std::span<const HeaderExtension> extensions;  ///< RFC 8285 elements, written in this order
};

/// Header bytes write_rtp() produces for `header` (fixed part, CSRCs, extension block with
/// its padding). Elements use the one-byte form when every id is 1-14 and every value is
/// 1-16 bytes, the two-byte form otherwise.
std::size_t rtp_header_size(const RtpHeader& header);

/// Writes the header and then `payload` into `out`, adding `padding` bytes of RTP
/// padding (0-255; the last holds the count) and returns the packet, a prefix of `out`.
/// kInvalidArgument: more than 15 CSRCs, an extension id 0, a value over 255 bytes, a
/// payload type over 127.
/// kResourceExhausted: `out` is too small. `payload` may already lie at its place in
/// `out` (right after the header), so a packetizer can write it there first.
base::Result<base::ByteView> write_rtp(const RtpHeader& header, base::ByteView payload, base::MutableByteView out,
                                       std::uint8_t padding = 0);

}  // namespace rtcstack::media
