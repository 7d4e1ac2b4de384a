// Transceivers between two sans-IO PeerConnections over the simulated network: tracks
// announced and ended, RTP over SRTP both ways, NACK answered by RTX, PLI, a video track
// added to a live data-channel connection by renegotiation, add_track and stop().
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "media/rtp_extensions.h"
#include "media/rtp_packet.h"
#include "media_pair.h"
#include "sdp/session_description.h"

using namespace rtcstack;
using pc::MediaKind;
using testing::has_line;
using testing::has_text;
using testing::MediaPair;
using testing::PcPair;

namespace {

std::string payload_of(int index) { return "frame-" + std::to_string(index) + std::string(100, 'v'); }

}  // namespace

TEST_CASE("a video and an audio transceiver: tracks announced, RTP arrives over SRTP as sent", "[pc][media]") {
  MediaPair pair(21);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto video = *a.add_transceiver(MediaKind::kVideo);
  const auto audio = *a.add_transceiver(MediaKind::kAudio, pc::RtpTransceiverDirection::kSendOnly);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  // b made recvonly transceivers for a's sections (W3C) and announced both tracks.
  REQUIRE(pair.at_b.tracks.size() == 2);
  CHECK(pair.at_b.tracks[0].kind == MediaKind::kVideo);
  CHECK(pair.at_b.tracks[1].kind == MediaKind::kAudio);
  CHECK(pair.at_b.tracks[0].mid == *a.transceiver_mid(video));
  CHECK(pair.at_b.tracks[0].track_id == "video-" + std::to_string(video));
  CHECK(pair.at_a.tracks.empty());  // b sends nothing
  // The data section took mid 0; the media sections the next ones.
  CHECK(*a.transceiver_mid(video) == "1");
  CHECK(*a.transceiver_mid(audio) == "2");
  REQUIRE(a.send_codec(video).has_value());
  CHECK(a.send_codec(video)->name == "VP8");
  CHECK(a.send_codec(video)->rtx_payload_type.has_value());
  CHECK(a.send_codec(audio)->name == "opus");

  for (int i = 0; i < 20; ++i) {
    REQUIRE(a.send_rtp(video, base::as_bytes(payload_of(i)), static_cast<std::uint32_t>(i * 3000), i % 4 == 3).ok());
    REQUIRE(a.send_rtp(audio, base::as_bytes("opus" + std::to_string(i)), static_cast<std::uint32_t>(i * 960), false).ok());
  }
  pair.a.drain();
  const pc::TransceiverHandle b_video = pair.at_b.tracks[0].transceiver, b_audio = pair.at_b.tracks[1].transceiver;
  REQUIRE(pair.run([&] { return pair.at_b.packets[b_video].size() == 20 && pair.at_b.packets[b_audio].size() == 20; }));
  media::ExtensionMap map;
  map.set(media::ExtensionKind::kMid, 9);
  for (int i = 0; i < 20; ++i) {
    auto packet = media::RtpPacket::parse(pair.at_b.packets[b_video][static_cast<std::size_t>(i)]);
    REQUIRE(packet.ok());
    CHECK(base::as_string_view(packet->payload()) == payload_of(i));
    CHECK(packet->timestamp() == static_cast<std::uint32_t>(i * 3000));
    CHECK(packet->marker() == (i % 4 == 3));
    CHECK(packet->payload_type() == 96);
    CHECK(read_extensions(*packet, map).mid == "1");
  }
  // Sending on a transceiver that only receives is refused.
  CHECK(b.send_rtp(b_video, base::as_bytes("x"), 0, false).error().code == base::ErrorCode::kWrongState);
  CHECK(a.send_rtp(video, base::ByteView(std::vector<std::uint8_t>(1500).data(), 1500), 0, false).error().code ==
        base::ErrorCode::kInvalidArgument);
}

