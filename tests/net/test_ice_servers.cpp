// net::add_ice_servers: W3C iceServers URLs into a configuration's STUN and TURN servers.
#include <catch2/catch.hpp>

#include "net/ice_servers.h"

using namespace rtcstack;

TEST_CASE("iceServers URLs become STUN and TURN servers with their transport, credentials and TLS host name",
          "[net][ice-servers]") {
  pc::Configuration configuration;
  REQUIRE(net::add_ice_servers(configuration, {{{"stun:192.0.2.9:19302"}, "", ""},
                                               {{"turn:192.0.2.10?transport=tcp", "turns:localhost:443"}, "user", "secret"}})
              .ok());
  REQUIRE(configuration.ice.stun_servers.size() == 1);
  CHECK(configuration.ice.stun_servers[0].to_string() == "192.0.2.9:19302");
  // localhost is 127.0.0.1 (and ::1 where the resolver says so): one server per address.
  REQUIRE(configuration.ice.turn_servers.size() >= 2);
  const pc::TurnServer& tcp = configuration.ice.turn_servers[0];
  CHECK(tcp.address.to_string() == "192.0.2.10:3478");
  CHECK(tcp.transport == pc::TurnTransport::kTcp);
  CHECK(tcp.username == "user");
  CHECK(tcp.password == "secret");
  CHECK(tcp.host.empty());
  bool loopback = false;
  for (std::size_t i = 1; i < configuration.ice.turn_servers.size(); ++i) {
    const pc::TurnServer& tls = configuration.ice.turn_servers[i];
    CHECK(tls.transport == pc::TurnTransport::kTls);
    CHECK(tls.host == "localhost");  // the certificate must carry the name
    CHECK(tls.address.port() == 443);
    loopback |= tls.address.ip() == base::IpAddress::v4(127, 0, 0, 1);
  }
  CHECK(loopback);
  CHECK(ice::turn_url(configuration.ice.turn_servers[1]) == "turns:localhost:443?transport=tcp");
}

TEST_CASE("a bad iceServers URL is refused and the configuration is left as it was", "[net][ice-servers]") {
  pc::Configuration configuration;
  configuration.ice.stun_servers = {*base::SocketAddress::parse("192.0.2.1:3478")};
  const auto added = net::add_ice_servers(configuration, {{{"stun:192.0.2.9", "turn:[::1"}, "", ""}});
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().code == base::ErrorCode::kInvalidArgument);
  CHECK(configuration.ice.stun_servers.size() == 1);
  CHECK(net::add_ice_servers(configuration, {{{"stuns:192.0.2.9"}, "", ""}}).error().code == base::ErrorCode::kUnsupported);
}
