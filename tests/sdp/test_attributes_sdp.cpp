#include <catch2/catch.hpp>

#include "sdp/candidate.h"
#include "sdp/rtp_attributes.h"
#include "sdp/transport_attributes.h"

using namespace rtcstack;
using namespace rtcstack::sdp;

namespace {

// Parses `text` as T and checks that printing gives `canonical` (default: the input).
template <class T>
T round_trip(std::string_view text, std::string_view canonical = {}) {
  auto parsed = T::parse(text);
  INFO(std::string(text));
  if (!parsed) FAIL(parsed.error().message);
  CHECK(parsed->to_string() == (canonical.empty() ? text : canonical));
  CHECK(T::parse(parsed->to_string()).value() == *parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("typed attributes round-trip", "[sdp][attributes]") {
  CHECK(round_trip<Group>("BUNDLE 0 1 2").mids.size() == 3);
  CHECK(round_trip<Group>("LS a b").semantics == "LS");
  CHECK(round_trip<Group>("BUNDLE").mids.empty());
  CHECK(round_trip<MsidSemantic>(" WMS", "WMS").semantic == "WMS");
  CHECK(round_trip<MsidSemantic>("WMS *").identifiers.at(0) == "*");
  CHECK(round_trip<Msid>("stream track").track_id == "track");
  CHECK_FALSE(round_trip<Msid>("stream").track_id.has_value());
  CHECK(round_trip<IceOptions>("trickle renomination").has("renomination"));
  const auto fp = round_trip<Fingerprint>("SHA-1 4a:ad:b9:b1:3f:82:18:3b:54:02:12:df:3e:5d:49:6b:19:e5:7c:ab",
                                          "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
  CHECK(fp.digest.size() == 20);
  for (const char* algorithm : {"sha-224", "sha-384", "sha-512"}) {
    const std::size_t size = std::string_view(algorithm) == "sha-224" ? 28 : std::string_view(algorithm) == "sha-384" ? 48 : 64;
    std::string hex;
    for (std::size_t i = 0; i < size; ++i) hex += (i ? ":" : "") + std::string("AB");
    CHECK(round_trip<Fingerprint>(std::string(algorithm) + " " + hex).digest.size() == size);
  }
  CHECK(round_trip<Rtcp>("9 IN IP4 0.0.0.0").address == "0.0.0.0");
  CHECK(round_trip<Rtcp>("53000").port == 53000);
  CHECK(round_trip<Sctpmap>("5000 webrtc-datachannel 65535").streams == 65535u);
  CHECK(round_trip<Rtpmap>("111 opus/48000/2").channels == 2);
  CHECK(round_trip<Rtpmap>("96 VP8/90000").encoding == "VP8");
  const auto fmtp = round_trip<Fmtp>("111 minptime=10;useinbandfec=1");
  CHECK(fmtp.parameter("minptime") == "10");
  CHECK(round_trip<Fmtp>("101 0-15").parameters.at(0).second == "0-15");
  CHECK(round_trip<Fmtp>("97 apt=96").parameter("apt") == "96");
  CHECK(round_trip<RtcpFeedback>("96 nack pli").parameters == "pli");
  CHECK(round_trip<RtcpFeedback>("* trr-int 100").payload_type == "*");
  CHECK(round_trip<RtcpFeedback>("96 nack ", "96 nack").parameters.empty());  // Pion's trailing space
  const auto extmap = round_trip<Extmap>("3/sendonly urn:ietf:params:rtp-hdrext:sdes:mid");
  CHECK(extmap.direction == Direction::kSendOnly);
  CHECK(round_trip<Extmap>("4096 urn:x attr1 attr2").attributes == "attr1 attr2");
  CHECK(round_trip<SsrcAttribute>("1 cname:abc").value == "abc");
  CHECK_FALSE(round_trip<SsrcAttribute>("1 label").value.has_value());
  CHECK(round_trip<SsrcGroup>("FID 1 2").ssrcs.size() == 2);
  const auto rid = round_trip<Rid>("hi send pt=96,97;max-width=1280;max-height=720");
  CHECK(rid.payload_types.size() == 2);
  CHECK(rid.restrictions.at(1).first == "max-height");
  CHECK_FALSE(round_trip<Rid>("lo recv").send);
  const auto simulcast = round_trip<Simulcast>("send hi;~mid,lo recv r0");
  REQUIRE(simulcast.send.size() == 2);
  CHECK(simulcast.send[1][0].paused);
  CHECK(simulcast.send[1][1].rid == "lo");
  CHECK(simulcast.recv.at(0).at(0).rid == "r0");
  CHECK(round_trip<Simulcast>("recv a").send.empty());
  CHECK(parse_setup("passive").value() == Setup::kPassive);
  CHECK(to_string(Setup::kHoldconn) == "holdconn");
  CHECK(direction_from_name("recvonly") == Direction::kRecvOnly);
  CHECK_FALSE(direction_from_name("sideways").has_value());
}

TEST_CASE("candidates parse with every field and print canonically", "[sdp][candidate]") {
  const auto srflx = round_trip<Candidate>(
      "842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 192.0.2.3 rport 46154 generation 0 ufrag EsAw network-id 1 network-cost 10");
  CHECK(srflx.type == CandidateType::kServerReflexive);
  CHECK(srflx.related_address == "192.0.2.3");
  CHECK(srflx.related_port == 46154);
  CHECK(srflx.extension("ufrag") == "EsAw");
  CHECK(srflx.extensions.size() == 4);
  const auto mdns = round_trip<Candidate>("1 1 UDP 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54400 typ host",
                                          "1 1 udp 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54400 typ host");
  CHECK_FALSE(mdns.ip().has_value());
  const auto relay = round_trip<Candidate>("3 2 udp 16777215 2001:db8::9 3478 typ relay raddr :: rport 0");
  CHECK(relay.component == 2);
  CHECK(relay.ip()->is_v6());
  const auto tcp = round_trip<Candidate>("4 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active");
  CHECK(tcp.tcp_type == TcpType::kActive);
  CHECK(round_trip<Candidate>("5 1 udp 1 192.0.2.1 1 typ prflx").type == CandidateType::kPeerReflexive);
}

TEST_CASE("a trickled candidate line parses alone, with or without its prefix", "[sdp][candidate]") {
  const std::string value = "1 1 udp 2130706431 127.0.0.1 49418 typ host";
  for (const std::string& text : {value, "candidate:" + value, "a=candidate:" + value, "  candidate:" + value + "  "}) {
    const auto candidate = Candidate::parse(text);
    REQUIRE(candidate.ok());
    CHECK(candidate->to_candidate_line() == "candidate:" + value);
  }
}

TEST_CASE("malformed candidates say which field is wrong", "[sdp][candidate]") {
  const std::pair<const char*, const char*> cases[] = {
      {"1 1 udp 1 127.0.0.1 1 typ", "needs at least 8 fields"},
      {"1 0 udp 1 127.0.0.1 1 typ host", "component \"0\" is not 1-256"},
      {"1 1 udp 4294967296 127.0.0.1 1 typ host", "priority \"4294967296\""},
      {"1 1 udp 1 300.1.1.1.1:x 1 typ host", "address \"300.1.1.1.1:x\""},
      {"1 1 udp 1 127.0.0.1 65536 typ host", "port \"65536\""},
      {"1 1 udp 1 127.0.0.1 1 type host", "expected \"typ\""},
      {"1 1 udp 1 127.0.0.1 1 typ host raddr", "extension \"raddr\" has no value"},
      {"1 1 udp 1 127.0.0.1 1 typ host rport x", "rport \"x\""},
      {"1 1 tcp 1 127.0.0.1 1 typ host tcptype both", "tcptype \"both\""},
      {"f*o 1 udp 1 127.0.0.1 1 typ host", "foundation \"f*o\""},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    const auto candidate = Candidate::parse(text);
    REQUIRE_FALSE(candidate.ok());
    CHECK_THAT(candidate.error().message, Catch::Contains(expected));
  }
}