TEST_CASE("a NACK is answered by RTX and restored; a PLI reaches the sender", "[pc][media]") {
  MediaPair pair(22);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto video = *a.add_transceiver(MediaKind::kVideo);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  REQUIRE(pair.at_b.tracks.size() == 1);
  const auto b_video = pair.at_b.tracks[0].transceiver;
  for (int i = 0; i < 10; ++i) REQUIRE(a.send_rtp(video, base::as_bytes(payload_of(i)), 1000, i == 9).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.at_b.packets[b_video].size() == 10; }));
  // Ask again for packets 3 and 7 as if they had been lost.
  const auto third = *media::RtpPacket::parse(pair.at_b.packets[b_video][3]);
  const auto seventh = *media::RtpPacket::parse(pair.at_b.packets[b_video][7]);
  const std::uint16_t lost[] = {third.sequence_number(), seventh.sequence_number()};
  REQUIRE(b.send_nack(b_video, lost).ok());
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.at_b.packets[b_video].size() == 12; }));
  for (std::size_t i : {10u, 11u}) {
    const auto repaired = media::RtpPacket::parse(pair.at_b.packets[b_video][i]);
    REQUIRE(repaired.ok());
    const auto& original = i == 10 ? third : seventh;
    CHECK(repaired->ssrc() == original.ssrc());  // restored from RTX: the media SSRC again
    CHECK(repaired->sequence_number() == original.sequence_number());
    CHECK(repaired->payload_type() == 96);
    CHECK(base::bytes_equal(repaired->payload(), original.payload()));
  }
  REQUIRE(b.request_key_frame(b_video).ok());
  pair.b.drain();
  REQUIRE(pair.run([&] { return !pair.at_a.key_frame_requests.empty(); }));
  CHECK(pair.at_a.key_frame_requests.front() == video);
}

TEST_CASE("both sides send: the answerer's own transceiver takes the offered section", "[pc][media]") {
  MediaPair pair(23);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto a_audio = *a.add_transceiver(MediaKind::kAudio);
  const auto b_audio = *b.add_transceiver(MediaKind::kAudio);  // before the offer arrives
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  REQUIRE(pair.at_b.tracks.size() == 1);
  CHECK(pair.at_b.tracks[0].transceiver == b_audio);
  REQUIRE(pair.at_a.tracks.size() == 1);
  CHECK(pair.at_a.tracks[0].transceiver == a_audio);
  REQUIRE(a.send_rtp(a_audio, base::as_bytes("ping"), 0, false).ok());
  REQUIRE(b.send_rtp(b_audio, base::as_bytes("pong"), 0, false).ok());
  pair.a.drain();
  pair.b.drain();
  REQUIRE(pair.run([&] { return !pair.at_a.packets[a_audio].empty() && !pair.at_b.packets[b_audio].empty(); }));
  CHECK(base::as_string_view(media::RtpPacket::parse(pair.at_a.packets[a_audio][0])->payload()) == "pong");
  CHECK(base::as_string_view(media::RtpPacket::parse(pair.at_b.packets[b_audio][0])->payload()) == "ping");
}

TEST_CASE("renegotiation adds a video track to a live data-channel connection", "[pc][media]") {
  MediaPair pair(24);
  auto& a = pair.a.pc();
  pc::DataChannelInit init;
  init.label = "chat";
  const auto channel = *a.create_data_channel(init);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.a.is(channel, pc::DataChannelState::kOpen); }));
  CHECK(pair.at_b.tracks.empty());

  const auto video = *a.add_transceiver(MediaKind::kVideo, pc::RtpTransceiverDirection::kSendOnly);
  CHECK(a.send_rtp(video, base::as_bytes("early"), 0, false).error().code == base::ErrorCode::kWrongState);
  pair.negotiate(pair.a);
  pair.run([&] { return false; }, base::Duration::milliseconds(100));
  REQUIRE(pair.at_b.tracks.size() == 1);
  CHECK(pair.at_b.tracks[0].kind == MediaKind::kVideo);
  REQUIRE(a.send_rtp(video, base::as_bytes("after renegotiation"), 90000, true).ok());
  REQUIRE(a.send(channel, "still here").ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return !pair.at_b.packets[pair.at_b.tracks[0].transceiver].empty() && !pair.b.messages.empty(); }));
  CHECK(base::as_string_view(media::RtpPacket::parse(pair.at_b.packets[pair.at_b.tracks[0].transceiver][0])->payload()) ==
        "after renegotiation");
  CHECK(pair.a.connected());
  CHECK(pair.b.connected());
}

