#include <catch2/catch.hpp>

#include "agent_harness.h"
#include "ice/check_messages.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using base::SocketAddress;
using ice::ConnectionState;
using testing::AgentEndpoint;
using testing::SimNetwork;

namespace {

const SocketAddress kA = *SocketAddress::parse("192.0.2.1:40000");
const SocketAddress kB = *SocketAddress::parse("198.51.100.1:50000");

ice::AgentConfig config(ice::Role role, SocketAddress address) { return testing::agent_config(role, {address}); }

struct Call {
  explicit Call(std::uint64_t seed, std::vector<SocketAddress> b_addresses = {kB})
      : network(seed),
        a(network, "a", config(ice::Role::kControlling, kA), seed * 2),
        b(network, "b", testing::agent_config(ice::Role::kControlled, std::move(b_addresses)), seed * 2 + 1) {
    network.set_default_link({.delay = Duration::milliseconds(20)});
    testing::gather_and_connect(network, a, b, Duration::seconds(10));
  }
  std::optional<Instant> entered(const AgentEndpoint& endpoint, ConnectionState state, Instant after) const {
    for (const auto& [at, entered_state] : endpoint.state_times) {
      if (entered_state == state && at >= after) return at;
    }
    return std::nullopt;
  }
  SimNetwork network;
  AgentEndpoint a;
  AgentEndpoint b;
};

}  // namespace

TEST_CASE("consent checks keep a healthy connection completed", "[ice][consent]") {
  Call call(1);
  REQUIRE(call.a.connected());
  const auto requests_before = call.b.agent().stats().requests_received;
  call.network.run_for(Duration::seconds(120));
  CHECK(call.a.agent().connection_state() == ConnectionState::kCompleted);
  CHECK(call.b.agent().connection_state() == ConnectionState::kCompleted);
  // One consent check every 4-6 s: 20 to 30 in two minutes.
  const auto consent_checks = call.b.agent().stats().requests_received - requests_before;
  CHECK(consent_checks >= 20);
  CHECK(consent_checks <= 30);
  CHECK(call.a.connection_states() == std::vector<std::string>{"checking", "connected", "completed"});
}

TEST_CASE("consent loss: disconnected, then failed 30 s after the last response", "[ice][consent]") {
  Call call(2);
  REQUIRE(call.a.connected());
  call.network.run_for(Duration::seconds(20));
  const Instant cut = call.network.now();
  call.network.set_default_link({.loss = 1.0});
  call.network.run_for(Duration::seconds(40));
  for (AgentEndpoint* endpoint : {&call.a, &call.b}) {
    INFO(endpoint->name());
    const auto disconnected = call.entered(*endpoint, ConnectionState::kDisconnected, cut);
    const auto failed = call.entered(*endpoint, ConnectionState::kFailed, cut);
    REQUIRE(disconnected.has_value());
    REQUIRE(failed.has_value());
    // The last response came at most one consent interval (<= 6 s) before the cut.
    CHECK(*disconnected - cut >= Duration::seconds(2));
    CHECK(*disconnected - cut <= Duration::seconds(8));
    CHECK(*failed - *disconnected == Duration::seconds(22));  // 30 s - 8 s after the same last response
    CHECK_FALSE(endpoint->agent().can_send());
    CHECK_FALSE(endpoint->agent().selected_pair().has_value());
    CHECK(endpoint->agent().connection_state() == ConnectionState::kFailed);
  }
}

TEST_CASE("a connection that comes back before consent expires is connected again", "[ice][consent]") {
  Call call(3);
  REQUIRE(call.a.connected());
  call.network.run_for(Duration::seconds(10));
  const Instant cut = call.network.now();
  call.network.set_default_link({.loss = 1.0});
  call.network.run_for(Duration::seconds(15));
  CHECK(call.a.agent().connection_state() == ConnectionState::kDisconnected);
  call.network.set_default_link({.delay = Duration::milliseconds(20)});
  call.network.run_for(Duration::seconds(10));
  CHECK(call.a.connected());
  CHECK(call.b.connected());
  CHECK(call.a.agent().can_send());
  CHECK_FALSE(call.entered(call.a, ConnectionState::kFailed, cut).has_value());
}

TEST_CASE("a peer that pings a backup pair moves nothing while the selected pair keeps consent", "[ice][consent]") {
  // b has two addresses; both pairs with a are valid. Once one is selected, b's other
  // address checks a every second - a quiet selected pair must not give way to it.
  const SocketAddress kB2 = *SocketAddress::parse("198.51.100.2:50000");
  Call call(7, {kB, kB2});
  REQUIRE((call.a.connected() && call.b.connected()));
  auto& [network, a, b] = call;
  network.run_for(Duration::seconds(2));  // the other pair's checks finish too
  const SocketAddress selected = a.agent().selected_pair()->remote.address;
  const SocketAddress backup = selected == kB ? kB2 : kB;
  for (int i = 0; i < 60; ++i) {
    std::uint8_t buffer[ice::kMaxCheckSize];
    const ice::CheckRequest request{a.agent().local_credentials().ufrag, b.agent().local_credentials().ufrag,
                                    a.agent().local_credentials().password, 1000, ice::Role::kControlled, 1, false};
    const auto check = ice::build_check_request(buffer, stun::TransactionId{}, request);
    REQUIRE(check.ok());
    network.send(backup, kA, *check);
    network.run_for(Duration::seconds(1));
    REQUIRE(a.agent().selected_pair()->remote.address == selected);
  }
  CHECK(a.agent().connection_state() == ConnectionState::kCompleted);
}
