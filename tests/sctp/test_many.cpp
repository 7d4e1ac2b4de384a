// Many associations in one process share usrsctp's global state and its one timer.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "sctp/usrsctp_stack.h"
#include "sctp_harness.h"

using namespace rtcstack;

TEST_CASE("40 associations at once: all connect, all deliver, one timer run per time step", "[sctp][load]") {
  testing::SimNetwork network(40);
  network.set_tracing(false);
  testing::LinkConditions link;
  link.delay = base::Duration::milliseconds(15);
  link.loss = 0.05;
  network.set_default_link(link);
  testing::ScopedWallClock clock([&] { return network.now(); });
  constexpr int kPairs = 20;
  std::vector<std::unique_ptr<testing::SctpPeer>> peers;
  for (int i = 0; i < kPairs; ++i) {
    const auto a = base::SocketAddress(*base::IpAddress::parse("198.51.100." + std::to_string(i + 1)), 5000);
    const auto b = base::SocketAddress(*base::IpAddress::parse("203.0.113." + std::to_string(i + 1)), 5000);
    sctp::Config client, server;
    server.dtls_client = false;
    peers.push_back(std::make_unique<testing::SctpPeer>(network, a, b, client));
    peers.push_back(std::make_unique<testing::SctpPeer>(network, b, a, server));
    peers[2 * i]->set_other(peers[2 * i + 1].get());
    peers[2 * i + 1]->set_other(peers[2 * i].get());
  }
  for (auto& peer : peers) peer->association().start(network.now());
  for (auto& peer : peers) peer->drain();
  auto all = [&](auto&& predicate) {
    for (auto& peer : peers) {
      if (!predicate(*peer)) return false;
    }
    return true;
  };
  REQUIRE(network.run_until([&] { return all([](auto& peer) { return peer.connected(); }); },
                            network.now() + base::Duration::seconds(30)));

  std::vector<std::uint16_t> ids;
  for (int i = 0; i < kPairs; ++i) {
    sctp::ChannelInit init;
    init.label = "pair" + std::to_string(i);
    ids.push_back(*peers[2 * i]->association().open_channel(init));
    peers[2 * i]->drain();
  }
  REQUIRE(network.run_until([&] {
    for (int i = 0; i < kPairs; ++i) {
      if (!peers[2 * i + 1]->is(ids[i], sctp::ChannelState::kOpen)) return false;
    }
    return true;
  }, network.now() + base::Duration::seconds(30)));
  const std::vector<std::uint8_t> message(50 * 1024, 0x33);
  for (int i = 0; i < kPairs; ++i) {
    for (int m = 0; m < 4; ++m) REQUIRE(peers[2 * i]->association().send(ids[i], message, true).ok());
    peers[2 * i]->drain();
  }
  const std::uint64_t runs_before = sctp::UsrsctpStack::instance().timer_runs();
  const base::Instant start = network.now();
  REQUIRE(network.run_until([&] {
    for (int i = 0; i < kPairs; ++i) {
      if (peers[2 * i + 1]->messages[ids[i]].size() != 4) return false;
    }
    return true;
  }, network.now() + base::Duration::seconds(60)));
  for (int i = 0; i < kPairs; ++i) {
    CHECK(base::bytes_equal(peers[2 * i + 1]->messages[ids[i]].back(), message));
  }
  // Forty associations tick every 10 ms, but usrsctp's timers ran at most once per
  // millisecond of simulated time, not forty times per step.
  const auto runs = sctp::UsrsctpStack::instance().timer_runs() - runs_before;
  const auto elapsed_ms = (network.now() - start).as_milliseconds();
  CHECK(runs <= static_cast<std::uint64_t>(elapsed_ms) + 1);
  CHECK(runs > 0);
}

TEST_CASE("a peer that never answers fails the association with a reason", "[sctp]") {
  testing::SctpPair pair(41);
  testing::LinkConditions dead;
  dead.loss = 1.0;
  pair.network.set_link_both_ways(*base::IpAddress::parse("192.0.2.1"), *base::IpAddress::parse("192.0.2.2"), dead);
  std::string reason;
  pair.a.on_event = [&](const sctp::Event& event) {
    if (const auto* state = std::get_if<sctp::StateEvent>(&event)) reason = state->reason;
  };
  REQUIRE(pair.run([&] { return pair.a.association().state() == sctp::State::kFailed; }, base::Duration::seconds(300)));
  CHECK_THAT(reason, Catch::Contains("never answered"));
}
