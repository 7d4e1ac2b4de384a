#include "stun/channel_data.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "base/endian.h"

namespace rtcstack::stun {

using base::ErrorCode;

base::Result<ChannelData> parse_channel_data(base::ByteView datagram) {
  if (datagram.size() < kChannelDataHeaderSize) {
    return base::make_error(ErrorCode::kTruncated, "ChannelData: " + std::to_string(datagram.size()) +
                                                       " bytes, shorter than the 4-byte header");
  }
  const std::uint16_t channel = base::load_be16(datagram.data());
  if (channel < kMinChannelNumber || channel > kMaxChannelNumber) {
    return base::make_error(ErrorCode::kMalformed, "ChannelData: channel number " +
                                                       std::to_string(channel) +
                                                       " is outside 0x4000-0x4FFF");
  }
  const std::size_t length = base::load_be16(datagram.data() + 2);
  const std::size_t available = datagram.size() - kChannelDataHeaderSize;
  if (length > available) {
    return base::make_error(ErrorCode::kTruncated, "ChannelData: length " + std::to_string(length) +
                                                       ", only " + std::to_string(available) +
                                                       " bytes follow");
  }
  if (available - length > 3) {
    return base::make_error(ErrorCode::kMalformed, "ChannelData: " + std::to_string(available - length) +
                                                       " bytes after the data, more than padding");
  }
  return ChannelData{channel, datagram.subspan(kChannelDataHeaderSize, length)};
}

base::Result<base::ByteView> write_channel_data(base::MutableByteView out, std::uint16_t channel,
                                                base::ByteView data, bool pad) {
  if (channel < kMinChannelNumber || channel > kMaxChannelNumber) {
    return base::make_error(ErrorCode::kInvalidArgument, "ChannelData: channel number " +
                                                             std::to_string(channel) +
                                                             " is outside 0x4000-0x4FFF");
  }
  if (data.size() > 0xffff) {
    return base::make_error(ErrorCode::kInvalidArgument, "ChannelData: data of " +
                                                             std::to_string(data.size()) +
                                                             " bytes exceeds 65535");
  }
  const std::size_t size = channel_data_size(data.size(), pad);
  if (size > out.size()) {
    return base::make_error(ErrorCode::kResourceExhausted, "ChannelData: needs " + std::to_string(size) +
                                                               " bytes, the buffer has " +
                                                               std::to_string(out.size()));
  }
  base::store_be16(out.data(), channel);
  base::store_be16(out.data() + 2, static_cast<std::uint16_t>(data.size()));
  if (!data.empty()) std::memcpy(out.data() + kChannelDataHeaderSize, data.data(), data.size());
  std::fill(out.data() + kChannelDataHeaderSize + data.size(), out.data() + size, 0);
  return base::ByteView(out.first(size));
}

}  // namespace rtcstack::stun
