#include "media/vp8_sender.h"

#include <algorithm>

#include "media/encoder_bitrate.h"

namespace rtcstack::media {

base::Result<Vp8Sender> Vp8Sender::create(const Vp8EncoderConfig& config, std::size_t max_payload) {
  auto encoder = Vp8Encoder::create(config);
  if (!encoder) return encoder.error();
  return Vp8Sender(std::move(*encoder), max_payload);
}

Vp8Sender::Vp8Sender(Vp8Encoder encoder, std::size_t max_payload)
    : encoder_(std::move(encoder)), max_payload_(max_payload), payload_(max_payload) {}

base::Result<void> Vp8Sender::set_target_bitrate(std::uint64_t wire_bps) {
  // libvpx takes whole kbit/s; below 10 it cannot hold a picture together anyway.
  const std::uint64_t kbps = std::max<std::uint64_t>(payload_bitrate(wire_bps, max_payload_) / 1000, 10);
  return encoder_.set_bitrate(static_cast<int>(std::min<std::uint64_t>(kbps, 1'000'000)));
}

base::Result<std::size_t> Vp8Sender::send_frame(const I420View& picture, std::uint32_t timestamp_90k, const Sink& send) {
  auto encoded = encoder_.encode(picture, timestamp_90k, key_frame_requested_);
  if (!encoded) return encoded.error();
  if (!*encoded) return std::size_t{0};
  key_frame_requested_ = false;
  Vp8Packetizer packetizer;
  if (auto started = packetizer.start((*encoded)->bytes, picture_id_, max_payload_); !started) return started.error();
  picture_id_ = static_cast<std::uint16_t>((picture_id_ + 1) & 0x7fff);
  while (auto next = packetizer.next(payload_)) {
    if (auto sent = send(*next, packetizer.last_was_final()); !sent) return sent.error();
  }
  ++frames_sent_;
  key_frames_sent_ += (*encoded)->key_frame;
  return packetizer.packet_count();
}

}  // namespace rtcstack::media
