// TURN ChannelData messages (RFC 8656 §12.4): a 4-byte header (channel number, length)
// and the application data, the cheap framing once a channel is bound. Over UDP the
// padding to a multiple of 4 is optional for senders and must be accepted by receivers;
// over TCP/TLS it is required.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace rtcstack::stun {

/// Channel numbers a client may bind (RFC 8656 §12).
inline constexpr std::uint16_t kMinChannelNumber = 0x4000;
inline constexpr std::uint16_t kMaxChannelNumber = 0x4FFF;
inline constexpr std::size_t kChannelDataHeaderSize = 4;

struct ChannelData {
  std::uint16_t channel;
  base::ByteView data;  ///< a view into the parsed bytes
};

/// Parses a ChannelData message that fills `datagram`, allowing up to 3 padding bytes
/// after the data. Errors: kTruncated (header or data cut short), kMalformed (channel
/// number outside 0x4000-0x4FFF, more than 3 trailing bytes).
base::Result<ChannelData> parse_channel_data(base::ByteView datagram);

/// Size of a ChannelData message carrying `data_size` bytes, with or without padding.
constexpr std::size_t channel_data_size(std::size_t data_size, bool pad) {
  return kChannelDataHeaderSize + (pad ? (data_size + 3) & ~std::size_t{3} : data_size);
}

/// Writes a ChannelData message into `out` (padding bytes zero). Errors:
/// kInvalidArgument (channel outside the range, data over 65535 bytes),
/// kResourceExhausted (`out` too small).
base::Result<base::ByteView> write_channel_data(base::MutableByteView out, std::uint16_t channel,
                                                base::ByteView data, bool pad);

}  // namespace rtcstack::stun
