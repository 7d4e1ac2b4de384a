// What a data channel is opened with and the states it goes through (W3C
// RTCDataChannelInit, RTCDataChannelState): the vocabulary of lib/pc's data-channel API,
// kept apart from the association so that naming a channel costs no SCTP machinery.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtcstack::sctp {

/// W3C RTCDataChannelState.
enum class ChannelState : std::uint8_t { kConnecting, kOpen, kClosing, kClosed };
std::string_view to_string(ChannelState state);

/// W3C RTCDataChannelInit.
struct ChannelInit {
  std::string label;
  std::string protocol;
  bool ordered = true;
  std::optional<std::uint16_t> max_retransmits;       ///< partial reliability by count (SCTP_PR_SCTP_RTX)
  std::optional<std::uint32_t> max_packet_lifetime;   ///< partial reliability in ms (SCTP_PR_SCTP_TTL)
  bool negotiated = false;                            ///< both sides create it with the same id; no DCEP
  std::optional<std::uint16_t> id;                    ///< required when negotiated; chosen otherwise
  std::uint16_t priority = 256;                       ///< DCEP priority (RFC 8832 §5.1)
};

/// SCTP streams offered each way unless configured otherwise (Config::streams).
inline constexpr std::uint16_t kDefaultStreams = 256;

}  // namespace rtcstack::sctp
