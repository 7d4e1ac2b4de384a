#include <catch2/catch.hpp>

#include "agent_harness.h"
#include "stun_server.h"
#include "turn_server.h"

using namespace rtcstack;
using base::Duration;
using base::SocketAddress;
using ice::CandidateType;
using ice::ConnectionState;
using testing::AgentEndpoint;
using testing::NatBehavior;
using testing::SimNetwork;

namespace {

const SocketAddress kLanA = *SocketAddress::parse("192.0.2.10:40000");
const SocketAddress kLanB = *SocketAddress::parse("198.51.100.10:50000");
const base::IpAddress kPublicA = base::IpAddress::v4(203, 0, 113, 1);
const base::IpAddress kPublicB = base::IpAddress::v4(203, 0, 113, 2);
const SocketAddress kStunServer = *SocketAddress::parse("203.0.113.100:3478");
const SocketAddress kTurnServer = *SocketAddress::parse("203.0.113.200:3478");
const base::IpAddress kRelayIp = base::IpAddress::v4(203, 0, 113, 201);

struct Nat {
  NatBehavior mapping;
  NatBehavior filtering;
};
constexpr Nat kFullCone{NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent};
constexpr Nat kRestricted{NatBehavior::kEndpointIndependent, NatBehavior::kAddressDependent};
constexpr Nat kPortRestricted{NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent};
constexpr Nat kSymmetric{NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent};

ice::AgentConfig config(ice::Role role, SocketAddress lan, bool with_turn = false) {
  ice::AgentConfig c;
  c.role = role;
  c.host_addresses = {lan};
  c.stun_servers = {kStunServer};
  if (with_turn) c.turn_servers = {{kTurnServer, "user", "password"}};
  return c;
}

struct Outcome {
  bool connected = false;
  std::optional<CandidateType> a_remote_type;  // what a selected as b's candidate
  std::optional<CandidateType> b_remote_type;
  std::optional<CandidateType> a_local_type;
  std::optional<CandidateType> b_local_type;
  std::uint64_t relayed = 0;
};

Outcome run(Nat nat_a, Nat nat_b, std::uint64_t seed, bool with_turn = false) {
  SimNetwork network(seed);
  network.set_default_link({.delay = Duration::milliseconds(20)});
  network.add_nat({kPublicA, {kLanA.ip()}, nat_a.mapping, nat_a.filtering});
  network.add_nat({kPublicB, {kLanB.ip()}, nat_b.mapping, nat_b.filtering});
  testing::StunServerEndpoint server(network, kStunServer);
  testing::TurnServerEndpoint turn(network, kTurnServer, kRelayIp);
  AgentEndpoint a(network, "a", config(ice::Role::kControlling, kLanA, with_turn), seed * 2);
  AgentEndpoint b(network, "b", config(ice::Role::kControlled, kLanB, with_turn), seed * 2 + 1);
  a.agent().start_gathering(network.now());
  b.agent().start_gathering(network.now());
  a.drain();
  b.drain();
  network.run_until([&] {
    return a.agent().gathering_state() == ice::GatheringState::kComplete &&
           b.agent().gathering_state() == ice::GatheringState::kComplete;
  }, network.now() + Duration::seconds(10));
  // host, server-reflexive, and with TURN a relayed one (plus, behind a symmetric NAT,
  // a second server-reflexive address: the mapping towards the TURN server is another).
  REQUIRE(a.announced.size() >= (with_turn ? 3u : 2u));
  CHECK(a.announced[1].type == CandidateType::kServerReflexive);
  if (with_turn) CHECK(a.announced.back().type == CandidateType::kRelayed);
  if (!with_turn) CHECK(a.announced.size() == 2);
  CHECK(a.announced[1].address.ip() == kPublicA);
  CHECK(a.announced[1].related_address == kLanA);
  testing::signal_all(a, b, network.now());
  testing::signal_all(b, a, network.now());
  network.run_until([&] {
    const auto done = [](const AgentEndpoint& e) {
      return e.connected() || e.agent().connection_state() == ConnectionState::kFailed;
    };
    return done(a) && done(b);
  }, network.now() + Duration::seconds(60));
  Outcome outcome;
  outcome.connected = a.connected() && b.connected();
  if (auto pair = a.agent().selected_pair()) {
    outcome.a_remote_type = pair->remote.type;
    outcome.a_local_type = pair->local.type;
  }
  if (auto pair = b.agent().selected_pair()) {
    outcome.b_remote_type = pair->remote.type;
    outcome.b_local_type = pair->local.type;
  }
  // Data flows over the selected pair, through the relay when it is relayed.
  if (outcome.connected) {
    const int before = a.application_data + b.application_data;
    for (int i = 0; i < 10; ++i) {
      CHECK(a.send_data());
      CHECK(b.send_data());
    }
    network.run_for(Duration::milliseconds(500));
    CHECK(a.application_data + b.application_data - before == 20);
  }
  outcome.relayed = turn.relayed;
  if (!outcome.connected) {
    CHECK(a.agent().connection_state() == ConnectionState::kFailed);
    CHECK(b.agent().connection_state() == ConnectionState::kFailed);
  }
  return outcome;
}

}  // namespace

