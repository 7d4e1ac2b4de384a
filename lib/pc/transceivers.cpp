// Transceivers: the W3C RTCRtpTransceiver calls and their negotiation. Sections are read
// and answered by media_section.h; what they settle configures the transceiver's stream
// in the RTP session (transceivers_rtp.cpp carries its packets).
#include "pc/transceivers.h"

#include <algorithm>

#include "base/log.h"
#include "sdp/text.h"

namespace rtcstack::pc {

Transceivers::Transceivers(const Configuration& configuration, std::string cname, base::Random& random,
                           base::BufferPool& pool, base::RingQueue<Output>& outputs)
    : configuration_(configuration), cname_(std::move(cname)), random_(random), pool_(pool), outputs_(outputs) {}

Transceivers::~Transceivers() = default;

std::size_t Transceivers::live() const {
  return static_cast<std::size_t>(
      std::count_if(transceivers_.begin(), transceivers_.end(), [](const auto& entry) { return !entry.second.stopped; }));
}

base::Result<TransceiverHandle> Transceivers::add(MediaKind kind, const RtpTransceiverInit& init) {
  if (live() >= configuration_.max_transceivers) {
    return base::Error{base::ErrorCode::kResourceExhausted,
                       "the connection has " + std::to_string(configuration_.max_transceivers) +
                           " transceivers that are not stopped (Configuration::max_transceivers)"};
  }
  auto encodings = check_send_encodings(kind, init.send_encodings);
  if (!encodings) return encodings.error();
  const TransceiverHandle handle = make(kind, init.direction);
  transceivers_[handle].encodings = std::move(*encodings);
  return handle;
}

TransceiverHandle Transceivers::make(MediaKind kind, RtpTransceiverDirection direction) {
  const TransceiverHandle handle = next_handle_++;
  Transceiver& transceiver = transceivers_[handle];
  transceiver.kind = kind;
  transceiver.direction = direction;
  transceiver.encodings.resize(1);
  // The RTP session is made with the first transceiver: a connection of data channels
  // alone never holds one.
  if (!rtp_) {
    media::RtpSessionConfig config;
    config.cname = cname_;
    config.budget = configuration_.buffer_budget.get();
    config.congestion_control = configuration_.congestion_control;
    config.congestion.estimator.start_bps = configuration_.bitrate.start_bps;
    config.congestion.estimator.limits = {configuration_.bitrate.min_bps, configuration_.bitrate.max_bps};
    rtp_ = std::make_unique<media::RtpSession>(config, random_, pool_);
  }
  rtp_->add_stream(handle);
  return handle;
}

base::Result<TransceiverHandle> Transceivers::add_track(MediaKind kind) {
  for (auto& [handle, transceiver] : transceivers_) {
    if (!transceiver.made_for_remote_offer || transceiver.stopped || transceiver.kind != kind) continue;
    transceiver.made_for_remote_offer = false;
    transceiver.direction = sdp::receives(transceiver.direction) ? RtpTransceiverDirection::kSendRecv : RtpTransceiverDirection::kSendOnly;
    return handle;
  }
  return add(kind, RtpTransceiverInit{});
}

base::Result<void> Transceivers::set_direction(TransceiverHandle handle, RtpTransceiverDirection direction) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (found->second.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  found->second.direction = direction;
  found->second.made_for_remote_offer = false;  // the application chose what it does
  return {};
}

base::Result<void> Transceivers::stop(TransceiverHandle handle) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (ended_) return *ended_;
  Transceiver& transceiver = found->second;
  if (transceiver.stopped) return {};
  transceiver.stopped = true;
  transceiver.stopped_locally = true;
  transceiver.track_announced = false;  // ended by the application: no TrackEndedEvent
  transceiver.direction = RtpTransceiverDirection::kInactive;
  // RFC 3550 §6.6: a BYE ends our stream for the peer at once, before the renegotiation
  // that removes the section.
  rtp_->remove_stream(handle);
  return {};
}

