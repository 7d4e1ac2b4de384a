// The media direction of an m-section (RFC 8866 §6.7), which W3C calls
// RTCRtpTransceiverDirection (without its "stopped").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rtcstack::sdp {

/// Media direction attributes (RFC 8866 §6.7).
enum class Direction : std::uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };
/// The direction named by an attribute name ("sendrecv", ...), if it is one.
std::optional<Direction> direction_from_name(std::string_view name);
std::string_view to_string(Direction direction);
/// Whether the side that wrote `direction` sends media (sendrecv, sendonly).
constexpr bool sends(Direction direction) { return direction == Direction::kSendRecv || direction == Direction::kSendOnly; }
/// Whether it receives media (sendrecv, recvonly).
constexpr bool receives(Direction direction) {
  return direction == Direction::kSendRecv || direction == Direction::kRecvOnly;
}

}  // namespace rtcstack::sdp
