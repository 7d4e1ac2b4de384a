#include <catch2/catch.hpp>

#include <algorithm>

#include "agent_harness.h"
#include "base/random.h"
#include "ice/agent.h"
#include "ice/turn_client.h"
#include "sim_network.h"
#include "turn_server.h"

using namespace rtcstack;
using base::Duration;
using base::Instant;
using base::SocketAddress;
using ice::TurnClient;
using ice::TurnState;

namespace {

const SocketAddress kClient = *SocketAddress::parse("192.0.2.10:40000");
const SocketAddress kPeer = *SocketAddress::parse("198.51.100.20:5000");
const SocketAddress kServer = *SocketAddress::parse("203.0.113.200:3478");
const base::IpAddress kRelayIp = base::IpAddress::v4(203, 0, 113, 201);

// A TurnClient on the simulated network, driven by its timeouts.
class ClientEndpoint : public testing::SimEndpoint {
 public:
  // kTcp/kTls: the simulated network carries each message the stream would (the framing
  // has tests of its own); what changes is the client's behaviour.
  ClientEndpoint(testing::SimNetwork& network, base::Random& random, ice::TurnTransport transport = ice::TurnTransport::kUdp)
      : network_(network), client(kClient, {kServer, "u", "p", transport, kClient, {}}, random) {
    network_.attach(kClient.ip(), *this);
  }
  void on_datagram(Instant now, const SocketAddress&, const SocketAddress&, base::ByteView datagram) override {
    if (auto data = client.handle_receive(now, datagram)) received.emplace_back(base::as_string_view(data->data));
    flush();
  }
  Instant next_timeout() const override { return client.poll_timeout(); }
  void on_timeout(Instant now) override {
    client.handle_timeout(now);
    flush();
  }
  void flush() {
    while (auto datagram = client.poll_transmit()) network_.send(kClient, kServer, *datagram);
  }
  testing::SimNetwork& network_;
  TurnClient client;
  std::vector<std::string> received;
};

// Collects what reaches the peer.
class PeerEndpoint : public testing::SimEndpoint {
 public:
  explicit PeerEndpoint(testing::SimNetwork& network) { network.attach(kPeer.ip(), *this); }
  void on_datagram(Instant, const SocketAddress&, const SocketAddress& remote, base::ByteView datagram) override {
    senders.push_back(remote);
    data.emplace_back(base::as_string_view(datagram));
  }
  Instant next_timeout() const override { return Instant::max(); }
  void on_timeout(Instant) override {}
  std::vector<SocketAddress> senders;
  std::vector<std::string> data;
};

}  // namespace

TEST_CASE("TURN allocation, permission and channel are refreshed before they expire", "[ice][turn]") {
  testing::SimNetwork network(1);
  network.set_default_link({.delay = Duration::milliseconds(25)});
  testing::TurnServerEndpoint server(network, kServer, kRelayIp);
  base::SeededRandom random(2);
  ClientEndpoint endpoint(network, random);
  PeerEndpoint peer(network);
  endpoint.client.start(network.now());
  endpoint.flush();
  network.run_until([&] { return endpoint.client.state() == TurnState::kAllocated; }, network.now() + Duration::seconds(5));
  REQUIRE(endpoint.client.state() == TurnState::kAllocated);
  REQUIRE(endpoint.client.add_peer(network.now(), kPeer).ok());
  endpoint.flush();
  network.run_for(Duration::seconds(1));
  REQUIRE(endpoint.client.has_channel(kPeer));

  // An hour: the allocation (600 s) and the channel (600 s) are refreshed every 540 s;
  // the permission (300 s) never goes 300 s without a CreatePermission or ChannelBind.
  network.run_for(Duration::seconds(3600));
  CHECK(server.requests[stun::StunMethod::kRefresh] == 6);
  CHECK(server.requests[stun::StunMethod::kChannelBind] == 1 + 6);
  REQUIRE(server.permission_refreshes.size() > 12);
  for (std::size_t i = 1; i < server.permission_refreshes.size(); ++i) {
    CHECK(server.permission_refreshes[i] - server.permission_refreshes[i - 1] < Duration::seconds(300));
  }
  CHECK(network.now() - server.permission_refreshes.back() < Duration::seconds(300));
  CHECK(endpoint.client.state() == TurnState::kAllocated);

  // Still relaying, by channel, both ways.
  std::uint8_t out[256];
  network.send(kClient, kServer, *endpoint.client.wrap(kPeer, base::as_bytes("after an hour"), out));
  network.run_for(Duration::seconds(1));
  REQUIRE(peer.data.size() == 1);
  CHECK(peer.data[0] == "after an hour");
  CHECK(peer.senders[0] == *endpoint.client.relayed_address());
  network.send(kPeer, *endpoint.client.relayed_address(), base::as_bytes("back"));
  network.run_for(Duration::seconds(1));
  CHECK(endpoint.received == std::vector<std::string>{"back"});

  endpoint.client.close(network.now());
  endpoint.flush();
  network.run_for(Duration::seconds(1));
  CHECK(endpoint.client.state() == TurnState::kClosed);
  CHECK(server.allocations() == 0);
}

