// PeerConnection: transceivers and their RTP. Sections are negotiated by media_section.h;
// once DTLS exports keys, RTP and RTCP travel SRTP-protected on the BUNDLE transport.
// Incoming packets find their transceiver by SSRC (from the SDP or learned), the mid
// header extension, or the payload type; NACKs are answered from a history of sent
// packets (RTX when negotiated), PLI and FIR become KeyFrameRequestEvents.
#include <algorithm>

#include "base/log.h"
#include "media/rtcp_feedback.h"
#include "media/rtcp_reports.h"
#include "pc/peer_connection.h"

namespace rtcstack::pc {
namespace {

constexpr std::size_t kMaxRtpPayload = 1400;  // with header and SRTP tag still under a 1500-byte MTU
constexpr std::size_t kPacketRoom = 1500 + srtp::kMaxOverhead;
// RFC 3550 §6.2 lets RTCP take 5% of the session; at WebRTC's rates one compound per
// stream per second is well under it, and what browsers do for video.
constexpr base::Duration kReportInterval = base::Duration::seconds(1);

bool sends(sdp::Direction direction) {
  return direction == sdp::Direction::kSendRecv || direction == sdp::Direction::kSendOnly;
}
bool receives(sdp::Direction direction) {
  return direction == sdp::Direction::kSendRecv || direction == sdp::Direction::kRecvOnly;
}

std::optional<std::uint8_t> extension_id(const std::vector<std::pair<std::uint8_t, media::ExtensionKind>>& extensions,
                                         media::ExtensionKind kind) {
  for (const auto& [id, k] : extensions) {
    if (k == kind) return id;
  }
  return std::nullopt;
}

}  // namespace

std::size_t PeerConnection::live_transceivers() const {
  return static_cast<std::size_t>(
      std::count_if(transceivers_.begin(), transceivers_.end(), [](const auto& entry) { return !entry.second.stopped; }));
}

base::Result<TransceiverHandle> PeerConnection::add_transceiver(MediaKind kind, sdp::Direction direction) {
  if (auto ended = ended_error()) return *ended;
  if (live_transceivers() >= configuration_.max_transceivers) {
    return base::Error{base::ErrorCode::kResourceExhausted,
                       "the connection has " + std::to_string(configuration_.max_transceivers) +
                           " transceivers that are not stopped (Configuration::max_transceivers)"};
  }
  return new_transceiver(kind, direction);
}

TransceiverHandle PeerConnection::new_transceiver(MediaKind kind, sdp::Direction direction) {
  const TransceiverHandle handle = next_transceiver_++;
  Transceiver& transceiver = transceivers_[handle];
  transceiver.kind = kind;
  transceiver.direction = direction;
  transceiver.ssrc = static_cast<std::uint32_t>(random_.next_u64());
  transceiver.rtx_ssrc = static_cast<std::uint32_t>(random_.next_u64());
  transceiver.sequence = static_cast<std::uint16_t>(random_.next_u64());
  transceiver.rtx_sequence = static_cast<std::uint16_t>(random_.next_u64());
  return handle;
}

base::Result<TransceiverHandle> PeerConnection::add_track(MediaKind kind) {
  if (auto ended = ended_error()) return *ended;
  for (auto& [handle, transceiver] : transceivers_) {
    if (!transceiver.made_for_remote_offer || transceiver.stopped || transceiver.kind != kind) continue;
    transceiver.made_for_remote_offer = false;
    transceiver.direction = receives(transceiver.direction) ? sdp::Direction::kSendRecv : sdp::Direction::kSendOnly;
    return handle;
  }
  return add_transceiver(kind, sdp::Direction::kSendRecv);
}

base::Result<void> PeerConnection::set_direction(TransceiverHandle handle, sdp::Direction direction) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (found->second.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  found->second.direction = direction;
  found->second.made_for_remote_offer = false;  // the application chose what it does
  return {};
}

base::Result<void> PeerConnection::stop_transceiver(TransceiverHandle handle) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (auto ended = ended_error()) return *ended;
  Transceiver& transceiver = found->second;
  if (transceiver.stopped) return {};
  // RFC 3550 §6.6: a BYE ends our stream for the peer at once, before the renegotiation
  // that removes the section.
  if (srtp_send_ && (transceiver.send_stats || transceiver.receive_stats)) {
    const std::uint32_t ssrc = transceiver.ssrc;
    (void)send_compound(transceiver, [&](media::RtcpWriter& writer) { media::write_bye(writer, {&ssrc, 1}); });
  }
  transceiver.stopped = true;
  transceiver.track_announced = false;  // ended by the application: no TrackEndedEvent
  transceiver.direction = sdp::Direction::kInactive;
  transceiver.history.reset();
  return {};
}

