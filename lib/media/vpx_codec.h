// VP8 and VP9 through libvpx: a realtime encoder (one pass, no lag, CBR toward a target
// bitrate, error resilient, key frames on request; VP9 in profile 0 at realtime speed 7
// with cyclic-refresh quantization) and a decoder (VP9 superframes too). The libvpx state
// stays in the .cpp; callers hold them as VideoEncoder and VideoDecoder.
#pragma once

#include <memory>

#include "base/result.h"
#include "media/video_codec.h"

namespace rtcstack::media {

/// kInvalidArgument for a codec libvpx does not code here (not VP8 or VP9).
base::Result<std::unique_ptr<VideoEncoder>> create_vpx_encoder(VideoCodec codec, const VideoEncoderConfig& config);
base::Result<std::unique_ptr<VideoDecoder>> create_vpx_decoder(VideoCodec codec);

}  // namespace rtcstack::media
