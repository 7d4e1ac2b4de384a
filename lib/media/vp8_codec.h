// VP8 through libvpx: a realtime encoder (one pass, no lag, CBR toward a target bitrate,
// error resilient, key frames on request) and a decoder. The libvpx state stays in the
// .cpp; callers hold them as VideoEncoder and VideoDecoder.
#pragma once

#include <memory>

#include "base/result.h"
#include "media/video_codec.h"

namespace rtcstack::media {

base::Result<std::unique_ptr<VideoEncoder>> create_vp8_encoder(const VideoEncoderConfig& config);
base::Result<std::unique_ptr<VideoDecoder>> create_vp8_decoder();

}  // namespace rtcstack::media
