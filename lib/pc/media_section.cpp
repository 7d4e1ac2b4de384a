#include "pc/media_section.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "media/rtp_stream.h"
#include "pc/h264_parameters.h"
#include "pc/rtp_encoding.h"
#include "sdp/text.h"

namespace rtcstack::pc {
namespace {

std::optional<std::uint8_t> payload_type_of(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 127) return std::nullopt;
  return static_cast<std::uint8_t>(value);
}

// The codec of `codecs` that `wanted` is (same_codec), if any.
const CodecParameters* find_codec(const CodecParameters& wanted, const std::vector<CodecParameters>& codecs) {
  for (const CodecParameters& codec : codecs) {
    if (same_codec(codec, wanted)) return &codec;
  }
  return nullptr;
}

constexpr std::string_view kOpusReceiveParameters = "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1";

// H.264 in each profile and mode rtcstack offers, as Chromium lists them: level 3.1,
// asymmetric levels allowed; RTX beside each.
CodecParameters h264(std::uint8_t payload_type, H264Profile profile, int packetization_mode,
                     const std::vector<std::string>& feedback) {
  const H264Parameters parameters{{profile, 31}, packetization_mode, true};
  return CodecParameters{payload_type, "H264", 90000, 1, h264_fmtp(parameters), feedback,
                         static_cast<std::uint8_t>(payload_type + 1)};
}

// The rids of one direction of a=simulcast (RFC 8853 §5.1): of each stream, the first
// alternative that an a=rid line of the same direction defines (§5.3 ignores the others).
std::vector<std::string> simulcast_rids(const std::vector<sdp::Simulcast::Alternatives>& streams,
                                        const std::vector<sdp::Rid>& rids, bool send) {
  std::vector<std::string> chosen;
  for (const sdp::Simulcast::Alternatives& alternatives : streams) {
    for (const sdp::Simulcast::Stream& stream : alternatives) {
      const bool defined = std::any_of(rids.begin(), rids.end(), [&](const sdp::Rid& rid) {
        return rid.id == stream.rid && rid.send == send;
      });
      const bool repeated = std::find(chosen.begin(), chosen.end(), stream.rid) != chosen.end();
      if (defined && !repeated && valid_rid(stream.rid)) {
        chosen.push_back(stream.rid);
        break;
      }
    }
    if (chosen.size() == media::kMaxSimulcastLayers) break;
  }
  return chosen;
}

}  // namespace

