// PeerConnection: signaling (JSEP offer/answer, rollback) and the data channel API. The
// transports and IO are in peer_connection_transport.cpp.
#include "pc/peer_connection.h"

#include <algorithm>

namespace rtcstack::pc {
namespace {

base::Error wrong_state(std::string message) { return {base::ErrorCode::kWrongState, std::move(message)}; }
base::Error invalid(std::string message) { return {base::ErrorCode::kInvalidArgument, std::move(message)}; }

// RFC 8839 §5.4: ice-chars are ALPHA / DIGIT / "+" / "/"; 4+ for ufrag, 22+ for pwd.
std::string ice_token(base::Random& random, std::size_t length) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string token(length, 'A');
  for (char& c : token) c = kAlphabet[random.uniform(kAlphabet.size())];
  return token;
}

}  // namespace

base::Result<std::unique_ptr<PeerConnection>> PeerConnection::create(Configuration configuration,
                                                                     base::Random& random) {
  if (!configuration.certificate) {
    auto certificate = dtls::Certificate::generate();
    if (!certificate) return certificate.error();
    configuration.certificate = *certificate;
  }
  return std::unique_ptr<PeerConnection>(new PeerConnection(std::move(configuration), random));
}

PeerConnection::PeerConnection(Configuration configuration, base::Random& random)
    : configuration_(std::move(configuration)), random_(random) {
  if (configuration_.ice.credentials.ufrag.empty()) {
    configuration_.ice.credentials = {ice_token(random_, 8), ice_token(random_, 24)};
  }
  session_id_ = std::to_string(random_.next_u64() >> 2);  // fits the 63 bits RFC 8866 §5.2 suggests
}

std::optional<base::Error> PeerConnection::ended_error() const {
  if (closed_) return wrong_state("the connection is closed");
  if (released_) return wrong_state("the connection has failed (" + end_reason_ + ")");
  return std::nullopt;
}

LocalParameters PeerConnection::local_parameters(bool offer) const {
  LocalParameters local;
  local.session_id = session_id_;
  local.version = version_;
  local.ice = configuration_.ice.credentials;
  const auto fingerprint = configuration_.certificate->fingerprint();
  local.fingerprint = {fingerprint->algorithm, fingerprint->digest};
  local.max_message_size = configuration_.max_message_size;
  local.max_bundle = configuration_.bundle_policy == BundlePolicy::kMaxBundle;
  if (dtls_) {
    // RFC 8842 §5.5: once the DTLS association exists, both sides keep their roles.
    local.setup = dtls_client_ ? sdp::Setup::kActive : sdp::Setup::kPassive;
  } else if (offer) {
    local.setup = sdp::Setup::kActpass;
  } else {
    // RFC 8842 §5.3: the answerer picks; active (DTLS client) unless the offerer insists.
    local.setup = remote_ && remote_->setup == sdp::Setup::kActive ? sdp::Setup::kPassive : sdp::Setup::kActive;
  }
  if (!offer && remote_parsed_) {
    local.plan = Answer{&*remote_parsed_};
    local.data_mid = remote_->data_mid;
  } else if (remote_parsed_) {
    // Renegotiation keeps the sections where they are, the data section's mid included;
    // a session the peer began without one gets one when channels are wanted.
    local.plan = Reoffer{&*remote_parsed_};
    local.data_mid = remote_->data_mid;
    if (local.data_mid.empty() && !channels_.empty()) local.data_mid = unused_mid();
  }
  if (agent_) {
    local.candidates = agent_->local_candidates();
    local.end_of_candidates = agent_->gathering_state() == ice::GatheringState::kComplete;
  }
  return local;
}

base::Result<PeerConnection::OwnDescription> PeerConnection::own_description(SdpType type,
                                                                             const LocalParameters& local) const {
  auto model = build_description(local);
  if (!model) return model.error();
  // Copied, not moved: a copy's vectors and strings are allocated at their size, without
  // the slack of being built line by line (it is kept for the connection's lifetime).
  return OwnDescription{type, std::make_shared<const sdp::SessionDescription>(*model), local.version, local.setup};
}

