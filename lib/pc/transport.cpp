// The BUNDLE transport: making its layers, moving what each produced to the next, and
// saying goodbye through them.
#include "pc/transport.h"

#include <utility>

#include <algorithm>

#include "base/log.h"
#include "pc/data_channels.h"
#include "pc/jsep.h"
#include "pc/transceivers.h"

namespace rtcstack::pc {
namespace {

// One pump() may bounce data between layers a few times (a DTLS record becomes an SCTP
// packet whose SACK becomes a record...); the bound only guards against a bug.
constexpr int kMaxPumpRounds = 64;

}  // namespace

Transport::Transport(const Configuration& configuration, base::Random& random, base::BufferPool& pool,
                     base::RingQueue<Output>& outputs, DataChannels& channels, Transceivers& media, Listener listener)
    : configuration_(configuration),
      random_(random),
      pool_(pool),
      outputs_(outputs),
      channels_(channels),
      media_(media),
      listener_(std::move(listener)) {}

Transport::~Transport() = default;

ice::Agent& Transport::make_agent(base::Instant now, bool controlling) {
  if (!agent_) {
    ice::AgentConfig config = configuration_.ice;
    config.role = controlling ? ice::Role::kControlling : ice::Role::kControlled;
    agent_ = std::make_unique<ice::Agent>(config, random_, &pool_);
    for (LostConnection& lost : std::exchange(lost_before_agent_, {})) {
      agent_->handle_connection_lost(now, lost.local, lost.server, std::move(lost.reason));
    }
  }
  return *agent_;
}

void Transport::connection_lost(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& server,
                                std::string reason) {
  if (agent_) {
    agent_->handle_connection_lost(now, local, server, std::move(reason));
  } else if (lost_before_agent_.size() < configuration_.ice.turn_servers.size()) {
    lost_before_agent_.push_back({local, server, std::move(reason)});
  }
}

void Transport::start_dtls(base::Instant now, bool client, const std::vector<sdp::Fingerprint>& fingerprints) {
  if (dtls_) return;
  dtls_client_ = client;
  // The peer's certificate must match one of its fingerprints; sha-256 first (what
  // browsers send), else the first one OpenSSL can compute.
  auto chosen = std::find_if(fingerprints.begin(), fingerprints.end(),
                             [](const sdp::Fingerprint& f) { return f.algorithm == "sha-256"; });
  if (chosen == fingerprints.end()) chosen = fingerprints.begin();
  dtls::Config config;
  config.role = client ? dtls::Role::kClient : dtls::Role::kServer;
  config.certificate = configuration_.certificate;
  config.remote_fingerprint = dtls::Fingerprint{chosen->algorithm, chosen->digest};
  // One pool for every layer's buffers: the runtime's recycle() returns each to where
  // the next one is made.
  dtls_ = std::make_unique<dtls::Endpoint>(config, &pool_);
  // The server waits for the ClientHello, which may come at once; the client speaks
  // first, once ICE has a pair.
  if (!client || (agent_ && ice_up(agent_->connection_state()))) {
    dtls_->start(now);
    dtls_started_ = true;
  }
}

void Transport::start_sctp(base::Instant now, std::uint16_t remote_port, std::size_t remote_max_message_size) {
  if (sctp_ || !dtls_ || dtls_->state() != dtls::State::kConnected) return;
  sctp::Config config;
  config.dtls_client = dtls_client_;
  config.remote_port = remote_port;
  config.remote_max_message_size = remote_max_message_size;
  config.local_max_message_size = configuration_.max_message_size;
  config.streams = configuration_.sctp_streams;
  config.budget = configuration_.buffer_budget;
  sctp_ = std::make_unique<sctp::Association>(config, &pool_);  // message buffers come back through recycle()
  sctp_->start(now);
  channels_.open_waiting(*sctp_);
}

void Transport::pump(base::Instant now) {
  // Each pass drains the layers in the order data goes out - SCTP into DTLS, DTLS and the
  // RTP session into ICE, ICE to the outputs - so what one layer hands down is taken up
  // in the same pass. Another pass is needed only when a layer fed one above it: DTLS
  // passing SCTP its packets, keys or its state, ICE a state that starts DTLS. A packet
  // sent or received on a connected transport costs one pass.
  for (int round = 0; round < kMaxPumpRounds; ++round) {
    pump_sctp();
    bool fed_upward = pump_dtls(now);
    media_.pump(agent_.get());
    fed_upward |= pump_ice(now);
    if (!fed_upward) break;
  }
}

void Transport::send(Transmit transmit) {
  ++counters_.packets_sent;
  counters_.bytes_sent += transmit.bytes.size();
  outputs_.emplace_back(std::move(transmit));
}

bool Transport::pump_ice(base::Instant now) {
  if (!agent_) return false;
  bool evented = false;  // an event may start DTLS: the caller passes again
  for (;;) {
    ice::Output output = agent_->poll_output();
    if (auto* timeout = std::get_if<ice::Timeout>(&output)) {
      ice_timeout_ = timeout->at;
      return evented;
    }
    if (auto* transmit = std::get_if<ice::Transmit>(&output)) {
      send(std::move(*transmit));
    } else {
      on_ice_event(now, std::get<ice::Event>(output));
      evented = true;
    }
  }
}

void Transport::on_ice_event(base::Instant now, const ice::Event& event) {
  if (const auto* candidate = std::get_if<ice::LocalCandidateEvent>(&event)) {
    // Named by our ufrag, as browsers do: a peer that gets it before the description of
    // an ICE restart keeps it for that description instead of the one it has.
    sdp::Candidate line = to_sdp(candidate->candidate);
    line.extensions.emplace_back("ufrag", agent_->local_credentials().ufrag);
    outputs_.emplace_back(IceCandidateEvent{line.to_candidate_line(), mid_});
  } else if (const auto* gathering = std::get_if<ice::GatheringStateEvent>(&event)) {
    outputs_.emplace_back(IceGatheringStateEvent{gathering->state});
    if (gathering->state == IceGatheringState::kComplete) outputs_.emplace_back(IceCandidateEvent{"", mid_});
  } else if (const auto* state = std::get_if<ice::ConnectionStateEvent>(&event)) {
    if (ice_up(state->state) && dtls_ && !dtls_started_) {
      dtls_->start(now);
      dtls_started_ = true;
    }
    listener_.ice_state(state->state);
  } else if (const auto* selected = std::get_if<ice::SelectedPairEvent>(&event)) {
    outputs_.emplace_back(SelectedCandidatePairChangeEvent{to_sdp(selected->local).to_candidate_line(),
                                                           to_sdp(selected->remote).to_candidate_line()});
  } else if (const auto* turn = std::get_if<ice::TurnErrorEvent>(&event)) {
    // W3C: 701 when the server was never reached; its own code otherwise.
    outputs_.emplace_back(IceCandidateErrorEvent{turn->local.ip().to_string(), turn->local.port(),
                                                 turn->url,
                                                 turn->error.code == 0 ? 701 : turn->error.code, turn->error.reason});
  }
}

bool Transport::pump_dtls(base::Instant now) {
  if (!dtls_) return false;
  bool evented = false;  // every event feeds SCTP or the RTP session: the caller passes again
  for (;;) {
    dtls::Output output = dtls_->poll_output();
    if (auto* timeout = std::get_if<dtls::Timeout>(&output)) {
      dtls_timeout_ = timeout->at;
      return evented;
    }
    if (auto* datagram = std::get_if<dtls::Datagram>(&output)) {
      (void)agent_->send(std::move(datagram->bytes));  // before ICE has a pair, DTLS retransmits later
      continue;
    }
    evented = true;
    auto& event = std::get<dtls::Event>(output);
    if (auto* data = std::get_if<dtls::ApplicationDataEvent>(&event)) {
      if (sctp_) sctp_->handle_packet(now, base::MutableByteView(data->data.data(), data->data.size()));
      pool_.give(std::move(data->data));
    } else if (const auto* keys = std::get_if<dtls::SrtpKeysEvent>(&event)) {
      media_.on_srtp_keys(now, *keys);
    } else if (const auto* state = std::get_if<dtls::StateEvent>(&event)) {
      listener_.dtls_state(now, state->state, state->certificate_rejected, state->reason);
    }
  }
}

void Transport::pump_sctp() {
  if (!sctp_) return;
  for (;;) {
    sctp::Output output = sctp_->poll_output();
    if (auto* timeout = std::get_if<sctp::Timeout>(&output)) {
      sctp_timeout_ = timeout->at;
      return;
    }
    if (auto* packet = std::get_if<sctp::Packet>(&output)) {
      (void)dtls_->send(packet->bytes);
    } else if (const auto* association = std::get_if<sctp::StateEvent>(&std::get<sctp::Event>(output))) {
      if (association->state == sctp::State::kFailed) {
        RTC_LOG(kInfo, "pc") << "SCTP ended: " << association->reason;
      }
    } else {
      channels_.on_sctp_event(std::get<sctp::Event>(std::move(output)));
    }
  }
}

void Transport::receive(base::Instant now, const base::SocketAddress& local, const base::SocketAddress& remote,
                        const ice::Inbound& datagram) {
  if (!agent_) return;
  ++counters_.packets_received;
  counters_.bytes_received += datagram.bytes().size();
  const ice::ReceiveResult result = agent_->handle_receive(now, local, remote, datagram);
  if (result.what == ice::Received::kDropped) ++counters_.packets_discarded;
  if (result.what == ice::Received::kApplicationData) deliver(now, result.payload);
}

void Transport::deliver(base::Instant now, base::ByteView payload) {
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
      if (!media_.handle_rtp(now, payload)) ++counters_.packets_discarded;
      break;
    default:
      ++counters_.packets_discarded;  // not ours
      break;
  }
}

