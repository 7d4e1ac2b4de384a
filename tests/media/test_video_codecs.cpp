// Every video codec rtcstack has, through the same interfaces: the encoder and decoder on
// a moving picture, and frames through their RTP payload format and the frame assembler,
// whole and with a packet lost. The formats' own details are in test_vp8.cpp and
// test_h264.cpp; the codecs over a lossy network with NACK, RTX and PLI in test_repair.cpp.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "hex_bytes.h"
#include "media/frame_assembler.h"
#include "media/h264_payload.h"
#include "media/rtp_packet.h"
#include "media/video_codec.h"
#include "media/video_payload.h"
#include "media/video_receiver.h"
#include "media/video_sender.h"
#include "test_pattern.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

// Luma PSNR of `decoded` against the picture `pattern` drew last.
double psnr_y(const I420View& source, const I420View& decoded) {
  double error = 0;
  for (int row = 0; row < source.height; ++row) {
    for (int col = 0; col < source.width; ++col) {
      const double d = double(source.y[row * source.stride_y + col]) - decoded.y[row * decoded.stride_y + col];
      error += d * d;
    }
  }
  const double mse = error / (source.width * source.height);
  return mse == 0 ? 99 : 10 * std::log10(255.0 * 255.0 / mse);
}

// One frame as RTP packets of at most `max_payload` payload bytes.
std::vector<base::Buffer> packetize(VideoPacketizer& packetizer, const EncodedFrame& frame, std::uint16_t& sequence,
                                    std::uint32_t timestamp, std::size_t max_payload) {
  REQUIRE(packetizer.start(frame.bytes, frame.key_frame, max_payload).ok());
  std::vector<base::Buffer> packets;
  std::array<std::uint8_t, 1500> payload{};
  while (auto next = packetizer.next(payload)) {
    REQUIRE(next->size() <= max_payload);
    RtpHeader header;
    header.payload_type = 96;
    header.sequence_number = sequence++;
    header.timestamp = timestamp;
    header.ssrc = 1;
    header.marker = packetizer.last_was_final();
    base::Buffer packet(1500);
    auto written = write_rtp(header, *next, packet.mutable_view());
    REQUIRE(written.ok());
    packet.resize(written->size());
    packets.push_back(std::move(packet));
  }
  REQUIRE(RtpPacket::parse(packets.back())->marker());
  return packets;
}

}  // namespace

TEST_CASE("codec names are a=rtpmap's, in any case", "[video]") {
  CHECK(video_codec_from_name("VP8") == VideoCodec::kVp8);
  CHECK(video_codec_from_name("vp8") == VideoCodec::kVp8);
  CHECK(video_codec_from_name("H264") == VideoCodec::kH264);
  CHECK(video_codec_from_name("h264") == VideoCodec::kH264);
  CHECK_FALSE(video_codec_from_name("H265"));
  CHECK_FALSE(video_codec_from_name("VP"));
  CHECK(video_codec_from_name("vp9") == VideoCodec::kVp9);
  CHECK(to_string(VideoCodec::kH264) == "H264");
  CHECK(to_string(VideoCodec::kVp9) == "VP9");
  CHECK(video_codec_from_name("av1") == VideoCodec::kAv1);
}

