#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "hex_bytes.h"
#include "media/opus_codec.h"
#include "media/opus_payload.h"

using namespace rtcstack;
using namespace rtcstack::media;
using testing::hex_bytes;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A tone of `hz` at 48 kHz, `frame` frames of 960 samples into the signal.
std::vector<std::int16_t> tone(double hz, int frame, int channels = 1, double amplitude = 8000) {
  std::vector<std::int16_t> pcm(960 * static_cast<std::size_t>(channels));
  for (int i = 0; i < 960; ++i) {
    const double t = (frame * 960 + i) / 48000.0;
    const auto sample = static_cast<std::int16_t>(amplitude * std::sin(2 * kPi * hz * t));
    for (int c = 0; c < channels; ++c) pcm[static_cast<std::size_t>(i * channels + c)] = sample;
  }
  return pcm;
}

double rms(const std::int16_t* pcm, std::size_t count) {
  double sum = 0;
  for (std::size_t i = 0; i < count; ++i) sum += double(pcm[i]) * pcm[i];
  return std::sqrt(sum / static_cast<double>(count));
}

// Upward zero crossings per second: a tone's frequency.
double frequency(const std::vector<std::int16_t>& pcm) {
  int crossings = 0;
  for (std::size_t i = 1; i < pcm.size(); ++i) crossings += pcm[i - 1] < 0 && pcm[i] >= 0;
  return crossings * 48000.0 / static_cast<double>(pcm.size());
}

}  // namespace

