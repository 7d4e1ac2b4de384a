// Simulcast between two sans-IO PeerConnections (RFC 8853, W3C sendEncodings): the offer's
// a=rid and a=simulcast lines and the answer's, packets of each rid arriving with their
// rid on SSRCs no description announced, key frames asked of one layer, stats per
// encoding, setParameters, and answers that take fewer encodings or none.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "media/rtp_extensions.h"
#include "media/rtp_packet.h"
#include "media_pair.h"
#include "pc/media_section.h"
#include "sdp_files.h"

using namespace rtcstack;
using pc::MediaKind;
using testing::has_line;
using testing::has_text;
using testing::MediaPair;

namespace {

pc::RtpTransceiverInit three_layers() {
  return {pc::RtpTransceiverDirection::kSendOnly, {{"q", true, {}, {}}, {"h", true, {}, {}}, {"f", true, {}, {}}}};
}

// One frame of each rid, a packet each.
void send_frame(pc::PeerConnection& pc, pc::TransceiverHandle video, std::uint32_t timestamp) {
  for (const std::string_view rid : {"q", "h", "f"}) {
    std::string payload(rid);
    payload.append("-frame");
    REQUIRE(pc.send_rtp(video, base::as_bytes(payload), timestamp, true, rid).ok());
  }
}

// `sdp` without the lines that begin with any of `prefixes`. (Not std::regex: GCC 12 warns
// inside it under the sanitizers.)
std::string without_lines(const std::string& sdp, std::initializer_list<std::string_view> prefixes) {
  std::string kept;
  for (std::size_t start = 0; start < sdp.size();) {
    const std::size_t end = std::min(sdp.find("\r\n", start), sdp.size());
    const std::string_view line(sdp.data() + start, end - start);
    const bool drop = std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return line.starts_with(p); });
    if (!drop) kept.append(line).append("\r\n");
    start = end + 2;
  }
  return kept;
}

// `sdp` with its first `from` replaced by `to`.
std::string replaced(std::string sdp, std::string_view from, std::string_view to) {
  const std::size_t at = sdp.find(from);
  REQUIRE(at != std::string::npos);
  return sdp.replace(at, from.size(), to);
}

// Once connected, a sends one packet on `rid`; the rid b receives it with.
std::string rid_received(MediaPair& pair, pc::TransceiverHandle video, std::string_view rid) {
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  REQUIRE(pair.a.pc().send_rtp(video, base::as_bytes(std::string("x")), 0, false, rid).ok());
  pair.a.drain();
  const pc::TransceiverHandle b_video = pair.at_b.tracks.at(0).transceiver;
  REQUIRE(pair.run([&] { return pair.at_b.packets[b_video].size() == 1; }));
  return pair.at_b.rids[b_video][0];
}

}  // namespace

