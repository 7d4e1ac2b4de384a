// Transceivers: the RTP session's packets on the BUNDLE transport. The session
// (media::RtpSession) keeps the streams, their RTCP and their repair in plaintext; here
// each transceiver's negotiated sections configure its stream, and packets cross SRTP
// once DTLS has exported keys: protected on the way out, unprotected on the way in.
#include <algorithm>

#include "base/log.h"
#include "ice/agent.h"
#include "pc/transceivers.h"

namespace rtcstack::pc {
namespace {

// The largest datagram that can be our media: a 1500-byte packet and its SRTP trailer.
constexpr std::size_t kMaxSrtpPacket = 1500 + srtp::kMaxOverhead;

media::RtpCodec rtp_codec(const CodecParameters& codec) {
  return {codec.payload_type, codec.clock_rate, codec.rtx_payload_type};
}

bool has_feedback(const CodecParameters& codec, std::string_view feedback) {
  return std::find(codec.feedback.begin(), codec.feedback.end(), feedback) != codec.feedback.end();
}

// Feedback both descriptions list for the codec we send with (an answer keeps only what
// both support, so ours and theirs agree once negotiated).
bool negotiated_feedback(const LocalMedia& local, const CodecParameters& sent, std::string_view feedback) {
  const auto ours = std::find_if(local.codecs.begin(), local.codecs.end(),
                                 [&](const CodecParameters& codec) { return same_codec(codec, sent); });
  return ours != local.codecs.end() && has_feedback(*ours, feedback) && has_feedback(sent, feedback);
}

// An extension both descriptions list: our id (an answer takes the offer's ids).
std::optional<std::uint8_t> negotiated_extension(const LocalMedia& local, const RemoteMedia& remote, media::ExtensionKind kind) {
  if (!media_extension_id(remote.extensions, kind)) return std::nullopt;
  return media_extension_id(local.extensions, kind);
}

// Simulcast one way: the rids our side lists that the peer's lists too, in our order;
// none unless both agreed on the rid extension, without which layers cannot be told apart.
std::vector<std::string> negotiated_rids(const std::vector<std::string>& ours, const std::vector<std::string>& theirs,
                                         const LocalMedia& local, const RemoteMedia& remote) {
  std::vector<std::string> rids;
  if (!negotiated_extension(local, remote, media::ExtensionKind::kRid)) return rids;
  for (const std::string& rid : ours) {
    if (std::find(theirs.begin(), theirs.end(), rid) != theirs.end()) rids.push_back(rid);
  }
  return rids;
}

}  // namespace

void Transceivers::configure_streams() {
  for (auto& [handle, transceiver] : transceivers_) {
    transceiver.sending_rids.clear();
    transceiver.receiving_rids.clear();
    if (transceiver.stopped) {
      rtp_->remove_stream(handle);
      continue;
    }
    const std::optional<LocalMedia>& local = transceiver.local;
    const std::optional<RemoteMedia>& remote = transceiver.remote;
    const bool negotiated = transceiver.mid && local && remote && !remote->rejected && !remote->codecs.empty();
    std::optional<media::SendParameters> send;
    if (negotiated && sdp::sends(local->direction)) {
      send.emplace();
      if (const auto codec = send_codec(handle)) {
        send->codec = rtp_codec(*codec);
        send->transport_cc = negotiated_feedback(*local, *codec, "transport-cc");
        send->remb = negotiated_feedback(*local, *codec, "goog-remb");
      }
      send->mid_extension = media_extension_id(local->extensions, media::ExtensionKind::kMid);
      send->mid = *transceiver.mid;
      send->transport_cc_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kTransportWideCc);
      send->abs_send_time_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kAbsSendTime);
      send->audio = transceiver.kind == MediaKind::kAudio;
      send->rids = negotiated_rids(local->send_rids, remote->receive_rids, *local, *remote);
      send->rid_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kRid);
      send->repaired_rid_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kRepairedRid);
      transceiver.sending_rids = send->rids;
    }
    std::optional<media::ReceiveParameters> receive;
    if (negotiated && sdp::receives(local->direction)) {
      receive.emplace();
      for (const CodecParameters& codec : remote->codecs) receive->codecs.push_back(rtp_codec(codec));
      if (!remote->ssrcs.empty()) receive->ssrc = remote->ssrcs.front();
      receive->rtx_ssrc = remote->rtx_ssrc;
      receive->mid_extension = media_extension_id(remote->extensions, media::ExtensionKind::kMid);
      receive->mid = *transceiver.mid;
      receive->rids = negotiated_rids(local->receive_rids, remote->send_rids, *local, *remote);
      receive->rid_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kRid);
      receive->repaired_rid_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kRepairedRid);
      transceiver.receiving_rids = receive->rids;
      // We report arrivals when the peer's codec asks for transport-wide feedback and we
      // agreed; failing that, we estimate its rate for it when it asked for REMB.
      const CodecParameters& theirs = remote->codecs.front();
      if (negotiated_feedback(*local, theirs, "transport-cc")) {
        receive->transport_cc_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kTransportWideCc);
      }
      if (!receive->transport_cc_extension && negotiated_feedback(*local, theirs, "goog-remb")) {
        receive->remb_abs_send_time_extension = negotiated_extension(*local, *remote, media::ExtensionKind::kAbsSendTime);
      }
    }
    rtp_->set_send(handle, std::move(send));
    rtp_->set_receive(handle, std::move(receive));
  }
}