void Transport::handle_timeout(base::Instant now) {
  if (agent_ && now >= ice_timeout_) agent_->handle_timeout(now);
  if (dtls_ && now >= dtls_timeout_) dtls_->handle_timeout(now);
  if (sctp_ && now >= sctp_timeout_) sctp_->handle_timeout(now);
  media_.handle_timeout(now);
}

Timeout Transport::next_timeout() const {
  const Timeout due[] = {{ice_timeout_, TimerReason::kIce},
                         {dtls_timeout_, TimerReason::kDtls},
                         {sctp_timeout_, TimerReason::kSctp},
                         {media_.timeout(), TimerReason::kRtcp}};
  return *std::min_element(std::begin(due), std::end(due), [](const auto& a, const auto& b) { return a.at < b.at; });
}

void Transport::close(const std::string& why) {
  // Goodbyes go down the layers as far as each still can; events are no longer told.
  if (sctp_) {
    sctp_->abort(why);
    for (sctp::Output output = sctp_->poll_output(); !std::holds_alternative<sctp::Timeout>(output);
         output = sctp_->poll_output()) {
      if (auto* packet = std::get_if<sctp::Packet>(&output); packet && dtls_) (void)dtls_->send(packet->bytes);
    }
  }
  if (dtls_) {
    dtls_->close();
    for (dtls::Output output = dtls_->poll_output(); !std::holds_alternative<dtls::Timeout>(output);
         output = dtls_->poll_output()) {
      if (auto* datagram = std::get_if<dtls::Datagram>(&output)) (void)agent_->send(std::move(datagram->bytes));
    }
  }
  if (agent_) {
    agent_->close();  // TURN allocations are freed by a Refresh with LIFETIME 0
    for (ice::Output output = agent_->poll_output(); !std::holds_alternative<ice::Timeout>(output);
         output = agent_->poll_output()) {
      if (auto* transmit = std::get_if<ice::Transmit>(&output)) send(std::move(*transmit));
    }
  }
  sctp_.reset();
  dtls_.reset();
  ice_timeout_ = dtls_timeout_ = sctp_timeout_ = base::Instant::max();
}

bool Transport::accepts(const base::SocketAddress& remote, const ice::Inbound& datagram) const {
  if (!agent_) return false;
  if (const auto ufrag = datagram.addressed_ufrag()) return *ufrag == agent_->local_credentials().ufrag;
  const auto& candidates = agent_->remote_candidates();
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const ice::Candidate& candidate) { return candidate.address == remote; });
}

}  // namespace rtcstack::pc