bool PeerConnection::transceiver_stopped(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found != transceivers_.end() && found->second.stopped;
}

std::optional<std::string> PeerConnection::transceiver_mid(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found == transceivers_.end() ? std::nullopt : found->second.mid;
}

std::optional<MediaKind> PeerConnection::transceiver_kind(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  return found == transceivers_.end() ? std::nullopt : std::optional<MediaKind>(found->second.kind);
}

std::optional<CodecParameters> PeerConnection::send_codec(TransceiverHandle handle) const {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end() || !found->second.remote || found->second.remote->codecs.empty()) return std::nullopt;
  // The peer's section lists the codecs we share first-choice first, in its payload types.
  CodecParameters codec = found->second.remote->codecs.front();
  if (!found->second.local || found->second.local->codecs.empty() || !found->second.local->codecs.front().rtx_payload_type) {
    codec.rtx_payload_type.reset();
  }
  return codec;
}

std::vector<LocalMedia> PeerConnection::described_media() const {
  std::vector<LocalMedia> sections;
  for (const auto& [handle, transceiver] : transceivers_) {
    if (transceiver.local) sections.push_back(*transceiver.local);
  }
  return sections;
}

std::string PeerConnection::unused_mid(const std::string& also_taken) const {
  // The smallest number no section of the peer's description, no transceiver and not
  // `also_taken` uses (RFC 8843 §7.2.1 wants them unique).
  const auto taken = [&](const std::string& mid) {
    if (mid == also_taken) return true;
    if (remote_parsed_) {
      for (const auto& section : remote_parsed_->media) {
        if (section.mid() == mid) return true;
      }
    }
    return std::any_of(transceivers_.begin(), transceivers_.end(), [&](const auto& entry) { return entry.second.mid == mid; });
  };
  std::size_t next = 0;
  while (taken(std::to_string(next))) ++next;
  return std::to_string(next);
}

std::vector<LocalMedia> PeerConnection::local_media(bool offer, const std::string& data_mid) {
  std::vector<LocalMedia> sections;
  const std::string cname = session_id_;
  for (auto& [handle, transceiver] : transceivers_) {
    if (transceiver.stopped) {
      transceiver.local.reset();  // its section, if it has one, is written rejected
      continue;
    }
    LocalMedia section;
    if (offer) {
      if (!transceiver.mid) transceiver.mid = unused_mid(data_mid);
      section.mid = *transceiver.mid;
      section.kind = transceiver.kind;
      section.direction = transceiver.direction;
      section.codecs = transceiver.local ? transceiver.local->codecs : supported_codecs(transceiver.kind);
      section.extensions = transceiver.local ? transceiver.local->extensions : supported_extensions(transceiver.kind);
    } else {
      if (!transceiver.mid || !transceiver.remote || transceiver.remote->rejected) continue;
      auto answer = answer_media(*transceiver.remote, transceiver.direction);
      if (!answer) {
        // W3C: a transceiver whose section the answer rejects is stopped.
        RTC_LOG(kInfo, "pc") << "rejecting section " << *transceiver.mid << ": " << answer.error().message;
        transceiver.stopped = true;
        transceiver.local.reset();
        continue;
      }
      section = std::move(*answer);
    }
    section.ssrc = transceiver.ssrc;
    const bool rtx = std::any_of(section.codecs.begin(), section.codecs.end(),
                                 [](const CodecParameters& codec) { return codec.rtx_payload_type.has_value(); });
    if (rtx) section.rtx_ssrc = transceiver.rtx_ssrc;
    section.cname = cname;
    section.stream_id = "rtcstack";
    section.track_id = std::string(to_string(transceiver.kind)) + "-" + std::to_string(handle);
    transceiver.local = section;
    sections.push_back(std::move(section));
  }
  return sections;
}

