// Codec negotiation as browsers do it: H.264's profile-level-id (RFC 6184 §8.1), answers
// that keep the offerer's order among the codecs both have with matching fmtp (H.264
// profile and packetization-mode), RTX per codec, unknown codecs left out, and W3C
// setCodecPreferences on both sides of the offer.
#include <catch2/catch.hpp>

#include <algorithm>

#include "pc/h264_parameters.h"
#include "pc/media_section.h"
#include "pc_harness.h"
#include "sdp_files.h"

using namespace rtcstack;
using namespace rtcstack::pc;

namespace {

RemoteMedia video_section(const sdp::SessionDescription& description) {
  auto media = read_remote_media(testing::sdp_section(description, "video"), false);
  REQUIRE(media.ok());
  return *media;
}

std::vector<std::uint8_t> payload_types(const std::vector<CodecParameters>& codecs) {
  std::vector<std::uint8_t> types;
  for (const auto& codec : codecs) types.push_back(codec.payload_type);
  return types;
}

std::vector<CodecParameters> capabilities_of(media::VideoCodec codec) {
  std::vector<CodecParameters> wanted;
  for (const auto& capability : PeerConnection::codec_capabilities(MediaKind::kVideo)) {
    if (video_codec(capability) == codec) wanted.push_back(capability);
  }
  return wanted;
}

}  // namespace

TEST_CASE("profile-level-id names the profile by profile_idc and constraint flags", "[pc][codecs][h264]") {
  const auto check = [](const char* text, H264Profile profile, std::uint8_t level) {
    INFO(text);
    const auto parsed = parse_h264_profile_level_id(text);
    REQUIRE(parsed);
    CHECK(parsed->profile == profile);
    CHECK(parsed->level == level);
  };
  check("42e01f", H264Profile::kConstrainedBaseline, 31);
  check("42E01F", H264Profile::kConstrainedBaseline, 31);
  check("42c02a", H264Profile::kConstrainedBaseline, 42);  // set0 and set1
  check("4d801f", H264Profile::kConstrainedBaseline, 31);  // Main with set0 (Baseline-conformant)
  check("4d401f", H264Profile::kMain, 31);
  check("58c01f", H264Profile::kConstrainedBaseline, 31);  // Extended with set0 and set1
  check("42001f", H264Profile::kBaseline, 31);
  check("42800a", H264Profile::kBaseline, 10);
  check("4d001f", H264Profile::kMain, 31);
  check("640032", H264Profile::kHigh, 50);
  check("640c1f", H264Profile::kConstrainedHigh, 31);
  check("f4001f", H264Profile::kPredictiveHigh444, 31);
  check("42f00b", H264Profile::kConstrainedBaseline, kH264Level1b);  // set3 with level 11: 1b
  check("640009", H264Profile::kHigh, kH264Level1b);
  for (const char* bad : {"", "42e01", "42e01f0", "42g01f", "43e01f", "64101f", "42e000", "42e0ff", "6e001f"}) {
    INFO(bad);
    CHECK_FALSE(parse_h264_profile_level_id(bad));
  }
  // Written as browsers write them.
  CHECK(h264_profile_level_id({H264Profile::kConstrainedBaseline, 31}) == "42e01f");
  CHECK(h264_profile_level_id({H264Profile::kBaseline, 31}) == "42001f");
  CHECK(h264_profile_level_id({H264Profile::kMain, 40}) == "4d0028");
  CHECK(h264_profile_level_id({H264Profile::kConstrainedHigh, 51}) == "640c33");
  CHECK(h264_profile_level_id({H264Profile::kConstrainedBaseline, kH264Level1b}) == "42f00b");
  CHECK(h264_profile_level_id({H264Profile::kHigh, kH264Level1b}) == "640009");
  CHECK(h264_level_below(10, kH264Level1b));
  CHECK(h264_level_below(kH264Level1b, 11));
}

