// Audio and video m-sections from real offers (Chromium, aiortc, Pion, werift): what
// rtcstack reads from them, its answer, and that the answer parses back to the same.
#include <catch2/catch.hpp>

#include "pc/media_section.h"
#include "pc/peer_connection.h"
#include "sdp_files.h"

using namespace rtcstack;
using namespace rtcstack::pc;
using testing::load_sdp;
using testing::sdp_section;

namespace {

// Our answer section alone, written with a stand-in transport, as text and parsed back.
sdp::SessionDescription round_trip(const LocalMedia& local) {
  sdp::SessionDescription description;
  description.origin = {"-", "1", "1", "IN", "IP4", "127.0.0.1"};
  REQUIRE(description.add_line('t', "0 0").ok());
  SdpWriteStatus status;
  description.media.push_back(media_section(local, status, [](sdp::MediaDescription& section) {
    REQUIRE(section.add_line('c', "IN IP4 0.0.0.0").ok());
    REQUIRE(section.add_attribute("ice-ufrag", "abcd").ok());
    REQUIRE(section.add_attribute("ice-pwd", "0123456789abcdefghijkl").ok());
  }));
  REQUIRE_FALSE(status.error);
  const std::string text = description.to_string();
  auto parsed = sdp::SessionDescription::parse(text);
  INFO(text);
  REQUIRE(parsed.ok());
  return std::move(*parsed);
}

}  // namespace

