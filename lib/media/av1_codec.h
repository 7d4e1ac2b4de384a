// AV1: libaom's realtime encoder (one pass, no lag, CBR toward a target, speed 10, key
// frames on request) and dav1d's decoder (one thread, one frame of delay: a picture out
// for every temporal unit in). Temporal units are AV1's low-overhead bitstream (OBUs with
// size fields, as av1_payload.h rebuilds them). Callers hold them as VideoEncoder and
// VideoDecoder.
#pragma once

#include <memory>

#include "base/result.h"
#include "media/video_codec.h"

namespace rtcstack::media {

base::Result<std::unique_ptr<VideoEncoder>> create_av1_encoder(const VideoEncoderConfig& config);
base::Result<std::unique_ptr<VideoDecoder>> create_av1_decoder();

}  // namespace rtcstack::media
