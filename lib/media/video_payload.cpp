#include "media/video_payload.h"

#include "media/av1_payload.h"
#include "media/h264_payload.h"
#include "media/vp8_payload.h"
#include "media/vp9_payload.h"

namespace rtcstack::media {

std::unique_ptr<VideoPacketizer> make_packetizer(VideoCodec codec, const PayloadOptions& options) {
  switch (codec) {
    case VideoCodec::kVp8: return std::make_unique<Vp8Packetizer>();
    case VideoCodec::kH264: return std::make_unique<H264Packetizer>(options.h264_packetization_mode);
    case VideoCodec::kVp9: return std::make_unique<Vp9Packetizer>();
    case VideoCodec::kAv1: return std::make_unique<Av1Packetizer>();
  }
  return nullptr;
}

std::unique_ptr<VideoDepacketizer> make_depacketizer(VideoCodec codec) {
  switch (codec) {
    case VideoCodec::kVp8: return std::make_unique<Vp8Depacketizer>();
    case VideoCodec::kH264: return std::make_unique<H264Depacketizer>();
    case VideoCodec::kVp9: return std::make_unique<Vp9Depacketizer>();
    case VideoCodec::kAv1: return std::make_unique<Av1Depacketizer>();
  }
  return nullptr;
}

}  // namespace rtcstack::media
