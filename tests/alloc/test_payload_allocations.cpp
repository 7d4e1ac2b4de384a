// Payload formats: no allocation per packet or frame on the packetize and reassemble
// paths once their buffers have grown, for every video codec (real encoder output, 1200-byte
// payloads) and for RED.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "allocation_counter.h"
#include "media/frame_assembler.h"
#include "media/red_payload.h"
#include "media/rtp_packet.h"
#include "media/video_codec.h"
#include "media/video_payload.h"
#include "test_pattern.h"

using namespace rtcstack;
using namespace rtcstack::media;

TEST_CASE("video payload formats: no allocation per packet after warm-up", "[alloc][video]") {
  const VideoCodec codec = GENERATE(VideoCodec::kVp8, VideoCodec::kH264, VideoCodec::kVp9, VideoCodec::kAv1);
  INFO(to_string(codec));
  VideoEncoderConfig config;
  config.width = 320;
  config.height = 240;
  auto encoder = create_video_encoder(codec, config);
  REQUIRE(encoder.ok());
  support::TestPattern pattern(320, 240);
  std::vector<std::vector<std::uint8_t>> frames;
  std::vector<bool> keys;
  for (int i = 0; i < 30; ++i) {
    auto frame = (*encoder)->encode(pattern.draw(i), static_cast<std::uint32_t>(i * 3000), i == 15);
    REQUIRE(frame.ok());
    frames.emplace_back((*frame)->bytes.begin(), (*frame)->bytes.end());
    keys.push_back((*frame)->key_frame);
  }
  const auto packetizer = make_packetizer(codec);
  FrameAssembler assembler(codec);
  std::array<std::uint8_t, 1200> payload{};
  std::array<std::uint8_t, 1300> packet{};
  std::uint16_t sequence = 0;
  std::size_t completed = 0, packets = 0, failures = 0;
  const auto run = [&](int rounds) {
    for (int round = 0; round < rounds; ++round) {
      for (std::size_t f = 0; f < frames.size(); ++f) {
        // (a Catch assertion allocates: failures are counted instead)
        failures += !packetizer->start(frames[f], keys[f], payload.size()).ok();
        while (auto next = packetizer->next(payload)) {
          RtpHeader header;
          header.payload_type = 96;
          header.sequence_number = sequence++;
          header.timestamp = static_cast<std::uint32_t>((round * 30 + f) * 3000);
          header.marker = packetizer->last_was_final();
          auto bytes = write_rtp(header, *next, packet);
          completed += assembler.push(*RtpPacket::parse(*bytes)).has_value();
          ++packets;
        }
      }
    }
  };
  run(1);  // warm-up: the frame buffers grow to the largest frame
  const std::uint64_t before = testing::allocations();
  run(10);
  const std::uint64_t allocated = testing::allocations() - before;
  INFO(packets << " packets");
  CHECK(failures == 0);
  CHECK(completed == 11 * frames.size());
  CHECK(allocated == 0);
}

TEST_CASE("RED: no allocation per packet after warm-up", "[alloc][red]") {
  RedEncoder encoder(111, 2);
  std::array<std::uint8_t, 1500> out{};
  std::vector<std::uint8_t> opus(120, 7);
  for (std::uint32_t i = 0; i < 3; ++i) REQUIRE(encoder.encode(opus, i * 960, out).ok());
  const std::uint64_t before = testing::allocations();
  std::size_t blocks = 0;
  for (std::uint32_t i = 3; i < 1003; ++i) {
    auto red = encoder.encode(opus, i * 960, out);
    blocks += parse_red_payload(*red, i * 960)->count;
  }
  CHECK(testing::allocations() - before == 0);
  CHECK(blocks == 3000);
}