TEST_CASE("RTCP reports flow every second: stats give packets, loss, jitter and the round-trip time", "[pc][media]") {
  MediaPair pair(25);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto video = *a.add_transceiver(MediaKind::kVideo, pc::RtpTransceiverDirection::kSendOnly);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  // Three seconds of 30 packets per second.
  for (int i = 0; i < 90; ++i) {
    REQUIRE(a.send_rtp(video, base::as_bytes(payload_of(i)), static_cast<std::uint32_t>(i * 3000), true).ok());
    pair.a.drain();
    pair.run([] { return false; }, base::Duration::milliseconds(33));
  }
  pair.run([] { return false; }, base::Duration::milliseconds(1500));  // the last reports
  const auto find = [](const std::vector<pc::Stats>& report, std::string_view type) -> const pc::Stats* {
    for (const auto& stats : report) {
      if (stats.type == type) return &stats;
    }
    return nullptr;
  };
  const auto at = pair.network.now();
  const auto sender = a.get_stats(at);
  const auto receiver = b.get_stats(at);
  const pc::Stats* outbound = find(sender, "outbound-rtp");
  REQUIRE(outbound != nullptr);
  CHECK(std::get<std::uint64_t>(*outbound->get("packetsSent")) == 90);
  CHECK(std::get<std::string>(*outbound->get("kind")) == "video");
  const pc::Stats* codec = find(sender, "codec");
  REQUIRE(codec != nullptr);
  CHECK(std::get<std::string>(*codec->get("mimeType")) == "video/VP8");
  const pc::Stats* remote = find(sender, "remote-inbound-rtp");
  REQUIRE(remote != nullptr);  // b's RR about a's stream came back
  CHECK(std::get<double>(*remote->get("packetsLost")) == 0);
  REQUIRE(remote->get("roundTripTime") != nullptr);
  const double rtt = std::get<double>(*remote->get("roundTripTime"));
  CHECK(rtt > 0);
  CHECK(rtt < 1);
  const pc::Stats* inbound = find(receiver, "inbound-rtp");
  REQUIRE(inbound != nullptr);
  CHECK(std::get<std::uint64_t>(*inbound->get("packetsReceived")) == 90);
  CHECK(std::get<std::uint64_t>(*inbound->get("ssrc")) == std::get<std::uint64_t>(*outbound->get("ssrc")));
  CHECK(std::get<double>(*inbound->get("packetsLost")) == 0);
  CHECK(find(receiver, "outbound-rtp") == nullptr);  // b only receives
}