void PeerConnection::apply_remote_media() {
  if (!remote_) return;
  for (const RemoteMedia& section : remote_->media) {
    Transceiver* transceiver = nullptr;
    for (auto& [handle, candidate] : transceivers_) {
      if (candidate.mid == section.mid) transceiver = &candidate;
    }
    if (transceiver == nullptr) {
      // W3C setRemoteDescription: take a transceiver of the kind that has no section yet,
      // or make one that only receives.
      for (auto& [handle, candidate] : transceivers_) {
        if (!candidate.mid && candidate.kind == section.kind && transceiver == nullptr) transceiver = &candidate;
      }
      if (transceiver == nullptr) {
        // Past the cap, a section still gets a transceiver (JSEP answers every section),
        // but a stopped one: the answer rejects it, and it holds no media state.
        const bool room = live_transceivers() < configuration_.max_transceivers;
        transceiver = &transceivers_[new_transceiver(section.kind, sdp::Direction::kRecvOnly)];
        transceiver->made_for_remote_offer = room;
        if (!room) {
          RTC_LOG(kInfo, "pc") << "rejecting section " << section.mid << ": more than "
                               << configuration_.max_transceivers << " transceivers";
          transceiver->stopped = true;
          transceiver->direction = sdp::Direction::kInactive;
        }
      }
      transceiver->mid = section.mid;
    }
    transceiver->remote = section;
    // W3C: a description rejecting the section stops its transceiver.
    if (section.rejected) transceiver->stopped = true;
    if (!section.ssrcs.empty()) transceiver->remote_ssrc = section.ssrcs.front();
  }
  for (auto& [handle, transceiver] : transceivers_) {
    if (!transceiver.mid || !transceiver.remote) continue;
    // A section without a codec in common is going to be rejected: no track for it.
    const bool peer_sends = !transceiver.stopped && !transceiver.remote->rejected && !transceiver.remote->codecs.empty() &&
                            sends(transceiver.remote->direction);
    if (peer_sends && !transceiver.track_announced) {
      transceiver.track_announced = true;
      emit(TrackEvent{handle, transceiver.kind, *transceiver.mid, transceiver.remote->stream_id, transceiver.remote->track_id});
    } else if (!peer_sends && transceiver.track_announced) {
      transceiver.track_announced = false;
      emit(TrackEndedEvent{handle});
    }
  }
}

void PeerConnection::on_srtp_keys(const dtls::SrtpKeysEvent& keys) {
  srtp_keys_ = keys;
  (void)ensure_srtp();
}

bool PeerConnection::ensure_srtp() {
  // The sessions (two libsrtp contexts with their replay windows) and the packet buffers
  // cost time and tens of kilobytes: a connection that carries only data channels never
  // makes them.
  if (srtp_send_) return true;
  if (!srtp_keys_ || transceivers_.empty()) return false;
  // Both enums carry the IANA DTLS-SRTP values (RFC 5764, RFC 7714).
  const dtls::SrtpKeysEvent& keys = *srtp_keys_;
  const auto profile = static_cast<srtp::Profile>(static_cast<std::uint16_t>(keys.profile));
  auto send = srtp::Session::create(profile, srtp::Direction::kSend, keys.local_key, keys.local_salt);
  auto receive = srtp::Session::create(profile, srtp::Direction::kReceive, keys.remote_key, keys.remote_salt);
  if (!send || !receive) {
    RTC_LOG(kWarning, "pc") << "SRTP keys unusable: " << (!send ? send.error().message : receive.error().message);
    srtp_keys_.reset();
    return false;
  }
  srtp_send_ = std::move(*send);
  srtp_receive_ = std::move(*receive);
  media_scratch_.resize(kPacketRoom);
  rtx_scratch_.resize(kPacketRoom);
  rtcp_timeout_ = now_ + kReportInterval;
  return true;
}

void PeerConnection::send_reports(base::Instant now) {
  // Half to one and a half intervals apart (RFC 3550 §6.3.1), so peers do not synchronise.
  rtcp_timeout_ = now + kReportInterval / 2 + base::Duration::milliseconds(static_cast<std::int64_t>(random_.uniform(1000)));
  for (auto& [handle, transceiver] : transceivers_) {
    if (transceiver.stopped || (!transceiver.send_stats && !transceiver.receive_stats)) continue;
    media::RtcpWriter writer({media_scratch_.data(), media_scratch_.size() - srtp::kMaxOverhead});
    std::optional<media::ReportBlock> block;
    if (transceiver.receive_stats && transceiver.receive_stats->valid() && transceiver.remote_ssrc) {
      block = transceiver.receive_stats->report(now, *transceiver.remote_ssrc);
    }
    const std::span<const media::ReportBlock> blocks = block ? std::span<const media::ReportBlock>(&*block, 1)
                                                             : std::span<const media::ReportBlock>();
    const auto info = transceiver.send_stats ? transceiver.send_stats->sender_info(now, ntp_clock_) : std::nullopt;
    if (info) {
      media::write_sender_report(writer, transceiver.ssrc, *info, blocks);
    } else {
      media::write_receiver_report(writer, transceiver.ssrc, blocks);
    }
    media::write_sdes_cname(writer, transceiver.ssrc, session_id_);
    if (auto compound = writer.finish()) send_protected(media_scratch_, compound->size(), true);
  }
}

