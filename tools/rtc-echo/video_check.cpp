#include "video_check.h"

#include <chrono>
#include <cstdio>

namespace rtcstack::echo {

void VideoCheck::on_packet(net::PeerConnectionHandle& handle, pc::TransceiverHandle transceiver,
                           const media::RtpPacket& packet) {
  std::lock_guard lock(mutex_);
  Stream& stream = streams_[transceiver];
  if (!stream.receiver || stream.payload_type != packet.payload_type()) {
    // The first packet, or the peer switched codecs: a receiver for the one it names.
    std::optional<media::VideoCodec> codec;
    for (const auto& negotiated : handle.negotiated_codecs(transceiver)) {
      if (negotiated.payload_type == packet.payload_type()) codec = pc::video_codec(negotiated);
    }
    if (!codec) return;  // audio, or a payload type the negotiation did not name
    auto receiver = media::VideoReceiver::create(*codec);
    if (!receiver) return;
    stream = Stream{};
    stream.receiver.emplace(std::move(*receiver));
    stream.payload_type = packet.payload_type();
  }
  const auto now = base::Instant::from_nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  stream.receiver->on_packet(now, packet);
  // The client repairs what reaches it from our echo; here only what arrives whole counts.
  (void)stream.receiver->process(now, base::Duration::milliseconds(20), [&](const media::I420View& picture) {
    stream.width = picture.width;
    stream.height = picture.height;
  });
  if (!stream.reported && stream.receiver->frames_decoded() >= kFramesReported) {
    stream.reported = true;
    std::printf("video: %llu frames of %s decoded (%dx%d)\n", static_cast<unsigned long long>(kFramesReported),
                std::string(media::to_string(stream.receiver->codec())).c_str(), stream.width, stream.height);
    std::fflush(stdout);
  }
}

}  // namespace rtcstack::echo