TEST_CASE("an Opus tone survives encode and decode: same pitch, same loudness", "[opus][codec]") {
  for (int channels : {1, 2}) {
    INFO(channels << " channel(s)");
    OpusEncoderConfig config;
    config.channels = channels;
    auto encoder = OpusAudioEncoder::create(config);
    REQUIRE(encoder.ok());
    CHECK(encoder->frame_samples() == 960);
    auto decoder = OpusAudioDecoder::create(channels);
    REQUIRE(decoder.ok());
    std::array<std::uint8_t, 1500> packet{};
    std::vector<std::int16_t> out(5760 * 2);
    std::vector<std::int16_t> decoded;  // first channel only
    for (int frame = 0; frame < 50; ++frame) {
      auto encoded = encoder->encode(tone(440, frame, channels), packet);
      REQUIRE(encoded.ok());
      auto info = parse_opus_packet(*encoded);
      REQUIRE(info.ok());
      CHECK(info->duration_us() == 20'000);
      CHECK(info->duration_samples() == 960);
      CHECK(info->stereo == (channels == 2));
      auto samples = decoder->decode(*encoded, out);
      REQUIRE(samples.ok());
      REQUIRE(*samples == 960);
      for (std::size_t i = 0; i < 960; ++i) decoded.push_back(out[i * static_cast<std::size_t>(channels)]);
    }
    // Skip the codec's start-up (its look-ahead delays the tone by a few ms).
    const std::vector<std::int16_t> steady(decoded.begin() + 4800, decoded.end());
    CHECK(frequency(steady) == Approx(440).margin(5));
    CHECK(rms(steady.data(), steady.size()) == Approx(8000 / std::sqrt(2.0)).epsilon(0.2));
  }
}

TEST_CASE("Opus conceals a lost packet and rebuilds it from in-band FEC", "[opus][codec]") {
  OpusEncoderConfig config;
  config.inband_fec = true;
  config.expected_loss_percent = 20;
  config.bitrate_bps = 24'000;
  auto encoder = OpusAudioEncoder::create(config);
  REQUIRE(encoder.ok());
  auto decoder = OpusAudioDecoder::create(1);
  REQUIRE(decoder.ok());
  std::vector<std::vector<std::uint8_t>> packets;
  std::array<std::uint8_t, 1500> packet{};
  for (int frame = 0; frame < 30; ++frame) {
    auto encoded = encoder->encode(tone(300, frame), packet);
    REQUIRE(encoded.ok());
    packets.emplace_back(encoded->begin(), encoded->end());
  }
  std::vector<std::int16_t> out(5760);
  for (int frame = 0; frame < 20; ++frame) REQUIRE(decoder->decode(packets[static_cast<std::size_t>(frame)], out).ok());
  // Packet 20 is lost; 21 carries its FEC copy.
  auto recovered = decoder->recover(packets[21], 960, out);
  REQUIRE(recovered.ok());
  CHECK(*recovered == 960);
  CHECK(rms(out.data(), 960) > 2000);  // a tone, not silence
  REQUIRE(decoder->decode(packets[21], out).ok());
  // Packet 22 is lost with nothing to rebuild it from: concealment continues the sound.
  auto concealed = decoder->conceal(960, out);
  REQUIRE(concealed.ok());
  CHECK(*concealed == 960);
  CHECK(rms(out.data(), 960) > 500);
  CHECK(decoder->decode(packets[23], out).ok());
  CHECK_FALSE(decoder->decode({}, out).ok());
  CHECK_FALSE(decoder->conceal(960, std::span<std::int16_t>(out.data(), 100)).ok());
}

TEST_CASE("with DTX, silence costs almost nothing", "[opus][codec]") {
  OpusEncoderConfig config;
  config.dtx = true;
  auto encoder = OpusAudioEncoder::create(config);
  REQUIRE(encoder.ok());
  std::array<std::uint8_t, 1500> packet{};
  const std::vector<std::int16_t> silence(960, 0);
  std::size_t tiny = 0;
  for (int frame = 0; frame < 50; ++frame) {
    auto encoded = encoder->encode(silence, packet);
    REQUIRE(encoded.ok());
    if (encoded->size() <= 2) ++tiny;
  }
  CHECK(tiny > 30);
  CHECK_FALSE(encoder->encode(std::vector<std::int16_t>(100), packet).ok());
  OpusEncoderConfig bad;
  bad.channels = 3;
  CHECK_FALSE(OpusAudioEncoder::create(bad).ok());
  bad.channels = 1;
  bad.frame_ms = 15;
  CHECK_FALSE(OpusAudioEncoder::create(bad).ok());
}

TEST_CASE("Opus packets are checked against RFC 6716 §3 without decoding", "[opus]") {
  struct Good {
    const char* name;
    const char* hex;
    int frames;
    std::uint32_t duration_us;
  };
  const Good good[] = {
      {"code 0, SILK 20 ms", "08 AA BB", 1, 20'000},
      {"code 0, CELT 2.5 ms, TOC only (a DTX frame)", "80", 1, 2'500},
      {"code 1, two hybrid 20 ms frames", "79 01 02 03 04", 2, 40'000},
      {"code 2, first frame of 2 bytes", "FA 02 01 02 03", 2, 40'000},
      {"code 3 CBR, 3 frames of 2", "FB 03 01 02 03 04 05 06", 3, 60'000},
      {"code 3 VBR with padding", "FB C2 02 01 AA BB CC 00 00", 2, 40'000},
  };
  for (const Good& g : good) {
    INFO(g.name);
    const base::Buffer bytes = hex_bytes(g.hex);
    auto info = parse_opus_packet(bytes);
    REQUIRE(info.ok());
    CHECK(info->frame_count == g.frames);
    CHECK(info->duration_us() == g.duration_us);
  }
  // A padding length byte of 255 means 254 bytes and another length byte: here 254 + 1.
  // Code 3 VBR with 2 frames, padding lengths FF 01, first frame length 01, frames AA and BB.
  std::vector<std::uint8_t> padded = {0xFB, 0xC2, 0xFF, 0x01, 0x01, 0xAA, 0xBB};
  padded.insert(padded.end(), 255, 0x00);
  auto with_padding = parse_opus_packet(padded);
  REQUIRE(with_padding.ok());
  CHECK(with_padding->frame_count == 2);

  struct Bad {
    const char* name;
    const char* hex;
  };
  const Bad bad[] = {
      {"empty (R1)", ""},
      {"code 1 odd bytes (R3)", "09 01 02 03"},
      {"code 2 length byte missing (R4)", "0A"},
      {"code 2 first frame past the end (R4)", "0A 05 01 02"},
      {"code 3 without count (R6)", "0B"},
      {"code 3 zero frames (R5)", "0B 00"},
      {"code 3 CBR uneven (R6)", "0B 02 01 02 03"},
      {"code 3 over 120 ms (R5)", "1B 03 01 02 03"},  // 3 x 60 ms SILK
      {"code 3 padding past the end (R7)", "0B 41 09 01"},
      {"code 3 VBR lengths past the end (R7)", "0B 82 09 01"},
  };
  for (const Bad& b : bad) {
    INFO(b.name);
    CHECK_FALSE(parse_opus_packet(hex_bytes(b.hex)).ok());
  }
  std::vector<std::uint8_t> huge(1 + 1276, 0);
  huge[0] = 0x08;
  CHECK_FALSE(parse_opus_packet(huge).ok());  // R2: a frame over 1275 bytes
}