base::Result<SessionDescription> PeerConnection::create_offer() {
  if (auto ended = ended_error()) return *ended;
  if (signaling_ != SignalingState::kStable && signaling_ != SignalingState::kHaveLocalOffer) {
    return wrong_state("create_offer() in signaling state " + std::string(to_string(signaling_)));
  }
  ++version_;
  LocalParameters local = local_parameters(true);
  local.candidates.clear();  // candidates come by trickle, or with local_description() later
  local.end_of_candidates = false;
  local.media = local_media(true, local.data_mid);
  auto built = own_description(SdpType::kOffer, local);
  if (!built) return built.error();
  last_offer_ = std::move(*built);
  return SessionDescription{SdpType::kOffer, last_offer_->model->to_string()};
}

base::Result<SessionDescription> PeerConnection::create_answer() {
  if (auto ended = ended_error()) return *ended;
  if (signaling_ != SignalingState::kHaveRemoteOffer && signaling_ != SignalingState::kHaveLocalPranswer) {
    return wrong_state("create_answer() in signaling state " + std::string(to_string(signaling_)));
  }
  ++version_;
  LocalParameters local = local_parameters(false);
  local.candidates.clear();
  local.end_of_candidates = false;
  local.media = local_media(false, local.data_mid);
  auto built = own_description(SdpType::kAnswer, local);
  if (!built) return built.error();
  last_answer_ = std::move(*built);
  return SessionDescription{SdpType::kAnswer, last_answer_->model->to_string()};
}

base::Result<void> PeerConnection::set_local_description(base::Instant now, SessionDescription description) {
  now_ = now;
  if (auto ended = ended_error()) return *ended;
  if (description.type == SdpType::kRollback) {
    if (signaling_ != SignalingState::kHaveLocalOffer && signaling_ != SignalingState::kHaveLocalPranswer) {
      return wrong_state("no local offer to roll back in signaling state " + std::string(to_string(signaling_)));
    }
    pending_local_.reset();
    set_signaling(signaling_ == SignalingState::kHaveLocalOffer ? SignalingState::kStable
                                                                : SignalingState::kHaveRemoteOffer);
    return {};
  }
  const bool offer = description.type == SdpType::kOffer;
  const auto& created = offer ? last_offer_ : last_answer_;
  if (!created || (!description.sdp.empty() && description.sdp != created->model->to_string())) {
    return invalid(std::string("set_local_description() takes the ") + (offer ? "offer" : "answer") +
                   " create_" + (offer ? "offer" : "answer") + "() returned, unchanged");
  }
  if (offer && signaling_ != SignalingState::kStable && signaling_ != SignalingState::kHaveLocalOffer) {
    return wrong_state("a local offer in signaling state " + std::string(to_string(signaling_)));
  }
  if (!offer && signaling_ != SignalingState::kHaveRemoteOffer && signaling_ != SignalingState::kHaveLocalPranswer) {
    return wrong_state("a local answer in signaling state " + std::string(to_string(signaling_)));
  }
  if (!agent_) {
    ice::AgentConfig config = configuration_.ice;
    config.role = offer ? ice::Role::kControlling : ice::Role::kControlled;
    agent_ = std::make_unique<ice::Agent>(config, random_);
    agent_->share_buffer_pool(pool_);
  }
  OwnDescription applied = *created;
  applied.type = description.type;
  if (offer) {
    pending_local_ = std::move(applied);
    set_signaling(SignalingState::kHaveLocalOffer);
  } else if (description.type == SdpType::kPranswer) {
    pending_local_ = std::move(applied);
    set_signaling(SignalingState::kHaveLocalPranswer);
  } else {
    current_local_ = std::move(applied);
    pending_local_.reset();
    if (pending_remote_) current_remote_ = std::move(pending_remote_);
    pending_remote_.reset();
    before_remote_offer_.reset();  // answered: nothing left to roll back
    we_offered_ = false;
    set_signaling(SignalingState::kStable);
    start_transports(now);
  }
  if (!gathering_started_) {
    gathering_started_ = true;
    agent_->start_gathering(now);
  }
  pump(now);
  return {};
}

