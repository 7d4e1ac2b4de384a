// RFC 7983 §7: what a datagram on the selected ICE pair carries, by its first byte.
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace rtcstack::pc {

enum class PacketKind : std::uint8_t { kStun, kDtls, kRtp, kUnknown };

/// 0-3 STUN, 20-63 DTLS, 128-191 RTP and RTCP; everything else (ZRTP 16-19, TURN
/// channels 64-79, which the ICE agent has already unwrapped) is unknown here.
inline PacketKind classify(base::ByteView datagram) {
  if (datagram.empty()) return PacketKind::kUnknown;
  const std::uint8_t first = datagram[0];
  if (first <= 3) return PacketKind::kStun;
  if (first >= 20 && first <= 63) return PacketKind::kDtls;
  if (first >= 128 && first <= 191) return PacketKind::kRtp;
  return PacketKind::kUnknown;
}

}  // namespace rtcstack::pc