std::vector<CodecParameters> supported_codecs(MediaKind kind) {
  // Feedback rtcstack acts on, in Chromium's order: transport-wide CC for both kinds (the
  // congestion controller's input, and what we report for the peer's), REMB (a receiver's
  // own estimate, a cap), FIR, NACK and PLI for video.
  if (kind == MediaKind::kAudio) {
    // RFC 7587 §7: always "opus/48000/2"; FEC on, 10 ms minimum as browsers offer it.
    // What we receive (RFC 7587 §6.1): stereo welcome, in-band FEC used; and we may send
    // stereo. RED (RFC 2198) beside it as Chromium offers it: Opus in every block.
    return {CodecParameters{111, "opus", 48000, 2, std::string(kOpusReceiveParameters), {"transport-cc"}, std::nullopt},
            CodecParameters{63, "red", 48000, 2, "111/111", {}, std::nullopt}};
  }
  // OpenH264 encodes Constrained Baseline; what a Baseline peer decodes, so both are
  // offered, each in packetization-mode 1 (FU-A, STAP-A) and 0 (single NAL units).
  const std::vector<std::string> feedback = {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"};
  // VP9 and AV1 in profile 0 (8-bit 4:2:0), what libvpx, libaom and dav1d here code; AV1
  // at level 3.1 (level-idx 5) in the main tier, as Chromium offers it.
  return {CodecParameters{96, "VP8", 90000, 1, "", feedback, 97},
          h264(102, H264Profile::kConstrainedBaseline, 1, feedback),
          h264(104, H264Profile::kBaseline, 1, feedback),
          h264(106, H264Profile::kConstrainedBaseline, 0, feedback),
          h264(108, H264Profile::kBaseline, 0, feedback),
          CodecParameters{98, "VP9", 90000, 1, "profile-id=0", feedback, 99},
          CodecParameters{100, "AV1", 90000, 1, "level-idx=5;profile=0;tier=0", feedback, 101}};
}

std::vector<std::pair<std::uint8_t, media::ExtensionKind>> supported_extensions(MediaKind kind) {
  // The ids Chromium uses, so our offers and its answers agree without renumbering.
  if (kind == MediaKind::kAudio) {
    return {{14, media::ExtensionKind::kAudioLevel},
            {2, media::ExtensionKind::kAbsSendTime},
            {4, media::ExtensionKind::kTransportWideCc},
            {9, media::ExtensionKind::kMid}};
  }
  return {{2, media::ExtensionKind::kAbsSendTime},
          {4, media::ExtensionKind::kTransportWideCc},
          {9, media::ExtensionKind::kMid},
          {10, media::ExtensionKind::kRid},
          {11, media::ExtensionKind::kRepairedRid}};
}

base::Result<RemoteMedia> read_remote_media(const sdp::MediaDescription& section, bool rejected) {
  RemoteMedia remote;
  const std::string& media = section.media_line.media;
  if (media != "audio" && media != "video") {
    return base::Error{base::ErrorCode::kInvalidArgument, "m=" + media + " is not an audio or video section"};
  }
  remote.kind = media == "audio" ? MediaKind::kAudio : MediaKind::kVideo;
  const auto mid = section.mid();
  if (!mid) return base::Error{base::ErrorCode::kInvalidArgument, "the " + media + " section has no a=mid"};
  remote.mid = std::string(*mid);
  remote.rejected = rejected;
  remote.direction = section.direction().value_or(sdp::Direction::kSendRecv);
  remote.rtcp_mux = section.rtcp_mux();
  remote.rtcp_rsize = section.rtcp_rsize();

  // Every rtpmap with its fmtp and feedback; then keep the supported ones in m= order.
  std::map<std::uint8_t, CodecParameters> by_type;
  for (const sdp::Rtpmap& map : section.rtpmaps()) {
    by_type[map.payload_type] = CodecParameters{map.payload_type, map.encoding, map.clock_rate, map.channels.value_or(1),
                                                "", {}, std::nullopt};
  }
  for (const sdp::Fmtp& fmtp : section.fmtps()) {
    if (auto type = payload_type_of(fmtp.format); type && by_type.count(*type)) by_type[*type].fmtp = fmtp.raw_parameters;
  }
  for (const sdp::RtcpFeedback& fb : section.rtcp_feedback()) {
    const std::string value = fb.parameters.empty() ? fb.type : fb.type + " " + fb.parameters;
    if (fb.payload_type == "*") {
      for (auto& [type, codec] : by_type) codec.feedback.push_back(value);
    } else if (auto type = payload_type_of(fb.payload_type); type && by_type.count(*type)) {
      by_type[*type].feedback.push_back(value);
    }
  }
  // RTX: "apt=N" names the codec it repairs.
  for (const auto& [type, codec] : by_type) {
    if (!sdp::iequals(codec.name, "rtx")) continue;
    const auto equals = codec.fmtp.find("apt=");
    if (equals == std::string::npos) continue;
    std::string_view rest = std::string_view(codec.fmtp).substr(equals + 4);
    rest = rest.substr(0, rest.find(';'));
    if (auto apt = payload_type_of(rest); apt && by_type.count(*apt) && !by_type[*apt].rtx_payload_type) {
      by_type[*apt].rtx_payload_type = type;
    }
  }
  const std::vector<CodecParameters> supported = supported_codecs(remote.kind);
  for (const std::string& format : section.media_line.formats) {
    const auto type = payload_type_of(format);
    if (!type || !by_type.count(*type)) continue;
    if (find_codec(by_type[*type], supported)) remote.codecs.push_back(by_type[*type]);
  }
  for (const sdp::Extmap& extmap : section.extmaps()) {
    if (auto kind = media::extension_kind(extmap.uri); kind && extmap.id >= 1 && extmap.id <= 255) {
      remote.extensions.emplace_back(static_cast<std::uint8_t>(extmap.id), *kind);
    }
  }
  // SSRCs: the FID group pairs media and RTX; a=ssrc lines give cname (and old-style msid).
  for (const sdp::SsrcGroup& group : section.ssrc_groups()) {
    if (group.semantics == "FID" && group.ssrcs.size() == 2) remote.rtx_ssrc = group.ssrcs[1];
  }
  for (const sdp::SsrcAttribute& attribute : section.ssrcs()) {
    if (attribute.ssrc == remote.rtx_ssrc) continue;
    if (std::find(remote.ssrcs.begin(), remote.ssrcs.end(), attribute.ssrc) == remote.ssrcs.end()) {
      remote.ssrcs.push_back(attribute.ssrc);
    }
    if (attribute.attribute == "cname" && attribute.value && remote.cname.empty()) remote.cname = *attribute.value;
  }
  if (const auto msids = section.msids(); !msids.empty()) {
    remote.stream_id = msids.front().stream_id;
    remote.track_id = msids.front().track_id.value_or("");
  }
  if (const auto simulcast = section.simulcast(); simulcast && remote.kind == MediaKind::kVideo) {
    const std::vector<sdp::Rid> rids = section.rids();
    remote.send_rids = simulcast_rids(simulcast->send, rids, true);
    remote.receive_rids = simulcast_rids(simulcast->recv, rids, false);
  }
  return remote;
}

std::optional<std::uint8_t> media_extension_id(const std::vector<std::pair<std::uint8_t, media::ExtensionKind>>& extensions,
                                               media::ExtensionKind kind) {
  for (const auto& [id, known] : extensions) {
    if (known == kind) return id;
  }
  return std::nullopt;
}

sdp::Direction answer_direction(sdp::Direction offered, sdp::Direction wanted) {
  const bool we_send = sdp::sends(wanted) && sdp::receives(offered);
  const bool we_receive = sdp::receives(wanted) && sdp::sends(offered);
  if (we_send && we_receive) return sdp::Direction::kSendRecv;
  if (we_send) return sdp::Direction::kSendOnly;
  if (we_receive) return sdp::Direction::kRecvOnly;
  return sdp::Direction::kInactive;
}

std::vector<CodecParameters> apply_codec_preferences(std::vector<CodecParameters> codecs,
                                                    const std::vector<CodecParameters>& preferences) {
  if (preferences.empty()) return codecs;
  std::vector<CodecParameters> ordered;
  for (const CodecParameters& preference : preferences) {
    const CodecParameters* codec = find_codec(preference, codecs);
    if (codec != nullptr && !find_codec(*codec, ordered)) ordered.push_back(*codec);
  }
  return ordered;
}

std::vector<CodecParameters> offer_codecs(MediaKind kind, const LocalMedia* previous,
                                         const std::vector<CodecParameters>& preferences) {
  const std::vector<CodecParameters> supported = supported_codecs(kind);
  if (previous == nullptr) return apply_codec_preferences(supported, preferences);
  // JSEP §5.2.2: payload types in use stay; codecs not in the last description come back
  // with ours where those are free.
  std::vector<CodecParameters> codecs = previous->codecs;
  const auto taken = [&](std::uint8_t type) {
    return std::any_of(codecs.begin(), codecs.end(), [&](const CodecParameters& codec) {
      return codec.payload_type == type || codec.rtx_payload_type == type;
    });
  };
  for (const CodecParameters& codec : supported) {
    if (find_codec(codec, codecs) || taken(codec.payload_type) || (codec.rtx_payload_type && taken(*codec.rtx_payload_type))) {
      continue;
    }
    codecs.push_back(codec);
  }
  const auto rank = [&](const CodecParameters& codec) {
    return std::find_if(supported.begin(), supported.end(), [&](const CodecParameters& ours) { return same_codec(ours, codec); }) -
           supported.begin();
  };
  std::stable_sort(codecs.begin(), codecs.end(), [&](const CodecParameters& a, const CodecParameters& b) { return rank(a) < rank(b); });
  return apply_codec_preferences(std::move(codecs), preferences);
}

base::Result<LocalMedia> answer_media(const RemoteMedia& offer, sdp::Direction wanted,
                                      const std::vector<CodecParameters>& preferences) {
  LocalMedia local;
  local.mid = offer.mid;
  local.kind = offer.kind;
  local.direction = answer_direction(offer.direction, wanted);
  const std::vector<CodecParameters> supported = supported_codecs(offer.kind);
  for (const CodecParameters& offered : offer.codecs) {
    const CodecParameters* ours = find_codec(offered, supported);
    if (ours == nullptr) continue;
    CodecParameters codec = offered;  // their payload type and fmtp
    std::erase_if(codec.feedback, [&](const std::string& fb) {
      return std::find(ours->feedback.begin(), ours->feedback.end(), fb) == ours->feedback.end();
    });
    if (!ours->rtx_payload_type) codec.rtx_payload_type.reset();
    if (sdp::iequals(codec.name, "opus")) {
      // Opus's fmtp says what its writer receives: ours, not the offerer's.
      codec.fmtp = ours->fmtp;
    } else if (video_codec(codec) == media::VideoCodec::kH264) {
      // Both parse: find_codec matched them.
      codec.fmtp = h264_fmtp(h264_answer(*read_h264_parameters(offered.fmtp), *read_h264_parameters(ours->fmtp)));
    }
    local.codecs.push_back(std::move(codec));
  }
  // W3C setCodecPreferences: only the preferred codecs, in the preferred order.
  local.codecs = apply_codec_preferences(std::move(local.codecs), preferences);
  local.answer = true;
  if (local.codecs.empty()) {
    return base::Error{base::ErrorCode::kUnsupported,
                       "the " + std::string(to_string(offer.kind)) + " section " + offer.mid +
                           " offers no codec rtcstack supports" + (preferences.empty() ? "" : " and prefers") +
                           (offer.kind == MediaKind::kAudio ? " (Opus)" : " (VP8, H.264, VP9, AV1)")};
  }
  const auto ours = supported_extensions(offer.kind);
  for (const auto& [id, kind] : offer.extensions) {
    const bool known = std::any_of(ours.begin(), ours.end(), [&](const auto& entry) { return entry.second == kind; });
    if (known) local.extensions.emplace_back(id, kind);
  }
  if (sdp::receives(local.direction) && media_extension_id(local.extensions, media::ExtensionKind::kRid)) {
    local.receive_rids = offer.send_rids;
  }
  return local;
}

namespace detail {
namespace {

// a=rid for each rid, then a=simulcast with both directions (RFC 8853 §5.1).
void add_simulcast(sdp::MediaDescription& section, const LocalMedia& local) {
  if (local.send_rids.empty() && local.receive_rids.empty()) return;
  sdp::Simulcast simulcast;
  for (const std::string& rid : local.send_rids) {
    section.add(sdp::Rid{rid, true, {}, {}});
    simulcast.send.push_back({{rid, false}});
  }
  for (const std::string& rid : local.receive_rids) {
    section.add(sdp::Rid{rid, false, {}, {}});
    simulcast.recv.push_back({{rid, false}});
  }
  section.add(simulcast);
}

}  // namespace

sdp::MediaDescription media_head(const LocalMedia& local) {
  sdp::MediaDescription section;
  section.media_line = {std::string(to_string(local.kind)), 9, std::nullopt, "UDP/TLS/RTP/SAVPF", {}};
  for (const CodecParameters& codec : local.codecs) {
    section.media_line.formats.push_back(std::to_string(codec.payload_type));
    if (codec.rtx_payload_type) section.media_line.formats.push_back(std::to_string(*codec.rtx_payload_type));
  }
  return section;
}

void add_media_attributes(sdp::MediaDescription& section, const LocalMedia& local, SdpWriteStatus& status) {
  status.note(section.add_attribute("mid", local.mid));
  for (const auto& [id, kind] : local.extensions) section.add(sdp::Extmap{id, std::nullopt, std::string(media::extension_uri(kind)), {}});
  status.note(section.add_attribute(sdp::to_string(local.direction)));
  const bool sending = sdp::sends(local.direction);
  if (sending && !local.track_id.empty()) section.add(sdp::Msid{local.stream_id, local.track_id});
  status.note(section.add_attribute("rtcp-mux"));
  status.note(section.add_attribute("rtcp-rsize"));
  for (const CodecParameters& codec : local.codecs) {
    const std::string payload_type = std::to_string(codec.payload_type);
    section.add(sdp::Rtpmap{codec.payload_type, codec.name, codec.clock_rate,
                            codec.channels > 1 ? std::optional<std::uint16_t>(codec.channels) : std::nullopt});
    for (const std::string& feedback : codec.feedback) {
      const std::size_t space = feedback.find(' ');
      section.add(sdp::RtcpFeedback{payload_type, feedback.substr(0, space),
                                    space == std::string::npos ? std::string() : feedback.substr(space + 1)});
    }
    if (!codec.fmtp.empty()) section.add(sdp::Fmtp{payload_type, codec.fmtp, {}});
    if (codec.rtx_payload_type) {
      section.add(sdp::Rtpmap{*codec.rtx_payload_type, "rtx", codec.clock_rate, std::nullopt});
      section.add(sdp::Fmtp::of(std::to_string(*codec.rtx_payload_type), {{"apt", payload_type}}));
    }
  }
  add_simulcast(section, local);
  if (!sending || local.ssrc == 0 || !local.send_rids.empty()) return;
  if (local.rtx_ssrc) section.add(sdp::SsrcGroup{"FID", {local.ssrc, *local.rtx_ssrc}});
  for (const std::optional<std::uint32_t>& ssrc : {std::optional<std::uint32_t>(local.ssrc), local.rtx_ssrc}) {
    if (!ssrc) continue;
    section.add(sdp::SsrcAttribute{*ssrc, "cname", local.cname});
    if (!local.track_id.empty()) {
      section.add(sdp::SsrcAttribute{*ssrc, "msid", sdp::Msid{local.stream_id, local.track_id}.to_string()});
    }
  }
}

}  // namespace detail
}  // namespace rtcstack::pc