void Transceivers::on_srtp_keys(base::Instant now, const dtls::SrtpKeysEvent& keys) {
  srtp_keys_ = keys;
  (void)ensure_srtp(now);
}

bool Transceivers::ensure_srtp(base::Instant now) {
  // The sessions (two libsrtp contexts with their replay windows) cost time and tens of
  // kilobytes: a connection that carries only data channels never makes them.
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
  rtp_->start(now);
  return true;
}

base::Result<Transceivers::Transceiver*> Transceivers::media_transceiver(base::Instant now, TransceiverHandle handle) {
  const auto found = transceivers_.find(handle);
  if (found == transceivers_.end()) return base::Error{base::ErrorCode::kInvalidArgument, "no such transceiver"};
  if (ended_) return *ended_;
  if (!ensure_srtp(now)) return base::Error{base::ErrorCode::kWrongState, "no SRTP keys yet (DTLS not connected)"};
  if (found->second.stopped) return base::Error{base::ErrorCode::kWrongState, "the transceiver is stopped"};
  return &found->second;
}

base::Result<std::size_t> Transceivers::sending_encoding(const Transceiver& transceiver, std::string_view rid) const {
  const auto& encodings = transceiver.encodings;
  const auto encoding = rid.empty() ? encodings.begin()
                                    : std::find_if(encodings.begin(), encodings.end(),
                                                   [&](const RtpEncodingParameters& e) { return e.rid == rid; });
  if (encoding == encodings.end()) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the transceiver has no encoding with rid \"" + std::string(rid) + "\""};
  }
  if (!encoding->active) return base::Error{base::ErrorCode::kWrongState, "encoding \"" + encoding->rid + "\" is not active"};
  // Without negotiated simulcast only the first encoding goes out, on the stream's SSRC.
  if (transceiver.sending_rids.empty()) {
    if (encoding == encodings.begin()) return std::size_t{0};
    return base::Error{base::ErrorCode::kWrongState, "simulcast was not negotiated: only the first encoding sends"};
  }
  const auto& rids = transceiver.sending_rids;
  const auto found = std::find(rids.begin(), rids.end(), encoding->rid);
  if (found == rids.end()) return base::Error{base::ErrorCode::kWrongState, "the peer did not take encoding \"" + encoding->rid + "\""};
  return static_cast<std::size_t>(found - rids.begin());
}

base::Result<std::size_t> Transceivers::receiving_layer(const Transceiver& transceiver, std::string_view rid) const {
  if (rid.empty()) return std::size_t{0};
  const auto& rids = transceiver.receiving_rids;
  const auto found = std::find(rids.begin(), rids.end(), rid);
  if (found == rids.end()) {
    return base::Error{base::ErrorCode::kInvalidArgument, "the transceiver receives no layer with rid \"" + std::string(rid) + "\""};
  }
  return static_cast<std::size_t>(found - rids.begin());
}

base::Result<void> Transceivers::send_rtp(base::Instant now, TransceiverHandle handle, base::ByteView payload,
                                          std::uint32_t timestamp, bool marker, std::string_view rid) {
  auto found = media_transceiver(now, handle);
  if (!found) return found.error();
  const Transceiver& transceiver = **found;
  if (!transceiver.local || !sdp::sends(transceiver.local->direction)) {
    return base::Error{base::ErrorCode::kWrongState, "the transceiver's negotiated direction does not send"};
  }
  if (!transceiver.remote || transceiver.remote->codecs.empty()) {
    return base::Error{base::ErrorCode::kWrongState, "no codec negotiated"};
  }
  const auto encoding = sending_encoding(transceiver, rid);
  if (!encoding) return encoding.error();
  return rtp_->send_rtp(now, handle, payload, timestamp, marker, *encoding);
}