TEST_CASE("a refused allocation (508, 486) surfaces as an agent event", "[ice][turn]") {
  for (int code : {508, 486}) {
    testing::SimNetwork network(3);
    network.set_default_link({.delay = Duration::milliseconds(10)});
    testing::TurnServerEndpoint server(network, kServer, kRelayIp);
    server.refuse_allocations = code;
    base::SeededRandom random(4);
    ice::AgentConfig config;
    config.host_addresses = {kClient};
    config.turn_servers = {{kServer, "u", "p"}};
    ice::Agent agent(config, random);
    agent.start_gathering(network.now());
    std::vector<ice::TurnErrorEvent> errors;
    // Drive the agent by hand: its datagrams go to the server, the server's come back.
    struct Adapter : testing::SimEndpoint {
      ice::Agent& agent;
      testing::SimNetwork& network;
      std::vector<ice::TurnErrorEvent>& errors;
      Instant timeout = Instant::max();
      Adapter(ice::Agent& a, testing::SimNetwork& n, std::vector<ice::TurnErrorEvent>& e) : agent(a), network(n), errors(e) {
        network.attach(kClient.ip(), *this);
      }
      void drain() {
        while (true) {
          ice::Output output = agent.poll_output();
          if (auto* t = std::get_if<ice::Timeout>(&output)) { timeout = t->at; return; }
          if (auto* x = std::get_if<ice::Transmit>(&output)) { network.send(x->local, x->remote, x->bytes); continue; }
          if (auto* e = std::get_if<ice::TurnErrorEvent>(&std::get<ice::Event>(output))) errors.push_back(*e);
        }
      }
      void on_datagram(Instant now, const SocketAddress& l, const SocketAddress& r, base::ByteView d) override {
        (void)agent.handle_receive(now, l, r, d);
        drain();
      }
      Instant next_timeout() const override { return timeout; }
      void on_timeout(Instant now) override { agent.handle_timeout(now); drain(); }
    } adapter(agent, network, errors);
    adapter.drain();
    network.run_until([&] { return agent.gathering_state() == ice::GatheringState::kComplete; },
                      network.now() + Duration::seconds(5));
    CHECK(agent.gathering_state() == ice::GatheringState::kComplete);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].server == kServer);
    CHECK(errors[0].error.code == code);
  }
}

TEST_CASE("over TCP or TLS the client pads ChannelData, and sends each request once", "[ice][turn][tcp]") {
  testing::SimNetwork network(5);
  network.set_default_link({.delay = Duration::milliseconds(10)});
  base::SeededRandom random(6);
  SECTION("padding: the channel's data arrives whole") {
    testing::TurnServerEndpoint server(network, kServer, kRelayIp);
    ClientEndpoint endpoint(network, random, ice::TurnTransport::kTcp);
    PeerEndpoint peer(network);
    endpoint.client.start(network.now());
    endpoint.flush();
    network.run_until([&] { return endpoint.client.state() == TurnState::kAllocated; }, network.now() + Duration::seconds(5));
    REQUIRE(endpoint.client.add_peer(network.now(), kPeer).ok());
    endpoint.flush();
    network.run_for(Duration::seconds(1));
    REQUIRE(endpoint.client.has_channel(kPeer));
    std::uint8_t out[256];
    const auto wrapped = endpoint.client.wrap(kPeer, base::as_bytes("hello"), out);  // 5 bytes of data
    REQUIRE(wrapped.ok());
    CHECK(wrapped->size() == 12);  // 4 + 5, padded to 12 (RFC 8656 §12.5)
    network.send(kClient, kServer, *wrapped);
    network.run_for(Duration::seconds(1));
    CHECK(peer.data == std::vector<std::string>{"hello"});
  }
  SECTION("no retransmission: an unanswered request fails after 10 s") {
    ClientEndpoint endpoint(network, random, ice::TurnTransport::kTls);  // nobody at the server's address
    endpoint.client.start(network.now());
    endpoint.flush();
    network.run_for(Duration::seconds(9));
    CHECK(endpoint.client.state() == TurnState::kAllocating);
    network.run_for(Duration::seconds(2));
    CHECK(endpoint.client.state() == TurnState::kFailed);
    CHECK(network.stats().sent == 1);
  }
}