base::Result<void> PeerConnection::set_remote_description(base::Instant now, SessionDescription description) {
  now_ = now;
  if (auto ended = ended_error()) return *ended;
  if (description.type == SdpType::kRollback) {
    if (signaling_ != SignalingState::kHaveRemoteOffer && signaling_ != SignalingState::kHaveRemotePranswer) {
      return wrong_state("no remote offer to roll back in signaling state " + std::string(to_string(signaling_)));
    }
    pending_remote_.reset();
    remote_parsed_.reset();
    remote_.reset();
    if (current_remote_) {
      remote_parsed_ = current_remote_->model;
      remote_ = *read_remote(*remote_parsed_);
    }
    undo_remote_offer();
    set_signaling(signaling_ == SignalingState::kHaveRemoteOffer ? SignalingState::kStable
                                                                 : SignalingState::kHaveLocalOffer);
    return {};
  }
  const bool offer = description.type == SdpType::kOffer;
  if (offer && signaling_ != SignalingState::kStable && signaling_ != SignalingState::kHaveRemoteOffer) {
    return wrong_state("a remote offer in signaling state " + std::string(to_string(signaling_)));
  }
  if (!offer && signaling_ != SignalingState::kHaveLocalOffer && signaling_ != SignalingState::kHaveRemotePranswer) {
    return wrong_state("a remote answer in signaling state " + std::string(to_string(signaling_)));
  }
  auto parsed = sdp::SessionDescription::parse(description.sdp);
  if (!parsed) return parsed.error();
  auto remote = read_remote(*parsed);
  if (!remote) return remote.error();
  if (!offer && remote->setup == sdp::Setup::kActpass) {
    return invalid("the answer says a=setup:actpass; an answer must choose active or passive (RFC 8842 §5.3)");
  }
  if (remote_ && dtls_ && remote_->ice.ufrag != remote->ice.ufrag) {
    return base::Error{base::ErrorCode::kUnsupported, "the peer restarted ICE; ICE restarts by the peer are not supported yet"};
  }
  if (!agent_) {
    ice::AgentConfig config = configuration_.ice;
    config.role = offer ? ice::Role::kControlled : ice::Role::kControlling;
    agent_ = std::make_unique<ice::Agent>(config, random_);
    agent_->share_buffer_pool(pool_);
  }
  remote_parsed_ = std::make_shared<const sdp::SessionDescription>(*parsed);  // copied at size (see own_description)
  remote_ = std::move(*remote);
  if (offer) remember_before_remote_offer();
  apply_remote_media();
  if (offer) {
    pending_remote_ = PeerDescription{description.type, remote_parsed_};
    set_signaling(SignalingState::kHaveRemoteOffer);
  } else if (description.type == SdpType::kPranswer) {
    pending_remote_ = PeerDescription{description.type, remote_parsed_};
    set_signaling(SignalingState::kHaveRemotePranswer);
  } else {
    current_remote_ = PeerDescription{description.type, remote_parsed_};
    pending_remote_.reset();
    if (pending_local_) current_local_ = std::move(pending_local_);
    pending_local_.reset();
    we_offered_ = true;
    set_signaling(SignalingState::kStable);
  }
  apply_remote_ice(now);
  if (signaling_ == SignalingState::kStable) start_transports(now);
  pump(now);
  return {};
}

void PeerConnection::apply_remote_ice(base::Instant now) {
  if (remote_ice_applied_ != remote_->ice.ufrag) {
    if (!agent_->set_remote_credentials(remote_->ice, now)) return;
    remote_ice_applied_ = remote_->ice.ufrag;
  }
  for (const sdp::Candidate& candidate : remote_->candidates) {
    if (auto converted = from_sdp(candidate)) (void)agent_->add_remote_candidate(*converted, now);
  }
  for (const std::string& line : std::exchange(early_candidates_, {})) (void)add_ice_candidate(now, line);
  if (remote_->end_of_candidates) agent_->set_remote_end_of_candidates(now);
}

base::Result<void> PeerConnection::add_ice_candidate(base::Instant now, std::string_view candidate) {
  now_ = now;
  if (auto ended = ended_error()) return *ended;
  if (!remote_ || !agent_) {
    early_candidates_.emplace_back(candidate);
    return {};
  }
  if (candidate.empty()) {
    agent_->set_remote_end_of_candidates(now);
    pump(now);
    return {};
  }
  auto parsed = sdp::Candidate::parse(candidate);
  if (!parsed) return parsed.error();
  auto converted = from_sdp(*parsed);
  if (!converted) return converted.error();
  auto added = agent_->add_remote_candidate(*converted, now);
  pump(now);
  return added;
}

