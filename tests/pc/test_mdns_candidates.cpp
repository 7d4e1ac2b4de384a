// mDNS candidates in a PeerConnection, in simulated time: host addresses hidden behind
// names (AgentConfig::host_names), the peer's names resolved through MdnsQueryEvent and
// handle_mdns_resolution() - what net::Runtime does with real multicast - and names that
// do not resolve, or too many of them.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "pc_harness.h"

using namespace rtcstack;
using testing::labelled;
using testing::PcPair;

namespace {

const std::string kNameA = "6b0a4fb2-7f0c-4f47-9d2b-3f1a9a3e6c01.local";
const std::string kNameB = "0f3c2a55-1b7e-4a5b-8c9d-2e4f6a8b0c12.local";

pc::Configuration hiding(const char* ip, const std::string& name) {
  pc::Configuration configuration;
  configuration.ice.host_names = {{*base::IpAddress::parse(ip), name}};
  return configuration;
}

std::string text_of(const pc::Stats& stats, const char* member) {
  const auto* value = stats.get(member);
  return value != nullptr && std::holds_alternative<std::string>(*value) ? std::get<std::string>(*value) : std::string();
}

bool has_remote_host(pc::PeerConnection& connection, base::Instant now, const std::string& address) {
  for (const pc::Stats& s : connection.get_stats(now)) {
    if (s.type == "remote-candidate" && text_of(s, "candidateType") == "host" && text_of(s, "address") == address) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("mDNS candidates: hidden host addresses, names resolved by the caller, the call over host pairs", "[pc][mdns]") {
  PcPair pair(31, hiding("192.0.2.1", kNameA), hiding("192.0.2.2", kNameB));
  // The caller's resolver: each side knows the other's name (a real one asks the link).
  std::map<std::string, int> queries;
  const auto resolver = [&](testing::PcEndpoint& self) {
    return [&](const pc::Event& event) {
      const auto* query = std::get_if<pc::MdnsQueryEvent>(&event);
      if (query == nullptr) return;
      ++queries[query->name];
      const char* ip = query->name == kNameA ? "192.0.2.1" : query->name == kNameB ? "192.0.2.2" : nullptr;
      std::vector<base::IpAddress> addresses;
      if (ip != nullptr) addresses.push_back(*base::IpAddress::parse(ip));
      self.pc().handle_mdns_resolution(pair.network.now(), query->name, addresses);
    };
  };
  pair.a.on_event = resolver(pair.a);
  pair.b.on_event = resolver(pair.b);
  const auto channel = *pair.a.pc().create_data_channel(labelled("names"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, pc::DataChannelState::kOpen); }));
  // Nothing signalled reveals an address: names for hosts.
  const std::string offer = pair.a.pc().local_description()->sdp;
  CHECK(offer.find(kNameA) != std::string::npos);
  CHECK(offer.find("192.0.2.1") == std::string::npos);
  CHECK(pair.b.pc().local_description()->sdp.find("192.0.2.2") == std::string::npos);
  // Each name was asked for once, and became a host candidate at its address.
  CHECK(queries[kNameA] == 1);
  CHECK(queries[kNameB] == 1);
  CHECK(has_remote_host(pair.a.pc(), pair.network.now(), "192.0.2.2"));
  CHECK(has_remote_host(pair.b.pc(), pair.network.now(), "192.0.2.1"));

  // A name nobody answers: its candidate is dropped, nothing else changes.
  REQUIRE(pair.b.pc().add_ice_candidate(pair.network.now(),
                                         "candidate:9 1 udp 2122260223 0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b.local "
                                         "5000 typ host").ok());
  pair.b.drain();
  CHECK(queries["0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b.local"] == 1);
  for (const pc::Stats& s : pair.b.pc().get_stats(pair.network.now())) {
    if (s.type == "remote-candidate") CHECK(std::get<std::uint64_t>(*s.get("port")) != 5000);
  }
  CHECK(pair.b.connected());
}

TEST_CASE("mDNS candidates: names that wait are bounded; a name that is not .local is refused", "[pc][mdns]") {
  PcPair pair(32);
  pair.b.on_event = [](const pc::Event&) {};  // asks go unanswered
  const auto channel = *pair.a.pc().create_data_channel(labelled("bounded"));
  (void)channel;
  pair.negotiate(pair.a);
  const auto candidate = [](int i) {
    char name[64];
    std::snprintf(name, sizeof name, "00000000-0000-4000-8000-%012d.local", i);
    return "candidate:" + std::to_string(i) + " 1 udp 2122260223 " + name + " 5000 typ host";
  };
  for (int i = 0; i < 16; ++i) REQUIRE(pair.b.pc().add_ice_candidate(pair.network.now(), candidate(i)).ok());
  CHECK(pair.b.pc().add_ice_candidate(pair.network.now(), candidate(16)).error().code ==
        base::ErrorCode::kResourceExhausted);
  CHECK(pair.b.pc().add_ice_candidate(pair.network.now(), "candidate:1 1 udp 2122260223 host.example 5000 typ host")
            .error()
            .code == base::ErrorCode::kInvalidArgument);
}
