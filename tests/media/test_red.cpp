// Redundant audio (RFC 2198) for Opus: RED payloads written by hand and by the encoder,
// parsed back, refused when they lie, and a stream that loses every other packet played
// whole from the redundancy.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "hex_bytes.h"
#include "media/opus_codec.h"
#include "media/red_payload.h"
#include "test_pattern.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

TEST_CASE("a RED payload as RFC 2198 §3 lays it out: headers, then blocks, the primary last", "[red]") {
  // One redundant block (PT 111, 960 ticks back, 3 bytes), the primary (PT 111, 2 bytes).
  const base::Buffer payload = hex_bytes("EF 0F 00 03 6F AA BB CC DD EE");
  auto red = parse_red_payload(payload, 10'000);
  REQUIRE(red.ok());
  REQUIRE(red->count == 2);
  CHECK(red->blocks[0].payload_type == 111);
  CHECK(red->blocks[0].timestamp == 10'000 - 960);
  CHECK(base::Buffer(red->blocks[0].data) == hex_bytes("AA BB CC"));
  CHECK(red->primary().payload_type == 111);
  CHECK(red->primary().timestamp == 10'000);
  CHECK(base::Buffer(red->primary().data) == hex_bytes("DD EE"));
  // A primary alone; an empty primary is allowed (its length is what is left).
  CHECK(parse_red_payload(hex_bytes("6F 01"), 5)->count == 1);
  CHECK(parse_red_payload(hex_bytes("6F"), 5)->primary().data.empty());
  // Lies about lengths, and headers without end.
  CHECK(parse_red_payload({}, 0).error().code == base::ErrorCode::kTruncated);
  CHECK(parse_red_payload(hex_bytes("EF 0F 00"), 0).error().code == base::ErrorCode::kTruncated);
  CHECK(parse_red_payload(hex_bytes("EF 0F 00 09 6F AA"), 0).error().code == base::ErrorCode::kTruncated);
  CHECK(parse_red_payload(hex_bytes("EF 00 00 01"), 0).error().code == base::ErrorCode::kTruncated);
  std::vector<std::uint8_t> many;
  for (int i = 0; i < 9; ++i) many.insert(many.end(), {0xEF, 0x00, 0x04, 0x00});
  many.push_back(0x6F);
  CHECK(parse_red_payload(many, 0).error().code == base::ErrorCode::kMalformed);
}

TEST_CASE("the RED encoder sends each packet again in the next one (or two), and parses back", "[red]") {
  for (const std::size_t distance : {std::size_t{1}, std::size_t{2}}) {
    INFO("distance " << distance);
    RedEncoder encoder(111, distance);
    std::array<std::uint8_t, 1500> out{};
    for (std::uint32_t i = 0; i < 5; ++i) {
      const std::vector<std::uint8_t> opus(10 + i, static_cast<std::uint8_t>(i));
      auto payload = encoder.encode(opus, i * 960, out);
      REQUIRE(payload.ok());
      auto red = parse_red_payload(*payload, i * 960);
      REQUIRE(red.ok());
      CHECK(red->count == 1 + std::min<std::size_t>(i, distance));
      CHECK(std::vector<std::uint8_t>(red->primary().data.begin(), red->primary().data.end()) == opus);
      for (std::size_t b = 0; b + 1 < red->count; ++b) {
        const std::uint32_t back = static_cast<std::uint32_t>(red->count - 1 - b);  // oldest first
        CHECK(red->blocks[b].timestamp == (i - back) * 960);
        CHECK(red->blocks[b].data.size() == 10 + i - back);
        CHECK(red->blocks[b].data[0] == i - back);
      }
    }
    // A block too old for 14 bits of offset, or too long for 10 bits of length, stays out.
    CHECK(parse_red_payload(*encoder.encode(hex_bytes("01"), 4 * 960 + 20'000, out), 0)->count == 1);
    const std::vector<std::uint8_t> long_packet(1100, 7);
    (void)encoder.encode(long_packet, 30'000, out);
    const auto after_long = parse_red_payload(*encoder.encode(hex_bytes("02"), 30'960, out), 30'960);
    REQUIRE(after_long.ok());
    for (std::size_t b = 0; b < after_long->count; ++b) CHECK(after_long->blocks[b].data.size() < 1100);
    std::array<std::uint8_t, 4> small{};
    CHECK(encoder.encode(long_packet, 31'920, small).error().code == base::ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("losing every other RED packet loses no audio: each lost one comes in the next", "[red][opus]") {
  auto encoder = OpusAudioEncoder::create({});
  REQUIRE(encoder.ok());
  auto decoder = OpusAudioDecoder::create(1);
  REQUIRE(decoder.ok());
  support::TestTone tone;
  RedEncoder red_encoder(111);
  std::array<std::uint8_t, 1500> opus_out{}, red_out{};
  std::vector<std::int16_t> pcm(5760);
  std::size_t decoded = 0, from_redundancy = 0;
  for (int i = 0; i < 50; ++i) {
    // The tone's left channel as mono.
    const auto stereo = tone.frame(i);
    std::array<std::int16_t, 960> mono{};
    for (std::size_t s = 0; s < mono.size(); ++s) mono[s] = stereo[2 * s];
    auto packet = encoder->encode(mono, opus_out);
    REQUIRE(packet.ok());
    auto red = red_encoder.encode(*packet, static_cast<std::uint32_t>(i * 960), red_out);
    REQUIRE(red.ok());
    if (i % 2 == 1 && i != 49) continue;  // lost in the network
    auto blocks = parse_red_payload(*red, static_cast<std::uint32_t>(i * 960));
    REQUIRE(blocks.ok());
    if (i > 0 && i % 2 == 0) {
      // The packet before this one was lost: its audio is the redundant block.
      REQUIRE(blocks->count == 2);
      CHECK(blocks->blocks[0].timestamp == static_cast<std::uint32_t>((i - 1) * 960));
      auto samples = decoder->decode(blocks->blocks[0].data, pcm);
      REQUIRE(samples.ok());
      decoded += *samples;
      ++from_redundancy;
    }
    auto samples = decoder->decode(blocks->primary().data, pcm);
    REQUIRE(samples.ok());
    decoded += *samples;
  }
  CHECK(decoded == 50 * 960);  // one second, every frame
  CHECK(from_redundancy == 24);
}
