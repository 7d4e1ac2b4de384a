#include "pc/media_section.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace rtcstack::pc {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::uint8_t> payload_type_of(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 127) return std::nullopt;
  return static_cast<std::uint8_t>(value);
}

// The supported codec `offered` matches (same name, clock rate and channels), if any.
const CodecParameters* supported_match(const CodecParameters& offered, const std::vector<CodecParameters>& supported) {
  for (const CodecParameters& codec : supported) {
    if (same_name(codec.name, offered.name) && codec.clock_rate == offered.clock_rate &&
        codec.channels == offered.channels) {
      return &codec;
    }
  }
  return nullptr;
}

}  // namespace

std::string_view to_string(MediaKind kind) { return kind == MediaKind::kAudio ? "audio" : "video"; }

std::vector<CodecParameters> supported_codecs(MediaKind kind) {
  // Feedback rtcstack acts on, in Chromium's order: transport-wide CC for both kinds (the
  // congestion controller's input, and what we report for the peer's), REMB (a receiver's
  // own estimate, a cap), FIR, NACK and PLI for video.
  if (kind == MediaKind::kAudio) {
    // RFC 7587 §7: always "opus/48000/2"; FEC on, 10 ms minimum as browsers offer it.
    return {CodecParameters{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}, std::nullopt}};
  }
  return {CodecParameters{96, "VP8", 90000, 1, "", {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}, 97}};
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
    if (!same_name(codec.name, "rtx")) continue;
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
    if (supported_match(by_type[*type], supported)) remote.codecs.push_back(by_type[*type]);
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

base::Result<LocalMedia> answer_media(const RemoteMedia& offer, sdp::Direction wanted) {
  LocalMedia local;
  local.mid = offer.mid;
  local.kind = offer.kind;
  local.direction = answer_direction(offer.direction, wanted);
  const std::vector<CodecParameters> supported = supported_codecs(offer.kind);
  for (const CodecParameters& offered : offer.codecs) {
    const CodecParameters* ours = supported_match(offered, supported);
    if (ours == nullptr) continue;
    CodecParameters codec = offered;  // their payload type and fmtp
    std::erase_if(codec.feedback, [&](const std::string& fb) {
      return std::find(ours->feedback.begin(), ours->feedback.end(), fb) == ours->feedback.end();
    });
    if (!ours->rtx_payload_type) codec.rtx_payload_type.reset();
    local.codecs.push_back(std::move(codec));
  }
  if (local.codecs.empty()) {
    return base::Error{base::ErrorCode::kUnsupported,
                       "the " + std::string(to_string(offer.kind)) + " section " + offer.mid +
                           " offers no codec rtcstack supports (Opus, VP8)"};
  }
  const auto ours = supported_extensions(offer.kind);
  for (const auto& [id, kind] : offer.extensions) {
    const bool known = std::any_of(ours.begin(), ours.end(), [&](const auto& entry) { return entry.second == kind; });
    if (known) local.extensions.emplace_back(id, kind);
  }
  return local;
}

namespace detail {

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
  if (!sending || local.ssrc == 0) return;
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
