// W3C rollback of a remote offer with media (JSEP RFC 8829 §4.1.10): transceivers, tracks
// and events come back to what they were before the offer, and media keeps flowing.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "media_pair.h"

using namespace rtcstack;
using pc::MediaKind;
using pc::SdpType;
using testing::MediaPair;

namespace {

/// a and b connected with an audio transceiver of a's (sendrecv on both sides once b added
/// its track): returns {a's audio, b's audio}.
std::pair<pc::TransceiverHandle, pc::TransceiverHandle> connected_with_audio(MediaPair& pair) {
  const auto a_audio = *pair.a.pc().add_transceiver(MediaKind::kAudio);
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected() && !pair.at_b.tracks.empty(); }));
  return {a_audio, pair.at_b.tracks.front().transceiver};
}

/// a's next offer, set as a's local description and as b's remote one.
void offer_to_b(MediaPair& pair) {
  auto offer = pair.a.pc().create_offer();
  REQUIRE(offer.ok());
  REQUIRE(pair.a.pc().set_local_description(pair.network.now(), *offer).ok());
  REQUIRE(pair.b.pc().set_remote_description(pair.network.now(), *offer).ok());
  pair.b.drain();
}

void roll_back_both(MediaPair& pair) {
  REQUIRE(pair.b.pc().set_remote_description(pair.network.now(), {SdpType::kRollback, ""}).ok());
  REQUIRE(pair.a.pc().set_local_description(pair.network.now(), {SdpType::kRollback, ""}).ok());
  pair.a.drain();
  pair.b.drain();
  CHECK(pair.b.pc().signaling_state() == pc::SignalingState::kStable);
}

/// a sends one audio packet; true once b has it on `b_audio`.
bool audio_arrives(MediaPair& pair, pc::TransceiverHandle a_audio, pc::TransceiverHandle b_audio) {
  const std::size_t before = pair.at_b.packets[b_audio].size();
  if (!pair.a.pc().send_rtp(a_audio, base::as_bytes(std::string("audio")), 960, false).ok()) return false;
  pair.a.drain();
  return pair.run([&] { return pair.at_b.packets[b_audio].size() == before + 1; }, base::Duration::seconds(2));
}

}  // namespace

TEST_CASE("rolling back a remote offer that added video removes the transceiver it made and ends its track",
          "[pc][rollback]") {
  MediaPair pair(81);
  const auto [a_audio, b_audio] = connected_with_audio(pair);
  const auto b_stats_before = pair.b.pc().get_stats(pair.network.now()).size();
  (void)*pair.a.pc().add_transceiver(MediaKind::kVideo);
  offer_to_b(pair);
  REQUIRE(pair.at_b.tracks.size() == 2);
  const pc::TransceiverHandle b_video = pair.at_b.tracks.back().transceiver;
  CHECK(pair.b.pc().transceiver_kind(b_video) == MediaKind::kVideo);

  roll_back_both(pair);
  CHECK(pair.at_b.ended == std::vector<pc::TransceiverHandle>{b_video});
  CHECK_FALSE(pair.b.pc().transceiver_kind(b_video));  // gone
  CHECK_FALSE(pair.b.pc().transceiver_stopped(b_audio));
  CHECK(pair.b.pc().get_stats(pair.network.now()).size() == b_stats_before);
  CHECK(audio_arrives(pair, a_audio, b_audio));

  // The same offer again, answered this time: video is negotiated as if nothing happened.
  pair.negotiate(pair.a);
  REQUIRE(pair.at_b.tracks.size() == 3);
  CHECK(pair.at_b.tracks.back().kind == MediaKind::kVideo);
  CHECK(pair.at_b.tracks.back().transceiver != b_video);
}

TEST_CASE("rolling back a remote offer that rejected a section brings the transceiver and its track back",
          "[pc][rollback]") {
  MediaPair pair(82);
  const auto [a_audio, b_audio] = connected_with_audio(pair);
  REQUIRE(pair.b.pc().add_track(MediaKind::kAudio).ok());  // b sends too
  pair.negotiate(pair.b);
  const std::string mid = *pair.b.pc().transceiver_mid(b_audio);
  const auto ssrc_line = [&] {
    const std::string sdp = pair.b.pc().local_description()->sdp;
    const auto at = sdp.find("a=ssrc:");
    return sdp.substr(at, sdp.find(' ', at) - at);
  };
  const std::string b_ssrc = ssrc_line();

  // a stops its audio: its offer rejects the section, which stops b's transceiver.
  REQUIRE(pair.a.pc().stop_transceiver(a_audio).ok());
  offer_to_b(pair);
  CHECK(pair.at_b.ended == std::vector<pc::TransceiverHandle>{b_audio});
  CHECK(pair.b.pc().transceiver_stopped(b_audio));

  // b rolls the offer back: the transceiver lives again with its mid and SSRC, its track
  // is announced again.
  const std::size_t tracks_before = pair.at_b.tracks.size();
  REQUIRE(pair.b.pc().set_remote_description(pair.network.now(), {SdpType::kRollback, ""}).ok());
  pair.b.drain();
  CHECK_FALSE(pair.b.pc().transceiver_stopped(b_audio));
  CHECK(pair.b.pc().transceiver_mid(b_audio) == mid);
  REQUIRE(pair.at_b.tracks.size() == tracks_before + 1);
  CHECK(pair.at_b.tracks.back().transceiver == b_audio);
  CHECK(pair.b.pc().send_rtp(b_audio, base::as_bytes(std::string("still here")), 960, false).ok());
  auto answer_offer = pair.b.pc().create_offer();  // b's next offer announces the same SSRC
  REQUIRE(answer_offer.ok());
  CHECK(answer_offer->sdp.find(b_ssrc + " ") != std::string::npos);
}

TEST_CASE("a transceiver the application took during a remote offer stays when the offer is rolled back",
          "[pc][rollback]") {
  MediaPair pair(83);
  const auto [a_audio, b_audio] = connected_with_audio(pair);
  (void)*pair.a.pc().add_transceiver(MediaKind::kVideo);
  offer_to_b(pair);
  const pc::TransceiverHandle b_video = pair.at_b.tracks.back().transceiver;
  CHECK(*pair.b.pc().add_track(MediaKind::kVideo) == b_video);  // W3C addTrack takes it
  roll_back_both(pair);
  CHECK(pair.b.pc().transceiver_kind(b_video) == MediaKind::kVideo);  // kept, with no mid
  CHECK_FALSE(pair.b.pc().transceiver_mid(b_video));
  CHECK(pair.at_b.ended == std::vector<pc::TransceiverHandle>{b_video});
  CHECK(audio_arrives(pair, a_audio, b_audio));
  // b's own next offer carries it as a new section of its own.
  pair.negotiate(pair.b);
  CHECK(pair.b.pc().transceiver_mid(b_video).has_value());
}