TEST_CASE("each codec encodes a moving picture that decodes back close to the source", "[video][codec]") {
  const VideoCodec codec = GENERATE(VideoCodec::kVp8, VideoCodec::kH264, VideoCodec::kVp9, VideoCodec::kAv1);
  INFO(to_string(codec));
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  config.bitrate_kbps = 800;
  auto encoder = create_video_encoder(codec, config);
  REQUIRE(encoder.ok());
  auto decoder = create_video_decoder(codec);
  REQUIRE(decoder.ok());
  support::TestPattern pattern(320, 240);
  int key_frames = 0, frames = 0;
  double worst = 99;
  for (int i = 0; i < 30; ++i) {
    const I420View picture = pattern.draw(i);
    auto encoded = (*encoder)->encode(picture, static_cast<std::uint32_t>(i * 3000), i == 20);
    REQUIRE(encoded.ok());
    REQUIRE(encoded->has_value());
    const EncodedFrame& frame = **encoded;
    if (i == 0 || i == 20) CHECK(frame.key_frame);  // the first frame, and the one asked for
    key_frames += frame.key_frame;
    auto decoded = (*decoder)->decode(frame.bytes);
    REQUIRE(decoded.ok());
    CHECK(decoded->width == 320);
    CHECK(decoded->height == 240);
    worst = std::min(worst, psnr_y(picture, *decoded));
    ++frames;
  }
  CHECK(frames == 30);
  CHECK(key_frames == 2);
  INFO("worst luma PSNR " << worst << " dB");
  CHECK(worst > 28.0);
  CHECK((*decoder)->decode(hex_bytes("11 02 00 FF FF")).error().code == base::ErrorCode::kMalformed);
  CHECK((*decoder)->decode({}).error().code == base::ErrorCode::kMalformed);
  support::TestPattern small(64, 64);
  CHECK((*encoder)->encode(small.draw(0), 0).error().code == base::ErrorCode::kInvalidArgument);
  CHECK((*encoder)->set_bitrate(300).ok());
  config.width = 321;
  CHECK(create_video_encoder(codec, config).error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("frames go through RTP and come back whole; a lost packet costs frames until a key frame", "[video][codec]") {
  const VideoCodec codec = GENERATE(VideoCodec::kVp8, VideoCodec::kH264, VideoCodec::kVp9, VideoCodec::kAv1);
  INFO(to_string(codec));
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  auto encoder = create_video_encoder(codec, config);
  REQUIRE(encoder.ok());
  auto decoder = create_video_decoder(codec);
  REQUIRE(decoder.ok());
  const auto packetizer = make_packetizer(codec);
  support::TestPattern pattern(320, 240);
  FrameAssembler assembler(codec);
  CHECK(assembler.needs_key_frame());  // nothing received yet
  std::uint16_t sequence = 65530;       // across the wrap
  int decoded = 0, undecodable = 0;
  int key_frame_at = -1;  // a PLI reaches the sender a frame later
  for (int i = 0; i < 40; ++i) {
    const I420View picture = pattern.draw(i);
    const auto timestamp = static_cast<std::uint32_t>(i * 3000);
    auto encoded = (*encoder)->encode(picture, timestamp, i == key_frame_at);
    REQUIRE(encoded.ok());
    REQUIRE(encoded->has_value());
    std::vector<base::Buffer> packets = packetize(*packetizer, **encoded, sequence, timestamp, 300);
    if (i == 10) {
      REQUIRE(packets.size() >= 3);
      packets.erase(packets.begin() + 1);  // lost in the network, never repaired
    }
    for (const base::Buffer& bytes : packets) {
      auto packet = RtpPacket::parse(bytes);
      REQUIRE(packet.ok());
      auto frame = assembler.push(*packet);
      if (!frame) continue;
      CHECK(frame->timestamp == timestamp);
      CHECK(frame->key_frame == (*encoded)->key_frame);
      if (!frame->decodable) {
        ++undecodable;
        continue;
      }
      auto image = (*decoder)->decode(frame->bytes);
      REQUIRE(image.ok());
      CHECK(psnr_y(picture, *image) > 25.0);
      ++decoded;
    }
    if (assembler.needs_key_frame() && key_frame_at < i) key_frame_at = i + 2;  // what a PLI does
  }
  // Frame 10 is dropped; frame 11 arrives whole but refers to it, so it is not decodable
  // and asks again; the key frame forced for frame 12 restores the chain.
  CHECK(assembler.frames_dropped() == 1);
  CHECK(undecodable == 1);
  CHECK(decoded == 38);
  CHECK(assembler.packets_malformed() == 0);
  CHECK_FALSE(assembler.needs_key_frame());
}

TEST_CASE("a sender and a receiver of each codec: every frame decoded, key frames on request", "[video][codec]") {
  const auto [codec, mode] = GENERATE(std::pair{VideoCodec::kVp8, 1}, std::pair{VideoCodec::kH264, 1},
                                      std::pair{VideoCodec::kH264, 0}, std::pair{VideoCodec::kVp9, 1},
                                      std::pair{VideoCodec::kAv1, 1});
  INFO(to_string(codec) << " packetization-mode " << mode);
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  PayloadOptions options;
  options.h264_packetization_mode = mode;
  auto sender = VideoSender::create(codec, config, 500, options);
  REQUIRE(sender.ok());
  auto receiver = VideoReceiver::create(codec);
  REQUIRE(receiver.ok());
  CHECK(sender->codec() == codec);
  CHECK(receiver->codec() == codec);
  support::TestPattern pattern(320, 240);
  std::uint16_t sequence = 0;
  int decoded = 0;
  std::size_t largest = 0;
  for (int i = 0; i < 30; ++i) {
    if (i == 15) sender->request_key_frame();
    const auto timestamp = static_cast<std::uint32_t>(i * 3000);
    const base::Instant now = base::Instant::from_nanoseconds(i * 33'333'333LL);
    auto sent = sender->send_frame(pattern.draw(i), timestamp, [&](base::ByteView payload, bool marker) {
      largest = std::max(largest, payload.size());
      if (mode == 0) {
        // Single NAL unit packets only: no STAP-A (24), no FU-A (28).
        const std::uint8_t type = payload[0] & 0x1F;
        CHECK((type >= 1 && type <= 23));
      }
      RtpHeader header;
      header.payload_type = 96;
      header.sequence_number = sequence++;
      header.timestamp = timestamp;
      header.marker = marker;
      std::array<std::uint8_t, 1500> out{};
      auto written = write_rtp(header, payload, out);
      REQUIRE(written.ok());
      receiver->on_packet(now, *RtpPacket::parse(*written));
      return base::Result<void>{};
    });
    REQUIRE(sent.ok());
    CHECK(*sent >= 1);
    receiver->process(now, base::Duration::milliseconds(50), [&](const I420View& picture) {
      CHECK(picture.width == 320);
      ++decoded;
    });
  }
  CHECK(largest <= 500);
  CHECK(decoded == 30);
  CHECK(sender->frames_sent() == 30);
  CHECK(sender->key_frames_sent() == 2);
  CHECK(receiver->frames_decoded() == 30);
  CHECK(receiver->decode_errors() == 0);
  CHECK(sender->set_target_bitrate(400'000).ok());
}