TEST_CASE("add_track takes the transceiver a remote offer made; stop() ends it and the next offer rejects it", "[pc][media]") {
  MediaPair pair(26);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto a_video = *a.add_transceiver(MediaKind::kVideo);
  const auto a_audio = *a.add_transceiver(MediaKind::kAudio);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  REQUIRE(pair.at_b.tracks.size() == 2);
  const auto b_video = pair.at_b.tracks[0].transceiver, b_audio = pair.at_b.tracks[1].transceiver;
  CHECK(has_line(b.local_description(), "a=recvonly"));

  // W3C addTrack: b's recvonly transceivers gain send, no new section is made.
  CHECK(*b.add_track(MediaKind::kVideo) == b_video);
  CHECK(*b.add_track(MediaKind::kAudio) == b_audio);
  pair.negotiate(pair.b);
  pair.run([] { return false; }, base::Duration::milliseconds(100));
  REQUIRE(pair.at_a.tracks.size() == 2);
  CHECK(pair.at_a.tracks[0].transceiver == a_video);
  CHECK(pair.at_a.tracks[1].transceiver == a_audio);
  CHECK_FALSE(has_line(b.local_description(), "a=recvonly"));
  REQUIRE(b.send_rtp(b_video, base::as_bytes("from b"), 0, true).ok());
  pair.b.drain();
  REQUIRE(pair.run([&] { return pair.at_a.packets[a_video].size() == 1; }));

  // a stops its video transceiver: nothing is sent or taken in from now on.
  REQUIRE(a.stop_transceiver(a_video).ok());
  CHECK(a.transceiver_stopped(a_video));
  CHECK(a.stop_transceiver(a_video).ok());  // again: nothing more happens
  CHECK(a.send_rtp(a_video, base::as_bytes("x"), 0, false).error().code == base::ErrorCode::kWrongState);
  CHECK(a.set_direction(a_video, pc::RtpTransceiverDirection::kSendRecv).error().code == base::ErrorCode::kWrongState);
  REQUIRE(b.send_rtp(b_video, base::as_bytes("ignored"), 3000, true).ok());
  pair.b.drain();
  pair.run([] { return false; }, base::Duration::milliseconds(100));
  CHECK(pair.at_a.packets[a_video].size() == 1);

  // The next offer keeps the section in its place at port 0; b's answer rejects it too,
  // b's track ends and its transceiver stops. Audio goes on.
  pair.negotiate(pair.a);
  pair.run([] { return false; }, base::Duration::milliseconds(100));
  const std::string video_mid = *a.transceiver_mid(a_video);
  CHECK(has_text(a.local_description(), "m=video 0 "));
  CHECK(has_text(b.local_description(), "m=video 0 "));
  CHECK(has_line(a.local_description(), "a=group:BUNDLE 0 " + *a.transceiver_mid(a_audio)));
  CHECK(pair.at_b.ended == std::vector<pc::TransceiverHandle>{b_video});
  CHECK(b.transceiver_stopped(b_video));
  CHECK(b.send_rtp(b_video, base::as_bytes("x"), 0, false).error().code == base::ErrorCode::kWrongState);
  REQUIRE(a.send_rtp(a_audio, base::as_bytes("still on"), 960, false).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.at_b.packets[b_audio].size() == 1; }));
  CHECK(pair.a.connected());
  // A later offer from b keeps the rejected section where it was, with its mid.
  pair.negotiate(pair.b);
  CHECK(has_text(b.local_description(), "m=video 0 "));
  CHECK(has_line(b.local_description(), "a=mid:" + video_mid));
  CHECK(pair.at_a.ended.empty());
}

TEST_CASE("an answer that rejects a section stops the offerer's transceiver", "[pc][media]") {
  MediaPair pair(27);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto video = *a.add_transceiver(MediaKind::kVideo);
  auto offer = a.create_offer();
  REQUIRE(offer.ok());
  REQUIRE(a.set_local_description(pair.network.now(), *offer).ok());
  REQUIRE(b.set_remote_description(pair.network.now(), *offer).ok());
  pair.b.drain();
  REQUIRE(pair.at_b.tracks.size() == 1);
  REQUIRE(b.stop_transceiver(pair.at_b.tracks[0].transceiver).ok());  // before it answers
  auto answer = b.create_answer();
  REQUIRE(answer.ok());
  CHECK(answer->sdp.find("m=video 0 ") != std::string::npos);
  REQUIRE(b.set_local_description(pair.network.now(), *answer).ok());
  REQUIRE(a.set_remote_description(pair.network.now(), *answer).ok());
  CHECK(a.transceiver_stopped(video));
  pair.a.drain();
  pair.b.drain();
  CHECK(pair.at_a.tracks.empty());
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));  // the data section carries on
  CHECK(a.send_rtp(video, base::as_bytes("x"), 0, false).error().code == base::ErrorCode::kWrongState);
}