void PeerConnection::send_protected(base::MutableByteView buffer, std::size_t length, bool rtcp) {
  auto protected_length = rtcp ? srtp_send_->protect_rtcp(buffer, length) : srtp_send_->protect_rtp(buffer, length);
  if (!protected_length) {
    RTC_LOG(kWarning, "pc") << "SRTP protect failed: " << protected_length.error().message;
    return;
  }
  (void)agent_->send(buffer.first(*protected_length));
  pump(now_);
}

base::Result<void> PeerConnection::send_rtp(TransceiverHandle handle, base::ByteView payload, std::uint32_t timestamp,
                                            bool marker) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  Transceiver& transceiver = found->second;
  if (auto ended = ended_error()) return *ended;
  if (!ensure_srtp()) return base::Error{base::ErrorCode::kWrongState, "no SRTP keys yet (DTLS not connected)"};
  if (transceiver.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  if (!transceiver.local || !sends(transceiver.local->direction)) {
    return base::Error{base::ErrorCode::kWrongState, "the transceiver's negotiated direction does not send"};
  }
  if (payload.size() > kMaxRtpPayload) {
    return base::Error{base::ErrorCode::kInvalidArgument, "an RTP payload here is at most 1400 bytes"};
  }
  // The peer's section lists the codecs we share first-choice first, in its payload types.
  if (!transceiver.remote || transceiver.remote->codecs.empty()) {
    return base::Error{base::ErrorCode::kWrongState, "no codec negotiated"};
  }
  const CodecParameters& codec = transceiver.remote->codecs.front();
  const std::string& mid = *transceiver.mid;
  media::HeaderExtension extensions[1];
  std::size_t count = 0;
  if (const auto id = extension_id(transceiver.local->extensions, media::ExtensionKind::kMid)) {
    extensions[count++] = {*id, base::as_bytes(mid)};
  }
  media::RtpHeader header;
  header.marker = marker;
  header.payload_type = codec.payload_type;
  header.sequence_number = transceiver.sequence++;
  header.timestamp = timestamp;
  header.ssrc = transceiver.ssrc;
  header.extensions = {extensions, count};
  auto written = media::write_rtp(header, payload, media_scratch_);
  if (!written) return written.error();
  if (!transceiver.history) {
    transceiver.history = std::make_unique<media::RetransmissionBuffer>(512, 1500, base::Duration::seconds(1),
                                                                       configuration_.buffer_budget.get());
  }
  transceiver.history->store(now_, *media::RtpPacket::parse(*written));
  ++transceiver.packets_sent;
  transceiver.bytes_sent += payload.size();
  if (!transceiver.send_stats) transceiver.send_stats.emplace(codec.clock_rate);
  transceiver.send_stats->on_sent(now_, timestamp, payload.size());
  send_protected(media_scratch_, written->size(), false);
  return {};
}

base::Result<void> PeerConnection::send_feedback(
    TransceiverHandle handle, const std::function<void(media::RtcpWriter&, std::uint32_t, std::uint32_t)>& write) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  Transceiver& transceiver = found->second;
  if (auto ended = ended_error()) return *ended;
  if (!ensure_srtp()) return base::Error{base::ErrorCode::kWrongState, "no SRTP keys yet (DTLS not connected)"};
  if (transceiver.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  if (!transceiver.remote_ssrc) return base::Error{base::ErrorCode::kWrongState, "nothing received on this transceiver yet"};
  return send_compound(transceiver, [&](media::RtcpWriter& writer) {
    write(writer, transceiver.ssrc, *transceiver.remote_ssrc);
  });
}

base::Result<void> PeerConnection::send_compound(const Transceiver& transceiver,
                                                 const std::function<void(media::RtcpWriter&)>& tail) {
  // A compound packet (RFC 3550 §6.1): an empty RR, SDES CNAME, then `tail`'s packets.
  media::RtcpWriter writer({media_scratch_.data(), media_scratch_.size() - srtp::kMaxOverhead});
  media::write_receiver_report(writer, transceiver.ssrc, {});
  media::write_sdes_cname(writer, transceiver.ssrc, session_id_);
  tail(writer);
  auto compound = writer.finish();
  if (!compound) return compound.error();
  send_protected(media_scratch_, compound->size(), true);
  return {};
}

