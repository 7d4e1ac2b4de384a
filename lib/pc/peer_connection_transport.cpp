// PeerConnection: the transports. ICE carries DTLS (RFC 7983 demultiplexing on the
// selected pair), DTLS carries SCTP, SCTP carries the data channels. pump() moves
// everything each layer produced to the next until all are quiet.
#include <algorithm>

#include "base/log.h"
#include "pc/peer_connection.h"

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
  dtls_ = std::make_unique<dtls::Endpoint>(config);
  setup_deadline_ = now + configuration_.setup_timeout;
  // One pool for every layer's buffers: the runtime's recycle() returns each to where
  // the next one is made.
  dtls_->share_buffer_pool(pool_);
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
    bool moved = pump_rtp();
    moved |= pump_ice(now);
    moved |= pump_dtls(now);
    moved |= pump_sctp(now);
    if (!moved) break;
  }
  if (release_pending_) release(true);  // the connection ended during this pump
}

bool PeerConnection::pump_ice(base::Instant now) {
  if (!agent_) return false;
  bool moved = false;
  for (;;) {
    ice::Output output = agent_->poll_output();
    if (auto* timeout = std::get_if<ice::Timeout>(&output)) {
      ice_timeout_ = timeout->at;
      return moved;
    }
    moved = true;
    if (auto* transmit = std::get_if<ice::Transmit>(&output)) {
      ++counters_.packets_sent;
      counters_.bytes_sent += transmit->bytes.size();
      outputs_.emplace_back(std::move(*transmit));
    } else {
      on_ice_event(now, std::get<ice::Event>(output));
    }
  }
}

void PeerConnection::on_ice_event(base::Instant now, const ice::Event& event) {
  const std::string mid = remote_ ? remote_->transport_mid : "0";
  if (const auto* candidate = std::get_if<ice::LocalCandidateEvent>(&event)) {
    emit(IceCandidateEvent{to_sdp(candidate->candidate).to_candidate_line(), mid});
  } else if (const auto* gathering = std::get_if<ice::GatheringStateEvent>(&event)) {
    emit(IceGatheringStateEvent{gathering->state});
    if (gathering->state == ice::GatheringState::kComplete) emit(IceCandidateEvent{"", mid});
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
      on_srtp_keys(*keys);
    } else if (const auto* state = std::get_if<dtls::StateEvent>(&event)) {
      start_sctp(now);
      on_dtls_state(*state);
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
    } else {
      on_sctp_event(std::get<sctp::Event>(std::move(output)));
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
  sctp_ = std::make_unique<sctp::Association>(config);
  sctp_->share_buffer_pool(pool_);  // message buffers come back through recycle()
  sctp_->start(now);
  for (auto& [handle, channel] : channels_) {
    if (!channel.stream) open_channel(handle, channel);
  }
}

void PeerConnection::open_channel(ChannelHandle handle, Channel& channel) {
  auto stream = sctp_->open_channel(channel.init);
  if (!stream) {
    RTC_LOG(kWarning, "pc") << "channel \"" << channel.init.label << "\" cannot open: " << stream.error().message;
    channel.state = sctp::ChannelState::kClosed;
    emit(DataChannelStateEvent{handle, sctp::ChannelState::kClosed});
    return;
  }
  channel.stream = *stream;
  by_stream_[*stream] = handle;
  if (channel.low_threshold > 0) sctp_->set_buffered_amount_low_threshold(*stream, channel.low_threshold);
}

ChannelHandle PeerConnection::handle_of(std::uint16_t stream) {
  const auto found = by_stream_.find(stream);
  return found == by_stream_.end() ? 0 : found->second;
}

void PeerConnection::on_sctp_event(sctp::Event event) {
  if (const auto* incoming = std::get_if<sctp::IncomingChannelEvent>(&event)) {
    const ChannelHandle handle = next_handle_++;
    Channel& channel = channels_[handle];
    channel.init = incoming->init;
    channel.stream = incoming->id;
    by_stream_[incoming->id] = handle;
    emit(DataChannelEvent{handle, incoming->init});
  } else if (const auto* state = std::get_if<sctp::ChannelStateEvent>(&event)) {
    const ChannelHandle handle = handle_of(state->id);
    if (handle == 0) return;
    channels_[handle].state = state->state;
    if (state->state == sctp::ChannelState::kOpen) ++counters_.channels_opened;
    if (state->state == sctp::ChannelState::kClosed) ++counters_.channels_closed;
    emit(DataChannelStateEvent{handle, state->state});
    if (state->state == sctp::ChannelState::kClosed) {
      by_stream_.erase(state->id);
      channels_.erase(handle);
    }
  } else if (auto* message = std::get_if<sctp::MessageEvent>(&event)) {
    if (const ChannelHandle handle = handle_of(message->id)) {
      Channel& channel = channels_[handle];
      ++channel.messages_received;
      channel.bytes_received += message->data.size();
      emit(MessageEvent{handle, message->binary, std::move(message->data)});
    }
  } else if (const auto* low = std::get_if<sctp::BufferedAmountLowEvent>(&event)) {
    if (const ChannelHandle handle = handle_of(low->id)) emit(BufferedAmountLowEvent{handle});
  } else if (const auto* association = std::get_if<sctp::StateEvent>(&event)) {
    if (association->state == sctp::State::kFailed) {
      RTC_LOG(kInfo, "pc") << "SCTP ended: " << association->reason;
    }
  }
}

void PeerConnection::handle_receive(base::Instant now, const base::SocketAddress& local,
                                    const base::SocketAddress& remote, const ice::Inbound& datagram) {
  now_ = now;
  if (closed_ || released_ || !agent_) return;
  ++counters_.packets_received;
  counters_.bytes_received += datagram.bytes().size();
  const ice::ReceiveResult result = agent_->handle_receive(now, local, remote, datagram);
  if (result.what == ice::Received::kDropped) ++counters_.packets_discarded;
  if (result.what == ice::Received::kApplicationData) {
    switch (stun::classify(result.payload)) {
      case stun::PacketKind::kDtls:
        if (dtls_) {
          const std::uint64_t dropped = dtls_->dropped();
          dtls_->handle_receive(now, result.payload);
          counters_.packets_discarded += dtls_->dropped() - dropped;
        } else {
          ++counters_.packets_discarded;  // before our DTLS starts: the peer retransmits
        }
        break;
      case stun::PacketKind::kRtp:
        if (!handle_rtp(result.payload)) ++counters_.packets_discarded;
        break;
      default:
        ++counters_.packets_discarded;  // not ours
        break;
    }
  }
  pump(now);
}

void PeerConnection::handle_timeout(base::Instant now) {
  now_ = now;
  if (closed_ || released_) return;
  check_setup_deadline(now);
  if (agent_ && now >= ice_timeout_) agent_->handle_timeout(now);
  if (dtls_ && now >= dtls_timeout_) dtls_->handle_timeout(now);
  if (sctp_ && now >= sctp_timeout_) sctp_->handle_timeout(now);
  if (srtp_send_ && now >= rtcp_timeout_) rtp_->handle_timeout(now);
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
                                                       {rtcp_timeout_, TimerReason::kRtcp},
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

ice::GatheringState PeerConnection::ice_gathering_state() const {
  return agent_ ? agent_->gathering_state() : ice::GatheringState::kNew;
}

}  // namespace rtcstack::pc
