#include "video_flow.h"

#include <catch2/catch.hpp>

#include "media/encoder_bitrate.h"
#include "media/vp8_payload.h"

namespace rtcstack::testing {
namespace {

constexpr std::size_t kMaxPayload = 1100;
constexpr base::Duration kFrameInterval = base::Duration::microseconds(33'333);
constexpr std::size_t kChannelMessage = 16 * 1024;
constexpr std::size_t kChannelBacklog = 256 * 1024;

}  // namespace

VideoFlow::VideoFlow(SimNetwork& network, const char* sender_ip, const char* receiver_ip, std::uint64_t seed,
                     FlowOptions options)
    : sender(network, sender_ip, seed * 2 + 1, options.configuration),
      receiver(network, receiver_ip, seed * 2 + 2, options.configuration),
      network_(network),
      options_(std::move(options)),
      payload_(kMaxPayload) {
  sender.set_peer(&receiver);
  receiver.set_peer(&sender);
  sender.on_event = [this](const pc::Event& event) {
    if (const auto* target = std::get_if<pc::TargetBitrateEvent>(&event)) {
      target_bps = target->bitrate_bps;
      if (encoder) REQUIRE(encoder->set_target_bitrate(target_bps).ok());
    }
    if (std::holds_alternative<pc::KeyFrameRequestEvent>(event) && encoder) encoder->request_key_frame();
  };
  receiver.on_event = [this](const pc::Event& event) {
    if (const auto* rtp = std::get_if<pc::RtpPacketEvent>(&event)) video_bytes += rtp->packet.size();
    if (const auto* message = std::get_if<pc::MessageEvent>(&event)) channel_bytes += message->data.size();
  };
  if (options_.video) video_ = *sender.pc().add_transceiver(pc::MediaKind::kVideo, pc::RtpTransceiverDirection::kSendOnly);
  if (options_.greedy_channel) channel_ = *sender.pc().create_data_channel(labelled("bulk"));
  if (options_.real_vp8) {
    media::VideoEncoderConfig config;
    config.width = 320;
    config.height = 240;
    config.bitrate_kbps = 300;
    encoder = std::make_unique<media::VideoSender>(*media::VideoSender::create(media::VideoCodec::kVp8, config, kMaxPayload));
  }
}

bool VideoFlow::connect() {
  // Without remb_only the offer goes as it is; with it, as a peer without transport-wide
  // CC would have offered: no extension, no feedback.
  const auto without_transport_cc = [](const std::string& sdp) {
    std::string kept;
    for (std::size_t start = 0; start < sdp.size();) {
      const std::size_t end = std::min(sdp.find('\n', start), sdp.size() - 1);
      const std::string line = sdp.substr(start, end - start + 1);
      if (line.find("transport-cc") == std::string::npos && line.find("transport-wide-cc") == std::string::npos) kept += line;
      start = end + 1;
    }
    return kept;
  };
  negotiate(sender, receiver, options_.remb_only ? std::function<std::string(const std::string&)>(without_transport_cc) : nullptr);
  const bool connected =
      network_.run_until([&] { return sender.connected() && receiver.connected(); }, network_.now() + base::Duration::seconds(10));
  next_frame_ = network_.now();
  return connected;
}

void VideoFlow::tick(base::Instant now) {
  while (options_.video && now >= next_frame_) {
    send_frame();
    next_frame_ = next_frame_ + kFrameInterval;
  }
  if (channel_ && sender.is(*channel_, pc::DataChannelState::kOpen)) {
    const std::vector<std::uint8_t> message(kChannelMessage, 0x42);
    while (sender.pc().buffered_amount(*channel_) < kChannelBacklog) REQUIRE(sender.pc().send(*channel_, message, true).ok());
  }
  sender.drain();
}

void VideoFlow::send_frame() {
  const auto timestamp = static_cast<std::uint32_t>(frames_sent * 3000);
  ++frames_sent;
  if (encoder) {
    auto sent = encoder->send_frame(pattern_.draw(static_cast<int>(frames_sent)), timestamp, [&](base::ByteView payload, bool marker) {
      return sender.pc().send_rtp(video_, payload, timestamp, marker);
    });
    REQUIRE(sent.ok());
    return;
  }
  // The model: the target's payload share at 30 fps; the first frame a key frame.
  const std::uint64_t payload_bps = media::payload_bitrate(target_bps, kMaxPayload);
  std::size_t size = static_cast<std::size_t>(payload_bps / 8 / 30);
  if (frames_sent == 1) size *= 5;
  size = std::max<std::size_t>(size, 100);
  frame_.assign(size, static_cast<std::uint8_t>(frames_sent));
  frame_[0] = frames_sent == 1 ? 0x10 : 0x11;  // VP8 frame tag: key frame / inter frame (RFC 6386 §9.1)
  send_payloads(frame_, timestamp);
}

void VideoFlow::send_payloads(base::ByteView frame, std::uint32_t timestamp) {
  REQUIRE(packetizer_.start(frame, false, kMaxPayload).ok());
  while (auto next = packetizer_.next(payload_)) {
    REQUIRE(sender.pc().send_rtp(video_, *next, timestamp, packetizer_.last_was_final()).ok());
  }
}

}  // namespace rtcstack::testing
