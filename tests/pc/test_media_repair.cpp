// A video call (VP8, H.264, VP9, AV1, each chosen with setCodecPreferences) between two PeerConnections over a lossy, reordering simulated link: the
// sender is lib/media's VideoSender on send_rtp, the receiver a VideoReceiver fed by
// RtpPacketEvents whose NACKs and key frame requests go back through the connection.
// Repairs travel the real path: SRTCP NACK, RTX from the sender's history, PLI as a
// KeyFrameRequestEvent.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "media/rtp_packet.h"
#include "test_pattern.h"
#include "media/video_receiver.h"
#include "media/video_sender.h"
#include "pc_harness.h"

using namespace rtcstack;
using pc::MediaKind;

namespace {

constexpr int kWidth = 160, kHeight = 120;

const pc::Stats& find_stats(const std::vector<pc::Stats>& report, std::string_view type) {
  for (const auto& stats : report) {
    if (stats.type == type) return stats;
  }
  FAIL("no " << type << " stats");
  return report.front();
}
std::uint64_t counter(const pc::Stats& stats, std::string_view name) {
  const auto* value = stats.get(std::string(name));
  REQUIRE(value != nullptr);
  return std::get<std::uint64_t>(*value);
}

// a sends video to b once they are connected; each advance() moves simulated time by
// 10 ms, sending a frame every 33 ms and letting b process and ask for repairs.
struct VideoCall : testing::PcPair {
  VideoCall(std::uint64_t seed, media::VideoCodec codec) : PcPair(seed) {
    a.on_event = [this](const pc::Event& event) {
      if (std::holds_alternative<pc::KeyFrameRequestEvent>(event)) sender->request_key_frame();
      // As an application does: the encoder follows congestion control.
      if (const auto* target = std::get_if<pc::TargetBitrateEvent>(&event); target && sender) {
        REQUIRE(sender->set_target_bitrate(target->bitrate_bps).ok());
      }
    };
    b.on_event = [this](const pc::Event& event) {
      if (const auto* track = std::get_if<pc::TrackEvent>(&event)) b_video = track->transceiver;
      if (const auto* rtp = std::get_if<pc::RtpPacketEvent>(&event)) {
        receiver->on_packet(network.now(), *media::RtpPacket::parse(rtp->packet));
      }
    };
    a_video = *a.pc().add_transceiver(MediaKind::kVideo, pc::RtpTransceiverDirection::kSendOnly);
    // The offer lists only the codec under test (every H.264 variant of it).
    std::vector<pc::CodecParameters> wanted;
    for (const auto& capability : pc::PeerConnection::codec_capabilities(MediaKind::kVideo)) {
      if (pc::video_codec(capability) == codec) wanted.push_back(capability);
    }
    REQUIRE(a.pc().set_codec_preferences(a_video, wanted).ok());
    negotiate(a);
    // Both ends take the codec from the negotiation, as an application does.
    const auto sent_with = a.pc().send_codec(a_video);
    REQUIRE(sent_with);
    REQUIRE(pc::video_codec(*sent_with) == codec);
    REQUIRE(b.pc().negotiated_codecs(b_video).size() == wanted.size());
    REQUIRE(pc::video_codec(b.pc().negotiated_codecs(b_video).front()) == codec);
    media::VideoEncoderConfig config;
    config.width = kWidth;
    config.height = kHeight;
    config.bitrate_kbps = 600;
    sender.emplace(*media::VideoSender::create(codec, config, 1100, pc::payload_options(*sent_with)));
    receiver.emplace(*media::VideoReceiver::create(codec));
    connected = run([&] { return a.connected() && b.connected(); });
  }

