// The W3C state names of a PeerConnection (DESIGN.md §3) that the ICE layer does not
// already define, and the description types of JSEP (RFC 8829 §4.1.8).
#pragma once

#include <cstdint>
#include <string_view>

namespace rtcstack::pc {

/// RTCSignalingState.
enum class SignalingState : std::uint8_t {
  kStable,
  kHaveLocalOffer,
  kHaveRemoteOffer,
  kHaveLocalPranswer,
  kHaveRemotePranswer,
  kClosed,
};
/// "stable", "have-local-offer", ... as the W3C spells them.
std::string_view to_string(SignalingState state);

/// RTCPeerConnectionState.
enum class PeerConnectionState : std::uint8_t { kNew, kConnecting, kConnected, kDisconnected, kFailed, kClosed };
std::string_view to_string(PeerConnectionState state);

/// RTCSdpType.
enum class SdpType : std::uint8_t { kOffer, kPranswer, kAnswer, kRollback };
std::string_view to_string(SdpType type);
/// Reads "offer", "pranswer", "answer" or "rollback" into `type`; false for anything else.
bool parse_sdp_type(std::string_view text, SdpType& type);

}  // namespace rtcstack::pc
