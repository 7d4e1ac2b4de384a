// Telling STUN and TURN ChannelData apart from the other protocols that share a WebRTC
// socket (RFC 7983 §7: first byte 0-3 STUN, 20-63 DTLS, 64-79 TURN channel, 128-191
// RTP/RTCP). These are cheap classifiers for the demultiplexer; the parsers still decide.
#pragma once

#include "base/bytes.h"
#include "base/endian.h"
#include "stun/attributes.h"
#include "stun/message.h"

namespace rtcstack::stun {

/// True for a datagram that can be a STUN message: first byte 0-3, at least a header,
/// the magic cookie at offset 4 and a length field that is a multiple of 4 and fits.
inline bool looks_like_stun(base::ByteView datagram) {
  return datagram.size() >= kHeaderSize && datagram[0] <= 3 &&
         base::load_be32(datagram.data() + 4) == kMagicCookie &&
         (datagram[3] & 0x03) == 0 &&
         kHeaderSize + base::load_be16(datagram.data() + 2) <= datagram.size();
}

/// True for a datagram whose first byte is in the TURN channel range (64-79).
inline bool looks_like_channel_data(base::ByteView datagram) {
  return datagram.size() >= 4 && datagram[0] >= 64 && datagram[0] <= 79;
}

}  // namespace rtcstack::stun
