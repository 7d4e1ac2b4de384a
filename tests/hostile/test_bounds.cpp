// The resource bounds of docs/limits.md's table hold when a peer pushes against
// them: floods of RTP with hostile sequence numbers and timestamps, a jump across the
// whole sequence space, more data channels than streams. (SDP size, remote candidates
// and DTLS handshake messages are in test_bad_input.cpp; SCTP's buffered amount in
// tests/sctp/test_channels.cpp.)
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "audio_jitter_buffer.h"
#include "media/jitter_buffer.h"
#include "media/nack_tracker.h"
#include "media/retransmission.h"
#include "media/rtp_packet.h"
#include "pc_harness.h"

using namespace rtcstack;
using namespace rtcstack::media;
using support::AudioJitterBuffer;

namespace {

base::Instant ms(std::int64_t value) { return base::Instant::from_nanoseconds(value * 1'000'000); }

base::Buffer rtp(std::uint16_t sequence, std::uint32_t timestamp, std::size_t payload_size) {
  RtpHeader header;
  header.payload_type = 96;
  header.sequence_number = sequence;
  header.timestamp = timestamp;
  header.ssrc = 0xABCD;
  const std::vector<std::uint8_t> payload(payload_size, 0x42);
  base::Buffer out(payload_size + 64);
  auto written = write_rtp(header, payload, out.mutable_view());
  REQUIRE(written.ok());
  out.resize(written->size());
  return out;
}

}  // namespace

TEST_CASE("bounds: hostile sequence numbers and sizes never grow the media buffers", "[hostile][bounds]") {
  std::mt19937 random(7);
  VideoJitterBuffer video;            // 512 packets of <= 1500 bytes
  AudioJitterBuffer audio;            // 64 frames
  NackTracker nack;                   // <= 1000 missing
  RetransmissionBuffer history;       // 1024 packets, 1 s
  const std::size_t history_capacity = history.capacity();
  std::size_t released = 0;
  for (int i = 0; i < 200'000; ++i) {
    const base::Instant now = ms(i / 10);
    const auto sequence = static_cast<std::uint16_t>(random());
    const std::uint32_t timestamp = random();
    const std::size_t size = random() % 3000;  // beyond max_packet half of the time
    const base::Buffer bytes = rtp(sequence, timestamp, size);
    const auto packet = RtpPacket::parse(bytes);
    REQUIRE(packet.ok());
    video.insert(now, *packet);
    audio.insert(now, *packet);
    nack.on_packet(now, sequence);
    history.store(now, *packet);
    if (i % 100 == 0) {
      video.release(now, [&](const RtpPacket&) { ++released; });
      (void)audio.pull(now);
    }
    if (nack.missing() > NackConfig{}.max_missing || video.held() > JitterBufferConfig{}.capacity) break;
  }
  CHECK(video.held() <= JitterBufferConfig{}.capacity);
  CHECK(nack.missing() <= NackConfig{}.max_missing);
  CHECK(history.capacity() == history_capacity);
  CHECK(video.dropped() > 0);  // oversized and stale ones were counted, not kept
  CHECK(released > 0);
}

TEST_CASE("bounds: data channels beyond the negotiated streams close, the others go on", "[hostile][bounds]") {
  const pc::Configuration defaults;
  testing::PcPair pair(71);
  // The pair uses the default of 256 streams: ask for 300 channels from one side.
  std::vector<pc::ChannelHandle> channels;
  for (int i = 0; i < 300; ++i) {
    pc::DataChannelInit init;
    init.label = "c" + std::to_string(i);
    auto channel = pair.a.pc().create_data_channel(init);
    REQUIRE(channel.ok());
    channels.push_back(*channel);
  }
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  pair.run([] { return false; }, base::Duration::seconds(2));
  std::size_t open = 0, closed = 0;
  for (const pc::ChannelHandle channel : channels) {
    open += pair.a.is(channel, pc::DataChannelState::kOpen);
    closed += pair.a.is(channel, pc::DataChannelState::kClosed);
  }
  // One side takes the even stream ids or the odd ones (RFC 8832 §6): half of them each.
  const std::size_t ours = defaults.sctp_streams / 2;
  CHECK(open == ours);
  CHECK(closed == channels.size() - ours);
  CHECK(pair.b.incoming.size() == ours);
  // The last open one still carries data.
  const pc::ChannelHandle last = channels[ours - 1];
  REQUIRE(pair.a.pc().send(last, std::vector<std::uint8_t>{'o', 'k'}, true));
  CHECK(pair.run([&] {
    for (const auto& [handle, messages] : pair.b.messages) {
      if (!messages.empty()) return true;
    }
    return false;
  }, base::Duration::seconds(5)));
}