TEST_CASE("H.264 fmtp: RFC 6184's defaults, the same format, the answer's level", "[pc][codecs][h264]") {
  const auto defaults = read_h264_parameters("");
  REQUIRE(defaults);
  CHECK(defaults->profile_level == H264ProfileLevel{H264Profile::kBaseline, 10});  // 42000a
  CHECK(defaults->packetization_mode == 0);
  CHECK_FALSE(read_h264_parameters("packetization-mode=2"));
  CHECK_FALSE(read_h264_parameters("profile-level-id=zz"));
  const auto chromium = read_h264_parameters("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  REQUIRE(chromium);
  CHECK(h264_fmtp(*chromium) == "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  // A spaced fmtp (as some stacks write it) reads the same.
  const auto spaced = read_h264_parameters(" profile-level-id=42e01f ; packetization-mode=1; level-asymmetry-allowed=1");
  REQUIRE(spaced);
  CHECK(same_h264_format(*chromium, *spaced));
  CHECK_FALSE(same_h264_format(*chromium, *read_h264_parameters("packetization-mode=0;profile-level-id=42e01f")));
  CHECK_FALSE(same_h264_format(*chromium, *read_h264_parameters("packetization-mode=1;profile-level-id=42001f")));
  // Levels: the lower without asymmetry, ours with it on both sides.
  H264Parameters ours{{H264Profile::kConstrainedBaseline, 31}, 1, true};
  H264Parameters low{{H264Profile::kConstrainedBaseline, 21}, 1, false};
  CHECK(h264_answer(low, ours).profile_level.level == 21);
  low.level_asymmetry_allowed = true;
  CHECK(h264_answer(low, ours).profile_level.level == 31);
  H264Parameters high{{H264Profile::kConstrainedBaseline, 52}, 1, false};
  CHECK(h264_answer(high, ours).profile_level.level == 31);
}

TEST_CASE("Pion's offer answered: VP8, VP9 profile 0 and four H.264 formats with their RTX", "[pc][codecs]") {
  const RemoteMedia offer = video_section(testing::load_sdp("pion-offer-2.sdp"));
  // Read: only what rtcstack has, in Pion's order (VP9 profile 1, H.264 High and ulpfec
  // are gone).
  CHECK(payload_types(offer.codecs) == std::vector<std::uint8_t>{96, 98, 102, 127, 125, 108});
  auto answer = answer_media(offer, sdp::Direction::kSendRecv);
  REQUIRE(answer.ok());
  CHECK(answer->answer);
  CHECK(payload_types(answer->codecs) == std::vector<std::uint8_t>{96, 98, 102, 127, 125, 108});
  CHECK(answer->codecs[1].rtx_payload_type == 99);
  CHECK(answer->codecs[1].fmtp == "profile-id=0");
  CHECK(answer->codecs[2].rtx_payload_type == 121);
  CHECK(answer->codecs[3].rtx_payload_type == 120);
  CHECK(answer->codecs[4].rtx_payload_type == 107);
  CHECK(answer->codecs[2].fmtp == "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
  CHECK(answer->codecs[5].fmtp == "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f");
  CHECK(payload_options(answer->codecs[3]).h264_packetization_mode == 0);
  CHECK(video_codec(answer->codecs[0]) == media::VideoCodec::kVp8);
  CHECK(video_codec(answer->codecs[1]) == media::VideoCodec::kVp9);
  CHECK(video_codec(answer->codecs[2]) == media::VideoCodec::kH264);
  // VP9's profile-id: absent is 0; 2 (10-bit) is not ours.
  CodecParameters vp9{98, "VP9", 90000, 1, "", {}, std::nullopt};
  CHECK(same_codec(vp9, offer.codecs[1]));
  vp9.fmtp = "profile-id=2";
  CHECK_FALSE(same_codec(vp9, offer.codecs[1]));
  CHECK(fmtp_parameter(" a=1 ; profile-id = 2", "profile-id") == "2");
  CHECK_FALSE(fmtp_parameter("profile-idx=2", "profile-id"));

  // With H.264 preferred, only H.264, in rtcstack's order of the preferences.
  answer = answer_media(offer, sdp::Direction::kSendRecv, capabilities_of(media::VideoCodec::kH264));
  REQUIRE(answer.ok());
  CHECK(payload_types(answer->codecs) == std::vector<std::uint8_t>{125, 102, 108, 127});
}

TEST_CASE("aiortc's offer answered; an offer of only unknown codecs is rejected, not fatal", "[pc][codecs]") {
  const RemoteMedia offer = video_section(testing::load_sdp("aiortc-offer-2.sdp"));
  auto answer = answer_media(offer, sdp::Direction::kSendRecv);
  REQUIRE(answer.ok());
  CHECK(payload_types(answer->codecs) == std::vector<std::uint8_t>{97, 99, 101});
  // aiortc offers no transport-cc: the answer keeps the feedback both know.
  CHECK(std::find(answer->codecs[1].feedback.begin(), answer->codecs[1].feedback.end(), "nack pli") !=
        answer->codecs[1].feedback.end());
  RemoteMedia unknown = offer;
  unknown.codecs.clear();
  CHECK(answer_media(unknown, sdp::Direction::kSendRecv).error().code == base::ErrorCode::kUnsupported);
  // Preferring a codec the offer lacks leaves nothing to answer with.
  RemoteMedia vp8_only = offer;
  vp8_only.codecs.resize(1);
  CHECK(answer_media(vp8_only, sdp::Direction::kSendRecv, capabilities_of(media::VideoCodec::kH264)).error().code ==
        base::ErrorCode::kUnsupported);
}

TEST_CASE("setCodecPreferences: the offer lists those codecs in that order; both ends send the answer's first",
          "[pc][codecs]") {
  testing::PcPair pair(71);
  TransceiverHandle b_video = 0;
  pair.b.on_event = [&](const Event& event) {
    if (const auto* track = std::get_if<TrackEvent>(&event)) b_video = track->transceiver;
  };
  const auto video = *pair.a.pc().add_transceiver(MediaKind::kVideo);
  // Not a codec rtcstack has: refused, nothing changes.
  CodecParameters h265{0, "H265", 90000, 1, "", {}, std::nullopt};
  CHECK(pair.a.pc().set_codec_preferences(video, {h265}).error().code == base::ErrorCode::kInvalidArgument);
  CodecParameters high = capabilities_of(media::VideoCodec::kH264).front();
  high.fmtp = "packetization-mode=1;profile-level-id=640032";
  CHECK(pair.a.pc().set_codec_preferences(video, {high}).error().code == base::ErrorCode::kInvalidArgument);
  CHECK(pair.a.pc().set_codec_preferences(12345, {}).error().code == base::ErrorCode::kInvalidArgument);
  // H.264 Constrained Baseline mode 1, then VP8; an RTX entry is accepted and ignored.
  const auto h264 = capabilities_of(media::VideoCodec::kH264);
  const auto vp8 = capabilities_of(media::VideoCodec::kVp8);
  CodecParameters rtx{0, "rtx", 90000, 1, "", {}, std::nullopt};
  REQUIRE(pair.a.pc().set_codec_preferences(video, {h264.front(), rtx, vp8.front()}).ok());
  auto offer = pair.a.pc().create_offer();
  REQUIRE(offer.ok());
  const auto parsed = sdp::SessionDescription::parse(offer->sdp);
  REQUIRE(parsed.ok());
  CHECK(payload_types(video_section(*parsed).codecs) ==
        std::vector<std::uint8_t>{h264.front().payload_type, vp8.front().payload_type});
  pair.negotiate(pair.a);
  REQUIRE(b_video != 0);
  // b answered in the offer's order: both send H.264 (with its RTX).
  for (const auto& [endpoint, handle] : {std::pair{&pair.a, video}, std::pair{&pair.b, b_video}}) {
    const auto sends = endpoint->pc().send_codec(handle);
    REQUIRE(sends);
    CHECK(sends->name == "H264");
    CHECK(payload_options(*sends).h264_packetization_mode == 1);
    CHECK(sends->rtx_payload_type == h264.front().rtx_payload_type);
  }
  CHECK(payload_types(pair.b.pc().negotiated_codecs(b_video)) ==
        std::vector<std::uint8_t>{h264.front().payload_type, vp8.front().payload_type});

  // b prefers VP8: its next answer puts VP8 first, and both switch to it.
  REQUIRE(pair.b.pc().set_codec_preferences(b_video, {vp8.front(), h264.front()}).ok());
  pair.negotiate(pair.a);
  CHECK(pair.a.pc().send_codec(video)->name == "VP8");
  CHECK(pair.b.pc().send_codec(b_video)->name == "VP8");
  // An empty list restores rtcstack's own order on a's side: VP8 first in its next offer.
  REQUIRE(pair.a.pc().set_codec_preferences(video, {}).ok());
  auto again = pair.a.pc().create_offer();
  REQUIRE(again.ok());
  CHECK(video_section(*sdp::SessionDescription::parse(again->sdp)).codecs.front().name == "VP8");
}

TEST_CASE("Chromium's audio offer: Opus and RED answered; the peer's fmtp configures our Opus", "[pc][codecs][red]") {
  const auto offer = testing::load_sdp("chromium-offer-2.sdp");
  auto audio = read_remote_media(testing::sdp_section(offer, "audio"), false);
  REQUIRE(audio.ok());
  CHECK(payload_types(audio->codecs) == std::vector<std::uint8_t>{111, 63});
  auto answer = answer_media(*audio, sdp::Direction::kSendRecv);
  REQUIRE(answer.ok());
  REQUIRE(answer->codecs.size() == 2);
  CHECK(answer->codecs[0].fmtp == "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1");  // what we receive
  CHECK(answer->codecs[1].name == "red");
  CHECK(red_block_payload_type(answer->codecs[1]) == 111);
  // Chromium's fmtp asks for in-band FEC, mono, no DTX.
  const auto config = opus_encoder_config(audio->codecs[0]);
  CHECK(config.inband_fec);
  CHECK(config.channels == 1);
  CHECK_FALSE(config.dtx);
  CodecParameters stereo = audio->codecs[0];
  stereo.fmtp = "stereo=1;usedtx=1;maxaveragebitrate=20000";
  const auto asked = opus_encoder_config(stereo);
  CHECK(asked.channels == 2);
  CHECK(asked.dtx);
  CHECK(asked.bitrate_bps == 20000);
  CHECK_FALSE(asked.inband_fec);
  stereo.fmtp = "maxaveragebitrate=5";  // below RFC 7587's range: ignored
  CHECK(opus_encoder_config(stereo).bitrate_bps == 32000);
  CodecParameters bad_red{63, "red", 48000, 2, "x/111", {}, std::nullopt};
  CHECK_FALSE(red_block_payload_type(bad_red));
  // With RED preferred, the answer puts it first: both ends then send Opus in RED.
  const auto capabilities = PeerConnection::codec_capabilities(MediaKind::kAudio);
  answer = answer_media(*audio, sdp::Direction::kSendRecv, {capabilities[1], capabilities[0]});
  REQUIRE(answer.ok());
  CHECK(payload_types(answer->codecs) == std::vector<std::uint8_t>{63, 111});
}

TEST_CASE("what an answerer sends with carries the offerer's fmtp", "[pc][codecs]") {
  testing::PcPair pair(72);
  TransceiverHandle b_audio = 0;
  pair.b.on_event = [&](const Event& event) {
    if (const auto* track = std::get_if<TrackEvent>(&event)) b_audio = track->transceiver;
  };
  const auto audio = *pair.a.pc().add_transceiver(MediaKind::kAudio);
  pair.negotiate(pair.a);
  REQUIRE(b_audio != 0);
  const auto b_sends = pair.b.pc().send_codec(b_audio);
  REQUIRE(b_sends);
  CHECK(b_sends->name == "opus");
  CHECK(b_sends->fmtp == "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1");  // a's, the offerer's
  CHECK(opus_encoder_config(*b_sends).channels == 2);
  // a sends with b's answer's fmtp: b's own receive parameters, not a copy of the offer's.
  CHECK(pair.a.pc().send_codec(audio)->fmtp == "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1");
  CHECK(payload_types(pair.b.pc().negotiated_codecs(b_audio)) == std::vector<std::uint8_t>{111, 63});
  CHECK(pair.a.pc().send_codec(audio)->name == "opus");
}
