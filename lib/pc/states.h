// The W3C state names of a PeerConnection (DESIGN.md §3) that the ICE layer does not
// already define, and the description types of JSEP (RFC 8829 §4.1.8).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/transport_state.h"
#include "ice/states.h"

namespace rtcstack::pc {

/// RTCIceConnectionState and RTCIceGatheringState: lib/ice reports them by these names.
using IceConnectionState = ice::ConnectionState;
using IceGatheringState = ice::GatheringState;

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

/// RTCDtlsTransportState.
using DtlsTransportState = base::TransportState;
using base::to_string;

/// Why a connection failed or was closed (ConnectionStateEvent::cause).
enum class EndCause : std::uint8_t {
  kNone,
  kSetupTimeout,         ///< not connected within Configuration::setup_timeout
  kIceFailed,            ///< every candidate pair failed (and no candidate came for a while)
  kConsentExpired,       ///< the peer stopped answering consent checks (RFC 7675)
  kDtlsFailed,           ///< the handshake failed, timed out, or the peer sent a fatal alert
  kFingerprintMismatch,  ///< the peer's certificate does not match its SDP fingerprint
  kPeerClosed,           ///< the peer sent DTLS close_notify: it closed the connection
  kLocalClose,           ///< close() was called
};
/// "setup-timeout", "ice-failed", ... ("" for kNone).
std::string_view to_string(EndCause cause);

/// ICE connected or completed: the state in which a pair carries data.
inline bool ice_up(ice::ConnectionState state) {
  return state == ice::ConnectionState::kConnected || state == ice::ConnectionState::kCompleted;
}

/// The W3C aggregation rules (webrtc-pc §4.4.1.5-6): RTCIceConnectionState from the
/// states of the ICE transports (one with BUNDLE), the PeerConnection's [[IsClosed]].
ice::ConnectionState aggregate_ice_connection_state(bool is_closed, std::span<const ice::ConnectionState> transports);
/// RTCPeerConnectionState from [[IsClosed]], the aggregate ICE connection state and the
/// states of the DTLS transports (none: no transport exists yet). "connected" takes an
/// ICE state of connected or completed.
PeerConnectionState aggregate_connection_state(bool is_closed, ice::ConnectionState ice,
                                               std::span<const DtlsTransportState> dtls);

/// RTCSdpType.
enum class SdpType : std::uint8_t { kOffer, kPranswer, kAnswer, kRollback };
std::string_view to_string(SdpType type);
/// Reads "offer", "pranswer", "answer" or "rollback" into `type`; false for anything else.
bool parse_sdp_type(std::string_view text, SdpType& type);

/// RTCSessionDescriptionInit: what create_offer() and create_answer() give, and what
/// set_local_description() and set_remote_description() take. (lib/sdp's
/// sdp::SessionDescription is the parsed model of the text.)
struct SessionDescriptionInit {
  SdpType type = SdpType::kOffer;
  std::string sdp;
};

}  // namespace rtcstack::pc
