#include "media_check.h"

#include <chrono>
#include <cstdio>

#include "media/opus_payload.h"
#include "media/red_payload.h"

namespace rtcstack::echo {

void MediaCheck::on_packet(net::PeerConnectionHandle& handle, pc::TransceiverHandle transceiver, const std::string& rid,
                           const media::RtpPacket& packet) {
  std::lock_guard lock(mutex_);
  Stream& stream = streams_[{transceiver, rid}];
  if ((!stream.receiver && !stream.red) || stream.payload_type != packet.payload_type()) {
    // The first packet, or the peer switched codecs: what the payload type names.
    std::optional<pc::CodecParameters> codec;
    for (const auto& negotiated : handle.negotiated_codecs(transceiver)) {
      if (negotiated.payload_type == packet.payload_type()) codec = negotiated;
    }
    if (!codec) return;
    stream = Stream{};
    stream.payload_type = packet.payload_type();
    stream.red = codec->name == "red";
    if (const auto video = pc::video_codec(*codec)) {
      auto receiver = media::VideoReceiver::create(*video);
      if (receiver) stream.receiver.emplace(std::move(*receiver));
    }
  }
  if (stream.receiver) on_video(stream, rid, packet);
  if (stream.red) on_red(stream, packet);
}

void MediaCheck::on_video(Stream& stream, const std::string& rid, const media::RtpPacket& packet) {
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
    std::printf("video%s%s: %llu frames of %s decoded (%dx%d)\n", rid.empty() ? "" : " rid=", rid.c_str(),
                static_cast<unsigned long long>(kFramesReported),
                std::string(media::to_string(stream.receiver->codec())).c_str(), stream.width, stream.height);
    std::fflush(stdout);
  }
}

void MediaCheck::on_red(Stream& stream, const media::RtpPacket& packet) {
  const auto red = media::parse_red_payload(packet.payload(), packet.timestamp());
  if (!red || !media::parse_opus_packet(red->primary().data)) return;
  ++stream.red_packets;
  stream.redundant_blocks += red->count - 1;
  if (!stream.reported && stream.red_packets >= kRedPacketsReported) {
    stream.reported = true;
    std::printf("audio: %llu packets of Opus in RED (%llu redundant blocks)\n",
                static_cast<unsigned long long>(kRedPacketsReported), static_cast<unsigned long long>(stream.redundant_blocks));
    std::fflush(stdout);
  }
}

}  // namespace rtcstack::echo