std::optional<SessionDescription> PeerConnection::local_description() const {
  const auto& description = pending_local_ ? pending_local_ : current_local_;
  if (!description) return std::nullopt;
  // The same description, now with the candidates gathered so far.
  LocalParameters local = local_parameters(description->type == SdpType::kOffer);
  local.media = described_media();
  local.version = description->version;
  local.setup = description->setup;
  auto built = build_description(local);
  if (!built) return std::nullopt;  // it was written once with these values: cannot happen
  return SessionDescription{description->type, built->to_string()};
}

std::optional<SessionDescription> PeerConnection::remote_description() const {
  const auto& description = pending_remote_ ? pending_remote_ : current_remote_;
  if (!description) return std::nullopt;
  return SessionDescription{description->type, description->model->to_string()};
}

void PeerConnection::set_signaling(SignalingState state) {
  if (signaling_ == state) return;
  signaling_ = state;
  emit(SignalingStateEvent{state});
}

base::Result<ChannelHandle> PeerConnection::create_data_channel(const sctp::ChannelInit& init) {
  if (auto ended = ended_error()) return *ended;
  if (init.max_retransmits && init.max_packet_lifetime) {
    return invalid("maxRetransmits and maxPacketLifeTime cannot both be set");
  }
  if (init.negotiated && !init.id) return invalid("a negotiated channel needs an id");
  const std::uint16_t streams = sctp_ ? sctp_->streams() : configuration_.sctp_streams;
  if (init.id && *init.id >= streams) {
    return invalid("channel id " + std::to_string(*init.id) + " is not below the " + std::to_string(streams) + " SCTP streams");
  }
  const ChannelHandle handle = next_handle_++;
  Channel& channel = channels_[handle];
  channel.init = init;
  if (sctp_) {
    open_channel(handle, channel);
    pump(now_);
  }
  return handle;
}

base::Result<void> PeerConnection::send(ChannelHandle handle, base::ByteView data, bool binary) {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return invalid("no channel " + std::to_string(handle));
  if (!found->second.stream || !sctp_ || found->second.state != sctp::ChannelState::kOpen) {
    return wrong_state("the channel is " + std::string(sctp::to_string(found->second.state)));
  }
  auto sent = sctp_->send(*found->second.stream, data, binary);
  if (sent) {
    ++found->second.messages_sent;
    found->second.bytes_sent += data.size();
  }
  pump(now_);
  return sent;
}

base::Result<void> PeerConnection::close_data_channel(ChannelHandle handle) {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return invalid("no channel " + std::to_string(handle));
  if (found->second.stream && sctp_) {
    auto closed = sctp_->close_channel(*found->second.stream);
    pump(now_);
    return closed;
  }
  channels_.erase(found);
  emit(DataChannelStateEvent{handle, sctp::ChannelState::kClosed});
  return {};
}

std::size_t PeerConnection::buffered_amount(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  if (found == channels_.end() || !found->second.stream || !sctp_) return 0;
  return sctp_->buffered_amount(*found->second.stream);
}

void PeerConnection::set_buffered_amount_low_threshold(ChannelHandle handle, std::size_t threshold) {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return;
  found->second.low_threshold = threshold;
  if (found->second.stream && sctp_) sctp_->set_buffered_amount_low_threshold(*found->second.stream, threshold);
}

std::optional<std::uint16_t> PeerConnection::channel_id(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return std::nullopt;
  return found->second.stream ? found->second.stream : found->second.init.id;
}

std::optional<sctp::ChannelState> PeerConnection::channel_state(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  if (found == channels_.end()) return std::nullopt;
  return found->second.state;
}

const sctp::ChannelInit* PeerConnection::channel_init(ChannelHandle handle) const {
  const auto found = channels_.find(handle);
  return found == channels_.end() ? nullptr : &found->second.init;
}

bool PeerConnection::accepts(const base::SocketAddress& remote, const ice::Inbound& datagram) const {
  if (closed_ || released_ || !agent_) return false;
  if (const auto ufrag = datagram.addressed_ufrag()) return *ufrag == local_ufrag();
  const auto& candidates = agent_->remote_candidates();
  return std::any_of(candidates.begin(), candidates.end(),
                     [&](const ice::Candidate& candidate) { return candidate.address == remote; });
}

}  // namespace rtcstack::pc