base::Result<void> Transceivers::request_key_frame(base::Instant now, TransceiverHandle handle, std::string_view rid) {
  auto found = media_transceiver(now, handle);
  if (!found) return found.error();
  const auto layer = receiving_layer(**found, rid);
  if (!layer) return layer.error();
  return rtp_->request_key_frame(handle, *layer);
}

base::Result<void> Transceivers::send_nack(base::Instant now, TransceiverHandle handle, std::span<const std::uint16_t> lost,
                                           std::string_view rid) {
  if (lost.empty()) return base::Error{base::ErrorCode::kInvalidArgument, "a NACK names at least one packet"};
  auto found = media_transceiver(now, handle);
  if (!found) return found.error();
  const auto layer = receiving_layer(**found, rid);
  if (!layer) return layer.error();
  return rtp_->send_nack(handle, lost, *layer);
}

bool Transceivers::handle_rtp(base::Instant now, base::ByteView datagram) {
  if (ended_ || !ensure_srtp(now) || datagram.size() > kMaxSrtpPacket) return false;
  const bool rtcp = datagram.size() >= 2 && datagram[1] >= 192 && datagram[1] <= 223;  // RFC 5761 §4
  base::Buffer packet = pool_.copy(datagram);
  auto length = rtcp ? srtp_receive_->unprotect_rtcp(packet.mutable_view()) : srtp_receive_->unprotect_rtp(packet.mutable_view());
  if (!length) {  // not for us, replayed or tampered
    pool_.give(std::move(packet));
    return false;
  }
  packet.resize(*length);
  if (!rtcp) return rtp_->handle_rtp(now, std::move(packet));
  const bool read = rtp_->handle_rtcp(now, packet);
  pool_.give(std::move(packet));
  return read;
}

void Transceivers::pump(ice::Agent* agent) {
  if (!rtp_) return;
  for (;;) {
    media::RtpSessionOutput output = rtp_->poll_output();
    if (const auto* timeout = std::get_if<media::RtpTimeout>(&output)) {
      rtcp_timeout_ = timeout->at;
      return;
    }
    if (auto* packet = std::get_if<media::OutgoingPacket>(&output)) {
      send_protected(agent, std::move(packet->bytes), packet->rtcp);
      continue;
    }
    auto& event = std::get<media::RtpSessionEvent>(output);
    // Simulcast layers and encodings are named by their rids (short: no allocation).
    const auto rid = [&](TransceiverHandle handle, std::size_t index, bool sending) {
      const auto found = transceivers_.find(handle);
      if (found == transceivers_.end()) return std::string();
      const auto& rids = sending ? found->second.sending_rids : found->second.receiving_rids;
      return index < rids.size() ? rids[index] : std::string();
    };
    if (auto* received = std::get_if<media::RtpReceived>(&event)) {
      emit(RtpPacketEvent{received->stream, std::move(received->packet), rid(received->stream, received->layer, false)});
    } else if (const auto* request = std::get_if<media::KeyFrameRequested>(&event)) {
      emit(KeyFrameRequestEvent{request->stream, rid(request->stream, request->encoding, true)});
    } else if (const auto* target = std::get_if<media::TargetBitrate>(&event)) {
      emit(TargetBitrateEvent{target->bps});
    }
  }
}

void Transceivers::send_protected(ice::Agent* agent, base::Buffer bytes, bool rtcp) {
  if (!srtp_send_ || agent == nullptr) {  // the transport ended under a queued packet
    pool_.give(std::move(bytes));
    return;
  }
  const std::size_t length = bytes.size();
  bytes.resize(length + srtp::kMaxOverhead);  // within the session's buffers' capacity
  auto protected_length = rtcp ? srtp_send_->protect_rtcp(bytes.mutable_view(), length)
                               : srtp_send_->protect_rtp(bytes.mutable_view(), length);
  if (!protected_length) {
    RTC_LOG(kWarning, "pc") << "SRTP protect failed: " << protected_length.error().message;
    pool_.give(std::move(bytes));
    return;
  }
  bytes.resize(*protected_length);
  (void)agent->send(std::move(bytes));
}

void Transceivers::handle_timeout(base::Instant now) {
  if (srtp_send_ && now >= rtcp_timeout_) rtp_->handle_timeout(now);
}

void Transceivers::release(base::Error why) {
  ended_ = std::move(why);
  srtp_send_.reset();
  srtp_receive_.reset();
  srtp_keys_.reset();
  if (rtp_) rtp_->close();
  rtcp_timeout_ = base::Instant::max();
}

}  // namespace rtcstack::pc
