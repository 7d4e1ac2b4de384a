// PeerConnection: the transports. ICE carries DTLS (RFC 7983 demultiplexing on the
// selected pair), DTLS carries SCTP, SCTP carries the data channels. pump() moves
// everything each layer produced to the next until all are quiet.
#include <algorithm>

#include "base/log.h"
#include "dtls/endpoint.h"
#include "ice/agent.h"
#include "pc/data_channels.h"
#include "pc/jsep.h"
#include "pc/peer_connection.h"
#include "pc/transceivers.h"
#include "sctp/association.h"

namespace rtcstack::pc {
namespace {

// One pump() may bounce data between layers a few times (a DTLS record becomes an SCTP
// packet whose SACK becomes a record...); the bound only guards against a bug.
constexpr int kMaxPumpRounds = 64;

}  // namespace

void PeerConnection::start_transports(base::Instant now) {
  start_sctp(now);  // a renegotiation may have added the data section to a live transport
  if (dtls_ || !remote_ || closed_) return;
  // RFC 8842 §5.3: "active" opens the DTLS connection (client).
  if (we_offered_) {
    dtls_client_ = remote_->setup == sdp::Setup::kPassive;
  } else {
    dtls_client_ = current_local_->setup == sdp::Setup::kActive;  // our answer chose
  }
  // The peer's certificate must match one of its fingerprints; sha-256 first (what
  // browsers send), else the first one OpenSSL can compute.
  auto chosen = std::find_if(remote_->fingerprints.begin(), remote_->fingerprints.end(),
                             [](const sdp::Fingerprint& f) { return f.algorithm == "sha-256"; });
  if (chosen == remote_->fingerprints.end()) chosen = remote_->fingerprints.begin();
  dtls::Config config;
  config.role = dtls_client_ ? dtls::Role::kClient : dtls::Role::kServer;
  config.certificate = configuration_.certificate;
  config.remote_fingerprint = dtls::Fingerprint{chosen->algorithm, chosen->digest};
  // One pool for every layer's buffers: the runtime's recycle() returns each to where
  // the next one is made.
  dtls_ = std::make_unique<dtls::Endpoint>(config, &pool_);
  setup_deadline_ = now + configuration_.setup_timeout;
  if (!dtls_client_) {
    dtls_->start(now);  // the server waits for the ClientHello, which may come at once
    dtls_started_ = true;
  } else if (agent_ && ice_up(agent_->connection_state())) {
    dtls_->start(now);
    dtls_started_ = true;
  }
  update_connection_state();
}

void PeerConnection::pump(base::Instant now) {
  for (int round = 0; round < kMaxPumpRounds; ++round) {
    bool moved = media_->pump(agent_.get());
    moved |= pump_ice(now);
    moved |= pump_dtls(now);
    moved |= pump_sctp(now);
    if (!moved) break;
  }
  if (release_pending_) release(true);  // the connection ended during this pump
}

bool PeerConnection::pump_ice(base::Instant now) {
  if (!agent_) return false;
  const std::string mid = remote_ ? remote_->transport_mid : "0";
  for (bool moved = false;; moved = true) {
    ice::Output output = agent_->poll_output();
    if (auto* timeout = std::get_if<ice::Timeout>(&output)) {
      ice_timeout_ = timeout->at;
      return moved;
    }
    if (auto* transmit = std::get_if<ice::Transmit>(&output)) {
      ++counters_.packets_sent;
      counters_.bytes_sent += transmit->bytes.size();
      outputs_.emplace_back(std::move(*transmit));
      continue;
    }
    const ice::Event& event = std::get<ice::Event>(output);
    if (const auto* candidate = std::get_if<ice::LocalCandidateEvent>(&event)) {
      emit(IceCandidateEvent{to_sdp(candidate->candidate).to_candidate_line(), mid});
    } else if (const auto* gathering = std::get_if<ice::GatheringStateEvent>(&event)) {
      emit(IceGatheringStateEvent{gathering->state});
      if (gathering->state == IceGatheringState::kComplete) emit(IceCandidateEvent{"", mid});
    } else if (const auto* state = std::get_if<ice::ConnectionStateEvent>(&event)) {
      if (ice_up(state->state) && dtls_ && !dtls_started_) {
        dtls_->start(now);
        dtls_started_ = true;
      }
      on_ice_state(state->state);
    } else if (const auto* selected = std::get_if<ice::SelectedPairEvent>(&event)) {
      emit(SelectedCandidatePairChangeEvent{to_sdp(selected->local).to_candidate_line(),
                                            to_sdp(selected->remote).to_candidate_line()});
    } else if (const auto* turn = std::get_if<ice::TurnErrorEvent>(&event)) {
      // W3C: 701 when the server was never reached; its own code otherwise.
      emit(IceCandidateErrorEvent{turn->local.ip().to_string(), turn->local.port(), "turn:" + turn->server.to_string(),
                                  turn->error.code == 0 ? 701 : turn->error.code, turn->error.reason});
    }
  }
}

bool PeerConnection::pump_dtls(base::Instant now) {
  if (!dtls_) return false;
  bool moved = false;
  for (;;) {
    dtls::Output output = dtls_->poll_output();
    if (auto* timeout = std::get_if<dtls::Timeout>(&output)) {
      dtls_timeout_ = timeout->at;
      return moved;
    }
    moved = true;
    if (auto* datagram = std::get_if<dtls::Datagram>(&output)) {
      (void)agent_->send(std::move(datagram->bytes));  // before ICE has a pair, DTLS retransmits later
      continue;
    }
    auto& event = std::get<dtls::Event>(output);
    if (auto* data = std::get_if<dtls::ApplicationDataEvent>(&event)) {
      if (sctp_) sctp_->handle_packet(now, base::MutableByteView(data->data.data(), data->data.size()));
      pool_.give(std::move(data->data));
    } else if (const auto* keys = std::get_if<dtls::SrtpKeysEvent>(&event)) {
      media_->on_srtp_keys(now, *keys);
    } else if (const auto* state = std::get_if<dtls::StateEvent>(&event)) {
      start_sctp(now);
      on_dtls_state(state->state, state->certificate_rejected, state->reason);
    }
  }
}

bool PeerConnection::pump_sctp(base::Instant) {
  if (!sctp_) return false;
  bool moved = false;
  for (;;) {
    sctp::Output output = sctp_->poll_output();
    if (auto* timeout = std::get_if<sctp::Timeout>(&output)) {
      sctp_timeout_ = timeout->at;
      return moved;
    }
    moved = true;
    if (auto* packet = std::get_if<sctp::Packet>(&output)) {
      (void)dtls_->send(packet->bytes);
    } else if (const auto* association = std::get_if<sctp::StateEvent>(&std::get<sctp::Event>(output))) {
      if (association->state == sctp::State::kFailed) {
        RTC_LOG(kInfo, "pc") << "SCTP ended: " << association->reason;
      }
    } else {
      channels_->on_sctp_event(std::get<sctp::Event>(std::move(output)));
    }
  }
}

void PeerConnection::start_sctp(base::Instant now) {
  if (sctp_ || !dtls_ || dtls_->state() != dtls::State::kConnected || !remote_ || remote_->data_mid.empty() ||
      signaling_ != SignalingState::kStable) {
    return;
  }
  sctp::Config config;
  config.dtls_client = dtls_client_;
  config.remote_port = remote_->sctp_port;
  config.remote_max_message_size = remote_->max_message_size;
  config.local_max_message_size = configuration_.max_message_size;
  config.streams = configuration_.sctp_streams;
  config.budget = configuration_.buffer_budget;
  sctp_ = std::make_unique<sctp::Association>(config, &pool_);  // message buffers come back through recycle()
  sctp_->start(now);
  channels_->open_waiting(*sctp_);
}

void PeerConnection::handle_receive(base::Instant now, const base::SocketAddress& local,
                                    const base::SocketAddress& remote, base::ByteView datagram) {
  handle_receive(now, local, remote, ice::Inbound(datagram));
}

void PeerConnection::handle_receive(base::Instant now, const base::SocketAddress& local,
                                    const base::SocketAddress& remote, const ice::Inbound& datagram) {
  now_ = now;
  if (closed_ || released_ || !agent_) return;
  ++counters_.packets_received;
  counters_.bytes_received += datagram.bytes().size();
  const ice::ReceiveResult result = agent_->handle_receive(now, local, remote, datagram);
  if (result.what == ice::Received::kDropped) ++counters_.packets_discarded;
  if (result.what == ice::Received::kApplicationData) deliver(now, result.payload);
  pump(now);
}

void PeerConnection::deliver(base::Instant now, base::ByteView payload) {
  switch (stun::classify(payload)) {
    case stun::PacketKind::kDtls:
      if (dtls_) {
        const std::uint64_t dropped = dtls_->dropped();
        dtls_->handle_receive(now, payload);
        counters_.packets_discarded += dtls_->dropped() - dropped;
      } else {
        ++counters_.packets_discarded;  // before our DTLS starts: the peer retransmits
      }
      break;
    case stun::PacketKind::kRtp:
      if (!media_->handle_rtp(now, payload)) ++counters_.packets_discarded;
      break;
    default:
      ++counters_.packets_discarded;  // not ours
      break;
  }
}

void PeerConnection::handle_timeout(base::Instant now) {
  now_ = now;
  if (closed_ || released_) return;
  check_setup_deadline(now);
  if (agent_ && now >= ice_timeout_) agent_->handle_timeout(now);
  if (dtls_ && now >= dtls_timeout_) dtls_->handle_timeout(now);
  if (sctp_ && now >= sctp_timeout_) sctp_->handle_timeout(now);
  media_->handle_timeout(now);
  pump(now);
}

Output PeerConnection::poll_output() {
  if (!outputs_.empty()) {
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }
  if (closed_ || released_) return Timeout{base::Instant::max(), TimerReason::kNone};
  const std::pair<base::Instant, TimerReason> due[] = {{ice_timeout_, TimerReason::kIce},
                                                       {dtls_timeout_, TimerReason::kDtls},
                                                       {sctp_timeout_, TimerReason::kSctp},
                                                       {media_->timeout(), TimerReason::kRtcp},
                                                       {setup_deadline_, TimerReason::kSetupDeadline}};
  const auto& first = *std::min_element(std::begin(due), std::end(due),
                                        [](const auto& a, const auto& b) { return a.first < b.first; });
  return Timeout{first.first, first.first == base::Instant::max() ? TimerReason::kNone : first.second};
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

void PeerConnection::recycle(base::Buffer buffer) {
  pool_.give(std::move(buffer));
}

IceGatheringState PeerConnection::ice_gathering_state() const {
  return agent_ ? agent_->gathering_state() : IceGatheringState::kNew;
}

}  // namespace rtcstack::pc
