#include "pc/rtp_parameters.h"

#include <algorithm>
#include <charconv>

#include "pc/h264_parameters.h"
#include "sdp/text.h"

namespace rtcstack::pc {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string_view> fmtp_parameter(std::string_view fmtp, std::string_view key) {
  while (!fmtp.empty()) {
    const std::size_t end = fmtp.find(';');
    const std::string_view pair = fmtp.substr(0, end);
    fmtp = end == std::string_view::npos ? std::string_view() : fmtp.substr(end + 1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == key) return trim(pair.substr(equals + 1));
  }
  return std::nullopt;
}

std::string_view to_string(MediaKind kind) { return kind == MediaKind::kAudio ? "audio" : "video"; }

bool same_codec(const CodecParameters& a, const CodecParameters& b) {
  if (!sdp::iequals(a.name, b.name) || a.clock_rate != b.clock_rate || a.channels != b.channels) return false;
  const auto codec = video_codec(a);
  if (codec == media::VideoCodec::kVp9) {
    return fmtp_parameter(a.fmtp, "profile-id").value_or("0") == fmtp_parameter(b.fmtp, "profile-id").value_or("0");
  }
  if (codec == media::VideoCodec::kAv1) {
    return fmtp_parameter(a.fmtp, "profile").value_or("0") == fmtp_parameter(b.fmtp, "profile").value_or("0");
  }
  if (codec != media::VideoCodec::kH264) return true;
  const auto ours = read_h264_parameters(a.fmtp), theirs = read_h264_parameters(b.fmtp);
  return ours && theirs && same_h264_format(*ours, *theirs);
}

std::optional<media::VideoCodec> video_codec(const CodecParameters& codec) {
  if (codec.clock_rate != 90000) return std::nullopt;
  return media::video_codec_from_name(codec.name);
}

media::OpusEncoderConfig opus_encoder_config(const CodecParameters& codec) {
  media::OpusEncoderConfig config;
  config.channels = fmtp_parameter(codec.fmtp, "stereo") == "1" ? 2 : 1;
  config.inband_fec = fmtp_parameter(codec.fmtp, "useinbandfec") == "1";
  config.expected_loss_percent = config.inband_fec ? 10 : 0;
  config.dtx = fmtp_parameter(codec.fmtp, "usedtx") == "1";
  if (const auto cap = fmtp_parameter(codec.fmtp, "maxaveragebitrate")) {
    int bps = 0;
    const auto [end, error] = std::from_chars(cap->data(), cap->data() + cap->size(), bps);
    // RFC 7587 §6.1: 6000-510000.
    if (error == std::errc() && end == cap->data() + cap->size() && bps >= 6000 && bps <= 510'000) {
      config.bitrate_bps = std::min(config.bitrate_bps, bps);
    }
  }
  return config;
}

std::optional<std::uint8_t> red_block_payload_type(const CodecParameters& red) {
  const std::string_view fmtp = red.fmtp;
  unsigned type = 0;
  const auto [end, error] = std::from_chars(fmtp.data(), fmtp.data() + fmtp.size(), type);
  if (error != std::errc() || type > 127 || (end != fmtp.data() + fmtp.size() && *end != '/')) return std::nullopt;
  return static_cast<std::uint8_t>(type);
}

media::PayloadOptions payload_options(const CodecParameters& codec) {
  media::PayloadOptions options;
  if (video_codec(codec) == media::VideoCodec::kH264) {
    if (const auto parameters = read_h264_parameters(codec.fmtp)) options.h264_packetization_mode = parameters->packetization_mode;
  }
  return options;
}

}  // namespace rtcstack::pc
