// The audio playout buffer alone, and with Opus over a lossy, jittery link: one second of
// a tone comes out as one second of audio at the same pitch, lost frames rebuilt from FEC
// or concealed.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "audio_jitter_buffer.h"
#include "media/opus_codec.h"
#include "media/rtp_packet.h"

using namespace rtcstack;
using namespace rtcstack::media;
using support::AudioJitterBuffer;
using support::AudioPlayout;

namespace {

base::Instant ms(std::int64_t value) { return base::Instant::from_nanoseconds(value * 1'000'000); }

base::Buffer audio_packet(std::uint16_t sequence, std::uint32_t timestamp, std::string_view payload) {
  RtpHeader header;
  header.payload_type = 111;
  header.sequence_number = sequence;
  header.timestamp = timestamp;
  header.ssrc = 7;
  base::Buffer out(1500);
  out.resize(write_rtp(header, base::as_bytes(payload), out.mutable_view())->size());
  return out;
}

std::string text(base::ByteView bytes) { return std::string(base::as_string_view(bytes)); }

}  // namespace

TEST_CASE("audio plays out at a steady pace after the target delay, in timestamp order", "[audio]") {
  AudioJitterBuffer buffer;  // 60 ms target delay, 960-sample frames
  const std::uint32_t t0 = 4'294'966'000u;  // the timestamps wrap during the test
  CHECK(buffer.pull(ms(0)).kind == AudioPlayout::Kind::kWaiting);
  buffer.insert(ms(0), *RtpPacket::parse(audio_packet(11, t0 + 960, "B")));  // the second frame first
  buffer.insert(ms(5), *RtpPacket::parse(audio_packet(10, t0, "A")));
  buffer.insert(ms(20), *RtpPacket::parse(audio_packet(13, t0 + 3 * 960, "D")));  // C is lost
  buffer.insert(ms(41), *RtpPacket::parse(audio_packet(14, t0 + 4 * 960, "E")));
  CHECK(buffer.pull(ms(40)).kind == AudioPlayout::Kind::kWaiting);
  AudioPlayout a = buffer.pull(ms(60));
  REQUIRE(a.kind == AudioPlayout::Kind::kPacket);
  CHECK(text(a.payload) == "A");
  CHECK(a.timestamp == t0);
  CHECK(a.samples == 960);
  CHECK(text(buffer.pull(ms(80)).payload) == "B");
  AudioPlayout c = buffer.pull(ms(100));
  REQUIRE(c.kind == AudioPlayout::Kind::kMissing);
  REQUIRE(c.next_payload.has_value());  // D is here: its FEC can rebuild C
  CHECK(text(*c.next_payload) == "D");
  CHECK(text(buffer.pull(ms(120)).payload) == "D");
  buffer.insert(ms(125), *RtpPacket::parse(audio_packet(12, t0 + 2 * 960, "C")));  // too late now
  CHECK(buffer.late() == 1);
  CHECK(text(buffer.pull(ms(140)).payload) == "E");
  AudioPlayout f = buffer.pull(ms(160));
  CHECK(f.kind == AudioPlayout::Kind::kMissing);
  CHECK_FALSE(f.next_payload.has_value());
  CHECK(buffer.played() == 4);
  CHECK(buffer.missing() == 2);
  buffer.insert(ms(170), *RtpPacket::parse(audio_packet(16, t0 + 6 * 960, "G")));
  buffer.insert(ms(171), *RtpPacket::parse(audio_packet(16, t0 + 6 * 960, "G")));  // duplicate
  buffer.insert(ms(172), *RtpPacket::parse(audio_packet(99, t0 + 500 * 960, "far")));  // past the window
  CHECK(buffer.late() == 3);
  CHECK(text(buffer.pull(ms(180)).payload) == "G");
}

TEST_CASE("one second of Opus over 10% loss and 30 ms of jitter plays out whole, at pitch", "[audio][opus][sim]") {
  OpusEncoderConfig config;
  config.inband_fec = true;
  config.expected_loss_percent = 10;
  auto encoder = OpusAudioEncoder::create(config);
  REQUIRE(encoder.ok());
  auto decoder = OpusAudioDecoder::create(1);
  REQUIRE(decoder.ok());
  std::mt19937 random(99);
  std::multimap<std::int64_t, base::Buffer> link;  // arrival time (ms) -> packet
  std::array<std::uint8_t, 1500> encoded{};
  int sent_lost = 0;
  for (int frame = 0; frame < 50; ++frame) {
    std::vector<std::int16_t> pcm(960);
    for (int i = 0; i < 960; ++i) {
      pcm[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(8000 * std::sin(2 * 3.14159265358979 * 440 * (frame * 960 + i) / 48000.0));
    }
    auto packet = encoder->encode(pcm, encoded);
    REQUIRE(packet.ok());
    if (frame > 0 && std::uniform_real_distribution<double>(0, 1)(random) < 0.10) {
      ++sent_lost;
      continue;
    }
    const std::int64_t arrival = frame * 20 + 40 + std::uniform_int_distribution<int>(-15, 15)(random);
    link.emplace(arrival, audio_packet(static_cast<std::uint16_t>(frame), static_cast<std::uint32_t>(frame * 960),
                                       base::as_string_view(*packet)));
  }
  AudioJitterBuffer buffer;
  std::vector<std::int16_t> played;
  std::vector<std::int16_t> pcm(5760);
  int recovered = 0, concealed = 0;
  for (std::int64_t now = 0; played.size() < 48000 && now < 3000; ++now) {
    while (!link.empty() && link.begin()->first <= now) {
      buffer.insert(ms(now), *RtpPacket::parse(link.begin()->second));
      link.erase(link.begin());
    }
    if (now % 20 != 0) continue;
    const AudioPlayout playout = buffer.pull(ms(now));
    if (playout.kind == AudioPlayout::Kind::kWaiting) continue;
    // Decode what is due; rebuild a missing frame from the next packet's FEC, or conceal it.
    const auto play = [&]() -> base::Result<std::size_t> {
      if (playout.kind == AudioPlayout::Kind::kPacket) return decoder->decode(playout.payload, pcm);
      if (playout.next_payload) {
        ++recovered;
        return decoder->recover(*playout.next_payload, playout.samples, pcm);
      }
      ++concealed;
      return decoder->conceal(playout.samples, pcm);
    };
    const base::Result<std::size_t> samples = play();
    REQUIRE(samples.ok());
    CHECK(*samples == 960);
    played.insert(played.end(), pcm.begin(), pcm.begin() + 960);
  }
  INFO("lost " << sent_lost << ", recovered from FEC " << recovered << ", concealed " << concealed << ", late "
               << buffer.late());
  REQUIRE(played.size() == 48000);  // one second out for one second in
  CHECK(sent_lost >= 3);
  CHECK(recovered + concealed >= sent_lost);
  CHECK(recovered >= 1);
  int crossings = 0;
  for (std::size_t i = 4800 + 1; i < played.size(); ++i) crossings += played[i - 1] < 0 && played[i] >= 0;
  CHECK(crossings * 48000.0 / (48000 - 4800) == Approx(440).margin(15));
}
