#include "media/video_sender.h"

#include <algorithm>

#include "media/encoder_bitrate.h"

namespace rtcstack::media {

base::Result<VideoSender> VideoSender::create(VideoCodec codec, const VideoEncoderConfig& config, std::size_t max_payload,
                                              const PayloadOptions& options) {
  VideoEncoderConfig encoder_config = config;
  if (codec == VideoCodec::kH264 && options.h264_packetization_mode == 0) {
    encoder_config.max_nal_size = static_cast<int>(max_payload);
  }
  auto encoder = create_video_encoder(codec, encoder_config);
  if (!encoder) return encoder.error();
  return VideoSender(codec, std::move(*encoder), make_packetizer(codec, options), max_payload);
}

VideoSender::VideoSender(VideoCodec codec, std::unique_ptr<VideoEncoder> encoder,
                         std::unique_ptr<VideoPacketizer> packetizer, std::size_t max_payload)
    : codec_(codec),
      encoder_(std::move(encoder)),
      packetizer_(std::move(packetizer)),
      max_payload_(max_payload),
      payload_(max_payload) {}

base::Result<void> VideoSender::set_target_bitrate(std::uint64_t wire_bps) {
  // Encoders take whole kbit/s; below 10 none can hold a picture together anyway.
  const std::uint64_t kbps = std::max<std::uint64_t>(payload_bitrate(wire_bps, max_payload_) / 1000, 10);
  return encoder_->set_bitrate(static_cast<int>(std::min<std::uint64_t>(kbps, 1'000'000)));
}

base::Result<std::size_t> VideoSender::send_frame(const I420View& picture, std::uint32_t timestamp_90k, const Sink& send) {
  auto encoded = encoder_->encode(picture, timestamp_90k, key_frame_requested_);
  if (!encoded) return encoded.error();
  if (!*encoded) return std::size_t{0};
  key_frame_requested_ = false;
  if (auto started = packetizer_->start((*encoded)->bytes, (*encoded)->key_frame, max_payload_); !started) {
    return started.error();
  }
  std::size_t packets = 0;
  while (auto next = packetizer_->next(payload_)) {
    if (auto sent = send(*next, packetizer_->last_was_final()); !sent) return sent.error();
    ++packets;
  }
  ++frames_sent_;
  key_frames_sent_ += (*encoded)->key_frame;
  return packets;
}

}  // namespace rtcstack::media