TEST_CASE("a TURN connection lost before gathering is reported when gathering starts; host candidates carry on",
          "[ice][turn][tcp]") {
  base::SeededRandom random(7);
  ice::AgentConfig config;
  config.host_addresses = {kClient};
  config.turn_servers = {{kServer, "u", "p", ice::TurnTransport::kTls, *SocketAddress::parse("192.0.2.10:45000"), "turn.example"}};
  ice::Agent agent(config, random);
  agent.handle_connection_lost(Instant{}, *config.turn_servers[0].connection, kServer, "TLS handshake: certificate verify failed");
  agent.start_gathering(Instant{});
  std::vector<ice::TurnErrorEvent> errors;
  std::size_t candidates = 0;
  for (;;) {
    ice::Output output = agent.poll_output();
    if (std::holds_alternative<ice::Timeout>(output)) break;
    if (const auto* event = std::get_if<ice::Event>(&output)) {
      if (const auto* error = std::get_if<ice::TurnErrorEvent>(event)) errors.push_back(*error);
      if (std::holds_alternative<ice::LocalCandidateEvent>(*event)) ++candidates;
    }
  }
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.code == 0);
  CHECK(errors[0].error.reason.find("certificate verify failed") != std::string::npos);
  CHECK(errors[0].url == "turns:turn.example:3478?transport=tcp");
  CHECK(candidates == 1);  // the host candidate
  CHECK(agent.gathering_state() == ice::GatheringState::kComplete);
}

TEST_CASE("relay-only agents connect without losing their first checks to permissions not yet installed",
          "[ice][turn]") {
  // Both sides relayed through one server, signalled at the same instant: each one's
  // first check reaches the other's allocation about when that one asks for the
  // permission. Sent before the server confirmed ours, a check is dropped there and
  // retransmitted 500 ms later; held until it has, it passes.
  testing::SimNetwork network(8);
  network.set_default_link({.delay = Duration::milliseconds(10)});
  testing::TurnServerEndpoint server(network, kServer, kRelayIp);
  server.permission_delay = Duration::milliseconds(5);
  const auto relay_only = [](ice::Role role, const char* address) {
    ice::AgentConfig config = testing::agent_config(role, {*SocketAddress::parse(address)});
    config.turn_servers = {{kServer, "u", "p"}};
    config.policy = ice::AgentConfig::TransportPolicy::kRelay;
    return config;
  };
  testing::AgentEndpoint a(network, "a", relay_only(ice::Role::kControlling, "192.0.2.1:40000"), 81);
  testing::AgentEndpoint b(network, "b", relay_only(ice::Role::kControlled, "198.51.100.2:40000"), 82);
  a.agent().start_gathering(network.now());
  b.agent().start_gathering(network.now());
  a.drain();
  b.drain();
  network.run_until([&] { return !a.announced.empty() && !b.announced.empty(); }, network.now() + Duration::seconds(5));
  REQUIRE(a.announced.size() == 1);
  const Instant signalled = network.now();
  testing::signal_all(a, b, signalled);
  testing::signal_all(b, a, signalled);
  REQUIRE(network.run_until([&] { return a.connected() && b.connected(); }, signalled + Duration::seconds(5)));
  // Permission (1 round trip to the server), check and answer through both relays, then
  // the nomination: well under the 500 ms a lost first check would add.
  CHECK(network.now() - signalled < Duration::milliseconds(300));
  CHECK(a.agent().selected_pair()->local.type == ice::CandidateType::kRelayed);
}

TEST_CASE("a relayed candidate whose TURN connection was lost pairs with no later remote candidate", "[ice][turn][tcp]") {
  testing::SimNetwork network(9);
  network.set_default_link({.delay = Duration::milliseconds(10)});
  testing::TurnServerEndpoint server(network, kServer, kRelayIp);
  const SocketAddress connection = *SocketAddress::parse("192.0.2.1:45000");  // the caller's TCP connection
  ice::AgentConfig config = testing::agent_config(ice::Role::kControlling, {*SocketAddress::parse("192.0.2.1:40000")});
  config.turn_servers = {{kServer, "u", "p", ice::TurnTransport::kTcp, connection, {}}};
  testing::AgentEndpoint a(network, "a", config, 91);
  testing::AgentEndpoint b(network, "b", testing::agent_config(ice::Role::kControlled, {*SocketAddress::parse("198.51.100.2:40000")}), 92);
  a.agent().start_gathering(network.now());
  b.agent().start_gathering(network.now());
  a.drain();
  b.drain();
  network.run_until([&] { return a.agent().gathering_state() == ice::GatheringState::kComplete; },
                    network.now() + Duration::seconds(5));
  REQUIRE(a.announced.size() == 2);
  CHECK(a.announced[1].type == ice::CandidateType::kRelayed);
  CHECK(a.announced[1].relay_protocol == ice::TurnTransport::kTcp);
  a.agent().handle_connection_lost(network.now(), connection, kServer, "connection reset by peer");
  a.drain();
  CHECK(std::count_if(a.events.begin(), a.events.end(), [](const std::string& e) { return e.starts_with("turn-error"); }) == 1);
  // b's candidate arrives after the loss: the host candidate pairs with it, the relayed one does not.
  testing::signal_all(b, a, network.now());
  testing::signal_all(a, b, network.now());
  REQUIRE(network.run_until([&] { return a.connected() && b.connected(); }, network.now() + Duration::seconds(10)));
  REQUIRE_FALSE(a.agent().pairs().empty());
  for (const ice::CandidatePair& pair : a.agent().pairs()) {
    CHECK(a.agent().local_candidates()[pair.local].type == ice::CandidateType::kHost);
  }
}