bool Transceivers::stopped(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found != transceivers_.end() && found->second.stopped;
}

std::optional<std::string> Transceivers::mid(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found == transceivers_.end() ? std::nullopt : found->second.mid;
}

std::optional<MediaKind> Transceivers::kind(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found == transceivers_.end() ? std::nullopt : std::optional<MediaKind>(found->second.kind);
}

namespace {

// `codec` of our answer with the peer's fmtp for it (its receive parameters: what governs
// how we send, RFC 7587 §6.1, RFC 6184 §8.1).
CodecParameters with_peer_fmtp(CodecParameters codec, const RemoteMedia& remote) {
  for (const CodecParameters& theirs : remote.codecs) {
    if (theirs.payload_type == codec.payload_type) codec.fmtp = theirs.fmtp;
  }
  return codec;
}

}  // namespace

std::optional<CodecParameters> Transceivers::send_codec(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end() || !found->second.remote || found->second.remote->codecs.empty()) return std::nullopt;
  const std::optional<LocalMedia>& local = found->second.local;
  // RFC 3264 §6.1: both ends send with the answer's first codec. As the answerer that is
  // our section's; as the offerer the peer's, in our payload types.
  if (local && local->answer && !local->codecs.empty()) return with_peer_fmtp(local->codecs.front(), *found->second.remote);
  CodecParameters codec = found->second.remote->codecs.front();
  // RTX only when our offer had it for this codec too.
  const bool rtx = local && std::any_of(local->codecs.begin(), local->codecs.end(), [&](const CodecParameters& offered) {
                     return same_codec(offered, codec) && offered.rtx_payload_type;
                   });
  if (!rtx) codec.rtx_payload_type.reset();
  return codec;
}

std::vector<CodecParameters> Transceivers::negotiated_codecs(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end() || !found->second.local || !found->second.remote) return {};
  // The answer's codecs (ours when we answered, else the peer's), with the peer's fmtp.
  if (!found->second.local->answer) return found->second.remote->codecs;
  std::vector<CodecParameters> codecs;
  for (const CodecParameters& codec : found->second.local->codecs) codecs.push_back(with_peer_fmtp(codec, *found->second.remote));
  return codecs;
}

base::Result<void> Transceivers::set_codec_preferences(TransceiverHandle handle, std::vector<CodecParameters> codecs) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (found->second.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  const std::vector<CodecParameters> supported = supported_codecs(found->second.kind);
  // W3C: RTX (and other repair formats) in the list are allowed and follow their codecs.
  std::erase_if(codecs, [](const CodecParameters& codec) { return sdp::iequals(codec.name, "rtx"); });
  for (const CodecParameters& codec : codecs) {
    const bool known = std::any_of(supported.begin(), supported.end(),
                                   [&](const CodecParameters& ours) { return same_codec(ours, codec); });
    if (!known) {
      return base::Error{base::ErrorCode::kInvalidArgument,
                         "setCodecPreferences: " + codec.name + (codec.fmtp.empty() ? "" : " " + codec.fmtp) +
                             " is not a " + std::string(to_string(found->second.kind)) + " codec rtcstack has"};
    }
  }
  found->second.codec_preferences = std::move(codecs);
  return {};
}

std::vector<RtpEncodingParameters> Transceivers::send_encodings(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found == transceivers_.end() ? std::vector<RtpEncodingParameters>{} : found->second.encodings;
}

base::Result<void> Transceivers::set_send_encodings(TransceiverHandle handle, std::vector<RtpEncodingParameters> encodings) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (found->second.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  if (auto checked = check_encodings_change(found->second.encodings, encodings); !checked) return checked.error();
  if (found->second.kind == MediaKind::kAudio) encodings.front().scale_resolution_down_by.reset();
  found->second.encodings = std::move(encodings);
  return {};
}

std::vector<std::string> Transceivers::receive_rids(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found == transceivers_.end() ? std::vector<std::string>{} : found->second.receiving_rids;
}

