// What a datagram on a WebRTC socket carries, by its first byte (RFC 7983 §7): 0-3 STUN,
// 16-19 ZRTP, 20-63 DTLS, 64-79 TURN ChannelData, 128-191 RTP and RTCP. The one place
// every layer asks (ICE for STUN and TURN, the PeerConnection for DTLS and SRTP). These
// are cheap classifiers for the demultiplexer; the parsers still decide.
#pragma once

#include "base/bytes.h"
#include "base/endian.h"
#include "stun/attributes.h"
#include "stun/message.h"

namespace rtcstack::stun {

enum class PacketKind : std::uint8_t { kStun, kZrtp, kDtls, kChannelData, kRtp, kUnknown };

/// The RFC 7983 §7 range the first byte falls in (kUnknown for an empty datagram and the
/// unassigned ranges).
constexpr PacketKind classify(base::ByteView datagram) {
  if (datagram.empty()) return PacketKind::kUnknown;
  const std::uint8_t first = datagram[0];
  if (first <= 3) return PacketKind::kStun;
  if (first >= 16 && first <= 19) return PacketKind::kZrtp;
  if (first >= 20 && first <= 63) return PacketKind::kDtls;
  if (first >= 64 && first <= 79) return PacketKind::kChannelData;
  if (first >= 128 && first <= 191) return PacketKind::kRtp;
  return PacketKind::kUnknown;
}

/// True for a datagram that can be a STUN message: first byte 0-3, at least a header,
/// the magic cookie at offset 4 and a length field that is a multiple of 4 and fits.
inline bool looks_like_stun(base::ByteView datagram) {
  return datagram.size() >= kHeaderSize && classify(datagram) == PacketKind::kStun &&
         base::load_be32(datagram.data() + 4) == kMagicCookie &&
         (datagram[3] & 0x03) == 0 &&
         kHeaderSize + base::load_be16(datagram.data() + 2) <= datagram.size();
}

/// True for a datagram whose first byte is in the TURN channel range (64-79).
inline bool looks_like_channel_data(base::ByteView datagram) {
  return datagram.size() >= 4 && classify(datagram) == PacketKind::kChannelData;
}

}  // namespace rtcstack::stun
