#include <catch2/catch.hpp>

#include <string>

#include "sdp/session_description.h"

using namespace rtcstack;
using namespace rtcstack::sdp;

namespace {

const std::string kValid =
    "v=0\r\n"
    "o=- 123 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=ice-ufrag:abcd\r\n"
    "a=ice-pwd:abcdefghijklmnopqrstuv\r\n"
    "a=fingerprint:sha-256 " + std::string("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF") + "\r\n"
    "a=setup:actpass\r\n"
    "a=sctp-port:5000\r\n";

// kValid with line `number` (1-based) replaced; an empty replacement removes it.
std::string with_line(int number, const std::string& replacement) {
  std::string text;
  int at = 0;
  std::size_t start = 0;
  while (start < kValid.size()) {
    const std::size_t end = kValid.find("\r\n", start);
    ++at;
    const std::string line = kValid.substr(start, end - start);
    if (at != number) {
      text += line + "\r\n";
    } else if (!replacement.empty()) {
      text += replacement + "\r\n";
    }
    start = end + 2;
  }
  return text;
}

}  // namespace

TEST_CASE("the valid base parses", "[sdp][malformed]") {
  const auto session = SessionDescription::parse(kValid);
  REQUIRE(session.ok());
  CHECK(session->media.size() == 1);
}

TEST_CASE("malformed SDP gives the line number, the line and why", "[sdp][malformed]") {
  struct Case {
    int line;
    std::string replacement;
    std::string expected;  // a part of the error message
  };
  const Case cases[] = {
      {1, "v=1", "SDP line 1 \"v=1\": an SDP starts with v=0"},
      {2, "s=-", "SDP line 2 \"s=-\": expected o= as the second line"},
      {2, "o=- 123 IN IP4 127.0.0.1", "line 2 \"o=- 123 IN IP4 127.0.0.1\": o=: expected <username>"},
      {2, "o=- abc 2 IN IP4 127.0.0.1", "o=: session id and version must be digits"},
      {3, "s=", "the session name is empty"},
      {4, "", "m= before any t= line"},
      {4, "t=0", "SDP line 4 \"t=0\": t=: expected <start time> <stop time>"},
      {5, "a=group:", "line 5 \"a=group:\": group: needs a semantics token"},
      {6, "m=application 70000 UDP/DTLS/SCTP webrtc-datachannel", "m=: port \"70000\" is not 0-65535"},
      {6, "m=application 9 UDP/DTLS/SCTP", "line 6 \"m=application 9 UDP/DTLS/SCTP\": m=: expected <media> <port> <proto> <fmt>..."},
      {7, "c=IN IP4", "line 7 \"c=IN IP4\": c=: expected <nettype> <addrtype> <address>"},
      {7, "t=0 0", "line 7 \"t=0 0\": t= is not allowed in a media section"},
      {7, "b=AS", "b=: expected <bwtype>:<bandwidth>"},
      {7, "b=AS:lots", "b=: bandwidth \"lots\" is not a number"},
      {8, "a=mid:", "mid: is empty"},
      {9, "a=ice-ufrag:ab", "line 9 \"a=ice-ufrag:ab\": ice-ufrag: \"ab\" is not 4 to 256"},
      {10, "a=ice-pwd:short", "ice-pwd: \"short\" is not 22 to 256"},
      {11, "a=fingerprint:sha-256 00:11", "fingerprint: sha-256 digest has 2 bytes, expected 32"},
      {11, "a=fingerprint:sha-256 00-11", "fingerprint: fingerprint is not hex pairs"},
      {12, "a=setup:both", "setup: \"both\" is not actpass, active, passive or holdconn"},
      {13, "a=sctp-port:99999", "sctp-port: \"99999\" is not a number up to 65535"},
      {13, "a=rtcp-mux:yes", "rtcp-mux: takes no value"},
      {13, "a=rtpmap:200 opus/48000/2", "rtpmap: payload type \"200\" is not 0-127"},
      {13, "a=rtpmap:111 opus", "rtpmap: expected <encoding>/<clock rate>[/<channels>]"},
      {13, "a=rtcp-fb:x nack", "rtcp-fb: payload type \"x\" is neither 0-127 nor *"},
      {13, "a=extmap:0 urn:x", "extmap: id \"0\" is not 1-255"},
      {13, "a=extmap:1/both urn:x", "extmap: direction \"both\" is not"},
      {13, "a=ssrc:abc cname:x", "ssrc: ssrc \"abc\" is not a 32-bit number"},
      {13, "a=ssrc-group:FID 1 x", "ssrc-group: ssrc \"x\" is not a 32-bit number"},
      {13, "a=rid:1 both", "rid: direction \"both\" is neither send nor recv"},
      {13, "a=simulcast:send 1;;2", "simulcast: empty or invalid rid"},
      {13, "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ lan", "candidate: type \"lan\" is not host"},
      {13, "a=candidate:1 1 sctp 2130706431 127.0.0.1 5000 typ host", "transport \"sctp\" is neither UDP nor TCP"},
      {13, "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host generation", "extension \"generation\" has no value"},
      {13, "a=max-message-size:-1", "max-message-size: \"-1\" is not a number"},
      {13, "a=sctpmap:5000", "sctpmap: expected <port> <protocol> [<streams>]"},
      {13, "A=mid:0", "expected <type>=<value> with a lower-case letter as type"},
      {13, "a", "expected <type>=<value>"},
      {13, "o=- 1 1 IN IP4 0.0.0.0", "a second v=, o= or s= line"},
  };
  for (const Case& c : cases) {
    INFO(c.replacement);
    const auto session = SessionDescription::parse(with_line(c.line, c.replacement));
    REQUIRE_FALSE(session.ok());
    CHECK(session.error().code == base::ErrorCode::kMalformed);
    CHECK_THAT(session.error().message, Catch::Contains(c.expected));
  }
}

