#include "media/video_codec.h"

#include "media/av1_codec.h"
#include "media/h264_codec.h"
#include "media/vpx_codec.h"

namespace rtcstack::media {
namespace {

bool same_letters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(VideoCodec codec) {
  switch (codec) {
    case VideoCodec::kVp8: return "VP8";
    case VideoCodec::kH264: return "H264";
    case VideoCodec::kVp9: return "VP9";
    case VideoCodec::kAv1: return "AV1";
  }
  return "?";
}

std::optional<VideoCodec> video_codec_from_name(std::string_view name) {
  for (const VideoCodec codec : {VideoCodec::kVp8, VideoCodec::kH264, VideoCodec::kVp9, VideoCodec::kAv1}) {
    if (same_letters(name, to_string(codec))) return codec;
  }
  return std::nullopt;
}

base::Result<std::unique_ptr<VideoEncoder>> create_video_encoder(VideoCodec codec, const VideoEncoderConfig& config) {
  switch (codec) {
    case VideoCodec::kVp8:
    case VideoCodec::kVp9: return create_vpx_encoder(codec, config);
    case VideoCodec::kH264: return create_h264_encoder(config);
    case VideoCodec::kAv1: return create_av1_encoder(config);
  }
  return base::Error{base::ErrorCode::kUnsupported, "no encoder for this codec"};
}

base::Result<std::unique_ptr<VideoDecoder>> create_video_decoder(VideoCodec codec) {
  switch (codec) {
    case VideoCodec::kVp8:
    case VideoCodec::kVp9: return create_vpx_decoder(codec);
    case VideoCodec::kH264: return create_h264_decoder();
    case VideoCodec::kAv1: return create_av1_decoder();
  }
  return base::Error{base::ErrorCode::kUnsupported, "no decoder for this codec"};
}

namespace detail {

base::Result<void> check_encoder_config(const VideoEncoderConfig& config) {
  if (config.width <= 0 || config.height <= 0 || config.width % 2 || config.height % 2 || config.fps <= 0 ||
      config.bitrate_kbps <= 0) {
    return base::Error{base::ErrorCode::kInvalidArgument,
                       "encoded pictures have even, positive sizes, and a positive rate and bitrate"};
  }
  return {};
}

}  // namespace detail
}  // namespace rtcstack::media