TEST_CASE("sendEncodings are offered as rids; each rid's packets arrive with their rid on their own SSRC",
          "[pc][media][simulcast]") {
  MediaPair pair(61);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  const auto video = *a.add_transceiver(MediaKind::kVideo, three_layers());
  // W3C defaults: each encoding half the size of the next.
  const auto encodings = a.send_encodings(video);
  REQUIRE(encodings.size() == 3);
  CHECK(*encodings[0].scale_resolution_down_by == 4.0);
  CHECK(*encodings[1].scale_resolution_down_by == 2.0);
  CHECK(*encodings[2].scale_resolution_down_by == 1.0);
  pair.negotiate(pair.a);
  const auto offer = a.local_description();
  CHECK(has_line(offer, "a=rid:q send"));
  CHECK(has_line(offer, "a=rid:f send"));
  CHECK(has_line(offer, "a=simulcast:send q;h;f"));
  CHECK(has_text(offer, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
  CHECK_FALSE(has_text(offer, "a=ssrc:"));  // as browsers: simulcast SSRCs are learned from the rids
  const auto answer = b.local_description();
  CHECK(has_line(answer, "a=rid:h recv"));
  CHECK(has_line(answer, "a=simulcast:recv q;h;f"));
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  REQUIRE(pair.at_b.tracks.size() == 1);
  const pc::TransceiverHandle b_video = pair.at_b.tracks[0].transceiver;
  CHECK(b.receive_rids(b_video) == std::vector<std::string>{"q", "h", "f"});

  for (std::uint32_t i = 0; i < 10; ++i) send_frame(a, video, i * 3000);
  pair.a.drain();
  REQUIRE(pair.run([&] { return pair.at_b.packets[b_video].size() == 30; }));
  std::map<std::string, std::set<std::uint32_t>> ssrcs;
  for (std::size_t i = 0; i < 30; ++i) {
    const std::string& rid = pair.at_b.rids[b_video][i];
    const auto packet = media::RtpPacket::parse(pair.at_b.packets[b_video][i]);
    REQUIRE(packet.ok());
    CHECK(base::as_string_view(packet->payload()).substr(0, rid.size()) == rid);
    ssrcs[rid].insert(packet->ssrc());
  }
  REQUIRE(ssrcs.size() == 3);
  for (const auto& [rid, of_rid] : ssrcs) CHECK(of_rid.size() == 1);
  CHECK(*ssrcs["q"].begin() != *ssrcs["f"].begin());

  // A key frame asked of one layer reaches the sender as a request for that rid.
  REQUIRE(b.request_key_frame(b_video, "h").ok());
  pair.b.drain();
  REQUIRE(pair.run([&] { return !pair.at_a.key_frame_requests.empty(); }));
  CHECK(pair.at_a.key_frame_rids == std::vector<std::string>{"h"});
  CHECK(b.request_key_frame(b_video, "x").error().code == base::ErrorCode::kInvalidArgument);

  // getStats: an outbound-rtp per encoding, with its rid; an inbound-rtp per layer.
  std::set<std::string> stats_rids;
  for (const pc::Stats& stats : a.get_stats(pair.a.now())) {
    if (stats.type == "outbound-rtp") stats_rids.insert(std::get<std::string>(*stats.get("rid")));
  }
  CHECK(stats_rids == std::set<std::string>{"q", "h", "f"});
  std::size_t inbound = 0;
  for (const pc::Stats& stats : b.get_stats(pair.b.now())) inbound += stats.type == "inbound-rtp";
  CHECK(inbound == 3);

  // setParameters: an inactive encoding sends nothing; rids and their number are fixed.
  auto changed = a.send_encodings(video);
  changed[1].active = false;
  changed[2].max_bitrate_bps = 1'500'000;
  REQUIRE(a.set_send_encodings(video, changed).ok());
  CHECK(a.send_rtp(video, base::as_bytes(std::string("x")), 0, false, "h").error().code == base::ErrorCode::kWrongState);
  CHECK(a.send_rtp(video, base::as_bytes(std::string("x")), 0, false, "f").ok());
  CHECK(a.send_encodings(video)[2].max_bitrate_bps == 1'500'000u);
  changed[0].rid.assign(1, 'z');  // (= "z" trips GCC 12's -Wrestrict false positive)
  CHECK(a.set_send_encodings(video, changed).error().code == base::ErrorCode::kInvalidArgument);
  changed.pop_back();
  CHECK(a.set_send_encodings(video, changed).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(a.send_rtp(video, base::as_bytes(std::string("x")), 0, false, "x").error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("sendEncodings W3C refuses, and what it cuts", "[pc][media][simulcast]") {
  MediaPair pair(62);
  auto& a = pair.a.pc();
  const auto refused = [&](std::vector<pc::RtpEncodingParameters> encodings) {
    auto added = a.add_transceiver(MediaKind::kVideo, pc::RtpTransceiverInit{pc::RtpTransceiverDirection::kSendRecv, encodings});
    return !added.ok() && added.error().code == base::ErrorCode::kInvalidArgument;
  };
  CHECK(refused({{"a", true, {}, {}}, {"", true, {}, {}}}));      // rids on some only
  CHECK(refused({{"", true, {}, {}}, {"", true, {}, {}}}));       // several without rids
  CHECK(refused({{"a", true, {}, {}}, {"a", true, {}, {}}}));     // a rid twice
  CHECK(refused({{"a b", true, {}, {}}, {"c", true, {}, {}}}));   // not RFC 8851 rid-syntax
  CHECK(refused({{std::string(17, 'r'), true, {}, {}}}));         // longer than a one-byte extension
  CHECK(refused({{"a", true, {}, 0.5}}));                         // scaled up
  CHECK(refused({{"a", true, 0, {}}}));                           // no bitrate at all
  // More than three video encodings, or more than one audio: cut (W3C), not refused.
  const auto four = *a.add_transceiver(
      MediaKind::kVideo, {pc::RtpTransceiverDirection::kSendOnly,
                          {{"a", true, {}, {}}, {"b", true, {}, {}}, {"c", true, {}, {}}, {"d", true, {}, {}}}});
  CHECK(a.send_encodings(four).size() == 3);
  const auto audio = *a.add_transceiver(
      MediaKind::kAudio, {pc::RtpTransceiverDirection::kSendOnly, {{"a", true, {}, 2.0}, {"b", true, {}, {}}}});
  REQUIRE(a.send_encodings(audio).size() == 1);
  CHECK_FALSE(a.send_encodings(audio)[0].scale_resolution_down_by.has_value());
}

TEST_CASE("an answer taking two of three rids, or no simulcast at all, leaves the sender those encodings",
          "[pc][media][simulcast]") {
  SECTION("two of three") {
    MediaPair pair(63);
    auto& a = pair.a.pc();
    const auto video = *a.add_transceiver(MediaKind::kVideo, three_layers());
    // A peer that takes only q and f (RFC 8853 §5.3: the answerer may drop streams).
    testing::negotiate(pair.a, pair.b, {}, [](const std::string& sdp) {
      return replaced(without_lines(sdp, {"a=rid:h recv"}), "a=simulcast:recv q;h;f", "a=simulcast:recv q;f");
    });
    const auto encodings = a.send_encodings(video);
    REQUIRE(encodings.size() == 2);
    CHECK(encodings[0].rid == "q");
    CHECK(encodings[1].rid == "f");
    // b still expects h (its answer said so): f is its third layer.
    CHECK(rid_received(pair, video, "f") == "f");
    CHECK(a.send_rtp(video, base::as_bytes(std::string("x")), 0, false, "h").error().code == base::ErrorCode::kInvalidArgument);
    // The next offer lists what is left.
    pair.negotiate(pair.a);
    CHECK(has_line(a.local_description(), "a=simulcast:send q;f"));
  }
  SECTION("none: one encoding, sent without a rid") {
    // A peer that knows nothing of simulcast reads the offer without its lines; one that
    // does not know the rid extension could not tell the layers apart, and takes none.
    const bool without_simulcast = GENERATE(true, false);
    MediaPair pair(64);
    auto& a = pair.a.pc();
    const auto video = *a.add_transceiver(MediaKind::kVideo, three_layers());
    testing::negotiate(pair.a, pair.b, [&](const std::string& sdp) {
      return without_simulcast ? without_lines(sdp, {"a=rid:", "a=simulcast:"}) : without_lines(sdp, {"a=extmap:10 "});
    });
    CHECK_FALSE(has_text(pair.b.pc().local_description(), "a=simulcast"));
    REQUIRE(a.send_encodings(video).size() == 1);
    CHECK(rid_received(pair, video, "q").empty());
    CHECK(pair.b.pc().receive_rids(pair.at_b.tracks.at(0).transceiver).empty());
  }
}

TEST_CASE("Chromium's simulcast offer (sendEncodings q, h, f): every rid received, none announced", "[pc][media][simulcast]") {
  // Recorded from Chromium 156 (tests/data/README.md): no a=ssrc in its video section, the
  // rid extensions at ids 10 and 11, "a=simulcast:send q;h;f".
  const auto offer = testing::load_sdp("chromium-offer-simulcast.sdp");
  const auto video = pc::read_remote_media(testing::sdp_section(offer, "video"), false);
  REQUIRE(video.ok());
  CHECK(video->send_rids == std::vector<std::string>{"q", "h", "f"});
  CHECK(video->receive_rids.empty());
  CHECK(video->ssrcs.empty());
  const auto answer = pc::answer_media(*video, sdp::Direction::kSendRecv);
  REQUIRE(answer.ok());
  CHECK(answer->receive_rids == std::vector<std::string>{"q", "h", "f"});
  CHECK(pc::media_extension_id(answer->extensions, media::ExtensionKind::kRid) == 10);
  CHECK(pc::media_extension_id(answer->extensions, media::ExtensionKind::kRepairedRid) == 11);
  // The section we write answers with receive rids and no simulcast of our own.
  pc::SdpWriteStatus status;
  const auto section = pc::media_section(*answer, status, [](sdp::MediaDescription&) {});
  REQUIRE_FALSE(status.error);
  CHECK(section.simulcast()->recv.size() == 3);
  CHECK(section.simulcast()->send.empty());
  REQUIRE(section.rids().size() == 3);
  CHECK_FALSE(section.rids()[0].send);

  // RFC 8853: a rid without its a=rid line, a repeated one, and alternatives (the first
  // defined one is taken); and never more than three.
  auto edited = testing::sdp_section(offer, "video");
  REQUIRE(edited.add_attribute("rid", "x send").ok());
  REQUIRE(edited.add_attribute("rid", "y send").ok());
  edited.remove_attributes("simulcast");
  REQUIRE(edited.add_attribute("simulcast", "send z,q;q;~h;x;y").ok());
  const auto odd = pc::read_remote_media(edited, false);
  REQUIRE(odd.ok());
  CHECK(odd->send_rids == std::vector<std::string>{"q", "h", "x"});
  // A rid longer than a one-byte extension carries is left out, not truncated.
  const std::string long_rid(17, 'r');
  REQUIRE(edited.add_attribute("rid", long_rid + " send").ok());
  edited.remove_attributes("simulcast");
  REQUIRE(edited.add_attribute("simulcast", "send " + long_rid + ";f").ok());
  CHECK(pc::read_remote_media(edited, false)->send_rids == std::vector<std::string>{"f"});
}

TEST_CASE("an offer asking to receive simulcast: a sender never given encodings sends those it names",
          "[pc][media][simulcast]") {
  MediaPair pair(66);
  auto& a = pair.a.pc();
  auto& b = pair.b.pc();
  REQUIRE(a.add_transceiver(MediaKind::kVideo, pc::RtpTransceiverDirection::kRecvOnly).ok());
  auto offer = a.create_offer();
  REQUIRE(offer.ok());
  // As an SFU offers it: two layers wanted, q and h.
  offer->sdp = replaced(offer->sdp, "a=recvonly\r\n", "a=recvonly\r\na=rid:q recv\r\na=rid:h recv\r\na=simulcast:recv q;h\r\n");
  REQUIRE(b.set_remote_description(pair.b.now(), *offer).ok());
  const auto video = *b.add_track(MediaKind::kVideo);
  const auto encodings = b.send_encodings(video);
  REQUIRE(encodings.size() == 2);
  CHECK(encodings[0].rid == "q");
  CHECK(*encodings[0].scale_resolution_down_by == 2.0);
  CHECK(encodings[1].rid == "h");
  const auto created = b.create_answer();
  REQUIRE(created.ok());
  const std::optional<pc::SessionDescriptionInit> answer = *created;
  CHECK(has_line(answer, "a=rid:q send"));
  CHECK(has_line(answer, "a=simulcast:send q;h"));
  CHECK_FALSE(has_text(answer, "a=ssrc:"));
}
