// The STUN message type: a 12-bit method interleaved with a 2-bit class in the first 14
// bits of the header (RFC 8489 §5), and the methods STUN, ICE and TURN use.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtcstack::stun {

enum class StunClass : std::uint8_t {
  kRequest = 0b00,
  kIndication = 0b01,
  kSuccessResponse = 0b10,
  kErrorResponse = 0b11,
};

/// Methods as 12-bit values; any other value up to 0xfff is representable too.
enum class StunMethod : std::uint16_t {
  kBinding = 0x001,           // RFC 8489
  kAllocate = 0x003,          // RFC 8656 (TURN)
  kRefresh = 0x004,
  kSend = 0x006,
  kData = 0x007,
  kCreatePermission = 0x008,
  kChannelBind = 0x009,
};

struct MessageType {
  StunMethod method;
  StunClass cls;

  friend bool operator==(const MessageType&, const MessageType&) = default;
};

/// The 14-bit wire value (M11..M7 C1 M6..M4 C0 M3..M0). The method must fit 12 bits.
constexpr std::uint16_t encode_message_type(MessageType type) {
  const auto m = static_cast<std::uint16_t>(type.method);
  const auto c = static_cast<std::uint16_t>(type.cls);
  return static_cast<std::uint16_t>((m & 0x000f) | (m & 0x0070) << 1 | (m & 0x0f80) << 2 |
                                    (c & 0b01) << 4 | (c & 0b10) << 7);
}

/// Inverse of encode_message_type for any 14-bit value.
constexpr MessageType decode_message_type(std::uint16_t wire) {
  const auto method = static_cast<std::uint16_t>((wire & 0x000f) | (wire & 0x00e0) >> 1 |
                                                 (wire & 0x3e00) >> 2);
  const auto cls = static_cast<std::uint8_t>((wire >> 4 & 0b01) | (wire >> 7 & 0b10));
  return {static_cast<StunMethod>(method), static_cast<StunClass>(cls)};
}

/// "Binding", "Allocate", ... or "0x0ab" for methods without a name.
std::string_view to_string(StunMethod method);
/// "request", "indication", "success response", "error response".
std::string_view to_string(StunClass cls);

}  // namespace rtcstack::stun
