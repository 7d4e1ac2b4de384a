#include "pc/states.h"

namespace rtcstack::pc {

std::string_view to_string(SignalingState state) {
  switch (state) {
    case SignalingState::kStable: return "stable";
    case SignalingState::kHaveLocalOffer: return "have-local-offer";
    case SignalingState::kHaveRemoteOffer: return "have-remote-offer";
    case SignalingState::kHaveLocalPranswer: return "have-local-pranswer";
    case SignalingState::kHaveRemotePranswer: return "have-remote-pranswer";
    case SignalingState::kClosed: return "closed";
  }
  return "?";
}

std::string_view to_string(PeerConnectionState state) {
  switch (state) {
    case PeerConnectionState::kNew: return "new";
    case PeerConnectionState::kConnecting: return "connecting";
    case PeerConnectionState::kConnected: return "connected";
    case PeerConnectionState::kDisconnected: return "disconnected";
    case PeerConnectionState::kFailed: return "failed";
    case PeerConnectionState::kClosed: return "closed";
  }
  return "?";
}

std::string_view to_string(SdpType type) {
  switch (type) {
    case SdpType::kOffer: return "offer";
    case SdpType::kPranswer: return "pranswer";
    case SdpType::kAnswer: return "answer";
    case SdpType::kRollback: return "rollback";
  }
  return "?";
}

bool parse_sdp_type(std::string_view text, SdpType& type) {
  for (SdpType candidate : {SdpType::kOffer, SdpType::kPranswer, SdpType::kAnswer, SdpType::kRollback}) {
    if (text == to_string(candidate)) {
      type = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace rtcstack::pc
