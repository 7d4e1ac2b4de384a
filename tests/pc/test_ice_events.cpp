// The ICE events a PeerConnection passes on (W3C): onicecandidateerror when a TURN server
// refuses or never answers, and the ICE transport's onselectedcandidatepairchange.
#include <catch2/catch.hpp>

#include <vector>

#include "pc_harness.h"
#include "sdp/candidate.h"
#include "turn_server.h"

using namespace rtcstack;
using testing::labelled;
using testing::PcPair;

namespace {

const base::SocketAddress kTurn(*base::IpAddress::parse("192.0.2.50"), 3478);

pc::Configuration with_turn() {
  pc::Configuration configuration;
  configuration.ice.turn_servers = {{kTurn, "user", "secret"}};
  return configuration;
}

/// Records the endpoint's events of type E into `into`.
template <typename E>
void events_of(testing::PcEndpoint& endpoint, std::vector<E>& into) {
  endpoint.on_event = [&into](const pc::Event& event) {
    if (const auto* e = std::get_if<E>(&event)) into.push_back(*e);
  };
}

}  // namespace

TEST_CASE("the selected candidate pair is announced with both of its candidates", "[pc][ice-events]") {
  PcPair pair(71);
  std::vector<pc::SelectedCandidatePairChangeEvent> a_pairs, b_pairs;
  events_of(pair.a, a_pairs);
  events_of(pair.b, b_pairs);
  REQUIRE(pair.a.pc().create_data_channel(labelled("x")).ok());
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected(); }));
  for (auto [events, self, peer] : {std::tuple{&a_pairs, &pair.a, &pair.b}, std::tuple{&b_pairs, &pair.b, &pair.a}}) {
    REQUIRE_FALSE(events->empty());
    const auto local = sdp::Candidate::parse(events->back().local);
    const auto remote = sdp::Candidate::parse(events->back().remote);
    REQUIRE(local.ok());
    REQUIRE(remote.ok());
    CHECK(local->address == self->address().ip().to_string());
    CHECK(local->port == self->address().port());
    CHECK(remote->address == peer->address().ip().to_string());
    CHECK(remote->port == peer->address().port());
  }
}

TEST_CASE("a relayed candidate's stats name its TURN server and relay protocol; relay-only pairs count their data",
          "[pc][ice-events]") {
  pc::Configuration relay_only = with_turn();
  relay_only.ice.policy = pc::IceTransportPolicy::kRelay;
  PcPair pair(73, relay_only);
  testing::TurnServerEndpoint server(pair.network, kTurn, *base::IpAddress::parse("192.0.2.51"));
  const auto channel = *pair.a.pc().create_data_channel(labelled("x"));
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.is(channel, pc::DataChannelState::kOpen); }, base::Duration::seconds(30)));
  const auto report = pair.a.pc().get_stats(pair.network.now());
  const pc::Stats* relayed = nullptr;
  const pc::Stats* selected = nullptr;
  std::string selected_id;
  for (const auto& stats : report) {
    if (stats.type == "local-candidate" && std::get<std::string>(*stats.get("candidateType")) == "relay") relayed = &stats;
    if (stats.type == "transport") selected_id = std::get<std::string>(*stats.get("selectedCandidatePairId"));
  }
  for (const auto& stats : report) {
    if (stats.id == selected_id) selected = &stats;
  }
  REQUIRE(relayed != nullptr);
  REQUIRE(selected != nullptr);
  CHECK(std::get<std::string>(*relayed->get("url")) == "turn:192.0.2.50:3478?transport=udp");
  CHECK(std::get<std::string>(*relayed->get("relayProtocol")) == "udp");
  CHECK(std::get<std::string>(*selected->get("localCandidateId")) == relayed->id);
  CHECK(std::get<std::uint64_t>(*selected->get("bytesSent")) > 0);
  CHECK(std::get<std::uint64_t>(*selected->get("bytesReceived")) > 0);
  CHECK(server.relayed > 0);
}

TEST_CASE("a TURN server that refuses or never answers is an icecandidateerror; host candidates carry on",
          "[pc][ice-events]") {
  const int refusal = GENERATE(0, 486);  // 0: nobody at the server's address
  CAPTURE(refusal);
  PcPair pair(72, with_turn());
  std::optional<testing::TurnServerEndpoint> server;
  if (refusal != 0) {
    server.emplace(pair.network, kTurn, *base::IpAddress::parse("192.0.2.51"));
    server->refuse_allocations = refusal;
  }
  std::vector<pc::IceCandidateErrorEvent> errors;
  events_of(pair.a, errors);
  REQUIRE(pair.a.pc().create_data_channel(labelled("x")).ok());
  pair.negotiate(pair.a);
  REQUIRE(pair.run([&] { return pair.a.connected() && pair.b.connected() && !errors.empty(); },
                   base::Duration::seconds(60)));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].url == "turn:192.0.2.50:3478?transport=udp");
  CHECK(errors[0].address == "192.0.2.1");
  CHECK(errors[0].port == pair.a.address().port());
  CHECK(errors[0].error_code == (refusal == 0 ? 701 : refusal));  // W3C: 701, server could not be reached
  CHECK_FALSE(errors[0].error_text.empty());
}
