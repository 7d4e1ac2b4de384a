#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "pcapng.h"
#include "sdp/session_description.h"

using namespace rtcstack;
using namespace rtcstack::sdp;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The file with every line ending turned into CRLF, which is what to_string() writes.
std::string with_crlf(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

template <class T>
std::string join(const std::vector<T>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

// Facts read from each file by an independent script (line scanning in Python), so the
// parser is checked against something other than itself.
struct Facts {
  const char* file;
  const char* kinds;     // m-section media, comma-separated
  const char* mids;      // a=mid values in order
  const char* bundle;    // mids of the first a=group:BUNDLE
  const char* ufrag;     // first a=ice-ufrag
  int fingerprints;      // a=fingerprint lines in the whole SDP
  int candidates;        // a=candidate lines in the whole SDP
  int sctp_port;         // 0 when absent
  int max_message_size;  // 0 when absent
  const char* codecs;    // "<m index>:<first rtpmap value>" for each RTP section
};

const Facts kFacts[] = {
    {"aiortc-answer-0.sdp", "application", "0", "0", "9Hue", 1, 1, 5000, 65536, ""},
    {"aiortc-answer-1.sdp", "application", "0", "0", "VzPy", 1, 1, 5000, 65536, ""},
    {"aiortc-answer-2.sdp", "video,audio", "0,1", "0 1", "trLK", 2, 2, 0, 0, "0:96 VP8/90000;1:111 opus/48000/2"},
    {"aiortc-answer-3.sdp", "application", "0", "0", "vf67", 1, 1, 5000, 65536, ""},
    {"aiortc-maxbundle-offer-0.sdp", "application", "0", "0", "cBq0", 1, 1, 0, 65536, ""},
    {"aiortc-maxbundle-offer-1.sdp", "application", "0", "0", "X6Gl", 1, 1, 0, 65536, ""},
    {"aiortc-maxbundle-offer-2.sdp", "video,audio", "0,1", "0 1", "MCfJ", 2, 2, 0, 0, "0:97 VP8/90000;1:96 opus/48000/2"},
    {"aiortc-maxbundle-offer-3.sdp", "application", "0", "0", "F1xX", 1, 1, 0, 65536, ""},
    {"aiortc-offer-0.sdp", "application", "0", "0", "ZKdX", 1, 1, 0, 65536, ""},
    {"aiortc-offer-1.sdp", "application", "0", "0", "c9eq", 1, 1, 0, 65536, ""},
    {"aiortc-offer-2.sdp", "video,audio", "0,1", "0 1", "Ijo6", 2, 2, 0, 0, "0:97 VP8/90000;1:96 opus/48000/2"},
    {"aiortc-offer-3.sdp", "application", "0", "0", "bFMy", 1, 1, 0, 65536, ""},
    {"chromium-answer-0.sdp", "application", "0", "0", "6paT", 1, 2, 5000, 262144, ""},
    {"chromium-answer-1.sdp", "application", "0", "0", "OoHD", 1, 2, 5000, 262144, ""},
    {"chromium-answer-2.sdp", "video,audio", "0,1", "0 1", "Q/1/", 2, 2, 0, 0, "0:96 VP8/90000;1:111 opus/48000/2"},
    {"chromium-answer-3.sdp", "application", "0", "0", "vGfw", 1, 2, 5000, 262144, ""},
    {"chromium-offer-av-data.sdp", "audio,video,application", "0,1,2", "0 1 2", "UJBJ", 3, 12, 5000, 262144, "0:111 opus/48000/2;1:96 VP8/90000"},
    {"chromium-offer-0.sdp", "application", "0", "0", "fH9m", 1, 4, 5000, 262144, ""},
    {"chromium-offer-1.sdp", "application", "0", "0", "/7cu", 1, 4, 5000, 262144, ""},
    {"chromium-offer-2.sdp", "video,audio", "0,1", "0 1", "5cmS", 2, 4, 0, 0, "0:96 VP8/90000;1:111 opus/48000/2"},
    {"chromium-offer-3.sdp", "application", "0", "0", "Cwm8", 1, 4, 5000, 262144, ""},
    {"pion-answer-0.sdp", "application", "0", "0", "VBtTgxcStBwEhctZ", 1, 2, 5000, 0, ""},
    {"pion-answer-1.sdp", "application", "0", "0", "oEjPHPZqZkYexotQ", 1, 2, 5000, 0, ""},
    {"pion-answer-2.sdp", "video,audio", "0,1", "0 1", "qoLHcmrYLBhxdmDR", 1, 2, 0, 0, "0:97 VP8/90000;1:96 opus/48000/2"},
    {"pion-answer-3.sdp", "application", "0", "0", "yjHsGMBAGFnEMzlo", 1, 2, 5000, 0, ""},
    {"pion-offer-0.sdp", "application", "0", "0", "qaMNXscDMioEgBxo", 1, 2, 5000, 0, ""},
    {"pion-offer-1.sdp", "application", "0", "0", "NlNmxtdYqOLchaQw", 1, 2, 5000, 0, ""},
    {"pion-offer-2.sdp", "video,audio", "0,1", "0 1", "vcAmmTISaSFmaOET", 1, 2, 0, 0, "0:96 VP8/90000;1:111 opus/48000/2"},
    {"pion-offer-3.sdp", "application", "0", "0", "gFsZwRehJpMTjGEt", 1, 2, 5000, 0, ""},
    {"werift-answer-0.sdp", "application", "0", "0", "6a13", 1, 1, 5000, 65536, ""},
    {"werift-answer-1.sdp", "application", "0", "0", "f0f4", 1, 1, 5000, 65536, ""},
    {"werift-answer-2.sdp", "video,audio", "0,1", "0 1", "f7d8", 2, 2, 0, 0, "0:96 VP8/90000;1:111 opus/48000/2"},
    {"werift-answer-3.sdp", "application", "0", "0", "e44f", 1, 1, 5000, 65536, ""},
    {"werift-offer-0.sdp", "application", "0", "0", "bcbb", 1, 1, 5000, 65536, ""},
    {"werift-offer-1.sdp", "application", "0", "0", "db4a", 1, 1, 5000, 65536, ""},
    {"werift-offer-2.sdp", "video,audio", "0,1", "0 1", "5eaa", 2, 2, 0, 0, "0:97 VP8/90000;1:96 opus/48000/2"},
    {"werift-offer-3.sdp", "application", "0", "0", "a891", 1, 1, 5000, 65536, ""},
};

}  // namespace

TEST_CASE("every real SDP parses and round-trips byte for byte (CRLF aside)", "[sdp][real]") {
  for (const Facts& facts : kFacts) {
    INFO(facts.file);
    const std::string text = read_file(testing::test_data_path(std::string("sdp/") + facts.file));
    const auto session = SessionDescription::parse(text);
    if (!session) FAIL(session.error().message);
    CHECK(session->to_string() == with_crlf(text));
    // And again from LF-only input.
    std::string lf_only = text;
    std::erase(lf_only, '\r');
    const auto from_lf = SessionDescription::parse(lf_only);
    REQUIRE(from_lf.ok());
    CHECK(from_lf->to_string() == with_crlf(text));
  }
}

TEST_CASE("facts read from real SDP are right", "[sdp][real]") {
  for (const Facts& facts : kFacts) {
    INFO(facts.file);
    const auto session = SessionDescription::parse(read_file(testing::test_data_path(std::string("sdp/") + facts.file)));
    REQUIRE(session.ok());
    std::vector<std::string> kinds, mids, codecs;
    int fingerprints = static_cast<int>(session->fingerprints().size());
    int candidates = static_cast<int>(session->candidates().size());
    int sctp_port = 0;
    int max_message_size = 0;
    std::string ufrag(session->ice_ufrag().value_or(""));
    for (std::size_t i = 0; i < session->media.size(); ++i) {
      const MediaDescription& m = session->media[i];
      kinds.push_back(m.media_line.media);
      if (m.mid()) mids.emplace_back(*m.mid());
      if (ufrag.empty() && m.ice_ufrag()) ufrag = *m.ice_ufrag();
      fingerprints += static_cast<int>(m.fingerprints().size());
      candidates += static_cast<int>(m.candidates().size());
      if (m.sctp_port()) sctp_port = *m.sctp_port();
      if (m.max_message_size()) max_message_size = static_cast<int>(*m.max_message_size());
      const auto rtpmaps = m.rtpmaps();
      if (!rtpmaps.empty()) codecs.push_back(std::to_string(i) + ":" + rtpmaps.front().to_string());
      // Every rtpmap names a payload type listed on the m= line.
      for (const Rtpmap& map : rtpmaps) {
        CHECK(std::find(m.media_line.formats.begin(), m.media_line.formats.end(),
                        std::to_string(map.payload_type)) != m.media_line.formats.end());
      }
    }
    CHECK(join(kinds, ",") == facts.kinds);
    CHECK(join(mids, ",") == facts.mids);
    const auto bundle = session->bundle_group();
    CHECK((bundle ? join(bundle->mids, " ") : std::string()) == facts.bundle);
    CHECK(ufrag == facts.ufrag);
    CHECK(fingerprints == facts.fingerprints);
    CHECK(candidates == facts.candidates);
    CHECK(sctp_port == facts.sctp_port);
    CHECK(max_message_size == facts.max_message_size);
    CHECK(join(codecs, ";") == facts.codecs);
  }
}

TEST_CASE("a Chromium audio+video offer in detail", "[sdp][real]") {
  const auto session = SessionDescription::parse(read_file(testing::test_data_path("sdp/chromium-offer-2.sdp")));
  REQUIRE(session.ok());
  CHECK(session->origin.session_version == "2");
  CHECK(session->extmap_allow_mixed());
  CHECK(session->msid_semantic()->semantic == "WMS");
  const MediaDescription& video = session->media.at(0);
  CHECK(video.media_line.proto == "UDP/TLS/RTP/SAVPF");
  CHECK(video.media_line.port == 42951);
  CHECK(video.connection()->address == "127.0.0.1");
  CHECK(video.rtcp()->port == 9);
  CHECK(video.rtcp_mux());
  CHECK(video.rtcp_rsize());
  CHECK(video.direction() == Direction::kSendRecv);
  CHECK(video.setup() == Setup::kActpass);
  CHECK(video.ice_pwd() == "kJ9JZAYaUw4Qrt50FfqeL2dI");
  CHECK(video.ice_options()->has("trickle"));
  const auto fingerprint = video.fingerprints().at(0);
  CHECK(fingerprint.algorithm == "sha-256");
  CHECK(fingerprint.digest.size() == 32);
  const auto candidates = video.candidates();
  REQUIRE(candidates.size() == 4);
  CHECK(candidates[1].address == "::1");
  CHECK(candidates[1].ip()->is_v6());
  CHECK(candidates[2].transport == CandidateTransport::kTcp);
  CHECK(candidates[2].tcp_type == TcpType::kActive);
  CHECK(candidates[0].extension("network-cost") == "50");
  const auto extmaps = video.extmaps();
  CHECK(extmaps.size() == 11);
  CHECK(extmaps.back().uri == "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id");
  const auto feedback = video.rtcp_feedback();
  CHECK(feedback.back().type == "nack");
  CHECK(feedback.back().parameters == "pli");
  const auto ssrcs = video.ssrcs();
  CHECK(ssrcs.at(0).ssrc == 3160074848u);
  CHECK(ssrcs.at(0).attribute == "cname");
  CHECK(video.msids().at(0).stream_id == "-");
  const MediaDescription& audio = session->media.at(1);
  const auto opus = audio.rtpmaps().at(0);
  CHECK(opus.encoding == "opus");
  CHECK(opus.clock_rate == 48000);
  CHECK(opus.channels == 2);
  const auto fmtp = audio.fmtps().at(0);
  CHECK(fmtp.format == "111");
  CHECK(fmtp.parameter("useinbandfec") == "1");
}