  void advance() {
    const auto now = network.now();
    if (sending && now >= next_frame) {
      const auto timestamp = static_cast<std::uint32_t>(frames * 3000);
      auto sent = sender->send_frame(pattern.draw(frames), timestamp, [&](base::ByteView payload, bool marker) {
        return a.pc().send_rtp(a_video, payload, timestamp, marker);
      });
      REQUIRE(sent.ok());
      ++frames;
      next_frame = next_frame + base::Duration::microseconds(33'333);
      a.drain();
    }
    const auto requests = receiver->process(now, base::Duration::milliseconds(60));
    if (!requests.nack.empty()) REQUIRE(b.pc().send_nack(b_video, requests.nack).ok());
    if (requests.key_frame) REQUIRE(b.pc().request_key_frame(b_video).ok());
    b.drain();
    run([] { return false; }, base::Duration::milliseconds(10));
  }
  void advance_for(base::Duration duration) {
    const auto end = network.now() + duration;
    while (network.now() < end) advance();
  }

  bool connected = false;
  bool sending = true;
  pc::TransceiverHandle a_video = 0, b_video = 0;
  support::TestPattern pattern{kWidth, kHeight};
  std::optional<media::VideoSender> sender;
  std::optional<media::VideoReceiver> receiver;
  int frames = 0;
  base::Instant next_frame{};  // the simulated clock starts later
};

}  // namespace

TEST_CASE("5% loss and reordering both ways: NACK and RTX repair every frame", "[pc][media][repair]") {
  const auto codec = GENERATE(media::VideoCodec::kVp8, media::VideoCodec::kH264, media::VideoCodec::kVp9, media::VideoCodec::kAv1);
  VideoCall call(GENERATE(31u, 41u, 51u, 61u), codec);
  INFO(media::to_string(codec));
  REQUIRE(call.connected);
  testing::LinkConditions lossy;
  lossy.delay = base::Duration::milliseconds(25);
  lossy.jitter = base::Duration::milliseconds(5);
  lossy.loss = 0.05;
  lossy.reorder = 0.05;
  lossy.reorder_delay = base::Duration::milliseconds(15);
  call.network.set_link_both_ways(call.a.address().ip(), call.b.address().ip(), lossy);
  call.advance_for(base::Duration::seconds(6));
  // The last frames need the repair time of a few round trips.
  call.sending = false;
  call.advance_for(base::Duration::milliseconds(600));

  const auto& receiver = *call.receiver;
  CHECK(call.frames >= 180);
  CHECK(receiver.packets_recovered() >= 5);  // 5% of the stream's packets (100-300 of them)
  CHECK(receiver.frames_dropped() == 0);
  CHECK(receiver.decode_errors() == 0);
  CHECK(receiver.key_frames_requested() == 0);  // nothing needed more than a retransmission
  CHECK(static_cast<int>(receiver.frames_decoded()) == call.frames);
  CHECK(call.sender->key_frames_sent() == 1);
  const auto sent = call.a.pc().get_stats(call.network.now());
  const auto& outbound = find_stats(sent, "outbound-rtp");
  CHECK(counter(outbound, "retransmittedPacketsSent") >= receiver.packets_recovered());
  CHECK(counter(outbound, "nackCount") > 0);
  CHECK(call.network.stats().lost > 10);
}

TEST_CASE("a key frame lost whole: the receiver's PLI brings a new one and decoding resumes", "[pc][media][repair]") {
  const auto codec = GENERATE(media::VideoCodec::kVp8, media::VideoCodec::kH264, media::VideoCodec::kVp9, media::VideoCodec::kAv1);
  VideoCall call(GENERATE(32u, 42u, 52u, 62u), codec);
  INFO(media::to_string(codec));
  REQUIRE(call.connected);
  // Everything from a to b vanishes while the first (key) frame is sent - the pacer lets
  // it out over the next tens of milliseconds: b never learns those packets existed, so
  // no NACK can name them.
  testing::LinkConditions cut;
  cut.loss = 1.0;
  call.network.set_link(call.a.address().ip(), call.b.address().ip(), cut);
  call.advance();
  REQUIRE(call.frames == 1);
  call.sending = false;
  call.advance_for(base::Duration::milliseconds(300));
  call.sending = true;
  call.network.set_link(call.a.address().ip(), call.b.address().ip(), testing::LinkConditions{});
  call.advance_for(base::Duration::seconds(2));

  const auto& receiver = *call.receiver;
  CHECK(receiver.key_frames_requested() >= 1);
  CHECK(receiver.key_frames_requested() <= 2);  // paced: one PLI brings the key frame
  CHECK(call.sender->key_frames_sent() == 2);
  CHECK(receiver.frames_dropped() >= 1);         // the delta frames before the new key frame
  CHECK(receiver.frames_decoded() >= 50);        // two seconds less the wait for the key frame
  CHECK(receiver.decode_errors() == 0);
  const auto received = call.b.pc().get_stats(call.network.now());
  const auto& inbound = find_stats(received, "inbound-rtp");
  CHECK(counter(inbound, "pliCount") == receiver.key_frames_requested());
}
