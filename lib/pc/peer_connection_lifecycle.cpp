// PeerConnection: how its state is told (the W3C aggregation rules over the one BUNDLE
// transport), how long it may take to connect, and how it ends - failed, closed by the
// peer or by close() - freeing its transports at once instead of when the application
// gets round to it.
#include <string>

#include "base/log.h"
#include "pc/data_channels.h"
#include "pc/peer_connection.h"
#include "pc/transceivers.h"
#include "pc/transport.h"

namespace rtcstack::pc {

void PeerConnection::set_end_cause(EndCause cause, std::string reason) {
  if (end_cause_ != EndCause::kNone) return;
  end_cause_ = cause;
  end_reason_ = std::move(reason);
  RTC_LOG(kInfo, "pc") << "connection ends (" << to_string(cause) << "): " << end_reason_;
}

void PeerConnection::on_ice_state(IceConnectionState state) {
  if (closed_ || released_ || release_pending_) return;
  if (state == ice::ConnectionState::kFailed) {
    if (transport_->agent()->consent_expired()) {
      set_end_cause(EndCause::kConsentExpired, "ICE failed: the peer stopped answering consent checks (RFC 7675)");
    } else {
      set_end_cause(EndCause::kIceFailed, "ICE failed: every candidate pair failed");
    }
  }
  if (state == ice_state_) return;
  ice_state_ = state;
  emit(IceConnectionStateEvent{aggregate_ice_connection_state(false, {&ice_state_, 1})});
  update_connection_state();
}

void PeerConnection::on_dtls_state(base::Instant now, DtlsTransportState state, bool certificate_rejected,
                                   const std::string& reason) {
  start_sctp(now);
  if (closed_ || released_ || release_pending_) return;
  dtls_state_ = state;
  if (state == DtlsTransportState::kFailed) {
    set_end_cause(certificate_rejected ? EndCause::kFingerprintMismatch : EndCause::kDtlsFailed, "DTLS failed: " + reason);
  }
  if (state != DtlsTransportState::kClosed) {
    update_connection_state();
    return;
  }
  // The peer sent close_notify (ours is sent only once closed_ is set, and never gets
  // here): it closed the connection. The W3C rules would still say "connected" with the
  // DTLS transport closed; nothing can flow any more, so the connection ends now.
  set_end_cause(EndCause::kPeerClosed, "the peer closed the connection (DTLS close_notify)");
  closed_ = true;
  release_pending_ = true;
  ice_state_ = ice::ConnectionState::kClosed;
  emit(IceConnectionStateEvent{ice::ConnectionState::kClosed});
  connection_ = PeerConnectionState::kClosed;
  emit(ConnectionStateEvent{PeerConnectionState::kClosed, end_reason_, end_cause_});
  set_signaling(SignalingState::kClosed);
}

void PeerConnection::check_setup_deadline(base::Instant now) {
  if (now < setup_deadline_ || closed_ || released_) return;
  setup_deadline_ = base::Instant::max();
  // The transport that had not finished is the one that failed: the W3C rules then say
  // "failed" for the connection too.
  const bool ice_done = ice_up(ice_state_);
  set_end_cause(EndCause::kSetupTimeout,
                "not connected within " + std::to_string(configuration_.setup_timeout.as_nanoseconds() / 1'000'000'000) +
                    " s: " + (ice_done ? "the DTLS handshake did not finish" : "no ICE candidate pair worked"));
  if (ice_done) {
    dtls_state_ = DtlsTransportState::kFailed;
  } else {
    ice_state_ = ice::ConnectionState::kFailed;
    emit(IceConnectionStateEvent{ice::ConnectionState::kFailed});
  }
  update_connection_state();
}

void PeerConnection::update_connection_state() {
  if (closed_) return;  // close() tells nothing; the peer's close was told where it came
  PeerConnectionState state = PeerConnectionState::kNew;
  if (transport_->agent()) {
    const DtlsTransportState dtls[] = {dtls_state_};
    state = aggregate_connection_state(false, aggregate_ice_connection_state(false, {&ice_state_, 1}), dtls);
  }
  if (state == PeerConnectionState::kConnected) setup_deadline_ = base::Instant::max();
  if (state == connection_) return;
  connection_ = state;
  if (state != PeerConnectionState::kFailed) {
    emit(ConnectionStateEvent{state, {}, EndCause::kNone});
    return;
  }
  // A failed connection ends (its transports are freed at once, so a server sheds it):
  // an ICE restart is for a path that changed or went quiet, before consent expires.
  if (end_cause_ == EndCause::kNone) set_end_cause(EndCause::kIceFailed, "ICE failed");
  emit(ConnectionStateEvent{state, end_reason_, end_cause_});
  release_pending_ = true;
}

void PeerConnection::release(bool announce) {
  release_pending_ = false;
  if (released_) return;
  released_ = true;
  transport_->close(end_reason_.empty() ? std::string("the connection ended") : end_reason_);
  channels_->close_all(announce);
  media_->release(*ended_error());
  setup_deadline_ = base::Instant::max();
}

void PeerConnection::close() {
  if (closed_) {
    if (release_pending_) release(false);
    return;
  }
  closed_ = true;  // first: nothing below is told as an event
  set_end_cause(EndCause::kLocalClose, "closed locally");
  release(false);
  // W3C close() fires no events: only the datagrams stay queued.
  outputs_.retain([](const Output& output) { return std::holds_alternative<Transmit>(output); });
  signaling_ = SignalingState::kClosed;
  connection_ = PeerConnectionState::kClosed;
}

IceConnectionState PeerConnection::ice_connection_state() const {
  return aggregate_ice_connection_state(closed_, {&ice_state_, 1});
}

}  // namespace rtcstack::pc
