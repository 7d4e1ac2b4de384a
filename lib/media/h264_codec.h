// H.264 through OpenH264 (Debian's libopenh264): a realtime encoder of the Constrained
// Baseline profile, the one every WebRTC endpoint decodes (CAVLC, one slice per picture
// unless a picture outgrows the RTP payload, no B frames), and a decoder. Frames are Annex
// B byte streams; key frames are IDR pictures with SPS and PPS in front.
#pragma once

#include <memory>

#include "base/result.h"
#include "media/video_codec.h"

namespace rtcstack::media {

base::Result<std::unique_ptr<VideoEncoder>> create_h264_encoder(const VideoEncoderConfig& config);
base::Result<std::unique_ptr<VideoDecoder>> create_h264_decoder();

}  // namespace rtcstack::media
