// Choosing the interfaces a runtime gathers on, by name: allow and deny lists with a
// trailing-'*' wildcard, on this machine's own loopback interface ("lo" on Linux).
#include <catch2/catch.hpp>

#include <algorithm>

#include "net/interfaces.h"
#include "net/runtime.h"

using namespace rtcstack;

namespace {

bool has_loopback(const std::vector<base::IpAddress>& addresses) {
  return std::any_of(addresses.begin(), addresses.end(), [](const base::IpAddress& ip) { return ip.is_loopback(); });
}

}  // namespace

TEST_CASE("interface names match exactly, or by prefix with a trailing '*'", "[net][interfaces]") {
  CHECK(net::interface_matches("eth0", "eth0"));
  CHECK_FALSE(net::interface_matches("eth0", "eth"));
  CHECK(net::interface_matches("docker0", "docker*"));
  CHECK(net::interface_matches("docker_gwbridge", "docker*"));
  CHECK_FALSE(net::interface_matches("eth0", "docker*"));
  CHECK(net::interface_matches("anything", "*"));
}

TEST_CASE("allow and deny lists choose the interfaces whose addresses a runtime binds", "[net][interfaces]") {
  const auto only_lo = net::interface_addresses(true, {"lo"});
  REQUIRE_FALSE(only_lo.empty());
  CHECK(std::all_of(only_lo.begin(), only_lo.end(), [](const base::IpAddress& ip) { return ip.is_loopback(); }));
  CHECK(has_loopback(net::interface_addresses(true, {"l*"})));
  CHECK_FALSE(has_loopback(net::interface_addresses(true, {}, {"lo"})));
  CHECK_FALSE(has_loopback(net::interface_addresses(true, {"lo"}, {"l*"})));  // deny wins
  CHECK(net::interface_addresses(true, {"no-such-interface0"}).empty());

  // A runtime gathers on what the lists leave, and says so when they leave nothing.
  net::RuntimeOptions options;
  options.include_loopback = true;
  options.interfaces = {"lo"};
  auto runtime = net::Runtime::create(options);
  REQUIRE(runtime.ok());
  auto connection = (*runtime)->create_peer_connection({}, {});
  REQUIRE(connection.ok());
  pc::DataChannelInit init;
  init.label = "x";
  REQUIRE((*connection)->create_data_channel(init).ok());
  auto offer = (*connection)->create_offer();
  REQUIRE(offer.ok());
  REQUIRE((*connection)->set_local_description(*offer).ok());
  const auto stats = (*connection)->get_stats();
  int candidates = 0;
  for (const pc::Stats& s : stats) {
    if (s.type != "local-candidate") continue;
    ++candidates;
    CHECK(base::IpAddress::parse(std::get<std::string>(*s.get("address")))->is_loopback());
  }
  CHECK(candidates >= 1);
  (*connection)->close();
  options.interfaces = {"no-such-interface0"};
  const auto none = net::Runtime::create(options);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == base::ErrorCode::kInvalidArgument);
}
