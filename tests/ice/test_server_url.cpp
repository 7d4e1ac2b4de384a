// STUN and TURN server URLs (RFC 7064, RFC 7065) as W3C iceServers write them.
#include <catch2/catch.hpp>

#include "ice/server_url.h"

using namespace rtcstack;
using ice::TurnTransport;

TEST_CASE("STUN and TURN URLs: schemes, default ports, transports, IPv6 and names", "[ice][url]") {
  struct Case {
    const char* url;
    bool turn;
    const char* host;
    std::uint16_t port;
    TurnTransport transport;
  };
  const Case cases[] = {
      {"stun:stun.example.org", false, "stun.example.org", 3478, TurnTransport::kUdp},
      {"stun:192.0.2.9:19302", false, "192.0.2.9", 19302, TurnTransport::kUdp},
      {"turn:turn.example.org", true, "turn.example.org", 3478, TurnTransport::kUdp},
      {"turn:192.0.2.9:3478?transport=udp", true, "192.0.2.9", 3478, TurnTransport::kUdp},
      {"turn:192.0.2.9:443?transport=tcp", true, "192.0.2.9", 443, TurnTransport::kTcp},
      {"turns:turn.example.org", true, "turn.example.org", 5349, TurnTransport::kTls},
      {"turns:turn.example.org:443?transport=tcp", true, "turn.example.org", 443, TurnTransport::kTls},
      {"turn:[2001:db8::9]:3478?transport=tcp", true, "2001:db8::9", 3478, TurnTransport::kTcp},
      {"stun:[2001:db8::9]", false, "2001:db8::9", 3478, TurnTransport::kUdp},
  };
  for (const Case& c : cases) {
    CAPTURE(c.url);
    const auto parsed = ice::parse_server_url(c.url);
    REQUIRE(parsed.ok());
    CHECK(parsed->turn == c.turn);
    CHECK(parsed->host == c.host);
    CHECK(parsed->port == c.port);
    CHECK(parsed->transport == c.transport);
  }
}

TEST_CASE("what is not a STUN or TURN URL is refused saying why; what rtcstack does not speak is kUnsupported",
          "[ice][url]") {
  for (const char* url : {"", "turn", "http://turn.example.org", "turn:", "turn::3478", "turn:host:0", "turn:host:65536",
                          "turn:host:", "turn:host:34x", "turn:[2001:db8::9", "turn:[192.0.2.9]:3478", "turn:[::1]x",
                          "turn:host?transport=sctp", "stun:host?transport=tcp", "turn:ho st", "turn:host/path"}) {
    CAPTURE(url);
    const auto parsed = ice::parse_server_url(url);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == base::ErrorCode::kInvalidArgument);
    CHECK_FALSE(parsed.error().message.empty());
  }
  for (const char* url : {"stuns:stun.example.org", "turns:turn.example.org?transport=udp"}) {
    CAPTURE(url);
    const auto parsed = ice::parse_server_url(url);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == base::ErrorCode::kUnsupported);
  }
}