TEST_CASE("an empty line inside is an error, trailing blank lines are not", "[sdp][malformed]") {
  std::string inside = kValid;
  inside.insert(inside.find("t=0"), "\r\n");
  const auto broken = SessionDescription::parse(inside);
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(broken.error().message, Catch::Contains("SDP line 4 \"\": empty line"));
  CHECK(SessionDescription::parse(kValid + "\r\n\r\n").ok());
  CHECK_FALSE(SessionDescription::parse("").ok());
  CHECK_FALSE(SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n").ok());  // no t=
}

TEST_CASE("NUL bytes and CRs inside a line are refused (RFC 8866 §9)", "[sdp][malformed]") {
  struct Case {
    int line;
    std::string replacement;
    std::string expected;
  };
  const Case cases[] = {
      {3, std::string("s=a\0b", 5), "SDP line 3 has a NUL byte at column 4"},
      {3, std::string("s=\0", 3), "SDP line 3 has a NUL byte at column 3"},
      {8, std::string("a=mid:0\0", 8), "SDP line 8 has a NUL byte at column 8"},
      {9, "a=ice-ufrag:ab\rcd", "SDP line 9 has a CR not ending the line at column 15"},
      {1, std::string("v=0\0", 4), "SDP line 1 has a NUL byte"},
  };
  for (const Case& c : cases) {
    const auto session = SessionDescription::parse(with_line(c.line, c.replacement));
    INFO(c.expected);
    REQUIRE_FALSE(session.ok());
    CHECK(session.error().code == base::ErrorCode::kMalformed);
    CHECK_THAT(session.error().message, Catch::Contains(c.expected));
    CHECK(session.error().message.find('\0') == std::string::npos);
  }
  // Other control bytes are legal in a byte-string (s=, i=, attribute values).
  CHECK(SessionDescription::parse(with_line(3, "s=tab\there")).ok());
}

TEST_CASE("unknown lines and attributes are kept verbatim", "[sdp][malformed]") {
  const std::string text = with_line(13, "a=x-custom: anything goes here ") + "x=experimental line\r\na=flagonly\r\n";
  const auto session = SessionDescription::parse(text);
  REQUIRE(session.ok());
  CHECK(session->to_string() == text);
  CHECK(session->media[0].attribute("x-custom") == " anything goes here ");
  CHECK(session->media[0].has_attribute("flagonly"));
}

TEST_CASE("sections are edited through validated calls", "[sdp][malformed]") {
  auto session = SessionDescription::parse(kValid).value();
  MediaDescription& media = session.media[0];
  CHECK(media.add_attribute("max-message-size", "262144").ok());
  CHECK(media.max_message_size() == 262144u);
  const auto refused = media.add_attribute("setup", "sideways");
  REQUIRE_FALSE(refused.ok());
  CHECK(media.setup() == Setup::kActpass);  // unchanged
  CHECK_FALSE(media.add_line('c', "IN IP4").ok());
  media.remove_attributes("setup");
  CHECK_FALSE(media.setup().has_value());
  media.add(Sctpmap{5000, "webrtc-datachannel", 1024});
  CHECK(media.sctpmap()->streams == 1024u);
  const auto again = SessionDescription::parse(session.to_string());
  REQUIRE(again.ok());
  CHECK(again->to_string() == session.to_string());
}

TEST_CASE("every RFC 8866 session line is kept and readable", "[sdp][malformed]") {
  const std::string text =
      "v=0\r\n"
      "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
      "s=Call to John Smith\r\n"
      "i=SDP Offer #1\r\n"
      "u=http://www.jdoe.example.com/home.html\r\n"
      "e=Jane Doe <jane@jdoe.example.com>\r\n"
      "p=+1 617 555-6011\r\n"
      "c=IN IP4 198.51.100.1\r\n"
      "b=CT:128\r\n"
      "t=3724394400 3724398000\r\n"
      "r=7d 1h 0 25h\r\n"
      "z=3730928400 -1h 3749680800 0\r\n"
      "k=prompt\r\n"
      "a=recvonly\r\n"
      "m=audio 49170 RTP/AVP 0\r\n"
      "i=the audio\r\n"
      "m=video 51372/2 RTP/AVP 99\r\n"
      "a=rtpmap:99 h263-1998/90000\r\n";
  const auto session = SessionDescription::parse(text);
  REQUIRE(session.ok());
  CHECK(session->to_string() == text);
  CHECK(session->origin.username == "jdoe");
  CHECK(session->session_name == "Call to John Smith");
  CHECK(session->information() == "SDP Offer #1");
  CHECK(session->uri() == "http://www.jdoe.example.com/home.html");
  CHECK(session->emails().at(0) == "Jane Doe <jane@jdoe.example.com>");
  CHECK(session->phones().at(0) == "+1 617 555-6011");
  CHECK(session->connection()->address == "198.51.100.1");
  CHECK(session->bandwidths().at(0).value == 128);
  CHECK(session->timings().at(0).stop == 3724398000u);
  CHECK(session->repeat_times().at(0) == "7d 1h 0 25h");
  CHECK(session->time_zones() == "3730928400 -1h 3749680800 0");
  CHECK(session->encryption_key() == "prompt");
  CHECK(session->direction() == Direction::kRecvOnly);
  CHECK(session->media.at(0).information() == "the audio");
  CHECK(session->media.at(1).media_line.port_count == 2);
}