TEST_CASE("NAT combinations that connect through server-reflexive candidates", "[ice][nat]") {
  const std::pair<Nat, Nat> cases[] = {
      {kFullCone, kFullCone}, {kRestricted, kPortRestricted}, {kPortRestricted, kPortRestricted}};
  std::uint64_t seed = 1;
  for (const auto& [nat_a, nat_b] : cases) {
    INFO("case " << seed);
    const Outcome outcome = run(nat_a, nat_b, seed++);
    CHECK(outcome.connected);
    // Private host addresses are unreachable across the NATs: the pair uses what the NATs map.
    CHECK(outcome.a_remote_type != CandidateType::kHost);
    CHECK(outcome.b_remote_type != CandidateType::kHost);
  }
}

TEST_CASE("a symmetric NAT connects to cone NATs that filter by address only, via peer-reflexive",
          "[ice][nat]") {
  for (const Nat other : {kFullCone, kRestricted}) {
    const Outcome outcome = run(kSymmetric, other, 10);
    CHECK(outcome.connected);
    // b learns a's per-destination mapping only from a's checks: peer-reflexive.
    CHECK(outcome.b_remote_type == CandidateType::kPeerReflexive);
  }
}

TEST_CASE("symmetric against port-restricted or symmetric needs a relay: without one, failed",
          "[ice][nat]") {
  CHECK_FALSE(run(kSymmetric, kPortRestricted, 20).connected);
  CHECK_FALSE(run(kSymmetric, kSymmetric, 21).connected);
}

TEST_CASE("gathering completes without server-reflexive candidates when the STUN server is silent",
          "[ice][nat]") {
  SimNetwork network(30);
  network.set_default_link({.delay = Duration::milliseconds(20)});
  AgentEndpoint a(network, "a", config(ice::Role::kControlling, kLanA), 31);  // no server attached
  a.agent().start_gathering(network.now());
  a.drain();
  CHECK(a.agent().gathering_state() == ice::GatheringState::kGathering);
  network.run_until([&] { return a.agent().gathering_state() == ice::GatheringState::kComplete; },
                    network.now() + Duration::seconds(10));
  CHECK(a.agent().gathering_state() == ice::GatheringState::kComplete);
  CHECK(network.now() - base::Instant{} == Duration::milliseconds(3500));  // 0, 0.5, 1.5 s, then 2 s
  CHECK(a.announced.size() == 1);
}

TEST_CASE("with a TURN server, even symmetric against symmetric connects, through the relay",
          "[ice][nat][turn]") {
  for (const auto& [nat_a, nat_b] : {std::pair{kSymmetric, kSymmetric}, std::pair{kSymmetric, kPortRestricted}}) {
    const Outcome outcome = run(nat_a, nat_b, 40, /*with_turn=*/true);
    CHECK(outcome.connected);
    const bool via_relay = outcome.a_local_type == CandidateType::kRelayed ||
                           outcome.b_local_type == CandidateType::kRelayed;
    CHECK(via_relay);
    CHECK(outcome.relayed > 20);  // checks and data went through the TURN server
  }
}

TEST_CASE("with a TURN server available, open NATs still connect directly", "[ice][nat][turn]") {
  const Outcome outcome = run(kFullCone, kFullCone, 41, /*with_turn=*/true);
  CHECK(outcome.connected);
  CHECK(outcome.a_local_type != CandidateType::kRelayed);
  CHECK(outcome.b_local_type != CandidateType::kRelayed);
}

TEST_CASE("host names hide every local address: the host candidate's, and server-reflexive and relayed related ones",
          "[ice][nat][mdns]") {
  SimNetwork network(41);
  network.set_default_link({.delay = Duration::milliseconds(5)});
  network.add_nat({kPublicA, {kLanA.ip()}, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent});
  testing::StunServerEndpoint server(network, kStunServer);
  testing::TurnServerEndpoint turn(network, kTurnServer, kRelayIp);
  ice::AgentConfig hidden = config(ice::Role::kControlling, kLanA, true);
  const std::string name = "3d5e8a70-1c2b-4e6f-9a8b-7c6d5e4f3a21.local";
  hidden.host_names = {{kLanA.ip(), name}};
  AgentEndpoint a(network, "a", hidden, 5);
  a.agent().start_gathering(network.now());
  a.drain();
  network.run_until([&] { return a.agent().gathering_state() == ice::GatheringState::kComplete; },
                    network.now() + Duration::seconds(10));
  REQUIRE(a.announced.size() >= 3);
  for (const ice::Candidate& candidate : a.announced) {
    CAPTURE(candidate.to_string());
    if (candidate.type == CandidateType::kHost) {
      CHECK(candidate.hostname == name);
      CHECK(candidate.address == kLanA);  // the agent itself still knows where it is
    } else {
      REQUIRE(candidate.related_address);
      CHECK(candidate.related_address->ip().is_unspecified());
      CHECK(candidate.related_address->port() == 0);
    }
  }
}
