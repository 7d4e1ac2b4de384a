// PeerConnection: the transport's life under the signaling state - when it starts and
// which DTLS role it takes, when SCTP joins - and the IO calls, handed to it.
#include <algorithm>

#include "pc/data_channels.h"
#include "pc/jsep.h"
#include "pc/peer_connection.h"
#include "pc/transceivers.h"
#include "pc/transport.h"

namespace rtcstack::pc {

void PeerConnection::start_transports(base::Instant now) {
  start_sctp(now);  // a renegotiation may have added the data section to a live transport
  if (transport_->dtls() || !remote_ || closed_) return;
  // RFC 8842 §5.3: "active" opens the DTLS connection (client); our answer chose, or the
  // peer's answer to our offer did.
  const bool client = we_offered_ ? remote_->setup == sdp::Setup::kPassive : current_local_->setup == sdp::Setup::kActive;
  transport_->start_dtls(now, client, remote_->fingerprints);
  setup_deadline_ = now + configuration_.setup_timeout;
  update_connection_state();
}

void PeerConnection::start_sctp(base::Instant now) {
  if (!remote_ || remote_->data_mid.empty() || signaling_ != SignalingState::kStable) return;
  transport_->start_sctp(now, remote_->sctp_port, remote_->max_message_size);
}

void PeerConnection::pump(base::Instant now) {
  transport_->pump(now);
  if (release_pending_) release(true);  // the connection ended during this pump
}

void PeerConnection::handle_receive(base::Instant now, const base::SocketAddress& local,
                                    const base::SocketAddress& remote, base::ByteView datagram) {
  handle_receive(now, local, remote, ice::Inbound(datagram));
}

void PeerConnection::handle_receive(base::Instant now, const base::SocketAddress& local,
                                    const base::SocketAddress& remote, const ice::Inbound& datagram) {
  now_ = now;
  if (closed_ || released_) return;
  transport_->receive(now, local, remote, datagram);
  pump(now);
}

void PeerConnection::handle_connection_lost(base::Instant now, const base::SocketAddress& local,
                                            const base::SocketAddress& server, std::string reason) {
  now_ = now;
  if (released_ || closed_) return;
  transport_->connection_lost(now, local, server, std::move(reason));
  pump(now);
}

void PeerConnection::handle_timeout(base::Instant now) {
  now_ = now;
  if (closed_ || released_) return;
  check_setup_deadline(now);
  transport_->handle_timeout(now);
  pump(now);
}

Output PeerConnection::poll_output() {
  if (!outputs_.empty()) {
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }
  if (closed_ || released_) return Timeout{base::Instant::max(), TimerReason::kNone};
  Timeout first = transport_->next_timeout();
  if (setup_deadline_ < first.at) first = {setup_deadline_, TimerReason::kSetupDeadline};
  if (first.at == base::Instant::max()) first.reason = TimerReason::kNone;
  return first;
}

std::string_view to_string(TimerReason reason) {
  switch (reason) {
    case TimerReason::kNone: return "none";
    case TimerReason::kIce: return "ice";
    case TimerReason::kDtls: return "dtls";
    case TimerReason::kSctp: return "sctp";
    case TimerReason::kRtcp: return "rtcp";
    case TimerReason::kSetupDeadline: return "setup-deadline";
  }
  return "?";
}

void PeerConnection::recycle(base::Buffer buffer) { pool_.give(std::move(buffer)); }

bool PeerConnection::accepts(const base::SocketAddress& remote, const ice::Inbound& datagram) const {
  return !closed_ && !released_ && transport_->accepts(remote, datagram);
}

IceGatheringState PeerConnection::ice_gathering_state() const {
  return transport_->agent() ? transport_->agent()->gathering_state() : IceGatheringState::kNew;
}

const dtls::Endpoint* PeerConnection::dtls() const { return transport_->dtls(); }
const sctp::Association* PeerConnection::sctp() const { return transport_->sctp(); }

}  // namespace rtcstack::pc