std::vector<LocalMedia> Transceivers::described_media() const {
  std::vector<LocalMedia> sections;
  for (const auto& [handle, transceiver] : transceivers_) {
    if (transceiver.local) sections.push_back(*transceiver.local);
  }
  return sections;
}

std::string Transceivers::unused_mid(const sdp::SessionDescription* remote, const std::string& also_taken) const {
  // The smallest number no section of the peer's description, no transceiver and not
  // `also_taken` uses (RFC 8843 §7.2.1 wants them unique).
  const auto taken = [&](const std::string& mid) {
    if (mid == also_taken) return true;
    if (remote != nullptr) {
      for (const auto& section : remote->media) {
        if (section.mid() == mid) return true;
      }
    }
    return std::any_of(transceivers_.begin(), transceivers_.end(), [&](const auto& entry) { return entry.second.mid == mid; });
  };
  std::size_t next = 0;
  while (taken(std::to_string(next))) ++next;
  return std::to_string(next);
}

std::vector<LocalMedia> Transceivers::local_media(bool offer, const std::string& data_mid,
                                                const sdp::SessionDescription* remote) {
  std::vector<LocalMedia> sections;
  for (auto& [handle, transceiver] : transceivers_) {
    if (transceiver.stopped) {
      transceiver.local.reset();  // its section, if it has one, is written rejected
      continue;
    }
    LocalMedia section;
    if (offer) {
      if (!transceiver.mid) transceiver.mid = unused_mid(remote, data_mid);
      section.mid = *transceiver.mid;
      section.kind = transceiver.kind;
      section.direction = transceiver.direction;
      section.codecs = offer_codecs(transceiver.kind, transceiver.local ? &*transceiver.local : nullptr,
                                    transceiver.codec_preferences);
      section.extensions = transceiver.local ? transceiver.local->extensions : supported_extensions(transceiver.kind);
      // Simulcast we send is offered with its rids; what we received before is offered
      // to be received again.
      if (transceiver.kind == MediaKind::kVideo && transceiver.encodings.size() > 1 && sdp::sends(section.direction)) {
        for (const RtpEncodingParameters& encoding : transceiver.encodings) section.send_rids.push_back(encoding.rid);
      }
      if (transceiver.local && sdp::receives(section.direction)) section.receive_rids = transceiver.local->receive_rids;
    } else {
      if (!transceiver.mid || !transceiver.remote || transceiver.remote->rejected) continue;
      auto answer = answer_media(*transceiver.remote, transceiver.direction, transceiver.codec_preferences);
      if (!answer) {
        // W3C: a transceiver whose section the answer rejects is stopped.
        RTC_LOG(kInfo, "pc") << "rejecting section " << *transceiver.mid << ": " << answer.error().message;
        transceiver.stopped = true;
        transceiver.local.reset();
        continue;
      }
      section = std::move(*answer);
      // An offer that asks for simulcast gets the encodings it names that we send.
      if (sdp::sends(section.direction) && transceiver.encodings.size() > 1 &&
          media_extension_id(section.extensions, media::ExtensionKind::kRid)) {
        for (const RtpEncodingParameters& encoding : transceiver.encodings) {
          const auto& wanted = transceiver.remote->receive_rids;
          if (std::find(wanted.begin(), wanted.end(), encoding.rid) != wanted.end()) section.send_rids.push_back(encoding.rid);
        }
      }
    }
    section.ssrc = rtp_->ssrc(handle);
    const bool rtx = std::any_of(section.codecs.begin(), section.codecs.end(),
                                 [](const CodecParameters& codec) { return codec.rtx_payload_type.has_value(); });
    if (rtx) section.rtx_ssrc = rtp_->rtx_ssrc(handle);
    section.cname = cname_;
    section.stream_id = "rtcstack";
    section.track_id = std::string(to_string(transceiver.kind)) + "-" + std::to_string(handle);
    transceiver.local = section;
    sections.push_back(std::move(section));
  }
  configure_streams();
  return sections;
}