TEST_CASE("sections past the cap of transceivers are rejected in the answer, the others answered", "[pc][media]") {
  PcPair pair(61);
  const std::size_t cap = pc::Configuration{}.max_transceivers;
  // b already has cap - 2 live transceivers of its own (audio, never offered).
  for (std::size_t i = 0; i + 2 < cap; ++i) REQUIRE(pair.b.pc().add_transceiver(MediaKind::kAudio).ok());
  for (int i = 0; i < 5; ++i) REQUIRE(pair.a.pc().add_transceiver(MediaKind::kVideo).ok());
  pair.negotiate(pair.a);
  const std::string answer = pair.b.pc().local_description()->sdp;
  std::size_t accepted = 0, rejected = 0;
  for (std::size_t at = answer.find("m=video "); at != std::string::npos; at = answer.find("m=video ", at + 1)) {
    (answer.compare(at, 10, "m=video 0 ") == 0 ? rejected : accepted) += 1;
  }
  CHECK(accepted == 2);
  CHECK(rejected == 3);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  CHECK(pair.b.pc().add_transceiver(MediaKind::kVideo).error().code == base::ErrorCode::kResourceExhausted);
}

TEST_CASE("bundle-only sections (RFC 8843 §6): offered with max-bundle, accepted and answered with media flowing",
          "[pc][media][bundle]") {
  pc::Configuration max_bundle;
  max_bundle.bundle_policy = pc::BundlePolicy::kMaxBundle;
  PcPair pair(62, max_bundle);
  const auto audio = *pair.a.pc().add_transceiver(MediaKind::kAudio);
  const auto video = *pair.a.pc().add_transceiver(MediaKind::kVideo);
  pc::DataChannelInit init;
  init.label = "d";
  (void)pair.a.pc().create_data_channel(init);
  const auto offer = *pair.a.pc().create_offer();
  const auto parsed = *sdp::SessionDescription::parse(offer.sdp);
  // As Firefox offers: the first section carries the transport, the others are port 0
  // and bundle-only, all in the BUNDLE group.
  REQUIRE(parsed.media.size() == 3);
  CHECK(parsed.media[0].media_line.port == 9);
  CHECK_FALSE(parsed.media[0].bundle_only());
  for (std::size_t i = 1; i < 3; ++i) {
    CHECK(parsed.media[i].media_line.port == 0);
    CHECK(parsed.media[i].bundle_only());
  }
  CHECK(parsed.bundle_group()->mids.size() == 3);
  REQUIRE(pair.a.pc().set_local_description(pair.network.now(), offer).ok());
  REQUIRE(pair.b.pc().set_remote_description(pair.network.now(), offer).ok());
  (void)pair.b.pc().add_track(MediaKind::kAudio);
  (void)pair.b.pc().add_track(MediaKind::kVideo);
  const auto answer = *pair.b.pc().create_answer();
  // Answered as Chromium does: every section accepted on port 9, none bundle-only.
  CHECK(answer.sdp.find("m=audio 9 ") != std::string::npos);
  CHECK(answer.sdp.find("m=video 9 ") != std::string::npos);
  CHECK(answer.sdp.find("a=bundle-only") == std::string::npos);
  REQUIRE(pair.b.pc().set_local_description(pair.network.now(), answer).ok());
  REQUIRE(pair.a.pc().set_remote_description(pair.network.now(), answer).ok());
  pair.a.drain();
  pair.b.drain();
  std::map<pc::TransceiverHandle, int> received;
  pair.b.on_event = [&](const pc::Event& event) {
    if (const auto* rtp = std::get_if<pc::RtpPacketEvent>(&event)) ++received[rtp->transceiver];
  };
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  const std::vector<std::uint8_t> payload(100, 1);
  REQUIRE(pair.a.pc().send_rtp(audio, payload, 960, false).ok());
  REQUIRE(pair.a.pc().send_rtp(video, payload, 3000, true).ok());
  pair.a.drain();
  REQUIRE(pair.run([&] { return received.size() == 2; }, base::Duration::seconds(2)));
  // A bundle-only section outside the BUNDLE group is rejected like any port 0 section.
  std::string stray = offer.sdp;
  stray.replace(stray.find("a=group:BUNDLE 0 1 2"), 20, "a=group:BUNDLE 0 1");
  testing::PcPair other(63);
  (void)other.b.pc().set_remote_description(other.network.now(), {pc::SdpType::kOffer, stray});
  const auto rejecting = *other.b.pc().create_answer();
  CHECK(rejecting.sdp.find("m=video 0 ") != std::string::npos);
}
