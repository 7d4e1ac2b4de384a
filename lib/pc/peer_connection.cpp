// PeerConnection: signaling (JSEP offer/answer, rollback), and the data-channel and
// transceiver calls handed to their registries (data_channels.h, transceivers.h). The
// transport's life and the IO calls are in peer_connection_io.cpp.
#include "pc/peer_connection.h"

#include <algorithm>

#include "dtls/endpoint.h"
#include "ice/agent.h"
#include "pc/data_channels.h"
#include "pc/jsep.h"
#include "pc/transceivers.h"
#include "pc/transport.h"
#include "pc/transport_stats.h"
#include "sctp/association.h"
#include "sdp/session_description.h"

namespace rtcstack::pc {
namespace {

base::Error wrong_state(std::string message) { return {base::ErrorCode::kWrongState, std::move(message)}; }
base::Error invalid(std::string message) { return {base::ErrorCode::kInvalidArgument, std::move(message)}; }

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
    : configuration_(std::move(configuration)),
      random_(random),
      session_id_(std::to_string(random_.next_u64() >> 2)) {  // fits the 63 bits RFC 8866 §5.2 suggests
  if (configuration_.ice.credentials.ufrag.empty()) {
    configuration_.ice.credentials = new_credentials(random_);
  }
  channels_ = std::make_unique<DataChannels>(outputs_);
  media_ = std::make_unique<Transceivers>(configuration_, session_id_, random_, pool_, outputs_);
  Transport::Listener listener;
  listener.ice_state = [this](IceConnectionState state) { on_ice_state(state); };
  listener.dtls_state = [this](base::Instant now, DtlsTransportState state, bool rejected, const std::string& reason) {
    on_dtls_state(now, state, rejected, reason);
  };
  transport_ = std::make_unique<Transport>(configuration_, random_, pool_, outputs_, *channels_, *media_, std::move(listener));
}

PeerConnection::~PeerConnection() = default;

std::optional<base::Error> PeerConnection::ended_error() const {
  if (closed_) return wrong_state("the connection is closed");
  if (released_) return wrong_state("the connection has failed (" + end_reason_ + ")");
  return std::nullopt;
}

LocalParameters PeerConnection::local_parameters(bool offer) const {
  LocalParameters local;
  local.session_id = session_id_;
  local.version = version_;
  local.ice = local_credentials();
  const auto fingerprint = configuration_.certificate->fingerprint();
  local.fingerprint = {fingerprint->algorithm, fingerprint->digest};
  local.max_message_size = configuration_.max_message_size;
  local.max_bundle = configuration_.bundle_policy == BundlePolicy::kMaxBundle;
  if (transport_->dtls()) {
    // RFC 8842 §5.5: once the DTLS association exists, both sides keep their roles.
    local.setup = transport_->dtls_client() ? sdp::Setup::kActive : sdp::Setup::kPassive;
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
    if (local.data_mid.empty() && !channels_->empty()) local.data_mid = media_->unused_mid(remote_parsed_.get());
  }
  if (const ice::Agent* agent = transport_->agent()) {
    local.candidates = agent->local_candidates();
    local.end_of_candidates = agent->gathering_state() == IceGatheringState::kComplete;
  }
  return local;
}

base::Result<PeerConnection::OwnDescription> PeerConnection::own_description(SdpType type,
                                                                             const LocalParameters& local) const {
  auto model = build_description(local);
  if (!model) return model.error();
  // Copied, not moved: a copy's vectors and strings are allocated at their size, without
  // the slack of being built line by line (it is kept for the connection's lifetime).
  return OwnDescription{type, std::make_shared<const sdp::SessionDescription>(*model), local.version, local.setup,
                        local.ice};
}

base::Result<SessionDescriptionInit> PeerConnection::create_offer() {
  if (auto ended = ended_error()) return *ended;
  if (signaling_ != SignalingState::kStable && signaling_ != SignalingState::kHaveLocalOffer) {
    return wrong_state("create_offer() in signaling state " + std::string(to_string(signaling_)));
  }
  return create_description(SdpType::kOffer);
}

base::Result<SessionDescriptionInit> PeerConnection::create_answer() {
  if (auto ended = ended_error()) return *ended;
  if (signaling_ != SignalingState::kHaveRemoteOffer && signaling_ != SignalingState::kHaveLocalPranswer) {
    return wrong_state("create_answer() in signaling state " + std::string(to_string(signaling_)));
  }
  return create_description(SdpType::kAnswer);
}

base::Result<SessionDescriptionInit> PeerConnection::create_description(SdpType type) {
  const bool offer = type == SdpType::kOffer;
  ++version_;
  LocalParameters local = local_parameters(offer);
  if (offer && ice_restart_requested_) {
    if (!restart_credentials_) restart_credentials_ = new_credentials(random_);
    local.ice = *restart_credentials_;
  }
  local.candidates.clear();  // candidates come by trickle, or with local_description() later
  local.end_of_candidates = false;
  local.media = media_->local_media(offer, local.data_mid, remote_parsed_.get());
  auto built = own_description(type, local);
  if (!built) return built.error();
  auto& created = offer ? last_offer_ : last_answer_;
  created = std::move(*built);
  return SessionDescriptionInit{type, created->model->to_string()};
}

base::Result<void> PeerConnection::set_local_description(base::Instant now, SessionDescriptionInit description) {
  now_ = now;
  if (auto ended = ended_error()) return *ended;
  if (description.type == SdpType::kRollback) {
    if (signaling_ != SignalingState::kHaveLocalOffer && signaling_ != SignalingState::kHaveLocalPranswer) {
      return wrong_state("no local offer to roll back in signaling state " + std::string(to_string(signaling_)));
    }
    if (undo_ice_restart(now)) ice_restart_requested_ = true;  // still wanted, in the next offer
    pending_local_.reset();
    set_signaling(signaling_ == SignalingState::kHaveLocalOffer ? SignalingState::kStable
                                                                : SignalingState::kHaveRemoteOffer);
    pump(now);
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
  ice::Agent& agent = transport_->make_agent(now, offer);
  if (offer && agent.local_credentials().ufrag != created->ice.ufrag) restart_agent(now, created->ice);
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
    media_->forget_before_remote_offer();  // answered: nothing left to roll back
    we_offered_ = false;
    set_signaling(SignalingState::kStable);
    start_transports(now);
  }
  if (!gathering_started_) {
    gathering_started_ = true;
    agent.start_gathering(now);
  }
  pump(now);
  return {};
}

base::Result<void> PeerConnection::set_remote_description(base::Instant now, SessionDescriptionInit description) {
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
      remote_ = std::make_shared<const RemoteParameters>(*read_remote(*remote_parsed_));
    }
    media_->undo_remote_offer();
    (void)undo_ice_restart(now);
    set_signaling(signaling_ == SignalingState::kHaveRemoteOffer ? SignalingState::kStable
                                                                 : SignalingState::kHaveLocalOffer);
    pump(now);
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
  ice::Agent& agent = transport_->make_agent(now, !offer);
  if (!remote_ice_applied_.empty() && remote_ice_applied_ != remote->ice.ufrag) {
    // The peer restarts ICE (RFC 8445 §9): its offer's answer carries new credentials of
    // ours; an answer that changes only the peer's (JSEP forbids it) keeps ours.
    restart_agent(now, offer ? new_credentials(random_) : agent.local_credentials());
  }
  remote_parsed_ = std::make_shared<const sdp::SessionDescription>(*parsed);  // copied at size (see own_description)
  remote_ = std::make_shared<const RemoteParameters>(std::move(*remote));
  transport_->set_mid(remote_->transport_mid);
  if (offer) media_->remember_before_remote_offer();
  media_->apply_remote_media(remote_->media, !offer);
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
  ice::Agent& agent = *transport_->agent();
  if (remote_ice_applied_ != remote_->ice.ufrag) {
    if (!agent.set_remote_credentials(remote_->ice, now)) return;
    remote_ice_applied_ = remote_->ice.ufrag;
    unresolved_.clear();  // the candidates of the peer's previous credentials
  }
  for (const sdp::Candidate& candidate : remote_->candidates) {
    if (auto converted = from_sdp(candidate)) (void)add_remote_candidate(now, std::move(*converted));
  }
  for (const std::string& line : std::exchange(early_candidates_, {})) (void)add_ice_candidate(now, line);
  if (remote_->end_of_candidates) agent.set_remote_end_of_candidates(now);
}

base::Result<void> PeerConnection::add_ice_candidate(base::Instant now, std::string_view candidate) {
  now_ = now;
  if (auto ended = ended_error()) return *ended;
  ice::Agent* agent = transport_->agent();
  if (!remote_ || agent == nullptr) {
    keep_early(candidate);
    return {};
  }
  if (candidate.empty()) {
    agent->set_remote_end_of_candidates(now);
    pump(now);
    return {};
  }
  auto parsed = sdp::Candidate::parse(candidate);
  if (!parsed) return parsed.error();
  if (const auto ufrag = parsed->extension("ufrag"); ufrag && *ufrag != remote_->ice.ufrag) {
    // W3C usernameFragment: a candidate of the peer's ICE restart, here before the
    // description that restarts: it waits for it.
    keep_early(candidate);
    return {};
  }
  auto converted = from_sdp(*parsed);
  if (!converted) return converted.error();
  auto added = add_remote_candidate(now, std::move(*converted));
  pump(now);
  return added;
}

void PeerConnection::keep_early(std::string_view candidate) {
  // At most as many as one description may bring; the oldest go first.
  if (early_candidates_.size() >= configuration_.ice.max_remote_candidates) early_candidates_.erase(early_candidates_.begin());
  early_candidates_.emplace_back(candidate);
}

std::optional<SessionDescriptionInit> PeerConnection::local_description() const {
  const auto& description = pending_local_ ? pending_local_ : current_local_;
  if (!description) return std::nullopt;
  // The same description, now with the candidates gathered so far.
  LocalParameters local = local_parameters(description->type == SdpType::kOffer);
  local.media = media_->described_media();
  local.version = description->version;
  local.setup = description->setup;
  local.ice = description->ice;
  auto built = build_description(local);
  if (!built) return std::nullopt;  // it was written once with these values: cannot happen
  return SessionDescriptionInit{description->type, built->to_string()};
}

std::optional<SessionDescriptionInit> PeerConnection::remote_description() const {
  const auto& description = pending_remote_ ? pending_remote_ : current_remote_;
  if (!description) return std::nullopt;
  return SessionDescriptionInit{description->type, description->model->to_string()};
}

void PeerConnection::set_signaling(SignalingState state) {
  if (signaling_ == state) return;
  signaling_ = state;
  emit(SignalingStateEvent{state});
}

base::Result<ChannelHandle> PeerConnection::create_data_channel(const DataChannelInit& init) {
  if (auto ended = ended_error()) return *ended;
  sctp::Association* sctp = transport_->sctp();
  auto created = channels_->create(init, sctp, sctp != nullptr ? sctp->streams() : configuration_.sctp_streams);
  if (created && sctp != nullptr) pump(now_);
  return created;
}

base::Result<void> PeerConnection::send(ChannelHandle channel, base::ByteView data, bool binary) {
  auto sent = channels_->send(channel, data, binary, transport_->sctp());
  pump(now_);
  return sent;
}

base::Result<void> PeerConnection::close_data_channel(ChannelHandle channel) {
  auto closed = channels_->close(channel, transport_->sctp());
  pump(now_);
  return closed;
}

std::size_t PeerConnection::buffered_amount(ChannelHandle channel) const {
  return channels_->buffered_amount(channel, transport_->sctp());
}

void PeerConnection::set_buffered_amount_low_threshold(ChannelHandle channel, std::size_t threshold) {
  channels_->set_buffered_amount_low_threshold(channel, threshold, transport_->sctp());
}

std::optional<std::uint16_t> PeerConnection::channel_id(ChannelHandle channel) const { return channels_->id(channel); }

std::optional<DataChannelState> PeerConnection::channel_state(ChannelHandle channel) const {
  return channels_->state(channel);
}

const DataChannelInit* PeerConnection::channel_init(ChannelHandle channel) const { return channels_->init(channel); }

// Transceivers (transceivers.h): the transport's state is checked here, the rest there.
base::Result<TransceiverHandle> PeerConnection::add_transceiver(MediaKind kind, RtpTransceiverDirection direction) {
  if (auto ended = ended_error()) return *ended;
  return media_->add(kind, RtpTransceiverInit{direction, {}});
}

base::Result<TransceiverHandle> PeerConnection::add_transceiver(MediaKind kind, const RtpTransceiverInit& init) {
  if (auto ended = ended_error()) return *ended;
  return media_->add(kind, init);
}

base::Result<TransceiverHandle> PeerConnection::add_track(MediaKind kind) {
  if (auto ended = ended_error()) return *ended;
  return media_->add_track(kind);
}

base::Result<void> PeerConnection::set_direction(TransceiverHandle transceiver, RtpTransceiverDirection direction) {
  return media_->set_direction(transceiver, direction);
}

base::Result<void> PeerConnection::stop_transceiver(TransceiverHandle transceiver) {
  auto stopped = media_->stop(transceiver);
  pump(now_);  // the stream's BYE
  return stopped;
}

bool PeerConnection::transceiver_stopped(TransceiverHandle transceiver) const { return media_->stopped(transceiver); }

std::optional<std::string> PeerConnection::transceiver_mid(TransceiverHandle transceiver) const {
  return media_->mid(transceiver);
}

std::optional<MediaKind> PeerConnection::transceiver_kind(TransceiverHandle transceiver) const {
  return media_->kind(transceiver);
}

std::optional<CodecParameters> PeerConnection::send_codec(TransceiverHandle transceiver) const {
  return media_->send_codec(transceiver);
}

std::vector<CodecParameters> PeerConnection::negotiated_codecs(TransceiverHandle transceiver) const {
  return media_->negotiated_codecs(transceiver);
}

base::Result<void> PeerConnection::set_codec_preferences(TransceiverHandle transceiver, std::vector<CodecParameters> codecs) {
  return media_->set_codec_preferences(transceiver, std::move(codecs));
}

std::vector<CodecParameters> PeerConnection::codec_capabilities(MediaKind kind) { return supported_codecs(kind); }

std::vector<RtpEncodingParameters> PeerConnection::send_encodings(TransceiverHandle transceiver) const {
  return media_->send_encodings(transceiver);
}

base::Result<void> PeerConnection::set_send_encodings(TransceiverHandle transceiver, std::vector<RtpEncodingParameters> encodings) {
  return media_->set_send_encodings(transceiver, std::move(encodings));
}

std::vector<std::string> PeerConnection::receive_rids(TransceiverHandle transceiver) const {
  return media_->receive_rids(transceiver);
}

base::Result<void> PeerConnection::send_rtp(TransceiverHandle transceiver, base::ByteView payload, std::uint32_t timestamp,
                                            bool marker, std::string_view rid) {
  auto sent = media_->send_rtp(now_, transceiver, payload, timestamp, marker, rid);
  if (sent) pump(now_);
  return sent;
}

base::Result<void> PeerConnection::request_key_frame(TransceiverHandle transceiver, std::string_view rid) {
  auto sent = media_->request_key_frame(now_, transceiver, rid);
  if (sent) pump(now_);
  return sent;
}

base::Result<void> PeerConnection::send_nack(TransceiverHandle transceiver, std::span<const std::uint16_t> lost,
                                             std::string_view rid) {
  auto sent = media_->send_nack(now_, transceiver, lost, rid);
  if (sent) pump(now_);
  return sent;
}

std::vector<Stats> PeerConnection::get_stats(base::Instant now) const {
  const double timestamp = static_cast<double>(now.nanoseconds_since_origin()) / 1e6;
  std::vector<Stats> report;
  report.push_back(Stats{"P01", "peer-connection", timestamp,
                         {{"dataChannelsOpened", channels_->opened()}, {"dataChannelsClosed", channels_->closed()}}});
  std::optional<dtls::Fingerprint> remote_fingerprint;
  if (remote_ && !remote_->fingerprints.empty()) {
    remote_fingerprint = dtls::Fingerprint{remote_->fingerprints.front().algorithm, remote_->fingerprints.front().digest};
  }
  append_transport_stats({transport_->counters(), ice_connection_state(), dtls_state_, transport_->dtls_client(),
                          *configuration_.certificate, std::move(remote_fingerprint), transport_->agent()},
                         timestamp, report);
  media_->append_stats(timestamp, report);
  channels_->append_stats(timestamp, report);
  if (const auto estimate = media_->bandwidth_estimate()) append_bandwidth_stats(*estimate, media_->congestion_counters(), report);
  return report;
}

}  // namespace rtcstack::pc