Transceivers::Transceiver* Transceivers::match(const RemoteMedia& section) {
  for (auto& [handle, candidate] : transceivers_) {
    if (candidate.mid == section.mid) return &candidate;
  }
  // W3C setRemoteDescription: take a transceiver of the kind that has no section yet,
  // or make one that only receives.
  Transceiver* transceiver = nullptr;
  for (auto& [handle, candidate] : transceivers_) {
    if (!candidate.mid && candidate.kind == section.kind && transceiver == nullptr) transceiver = &candidate;
  }
  if (transceiver == nullptr) {
    // Past the cap, a section still gets a transceiver (JSEP answers every section),
    // but a stopped one: the answer rejects it, and it holds no media state.
    const bool room = live() < configuration_.max_transceivers;
    transceiver = &transceivers_[make(section.kind, RtpTransceiverDirection::kRecvOnly)];
    transceiver->made_for_remote_offer = room;
    if (!room) {
      RTC_LOG(kInfo, "pc") << "rejecting section " << section.mid << ": more than " << configuration_.max_transceivers
                           << " transceivers";
      transceiver->stopped = true;
      transceiver->direction = RtpTransceiverDirection::kInactive;
    }
  }
  transceiver->mid = section.mid;
  return transceiver;
}

void Transceivers::apply_remote_media(const std::vector<RemoteMedia>& sections, bool answer) {
  for (const RemoteMedia& section : sections) {
    Transceiver* transceiver = match(section);
    transceiver->remote = section;
    // W3C: a description rejecting the section stops its transceiver.
    if (section.rejected) transceiver->stopped = true;
    follow_remote_simulcast(*transceiver, section, answer);
  }
  configure_streams();
  announce_tracks();
}

void Transceivers::follow_remote_simulcast(Transceiver& transceiver, const RemoteMedia& section, bool answer) {
  std::vector<RtpEncodingParameters>& encodings = transceiver.encodings;
  const bool default_encodings = encodings.size() == 1 && encodings.front() == RtpEncodingParameters{};
  if (!answer && !transceiver.local && default_encodings && section.receive_rids.size() > 1) {
    // A sender never negotiated and given no encodings sends those a simulcast offer asks for.
    encodings.clear();
    for (const std::string& rid : section.receive_rids) encodings.push_back(RtpEncodingParameters{rid, true, {}, {}});
    encodings = *check_send_encodings(transceiver.kind, std::move(encodings));  // valid rids: read_remote_media checked them
  } else if (answer && transceiver.local && !transceiver.local->send_rids.empty()) {
    // The encodings an answer did not take are gone; without a=simulcast only the first is left.
    const auto& taken = section.receive_rids;
    if (taken.empty()) {
      encodings.resize(1);
    } else {
      std::erase_if(encodings, [&](const RtpEncodingParameters& encoding) {
        return std::find(taken.begin(), taken.end(), encoding.rid) == taken.end();
      });
      if (encodings.empty()) encodings.emplace_back();
    }
  }
}

void Transceivers::announce_tracks() {
  for (auto& [handle, transceiver] : transceivers_) {
    if (!transceiver.mid || !transceiver.remote) continue;
    // A section without a codec in common is going to be rejected: no track for it.
    const bool peer_sends = !transceiver.stopped && !transceiver.remote->rejected && !transceiver.remote->codecs.empty() &&
                            sdp::sends(transceiver.remote->direction);
    if (peer_sends && !transceiver.track_announced) {
      transceiver.track_announced = true;
      emit(TrackEvent{handle, transceiver.kind, *transceiver.mid, transceiver.remote->stream_id, transceiver.remote->track_id});
    } else if (!peer_sends && transceiver.track_announced) {
      transceiver.track_announced = false;
      emit(TrackEndedEvent{handle});
    }
  }
}

}  // namespace rtcstack::pc