base::Result<void> PeerConnection::request_key_frame(TransceiverHandle handle) {
  auto sent = send_feedback(handle, [](media::RtcpWriter& writer, std::uint32_t ours, std::uint32_t theirs) {
    media::write_pli(writer, ours, theirs);
  });
  if (sent) ++transceivers_[handle].plis_sent;
  return sent;
}

base::Result<void> PeerConnection::send_nack(TransceiverHandle handle, std::span<const std::uint16_t> lost) {
  if (lost.empty()) return base::Error{base::ErrorCode::kInvalidArgument, "a NACK names at least one packet"};
  auto sent = send_feedback(handle, [&](media::RtcpWriter& writer, std::uint32_t ours, std::uint32_t theirs) {
    media::write_nack(writer, ours, theirs, lost);
  });
  if (sent) ++transceivers_[handle].nacks_sent;
  return sent;
}

PeerConnection::Transceiver* PeerConnection::receiving_transceiver(const media::RtpPacket& packet, bool& is_rtx) {
  is_rtx = false;
  const std::uint32_t ssrc = packet.ssrc();
  for (auto& [handle, transceiver] : transceivers_) {
    if (transceiver.stopped || !transceiver.remote || transceiver.remote->rejected) continue;
    if (transceiver.remote->rtx_ssrc == ssrc) {
      is_rtx = true;
      return &transceiver;
    }
    if (transceiver.remote_ssrc == ssrc) return &transceiver;
  }
  // Not announced: the mid extension (RFC 8843 §9.2), else the payload type.
  for (auto& [handle, transceiver] : transceivers_) {
    if (transceiver.stopped || !transceiver.remote || transceiver.remote->rejected) continue;
    const auto id = extension_id(transceiver.remote->extensions, media::ExtensionKind::kMid);
    const auto value = id ? packet.extension(*id) : std::nullopt;
    bool matches = value && base::as_string_view(*value) == *transceiver.mid;
    bool rtx = false;
    if (!value) {
      for (const CodecParameters& codec : transceiver.remote->codecs) {
        matches |= codec.payload_type == packet.payload_type();
        rtx |= codec.rtx_payload_type == packet.payload_type();
      }
      matches |= rtx;
    } else {
      for (const CodecParameters& codec : transceiver.remote->codecs) rtx |= codec.rtx_payload_type == packet.payload_type();
    }
    if (!matches) continue;
    if (rtx) {
      transceiver.remote->rtx_ssrc = ssrc;
      is_rtx = true;
    } else {
      transceiver.remote_ssrc = ssrc;
    }
    return &transceiver;
  }
  return nullptr;
}

bool PeerConnection::handle_rtp(base::ByteView datagram) {
  if (!ensure_srtp() || datagram.size() > kPacketRoom) return false;
  const bool rtcp = datagram.size() >= 2 && datagram[1] >= 192 && datagram[1] <= 223;  // RFC 5761 §4
  std::copy(datagram.begin(), datagram.end(), media_scratch_.begin());
  base::MutableByteView buffer(media_scratch_.data(), datagram.size());
  auto length = rtcp ? srtp_receive_->unprotect_rtcp(buffer) : srtp_receive_->unprotect_rtp(buffer);
  if (!length) return false;  // not for us, replayed or tampered
  if (rtcp) {
    handle_rtcp(buffer.first(*length));
    return true;
  }
  auto packet = media::RtpPacket::parse(buffer.first(*length));
  if (!packet) return false;
  bool is_rtx = false;
  Transceiver* transceiver = receiving_transceiver(*packet, is_rtx);
  if (transceiver == nullptr || !transceiver->local || !receives(transceiver->local->direction)) return false;
  TransceiverHandle handle = 0;
  for (const auto& [h, t] : transceivers_) {
    if (&t == transceiver) handle = h;
  }
  base::ByteView plain = packet->bytes();
  if (!is_rtx) {
    if (!transceiver->receive_stats) {
      std::uint32_t clock_rate = transceiver->kind == MediaKind::kAudio ? 48000 : 90000;
      for (const CodecParameters& codec : transceiver->remote->codecs) {
        if (codec.payload_type == packet->payload_type()) clock_rate = codec.clock_rate;
      }
      transceiver->receive_stats.emplace(clock_rate);
    }
    transceiver->receive_stats->on_packet(now_, packet->sequence_number(), packet->timestamp());
  }
  if (is_rtx) {
    if (packet->payload().empty()) return true;  // RTX padding (bandwidth probing)
    std::optional<std::uint8_t> payload_type;  // the codec this RTX stream repairs
    for (const CodecParameters& codec : transceiver->remote->codecs) {
      if (codec.rtx_payload_type == packet->payload_type()) payload_type = codec.payload_type;
    }
    if (!payload_type || !transceiver->remote_ssrc) return false;
    auto restored = media::restore_from_rtx(*packet, *payload_type, *transceiver->remote_ssrc, rtx_scratch_);
    if (!restored) return false;
    plain = *restored;
  }
  ++transceiver->packets_received;
  transceiver->bytes_received += plain.size();
  emit(RtpPacketEvent{handle, agent_->buffer_pool().copy(plain)});
  return true;
}

