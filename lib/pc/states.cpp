#include "pc/states.h"

#include <algorithm>

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

std::string_view to_string(EndCause cause) {
  switch (cause) {
    case EndCause::kNone: return "";
    case EndCause::kSetupTimeout: return "setup-timeout";
    case EndCause::kIceFailed: return "ice-failed";
    case EndCause::kConsentExpired: return "consent-expired";
    case EndCause::kDtlsFailed: return "dtls-failed";
    case EndCause::kFingerprintMismatch: return "fingerprint-mismatch";
    case EndCause::kPeerClosed: return "peer-closed";
    case EndCause::kLocalClose: return "closed";
  }
  return "?";
}

// Each rule below is the first of the spec's list that applies, in the spec's order.
ice::ConnectionState aggregate_ice_connection_state(bool is_closed, std::span<const ice::ConnectionState> transports) {
  using S = ice::ConnectionState;
  const auto any = [&](std::initializer_list<S> states) {
    return std::any_of(transports.begin(), transports.end(),
                       [&](S state) { return std::find(states.begin(), states.end(), state) != states.end(); });
  };
  const auto all = [&](std::initializer_list<S> states) {
    return std::all_of(transports.begin(), transports.end(),
                       [&](S state) { return std::find(states.begin(), states.end(), state) != states.end(); });
  };
  if (is_closed) return S::kClosed;
  if (any({S::kFailed})) return S::kFailed;
  if (any({S::kDisconnected})) return S::kDisconnected;
  if (all({S::kNew, S::kClosed})) return S::kNew;
  if (any({S::kNew, S::kChecking})) return S::kChecking;
  if (all({S::kCompleted, S::kClosed})) return S::kCompleted;
  return S::kConnected;  // all connected, completed or closed
}

PeerConnectionState aggregate_connection_state(bool is_closed, ice::ConnectionState ice,
                                               std::span<const DtlsTransportState> dtls) {
  using D = DtlsTransportState;
  const auto all = [&](D a, D b) {
    return std::all_of(dtls.begin(), dtls.end(), [&](D state) { return state == a || state == b; });
  };
  if (is_closed) return PeerConnectionState::kClosed;
  if (ice == ice::ConnectionState::kFailed || std::find(dtls.begin(), dtls.end(), D::kFailed) != dtls.end()) {
    return PeerConnectionState::kFailed;
  }
  if (ice == ice::ConnectionState::kDisconnected) return PeerConnectionState::kDisconnected;
  if (dtls.empty() || (ice == ice::ConnectionState::kNew && all(D::kNew, D::kClosed))) {
    return PeerConnectionState::kNew;
  }
  if (ice_up(ice) && all(D::kConnected, D::kClosed)) {
    return PeerConnectionState::kConnected;
  }
  return PeerConnectionState::kConnecting;
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
