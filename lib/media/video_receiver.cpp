#include "media/video_receiver.h"

#include <algorithm>

namespace rtcstack::media {

base::Result<VideoReceiver> VideoReceiver::create(VideoCodec codec, const VideoReceiverConfig& config) {
  auto decoder = create_video_decoder(codec);
  if (!decoder) return decoder.error();
  return VideoReceiver(codec, config, std::move(*decoder));
}

VideoReceiver::VideoReceiver(VideoCodec codec, const VideoReceiverConfig& config, std::unique_ptr<VideoDecoder> decoder)
    : codec_(codec),
      config_(config),
      jitter_(config.jitter),
      nack_(config.nack),
      assembler_(codec),
      decoder_(std::move(decoder)) {}

void VideoReceiver::on_packet(base::Instant now, const RtpPacket& packet) {
  nack_.on_packet(now, packet.sequence_number());
  jitter_.insert(now, packet);
}

VideoReceiver::Requests VideoReceiver::process(base::Instant now, base::Duration rtt, const FrameSink& on_frame) {
  Requests requests;
  requests.nack = std::span<const std::uint16_t>(lost_.data(), nack_.poll(now, rtt, lost_));
  jitter_.release(now, [&](const RtpPacket& packet) {
    auto frame = assembler_.push(packet);
    if (!frame) return;
    if (!frame->decodable) {
      ++undecodable_;
      ++broken_since_request_;
      return;
    }
    auto picture = decoder_->decode(frame->bytes);
    if (!picture) {
      ++decode_errors_;
      ++broken_since_request_;
      return;
    }
    ++frames_decoded_;
    if (on_frame) on_frame(*picture);
  });
  // A frame dropped half-received breaks the chain as much as an undecodable one.
  broken_since_request_ += assembler_.frames_dropped() - dropped_seen_;
  dropped_seen_ = assembler_.frames_dropped();
  // Only a broken chain asks: at the start the first key frame is on its way.
  const bool paced = !last_key_frame_request_ || now - *last_key_frame_request_ >= config_.key_frame_request_interval;
  if (assembler_.needs_key_frame() && broken_since_request_ > 0 && paced) {
    requests.key_frame = true;
    last_key_frame_request_ = now;
    broken_since_request_ = 0;
    ++key_frames_requested_;
  }
  return requests;
}

std::optional<base::Instant> VideoReceiver::next_process(base::Duration rtt) const {
  const auto nack = nack_.next_poll(rtt);
  const auto release = jitter_.next_release();
  if (nack && release) return std::min(*nack, *release);
  return nack ? nack : release;
}

}  // namespace rtcstack::media