void PeerConnection::handle_rtcp(base::ByteView compound) {
  auto reader = media::RtcpReader::parse(compound);
  if (!reader) return;
  const auto sender_of = [&](std::uint32_t ssrc) -> std::pair<TransceiverHandle, Transceiver*> {
    for (auto& [handle, transceiver] : transceivers_) {
      if (transceiver.ssrc == ssrc && !transceiver.stopped) return {handle, &transceiver};
    }
    return {0, nullptr};
  };
  // Report blocks about what we send give the round-trip time (RFC 3550 §6.4.1).
  const auto take_blocks = [&](const media::ReportBlocks& blocks) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const media::ReportBlock block = blocks[i];
      auto [handle, transceiver] = sender_of(block.ssrc);
      if (transceiver == nullptr) continue;
      transceiver->remote_report = block;
      if (auto rtt = media::round_trip_time(media::compact_ntp(ntp_clock_.ntp(now_)), block)) transceiver->round_trip_time = rtt;
    }
  };
  while (auto packet = reader->next()) {
    if (auto sr = media::parse_sender_report(*packet)) {
      for (auto& [handle, transceiver] : transceivers_) {
        if (transceiver.remote_ssrc == sr->ssrc && transceiver.receive_stats) {
          transceiver.receive_stats->on_sender_report(now_, sr->info.ntp_timestamp);
        }
      }
      take_blocks(sr->blocks);
    } else if (auto rr = media::parse_receiver_report(*packet)) {
      take_blocks(rr->blocks);
    } else if (auto nack = media::parse_nack(*packet)) {
      auto [handle, transceiver] = sender_of(nack->media_ssrc);
      if (transceiver == nullptr || !transceiver->history) continue;
      ++transceiver->nacks_received;
      const auto codec = send_codec(handle);
      nack->for_each_lost([&, transceiver = transceiver](std::uint16_t sequence) {
        const auto stored = transceiver->history->find(now_, sequence);
        if (!stored) return;
        auto original = media::RtpPacket::parse(*stored);
        if (!original) return;
        base::Result<base::ByteView> out = base::ByteView{};
        if (codec && codec->rtx_payload_type) {
          out = media::write_rtx(*original, *codec->rtx_payload_type, transceiver->rtx_ssrc, transceiver->rtx_sequence++,
                                 {rtx_scratch_.data(), rtx_scratch_.size() - srtp::kMaxOverhead});
        } else {
          std::copy(stored->begin(), stored->end(), rtx_scratch_.begin());  // plain retransmission
          out = base::ByteView(rtx_scratch_.data(), stored->size());
        }
        if (!out) return;
        ++transceiver->retransmitted;
        send_protected(rtx_scratch_, out->size(), false);
      });
    } else if (auto pli = media::parse_pli(*packet)) {
      auto [handle, transceiver] = sender_of(pli->media_ssrc);
      if (transceiver == nullptr) continue;
      ++transceiver->key_frames_requested;
      emit(KeyFrameRequestEvent{handle});
    } else if (auto fir = media::parse_fir(*packet)) {
      for (std::size_t i = 0; i < fir->size(); ++i) {
        auto [handle, transceiver] = sender_of((*fir)[i].ssrc);
        if (transceiver == nullptr) continue;
        ++transceiver->key_frames_requested;
        emit(KeyFrameRequestEvent{handle});
      }
    }
  }
}

}  // namespace rtcstack::pc