TEST_CASE("Chromium's audio+video offer: Opus and VP8 with RTX are read with their feedback and extensions", "[pc][media]") {
  const auto offer = load_sdp("chromium-offer-2.sdp");
  auto video = read_remote_media(sdp_section(offer, "video"), false);
  REQUIRE(video.ok());
  CHECK(video->mid == "0");
  CHECK(video->kind == MediaKind::kVideo);
  CHECK(video->direction == pc::RtpTransceiverDirection::kSendRecv);
  REQUIRE(video->codecs.size() == 1);  // VP8 only in this offer
  CHECK(video->codecs[0].name == "VP8");
  CHECK(video->codecs[0].payload_type == 96);
  CHECK(video->codecs[0].feedback == std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"});
  CHECK(video->ssrcs == std::vector<std::uint32_t>{3160074848u});
  CHECK(video->cname == "tSHGC21GEXCHaSnT");
  CHECK(video->track_id == "d395ea11-202c-4d03-99d8-b8c3021709dd");
  CHECK(video->rtcp_mux);
  CHECK(video->rtcp_rsize);
  CHECK(video->extensions.size() == 5);  // abs-send-time, transport-cc, mid, rid, repaired-rid

  auto audio = read_remote_media(sdp_section(offer, "audio"), false);
  REQUIRE(audio.ok());
  REQUIRE(audio->codecs.size() == 2);  // Opus and RED; G722, PCMU, PCMA, CN, telephone-event are not ours
  CHECK(audio->codecs[1].name == "red");
  CHECK(audio->codecs[0].name == "opus");
  CHECK(audio->codecs[0].payload_type == 111);
  CHECK(audio->codecs[0].fmtp == "minptime=10;useinbandfec=1");

  auto answer = answer_media(*video, pc::RtpTransceiverDirection::kSendRecv);
  REQUIRE(answer.ok());
  CHECK(answer->direction == pc::RtpTransceiverDirection::kSendRecv);
  REQUIRE(answer->codecs.size() == 1);
  CHECK(answer->codecs[0].payload_type == 96);
  CHECK_FALSE(answer->codecs[0].rtx_payload_type.has_value());  // not offered here
  CHECK(answer->extensions.size() == 5);  // abs-send-time, transport-wide CC, mid, rid, repaired-rid
  CHECK(answer->codecs[0].feedback == std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"});
  // The answer section parses back to what it says.
  answer->ssrc = 1234;
  answer->cname = "rtcstack";
  answer->track_id = "echo-video";
  const auto parsed = round_trip(*answer);
  auto back = read_remote_media(parsed.media.front(), false);
  REQUIRE(back.ok());
  CHECK(back->codecs == answer->codecs);
  CHECK(back->ssrcs == std::vector<std::uint32_t>{1234});
  CHECK(back->cname == "rtcstack");
  CHECK(back->track_id == "echo-video");
  CHECK(back->extensions == answer->extensions);
}

TEST_CASE("aiortc's and Pion's offers: RTX by apt, FID groups, VP9 profile 1 and H.264 High left out", "[pc][media]") {
  const auto aiortc = load_sdp("aiortc-offer-2.sdp");
  auto video = read_remote_media(sdp_section(aiortc, "video"), false);
  REQUIRE(video.ok());
  REQUIRE(video->codecs.size() == 3);  // VP8 and H.264 (Baseline, Constrained Baseline)
  CHECK(video->codecs[0].payload_type == 97);
  CHECK(video->codecs[0].rtx_payload_type == 98);
  CHECK(video->ssrcs == std::vector<std::uint32_t>{3857455902u});
  CHECK(video->rtx_ssrc == 1968298789u);
  auto answer = answer_media(*video, pc::RtpTransceiverDirection::kSendRecv);
  REQUIRE(answer.ok());
  CHECK(answer->codecs[0].rtx_payload_type == 98);
  answer->ssrc = 11;
  answer->rtx_ssrc = 12;
  answer->cname = "c";
  answer->track_id = "t";
  const auto parsed = round_trip(*answer);
  auto back = read_remote_media(parsed.media.front(), false);
  REQUIRE(back.ok());
  CHECK(back->codecs == answer->codecs);
  CHECK(back->rtx_ssrc == 12u);
  CHECK(back->ssrcs == std::vector<std::uint32_t>{11});

  const auto pion = load_sdp("pion-offer-2.sdp");
  auto pion_video = read_remote_media(sdp_section(pion, "video"), false);
  REQUIRE(pion_video.ok());
  REQUIRE(pion_video->codecs.size() == 6);  // VP8, VP9 profile 0, four H.264: not VP9 profile 1, not High
  CHECK(pion_video->codecs[0].payload_type == 96);
  CHECK(pion_video->codecs[0].rtx_payload_type == 97);
  auto pion_audio = read_remote_media(sdp_section(pion, "audio"), false);
  REQUIRE(pion_audio.ok());
  CHECK(pion_audio->codecs.size() == 1);
  CHECK(pion_audio->extensions.size() == 1);  // transport-wide CC, id 1
  const auto pion_answer = answer_media(*pion_audio, pc::RtpTransceiverDirection::kSendRecv);
  REQUIRE(pion_answer.ok());
  CHECK(pion_answer->extensions == std::vector<std::pair<std::uint8_t, media::ExtensionKind>>{{1, media::ExtensionKind::kTransportWideCc}});
  // Pion writes "a=rtcp-fb:111 transport-cc " with a trailing space: still transport-cc.
  CHECK(pion_answer->codecs[0].feedback == std::vector<std::string>{"transport-cc"});

  const auto werift = load_sdp("werift-offer-2.sdp");
  for (std::string_view kind : {"audio", "video"}) {
    auto media = read_remote_media(sdp_section(werift, kind), false);
    REQUIRE(media.ok());
    CHECK(media->codecs.size() == 1);
    CHECK(answer_media(*media, pc::RtpTransceiverDirection::kSendRecv).ok());
  }
}

TEST_CASE("answer directions follow RFC 8829 §5.3.1", "[pc][media]") {
  using D = pc::RtpTransceiverDirection;
  CHECK(answer_direction(D::kSendRecv, D::kSendRecv) == D::kSendRecv);
  CHECK(answer_direction(D::kSendOnly, D::kSendRecv) == D::kRecvOnly);
  CHECK(answer_direction(D::kRecvOnly, D::kSendRecv) == D::kSendOnly);
  CHECK(answer_direction(D::kInactive, D::kSendRecv) == D::kInactive);
  CHECK(answer_direction(D::kSendRecv, D::kRecvOnly) == D::kRecvOnly);
  CHECK(answer_direction(D::kSendOnly, D::kSendOnly) == D::kInactive);
  CHECK(answer_direction(D::kRecvOnly, D::kRecvOnly) == D::kInactive);
}

TEST_CASE("a section with no shared codec is refused, saying so", "[pc][media]") {
  const auto offer = sdp::SessionDescription::parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=mid:v\r\na=rtpmap:102 H265/90000\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:d\r\n");
  REQUIRE(offer.ok());
  auto video = read_remote_media(offer->media[0], false);
  REQUIRE(video.ok());
  CHECK(video->codecs.empty());
  auto answer = answer_media(*video, pc::RtpTransceiverDirection::kSendRecv);
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().code == base::ErrorCode::kUnsupported);
  CHECK(answer.error().message.find("(VP8, H.264, VP9, AV1)") != std::string::npos);
  CHECK(read_remote_media(offer->media[1], false).error().code == base::ErrorCode::kInvalidArgument);
}

TEST_CASE("our own offer sections list what rtcstack supports and read back the same", "[pc][media]") {
  for (MediaKind kind : {MediaKind::kAudio, MediaKind::kVideo}) {
    LocalMedia local;
    local.mid = kind == MediaKind::kAudio ? "a" : "v";
    local.kind = kind;
    local.codecs = supported_codecs(kind);
    local.extensions = supported_extensions(kind);
    local.ssrc = 100;
    if (kind == MediaKind::kVideo) local.rtx_ssrc = 101;
    local.cname = "cname";
    local.stream_id = "stream";
    local.track_id = "track";
    const auto parsed = round_trip(local);
    auto back = read_remote_media(parsed.media.front(), false);
    REQUIRE(back.ok());
    CHECK(back->codecs == local.codecs);
    CHECK(back->extensions == local.extensions);
    CHECK(back->stream_id == "stream");
    CHECK(back->track_id == "track");
    CHECK(back->rtx_ssrc == local.rtx_ssrc);
  }
}

TEST_CASE("after answering a media-only offer, a data channel comes as a new section after the others", "[pc][media]") {
  // JSEP keeps every m-section where it is in later offers (RFC 8829 §5.2.2); a data
  // channel wanted later gets a fresh mid at the end.
  std::ifstream file(testing::test_data_path("sdp/chromium-offer-2.sdp"));
  std::stringstream contents;
  contents << file.rdbuf();
  base::SeededRandom random(31);
  pc::Configuration configuration;
  configuration.ice.host_addresses = {*base::SocketAddress::parse("192.0.2.1:4000")};
  auto peer = std::move(pc::PeerConnection::create(configuration, random)).value();
  REQUIRE(peer->set_remote_description(base::Instant{}, {pc::SdpType::kOffer, contents.str()}).ok());
  auto answer = peer->create_answer();
  REQUIRE(answer.ok());
  const auto answered = *sdp::SessionDescription::parse(answer->sdp);
  REQUIRE(answered.media.size() == 2);  // video and audio, no data section
  CHECK(answered.media[0].media_line.media == "video");
  REQUIRE(peer->set_local_description(base::Instant{}, *answer).ok());

  pc::DataChannelInit init;
  init.label = "later";
  REQUIRE(peer->create_data_channel(init).ok());
  auto offer = peer->create_offer();
  REQUIRE(offer.ok());
  const auto parsed = *sdp::SessionDescription::parse(offer->sdp);
  REQUIRE(parsed.media.size() == 3);
  CHECK(parsed.media[0].media_line.media == "video");
  CHECK(parsed.media[0].mid() == "0");
  CHECK(parsed.media[1].media_line.media == "audio");
  CHECK(parsed.media[1].mid() == "1");
  CHECK(parsed.media[2].media_line.media == "application");
  CHECK(parsed.media[2].mid() == "2");
  CHECK(parsed.bundle_group()->mids == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("a section rejected in the answer keeps its place, port 0, in later offers", "[pc][media]") {
  std::string digest;  // a well-formed sha-256 fingerprint: 32 hex pairs
  for (int i = 0; i < 32; ++i) digest += std::string(i ? ":" : "") + "AB";
  const std::string offer =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=ice-ufrag:abcd\r\n"
      "a=ice-pwd:0123456789abcdefghijkl\r\na=fingerprint:sha-256 " + digest +
      "\r\na=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=mid:v\r\na=sendrecv\r\na=rtcp-mux\r\n"
      "a=rtpmap:102 H265/90000\r\n";
  base::SeededRandom random(32);
  pc::Configuration configuration;
  configuration.ice.host_addresses = {*base::SocketAddress::parse("192.0.2.1:4000")};
  auto peer = std::move(pc::PeerConnection::create(configuration, random)).value();
  REQUIRE(peer->set_remote_description(base::Instant{}, {pc::SdpType::kOffer, offer}).ok());
  auto answer = peer->create_answer();
  REQUIRE(answer.ok());
  const auto answered = *sdp::SessionDescription::parse(answer->sdp);
  REQUIRE(answered.media.size() == 2);
  CHECK(answered.media[0].media_line.port != 0);
  CHECK(answered.media[1].media_line.port == 0);  // H.265 only: nothing shared
  REQUIRE(peer->set_local_description(base::Instant{}, *answer).ok());
  auto reoffer = peer->create_offer();
  REQUIRE(reoffer.ok());
  const auto parsed = *sdp::SessionDescription::parse(reoffer->sdp);
  REQUIRE(parsed.media.size() == 2);
  CHECK(parsed.media[0].mid() == "a");
  CHECK(parsed.media[0].media_line.port != 0);
  CHECK(parsed.media[1].mid() == "v");
  CHECK(parsed.media[1].media_line.port == 0);
  CHECK(parsed.bundle_group()->mids == std::vector<std::string>{"a"});
}
